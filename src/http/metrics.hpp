#pragma once
// Prometheus counters and histograms for requests. Each thread writes to its own shard (an uncontended
// mutex, taken by the scraper only when it renders), so the hot path never waits on other threads.
#include <string>
#include <string_view>

namespace sp::http::detail {

void record_request(std::string_view route, std::string_view method, int status, double seconds);
// Prometheus text exposition format (version 0.0.4) of everything recorded in this process.
std::string render_metrics();

}  // namespace sp::http::detail
