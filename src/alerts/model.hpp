#pragma once
// Alerts to the population (issue 17; docs/alerts.md). A body's alert — a school closure, a water cut,
// road works, a civil-protection warning (the categories are data: data/alerts/categories.json) — is a
// fan-out over a segment of its population through the messaging outbox:
//
//   draft ──confirm──► sending ──(every message handed to the outbox)──► done
//                       │  ▲
//                 pause │  │ resume
//                       ▼  │
//                      paused ──cancel──► cancelled ◄──cancel── sending
//
// Segments: every resident (the register mirror), the residents of some streets of the body's street
// list, the parents of a school's pupils (the standing school applications naming the school), the people
// following the alert's topic (subscriptions). Subscribers following the topic join the residents' and
// the streets' segments too.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::alerts {

enum class State { draft, sending, paused, cancelled, done };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);

enum class SegmentKind { all, streets, school, topic };
std::string_view to_string(SegmentKind k);
std::optional<SegmentKind> parse_segment(std::string_view s);

struct Alert {
  std::string id;  // UUIDv7
  std::int64_t tenant_id = 0;
  std::string category;
  std::string title;
  std::string body;
  SegmentKind segment = SegmentKind::all;
  std::string segment_value;  // streets: "VIA ROMA|CORSO ALFIERI"; school: its code; else ""
  State state = State::draft;
  std::string created_by, created_at, confirmed_by, confirmed_at;
  std::string preview;  // JSON counts per channel shown when it was confirmed
  std::int64_t cost_cents = 0, cost_cap_cents = 0;
  std::int64_t targets = -1;  // recipients frozen by the fan-out (-1: not yet)
  std::int64_t cursor = 0;    // the last target handed to the outbox
  std::string slots;          // JSON {"email": epoch ms, ...}: the next free sending slot per channel
  std::int64_t fanout_round = 0;
  std::string finished_at;
  std::int64_t version = 1;
};

// One recipient on one channel (the key of its message: alert, channel, address).
struct Target {
  std::string channel;  // email | sms | pec | appio
  std::string address;  // e-mail, E.164 number, or fiscal code (appio)
  std::string person;   // fiscal code when known
  std::string lang = "it";
  // Where the message goes when this channel fails for good: [{channel, address}] as JSON.
  std::vector<std::pair<std::string, std::string>> fallbacks;
};

// What the operator sees before confirming.
struct Preview {
  std::map<std::string, std::int64_t> by_channel;  // email, sms, pec, appio → recipients
  std::int64_t recipients = 0;
  std::int64_t sms_cost_cents = 0;
  std::int64_t cost_cap_cents = 0;  // the body's cap for a calendar month (Europe/Rome)
  std::int64_t spent_cents = 0;     // the month's alerts confirmed so far
  bool over_cap = false;            // spent + this alert's SMS cost > cap
};

// The statistics of one channel (the channel the message was first sent on).
struct ChannelStats {
  std::int64_t total = 0, pending = 0, delivered = 0, failed = 0, fallen_back = 0, cancelled = 0, skipped = 0;
};
struct Stats {
  std::map<std::string, ChannelStats> by_channel;
  ChannelStats all;
  std::int64_t targets = 0, handed = 0;  // recipients, and those handed to the outbox so far
  bool finished = false;                 // nothing left to send or waiting for a retry
};

struct Subscription {
  std::string id;
  std::int64_t tenant_id = 0;
  std::string channel;  // email | sms
  std::string address;
  std::vector<std::string> topics;
  std::vector<std::string> streets;
  std::string lang = "it";
  std::string state;  // pending | active | stopped
  std::string code_salt, code_hash, code_expires_at, code_sent_at;
  std::int64_t code_attempts = 0;
  std::string created_at, verified_at, stopped_at;
};

// An alert as a person received it (their area).
struct Received {
  std::string alert_id;
  std::int64_t tenant_id = 0;
  std::string category, title, body, sent_at, channel, message_id;
};

// "a|b|c" ↔ {"a","b","c"} (empty parts dropped).
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& v, char sep);

// The idempotency key of an alert's message: a UUID-shaped hex digest (version 8) of the alert id, the
// channel and the address, so that the same recipient on the same channel is always the same outbox
// message, and a repeat to the gateway carries the same key.
std::string message_key(const std::string& alert_id, const std::string& channel, const std::string& address);

}  // namespace sp::alerts
