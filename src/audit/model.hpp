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

// A chain's last link (seq 0 and the genesis hash for an empty chain): what anchors and the protocol's
// daily register record.
struct Head {
  std::int64_t seq = 0;
  std::string hash;
  std::string key_id;  // empty: an unkeyed (format v1) entry
};

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
  // The id of the chain key whose HMAC `hash` is (format v2, chain.hpp); empty for entries written before
  // the chain was keyed (format v1, plain SHA-256). Stored as NULL then.
  std::string key_id;
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

// A chain head written down outside the database (anchor.hpp): "at `anchored_at`, the chain of
// `tenant_id` ended with entry `seq`, whose hash was `hash` and whose time was `at`".
struct Anchor {
  tenants::TenantId tenant_id = kHubTenant;
  std::int64_t seq = 0;
  std::string hash;
  std::string at;           // the anchored entry's `at`
  std::string anchored_at;  // when the anchor was written (UTC ISO, milliseconds)
  std::string key_id;       // the key whose HMAC authenticates the anchor line
};

// The outcome of walking one tenant's chain.
struct ChainReport {
  tenants::TenantId tenant_id = kHubTenant;
  std::int64_t entries = 0;  // entries checked (all of them when intact)
  // No evidence of tampering: seq runs 1, 2, 3... without gaps, every link points to the entry before,
  // every hash that could be checked is right, no keyed entry is followed by an unkeyed one, and every
  // anchor given matches its entry. Keyed entries whose key is not loaded are counted in
  // `unchecked_entries`: their links are checked, their HMAC is not (`audit verify` refuses to vouch
  // for them).
  bool intact = true;
  // The first broken link, when !intact.
  std::int64_t broken_seq = 0;
  std::string problem;  // "hash mismatch", "prev_hash mismatch", "missing seq N", "HMAC mismatch"...

  std::int64_t first_seq = 0;  // the first and last entries walked (0: none)
  std::string first_at;
  std::int64_t last_seq = 0;
  std::string last_at;
  std::int64_t unkeyed_entries = 0;    // format v1 entries (before the chain was keyed): only hash-chained
  std::int64_t unchecked_entries = 0;  // keyed with a key that is not loaded
  std::string missing_key_id;          // the first such key id
  // The newest anchor that matched its entry (0: none), the anchored entry's time and the anchor's.
  std::int64_t anchored_seq = 0;
  std::string anchored_entry_at;
  std::string anchor_written_at;
};

}  // namespace sp::audit
