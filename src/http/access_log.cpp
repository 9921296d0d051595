#include "http/access_log.hpp"

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <iterator>
#include <memory>

namespace sp::http::detail {
namespace {

struct AccessLogger {
  // async_logger keeps only a weak_ptr to its pool, so the pool lives here next to it.
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
};

AccessLogger& access_logger() {
  // Leaked on purpose: requests finishing during static destruction must still find a logger.
  static AccessLogger* l = [] {
    auto* a = new AccessLogger();
    a->pool = std::make_shared<spdlog::details::thread_pool>(16384, 1);
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    // Under overload drop the oldest lines rather than stall request threads.
    a->logger = std::make_shared<spdlog::async_logger>("http.access", std::move(sink), a->pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
    a->logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ",%v})", spdlog::pattern_time_type::utc);
    return a;
  }();
  return *l;
}

void append_json_string(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void log_access(const AccessEntry& e) {
  fmt::memory_buffer line;  // inline storage: no heap allocation for ordinary lines
  line.append(std::string_view(R"("request_id":)"));
  append_json_string(line, e.request_id);
  line.append(std::string_view(R"(,"method":)"));
  append_json_string(line, e.method);
  line.append(std::string_view(R"(,"path":)"));
  append_json_string(line, e.path);
  fmt::format_to(std::back_inserter(line), R"(,"status":{},"bytes":{},"duration_ms":{:.3f},"remote":)",
                 e.status, e.bytes, e.duration_ms);
  append_json_string(line, e.remote);
  line.append(std::string_view(R"(,"tenant":)"));
  append_json_string(line, e.tenant);
  line.append(std::string_view(R"(,"route":)"));
  append_json_string(line, e.route);
  access_logger().logger->info(std::string_view(line.data(), line.size()));
}

void flush_access_log() {
  access_logger().logger->flush();
}

}  // namespace sp::http::detail
