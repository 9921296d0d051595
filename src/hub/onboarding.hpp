#pragma once
// Onboarding a new member body (issue 18, docs/hub.md "Onboarding a body"): one guided flow for the hub's
// administrators (web), `sportello bodies add FILE` and `POST /api/v1/hub/bodies`, all through add() or
// a draft's finish():
//   1 the body: kind, name, slug, ISTAT code, cadastral (Belfiore) code, IPA code, fiscal code (check
//     digit), PEC, population, province, region, host name, logo, colour;
//   2 its registry office (AOO) and the protocol number to continue from (protocollo/continuation.hpp);
//   3 its pagoPA creditor settings: IBAN (check digits), optional postal IBAN, segregation code;
//   4 its first administrator: an account without a known password and an invitation to choose one (the
//     password-reset link of identity's StaffService);
//   5 its package (PackagesService::assign).
// Every field is checked before anything is made (errors name the field: hub.field_required,
// hub.istat_code, hub.belfiore_code, hub.ipa_code, hub.fiscal_code, hub.fiscal_code_taken, hub.slug_taken,
// hub.host_name, hub.host_taken, hub.logo_path, hub.population, hub.protocol_number, hub.segregation_code,
// hub.email, hub.email_taken, hub.package_unknown, hub.kind, iban.*). A draft keeps what was typed, step by
// step, even when a step is refused; finishing records what it made, so a finish that stopped half-way
// continues where it stopped. Permission: manage_hub (programs: a trusted SystemActor, checked by the
// caller).
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "hub/model.hpp"
#include "hub/service.hpp"
#include "hub/store.hpp"
#include "identity/audit_entry.hpp"
#include "identity/staff_service.hpp"
#include "payments/service.hpp"
#include "protocollo/service.hpp"
#include "tenants/service.hpp"

namespace sp::hub {

inline constexpr int kSteps = 5;

// One body of a bulk request that was refused (nothing of it made) or that stopped half-way while being
// made (`draft`: the onboarding draft that holds it, resumed from /backoffice/enti): which body (0-based)
// and the error.
struct BulkError {
  std::size_t index = 0;
  Error error;
  std::string draft;
};

class OnboardingService {
 public:
  OnboardingService(db::Database& db, time::Clock& clock, tenants::TenantService& tenants,
                    protocollo::ProtocolService& protocol, payments::PaymentsService& payments,
                    identity::StaffService& staff, PackagesService& packages, audit::AuditService& audit)
      : db_(db),
        clock_(clock),
        tenants_(tenants),
        protocol_(protocol),
        payments_(payments),
        staff_(staff),
        packages_(packages),
        audit_(audit),
        store_(db) {}

  // The checks of one step (1..5), or of all of them (0).
  Status validate(const NewBody& b, int step = 0);

  Result<Draft> create_draft(const identity::Principal* who);
  Result<Draft> draft(const identity::Principal* who, const std::string& id);
  Result<std::vector<Draft>> drafts(const identity::Principal* who);
  // Keeps `b` in the draft whatever its checks say; when step `step`'s checks pass, the draft moves on to
  // the next step. The refusal, when there is one, is returned after the save.
  Result<Draft> save_step(const identity::Principal* who, const std::string& id, int step, const NewBody& b);
  Result<Onboarded> finish(const identity::Principal* who, const std::string& id);

  // One body (CLI, API): checks everything, then makes it, tracked by an onboarding draft like the guided
  // flow's: a making that stops half-way (a database error: hub.stopped) leaves the draft open with what it
  // made, and finish() continues from there. `who`: a hub administrator or a trusted program. `draft_id`:
  // the draft's id, when one was made.
  Result<Onboarded> add(const identity::Actor& who, const NewBody& b, std::string* draft_id = nullptr);
  // Many (a union's members), all or nothing. Every body is checked first (and slugs, hosts, e-mails,
  // fiscal and IPA codes unique within the request): nothing is made unless all pass (`errors`: every
  // refused body). Then all are made in one write transaction (services built on it, db::Joined), each
  // recorded as a completed draft: a body that fails while being made — a refusal, or a system error,
  // hub.not_made (503) — rolls back every body of the request, and `errors` names it. The invitations go
  // out after the commit. `made`: the bodies made (all of them, or none).
  Result<std::vector<Onboarded>> add_all(const identity::Actor& who, const std::vector<NewBody>& bodies,
                                         std::vector<BulkError>& errors, std::vector<Onboarded>& made);

  static NewBody from_json(const boost::json::object& o);
  static boost::json::object to_json(const NewBody& b);

 private:
  // The services a body is made with: this service's own (each part its own transaction, tracked by a
  // draft), or ones built on one transaction (add_all: all bodies or none).
  struct Parts {
    db::Database& db;
    tenants::TenantService& tenants;
    protocollo::ProtocolService& protocol;
    payments::PaymentsService& payments;
    identity::StaffService& staff;
    PackagesService& packages;
    audit::AuditService& audit;
    bool invite = true;  // send the administrator's invitation as soon as the account is made
  };
  Result<Onboarded> make(const Parts& parts, const identity::Actor& who, const NewBody& b,
                         boost::json::object& progress,
                         const std::function<void(const boost::json::object&, tenants::TenantId)>& save);
  // make() on the draft's body, recording its progress in the draft and its completion at the end; an
  // exception (the database) becomes hub.stopped with the draft kept open.
  Result<Onboarded> make_tracked(const identity::Actor& who, Draft& d);
  std::string now_iso() const;

  db::Database& db_;
  time::Clock& clock_;
  tenants::TenantService& tenants_;
  protocollo::ProtocolService& protocol_;
  payments::PaymentsService& payments_;
  identity::StaffService& staff_;
  PackagesService& packages_;
  audit::AuditService& audit_;
  HubStore store_;
};

}  // namespace sp::hub
