#include "payments/station.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "audit/chain_tail.hpp"
#include "payments/notice_number.hpp"
#include "payments/reconciliation_store.hpp"
#include "payments/store.hpp"

namespace sp::payments {

struct StationService::Found {
  Creditor creditor;
  Position position;
  std::size_t option = 0;  // index in position.options
  [[nodiscard]] const Option& opt() const { return position.options[option]; }
};

namespace {

const SystemActor kStationActor{"pagopa-station"};

// Thrown inside a receipt's transaction to roll it back and run it again (a concurrent change won).
struct RetryReceipt {};

pagopa::Fault station_fault(const std::string& code, const std::string& id,
                            const std::string& description = {}) {
  return pagopa::make_fault(code, id, description);
}

// The station's identifiers against the body's creditor settings; nullopt when they are right.
std::optional<pagopa::Fault> check_station_ids(const std::optional<Creditor>& c,
                                               const pagopa::StationIds& ids) {
  if (!c || c->fiscal_code != ids.id_pa) return station_fault("PAA_ID_DOMINIO_ERRATO", ids.id_pa);
  if (c->broker_id != ids.id_broker_pa) return station_fault("PAA_ID_INTERMEDIARIO_ERRATO", c->fiscal_code);
  if (c->station_id != ids.id_station) return station_fault("PAA_STAZIONE_INT_ERRATA", c->fiscal_code);
  return std::nullopt;
}

// The due date the node is told: a fine's reduced one while it applies, its full one after.
time::Date notice_due_date(const Position& p, const Option& o, time::Date today) {
  if (p.kind == PositionKind::fine && p.fine) {
    const auto until = reduced_until(*p.fine);
    if (std::chrono::sys_days{today} <= std::chrono::sys_days{until}) return until;
    for (const auto& x : p.options)
      if (x.fine_role == FineRole::full) return x.due_date;
  }
  return o.due_date;
}

// paymentDateTime: an xsd:dateTime, with an offset (applied) or without one, then wall-clock time in Rome
// as the node writes it. Unreadable: `fallback`.
time::TimePoint payment_instant(const std::string& text, time::TimePoint fallback) {
  if (text.empty()) return fallback;
  if (auto t = time::parse_iso_utc(text)) return *t;
  if (auto t = time::parse_iso_utc(text + "Z")) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t->time_since_epoch());
    return time::from_rome_local(date::local_seconds{secs});
  }
  return fallback;
}

// An EXPIRED position paid (the payment's Rome day) on or before the last due date of its options.
bool paid_before_expiry(const Position& p, time::TimePoint paid_at) {
  if (p.status != PositionStatus::expired || p.options.empty()) return false;
  auto last = p.options.front().due_date;
  for (const auto& o : p.options)
    if (std::chrono::sys_days{o.due_date} > std::chrono::sys_days{last}) last = o.due_date;
  return std::chrono::sys_days{time::rome_date(paid_at)} <= std::chrono::sys_days{last};
}

pagopa::Subject debtor_subject(const Debtor& d) {
  pagopa::Subject s;
  s.type = d.type == DebtorType::legal ? 'G' : 'F';
  s.id = d.fiscal_code;
  s.full_name = d.full_name;
  s.street_name = d.street_name;
  s.civic_number = d.civic_number;
  s.postal_code = d.postal_code;
  s.city = d.city;
  s.province = d.province;
  s.country = d.country;
  s.email = d.email;
  return s;
}

}  // namespace

audit::Entry StationService::refusal_entry(tenants::TenantId tenant, std::string_view operation,
                                           const pagopa::Fault& f, const std::string& notice,
                                           const std::string& remote_addr) {
  auto a = identity::entry_by(kStationActor, tenant, "pagopa_station.refused", "payment_notice", notice,
                              boost::json::serialize(boost::json::object{
                                  {"operation", operation}, {"fault", f.code}, {"notice_number", notice}}));
  a.remote_addr = remote_addr;
  return a;
}

void StationService::audit_refusal(tenants::TenantId tenant, std::string_view operation,
                                   const pagopa::Fault& f, const std::string& notice,
                                   const std::string& remote_addr, const audit::Entry* accepted) {
  std::vector<audit::Entry> entries;
  if (accepted) entries.push_back(*accepted);
  entries.push_back(refusal_entry(tenant, operation, f, notice, remote_addr));
  db_.write([&](db::Conn& tx) { audit_.record_all_or_throw(tx, entries); });
}

std::variant<pagopa::Fault, StationService::Found> StationService::find_payable(
    db::Conn& c, tenants::TenantId tenant, const pagopa::StationIds& ids, const std::string& fiscal_code,
    const std::string& notice_number) {
  auto nav = parse_notice_number(notice_number);
  auto view = PaymentsStore::station_view(c, tenant, nav ? nav->iuv : std::string());
  auto& creditor = view.creditor;
  if (auto f = check_station_ids(creditor, ids)) return *f;
  const std::string& id = creditor->fiscal_code;
  if (fiscal_code != creditor->fiscal_code) return station_fault("PAA_PAGAMENTO_SCONOSCIUTO", id);
  if (!nav) return station_fault("PAA_PAGAMENTO_SCONOSCIUTO", id);
  auto& p = view.position;
  if (!p) return station_fault("PAA_PAGAMENTO_SCONOSCIUTO", id);
  auto it =
      std::find_if(p->options.begin(), p->options.end(), [&](const Option& o) { return o.iuv == nav->iuv; });
  if (it == p->options.end()) return station_fault("PAA_PAGAMENTO_SCONOSCIUTO", id);
  switch (p->status) {
    case PositionStatus::paid:
    case PositionStatus::reported:
      return station_fault("PAA_PAGAMENTO_DUPLICATO", id);
    case PositionStatus::expired:
      return station_fault("PAA_PAGAMENTO_SCADUTO", id);
    case PositionStatus::invalid:
      return station_fault("PAA_PAGAMENTO_ANNULLATO", id);
    case PositionStatus::draft:
    case PositionStatus::published:
      return station_fault("PAA_PAGAMENTO_SCONOSCIUTO", id);
    case PositionStatus::valid:
    case PositionStatus::partially_paid:
      break;
  }
  if (it->status != OptionStatus::unpaid) return station_fault("PAA_PAGAMENTO_DUPLICATO", id);
  // Once an instalment is paid, the single payment is no longer an option: the debt is being paid in
  // instalments (*(check)* GPD's exact code for it; DUPLICATO: "concluded" through the other option).
  if (p->status == PositionStatus::partially_paid && !it->is_partial_payment && p->kind != PositionKind::fine)
    return station_fault("PAA_PAGAMENTO_DUPLICATO", id, "instalments");
  const auto index = static_cast<std::size_t>(it - p->options.begin());
  return Found{std::move(*creditor), std::move(*p), index};
}

StationAnswer StationService::answer(tenants::TenantId tenant, const pagopa::Request& request,
                                     const std::string& raw, const std::string& remote_addr,
                                     const audit::Entry* accepted) {
  if (const auto* v = std::get_if<pagopa::VerifyRequest>(&request))
    return {verify(tenant, *v, remote_addr, accepted), {}};
  if (const auto* g = std::get_if<pagopa::GetPaymentRequest>(&request))
    return {get_payment(tenant, *g, remote_addr, accepted), {}};
  auto [response, outcome] =
      send_receipt(tenant, std::get<pagopa::SendReceiptRequest>(request), raw, remote_addr, accepted);
  return {response, outcome};
}

pagopa::VerifyResponse StationService::verify(tenants::TenantId tenant, const pagopa::VerifyRequest& r,
                                              const std::string& remote_addr, const audit::Entry* accepted) {
  std::optional<std::variant<pagopa::Fault, Found>> found;
  pagopa::VerifyResponse out;
  // The call's entries: inbound.accepted, and the refusal when there is one.
  auto entries = [&] {
    std::vector<audit::Entry> v;
    if (accepted) v.push_back(*accepted);
    if (const auto* f = std::get_if<pagopa::Fault>(&*found))
      v.push_back(refusal_entry(tenant, "paVerifyPaymentNotice", *f, r.notice_number, remote_addr));
    return v;
  };
  if (db_.dialect() == db::Dialect::postgres) {
    // One transaction, two round trips: BEGIN, the chain's lock and head (prefetched) and the read go out
    // together; the entries' INSERT goes with the COMMIT. The lock is held for that short while only.
    db_.write([&](db::Conn& tx) {
      audit::prefetch_chain_head(tx, tenant);
      found = find_payable(tx, tenant, r.ids, r.fiscal_code, r.notice_number);
      if (auto v = entries(); !v.empty()) audit_.record_all_or_throw(tx, v);
    });
  } else {
    // SQLite: the read on a reader (no writer's turn for it), then the entries in a short commit.
    db_.read([&](db::Conn& c) { found = find_payable(c, tenant, r.ids, r.fiscal_code, r.notice_number); });
    if (auto v = entries(); !v.empty()) db_.write([&](db::Conn& tx) { audit_.record_all_or_throw(tx, v); });
  }
  if (const auto* f = std::get_if<pagopa::Fault>(&*found)) {
    out.fault = *f;
    return out;
  }
  const auto& x = std::get<Found>(*found);
  const auto today = time::rome_date(clock_.now());
  const auto& o = x.opt();
  out.amount = amount_due(x.position, o, today);
  out.options = "EQ";
  out.due_date = time::format_iso_date(notice_due_date(x.position, o, today));
  out.detail_description = o.description;
  out.all_ccp = !o.transfers.empty() &&
                std::all_of(o.transfers.begin(), o.transfers.end(),
                            [](const Transfer& t) { return !t.postal_iban.empty() && !t.stamp; });
  out.payment_description = o.description;
  out.fiscal_code_pa = x.creditor.fiscal_code;
  out.company_name = x.creditor.company_name;
  out.office_name = x.creditor.office_name;
  return out;
}

pagopa::GetPaymentResponse StationService::get_payment(tenants::TenantId tenant,
                                                       const pagopa::GetPaymentRequest& r,
                                                       const std::string& remote_addr,
                                                       const audit::Entry* accepted) {
  pagopa::GetPaymentResponse out;
  std::optional<pagopa::Fault> refused;
  const auto now = clock_.now();
  // A refusal is audited in the same transaction (nothing else is written then).
  auto refuse = [&](db::Conn& tx, const pagopa::Fault& f) {
    refused = f;
    std::vector<audit::Entry> entries;
    if (accepted) entries.push_back(*accepted);
    entries.push_back(refusal_entry(tenant, "paGetPaymentV2", f, r.notice_number, remote_addr));
    audit_.record_all_or_throw(tx, entries);
  };
  db_.write([&](db::Conn& tx) {
    refused.reset();
    out = {};
    // PostgreSQL: the chain's lock and head go out with BEGIN and the read (one round trip). The lock is
    // taken before the lease's row lock; no transaction takes them the other way round (a receipt takes
    // the chain's lock before it ends the lease).
    audit::prefetch_chain_head(tx, tenant);
    auto found = find_payable(tx, tenant, r.ids, r.fiscal_code, r.notice_number);
    if (auto* f = std::get_if<pagopa::Fault>(&found)) return refuse(tx, *f);
    auto& x = std::get<Found>(found);
    const auto& o = x.opt();
    // A lease of the portal's cart is handed over: the cart was sent to Checkout, which pays through
    // this very node, and the node itself lets one activation of a notice run at a time (its payment
    // token), so refusing would only make the portal's own payment fail (docs/payments.md). One
    // statement takes the lease: free, expired, the node's own, or a portal cart's.
    if (!ReceiptStore::take_activation(tx, tenant, o.iuv, kNodeChannel, time::format_iso_utc_millis(now),
                                       time::format_iso_utc_millis(now + kActivationLease),
                                       kPortalChannelPrefix))
      return refuse(tx, station_fault("PAA_PAGAMENTO_IN_CORSO", x.creditor.fiscal_code));
    const auto today = time::rome_date(now);
    out.creditor_reference_id = o.iuv;
    out.amount = amount_due(x.position, o, today);
    out.due_date = time::format_iso_date(notice_due_date(x.position, o, today));
    out.description = o.description;
    out.company_name = x.creditor.company_name;
    out.office_name = x.creditor.office_name;
    out.debtor = debtor_subject(x.position.debtor);
    for (const auto& t : o.transfers) {
      pagopa::Transfer pt;
      pt.index = t.index;
      pt.amount = t.amount;
      pt.fiscal_code_pa =
          t.organization_fiscal_code.empty() ? x.creditor.fiscal_code : t.organization_fiscal_code;
      pt.company_name = x.creditor.company_name;
      if (t.stamp) {
        pt.stamp = pagopa::Stamp{t.stamp->hash_document, t.stamp->type, t.stamp->provincial_residence};
      } else if (r.transfer_type == "POSTAL" && !t.postal_iban.empty()) {
        pt.iban = t.postal_iban;
      } else {
        pt.iban = t.iban.empty() ? t.postal_iban : t.iban;
      }
      pt.remittance = t.remittance;
      pt.category = t.category;
      out.transfers.push_back(std::move(pt));
    }
    // On a day a fine's amount is not the option's own (the reduced one after the 5th day, or before
    // it on the full notice), its transfers are scaled to it in integer cents, the remainder on the
    // first, so that they add up to the amount exactly.
    if (out.amount != o.amount && !out.transfers.empty()) {
      std::vector<Cents> parts;
      for (const auto& t : out.transfers) parts.push_back(t.amount);
      const auto scaled = split_proportionally(parts, out.amount);
      for (std::size_t i = 0; i < scaled.size(); ++i) out.transfers[i].amount = scaled[i];
    }
    audit::Entry a;
    a.tenant_id = tenant;
    a.actor_id = kStationActor.name;
    a.action = "pagopa_station.activated";
    a.record_type = "payment_notice";
    a.record_id = o.nav;
    a.remote_addr = remote_addr;
    // The node's amount and due date (what verify told it) are not what the station answers from: the
    // amount due today is (a fine's reduced amount may have ended since). A difference is kept here.
    boost::json::object details{{"iuv", o.iuv}, {"amount_cents", out.amount}, {"channel", kNodeChannel}};
    if (r.amount) details["requested_amount_cents"] = *r.amount;
    if (!r.due_date.empty()) details["requested_due_date"] = r.due_date;
    a.details = boost::json::serialize(details);
    std::vector<audit::Entry> entries;
    if (accepted) entries.push_back(*accepted);
    entries.push_back(std::move(a));
    audit_.record_all_or_throw(tx, entries);
  });
  if (refused) {
    pagopa::GetPaymentResponse ko;
    ko.fault = *refused;
    return ko;
  }
  return out;
}

std::pair<pagopa::SendReceiptResponse, std::optional<ReceiptOutcome>> StationService::send_receipt(
    tenants::TenantId tenant, const pagopa::SendReceiptRequest& r, const std::string& raw,
    const std::string& remote_addr, const audit::Entry* accepted) {
  std::string iuv = r.receipt.creditor_reference_id;
  if (iuv.empty()) {
    if (auto nav = parse_notice_number(r.receipt.notice_number)) iuv = nav->iuv;
  }
  // One transaction: the creditor and the position read in one query, the checks, then the receipt, or
  // the refusal's audit entry (nothing else written). A concurrent receipt for the same IUV or the same
  // (PSP, receiptId) makes this one's insert or state change fail: run it again, when it reads what the
  // other wrote. Three tries are plenty: each retry follows a commit of the other, after which this
  // receipt can no longer be "recorded".
  for (int attempt = 0;; ++attempt) {
    try {
      std::pair<pagopa::SendReceiptResponse, std::optional<ReceiptOutcome>> out;
      db_.write([&](db::Conn& tx) {
        // Whether this (PSP, receiptId) already counted goes out with BEGIN and the read (PostgreSQL).
        auto counted = ReceiptStore::counted(tx, tenant, r.receipt.id_psp, r.receipt.receipt_id);
        auto view = PaymentsStore::station_view(tx, tenant, iuv);
        const auto& creditor = view.creditor;
        std::optional<pagopa::Fault> refused = check_station_ids(creditor, r.ids);
        if (!refused && r.receipt.fiscal_code != creditor->fiscal_code)
          refused = station_fault("PAA_PAGAMENTO_SCONOSCIUTO", creditor->fiscal_code);
        if (!refused && r.receipt.outcome != "OK")
          refused = station_fault("PAA_SEMANTICA", creditor->fiscal_code, "outcome " + r.receipt.outcome);
        if (refused) {
          std::vector<audit::Entry> entries;
          if (accepted) entries.push_back(*accepted);
          entries.push_back(
              refusal_entry(tenant, "paSendRTV2", *refused, r.receipt.notice_number, remote_addr));
          audit_.record_all_or_throw(tx, entries);
          out = {pagopa::SendReceiptResponse{refused}, std::nullopt};
          return;
        }
        out = record_receipt(tx, tenant, creditor->fiscal_code, view.position, !counted.rows().empty(), r,
                             raw, remote_addr, accepted);
      });
      return out;
    } catch (const db::DbError& e) {
      if (e.kind != db::DbError::Kind::unique_violation || attempt >= 2) throw;
    } catch (const RetryReceipt&) {
      if (attempt >= 2) throw std::runtime_error("pagopa station: receipt kept conflicting");
    }
  }
}

std::pair<pagopa::SendReceiptResponse, std::optional<ReceiptOutcome>> StationService::record_receipt(
    db::Conn& tx, tenants::TenantId tenant, const std::string& fiscal_code,
    const std::optional<Position>& position, bool counted_before, const pagopa::SendReceiptRequest& r,
    const std::string& raw, const std::string& remote_addr, const audit::Entry* accepted) {
  const auto& x = r.receipt;
  const auto now = clock_.now();
  const auto paid_at = payment_instant(x.payment_date_time, now);
  ReceiptRow row;
  row.tenant_id = tenant;
  row.iuv = x.creditor_reference_id;
  if (row.iuv.empty()) {
    if (auto nav = parse_notice_number(x.notice_number)) row.iuv = nav->iuv;
  }
  row.nav = x.notice_number;
  row.psp_id = x.id_psp;
  row.receipt_id = x.receipt_id;
  row.payment_at = time::format_iso_utc_millis(paid_at);
  row.amount = x.amount;
  row.fee = x.fee;
  if (x.payer) {
    row.payer_fiscal_code = x.payer->id;
    row.payer_name = x.payer->full_name;
  }
  row.raw_payload = raw;
  row.received_at = time::format_iso_utc_millis(now);

  const Option* option = nullptr;
  if (position) {
    for (const auto& o : position->options)
      if (o.iuv == row.iuv) option = &o;
  }
  for (const auto& t : x.transfers) {
    ReceiptTransferRow rt{t.index, t.amount, t.iban, {}};
    if (t.iban.empty()) {
      // A digital stamp: keep the document hash the station asked the stamp for.
      if (option) {
        for (const auto& ot : option->transfers)
          if (ot.index == t.index && ot.stamp) rt.stamp_hash = ot.stamp->hash_document;
      }
      if (rt.stamp_hash.empty()) continue;
    }
    row.transfers.push_back(std::move(rt));
  }
  if (option) row.option_id = option->id;

  std::optional<pagopa::Fault> answer;
  if (counted_before) {
    row.outcome = ReceiptOutcome::duplicate;
    answer = station_fault("PAA_RECEIPT_DUPLICATA", fiscal_code);
  } else if (!option) {
    row.outcome = ReceiptOutcome::unknown_position;
    row.option_id.reset();
    answer = station_fault("PAA_PAGAMENTO_SCONOSCIUTO", fiscal_code);
  } else if (option->status != OptionStatus::unpaid ||
             !(payable(position->status) || paid_before_expiry(*position, paid_at)) ||
             (position->status == PositionStatus::partially_paid && !option->is_partial_payment)) {
    row.outcome = ReceiptOutcome::double_payment;
  } else {
    // An EXPIRED position's unpaid option paid on or before its last due date is paid all the same: the
    // expiry job ran while the node's payment token was open (or the node paid in stand-in). GPD refuses
    // to pay an EXPIRED position at all; a payment made in time is the citizen's right, so here only one
    // made after the last due date is money to refund (docs/payments.md, "Station decisions").
    row.outcome = ReceiptOutcome::recorded;
  }
  if (option) {
    // A receipt for another amount than due is recorded as it is and flagged (expected_amount); the
    // node checks the amount at activation, so a difference is an anomaly for an operator, never a
    // reason to lose the receipt. The option's own amount (a fine's reduced notice paid just after
    // midnight of its last day, activated before) is not a difference.
    const Cents due = amount_due(*position, *option, time::rome_date(paid_at));
    row.expected_amount = x.amount == option->amount ? option->amount : due;
  }
  // Not counted (duplicate, unknown position): its transfers are not the option's money.
  if (row.outcome == ReceiptOutcome::duplicate || row.outcome == ReceiptOutcome::unknown_position)
    row.transfers.clear();
  ReceiptStore::insert(tx, row);  // may throw unique_violation: the caller runs it again
  if (row.outcome == ReceiptOutcome::recorded) {
    auto paid = payments_.record_option_paid(tx, kStationActor, tenant, row.iuv, paid_at,
                                             /*allow_expired=*/true);
    if (!paid) throw RetryReceipt{};  // the position moved meanwhile (another instalment, a state change)
    ReceiptStore::end_activation(tx, tenant, row.iuv);
  }
  // A receipt the flow had already reported (matched_late): REPORTED now, as the import would have made it.
  bool reported_late = false;
  if (row.outcome == ReceiptOutcome::recorded || row.outcome == ReceiptOutcome::double_payment)
    reported_late =
        recon::ReconciliationStore::mark_reported_late(tx, row.id, tenant, time::format_iso_utc_millis(now));
  audit::Entry a;
  a.tenant_id = tenant;
  a.actor_id = kStationActor.name;
  a.action = "pagopa_station.receipt";
  a.record_type = "payment_receipt";
  a.record_id = std::to_string(row.id);
  a.remote_addr = remote_addr;
  boost::json::object details{{"outcome", to_string(row.outcome)},
                              {"iuv", row.iuv},
                              {"psp", row.psp_id},
                              {"receipt_id", row.receipt_id},
                              {"amount_cents", row.amount}};
  if (row.fee) details["fee_cents"] = *row.fee;
  if (reported_late) details["reported_late"] = true;
  if (row.amount_mismatch()) details["expected_amount_cents"] = *row.expected_amount;
  a.details = boost::json::serialize(details);
  std::vector<audit::Entry> entries;
  if (accepted) entries.push_back(*accepted);
  entries.push_back(a);
  if (row.amount_mismatch() && row.outcome != ReceiptOutcome::duplicate) {
    a.action = "pagopa_station.amount_mismatch";  // an operator's filter finds it
    entries.push_back(std::move(a));
  }
  audit_.record_all_or_throw(tx, entries);
  return {pagopa::SendReceiptResponse{answer}, row.outcome};
}

Status StationService::activate(tenants::TenantId tenant, const std::string& iuv,
                                const std::string& channel) {
  const auto now = clock_.now();
  bool taken = false;
  db_.write([&](db::Conn& tx) {
    taken = ReceiptStore::take_activation(tx, tenant, iuv, channel, time::format_iso_utc_millis(now),
                                          time::format_iso_utc_millis(now + kActivationLease));
  });
  if (!taken) return Error::make("payments.in_progress", 409, iuv);
  return Ok{};
}

std::vector<ReceiptRow> StationService::receipts(tenants::TenantId tenant, const std::string& iuv) {
  std::vector<ReceiptRow> out;
  db_.read([&](db::Conn& c) { out = ReceiptStore::of_iuv(c, tenant, iuv); });
  return out;
}

}  // namespace sp::payments
