#include "payments/receipt_store.hpp"

#include <array>
#include <utility>

namespace sp::payments {
namespace {

constexpr std::array<std::pair<ReceiptOutcome, std::string_view>, 5> kReceiptOutcomes{{
    {ReceiptOutcome::recorded, "recorded"},
    {ReceiptOutcome::duplicate, "duplicate"},
    {ReceiptOutcome::unknown_position, "unknown_position"},
    {ReceiptOutcome::already_paid, "already_paid"},
    {ReceiptOutcome::double_payment, "double_payment"},
}};

#define RECEIPT_COLUMNS                                                                           \
  "id, tenant_id, iuv, nav, option_id, psp_id, receipt_id, payment_at, amount_cents, fee_cents, " \
  "payer_fiscal_code, payer_name, outcome, raw_payload, received_at, expected_amount_cents"
constexpr const char* kReceiptCounted =
    "SELECT id FROM payment_receipts WHERE tenant_id = $1 AND psp_id = $2 "
    "AND receipt_id = $3 AND outcome IN ('recorded', 'double_payment')";
constexpr const char* kReceiptsOfIuv =
    "SELECT " RECEIPT_COLUMNS " FROM payment_receipts WHERE tenant_id = $1 AND iuv = $2 ORDER BY id";
constexpr const char* kReceiptInsert =
    "INSERT INTO payment_receipts (tenant_id, iuv, nav, option_id, psp_id, receipt_id, payment_at, "
    "amount_cents, fee_cents, payer_fiscal_code, payer_name, outcome, raw_payload, received_at, "
    "expected_amount_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "RETURNING id";
constexpr const char* kReceiptInsertTransfer =
    "INSERT INTO payment_receipt_transfers (receipt_id, transfer_index, amount_cents, iban, stamp_hash) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kReceiptTransfers =
    "SELECT transfer_index, amount_cents, iban, stamp_hash FROM payment_receipt_transfers "
    "WHERE receipt_id = $1 ORDER BY transfer_index";

constexpr const char* kTakeActivation =
    "INSERT INTO payment_activations (tenant_id, iuv, channel, activated_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, iuv) DO UPDATE SET channel = excluded.channel, "
    "activated_at = excluded.activated_at, expires_at = excluded.expires_at "
    "WHERE payment_activations.channel = excluded.channel OR payment_activations.expires_at <= $4 "
    "RETURNING iuv";
// kTakeActivation that also takes over a lease whose channel starts with $6 (compared as a prefix, not
// a LIKE pattern: a channel name may hold '_').
constexpr const char* kTakeActivationHandingOver =
    "INSERT INTO payment_activations (tenant_id, iuv, channel, activated_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, iuv) DO UPDATE SET channel = excluded.channel, "
    "activated_at = excluded.activated_at, expires_at = excluded.expires_at "
    "WHERE payment_activations.channel = excluded.channel OR payment_activations.expires_at <= $4 "
    "OR substr(payment_activations.channel, 1, length(CAST($6 AS TEXT))) = CAST($6 AS TEXT) "
    "RETURNING iuv";
constexpr const char* kActiveChannel =
    "SELECT channel FROM payment_activations WHERE tenant_id = $1 AND iuv = $2 AND expires_at > $3";
constexpr const char* kEndActivation = "DELETE FROM payment_activations WHERE tenant_id = $1 AND iuv = $2";

ReceiptRow read_receipt_row(db::Conn& c, const db::Row& r) {
  ReceiptRow out;
  out.id = r.i64(0);
  out.tenant_id = r.i64(1);
  out.iuv = r.text(2);
  out.nav = r.text(3);
  out.option_id = r.opt_i64(4);
  out.psp_id = r.text(5);
  out.receipt_id = r.text(6);
  out.payment_at = r.text(7);
  out.amount = r.i64(8);
  out.fee = r.opt_i64(9);
  out.payer_fiscal_code = r.text(10);
  out.payer_name = r.text(11);
  out.outcome = parse_receipt_outcome(r.text(12)).value_or(ReceiptOutcome::recorded);
  out.raw_payload = r.text(13);
  out.received_at = r.text(14);
  out.expected_amount = r.opt_i64(15);
  for (const auto& t : c.query(kReceiptTransfers, {out.id}))
    out.transfers.push_back({static_cast<int>(t.i64(0)), t.i64(1), t.text(2), t.text(3)});
  return out;
}

}  // namespace

std::string_view to_string(ReceiptOutcome o) {
  for (const auto& [k, s] : kReceiptOutcomes)
    if (k == o) return s;
  return "recorded";
}

std::optional<ReceiptOutcome> parse_receipt_outcome(std::string_view s) {
  for (const auto& [k, name] : kReceiptOutcomes)
    if (name == s) return k;
  return std::nullopt;
}

db::Later ReceiptStore::counted(db::Conn& c, tenants::TenantId tenant, const std::string& psp_id,
                                const std::string& receipt_id) {
  return db::query_later(c, kReceiptCounted, {tenant, psp_id, receipt_id});
}

void ReceiptStore::insert(db::Conn& tx, ReceiptRow& r) {
  auto row = tx.query_one(
      kReceiptInsert, {r.tenant_id, r.iuv, db::text_or_null(r.nav),
                       r.option_id ? db::Value{*r.option_id} : db::Value{nullptr}, r.psp_id, r.receipt_id,
                       r.payment_at, r.amount, db::int_or_null(r.fee), db::text_or_null(r.payer_fiscal_code),
                       db::text_or_null(r.payer_name), std::string(to_string(r.outcome)), r.raw_payload,
                       r.received_at, db::int_or_null(r.expected_amount)});
  r.id = row->i64(0);
  for (const auto& t : r.transfers)
    db::exec_later(tx, kReceiptInsertTransfer,
                   {r.id, t.index, t.amount, db::text_or_null(t.iban), db::text_or_null(t.stamp_hash)});
}

std::vector<ReceiptRow> ReceiptStore::of_iuv(db::Conn& c, tenants::TenantId tenant, const std::string& iuv) {
  std::vector<ReceiptRow> out;
  for (const auto& r : c.query(kReceiptsOfIuv, {tenant, iuv})) out.push_back(read_receipt_row(c, r));
  return out;
}

bool ReceiptStore::take_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                                   const std::string& channel, const std::string& now,
                                   const std::string& expires_at) {
  return tx.query_one(kTakeActivation, {tenant, iuv, channel, now, expires_at}).has_value();
}

bool ReceiptStore::take_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                                   const std::string& channel, const std::string& now,
                                   const std::string& expires_at, const std::string& handed_over_prefix) {
  return tx.query_one(kTakeActivationHandingOver, {tenant, iuv, channel, now, expires_at, handed_over_prefix})
      .has_value();
}

std::optional<std::string> ReceiptStore::active_channel(db::Conn& c, tenants::TenantId tenant,
                                                        const std::string& iuv, const std::string& now) {
  auto r = c.query_one(kActiveChannel, {tenant, iuv, now});
  if (!r) return std::nullopt;
  return r->text(0);
}

void ReceiptStore::end_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv) {
  db::exec_later(tx, kEndActivation, {tenant, iuv});
}

std::vector<std::pair<std::string, std::int64_t>> ReceiptStore::anomalies_by_outcome(db::Conn& c) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : c.query("SELECT outcome, count(*) FROM payment_receipts WHERE outcome <> 'recorded' "
                               "GROUP BY outcome ORDER BY outcome"))
    out.emplace_back(r.text(0), r.i64(1));
  return out;
}

}  // namespace sp::payments
