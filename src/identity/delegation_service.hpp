#pragma once
// Delegations: a signed-in person acting for a minor of their family or for a business they represent.
//
// A parent's declaration for a minor child is confirmed at once when the population register (a
// FamilyRegister, the mirror in src/anagrafe) shows them in the same household of the chosen body, the
// declarant as its head or the head's spouse and the child as a minor child (audited as confirmed by the
// system actor "anagrafe"). Otherwise it stays `pending` until staff of the body the declarant chose (the
// child's comune of residence) confirm or reject it. A person delegation ends by itself on the minor's
// 18th birthday (the register's birth date when it knows the child, else the codice fiscale's): from
// that day no session may act for them.
// A business representation is declared the same way; it is confirmed at once when the business register
// (a BusinessRepresentatives, docs/business-register.md) shows the declarant among the legal
// representatives of the active business (audited as confirmed by the system actor "registro-imprese"),
// else it waits for the body's staff.
// Every state change is appended to delegation_events and audited on the confirming body's chain;
// refusals (403) are audited there too as "access.denied". A person may switch "acting for" only to a
// confirmed delegation, and never to a minor who has turned 18 since. Revoking, rejecting or withdrawing a
// delegation ends, in the same transaction, the acting-for of every session that used it; and each
// request acting for someone re-checks the delegation (may_act_for), so a lapsed one is dropped too.
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/api_keys.hpp"
#include "identity/business_representatives.hpp"
#include "identity/delegation_store.hpp"
#include "identity/family_register.hpp"
#include "identity/model.hpp"
#include "identity/session_service.hpp"
#include "tenants/service.hpp"

namespace sp::identity {

struct MinorDeclaration {
  tenants::TenantId tenant_id = 0;  // the child's comune of residence, whose staff confirm
  std::string child_cf;
  std::string child_name;
  std::string relation;  // parent | guardian
};

struct BusinessDeclaration {
  tenants::TenantId tenant_id = 0;  // the body whose staff confirm
  std::string partita_iva;
  std::string business_name;
  std::string role;  // legale_rappresentante | titolare | amministratore | procuratore
};

class DelegationService {
 public:
  // Installs itself as the sessions' acting-for check (see SessionService): every request that acts for
  // someone re-checks the delegation with may_act_for. `sessions` must outlive this service.
  DelegationService(db::Database& db, SessionService& sessions, audit::AuditService& audit,
                    tenants::TenantService& tenants, const time::Clock& clock);
  ~DelegationService();
  DelegationService(const DelegationService&) = delete;
  DelegationService& operator=(const DelegationService&) = delete;

  static constexpr const char* kMinorRelations[] = {"parent", "guardian"};
  static constexpr const char* kBusinessRoles[] = {"legale_rappresentante", "titolare", "amministratore",
                                                   "procuratore"};

  // The declarant is the signed-in person, or the citizen served by a counter operator (assisted
  // session: audited with channel=counter). Errors: auth.required, forbidden, delegation.body,
  // delegation.cf, delegation.not_minor, delegation.self, delegation.name, delegation.relation,
  // delegation.piva, delegation.duplicate (409).
  Result<Delegation> declare_minor(const Principal* caller, const MinorDeclaration& d,
                                   const std::string& remote_addr = {});
  Result<Delegation> declare_business(const Principal* caller, const BusinessDeclaration& d,
                                      const std::string& remote_addr = {});

  // The declarant's own delegations (newest first).
  Result<std::vector<Delegation>> list_mine(const Principal* caller);
  // The declarant withdraws one (pending or confirmed); sessions acting for it act for the declarant
  // again. Errors: not_found, delegation.state (409).
  Status withdraw(const Principal* caller, const std::string& id, const std::string& remote_addr = {});

  // Staff of `tenant` (Permission::confirm_delegation): its pending declarations, oldest first.
  Result<std::vector<Delegation>> pending_for(const Principal* caller, tenants::TenantId tenant);
  // One delegation for staff of its body. Another body's staff: forbidden (403), audited as
  // "access.denied" on the delegation's body. Unknown id: not_found.
  Result<Delegation> get_for_staff(const Principal* caller, const std::string& id,
                                   const std::string& remote_addr = {});
  // The same for the JSON API with a body's key (scope "deleghe:read"); audited as a read.
  Result<Delegation> get_for_api(const ApiPrincipal* key, const std::string& id,
                                 const std::string& remote_addr = {});
  // Staff decisions, with a reason (required to reject or revoke). Errors as get_for_staff, plus
  // delegation.state (409) when the current state does not allow it, delegation.reason.
  Status confirm(const Principal* staff, const std::string& id, const std::string& reason,
                 const std::string& remote_addr = {});
  Status reject(const Principal* staff, const std::string& id, const std::string& reason,
                const std::string& remote_addr = {});
  Status revoke(const Principal* staff, const std::string& id, const std::string& reason,
                const std::string& remote_addr = {});

  // Switches the caller's session to act for a confirmed delegation of theirs (empty id: back to
  // themselves) and audits it. Errors: not_found, delegation.not_confirmed (409), delegation.now_adult
  // (409, the minor turned 18).
  Result<std::optional<Represented>> switch_to(const Principal* caller, const std::string& id,
                                               const std::string& remote_addr = {});
  // Whether `principal_cf` may act for `who` right now (confirmed, minor still under 18). Called by the
  // session layer on every request that carries acting_for.
  bool may_act_for(const std::string& principal_cf, const Represented& who);

  std::vector<DelegationEvent> history(const std::string& id);
  std::optional<Delegation> by_id(const std::string& id);

  // Whether the codice fiscale's birth date (as decoded) makes its holder under 18 on `today`.
  static bool is_minor(const std::string& cf, time::Date today);

  // The population register that confirms family relations (none: staff confirm every one).
  void set_family_register(FamilyRegister* family) { family_ = family; }
  void set_business_register(BusinessRepresentatives* r) { business_ = r; }

 private:
  Status decide(const Principal* staff, const std::string& id, const std::string& event,
                const std::string& reason, const std::string& remote_addr);
  Result<Delegation> insert(const Principal& caller, Delegation d, const std::string& remote_addr,
                            bool register_confirms = false);
  // Under 18 today: by the register's birth date when it knows the person, else by the codice fiscale.
  bool minor_today(const std::string& cf);
  void deny(const Principal* caller, const ApiPrincipal* key, const Delegation& d,
            const std::string& remote_addr);

  db::Database& db_;
  DelegationStore store_;
  SessionService& sessions_;
  audit::AuditService& audit_;
  tenants::TenantService& tenants_;
  const time::Clock& clock_;
  FamilyRegister* family_ = nullptr;
  BusinessRepresentatives* business_ = nullptr;
};

}  // namespace sp::identity
