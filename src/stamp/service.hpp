#pragma once
// The hub's digital stamp on every document the hub issues (issue 15; docs/stamp.md).
//
// Rules:
//   - a stamp is signed with the issuing body's stamp-signing key (core/keys, under keys_dir): the one
//     that signs at the time of issue; no key, no stamp (stamp.no_key) and no document;
//   - the identifier is 16 random bytes (base64url), never a number; the registry keeps what the
//     document prints, its digest and the code's text, never the document;
//   - order: render (with the stamp's block), digest, sign, append the update (pdf_stamp.hpp);
//   - verification answers valid, altered, revoked or unknown and shows only what the document prints;
//   - a document is revoked by its body's office managers or administrators (the permission that
//     annuls protocol registrations), with a reason, once, audited ("stamp.revoke"); the registry and
//     its revocations are append-only (migrations 0029).
// Error codes: stamp.no_key (503), stamp.kind, stamp.no_placeholder / stamp.pdf (the producer forgot
// the block: 500), stamp.reason, stamp.revoked (already), not_found, forbidden, auth.required.
#include <functional>
#include <optional>
#include <string>

#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "stamp/model.hpp"
#include "stamp/pdf_stamp.hpp"
#include "stamp/store.hpp"
#include "stamp/verify.hpp"
#include "tenants/service.hpp"

namespace sp::stamp {

// What a producer asks for. The texts of the stamp's block are in `lang`.
struct IssueRequest {
  tenants::TenantId tenant = 0;
  std::string kind;      // valid_kind(): payment-receipt, payment-notice, daily-register, albo-report ...
  std::string title;     // the document's title as printed
  std::string protocol;  // the protocol number printed on the document, when it has one
  std::string lang = "it";
  std::string issued_by = "system";  // staff id, codice fiscale, or "system"
};

struct Issued {
  std::string token;
  std::string pdf;  // the stamped bytes
  Seal seal;
};

// Renders the document with `block` added (add_block) and returns its bytes.
using Render = std::function<std::string(const Block&)>;

// What a verification found, with what the page may show (all printed on the document).
struct Finding {
  Verdict verdict = Verdict::unknown;
  std::optional<Record> record;  // the registry's row (valid, revoked; altered when known)
  std::string body_name;
  std::string reason;  // why not valid, for logs and the CLI
};

struct StampOptions {
  std::string keys_dir = "var/keys";
  std::string public_url = "http://localhost:8080";  // the hub's own domain: the code's URL
};

class StampService {
 public:
  StampService(db::Database& db, audit::AuditService& audit, const time::Clock& clock, const I18n& i18n,
               tenants::TenantService& tenants, StampOptions options);

  // Inside the caller's transaction (the document and its stamp are recorded together). `render` runs
  // inside that transaction: keep it to the rendering.
  Result<Issued> issue(db::Conn& tx, const IssueRequest& request, const Render& render);
  // In a transaction of its own, the rendering done before it.
  Result<Issued> issue(const IssueRequest& request, const Render& render);

  // By identifier (typed, or the short URL of an unstamped copy): valid (issued, not revoked), revoked
  // or unknown; altered when the registry's own row does not carry a valid signature.
  Finding check_token(const std::string& token);
  // A scanned code's full text: its signature, then the registry (which must hold the same text).
  Finding check_code(const std::string& payload);
  // An uploaded file: check_file() with the bodies' keys, then the registry.
  Finding check_file(const std::string& bytes);

  // Revocation by the body's staff (office managers and administrators), audited.
  Status revoke(const identity::Principal* who, tenants::TenantId tenant, const std::string& token,
                const std::string& reason, const std::string& remote_addr = {});

  [[nodiscard]] const StampOptions& options() const { return options_; }

 private:
  struct Prepared {
    std::shared_ptr<const tenants::Body> body;
    keys::Key key;
    Seal seal;
    Block block;
  };
  Result<Prepared> prepare(const IssueRequest& request);
  Result<Issued> seal_and_append(Prepared& p, std::string bytes);
  Record record_of(const Issued& issued, const IssueRequest& request) const;
  Finding with_registry(const Seal& seal, Finding f);
  std::string body_name(tenants::TenantId tenant) const;

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  const I18n& i18n_;
  tenants::TenantService& tenants_;
  StampOptions options_;
};

}  // namespace sp::stamp
