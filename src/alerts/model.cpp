#include "alerts/model.hpp"

#include "core/digest.hpp"

namespace sp::alerts {

std::string_view to_string(State s) {
  switch (s) {
    case State::draft:
      return "draft";
    case State::sending:
      return "sending";
    case State::paused:
      return "paused";
    case State::cancelled:
      return "cancelled";
    case State::done:
      return "done";
  }
  return "draft";
}

std::optional<State> parse_state(std::string_view s) {
  for (auto st : {State::draft, State::sending, State::paused, State::cancelled, State::done})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string_view to_string(SegmentKind k) {
  switch (k) {
    case SegmentKind::all:
      return "all";
    case SegmentKind::streets:
      return "streets";
    case SegmentKind::school:
      return "school";
    case SegmentKind::topic:
      return "topic";
  }
  return "all";
}

std::optional<SegmentKind> parse_segment(std::string_view s) {
  for (auto k : {SegmentKind::all, SegmentKind::streets, SegmentKind::school, SegmentKind::topic})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& x : v) {
    if (!out.empty()) out += sep;
    out += x;
  }
  return out;
}

std::string message_key(const std::string& alert_id, const std::string& channel, const std::string& address) {
  std::string h = digest::sha256_hex("sportello-alert\n" + alert_id + "\n" + channel + "\n" + address);
  h[12] = '8';                                                        // version 8: custom
  h[16] = "89ab"[std::stoi(std::string(1, h[16]), nullptr, 16) % 4];  // RFC 9562 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

}  // namespace sp::alerts
