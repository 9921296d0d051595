#include "adapters/messaging/state.hpp"

namespace sp::messaging {
namespace {

Transition moved(State to) {
  return Transition{Change::moved, to};
}
Transition unchanged(State s) {
  return Transition{Change::unchanged, s};
}
Transition refused(State s) {
  return Transition{Change::refused, s};
}

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::queued:
      return "queued";
    case State::sending:
      return "sending";
    case State::delivered:
      return "delivered";
    case State::temporary_failure:
      return "temporary_failure";
    case State::permanent_failure:
      return "permanent_failure";
    case State::cancelled:
      return "cancelled";
    case State::dead:
      return "dead";
  }
  return "queued";
}

std::optional<State> parse_state(std::string_view s) {
  for (auto st : {State::queued, State::sending, State::delivered, State::temporary_failure,
                  State::permanent_failure, State::cancelled, State::dead}) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

std::string_view to_string(Event e) {
  switch (e) {
    case Event::claim:
      return "claim";
    case Event::delivered:
      return "delivered";
    case Event::temporary_failure:
      return "temporary_failure";
    case Event::permanent_failure:
      return "permanent_failure";
    case Event::bounced:
      return "bounced";
    case Event::give_up:
      return "give_up";
    case Event::cancel:
      return "cancel";
    case Event::retry:
      return "retry";
  }
  return "claim";
}

bool is_final(State s) {
  return s == State::delivered || s == State::permanent_failure || s == State::cancelled;
}

Transition next(State from, Event e) {
  switch (e) {
    case Event::claim:
      // From sending too: the runner that held it died, and the job is claimed again after its lease.
      if (from == State::queued || from == State::temporary_failure || from == State::sending)
        return moved(State::sending);
      return refused(from);

    case Event::delivered:
      if (from == State::delivered) return unchanged(from);  // a duplicate report
      // A report for an attempt the hub counted as failed (a timeout after all delivered, or a runner
      // that gave up): it arrived; the pending retry then finds it delivered and stops.
      if (from == State::sending || from == State::temporary_failure || from == State::dead)
        return moved(State::delivered);
      if (is_final(from)) return unchanged(from);  // final: never back
      return refused(from);                        // queued: nothing was sent yet

    case Event::temporary_failure:
      if (from == State::sending) return moved(State::temporary_failure);
      if (from == State::temporary_failure || is_final(from)) return unchanged(from);
      return refused(from);

    case Event::permanent_failure:
      if (from == State::sending || from == State::temporary_failure) return moved(State::permanent_failure);
      if (is_final(from)) return unchanged(from);
      return refused(from);

    case Event::bounced:
      // The explicit rule: the only way out of a final state.
      if (from == State::delivered || from == State::sending || from == State::temporary_failure ||
          from == State::dead)
        return moved(State::permanent_failure);
      if (from == State::permanent_failure || from == State::cancelled) return unchanged(from);
      return refused(from);

    case Event::give_up:
      if (from == State::sending || from == State::temporary_failure || from == State::queued)
        return moved(State::dead);
      if (from == State::dead || is_final(from)) return unchanged(from);
      return refused(from);

    case Event::cancel:
      if (from == State::queued || from == State::temporary_failure || from == State::dead)
        return moved(State::cancelled);
      if (from == State::cancelled) return unchanged(from);
      return refused(from);  // in flight, or final

    case Event::retry:
      if (from == State::dead) return moved(State::queued);
      return refused(from);
  }
  return refused(from);
}

}  // namespace sp::messaging
