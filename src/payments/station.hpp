#pragma once
// The creditor body's station: what the hub answers when the pagoPA node calls it for a body (SPEC §4,
// issue 13 "Paying → At any PSP"): paVerifyPaymentNotice, paGetPaymentV2 and paSendRTV2, parsed and
// rendered by adapters/pagopa/node_soap. The web side (station_routes) authenticates the node, parses,
// calls answer() once and renders.
//
// Every request first names the station: idPA must be the fiscal code of the body called (its creditor
// settings), idBrokerPA and idStation the broker and station of those settings; otherwise
// PAA_ID_DOMINIO_ERRATO, PAA_ID_INTERMEDIARIO_ERRATO, PAA_STAZIONE_INT_ERRATA. The notice is found by its
// NAV (qrCode.noticeNumber, payments/notice_number) among that body's options only.
//
//   verify      unknown NAV (or not yet payable: draft, published) → PAA_PAGAMENTO_SCONOSCIUTO; paid
//               (the option, or the position: a fine's other notice; or the single payment of a position
//               whose instalments have started) → PAA_PAGAMENTO_DUPLICATO; expired →
//               PAA_PAGAMENTO_SCADUTO; invalid → PAA_PAGAMENTO_ANNULLATO; else OK with the amount due
//               today in Rome (amount_due: a fine's reduced or full amount), allCCP when every transfer
//               has a postal IBAN.
//   get payment the same checks, then takes the notice's activation lease for the channel "node"
//               (payment_activations, migration 0025: 30 minutes, pagoPA's payment-token lifetime): held
//               by another channel → PAA_PAGAMENTO_IN_CORSO; a portal cart's lease ("portal:*") is
//               handed over to the node (Checkout pays the cart through the node). Answers the transfers
//               (IBAN, the postal one when the node asks transferType POSTAL, or richiestaMarcaDaBollo for a
//               digital stamp). On a day a fine's amount due is not the option's own, the transfers are
//               scaled to it (split_proportionally: integer cents, remainder on the first). The node's
//               requested amount and due date are not used (the amount due today is the station's to
//               say); they are kept in the activation's audit entry. Verify does not look at the lease:
//               it only informs, and the node itself refuses a second activatePaymentNotice while its
//               token lives (docs/payments.md, "Station decisions").
//   receipt     one transaction: the receipt is stored exactly as it arrived with what it is, and the
//               option is paid (PaymentsService::record_option_paid) in the same transaction:
//                 recorded          first OK receipt of an unpaid option of a payable position, or of an
//                                   EXPIRED one paid on or before its last due date (answer OK);
//                 duplicate         the same (idPSP, receiptId) again: nothing counted
//                 (PAA_RECEIPT_DUPLICATA); double_payment    another receipt for an option already paid, or
//                 for a position that is
//                                   no longer payable (invalid; expired and paid after its last due
//                                   date): money to refund (answer OK, the
//                                   PSP did collect it);
//                 unknown_position  an IUV the body does not have (PAA_PAGAMENTO_SCONOSCIUTO).
//               The partial unique indexes of 0024 make "paid once" and "counted once" database facts: a
//               concurrent receipt that loses the race gets a unique violation, and the whole transaction
//               is retried, where it reads what the winner wrote and is classified as duplicate or
//               double_payment. Receipts with outcome KO change nothing (PAA_SEMANTICA).
//               A receipt's amount is compared with what was due (expected_amount): another amount is
//               recorded as it is, flagged, and audited as "pagopa_station.amount_mismatch".
// Every receipt (whatever its outcome) and every refusal is written to the body's audit chain
// ("pagopa_station.receipt", "pagopa_station.refused"); a successful activation as
// "pagopa_station.activated". Amounts are integer cents throughout.
//
// Cost per call (issue 13, "Performance"; bench/README.md, bench/run-station): the node's inbound.accepted
// entry is written in the call's own transaction (after the call's work, with its entries in one INSERT),
// and on PostgreSQL the statements whose results are not needed at once ride with the next one
// (db::exec_later, db::query_later; audit::prefetch_chain_head for the chain's lock and head), so that a
// payment costs 11 round trips and 3 commits (the node's credential itself costs none while it is fresh:
// identity/inbound_service.hpp, "Cost"):
//   verify      2: BEGIN + the chain's lock and head + the read; the entries' INSERT + COMMIT
//   get payment 3: BEGIN + lock and head + read; the lease; INSERT + COMMIT
//   receipt     6: BEGIN + "counted before?" + read; the receipt's INSERT (its id); its transfers + the
//               position again (record_option_paid); the option's, transfers' and position's updates +
//               the chain's lock and head (taken after the rows, as every writer does); the paid entry,
//               the lease's end + the late-report check; the last entries + COMMIT.
// Verify and get payment take the chain's lock first (nothing else they lock is locked before the chain by
// anyone); a receipt takes it after its rows, like every other writer.
#include <optional>
#include <string>
#include <variant>

#include "adapters/pagopa/node_soap.hpp"
#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "payments/receipt_store.hpp"
#include "payments/service.hpp"

namespace sp::payments {

// How long an activation holds a notice (pagoPA's payment token lives at most 30 minutes).
inline constexpr std::chrono::minutes kActivationLease{30};
inline constexpr const char* kNodeChannel = "node";
// The portal's carts lease their notices as "portal:<cart>"; the node takes such a lease over.
inline constexpr const char* kPortalChannelPrefix = "portal:";

using StationResponse =
    std::variant<pagopa::VerifyResponse, pagopa::GetPaymentResponse, pagopa::SendReceiptResponse>;

struct StationAnswer {
  StationResponse response;
  std::optional<ReceiptOutcome> receipt;  // paSendRTV2: what the receipt was recorded as
};

class StationService {
 public:
  StationService(db::Database& db, time::Clock& clock, PaymentsService& payments)
      : db_(db), clock_(clock), payments_(payments), audit_(db, clock) {}

  // The answer of the station of body `tenant` to `request`; `raw` is the envelope as received (kept with
  // a receipt), `remote_addr` goes to the audit entries. `accepted`: the inbound guard's inbound.accepted
  // entry for this call (AcceptedAudit::by_handler), appended in the same transaction as the call's own
  // work or refusal, or nullptr when the guard wrote it already.
  StationAnswer answer(tenants::TenantId tenant, const pagopa::Request& request, const std::string& raw,
                       const std::string& remote_addr = {}, const audit::Entry* accepted = nullptr);

  pagopa::VerifyResponse verify(tenants::TenantId tenant, const pagopa::VerifyRequest& r,
                                const std::string& remote_addr = {}, const audit::Entry* accepted = nullptr);
  pagopa::GetPaymentResponse get_payment(tenants::TenantId tenant, const pagopa::GetPaymentRequest& r,
                                         const std::string& remote_addr = {},
                                         const audit::Entry* accepted = nullptr);
  std::pair<pagopa::SendReceiptResponse, std::optional<ReceiptOutcome>> send_receipt(
      tenants::TenantId tenant, const pagopa::SendReceiptRequest& r, const std::string& raw,
      const std::string& remote_addr = {}, const audit::Entry* accepted = nullptr);

  // Another channel (the portal's cart) starts paying the notice with this IUV: takes its lease.
  // Error payments.in_progress (409) while another channel holds it.
  Status activate(tenants::TenantId tenant, const std::string& iuv, const std::string& channel);
  // The receipts of an IUV, oldest first (operators, tests).
  std::vector<ReceiptRow> receipts(tenants::TenantId tenant, const std::string& iuv);
  // A refusal written to the body's audit chain ("pagopa_station.refused"): the faults above, and the
  // web side's own (a malformed envelope: PAA_SINTASSI_EXTRAXSD); after `accepted` in the same
  // transaction when given.
  void audit_refusal(tenants::TenantId tenant, std::string_view operation, const pagopa::Fault& f,
                     const std::string& notice, const std::string& remote_addr,
                     const audit::Entry* accepted = nullptr);

 private:
  struct Found;
  // The ids check and the notice's lookup shared by verify and get payment (one query: the creditor and
  // the position, PaymentsStore::station_view): a fault, or what was found.
  std::variant<pagopa::Fault, Found> find_payable(db::Conn& c, tenants::TenantId tenant,
                                                  const pagopa::StationIds& ids,
                                                  const std::string& fiscal_code,
                                                  const std::string& notice_number);
  // `counted_before`: a receipt of the same (PSP, receiptId) already counted (a duplicate).
  std::pair<pagopa::SendReceiptResponse, std::optional<ReceiptOutcome>> record_receipt(
      db::Conn& tx, tenants::TenantId tenant, const std::string& fiscal_code,
      const std::optional<Position>& position, bool counted_before, const pagopa::SendReceiptRequest& r,
      const std::string& raw, const std::string& remote_addr, const audit::Entry* accepted);
  // The refusal's audit entry (audit_refusal).
  static audit::Entry refusal_entry(tenants::TenantId tenant, std::string_view operation,
                                    const pagopa::Fault& f, const std::string& notice,
                                    const std::string& remote_addr);

  db::Database& db_;
  time::Clock& clock_;
  PaymentsService& payments_;
  audit::AuditService audit_;
};

}  // namespace sp::payments
