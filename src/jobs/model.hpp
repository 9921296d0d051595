#pragma once
// A job as stored in the `jobs` table (migrations/*/0022_jobs.sql).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace sp::jobs {

using JobId = std::int64_t;

enum class State { queued, running, done, dead };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);

struct Job {
  JobId id = 0;
  std::string kind;
  std::int64_t tenant_id = 0;  // the body the job works for; 0 = the hub
  std::string payload;         // the kind's own data (an id, a small JSON object ...)
  std::string unique_key;      // periodic jobs: the period; may be empty
  State state = State::queued;
  std::string run_at;  // UTC "YYYY-MM-DDTHH:MM:SSZ"
  int attempts = 0;    // attempts started, this one included while running
  std::string claimed_by;
  std::string lease_until;
  std::string last_error;
  std::string created_at;
  std::string finished_at;
};

// What a business transaction asks for: a job queued in the caller's transaction, so that it exists if
// and only if the action that caused it commits.
struct NewJob {
  std::string kind;
  std::int64_t tenant_id = 0;
  std::string payload;
  std::string unique_key;  // when set, a second job with the same (kind, unique_key) is not queued
  std::optional<time::TimePoint> run_at;  // default: now
};

}  // namespace sp::jobs
