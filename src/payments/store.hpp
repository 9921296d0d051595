#pragma once
// SQL for payments: creditor settings, IUV counters, debt positions with their options and transfers.
// Every query names the tenant, except positions_of_debtor (the citizen's own positions across the hub's
// bodies; the service decides who may ask). Writes take the caller's transaction.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "db/exec_later.hpp"
#include "payments/model.hpp"

namespace sp::payments {

struct PositionQuery {
  std::optional<PositionStatus> status;
  std::string fiscal_code;  // the debtor's, exact (upper case); "" = any
  std::string notice;       // an option's IUV (17 digits) or notice number (18); "" = any
  std::string text;         // lower-case words in the iupd, the debtor's name or a description; "" = any
  int limit = 50;
  int offset = 0;
};

// A position named by its body and IUPD.
using PositionRef = std::pair<tenants::TenantId, std::string>;

class PaymentsStore {
 public:
  explicit PaymentsStore(db::Database& db) : db_(db) {}

  // Creditor settings; segregation codes are added, never removed (their counters must never restart).
  static void upsert_creditor(db::Conn& tx, const Creditor& c, const std::string& now);
  static std::optional<Creditor> creditor(db::Conn& c, tenants::TenantId tenant);
  std::optional<Creditor> creditor(tenants::TenantId tenant);

  // Reserves `n` consecutive IUV bases of (tenant, segregation code) and returns the first; nullopt when
  // the code is not the creditor's. Meant for a short transaction of its own (the row stays locked
  // until that transaction ends).
  static std::optional<std::int64_t> reserve_bases(db::Conn& tx, tenants::TenantId tenant,
                                                   const std::string& segregation_code, std::int64_t n);

  // Inserts the position, its options (ids filled in) and transfers.
  static void insert_position(db::Conn& tx, Position& p);
  static bool iupd_exists(db::Conn& c, tenants::TenantId tenant, const std::string& iupd);
  static bool iuv_exists(db::Conn& c, tenants::TenantId tenant, const std::string& iuv);
  static std::optional<Position> position_by_iupd(db::Conn& c, tenants::TenantId tenant,
                                                  const std::string& iupd);
  static std::optional<Position> position_by_id(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  // The position holding the option with this IUV (the station's lookup), with its options and
  // transfers, in one query.
  static std::optional<Position> position_by_iuv(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& iuv);
  // What the pagoPA station reads on every call, in one query: the body's creditor settings (without
  // segregation codes: the station does not use them) and the position holding `iuv` as
  // position_by_iuv() gives it. creditor is nullopt when the body has none (then position too).
  struct StationView {
    std::optional<Creditor> creditor;
    std::optional<Position> position;
  };
  static StationView station_view(db::Conn& c, tenants::TenantId tenant, const std::string& iuv);
  std::optional<Position> position_by_iupd(tenants::TenantId tenant, const std::string& iupd);
  std::vector<Position> positions(tenants::TenantId tenant, const PositionQuery& q);
  // Every body's positions of a debtor (fiscal code), newest first.
  std::vector<Position> positions_of_debtor(const std::string& fiscal_code, int limit);

  // State changes, optimistic on `version`: false when the row moved meanwhile (or is not the tenant's).
  static bool update_status(db::Conn& tx, const Position& p, PositionStatus next, const std::string& now,
                            const std::optional<std::string>& published_at,
                            const std::optional<std::string>& paid_at);
  // update_status() sent with the transaction's next statement (db::query_later; on PostgreSQL in a write
  // transaction): the position was updated when its rows are not empty.
  static db::Later update_status_later(db::Conn& tx, const Position& p, PositionStatus next,
                                       const std::string& now, const std::optional<std::string>& paid_at);
  // The option and its transfers paid: sent with the transaction's next statement on PostgreSQL
  // (db::exec_later; record_option_paid's next is the position's update, whose row count it reads).
  static void set_option_paid(db::Conn& tx, OptionId option, const std::string& at);

  // The jobs' candidates across bodies (checked again by each transition): PUBLISHED positions whose
  // validity date is at or before `now` (UTC ISO with ms), and VALID fines whose every option is due
  // before `today` (YYYY-MM-DD, Rome); at most `limit`, oldest first.
  static std::vector<PositionRef> published_due(db::Conn& c, const std::string& now, int limit);
  static std::vector<PositionRef> fines_past_due(db::Conn& c, const std::string& today, int limit);
  // Unpaid options of payable positions (VALID, PARTIALLY_PAID) of persons (debtor type F) due from
  // `from` to `to` (YYYY-MM-DD, inclusive), every body's, by due date; at most `limit` (the reminders).
  static std::vector<DueOption> options_due(db::Conn& c, const std::string& from, const std::string& to,
                                            int limit);

 private:
  db::Database& db_;
};

}  // namespace sp::payments
