#pragma once
// Small Boost.JSON helpers shared by the relying party and the simulator (internal to adapters/oidc).
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::oidc::detail {

// The string member `key`, or "" when absent or not a string.
inline std::string str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return (v != nullptr && v->is_string()) ? std::string(v->as_string()) : std::string();
}

// Seconds since the epoch (JWT NumericDate, RFC 7519 section 2).
inline std::int64_t epoch(time::TimePoint tp) {
  return std::chrono::duration_cast<std::chrono::seconds>(tp.time_since_epoch()).count();
}

// Parses a JSON object; anything else is Error `code` with `status`.
inline Result<boost::json::object> parse_object(std::string_view text, const std::string& code, int status) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make(code, status, "not a JSON object");
  return std::move(v.as_object());
}

}  // namespace sp::oidc::detail
