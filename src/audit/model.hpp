#pragma once
// The audit log's records: who (person, staff or system, and on whose behalf), what, which record, when,
// from where. One hash chain per tenant; tenant 0 is the hub itself (DESIGN.md, "Append-only legal
// records").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenants/model.hpp"

namespace sp::audit {

// Hub-level events (hub administrators, system jobs, anything not belonging to one body) chain here.
constexpr tenants::TenantId kHubTenant = 0;

// prev_hash of the first entry of every chain.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// record_type of entries about a person's own data (record_id is the codice fiscale).
inline constexpr std::string_view kRecordPerson = "person";

enum class ActorKind { person, staff, system };
enum class Channel { web, api, counter, system };

std::string_view to_string(ActorKind k);
std::string_view to_string(Channel c);
std::optional<ActorKind> parse_actor_kind(std::string_view text);
std::optional<Channel> parse_channel(std::string_view text);

// True for actions that only read data ("personal_data.read", "case.read"): the entries a citizen sees
// on "who accessed my data". Convention: read actions end in ".read".
bool is_read_action(std::string_view action);

// What the caller records. Empty optional texts are stored as NULL and hashed as empty strings.
struct Entry {
  tenants::TenantId tenant_id = kHubTenant;  // from the request context, never from user input
  ActorKind actor_kind = ActorKind::system;
  std::string actor_id;      // codice fiscale, staff id, or "system"
  std::string on_behalf_of;  // the represented person/business, or the citizen served at the counter
  Channel channel = Channel::system;
  std::string action;  // "personal_data.read", "case.open": [a-z0-9_.-], at most 100 characters
  std::string record_type;
  std::string record_id;
  std::string remote_addr;
  std::string details = "{}";  // a JSON object
};

// An entry as stored: the caller's fields plus what the log added.
struct StoredEntry {
  Entry entry;
  std::int64_t seq = 0;
  std::string at;  // UTC ISO 8601 with milliseconds: the exact string that was hashed
  std::string prev_hash;
  std::string hash;
};

// What record() returns: where the entry landed in its tenant's chain.
struct Appended {
  std::int64_t seq = 0;
  std::string at;
  std::string hash;
};

// Filters for a tenant's entries. Newest first; page backwards with before_seq = the last seq seen.
struct Query {
  std::optional<std::string> action;
  std::optional<std::string> record_type;
  std::optional<std::string> record_id;
  std::optional<ActorKind> actor_kind;
  std::optional<std::string> actor_id;
  std::optional<std::int64_t> before_seq;
  int limit = 50;  // clamped to 1..500
};

struct Page {
  std::vector<StoredEntry> entries;
  std::optional<std::int64_t> next_before_seq;  // set when there may be older entries
};

// The outcome of walking one tenant's chain.
struct ChainReport {
  tenants::TenantId tenant_id = kHubTenant;
  std::int64_t entries = 0;  // entries checked (all of them when intact)
  bool intact = true;
  // The first broken link, when !intact.
  std::int64_t broken_seq = 0;
  std::string problem;  // "hash mismatch", "prev_hash mismatch", "missing seq N"
};

}  // namespace sp::audit
