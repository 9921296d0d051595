#pragma once
// A message's delivery state: the one table every change goes through (docs/messaging.md, "Delivery
// states"). The outbox (outbox.cpp) applies it when a job claims a message, when the channel answers,
// when the runner gives up, when a delivery report arrives and when staff cancel or retry; nothing else
// writes the state.
//
//   queued ──claim──► sending ──delivered──► delivered ──bounced──► permanent_failure   (the late-bounce
//   rule)
//     │                │  ▲ │
//     │                │  │ └──temporary_failure──► temporary_failure ──claim──┐ (backoff)
//     │                │  └────────────────────────────────────────────────────┘
//     │                ├──permanent_failure──► permanent_failure
//     │                └──give_up──► dead ──retry (staff)──► queued
//     └──cancel──► cancelled   (also from temporary_failure and dead)
//
// Final states: delivered, permanent_failure, cancelled. They never move back; the only way out of one
// is the late bounce (delivered → permanent_failure, when the other side reports a non-delivery after
// having accepted the message). A report that repeats the current state (a duplicate delivery report,
// a second bounce) changes nothing, and so does any report on a final state it cannot move.
#include <optional>
#include <string>
#include <string_view>

namespace sp::messaging {

enum class State { queued, sending, delivered, temporary_failure, permanent_failure, cancelled, dead };

enum class Event {
  claim,              // a runner takes the message to send it (also again after a runner died)
  delivered,          // the channel accepted it, or a delivery report says it arrived
  temporary_failure,  // the attempt failed, another will follow after the backoff
  permanent_failure,  // refused for good (bad recipient, not deliverable), during an attempt or reported
  bounced,            // a non-delivery report after the message was accepted (the late bounce)
  give_up,            // no attempts left (or every runner holding it died): waits for staff
  cancel,             // staff: do not send it
  retry,              // staff: send a dead message again
};

std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);
std::string_view to_string(Event e);

// delivered, permanent_failure, cancelled.
bool is_final(State s);

enum class Change {
  moved,      // `to` is the new state
  unchanged,  // nothing to do: a duplicate, or a report on a final state (to == from)
  refused,    // the event makes no sense in this state (a staff action on the wrong message, a bug)
};

struct Transition {
  Change change = Change::refused;
  State to = State::queued;
};

// The table. Pure: no clock, no database.
Transition next(State from, Event e);

}  // namespace sp::messaging
