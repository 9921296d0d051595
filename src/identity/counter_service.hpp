#pragma once
// The assisted counter (sportello assistito): a counter operator of any member body identifies a citizen
// (codice fiscale, name, identity document) and opens an assisted session. While it is open the
// operator's session carries Principal::assisting, and everything done is audited with channel=counter,
// actor = the operator, on_behalf_of = the citizen (use audit_entry_for()). Closing it gives a printable
// receipt listing those actions; the citizen sees the sessions about them in their area.
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "identity/session_service.hpp"
#include "tenants/service.hpp"

namespace sp::identity {

// An audit entry for something `p` does now on `tenant`'s data: actor, on whose behalf (the represented
// person/business, or the citizen at the counter) and channel (counter while assisting, else `channel`).
// Callers fill action, record and details and record it inside their write transaction.
audit::Entry audit_entry_for(const Principal& p, tenants::TenantId tenant, std::string action,
                             audit::Channel channel = audit::Channel::web);

struct AssistedSession {
  std::string id;
  tenants::TenantId counter_tenant_id = 0;
  std::string operator_id;
  std::string operator_name;
  std::string staff_session_id;
  std::string citizen_cf;
  std::string citizen_name;
  std::string document_type;
  std::string document_number;
  std::string started_at;  // audit format, "2026-11-23T10:00:00.000Z"
  std::optional<std::string> ended_at;
};

// What the citizen's area shows for each assisted session about them.
struct AssistedSessionSummary {
  std::string id;
  tenants::TenantId counter_tenant_id = 0;
  std::string body_name;
  std::string operator_name;
  std::string started_at;
  std::optional<std::string> ended_at;
  std::size_t actions = 0;
  std::string receipt_href;  // /sportello-assistito/ricevuta/{id}
};

struct CounterAction {
  std::string at;
  tenants::TenantId tenant_id = 0;  // the body whose data the action touched
  std::string action;
  std::string record_type;
  std::string record_id;
};

struct Receipt {
  AssistedSession session;
  std::string body_name;  // the operator's body
  std::vector<CounterAction> actions;
};

class CounterService {
 public:
  CounterService(db::Database& db, SessionService& sessions, audit::AuditService& audit,
                 tenants::TenantService& tenants, const time::Clock& clock)
      : db_(db), sessions_(sessions), audit_(audit), tenants_(tenants), clock_(clock) {}

  static constexpr const char* kDocumentTypes[] = {"carta_identita", "cie", "passaporto", "patente"};

  // Opens an assisted session for a staff member with Permission::counter and marks their sign-in session
  // (SessionService::set_assisting). Errors: auth.required (401), forbidden (403), counter.already_open
  // (409), counter.cf, counter.name, counter.document_type, counter.document_number (400, `field` set).
  Result<AssistedSession> start(const Principal* op, const AssistedCitizen& citizen,
                                const std::string& remote_addr = {});
  // Closes the operator's open session (of this sign-in session) and clears Principal::assisting.
  // Errors: auth.required, forbidden, counter.none_open (409).
  Result<AssistedSession> finish(const Principal* op, const std::string& remote_addr = {});
  // The open session of the operator's sign-in session, if any.
  std::optional<AssistedSession> open_session(const Principal& op);

  // The receipt, for the operator who ran the session or the citizen themself (person, signed in).
  // Anyone else gets not_found (404), so ids cannot be probed. A staff viewer's read is audited.
  Result<Receipt> receipt(const Principal* viewer, const std::string& id, const std::string& remote_addr = {});

  // For the personal area: assisted sessions about this citizen, newest first.
  std::vector<AssistedSessionSummary> sessions_for_citizen(const std::string& cf);

 private:
  std::optional<AssistedSession> by_id(const std::string& id);
  std::vector<CounterAction> actions_of(const AssistedSession& s);

  db::Database& db_;
  SessionService& sessions_;
  audit::AuditService& audit_;
  tenants::TenantService& tenants_;
  const time::Clock& clock_;
};

}  // namespace sp::identity
