#pragma once
// The statistics' SQL (docs/statistics.md). Every figure is an aggregate over the records of the modules
// that own them; there is no counter to drift. The closed months' aggregates are also kept in
// statistics_months (written only by rebuild_month, from these same queries, by the nightly job) so that
// the dashboards need not read years of records on each request. Record tables read (and only read):
//   cases                 applications received (submitted_at), decided (decided_at), on time (due_date)
//   payment_receipts      payments collected (payment_at; counted outcomes only)
//   payment_flow_rows     whether a receipt was reported by its PSP's flow (reconciled)
//   certificate_requests  certificates issued (issued_at, state 'issued')
//   albo_publications     albo publications (registered_at)
//   outbox                messages by channel (created_at)
// Overdue cases are counted by the cases module's own queue count (cases::CaseService::overdue_count, see
// service.hpp), so that "overdue" means exactly what the back office's queue shows.
// `tenant` 0 reads every body (the hub's dashboard); any other value only that body's rows.
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace sp::statistics {

// One month of the window: its key ("2026-11") and its instants in UTC (Rome's first instant of the
// month and of the next, as stored instants' text), so months are Rome's calendar months.
struct MonthBound {
  std::string month;
  std::string lo;
  std::string hi;
};

// One aggregated row: body, month, a dimension (service code or channel, by query) and the measures.
struct Fact {
  std::int64_t tenant = 0;
  std::string month;
  std::string key;   // service code (received/decided) or channel
  std::string key2;  // channel for received/decided; due date for the on-time check
  std::int64_t count = 0;
  std::int64_t a = 0;  // query-specific: on time for sure / cents / delivered
  std::int64_t b = 0;  // query-specific: reconciled count
  std::int64_t c = 0;  // query-specific: reconciled cents
};

// What a kept aggregate covers: a closed month ("YYYY-MM", statistics_months) or a closed day of the
// current month ("YYYY-MM-DD", statistics_days).
enum class Period { month, day };

class StatisticsStore {
 public:
  // Cases submitted in each month, by body, service and channel ('online', 'counter', 'api').
  static std::vector<Fact> received(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months);
  // Cases decided in each month (decided_at; withdrawn cases are not decisions), by body, service and
  // channel; `a` counts those decided before 22:00 UTC of their due date (surely on time in Rome); `b` sums
  // the seconds from submission to decision, `c` those from submission to the end of the due date.
  static std::vector<Fact> decided(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months);
  // The decisions between 22:00 and 23:00 UTC of their due date, by body, service, channel and due date
  // (key2 is "channel YYYY-MM-DD"): on time only when Rome was at +01:00 that day, which the service
  // decides.
  static std::vector<Fact> decided_in_last_hour(db::Conn& c, std::int64_t tenant,
                                                const std::vector<MonthBound>& months);
  // Counted receipts (recorded and double payments) by body and month of payment: count, `a` cents;
  // `b`, `c` count and cents of those a PSP's reporting flow reported.
  static std::vector<Fact> payments(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months);
  // Certificates issued by body, month of issue and channel.
  static std::vector<Fact> certificates(db::Conn& c, std::int64_t tenant,
                                        const std::vector<MonthBound>& months);
  // Albo publications by body, month of registration and channel ('web', 'api').
  static std::vector<Fact> albo(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months);
  // Messages by body, month of creation and channel; `a` those delivered.
  static std::vector<Fact> messages(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months);
  // The service codes of the body's open cases (for the overdue figure per service).
  static std::vector<std::string> open_services(db::Conn& c, std::int64_t tenant);

  // --- the kept aggregates (statistics_months, statistics_rebuilds; by day: statistics_days,
  // statistics_day_rebuilds) ---
  // Replaces the month's (or day's) kept facts of every body with `facts` (by figure name) and records
  // when.
  static void rebuild_month(db::Conn& tx, const std::string& month,
                            const std::vector<std::pair<std::string, std::vector<Fact>>>& facts,
                            const std::string& rebuilt_at, Period p = Period::month);
  // The months (days) from `from` to `to` ("YYYY-MM", "YYYY-MM-DD") that were rebuilt, with when.
  static std::vector<std::pair<std::string, std::string>> rebuilt(db::Conn& c, const std::string& from,
                                                                  const std::string& to,
                                                                  Period p = Period::month);
  // The kept facts of `figure` for the months (days) from `from` to `to`, of `tenant` (0: every body);
  // Fact::month is the month (day) key.
  static std::vector<Fact> kept(db::Conn& c, std::int64_t tenant, const std::string& figure,
                                const std::string& from, const std::string& to, Period p = Period::month);
  // Drops the kept days before `day` (their month is closed: statistics_months keeps it).
  static void forget_days_before(db::Conn& tx, const std::string& day);
};

}  // namespace sp::statistics
