#include "helpdesk/model.hpp"

#include <algorithm>

namespace sp::helpdesk {

std::string_view to_string(State s) {
  switch (s) {
    case State::new_:
      return "new";
    case State::open:
      return "open";
    case State::waiting:
      return "waiting";
    case State::resolved:
      return "resolved";
    case State::closed:
      return "closed";
  }
  return "new";
}

std::string_view to_string(Priority p) {
  switch (p) {
    case Priority::low:
      return "low";
    case Priority::normal:
      return "normal";
    case Priority::high:
      return "high";
    case Priority::urgent:
      return "urgent";
  }
  return "normal";
}

std::optional<State> parse_state(std::string_view s) {
  for (auto x : {State::new_, State::open, State::waiting, State::resolved, State::closed})
    if (to_string(x) == s) return x;
  return std::nullopt;
}

std::optional<Priority> parse_priority(std::string_view s) {
  for (auto x : priorities())
    if (to_string(x) == s) return x;
  return std::nullopt;
}

const std::vector<std::string>& categories() {
  static const std::vector<std::string> all = {"access", "services", "payments", "protocol", "other"};
  return all;
}

bool is_category(std::string_view c) {
  const auto& all = categories();
  return std::find(all.begin(), all.end(), c) != all.end();
}

const std::vector<Priority>& priorities() {
  static const std::vector<Priority> all = {Priority::low, Priority::normal, Priority::high,
                                            Priority::urgent};
  return all;
}

bool agent_may_set(State from, State to) {
  if (from == to) return false;
  switch (from) {
    case State::new_:
    case State::open:
    case State::waiting:
      return to == State::open || to == State::waiting || to == State::resolved || to == State::closed;
    case State::resolved:
      return to == State::open || to == State::closed;
    case State::closed:
      return false;
  }
  return false;
}

}  // namespace sp::helpdesk
