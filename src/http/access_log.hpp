#pragma once
// One JSON line per request on stdout. The line is formatted on the request's thread and handed to an
// async spdlog logger, so the write(2) happens on a background thread, off the hot path.
#include <cstddef>
#include <string_view>

namespace sp::http::detail {

struct AccessEntry {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view remote;
  std::string_view tenant;
  std::string_view route;
  int status = 0;
  std::size_t bytes = 0;
  double duration_ms = 0;
};

void log_access(const AccessEntry& e);
void flush_access_log();

}  // namespace sp::http::detail
