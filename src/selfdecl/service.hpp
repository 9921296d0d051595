#pragma once
// Self-declarations (dichiarazioni sostitutive, DPR 445/2000 art. 46 and 47; issue 15; docs/selfdecl.md).
// The rules:
// - Online a person declares about themselves. Family status lists their household (art. 46 lett. b
//   allows it). A parent acting for a minor child through a confirmed delegation (the session's
//   acting_for, re-checked on every request) declares for the child, as the parent exercising parental
//   responsibility; a child the register shows as of age is refused (selfdecl.not_minor). Anyone else
//   is a third party: selfdecl.third_party (403), the message says what to do instead. Acting for a
//   business is not a self-declaration about a person: selfdecl.business (403).
// - Prefill: the register mirror's current data of whom it is about (the record at this body first,
//   else at any member body) and their household. The declarant may correct anything before issuing:
//   it is their own statement. The fields changed from the register are recorded and printed (the
//   stamp proves that the hub issued the document, not that the register confirms what it says, so the
//   receiving office must see which statements are the declarant's own against the register).
// - Issue, in one transaction: the PDF (wording from the locales; the art. 76 warning, art. 75, the
//   GDPR art. 13 line, place and date, the SPID/CIE sign-in as signature under CAD art. 65, exempt
//   from stamp duty under art. 37) stamped with the body's digital stamp, stored in files, the record
//   appended (never changed), and the audit entry "selfdecl.issue" on the body's chain. No stamp key,
//   no declaration (stamp.no_key).
// - A declaration belongs to the body whose portal issued it: the declarant reads it there, the body's
//   staff (Permission::backoffice) list it, another body's staff get forbidden.
//
// Errors (web/locales/*/selfdecl.json): selfdecl.kind, selfdecl.required (detail: field),
// selfdecl.too_long (detail: field), selfdecl.third_party, selfdecl.business, selfdecl.not_minor,
// auth.required, forbidden, not_found, stamp.*.
#include <optional>
#include <string>
#include <vector>

#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/model.hpp"
#include "selfdecl/model.hpp"
#include "stamp/service.hpp"
#include "tenants/service.hpp"

namespace sp::selfdecl {

inline constexpr const char* kCatalogService = "autocertificazione-precompilata";  // data/demo/catalog.json
inline constexpr const char* kStampKind = "self-declaration";
inline constexpr const char* kParent = "genitore";

// Who declares about whom, as the session says.
struct Parties {
  std::string declarant_cf;
  std::string declarant_name;
  std::string subject_cf;
  std::string subject_name;
  std::string capacity;  // "" or kParent
};

// The review form's starting point.
struct Draft {
  const Kind* kind = nullptr;
  Parties parties;
  Facts facts;  // the register's values, "" where it has none
  bool prefilled = false;
};

// What the person submits after reviewing.
struct Submission {
  std::string kind;
  std::string subject_cf;  // whom the form was about: must be whom the session may declare for
  Facts facts;
  std::string purpose;
  std::string recipient;
  std::string lang = "it";
  std::string remote_addr;
};

class SelfDeclService {
 public:
  SelfDeclService(db::Database& db, audit::AuditService& audit, const time::Clock& clock, const I18n& i18n,
                  tenants::TenantService& tenants, anagrafe::AnagrafeService& register_,
                  stamp::StampService& stamps, files::FileService& files);

  // Whom `who` declares about (the rules above). `subject_cf` empty: whom the session is for.
  Result<Parties> parties(const identity::Principal* who, const std::string& subject_cf = {});
  // The register's data for the review form (texts in `lang`).
  Result<Draft> prefill(tenants::TenantId tenant, const identity::Principal* who, const std::string& kind,
                        const std::string& lang, const std::string& subject_cf = {});
  // Checks, renders, stamps, stores and records the declaration.
  Result<Declaration> issue(tenants::TenantId tenant, const identity::Principal* who, const Submission& s);

  // The signed-in person's declarations at the body (as declarant), newest first.
  std::vector<Declaration> mine(tenants::TenantId tenant, const identity::Principal* who);
  // Theirs at every member body (the personal area), newest first.
  std::vector<Declaration> mine_everywhere(const identity::Principal* who);
  // One of them by token; not_found for anyone else's or another body's.
  Result<Declaration> own(tenants::TenantId tenant, const identity::Principal* who, const std::string& token);
  // The body's declarations for its staff (backoffice on that body; forbidden for another body's).
  Result<std::vector<Declaration>> of_body(const identity::Principal* who, tenants::TenantId tenant);
  // The stored, stamped PDF: the same bytes at every download.
  Result<std::string> pdf(const Declaration& d);

 private:
  Facts register_facts(tenants::TenantId tenant, const std::string& cf, const std::string& lang, bool& found,
                       std::string& name);
  std::string render(const Declaration& d, const tenants::Body& body, int auth_level,
                     const stamp::Block* block) const;

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  const I18n& i18n_;
  tenants::TenantService& tenants_;
  anagrafe::AnagrafeService& register_;
  stamp::StampService& stamps_;
  files::FileService& files_;
};

// "Comune di Casale Monferrato" → "Casale Monferrato" (the place a declaration is made).
std::string place_of(const tenants::Body& body);

}  // namespace sp::selfdecl
