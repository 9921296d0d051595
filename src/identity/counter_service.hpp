#pragma once
// The assisted counter (sportello assistito): a counter operator of any member body identifies a citizen
// on an identity document (surname and name apart, sex, birth date, codice fiscale, the document's type,
// number and expiry) and opens an assisted session. The codice fiscale must agree with what the document
// says (its 3+3 letters with surname and name, its birth date and sex; omocodic codes decoded with their
// digits restored), so a mistyped code never files in a stranger's name; an expired document is refused.
// While the session is open the operator's session carries Principal::assisting, applies as the citizen
// (identity/applicant.hpp: drafts, applications and cases of any member body), and everything done is
// audited with channel=counter, actor = the operator, on_behalf_of = the citizen (audit_entry_for()).
// Until something is filed the operator may correct the identity (same checks, audited
// counter.identity_corrected with before/after); after that, never (withdraw what was filed by mistake,
// open a new session). Closing it gives a receipt with a readable number (SA-2026-000042) listing what
// was done; the citizen sees the sessions about them in their area.
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/counter_store.hpp"
#include "identity/model.hpp"
#include "identity/session_service.hpp"
#include "tenants/service.hpp"

namespace sp::identity {

// An audit entry for something `p` does now on `tenant`'s data: actor, on whose behalf (the represented
// person/business, or the citizen at the counter) and channel (counter while assisting, else `channel`).
// Callers fill action, record and details and record it inside their write transaction.
audit::Entry audit_entry_for(const Principal& p, tenants::TenantId tenant, std::string action,
                             audit::Channel channel = audit::Channel::web);

// What the operator reads off the citizen's identity document. Dates as ISO (YYYY-MM-DD, what an
// <input type=date> posts) or as Italians write them (04/12/1985).
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
  // For a case: what its submission recorded (service code, protocol number and when), so the receipt
  // can say "Domanda inviata — <service> — <body> — protocollo n. 0000042/2026 del 04/12/2026".
  std::string service_code;
  std::string protocol_label;
  std::string protocol_at;  // audit format (UTC)
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
      : db_(db), store_(db), sessions_(sessions), audit_(audit), tenants_(tenants), clock_(clock) {}

  static constexpr const char* kDocumentTypes[] = {"carta_identita", "cie", "passaporto", "patente"};

  // Opens an assisted session for a staff member with Permission::counter and marks their sign-in session
  // (SessionService::set_assisting). Errors: auth.required (401), forbidden (403), counter.already_open
  // (409), and 400 with `field` set: counter.cf (not a valid personal code), counter.family_name,
  // counter.given_name (empty, too long, or no letters), counter.sex, counter.birth_date (not a date, or
  // in the future), counter.document_type, counter.document_number, counter.document_expiry (missing or
  // not a date), counter.document_expired; the code against the document: counter.cf_family_name,
  // counter.cf_given_name (detail: the code's three letters), counter.cf_birth_date (detail: the date
  // the code says, 03/04/85), counter.cf_sex (detail: the code's sex, "M"/"F").
  Result<AssistedSession> start(const Principal* op, const CounterIdentity& citizen,
                                const std::string& remote_addr = {});
  // Corrects the identity of the operator's open session (same checks as start()) while nothing has
  // been done for the citizen yet; audited counter.identity_corrected with before/after in details.
  // Errors: those of start() except already_open, counter.none_open (409), counter.identity_locked (409:
  // something was already filed in the citizen's name).
  Result<AssistedSession> correct(const Principal* op, const CounterIdentity& citizen,
                                  const std::string& remote_addr = {});
  // Whether anything was done for the citizen in this session (what locks the identity).
  bool has_filed(const AssistedSession& s);
  // The checks of start() alone, on `today` (Rome): the normalised identity, or the first problem.
  static Result<CounterIdentity> check_identity(const CounterIdentity& in, time::Date today);
  // Closes the operator's open session (of this sign-in session) and clears Principal::assisting.
  // Errors: auth.required, forbidden, counter.none_open (409).
  Result<AssistedSession> finish(const Principal* op, const std::string& remote_addr = {});
  // The open session of the operator's sign-in session, if any.
  std::optional<AssistedSession> open_session(const Principal& op);

  // The receipt, for the operator who ran the session or the citizen themself (person, signed in).
  // Anyone else gets not_found (404), so ids cannot be probed. A staff viewer's read is audited.
  Result<Receipt> receipt(const Principal* viewer, const std::string& id,
                          const std::string& remote_addr = {});

  // For the personal area: assisted sessions about this citizen, newest first.
  std::vector<AssistedSessionSummary> sessions_for_citizen(const std::string& cf);

 private:
  std::optional<AssistedSession> by_id(const std::string& id);
  void record(db::Conn& tx, const Principal& op, const AssistedSession& s, const std::string& action,
              const std::string& remote_addr, const std::string& details = {});
  std::vector<CounterAction> actions_of(const AssistedSession& s);

  db::Database& db_;
  CounterStore store_;
  SessionService& sessions_;
  audit::AuditService& audit_;
  tenants::TenantService& tenants_;
  const time::Clock& clock_;
};

}  // namespace sp::identity
