#pragma once
// Help-desk tickets (docs/helpdesk.md): the states, the priorities, the categories and the events of a
// ticket's append-only history. A ticket's state is the value of its last "state" event (or "opened");
// the row in helpdesk_tickets is a projection written with each event.
//
//   new ──agent replies / takes it──▶ open ──agent: "waiting for the body"──▶ waiting
//    │                                 ▲  ◀──────── the body replies ────────────┘
//    └──────────────┬──────────────────┘
//                   ▼
//               resolved ──the body replies──▶ open        resolved ──agent or the body──▶ closed
//
// The SLA clock runs in new and open, stands still in waiting, resolved and closed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helpdesk/sla.hpp"
#include "tenants/model.hpp"

namespace sp::helpdesk {

enum class State { new_, open, waiting, resolved, closed };
enum class Priority { low, normal, high, urgent };
std::string_view to_string(State s);
std::string_view to_string(Priority p);
std::optional<State> parse_state(std::string_view s);
std::optional<Priority> parse_priority(std::string_view s);
// The categories (codes; labels in the locales "ui.hd_cat_<code>").
const std::vector<std::string>& categories();
bool is_category(std::string_view c);
const std::vector<Priority>& priorities();

// Whether the state may follow `from` when an agent sets it (the body's reply moves it by itself).
bool agent_may_set(State from, State to);
// Whether the SLA clock runs in that state.
inline bool clock_runs(State s) {
  return s == State::new_ || s == State::open;
}

struct Ticket {
  std::string id;
  std::int64_t number = 0;
  tenants::TenantId tenant_id = 0;
  std::string category;
  Priority priority = Priority::normal;
  std::string subject;
  State state = State::new_;
  std::string channel;  // web, phone
  std::string opened_by, opened_by_name, logged_by;
  std::string assignee, assignee_name;
  std::string created_at, updated_at;
  std::optional<std::string> first_response_at;
  std::optional<std::int64_t> first_response_s;
  SlaClock clock;
  std::optional<std::string> closed_at, purged_at;
  std::int64_t version = 1;
};

struct Attachment {
  int n = 0;
  std::string file_id;
  std::string name;
  bool purged = false;
};

struct Event {
  int seq = 0;
  std::string at;
  std::string actor_id, actor_name, actor_side;  // side: body, agent, system
  std::string kind;   // opened, reply, note, assigned, state, priority, category, redacted, purged
  std::string value;  // new state / priority / category / assignee name; redacted: the seq redacted
  std::string text_id;
  // Joined for display: the text (empty once redacted or purged) and whether it is an internal note.
  std::string text;
  bool internal = false;
  bool redacted = false;
  bool purged = false;
  std::vector<Attachment> attachments;
};

struct Targets {
  std::int64_t first_response_min = 0;
  std::int64_t resolution_min = 0;
};

// Where a ticket stands against its targets at a given instant.
struct SlaView {
  Targets targets;
  TargetStatus response;  // until the first reply; then `first_response_met`
  bool responded = false;
  bool first_response_met = true;
  TargetStatus resolution;
  bool running = false;
};

struct Answer {
  std::string id;
  std::string category;
  std::string title;
  std::string body;
  std::string published_by;
  std::string published_at, updated_at;
  std::int64_t version = 1;
  std::string withdrawn_at;  // empty: in the search
};

// One version of an answer (helpdesk_answer_versions, append-only): what it said after `action`.
struct AnswerVersion {
  std::int64_t version = 1;
  std::string action;  // publish, edit, withdraw
  std::string category, title, body;
  std::string actor, at;
};

// A row of the targets' table, with who changed it last.
struct TargetSetting {
  std::string category;
  Priority priority = Priority::normal;
  Targets targets;
  std::string updated_by, updated_at;
};

// The service centre's own closing days (besides the national holidays).
struct Holiday {
  std::string day;  // YYYY-MM-DD
  std::string name;
};

}  // namespace sp::helpdesk
