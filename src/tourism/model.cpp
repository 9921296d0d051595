#include "tourism/model.hpp"

#include <algorithm>

namespace sp::tourism {

std::string_view to_string(Kind k) {
  return k == Kind::poi ? "poi" : "event";
}

std::string_view to_string(State s) {
  switch (s) {
    case State::draft:
      return "draft";
    case State::submitted:
      return "submitted";
    case State::published:
      return "published";
    case State::returned:
      return "returned";
  }
  return "draft";
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::save:
      return "save";
    case Action::submit:
      return "submit";
    case Action::publish:
      return "publish";
    case Action::send_back:
      return "return";
  }
  return "save";
}

std::optional<Kind> parse_kind(std::string_view s) {
  if (s == "poi") return Kind::poi;
  if (s == "event") return Kind::event;
  return std::nullopt;
}

std::optional<State> parse_state(std::string_view s) {
  for (State st : {State::draft, State::submitted, State::published, State::returned})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::optional<State> next_state(State from, Action action) {
  switch (action) {
    case Action::save:  // an item under review is the editors' until they decide
      if (from == State::submitted) return std::nullopt;
      return State::draft;
    case Action::submit:
      if (from == State::draft || from == State::returned) return State::submitted;
      return std::nullopt;
    case Action::publish:
      if (from == State::submitted) return State::published;
      return std::nullopt;
    case Action::send_back:
      if (from == State::submitted) return State::returned;
      return std::nullopt;
  }
  return std::nullopt;
}

bool known_category(std::string_view code) {
  return std::find(kCategories.begin(), kCategories.end(), code) != kCategories.end();
}

}  // namespace sp::tourism
