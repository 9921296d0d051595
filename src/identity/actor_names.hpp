#pragma once
// What people read instead of the actor ids that records keep (issue 11, point 5): histories, protocol
// entries and the audit log store "staff:<id>", "person:<codice fiscale>", "system:<name>" or
// "system:api-key:<key id>" (audit entries: a kind and an id). Pages show a staff member's name, a
// person's name, an API key's name, and words for the system's own work ("Sistema (protocollazione
// automatica)"). The words are in web/locales/<lang>/audit.json ("actor.*"), never here.
#include <optional>
#include <string>
#include <string_view>

#include "audit/model.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "identity/api_keys_store.hpp"
#include "identity/person_store.hpp"
#include "identity/staff_service.hpp"

namespace sp::identity {

// An actor as resolved: a name to show, and for staff their roles and body (the access log says who
// and from which office).
struct ActorName {
  std::string name;                 // "Mario Bianchi", "Sistema (protocollazione automatica)"
  std::string roles;                // staff only: "Operatore, Responsabile d'ufficio"
  tenants::TenantId tenant_id = 0;  // staff and API keys: their body (0: the hub, or unknown)
  bool known = false;               // false: a fallback word ("Un operatore dell'ente"), the id being unknown
};

class ActorNames {
 public:
  // `staff` may be null (then staff are named by the fallback word).
  ActorNames(const I18n& i18n, db::Database& db, StaffService* staff)
      : i18n_(i18n), staff_(staff), keys_(db), people_(db) {}

  // "staff:<id>", "person:<cf>", "system:<name>", "system:api-key:<id>"; anything else is a system
  // actor's name without its prefix when it has none of these forms (never shown as stored).
  [[nodiscard]] ActorName resolve(std::string_view reference, std::string_view lang);
  [[nodiscard]] ActorName resolve(audit::ActorKind kind, std::string_view id, std::string_view lang);
  // resolve(...).name.
  [[nodiscard]] std::string name(std::string_view reference, std::string_view lang) {
    return resolve(reference, lang).name;
  }

 private:
  std::string word(std::string_view lang, const std::string& key) const;

  const I18n& i18n_;
  StaffService* staff_;
  ApiKeyStore keys_;
  PersonStore people_;
};

}  // namespace sp::identity
