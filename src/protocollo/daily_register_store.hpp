#pragma once
// SQL for the daily register of protocol: what a day's register is made of (entries registered that day,
// history rows written that day, the tenant's audit head), read in one snapshot, and the append-only
// table of produced registers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/model.hpp"
#include "db/database.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/model.hpp"

namespace sp::protocollo {

// An AOO with what decides the first day of its registers.
struct RegisterAoo {
  Aoo aoo;
  std::string created_at;                          // UTC ISO
  std::optional<std::string> first_registered_at;  // its earliest entry, if any
};

// A history row of the day, with the entry it belongs to.
struct RegisterChange {
  time::TimePoint at;
  std::string entry_id;
  int year = 0;
  std::int64_t number = 0;
  HistoryField field = HistoryField::classification;
  std::string old_value;
  std::string new_value;
  std::string who;
  HistoryKind kind = HistoryKind::edit;
};

// Everything a register shows, as stored at the time of reading. `entries` are in number order, with
// their documents, as they are NOW: the service rolls them back to the end of the day with `later`.
struct RegisterContent {
  RegisterAoo aoo;
  time::TimePoint from;  // the day's first instant in Rome, inclusive
  time::TimePoint to;    // the next day's, exclusive
  std::vector<Entry> entries;
  std::vector<RegisterChange> changes;  // history rows with from <= at < to, in the order written
  std::vector<RegisterChange> later;    // history rows of these entries with at >= to, newest first
  audit::Head audit_head;               // seq 0 and the genesis hash for an empty chain
};

// One active AOO as catch_up() sees it.
struct CatchUpAoo {
  RegisterAoo aoo;
  std::int64_t registers_until = 0;  // registers of this AOO with day <= the last day asked
};

class DailyRegisterStore {
 public:
  explicit DailyRegisterStore(db::Database& db) : db_(db) {}

  std::optional<RegisterAoo> aoo(tenants::TenantId tenant, AooId id);
  // nullopt when the AOO is not the tenant's.
  std::optional<RegisterContent> content(tenants::TenantId tenant, AooId aoo, time::TimePoint from,
                                         time::TimePoint to);

  // Every active AOO of every tenant with the number of its registers up to `last_day`: one query.
  std::vector<CatchUpAoo> catch_up_state(const std::string& last_day);
  // Days that have a register, ascending.
  std::vector<std::string> days(tenants::TenantId tenant, AooId aoo);

  // False when the register of (aoo, day) already exists (ON CONFLICT DO NOTHING: on PostgreSQL a
  // unique violation would abort the transaction).
  bool insert(const DailyRegister& r);

  std::optional<DailyRegister> get(tenants::TenantId tenant, DailyRegisterId id);
  std::optional<DailyRegister> get_day(tenants::TenantId tenant, AooId aoo, const std::string& day);
  std::vector<DailyRegisterInfo> list(tenants::TenantId tenant, const DailyRegisterQuery& q, int limit);

 private:
  db::Database& db_;
};

}  // namespace sp::protocollo
