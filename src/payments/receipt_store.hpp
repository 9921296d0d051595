#pragma once
// SQL for the station (station.hpp): the receipts it records (payment_receipts and
// payment_receipt_transfers, migration 0024: append-only) and the payments in progress
// (payment_activations, migration 0025). Every query names the tenant. Writes take the caller's transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "db/database.hpp"
#include "db/exec_later.hpp"
#include "tenants/model.hpp"

namespace sp::payments {

// What a receipt turned out to be (payment_receipts.outcome).
enum class ReceiptOutcome { recorded, duplicate, unknown_position, already_paid, double_payment };
std::string_view to_string(ReceiptOutcome o);
std::optional<ReceiptOutcome> parse_receipt_outcome(std::string_view s);

struct ReceiptTransferRow {
  int index = 1;
  money::Cents amount = 0;
  std::string iban;        // or
  std::string stamp_hash;  // a digital stamp's document hash
};

struct ReceiptRow {
  std::int64_t id = 0;
  tenants::TenantId tenant_id = 0;
  std::string iuv;
  std::string nav;
  std::optional<std::int64_t> option_id;
  std::string psp_id;
  std::string receipt_id;
  std::string payment_at;  // UTC ISO 8601 with milliseconds
  money::Cents amount = 0;
  std::optional<money::Cents> fee;
  std::string payer_fiscal_code;
  std::string payer_name;
  ReceiptOutcome outcome = ReceiptOutcome::recorded;
  std::string raw_payload;
  std::string received_at;
  // What the station expected (the amount due on the payment's day, or the option's own amount when
  // that is what was paid); nullopt without an option. Another amount is recorded and flagged, never
  // refused (migration 0028).
  std::optional<money::Cents> expected_amount;
  std::vector<ReceiptTransferRow> transfers;
  [[nodiscard]] bool amount_mismatch() const { return expected_amount && *expected_amount != amount; }
};

class ReceiptStore {
 public:
  // Whether a receipt of (psp, receiptId) counted (recorded or double_payment): its rows are not empty. On
  // PostgreSQL, inside a write transaction, the query goes out with the next statement (db::query_later).
  static db::Later counted(db::Conn& c, tenants::TenantId tenant, const std::string& psp_id,
                           const std::string& receipt_id);
  // Inserts the receipt (id filled in) and its transfers (those sent with the transaction's next statement
  // on PostgreSQL: db::exec_later). Throws db::DbError unique_violation when the partial unique indexes
  // refuse the receipt (a concurrent receipt won).
  static void insert(db::Conn& tx, ReceiptRow& r);
  // Receipts of an IUV, oldest first.
  static std::vector<ReceiptRow> of_iuv(db::Conn& c, tenants::TenantId tenant, const std::string& iuv);
  // Every body's receipts that were not simply recorded, counted by outcome (the hub's /metrics: the
  // operators' alerts on orphan receipts and double payments; migration 0072's partial index keeps it a
  // read of the few anomalies, not of every receipt). Across tenants on purpose: only /metrics calls it.
  static std::vector<std::pair<std::string, std::int64_t>> anomalies_by_outcome(db::Conn& c);

  // Takes or renews the lease of (tenant, iuv) for `channel` until `expires_at`: true when the lease is
  // now the channel's (none, expired, or already its own), false when another channel holds it.
  static bool take_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                              const std::string& channel, const std::string& now,
                              const std::string& expires_at);
  // The same, and a lease held by a channel whose name starts with `handed_over_prefix` (the portal's
  // carts, "portal:") is taken over too: one statement.
  static bool take_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                              const std::string& channel, const std::string& now,
                              const std::string& expires_at, const std::string& handed_over_prefix);
  // The channel holding an unexpired lease on the IUV, if any.
  static std::optional<std::string> active_channel(db::Conn& c, tenants::TenantId tenant,
                                                   const std::string& iuv, const std::string& now);
  // Sent with the transaction's next statement on PostgreSQL (db::exec_later).
  static void end_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv);
};

}  // namespace sp::payments
