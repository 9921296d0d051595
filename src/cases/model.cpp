#include "cases/model.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/holidays.hpp"
#include "protocollo/model.hpp"

namespace sp::cases {
namespace {

constexpr std::array<std::pair<State, std::string_view>, 10> kStates{{
    {State::submitted, "submitted"},
    {State::registered, "registered"},
    {State::assigned, "assigned"},
    {State::in_progress, "in_progress"},
    {State::waiting_for_applicant, "waiting_for_applicant"},
    {State::grounds_notified, "grounds_notified"},
    {State::accepted, "accepted"},
    {State::rejected, "rejected"},
    {State::withdrawn, "withdrawn"},
    {State::closed, "closed"},
}};

constexpr std::array<std::pair<DocumentKind, std::string_view>, 5> kDocumentKinds{{
    {DocumentKind::application, "application"},
    {DocumentKind::attachment, "attachment"},
    {DocumentKind::addition, "addition"},
    {DocumentKind::decision, "decision"},
    {DocumentKind::notice, "notice"},
}};

constexpr std::array<std::pair<MessageKind, std::string_view>, 7> kMessageKinds{{
    {MessageKind::message, "message"},
    {MessageKind::additions_request, "additions_request"},
    {MessageKind::additions_answer, "additions_answer"},
    {MessageKind::grounds, "grounds"},
    {MessageKind::grounds_answer, "grounds_answer"},
    {MessageKind::decision, "decision"},
    {MessageKind::notification, "notification"},
}};

}  // namespace

std::string_view to_string(State s) {
  for (const auto& [state, name] : kStates) {
    if (state == s) return name;
  }
  return "unknown";
}

std::optional<State> parse_state(std::string_view s) {
  for (const auto& [state, name] : kStates) {
    if (name == s) return state;
  }
  return std::nullopt;
}

bool is_open(State s) {
  return s != State::accepted && s != State::rejected && s != State::withdrawn && s != State::closed;
}

bool is_suspended(State s) {
  return s == State::waiting_for_applicant || s == State::grounds_notified;
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::register_:
      return "register";
    case Action::assign:
      return "assign";
    case Action::start:
      return "start";
    case Action::request_additions:
      return "request_additions";
    case Action::answer_additions:
      return "answer_additions";
    case Action::resume:
      return "resume";
    case Action::notice_of_grounds:
      return "notice_of_grounds";
    case Action::answer_grounds:
      return "answer_grounds";
    case Action::accept:
      return "accept";
    case Action::reject:
      return "reject";
    case Action::withdraw:
      return "withdraw";
    case Action::close:
      return "close";
  }
  return "unknown";
}

std::optional<State> next_state(State from, Action action) {
  switch (action) {
    case Action::register_:
      if (from == State::submitted) return State::registered;
      break;
    case Action::assign:
      // The first assignment moves a registered case on; later ones change who handles it, not the state.
      if (from == State::registered) return State::assigned;
      if (is_open(from) && from != State::submitted) return from;
      break;
    case Action::start:
      if (from == State::registered || from == State::assigned) return State::in_progress;
      break;
    case Action::request_additions:
      if (from == State::in_progress) return State::waiting_for_applicant;
      break;
    case Action::answer_additions:
    case Action::resume:
      if (from == State::waiting_for_applicant) return State::in_progress;
      break;
    case Action::notice_of_grounds:
      if (from == State::in_progress) return State::grounds_notified;
      break;
    case Action::answer_grounds:
      if (from == State::grounds_notified) return State::in_progress;
      break;
    case Action::accept:
      if (from == State::in_progress || from == State::grounds_notified) return State::accepted;
      break;
    case Action::reject:
      if (from == State::in_progress || from == State::grounds_notified) return State::rejected;
      break;
    case Action::withdraw:
      if (is_open(from)) return State::withdrawn;
      break;
    case Action::close:
      if (from != State::withdrawn && from != State::closed) return State::closed;
      break;
  }
  return std::nullopt;
}

std::string Case::protocol_label() const {
  if (protocol_number <= 0) return {};
  return protocollo::format_number(protocol_number) + "/" + std::to_string(protocol_year);
}

namespace {

int days_from(time::Date from, time::Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

// A suspension of the term that is running: since when, the last day it counts (none: until it ends),
// and the days it adds to the term once that day has passed.
struct RunningSuspension {
  time::Date since;
  std::optional<time::Date> until;
  int days_when_over = 0;
};

std::optional<RunningSuspension> running_suspension(const Case& c, int grounds_answer_days,
                                                    std::optional<int> max_additions_days) {
  if (!is_suspended(c.state)) return std::nullopt;
  const auto& since = c.suspended_since;
  if (!since) return std::nullopt;
  RunningSuspension s{*since, std::nullopt, 0};
  if (c.state == State::grounds_notified) {
    // Art. 10-bis: without observations the term starts again when the applicant's days end; with them,
    // ten days after (answering moves the case back to in_progress, where the service fixes the days).
    s.until = grounds_answer_last_day(*since, grounds_answer_days);
    s.days_when_over = days_from(*since, *s.until);
  } else if (max_additions_days) {
    // Additions: every day waited, up to the cap; then the term runs again. The cap limits a suspension,
    // it is not a term for anybody's act: not moved off holidays.
    s.days_when_over = *max_additions_days;
    s.until = time::add_calendar_days(*since, *max_additions_days - 1);
  }
  return s;
}

}  // namespace

time::Date term_end(const Case& c) {
  return time::add_calendar_days(time::rome_date(c.submitted_at), c.deadline_days + c.suspended_days);
}

time::Date legal_end(time::Date d) {
  return time::next_working_day(d);
}

time::Date grounds_answer_last_day(time::Date notified, int grounds_answer_days) {
  return legal_end(time::add_calendar_days(notified, grounds_answer_days));
}

Deadline deadline_at(const Case& c, time::Date today, int grounds_answer_days,
                     std::optional<int> max_additions_days) {
  Deadline d;
  d.due = c.due_date.ok() ? c.due_date : today;
  std::optional<time::Date> calendar_due;  // while awaiting additions: before moving off holidays
  if (auto s = running_suspension(c, grounds_answer_days, max_additions_days)) {
    d.suspended = !s->until || today <= *s->until;
    if (d.suspended && c.state == State::waiting_for_applicant) {
      // A projection that moves every day: the due date the case would get if the additions arrived
      // today (end_suspension()), moved off Sundays and holidays like it, so that the date shown while
      // waiting is never a day before the one the answer then sets.
      calendar_due = time::add_calendar_days(term_end(c), std::max(0, days_from(s->since, today)));
      d.due = legal_end(*calendar_due);
    } else {
      d.due = legal_end(time::add_calendar_days(term_end(c), s->days_when_over));
    }
  }
  d.order_day = calendar_due.value_or(d.due);
  d.days_left = days_from(today, d.due);
  d.overdue = is_open(c.state) && !d.suspended && d.days_left < 0;
  return d;
}

std::int64_t day_number(time::Date d) {
  return std::chrono::sys_days{d}.time_since_epoch().count();
}

time::Date from_day_number(std::int64_t n) {
  return time::Date{std::chrono::sys_days{std::chrono::days{n}}};
}

QueueKeys queue_keys(const Case& c, int grounds_answer_days, std::optional<int> max_additions_days) {
  QueueKeys k;
  const auto end = term_end(c);
  k.due_day = day_number(end);
  k.queue_due_day = c.due_date.ok() ? day_number(c.due_date) : k.due_day;
  if (auto s = running_suspension(c, grounds_answer_days, max_additions_days)) {
    k.suspended_since_day = day_number(s->since);
    if (s->until) k.suspended_until_day = day_number(*s->until);
    // Once the suspension stops counting (deadline_at()). Waiting for additions without a cap: the due
    // date moves every day, and the queue's SQL adds the days waited to due_day.
    k.queue_due_day = day_number(legal_end(time::add_calendar_days(end, s->days_when_over)));
  }
  return k;
}

std::string_view to_string(MessageDirection d) {
  return d == MessageDirection::to_applicant ? "to_applicant" : "from_applicant";
}

std::string_view to_string(MessageKind k) {
  for (const auto& [kind, name] : kMessageKinds) {
    if (kind == k) return name;
  }
  return "unknown";
}

std::optional<MessageKind> parse_message_kind(std::string_view s) {
  for (const auto& [kind, name] : kMessageKinds) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

std::string_view to_string(Channel c) {
  return c == Channel::counter ? "counter" : c == Channel::api ? "api" : "online";
}

std::optional<Channel> parse_channel(std::string_view s) {
  if (s == "online") return Channel::online;
  if (s == "counter") return Channel::counter;
  if (s == "api") return Channel::api;
  return std::nullopt;
}

std::string_view to_string(DocumentKind k) {
  for (const auto& [kind, name] : kDocumentKinds) {
    if (kind == k) return name;
  }
  return "unknown";
}

std::optional<DocumentKind> parse_document_kind(std::string_view s) {
  for (const auto& [kind, name] : kDocumentKinds) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

}  // namespace sp::cases
