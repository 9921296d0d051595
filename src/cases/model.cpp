#include "cases/model.hpp"

#include <algorithm>
#include <array>
#include <utility>

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

Deadline deadline_at(const Case& c, time::Date today, int grounds_answer_days,
                     std::optional<int> max_additions_days) {
  Deadline d;
  auto due = time::parse_iso_date(c.due_date);
  d.due = due ? *due : today;
  auto since = is_suspended(c.state) ? time::parse_iso_date(c.suspended_since) : Result<time::Date>(Error{});
  if (since) {
    const int running =
        std::max(0, static_cast<int>((std::chrono::sys_days{today} - std::chrono::sys_days{*since}).count()));
    if (c.state == State::grounds_notified) {
      // Art. 10-bis: without observations the term starts again when the applicant's days end; with them,
      // ten days after (answering moves the case back to in_progress, where the service fixes the days).
      d.due = time::add_calendar_days(d.due, grounds_answer_days);
      d.suspended = running <= grounds_answer_days;
    } else {
      // Additions: every day waited so far (up to the cap, when there is one; then the term runs again).
      const int counted = max_additions_days ? std::min(running, *max_additions_days) : running;
      d.due = time::add_calendar_days(d.due, counted);
      d.suspended = !max_additions_days || running < *max_additions_days;
    }
  }
  d.days_left = static_cast<int>((std::chrono::sys_days{d.due} - std::chrono::sys_days{today}).count());
  d.overdue = is_open(c.state) && !d.suspended && d.days_left < 0;
  return d;
}

std::string_view to_string(MessageDirection d) {
  return d == MessageDirection::to_applicant ? "to_applicant" : "from_applicant";
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
