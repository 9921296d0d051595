#pragma once
// Statistics of the hub and of each body (issue 19, "Statistics"; docs/statistics.md).
// Rules:
//   - Figures come from the records (statistics/store.hpp lists the tables); there are no counters. The
//     current month (and any month not rebuilt yet) is computed from the records on each request; the
//     closed months are read from the aggregates that the nightly job statistics.rebuild recomputes from
//     the records (the last 13 closed months each night; rebuild() for any window), so a late record of a
//     closed month shows after the next night's rebuild. The current month's days before today are kept
//     the same way (rebuild_days(), the same job), so a dashboard reads only today from the records.
//     Figures says when each part was computed.
//   - A window is a range of Rome's calendar months, at most kMaxMonths long; the default is the twelve
//     months ending with the current one.
//   - The hub's figures (tenant 0) are for the hub's administrators (Permission::manage_hub); a body's for
//     its administrators and office managers (Permission::read_audit, the body's own only).
//   - Extension point: figures from modules that land later (the help desk's tickets and SLA compliance)
//     are added with add_source(); each source returns its own monthly series, shown and exported like
//     the built-in ones.
// Errors: statistics.window (400: a month that does not parse, an end before the start, too long a
// window), auth.required / forbidden (identity::authorize).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "jobs/runner.hpp"
#include "statistics/store.hpp"
#include "tenants/service.hpp"

namespace sp::statistics {

constexpr int kMaxMonths = 36;

struct Window {
  int from_year = 0;
  unsigned from_month = 0;
  int to_year = 0;
  unsigned to_month = 0;
  [[nodiscard]] std::string from() const;  // "2026-01"
  [[nodiscard]] std::string to() const;
};

// The months of `w`, each with its first instant and the next month's, in Rome, as stored instants.
std::vector<MonthBound> month_bounds(const Window& w);
// "YYYY-MM" to "YYYY-MM" (empty: the default window ending with `today`'s month).
Result<Window> parse_window(const std::string& from, const std::string& to, time::Date today);

struct MonthFigures {
  bool operator==(const MonthFigures&) const = default;
  std::string month;
  std::int64_t received_online = 0;
  std::int64_t received_counter = 0;
  std::int64_t received_api = 0;  // submitted by a program through /api/v1
  std::int64_t decided = 0;
  std::int64_t decided_on_time = 0;  // by the legal due date (Rome)
  // Of the decided: seconds from submission to decision, and from submission to the end of the due date
  // (the legal term), summed; averages in days: average_days().
  std::int64_t decision_seconds = 0;
  std::int64_t legal_seconds = 0;
  std::int64_t payments = 0;
  std::int64_t payments_cents = 0;
  std::int64_t reconciled = 0;
  std::int64_t reconciled_cents = 0;
  std::int64_t certificates_online = 0;
  std::int64_t certificates_counter = 0;
  std::int64_t albo_web = 0;
  std::int64_t albo_api = 0;
  std::map<std::string, std::int64_t> messages;  // by channel: email, sms, pec, appio
  std::int64_t messages_delivered = 0;
};

struct ServiceFigures {
  bool operator==(const ServiceFigures&) const = default;
  std::string code;
  std::int64_t received = 0;
  std::int64_t decided = 0;
  std::int64_t decided_on_time = 0;
  std::int64_t decision_seconds = 0;
  std::int64_t legal_seconds = 0;
  std::int64_t overdue = 0;  // open and past the due date now
};

struct BodyFigures {
  bool operator==(const BodyFigures&) const = default;
  std::int64_t tenant = 0;
  std::string slug;
  std::string name;
  std::int64_t received = 0;
  std::int64_t decided = 0;
  std::int64_t decided_on_time = 0;
  std::int64_t decision_seconds = 0;
  std::int64_t legal_seconds = 0;
  std::int64_t overdue = 0;
  std::int64_t payments_cents = 0;
  std::int64_t certificates = 0;
  std::int64_t albo = 0;
  std::int64_t messages = 0;
};

// Average days (one decimal, rounded) of `seconds` summed over `n` decisions, in tenths of a day; -1 when
// n is 0.
std::int64_t average_tenths_of_day(std::int64_t seconds, std::int64_t n);

// A series a later module adds (extension point): one value per month of the window, and on the hub's
// figures its total over the window per body. Series with the same `chart` are drawn in one chart (the
// caption of the first); the exports carry each as rows of `figure` with `dimension`.
struct ExtraSeries {
  std::string figure;     // stable name in the exports ("helpdesk_tickets")
  std::string label_key;  // locale key of the series' name
  std::map<std::string, std::int64_t> by_month;
  std::string dimension;  // in the exports ("" when the figure has one series)
  std::string chart;      // chart id ("" : the figure's own); the same id: the same chart
  std::string chart_key;  // locale key of the chart's caption ("": label_key)
  std::map<std::int64_t, std::int64_t> by_body;  // tenant -> total over the window (hub's figures)
};
using Source =
    std::function<std::vector<ExtraSeries>(db::Conn&, std::int64_t tenant, const std::vector<MonthBound>&)>;

struct Figures {
  std::int64_t tenant = 0;  // 0: every body
  Window window;
  std::vector<MonthFigures> months;      // in order, every month of the window (zeros included)
  std::vector<ServiceFigures> services;  // a body's: by service code
  std::vector<BodyFigures> bodies;       // the hub's: by body
  std::int64_t overdue = 0;
  std::vector<ExtraSeries> extra;
  time::TimePoint computed_at;  // when the live part was read
  std::string rebuilt_at;       // the oldest rebuild of the kept months used (stored instant); empty: none

  [[nodiscard]] MonthFigures totals() const;
};

// How many open cases of a body are overdue today, of one service or all (empty): the cases module's own
// queue count (cases::CaseService::overdue_count), so "overdue" is what the back office's queue shows.
using OverdueCount = std::function<std::int64_t(std::int64_t tenant, const std::string& service_code)>;
// The same by service code, in one query (cases::CaseService::overdue_by_service); services with none
// overdue may be absent.
using OverdueByService = std::function<std::map<std::string, std::int64_t>(std::int64_t tenant)>;

class StatisticsService {
 public:
  // Without `by_service`, a body's overdue cases per service are counted one service at a time.
  StatisticsService(db::Database& db, tenants::TenantService& tenants, time::Clock& clock,
                    OverdueCount overdue, OverdueByService by_service = {})
      : db_(db),
        tenants_(tenants),
        clock_(clock),
        overdue_(std::move(overdue)),
        overdue_by_service_(std::move(by_service)) {}

  // The figures of `tenant` (0: the hub, every body) over `w`.
  Result<Figures> figures(const identity::Principal* who, std::int64_t tenant, const Window& w);
  // Computes without an authorisation check (tests, the CLI). `use_kept` false: every month from the
  // records (what the aggregates are checked against).
  Figures compute(std::int64_t tenant, const Window& w, bool use_kept = true);
  // Rebuilds the kept aggregates of the closed months of `w` (those before the current month) from the
  // records; returns how many months.
  int rebuild(const Window& w);
  // Rebuilds the kept aggregates of the current month's days before today from the records, and drops
  // the kept days of closed months; returns how many days.
  int rebuild_days();
  // The window the nightly job rebuilds: the 13 months before the current one.
  [[nodiscard]] Window rebuild_window() const;

  // Today's date in Rome by this service's clock.
  [[nodiscard]] time::Date today() const;

  // The same figures as open data: one row per body, month, figure and dimension (docs/statistics.md).
  std::string csv(const Figures& f) const;
  std::string json(const Figures& f) const;

  void add_source(Source s) { sources_.push_back(std::move(s)); }

 private:
  db::Database& db_;
  tenants::TenantService& tenants_;
  time::Clock& clock_;
  OverdueCount overdue_;
  OverdueByService overdue_by_service_;
  std::vector<Source> sources_;
};

// The nightly job "statistics.rebuild" (03:40 Rome, the latest day only).
void register_rebuild_job(jobs::Runner& runner, StatisticsService& service);

}  // namespace sp::statistics
