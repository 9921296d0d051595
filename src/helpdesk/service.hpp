#pragma once
// The hub's help desk (issue 19, docs/helpdesk.md): tickets of the member bodies' staff to the hub's
// service centre, with service levels in business hours, and a knowledge base of answers.
//
// Rules:
// - A body's staff (Permission::backoffice on that body) open tickets for their body, read its tickets
//   and reply; never another body's (the tenant is in every query: another body's ticket is 404).
// - Help-desk agents (Permission::helpdesk, hub staff) read every body's tickets, log a ticket for a body
//   from a phone call, reply, write internal notes (never shown to the body), assign, change state,
//   priority and category, redact a message. They hold no permission on citizens' cases.
// - The history is append-only (helpdesk_events); the state is its last state event. The body's reply
//   to a ticket waiting for it, or resolved, reopens it. A closed ticket takes no more replies.
// - SLA (sla.hpp): the clock runs in new and open and stands still otherwise; first-response and
//   resolution targets per category and priority (helpdesk_sla_targets); a change of priority or
//   category keeps the business time spent and changes the target.
// - Notifications through the messaging outbox, in the same transaction: a new ticket to every agent, an
//   agent's reply to the staff member who opened the ticket. They carry a link, never the ticket's text.
// - Retention: `purge_expired` blanks the texts and the subject of tickets closed more than
//   `retention_months` ago (the history of who did what and when stays).
// - Redactions and purges remove content from a record: each is also an entry of the body's audit chain
//   (helpdesk.redact by the agent, helpdesk.purge by the system).
//
// Errors: helpdesk.category, helpdesk.priority, helpdesk.subject, helpdesk.text (400, with the field),
// helpdesk.state (409: a change the state machine refuses), helpdesk.closed (409), helpdesk.conflict
// (409: changed meanwhile), helpdesk.assignee (400), helpdesk.body (400: unknown body for a phone
// ticket), helpdesk.answer_title / helpdesk.answer_text (400), not_found (404), forbidden (403),
// auth.required (401); files.* for an attachment (size, type), with the field "files".
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "helpdesk/model.hpp"
#include "identity/model.hpp"

namespace sp::helpdesk {

struct StaffContact {
  std::string id, name, email;
};

// Who is who, from identity (wired in module_web).
struct Directory {
  std::function<std::optional<StaffContact>(const std::string& staff_id)> staff;
  std::function<std::vector<StaffContact>()> agents;
  std::function<std::string(tenants::TenantId)> slug;  // a body's slug, for links
};

struct Options {
  std::int64_t retention_months = 24;
  std::string public_url;  // links in the notifications
};

// A file attached to a message (a screenshot, a log): kept by the files module under the ticket's body.
struct Upload {
  std::string name;
  std::string bytes;
};

struct NewTicket {
  std::string category;
  std::string priority;  // empty: normal
  std::string subject;
  std::string text;
  std::string caller_name;  // a phone ticket: who called (the body's staff member)
  std::vector<Upload> files;
};

struct TicketView {
  Ticket ticket;
  std::vector<Event> events;  // for the body: without internal notes
  SlaView sla;
};

struct QueueRow {
  Ticket ticket;
  SlaView sla;
};

// A ticket's change by an agent (one form of the ticket page).
struct AgentChange {
  std::string action;  // reply, note, assign, state, priority, category, redact
  std::string text;
  bool wait = false;          // reply: then wait for the body
  std::string value;          // state / priority / category / "me" or an agent's id / the seq to redact
  std::vector<Upload> files;  // reply, note
};

// Where a ticket stands against one of its targets, for the statistics: met, missed (breached, now or
// when it was answered or resolved), or still running within it.
enum class Outcome { pending, met, missed };
struct TicketOutcome {
  tenants::TenantId tenant = 0;
  std::string created_at;
  Outcome first_response = Outcome::pending;
  Outcome resolution = Outcome::pending;  // met or missed once resolved or closed; missed once breached
};

class HelpdeskService {
 public:
  HelpdeskService(db::Database& db, time::Clock& clock, const I18n& i18n, files::FileService& files,
                  audit::AuditService& audit, Directory directory, Options options);

  // A body's staff member opens a ticket for their body (channel web), or an agent logs one for `body`
  // from a phone call (channel phone).
  Result<Ticket> open(const identity::Principal* who, tenants::TenantId body, const NewTicket& t);

  Result<std::vector<Ticket>> tickets_of(const identity::Principal* who, tenants::TenantId body);
  // The agents' queue: every body's tickets not closed, those whose target is nearest (or breached) first,
  // the ones standing still last.
  Result<std::vector<QueueRow>> queue(const identity::Principal* who);
  // `body`: the body of the URL (its staff), or 0 (agents).
  Result<TicketView> view(const identity::Principal* who, tenants::TenantId body, const std::string& id);

  // A body's ticket for its programs (an API key of that body): without the internal notes.
  Result<TicketView> view_for_body(tenants::TenantId body, const std::string& id);

  // The body's reply (reopens a ticket waiting or resolved); `close` instead closes a resolved ticket.
  Status body_reply(const identity::Principal* who, tenants::TenantId body, const std::string& id,
                    const std::string& text, const std::vector<Upload>& files = {});
  Status agent_change(const identity::Principal* who, const std::string& id, const AgentChange& change);

  // An attachment's bytes and name: `body` as for view(); not found once its message is redacted or the
  // ticket purged, or when it is an internal note's and the caller is the body.
  Result<std::pair<files::StoredFile, std::string>> attachment(const identity::Principal* who,
                                                               tenants::TenantId body, const std::string& id,
                                                               int n);

  [[nodiscard]] SlaView sla(const Ticket& t, const Targets& targets, time::TimePoint now,
                            const OfficeHours& hours) const;
  // The office hours and the centre's own holidays as set now (helpdesk_office, helpdesk_holidays).
  OfficeHours office_hours();

  // For the statistics (issue 19): the tickets of `tenant` (0: every body) opened in [lo, hi) and where
  // each stands against its targets now, read on the caller's connection `c`. No authorisation here: the
  // statistics' own pages check who may see `tenant`'s figures.
  std::vector<TicketOutcome> outcomes(db::Conn& c, tenants::TenantId tenant, const std::string& lo,
                                      const std::string& hi) const;

  // Retention: purges what `retention_months` allows; returns how many tickets.
  int purge_expired();

  // Knowledge base.
  Result<Answer> publish(const identity::Principal* who, const std::string& category,
                         const std::string& title, const std::string& body);
  // Answers matching `query` (every word, or any word of 4 letters or more: what the ticket form shows
  // for its subject), for the bodies' staff and the agents; empty query: the latest.
  Result<std::vector<Answer>> search(const identity::Principal* who, const std::string& query,
                                     bool every_word = true, int limit = 20);

  // Agents edit an answer (a new version) or withdraw it (out of every search, kept in its history);
  // `expected_version` as shown on the form (helpdesk.conflict when it moved; helpdesk.withdrawn, 409,
  // for a change to a withdrawn answer).
  Result<Answer> edit_answer(const identity::Principal* who, const std::string& id,
                             std::int64_t expected_version, const std::string& category,
                             const std::string& title, const std::string& body);
  Status withdraw_answer(const identity::Principal* who, const std::string& id,
                         std::int64_t expected_version);
  // One answer, withdrawn or not, and every version of it (agents).
  Result<std::pair<Answer, std::vector<AnswerVersion>>> answer(const identity::Principal* who,
                                                               const std::string& id);

  // Settings (the hub's administrators: Permission::manage_hub; agents may read them). A change applies
  // at once to every ticket: targets and calendar are read when a ticket's SLA is computed; the time
  // stored when its clock last stopped stays as counted, the stretch since it last started is counted
  // under the calendar in force (docs/helpdesk.md, "Settings"). Audited on the hub's chain (tenant 0).
  struct Settings {
    OfficeHours hours;
    std::vector<Holiday> holidays;
    std::vector<TargetSetting> targets;
  };
  Result<Settings> settings(const identity::Principal* who);
  // Every target at once; errors helpdesk.target (400, field "fr_<category>_<priority>" or "res_...").
  Status set_targets(const identity::Principal* who, const std::vector<TargetSetting>& targets);
  // "HH:MM" in Rome; helpdesk.hours (400, field "open" or "close").
  Status set_office_hours(const identity::Principal* who, const std::string& open, const std::string& close);
  // helpdesk.holiday_day, helpdesk.holiday_name (400).
  Status add_holiday(const identity::Principal* who, const std::string& day, const std::string& name);
  Status remove_holiday(const identity::Principal* who, const std::string& day);

  [[nodiscard]] std::vector<StaffContact> agents() const {
    return directory_.agents ? directory_.agents() : std::vector<StaffContact>{};
  }
  [[nodiscard]] const Options& options() const { return options_; }

 private:
  Result<TicketView> load_view(tenants::TenantId body, const std::string& id);
  Status change(const identity::Principal* who, tenants::TenantId body, const std::string& id,
                const std::function<Result<std::vector<Event>>(db::Conn&, Ticket&)>& fn);
  Status attach(db::Conn& tx, const Ticket& t, int seq, const std::vector<Upload>& files);
  void notify(db::Conn& tx, const Ticket& t, const std::string& what, const std::vector<StaffContact>& to);

  db::Database& db_;
  time::Clock& clock_;
  const I18n& i18n_;
  files::FileService& files_;
  audit::AuditService& audit_;
  Directory directory_;
  Options options_;
};

}  // namespace sp::helpdesk
