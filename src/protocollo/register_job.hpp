#pragma once
// The daily register as a periodic job kind (src/jobs/, docs/jobs.md): "protocollo.daily_register",
// due every day at 00:05 Rome time (after DailyRegisterService::kSettle), catching up every missed day.
// The job of the period D (key "2026-03-02") produces every missing register up to the day before D, so
// each day's register is made by the job of the following day; after a downtime every missed period
// runs once, oldest first; on a fresh database the first period also fills the days before it (the AOO's
// earlier days).
//
// Producing a day is idempotent (one register per AOO and day, UNIQUE (aoo_id, day)), and each register
// commits in its own transaction: a job that dies halfway is run again and makes only what is missing.
// An AOO that fails makes the job fail (retried with backoff, then dead); the others are produced anyway.
#include "jobs/runner.hpp"
#include "protocollo/daily_register.hpp"

namespace sp::protocollo {

inline constexpr const char* kDailyRegisterKind = "protocollo.daily_register";

// Adds the kind to `runner`; `registers` must outlive the runner's use of it.
void register_daily_register_job(jobs::Runner& runner, DailyRegisterService& registers);

}  // namespace sp::protocollo
