#pragma once
// Cases (pratiche): each application submitted online becomes a case of the receiving body, registered in
// the protocol, routed to an office, and carrying its legal deadline under L. 241/1990 (SPEC §8).
//
// States and the actions that move between them (model.cpp holds the table, `next_state`):
//
//   submitted ─(registration, same transaction as the submission)─▶ registered
//   registered ─assign─▶ assigned ─start─▶ in_progress          (start also from registered)
//   in_progress ─request_additions─▶ waiting_for_applicant ─answer_additions / resume─▶ in_progress
//   in_progress ─notice_of_grounds (art. 10-bis)─▶ grounds_notified ─answer_grounds─▶ in_progress
//   in_progress, grounds_notified ─accept / reject─▶ accepted / rejected
//   any open state ─withdraw (applicant)─▶ withdrawn
//   any state but withdrawn and closed ─close─▶ closed
//
// "Open" means not accepted, rejected, withdrawn or closed. assign on an open case that is already
// assigned changes the assignee and office without changing the state (recorded as a transition too).
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "tenants/model.hpp"

namespace sp::cases {

enum class State {
  submitted,
  registered,
  assigned,
  in_progress,
  waiting_for_applicant,  // additions requested (art. 2 c. 7): the deadline is suspended
  grounds_notified,       // notice of grounds for rejection sent (art. 10-bis): the deadline is suspended
  accepted,
  rejected,
  withdrawn,
  closed,
};
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);
// Not accepted, rejected, withdrawn or closed.
bool is_open(State s);
// The deadline does not run (waiting_for_applicant, grounds_notified).
bool is_suspended(State s);

enum class Action {
  register_,
  assign,
  start,
  request_additions,
  answer_additions,
  resume,
  notice_of_grounds,
  answer_grounds,
  accept,
  reject,
  withdraw,
  close,
};
std::string_view to_string(Action a);
// The state `action` leads to from `from`, or nullopt when the action is not allowed there. The legal
// conditions that also depend on dates (rejection after the notice's 10 days) are checked by the service.
std::optional<State> next_state(State from, Action action);

// How the application reached the body: online by the applicant, at a counter by an operator, or from a
// program with the body's API key (its own systems, an intermediary) for a named citizen.
enum class Channel { online, counter, api };
std::string_view to_string(Channel c);
std::optional<Channel> parse_channel(std::string_view s);

// Who did something: "staff:<account id>", "person:<codice fiscale>", "system:<name>".
using ActorRef = std::string;

struct Case {
  std::string id;  // UUIDv7
  tenants::TenantId tenant_id = 0;
  std::string service_code;
  std::string title;  // the service's title (Italian) when submitted, the protocol subject's core
  std::string form_code;
  int form_version = 1;
  std::string applicant_cf;  // who submitted (the signed-in person, or the citizen served at a counter)
  std::string applicant_name;
  std::string on_behalf_of;  // codice fiscale / partita IVA of who they act for; "" for themselves
  std::string on_behalf_of_name;
  Channel channel = Channel::online;
  boost::json::object answers;  // typed answers (forms::submit().data)
  State state = State::submitted;
  std::string office;
  std::string assignee;  // staff account id; "" when unassigned
  std::string protocol_entry_id;
  int protocol_year = 0;
  std::int64_t protocol_number = 0;
  time::TimePoint submitted_at;  // whole milliseconds (stored as UTC ISO with milliseconds)
  // The deadline. The term starts the day after submission (Rome) and runs for deadline_days calendar days
  // plus the suspensions that have ended (suspended_days): term_end(). due_date is that day, or the next
  // working day when it is a Sunday or a national holiday (core/holidays.hpp). Suspensions still running
  // are not in due_date yet (see deadline_at()).
  int deadline_days = 30;
  time::Date due_date;                            // Rome
  int suspended_days = 0;                         // suspensions that have ended
  std::optional<time::Date> suspended_since;      // Rome, while waiting for the applicant
  std::optional<time::Date> grounds_notified_on;  // Rome, of the last notice of grounds
  std::optional<time::Date> grounds_answered_on;  // Rome, of the applicant's observations
  bool silence_consent = false;  // silenzio-assenso (art. 20): no answer by the deadline means yes
  std::optional<std::int64_t> fee_cents_due;  // the service's fee when submitted (payments come later)
  std::optional<time::TimePoint> decided_at;  // of accept/reject/withdraw/close; none while open
  std::string submission_key;                 // idempotency key chosen by the submitting page/client
  std::int64_t version = 1;                   // bumped by every change (optimistic locking)
  std::optional<time::TimePoint> applicant_answered_at;  // the applicant's answer staff have not acted on

  // "0000042/2026"; "" before registration.
  [[nodiscard]] std::string protocol_label() const;
};

// The fee of a case whose service has one (cases/fees.cpp, migration 0028): the pagoPA debt position
// created with the case, or "counter" when the body is no pagoPA creditor (the fee is paid at the
// office, as before pagoPA). awaiting → paid when the station records the receipt; never back.
enum class FeeStatus { awaiting, counter, paid };
std::string_view to_string(FeeStatus s);
std::optional<FeeStatus> parse_fee_status(std::string_view s);
struct CaseFee {
  std::string case_id;
  std::int64_t amount_cents = 0;
  std::string iupd;  // "" at the counter
  std::string iuv;
  std::string nav;  // the notice number to pay with
  FeeStatus status = FeeStatus::awaiting;
  time::TimePoint created_at;
  std::optional<time::TimePoint> paid_at;
};

// The calendar day the term ends on, before moving off holidays: the submission day in Rome +
// deadline_days + suspended_days.
time::Date term_end(const Case& c);
// Where a term ending on `d` ends: `d`, or the next working day when `d` is a Sunday or a national holiday
// (art. 2963 c.c., art. 155 c.p.c. *(check)*).
time::Date legal_end(time::Date d);
// The applicant's last day to answer a notice of grounds sent on `notified` (art. 10-bis: ten days), moved
// off holidays like any term: they may still answer on it, and the term of the procedure restarts after it.
time::Date grounds_answer_last_day(time::Date notified, int grounds_answer_days);

// The deadline as of a Rome date: the due date with any running suspension added, and the days left
// (negative when overdue). While suspended the case is never overdue. Due dates are moved off Sundays and
// holidays, except the projection of a suspension for additions that is still running: that one moves
// every day and is not yet the end of a term (once the suspension ends, due_date is moved).
struct Deadline {
  time::Date due;
  int days_left = 0;
  bool overdue = false;
  bool suspended = false;
  // The day the queue orders by: `due`, except while additions are awaited without a cap, when it is the
  // calendar day before `due` is moved off Sundays and holidays (the database adds the days waited but
  // knows no holidays; two cases shown with the same due date may then come in calendar order).
  time::Date order_day;
};
// `grounds_answer_days`: the applicant's days to answer a notice of grounds (art. 10-bis);
// `max_additions_days`: a cap on one suspension for additions (art. 2 c. 7), none when unset.
Deadline deadline_at(const Case& c, time::Date today, int grounds_answer_days = 10,
                     std::optional<int> max_additions_days = std::nullopt);

// Days since 1970-01-01: how the queue's columns store dates, so that both databases can compare and add
// them as integers.
std::int64_t day_number(time::Date d);
time::Date from_day_number(std::int64_t n);

// What the database needs to order and filter a queue by deadline_at() without reading every case. The
// store writes these columns with every insert and update of the case, so they change in the same
// transaction as the state, the due date or the suspension they derive from.
//   due_day              term_end(): the calendar day, before moving off holidays
//   suspended_since_day  suspended_since, while the case is suspended
//   suspended_until_day  the last day the running suspension counts: the applicant's last day to answer a
//                        notice of grounds; the last day within the cap of a suspension for additions;
//                        nullopt for an uncapped suspension for additions (or none)
//   queue_due_day        deadline_at().due whenever it does not move with the calendar, i.e. for every
//                        case except one waiting for additions whose suspension still counts: that one's
//                        due date is due_day plus the days waited so far, which the queue's SQL computes.
// A case is suspended on `today` when it is waiting for additions or has been notified grounds, has a
// suspended_since_day, and today <= suspended_until_day (or there is no such day).
// Computed with the service's grounds_answer_days and max_additions_days at the time of the change.
struct QueueKeys {
  std::int64_t due_day = 0;
  std::optional<std::int64_t> suspended_since_day;
  std::optional<std::int64_t> suspended_until_day;
  std::int64_t queue_due_day = 0;
};
QueueKeys queue_keys(const Case& c, int grounds_answer_days = 10,
                     std::optional<int> max_additions_days = std::nullopt);

struct Transition {
  std::int64_t id = 0;
  std::string case_id;
  std::optional<State> from;  // nullopt for the creation
  State to = State::submitted;
  std::string action;  // to_string(Action), or "submit" for the creation
  ActorRef who;
  time::TimePoint at;
  std::string reason;
};

enum class MessageDirection { to_applicant, from_applicant };
std::string_view to_string(MessageDirection d);

// What a message is about.
enum class MessageKind {
  message,
  additions_request,
  additions_answer,
  grounds,
  grounds_answer,
  decision,
  notification,  // a notice sent to the applicant (notify.hpp), recorded in the case
};
std::string_view to_string(MessageKind k);
std::optional<MessageKind> parse_message_kind(std::string_view s);

struct Message {
  std::int64_t id = 0;
  std::string case_id;
  MessageDirection direction = MessageDirection::to_applicant;
  std::string body;
  std::vector<std::string> attachments;  // case document ids
  ActorRef who;
  time::TimePoint at;
  MessageKind kind = MessageKind::message;
};

// Internal notes of the office: never shown to the applicant.
struct Note {
  std::int64_t id = 0;
  std::string case_id;
  std::string body;
  ActorRef who;
  time::TimePoint at;
};

enum class DocumentKind { application, attachment, addition, decision, notice };
std::string_view to_string(DocumentKind k);
std::optional<DocumentKind> parse_document_kind(std::string_view s);

struct Document {
  std::string id;  // random token: safe in a link
  std::string case_id;
  std::string file_id;  // src/files
  DocumentKind kind = DocumentKind::attachment;
  std::string file_name;
  std::string mime_type;
  std::int64_t size = 0;
  std::string sha256;
  std::string protocol_entry_id;  // when registered (application, attachments, decisions, notices)
  int protocol_year = 0;
  std::int64_t protocol_number = 0;
  ActorRef who;
  time::TimePoint at;
};

}  // namespace sp::cases
