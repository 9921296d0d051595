#pragma once
// Inbound calls from national systems (the pagoPA node, ANPR notifications, App IO's remote content,
// SMS delivery reports, another administration's registry), authenticated per body by this one service
// (docs/architecture.md, "Inbound calls"). The web side is identity/inbound_guard.hpp.
//
// A credential belongs to one body, one system and one station (the caller's name for itself). The
// caller proves itself with
//   - the station's secret ("Authorization: Bearer spi_…"): 32 random bytes, shown once; only its
//     SHA-256 is stored (a slow hash adds nothing to a random secret) and compared in constant time; or
//   - a client certificate, whose SHA-256 fingerprint the TLS-terminating proxy passes on in a header
//     that is believed only from the proxies of `inbound_trusted_proxies` (the web side decides);
// and must present the identifiers the credential lists (pagoPA's idPA, idBrokerPA, idStazione...), each
// equal to the stored value.
//
// Rules: only the body's own credentials for that system are tried (another body's secret is refused);
// calls are limited per body, system and address (InboundPolicy; 429 beyond); every accepted call is
// audited on the body's chain (inbound.accepted) and every refusal too (inbound.refused with the reason;
// repeated refusals from one address aggregated as for invalid API keys).
// Cost (issue 13, "Performance"): on PostgreSQL the credentials of a body and system are kept in memory
// with the credentials' generation they were read at (migration 0079: a trigger counts every change of
// inbound_credentials, whoever makes it: this process, the CLI, another node). A call uses them without a
// round trip while the generation was checked less than InboundPolicy::credentials_fresh_for ago;
// otherwise it reads the generation with its body's credentials (one statement), which drops every
// credential read at an older generation. A call refused on what the node kept is checked again against
// the database before it is refused, so a credential added or rotated anywhere works at once everywhere;
// a rotated-away secret stops working at once on the node that rotated it and within that time (0.2 s
// by default) on the others.
// Errors: inbound.unauthenticated (401: no credential, or none that matches), inbound.identifiers (403:
// authenticated, but an identifier is missing or wrong), inbound.rate_limited (429); for the admin
// operations inbound.system, inbound.station, inbound.identifiers_format, inbound.exists, not_found.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "audit/throttle.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/inbound_store.hpp"
#include "tenants/model.hpp"

namespace sp::identity {

struct InboundPolicy {
  std::int64_t calls_per_window = 600;  // per body, system and remote address
  std::chrono::seconds window{60};
  // PostgreSQL: how long the credentials read for a call are used without asking the database whether
  // they changed (see "Cost" above); 0: read them on every call. SQLite always reads them (no round trip).
  std::chrono::milliseconds credentials_fresh_for{200};
};

// What the caller presented (filled by the web side).
struct InboundPresented {
  std::string secret;            // the bearer secret, or empty
  std::string cert_fingerprint;  // from a trusted proxy only, or empty
  std::map<std::string, std::string> identifiers;
  std::string remote_addr;
  std::string path;
};

// Who writes an accepted call's inbound.accepted entry.
enum class AcceptedAudit {
  now,         // authenticate() appends it in a transaction of its own before answering
  by_handler,  // authenticate() returns it (InboundCaller::accepted_entry) and the handler appends it in
               // the transaction that does the call's work, or with the call's refusal: one commit and
               // one turn of the body's chain lock instead of two. The web guard writes it alone when the
               // handler throws (inbound_guard.hpp).
};

// Who called, once authenticated.
struct InboundCaller {
  tenants::TenantId tenant_id = 0;
  std::string system;
  std::string station;
  std::string credential_id;
  // AcceptedAudit::by_handler: the inbound.accepted entry, not yet written (the handler's to append).
  std::optional<audit::Entry> accepted_entry;
};

struct InboundCredential {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string system;
  std::string station;
  bool has_secret = false;
  std::string cert_fingerprint;
  std::map<std::string, std::string> identifiers;
  std::string created_at;
  std::optional<std::string> rotated_at;
};

struct IssuedInbound {
  InboundCredential credential;
  std::string secret;  // shown once; empty for a certificate-only credential
};

class InboundService {
 public:
  InboundService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                 InboundPolicy policy = {});

  static constexpr std::string_view kSecretPrefix = "spi_";

  // Hub operations (the CLI). `identifiers` as JSON object text ("{}" when none); `cert_fingerprint`
  // in hex (colons allowed). A secret is made unless `certificate_only`. Audited on the body's chain
  // (inbound.credential_added / inbound.credential_rotated).
  Result<IssuedInbound> add(tenants::TenantId tenant, const std::string& system, const std::string& station,
                            const std::string& identifiers_json, const std::string& cert_fingerprint,
                            bool certificate_only);
  // A new secret for the station; the old one stops working at once.
  Result<IssuedInbound> rotate(tenants::TenantId tenant, const std::string& system,
                               const std::string& station);
  std::vector<InboundCredential> list(std::optional<tenants::TenantId> tenant);

  // The call: see the rules above. With AcceptedAudit::by_handler the accepted entry is returned for the
  // caller to append (the rule "every accepted call is audited" is then the handler's to keep).
  Result<InboundCaller> authenticate(tenants::TenantId tenant, const std::string& system,
                                     const InboundPresented& presented,
                                     AcceptedAudit accepted = AcceptedAudit::now);
  // Appends an accepted entry returned by authenticate() in a transaction of its own (a handler that
  // could not write it with its work).
  Status record_accepted(const audit::Entry& e);

  // "AB:cd:01…" → "abcd01…"; empty when it is not 64 hex digits.
  static std::string normalize_fingerprint(std::string_view text);

 private:
  void refuse(tenants::TenantId tenant, const std::string& system, const InboundPresented& p,
              const std::string& reason, const std::string& station);
  // The body's credentials for `system`: what this node kept while fresh ("Cost" above; *cached set to true
  // then), else read (and kept). `cached` null: always read.
  std::vector<InboundCredentialRow> credentials(tenants::TenantId tenant, const std::string& system,
                                                bool* cached);
  void forget_credentials();  // after a change made here: the next call reads them again

  struct CachedCredentials {
    std::int64_t generation = 0;
    std::vector<InboundCredentialRow> rows;
  };

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  audit::WindowLimit limit_;
  audit::RefusalThrottle refusals_;
  const std::chrono::milliseconds fresh_for_;
  std::mutex cache_mutex_;
  std::int64_t generation_ = 0;                // the newest generation read
  std::optional<time::TimePoint> checked_at_;  // when it was read; nullopt: read it on the next call
  std::uint64_t forgotten_ = 0;  // forget_credentials() calls: a read begun before one is not kept
  std::map<std::pair<tenants::TenantId, std::string>, CachedCredentials> cached_;
};

}  // namespace sp::identity
