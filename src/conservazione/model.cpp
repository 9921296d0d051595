#include "conservazione/model.hpp"

#include <algorithm>

namespace sp::conservazione {

const std::vector<std::string>& optional_classes() {
  static const std::vector<std::string> classes{kProtocolDocuments, kDecisions, kRelate, kPaymentReceipts};
  return classes;
}

bool known_class(const std::string& c) {
  const auto& o = optional_classes();
  return c == kDailyRegister || std::find(o.begin(), o.end(), c) != o.end();
}

const char* state_name(State s) {
  switch (s) {
    case State::pending:
      return "pending";
    case State::rejected:
      return "rejected";
    case State::failed:
      return "failed";
    case State::accepted:
      return "accepted";
  }
  return "pending";
}

std::optional<State> parse_state(const std::string& s) {
  for (State st : {State::pending, State::rejected, State::failed, State::accepted})
    if (s == state_name(st)) return st;
  return std::nullopt;
}

}  // namespace sp::conservazione
