#include "http/metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace sp::http::detail {
namespace {

// Seconds. Covers a cached static file (sub-millisecond) up to a slow report (10 s).
constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                          0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

struct Histogram {
  std::array<std::uint64_t, kBuckets.size()> counts{};  // non-cumulative; summed when rendered
  std::uint64_t count = 0;
  double sum = 0;
};

struct CounterKey {
  std::string route;
  std::string method;
  int status;
  bool operator==(const CounterKey&) const = default;
};

struct KeyHash {
  std::size_t operator()(const CounterKey& k) const {
    return std::hash<std::string>{}(k.route) * 31 + std::hash<std::string>{}(k.method) * 7 +
           static_cast<std::size_t>(k.status);
  }
};

struct Shard {
  std::mutex mutex;  // uncontended except while /metrics renders
  std::unordered_map<CounterKey, std::uint64_t, KeyHash> requests;
  std::unordered_map<std::string, Histogram> durations;  // by route
  // Reused lookup key so the common path (series already present) allocates nothing beyond SSO.
  CounterKey probe;
};

struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<Shard>> shards;  // never shrinks: counters must not go backwards
};

Registry& registry() {
  static Registry* r = new Registry();  // leaked on purpose: threads may record during static destruction
  return *r;
}

Shard& my_shard() {
  thread_local Shard* shard = [] {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.shards.push_back(std::make_unique<Shard>());
    return r.shards.back().get();
  }();
  return *shard;
}

void append_escaped_label(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
}

}  // namespace

void record_request(std::string_view route, std::string_view method, int status, double seconds) {
  Shard& s = my_shard();
  std::lock_guard lock(s.mutex);
  s.probe.route.assign(route);
  s.probe.method.assign(method);
  s.probe.status = status;
  auto it = s.requests.find(s.probe);
  if (it == s.requests.end())
    s.requests.emplace(s.probe, 1);
  else
    ++it->second;

  auto h = s.durations.find(s.probe.route);
  if (h == s.durations.end()) h = s.durations.emplace(s.probe.route, Histogram{}).first;
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (b < kBuckets.size()) ++h->second.counts[b];
  ++h->second.count;
  h->second.sum += seconds;
}

std::string render_metrics() {
  // Merge the shards into ordered maps so the output is stable (diffable, testable).
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  std::map<std::string, Histogram> durations;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (auto& shard : r.shards) {
      std::lock_guard shard_lock(shard->mutex);
      for (const auto& [k, v] : shard->requests) requests[{k.route, k.method, k.status}] += v;
      for (const auto& [route, h] : shard->durations) {
        auto& into = durations[route];
        for (std::size_t i = 0; i < kBuckets.size(); ++i) into.counts[i] += h.counts[i];
        into.count += h.count;
        into.sum += h.sum;
      }
    }
  }
  std::string out;
  out.reserve(256 + requests.size() * 96 + durations.size() * 1200);
  out += "# HELP http_requests_total HTTP requests handled, by route pattern, method and status.\n";
  out += "# TYPE http_requests_total counter\n";
  for (const auto& [k, v] : requests) {
    out += "http_requests_total{route=\"";
    append_escaped_label(out, std::get<0>(k));
    out += "\",method=\"";
    append_escaped_label(out, std::get<1>(k));
    out += fmt::format("\",status=\"{}\"}} {}\n", std::get<2>(k), v);
  }
  out += "# HELP http_request_duration_seconds Time spent building the response, by route pattern.\n";
  out += "# TYPE http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations) {
    std::string label;
    append_escaped_label(label, route);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += fmt::format("http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                         kBuckets[i], cumulative);
    }
    out +=
        fmt::format("http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label, h.count);
    out += fmt::format("http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label, h.sum);
    out += fmt::format("http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, h.count);
  }
  return out;
}

}  // namespace sp::http::detail
