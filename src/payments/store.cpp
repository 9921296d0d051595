#include "payments/store.hpp"

#include <stdexcept>

#include "db/exec_later.hpp"
#include "db/time_values.hpp"

namespace sp::payments {
namespace {

constexpr const char* kSqlUpsertCreditor =
    "INSERT INTO payment_creditors (tenant_id, fiscal_code, company_name, office_name, iban, postal_iban, "
    "broker_id, station_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) "
    "ON CONFLICT (tenant_id) DO UPDATE SET fiscal_code = excluded.fiscal_code, "
    "company_name = excluded.company_name, office_name = excluded.office_name, iban = excluded.iban, "
    "postal_iban = excluded.postal_iban, broker_id = excluded.broker_id, station_id = excluded.station_id, "
    "updated_at = excluded.updated_at";
constexpr const char* kSqlAddSegregationCode =
    "INSERT INTO payment_iuv_counters (tenant_id, segregation_code, position, next_base) VALUES ($1, $2, $3, "
    "1) "
    "ON CONFLICT (tenant_id, segregation_code) DO UPDATE SET position = excluded.position";
constexpr const char* kSqlCreditor =
    "SELECT tenant_id, fiscal_code, company_name, office_name, iban, postal_iban, broker_id, station_id "
    "FROM payment_creditors WHERE tenant_id = $1";
constexpr const char* kSqlSegregationCodes =
    "SELECT segregation_code FROM payment_iuv_counters WHERE tenant_id = $1 ORDER BY position, "
    "segregation_code";
constexpr const char* kSqlReserveBases =
    "UPDATE payment_iuv_counters SET next_base = next_base + $3 WHERE tenant_id = $1 AND segregation_code = "
    "$2 "
    "RETURNING next_base";

constexpr const char* kSqlInsertPosition =
    "INSERT INTO payment_positions (id, tenant_id, iupd, debtor_type, debtor_fiscal_code, debtor_name, "
    "street_name, civic_number, postal_code, city, province, region, country, email, phone, company_name, "
    "office_name, kind, fine_notification_date, fine_sanction_cents, fine_expenses_cents, status, "
    "validity_date, replaces_id, version, created_by, created_at, updated_at, published_at, paid_at, "
    "switch_to_expired) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, "
    "$23, $24, $25, $26, $27, $28, $29, $30, $31)";
constexpr const char* kSqlInsertOption =
    "INSERT INTO payment_options (tenant_id, position_id, ordinal, iuv, nav, amount_cents, description, "
    "due_date, retention_date, is_partial_payment, fine_role, status, paid_at) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
constexpr const char* kSqlInsertTransfer =
    "INSERT INTO payment_transfers (option_id, transfer_index, amount_cents, iban, postal_iban, stamp_type, "
    "stamp_hash, stamp_province, remittance, category, organization_fiscal_code, status) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

constexpr std::size_t kPositionColumns = 31;  // POSITION_COLUMNS below
#define POSITION_COLUMNS                                                                                     \
  "p.id, p.tenant_id, p.iupd, p.debtor_type, p.debtor_fiscal_code, p.debtor_name, p.street_name, "           \
  "p.civic_number, p.postal_code, p.city, p.province, p.region, p.country, p.email, p.phone, "               \
  "p.company_name, p.office_name, p.kind, p.fine_notification_date, p.fine_sanction_cents, "                 \
  "p.fine_expenses_cents, p.status, p.validity_date, p.replaces_id, p.version, p.created_at, p.updated_at, " \
  "p.published_at, p.paid_at, p.created_by, p.switch_to_expired"
constexpr const char* kSqlPositionByIupd =
    "SELECT " POSITION_COLUMNS " FROM payment_positions p WHERE p.tenant_id = $1 AND p.iupd = $2";
constexpr const char* kSqlPositionById =
    "SELECT " POSITION_COLUMNS " FROM payment_positions p WHERE p.tenant_id = $1 AND p.id = $2";
// A position with its options and transfers in one query (one row per transfer, or per option without
// transfers): POSITION_COLUMNS (0-30), then OPTION_COLUMNS (31-41), then TRANSFER_COLUMNS (42-53).
#define OPTION_COLUMNS                                                                                      \
  "o.id, o.iuv, o.nav, o.amount_cents, o.description, o.due_date, o.retention_date, o.is_partial_payment, " \
  "o.fine_role, o.status, o.paid_at"
#define TRANSFER_COLUMNS                                                                               \
  "t.option_id, t.transfer_index, t.amount_cents, t.iban, t.postal_iban, t.stamp_type, t.stamp_hash, " \
  "t.stamp_province, t.remittance, t.category, t.organization_fiscal_code, t.status"
#define POSITION_TREE_BY_IUV                                                      \
  "payment_options k JOIN payment_positions p ON p.id = k.position_id "           \
  "JOIN payment_options o ON o.position_id = p.id AND o.tenant_id = k.tenant_id " \
  "LEFT JOIN payment_transfers t ON t.option_id = o.id "
constexpr const char* kSqlPositionTreeByIuv =
    "SELECT " POSITION_COLUMNS ", " OPTION_COLUMNS ", " TRANSFER_COLUMNS " FROM " POSITION_TREE_BY_IUV
    "WHERE k.tenant_id = $1 AND k.iuv = $2 ORDER BY o.ordinal, t.transfer_index";
// The creditor (columns 0-7) and, when the IUV is the body's, its position tree from column 8: the
// creditor row is there whether or not the IUV is (LEFT JOIN), so a row with NULL p.id means "no such
// notice". One statement: the station reads both on every call.
constexpr const char* kSqlStationView =
    "SELECT c.tenant_id, c.fiscal_code, c.company_name, c.office_name, c.iban, c.postal_iban, c.broker_id, "
    "c.station_id, " POSITION_COLUMNS ", " OPTION_COLUMNS ", " TRANSFER_COLUMNS
    " FROM payment_creditors c LEFT JOIN (" POSITION_TREE_BY_IUV
    ") ON k.tenant_id = c.tenant_id AND k.iuv = $2 WHERE c.tenant_id = $1 ORDER BY o.ordinal, "
    "t.transfer_index";
constexpr const char* kSqlPositions =
    "SELECT " POSITION_COLUMNS
    " FROM payment_positions p WHERE p.tenant_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR p.status = CAST($2 AS TEXT)) "
    "AND (CAST($5 AS TEXT) IS NULL OR p.debtor_fiscal_code = CAST($5 AS TEXT)) "
    "AND (CAST($6 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM payment_options o "
    "WHERE o.position_id = p.id AND o.tenant_id = p.tenant_id "
    "AND (o.iuv = CAST($6 AS TEXT) OR o.nav = CAST($6 AS TEXT)))) "
    "AND (CAST($7 AS TEXT) IS NULL OR lower(p.iupd) LIKE CAST($7 AS TEXT) "
    "OR lower(p.debtor_name) LIKE CAST($7 AS TEXT) OR EXISTS (SELECT 1 "
    "FROM payment_options o WHERE o.position_id = p.id AND o.tenant_id = "
    "p.tenant_id AND lower(o.description) LIKE CAST($7 AS TEXT))) "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT $3 OFFSET $4";
constexpr const char* kSqlPositionsOfDebtor = "SELECT " POSITION_COLUMNS
                                              " FROM payment_positions p WHERE p.debtor_fiscal_code = $1 "
                                              "ORDER BY p.created_at DESC, p.id DESC LIMIT $2";
constexpr const char* kSqlIupdExists = "SELECT 1 FROM payment_positions WHERE tenant_id = $1 AND iupd = $2";
constexpr const char* kSqlIuvExists = "SELECT 1 FROM payment_options WHERE tenant_id = $1 AND iuv = $2";
constexpr const char* kSqlOptions =
    "SELECT id, iuv, nav, amount_cents, description, due_date, retention_date, is_partial_payment, "
    "fine_role, "
    "status, paid_at FROM payment_options WHERE position_id = $1 AND tenant_id = $2 ORDER BY ordinal";
constexpr const char* kSqlTransfers =
    "SELECT t.option_id, t.transfer_index, t.amount_cents, t.iban, t.postal_iban, t.stamp_type, "
    "t.stamp_hash, "
    "t.stamp_province, t.remittance, t.category, t.organization_fiscal_code, t.status FROM payment_transfers "
    "t "
    "JOIN payment_options o ON o.id = t.option_id WHERE o.position_id = $1 AND o.tenant_id = $2 "
    "ORDER BY t.option_id, t.transfer_index";

constexpr const char* kSqlUpdateStatus =
    "UPDATE payment_positions SET status = $3, version = version + 1, updated_at = $4, "
    "published_at = COALESCE(CAST($5 AS TEXT), published_at), paid_at = COALESCE(CAST($6 AS TEXT), paid_at) "
    "WHERE id = $1 AND tenant_id = $2 AND version = $7";
constexpr const char* kSqlUpdateStatusReturning =
    "UPDATE payment_positions SET status = $3, version = version + 1, updated_at = $4, "
    "paid_at = COALESCE(CAST($5 AS TEXT), paid_at) WHERE id = $1 AND tenant_id = $2 AND version = $6 "
    "RETURNING id";
constexpr const char* kSqlOptionPaid =
    "UPDATE payment_options SET status = 'paid', paid_at = $2 WHERE id = $1 AND status = 'unpaid'";
constexpr const char* kSqlTransfersPaid =
    "UPDATE payment_transfers SET status = 'paid' WHERE option_id = $1 AND status = 'unpaid'";

constexpr const char* kSqlPublishedDue =
    "SELECT tenant_id, iupd FROM payment_positions WHERE status = 'PUBLISHED' AND validity_date IS NOT NULL "
    "AND validity_date <= $1 ORDER BY validity_date, id LIMIT $2";
constexpr const char* kSqlFinesPastDue =
    "SELECT p.tenant_id, p.iupd FROM payment_positions p WHERE p.status = 'VALID' "
    "AND (p.kind = 'fine' OR p.switch_to_expired) "
    "AND NOT EXISTS (SELECT 1 FROM payment_options o WHERE o.position_id = p.id AND o.tenant_id = "
    "p.tenant_id "
    "AND o.due_date >= $1) ORDER BY p.created_at, p.id LIMIT $2";

constexpr const char* kSqlOptionsDue =
    "SELECT o.tenant_id, o.id, p.debtor_fiscal_code, o.nav, o.amount_cents, o.description, o.due_date "
    "FROM payment_options o JOIN payment_positions p ON p.id = o.position_id AND p.tenant_id = o.tenant_id "
    "WHERE o.status = 'unpaid' AND p.status IN ('VALID', 'PARTIALLY_PAID') AND p.debtor_type = 'F' "
    "AND o.due_date >= $1 AND o.due_date <= $2 ORDER BY o.due_date, o.id LIMIT $3";

db::Value store_opt_text(const std::string& s) {
  return db::text_or_null(s);
}

Position store_position_from(const db::Row& r, std::size_t at = 0);

// The row's columns from `at` on, as a view that adds `at` to every index.
struct ShiftedRow {
  const db::Row& r;
  std::size_t at;
  [[nodiscard]] std::string text(std::size_t i) const { return r.text(at + i); }
  [[nodiscard]] std::int64_t i64(std::size_t i) const { return r.i64(at + i); }
  [[nodiscard]] bool is_null(std::size_t i) const { return r.is_null(at + i); }
};

Option store_option_from(const db::Row& row, std::size_t at) {
  const ShiftedRow r{row, at};
  Option o;
  o.id = r.i64(0);
  o.iuv = r.text(1);
  o.nav = r.text(2);
  o.amount = r.i64(3);
  o.description = r.text(4);
  o.due_date = db::date(row, at + 5);
  o.retention_date = db::opt_date(row, at + 6);
  o.is_partial_payment = row.boolean(at + 7);
  o.fine_role = parse_fine_role(r.text(8)).value_or(FineRole::none);
  o.status = parse_option_status(r.text(9)).value_or(OptionStatus::unpaid);
  o.paid_at = db::opt_instant(row, at + 10);
  return o;
}

// The transfer's columns from `at` on (the option id first, skipped here).
Transfer store_transfer_from(const db::Row& row, std::size_t at) {
  const ShiftedRow r{row, at};
  Transfer t;
  t.index = static_cast<int>(r.i64(1));
  t.amount = r.i64(2);
  t.iban = r.text(3);
  t.postal_iban = r.text(4);
  if (!r.is_null(5)) t.stamp = Stamp{r.text(5), r.text(6), r.text(7)};
  t.remittance = r.text(8);
  t.category = r.text(9);
  t.organization_fiscal_code = r.text(10);
  t.status = parse_option_status(r.text(11)).value_or(OptionStatus::unpaid);
  return t;
}

// A position tree (POSITION_COLUMNS, OPTION_COLUMNS, TRANSFER_COLUMNS from column `at`) from its rows,
// ordered by option then transfer; nullopt when there are none or the position columns are NULL.
std::optional<Position> store_tree_from(const std::vector<db::Row>& rows, std::size_t at) {
  if (rows.empty() || rows.front().is_null(at)) return std::nullopt;
  Position p = store_position_from(rows.front(), at);
  const std::size_t option_at = at + kPositionColumns;
  const std::size_t transfer_at = option_at + 11;
  for (const auto& r : rows) {
    const OptionId id = r.i64(option_at);
    if (p.options.empty() || p.options.back().id != id) p.options.push_back(store_option_from(r, option_at));
    if (!r.is_null(transfer_at)) p.options.back().transfers.push_back(store_transfer_from(r, transfer_at));
  }
  return p;
}

Position store_position_from(const db::Row& row, std::size_t at) {
  if (at != 0) {
    // The same columns further right (the station's view): copied into a row of their own.
    std::vector<db::Value> cols;
    for (std::size_t i = 0; i < kPositionColumns; ++i) cols.push_back(row.raw(at + i));
    return store_position_from(db::Row(std::move(cols), nullptr), 0);
  }
  const db::Row& r = row;
  Position p;
  p.id = r.text(0);
  p.tenant_id = r.i64(1);
  p.iupd = r.text(2);
  p.debtor.type = parse_debtor_type(r.text(3)).value_or(DebtorType::person);
  p.debtor.fiscal_code = r.text(4);
  p.debtor.full_name = r.text(5);
  p.debtor.street_name = r.text(6);
  p.debtor.civic_number = r.text(7);
  p.debtor.postal_code = r.text(8);
  p.debtor.city = r.text(9);
  p.debtor.province = r.text(10);
  p.debtor.region = r.text(11);
  p.debtor.country = r.text(12);
  p.debtor.email = r.text(13);
  p.debtor.phone = r.text(14);
  p.company_name = r.text(15);
  p.office_name = r.text(16);
  p.kind = parse_position_kind(r.text(17)).value_or(PositionKind::ordinary);
  if (p.kind == PositionKind::fine) p.fine = FineTerms{db::date(r, 18), r.i64(19), r.i64(20)};
  auto status = parse_position_status(r.text(21));
  if (!status) throw std::runtime_error("payments: unknown position status " + r.text(21));
  p.status = *status;
  p.validity_date = db::opt_instant(r, 22);
  p.replaces_id = r.text(23);
  p.version = r.i64(24);
  p.created_at = db::instant(r, 25);
  p.updated_at = db::instant(r, 26);
  p.published_at = db::opt_instant(r, 27);
  p.paid_at = db::opt_instant(r, 28);
  p.created_by = r.text(29);
  p.switch_to_expired = r.boolean(30);
  return p;
}

void store_load_options(db::Conn& c, Position& p) {
  // The same column lists as OPTION_COLUMNS and TRANSFER_COLUMNS: the same readers.
  for (const auto& r : c.query(kSqlOptions, {p.id, p.tenant_id}))
    p.options.push_back(store_option_from(r, 0));
  for (const auto& r : c.query(kSqlTransfers, {p.id, p.tenant_id})) {
    const OptionId option = r.i64(0);
    for (auto& o : p.options)
      if (o.id == option) o.transfers.push_back(store_transfer_from(r, 0));
  }
}

std::optional<Position> store_one(db::Conn& c, const char* sql, const db::Params& params) {
  auto r = c.query_one(sql, params);
  if (!r) return std::nullopt;
  Position p = store_position_from(*r);
  store_load_options(c, p);
  return p;
}

std::vector<Position> store_many(db::Database& db, const char* sql, const db::Params& params) {
  std::vector<Position> out;
  db.read([&](db::Conn& c) {
    for (const auto& r : c.query(sql, params)) out.push_back(store_position_from(r));
    for (auto& p : out) store_load_options(c, p);
  });
  return out;
}

}  // namespace

void PaymentsStore::upsert_creditor(db::Conn& tx, const Creditor& c, const std::string& now) {
  tx.exec(kSqlUpsertCreditor, {c.tenant_id, c.fiscal_code, c.company_name, store_opt_text(c.office_name),
                               c.iban, store_opt_text(c.postal_iban), c.broker_id, c.station_id, now});
  std::int64_t position = 0;
  for (const auto& code : c.segregation_codes)
    tx.exec(kSqlAddSegregationCode, {c.tenant_id, code, position++});
}

std::optional<Creditor> PaymentsStore::creditor(db::Conn& c, tenants::TenantId tenant) {
  auto r = c.query_one(kSqlCreditor, {tenant});
  if (!r) return std::nullopt;
  Creditor out{r->i64(0),  r->text(1), r->text(2), r->text(3), {},
               r->text(4), r->text(5), r->text(6), r->text(7)};
  for (const auto& s : c.query(kSqlSegregationCodes, {tenant})) out.segregation_codes.push_back(s.text(0));
  return out;
}

std::optional<Creditor> PaymentsStore::creditor(tenants::TenantId tenant) {
  std::optional<Creditor> out;
  db_.read([&](db::Conn& c) { out = creditor(c, tenant); });
  return out;
}

std::optional<std::int64_t> PaymentsStore::reserve_bases(db::Conn& tx, tenants::TenantId tenant,
                                                         const std::string& segregation_code,
                                                         std::int64_t n) {
  auto r = tx.query_one(kSqlReserveBases, {tenant, segregation_code, n});
  if (!r) return std::nullopt;
  return r->i64(0) - n;
}

void PaymentsStore::insert_position(db::Conn& tx, Position& p) {
  tx.exec(kSqlInsertPosition, {p.id,
                               p.tenant_id,
                               p.iupd,
                               std::string(to_string(p.debtor.type)),
                               p.debtor.fiscal_code,
                               p.debtor.full_name,
                               store_opt_text(p.debtor.street_name),
                               store_opt_text(p.debtor.civic_number),
                               store_opt_text(p.debtor.postal_code),
                               store_opt_text(p.debtor.city),
                               store_opt_text(p.debtor.province),
                               store_opt_text(p.debtor.region),
                               store_opt_text(p.debtor.country),
                               store_opt_text(p.debtor.email),
                               store_opt_text(p.debtor.phone),
                               p.company_name,
                               store_opt_text(p.office_name),
                               std::string(to_string(p.kind)),
                               p.fine ? db::date_text(p.fine->notification_date) : db::Value{nullptr},
                               p.fine ? db::Value{p.fine->sanction} : db::Value{nullptr},
                               p.fine ? db::Value{p.fine->expenses} : db::Value{nullptr},
                               std::string(to_string(p.status)),
                               db::instant_or_null(p.validity_date),
                               store_opt_text(p.replaces_id),
                               p.version,
                               p.created_by,
                               db::instant_text(p.created_at),
                               db::instant_text(p.updated_at),
                               db::instant_or_null(p.published_at),
                               db::instant_or_null(p.paid_at),
                               std::int64_t{p.switch_to_expired ? 1 : 0}});
  std::int64_t ordinal = 0;
  for (auto& o : p.options) {
    auto r = tx.query_one(
        kSqlInsertOption,
        {p.tenant_id, p.id, ordinal++, o.iuv, o.nav, o.amount, o.description, db::date_text(o.due_date),
         db::date_or_null(o.retention_date), std::int64_t{o.is_partial_payment ? 1 : 0},
         o.fine_role == FineRole::none ? db::Value{nullptr} : db::Value{std::string(to_string(o.fine_role))},
         std::string(to_string(o.status)), db::instant_or_null(o.paid_at)});
    if (!r) throw std::logic_error("INSERT ... RETURNING gave no row");
    o.id = r->i64(0);
    for (const auto& t : o.transfers) {
      tx.exec(kSqlInsertTransfer,
              {o.id, std::int64_t{t.index}, t.amount, store_opt_text(t.iban), store_opt_text(t.postal_iban),
               t.stamp ? db::Value{t.stamp->type} : db::Value{nullptr},
               t.stamp ? db::Value{t.stamp->hash_document} : db::Value{nullptr},
               t.stamp ? db::Value{t.stamp->provincial_residence} : db::Value{nullptr}, t.remittance,
               t.category, store_opt_text(t.organization_fiscal_code), std::string(to_string(t.status))});
    }
  }
}

bool PaymentsStore::iupd_exists(db::Conn& c, tenants::TenantId tenant, const std::string& iupd) {
  return c.query_one(kSqlIupdExists, {tenant, iupd}).has_value();
}

bool PaymentsStore::iuv_exists(db::Conn& c, tenants::TenantId tenant, const std::string& iuv) {
  return c.query_one(kSqlIuvExists, {tenant, iuv}).has_value();
}

std::optional<Position> PaymentsStore::position_by_iupd(db::Conn& c, tenants::TenantId tenant,
                                                        const std::string& iupd) {
  return store_one(c, kSqlPositionByIupd, {tenant, iupd});
}

std::optional<Position> PaymentsStore::position_by_id(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& id) {
  return store_one(c, kSqlPositionById, {tenant, id});
}

std::optional<Position> PaymentsStore::position_by_iuv(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& iuv) {
  return store_tree_from(c.query(kSqlPositionTreeByIuv, {tenant, iuv}), 0);
}

PaymentsStore::StationView PaymentsStore::station_view(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& iuv) {
  StationView out;
  const auto rows = c.query(kSqlStationView, {tenant, iuv});
  if (rows.empty()) return out;
  const auto& r = rows.front();
  out.creditor =
      Creditor{r.i64(0), r.text(1), r.text(2), r.text(3), {}, r.text(4), r.text(5), r.text(6), r.text(7)};
  out.position = store_tree_from(rows, 8);
  return out;
}

std::optional<Position> PaymentsStore::position_by_iupd(tenants::TenantId tenant, const std::string& iupd) {
  std::optional<Position> out;
  db_.read([&](db::Conn& c) { out = position_by_iupd(c, tenant, iupd); });
  return out;
}

std::vector<Position> PaymentsStore::positions(tenants::TenantId tenant, const PositionQuery& q) {
  return store_many(db_, kSqlPositions,
                    {tenant, q.status ? db::Value{std::string(to_string(*q.status))} : db::Value{nullptr},
                     std::int64_t{q.limit}, std::int64_t{q.offset},
                     q.fiscal_code.empty() ? db::Value{nullptr} : db::Value{q.fiscal_code},
                     q.notice.empty() ? db::Value{nullptr} : db::Value{q.notice},
                     q.text.empty() ? db::Value{nullptr} : db::Value{"%" + q.text + "%"}});
}

std::vector<Position> PaymentsStore::positions_of_debtor(const std::string& fiscal_code, int limit) {
  return store_many(db_, kSqlPositionsOfDebtor, {fiscal_code, std::int64_t{limit}});
}

bool PaymentsStore::update_status(db::Conn& tx, const Position& p, PositionStatus next,
                                  const std::string& now, const std::optional<std::string>& published_at,
                                  const std::optional<std::string>& paid_at) {
  return tx.exec(kSqlUpdateStatus, {p.id, p.tenant_id, std::string(to_string(next)), now,
                                    published_at ? db::Value{*published_at} : db::Value{nullptr},
                                    paid_at ? db::Value{*paid_at} : db::Value{nullptr}, p.version}) == 1;
}

db::Later PaymentsStore::update_status_later(db::Conn& tx, const Position& p, PositionStatus next,
                                             const std::string& now,
                                             const std::optional<std::string>& paid_at) {
  return db::query_later(tx, kSqlUpdateStatusReturning,
                         {p.id, p.tenant_id, std::string(to_string(next)), now,
                          paid_at ? db::Value{*paid_at} : db::Value{nullptr}, p.version});
}

void PaymentsStore::set_option_paid(db::Conn& tx, OptionId option, const std::string& at) {
  db::exec_later(tx, kSqlOptionPaid, {option, at});
  db::exec_later(tx, kSqlTransfersPaid, {option});
}

std::vector<PositionRef> PaymentsStore::published_due(db::Conn& c, const std::string& now, int limit) {
  std::vector<PositionRef> out;
  for (const auto& r : c.query(kSqlPublishedDue, {now, std::int64_t{limit}}))
    out.emplace_back(r.i64(0), r.text(1));
  return out;
}

std::vector<DueOption> PaymentsStore::options_due(db::Conn& c, const std::string& from, const std::string& to,
                                                  int limit) {
  std::vector<DueOption> out;
  for (const auto& r : c.query(kSqlOptionsDue, {from, to, std::int64_t{limit}})) {
    DueOption d;
    d.tenant_id = r.i64(0);
    d.option_id = r.i64(1);
    d.debtor_fiscal_code = r.text(2);
    d.nav = r.text(3);
    d.amount = r.i64(4);
    d.description = r.text(5);
    d.due_date = db::date(r, 6);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<PositionRef> PaymentsStore::fines_past_due(db::Conn& c, const std::string& today, int limit) {
  std::vector<PositionRef> out;
  for (const auto& r : c.query(kSqlFinesPastDue, {today, std::int64_t{limit}}))
    out.emplace_back(r.i64(0), r.text(1));
  return out;
}

}  // namespace sp::payments
