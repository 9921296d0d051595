#include "payments/bank_statement_store.hpp"

namespace sp::payments::recon {
namespace {

constexpr const char* kBankByDigest =
    "SELECT id FROM payment_bank_statements WHERE tenant_id = $1 AND sha256 = $2";
constexpr const char* kBankInsertStatement =
    "INSERT INTO payment_bank_statements (tenant_id, file_name, content, sha256, imported_by, imported_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr const char* kBankFlowKnown =
    "SELECT 1 FROM payment_flows WHERE tenant_id = $1 AND flow_id = $2 LIMIT 1";
constexpr const char* kBankInsertMovement =
    "INSERT INTO payment_bank_movements (tenant_id, statement_id, line_no, booking_date, value_date, "
    "amount_cents, direction, description, bank_reference, flow_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10) ON CONFLICT (tenant_id, bank_reference) DO NOTHING RETURNING id";

}  // namespace

std::optional<std::int64_t> BankStatementStore::by_digest(db::Conn& c, tenants::TenantId tenant,
                                                          const std::string& sha256) {
  auto r = c.query_one(kBankByDigest, {tenant, sha256});
  if (!r) return std::nullopt;
  return r->i64(0);
}

std::int64_t BankStatementStore::insert_statement(db::Conn& tx, tenants::TenantId tenant,
                                                  const std::string& file_name, const std::string& content,
                                                  const std::string& sha256, const std::string& by,
                                                  const std::string& at) {
  return tx.query_one(kBankInsertStatement, {tenant, file_name, content, sha256, by, at})->i64(0);
}

bool BankStatementStore::insert_movement(db::Conn& tx, tenants::TenantId tenant, std::int64_t statement,
                                         const BankMovement& m) {
  db::Value flow = nullptr;
  if (!m.flow_id.empty()) flow = m.flow_id;
  return !tx.query(kBankInsertMovement, {tenant, statement, m.line, m.booking_date, m.value_date, m.amount,
                                         std::string(1, m.direction), m.description, m.bank_reference, flow})
              .empty();
}

bool BankStatementStore::flow_known(db::Conn& c, tenants::TenantId tenant, const std::string& flow_id) {
  return c.query_one(kBankFlowKnown, {tenant, flow_id}).has_value();
}

}  // namespace sp::payments::recon
