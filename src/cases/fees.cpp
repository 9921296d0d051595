// Cases with a fee (issue 13): the pagoPA debt position is created with the case, in the submission's
// transaction, and the station's receipt moves the case on through a payments listener. Payments knows
// nothing of cases: the dependency points from cases to payments' service only (docs/payments.md,
// "Cases with a fee").
#include <spdlog/spdlog.h>

#include <array>

#include "cases/fee_store.hpp"
#include "cases/service.hpp"
#include "cases/service_detail.hpp"

namespace sp::cases {
using namespace service_detail;

namespace {

constexpr std::array<std::pair<FeeStatus, std::string_view>, 3> kFeeStatuses{{
    {FeeStatus::awaiting, "awaiting"},
    {FeeStatus::counter, "counter"},
    {FeeStatus::paid, "paid"},
}};
constexpr const char* kFeeIupdPrefix = "PRATICA-";
constexpr const char* kDefaultFeeCategory = "9/0101101IM/";
constexpr std::size_t kFeeMaxDescription = 140;  // pagoPA's description and remittance

// At most `n` code points of UTF-8 `s` (a description cut never splits a character).
std::string fee_cut_utf8(const std::string& s, std::size_t n) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (points == n) return s.substr(0, i);
      ++points;
    }
  }
  return s;
}

Access fee_system_access() {
  Access a;
  a.actor = std::string("system:") + kSystemActor;
  a.kind = audit::ActorKind::system;
  a.actor_id = kSystemActor;
  a.channel = audit::Channel::system;
  return a;
}

}  // namespace

std::string_view to_string(FeeStatus s) {
  for (const auto& [k, name] : kFeeStatuses)
    if (k == s) return name;
  return "awaiting";
}

std::optional<FeeStatus> parse_fee_status(std::string_view s) {
  for (const auto& [k, name] : kFeeStatuses)
    if (name == s) return k;
  return std::nullopt;
}

void CaseService::set_payments(payments::PaymentsService* payments) {
  payments_ = payments;
  if (payments_ != nullptr) {
    payments_->on_option_paid(
        [this](db::Conn& tx, const payments::Position& p, const payments::Option& o) { fee_paid(tx, p, o); });
  }
}

Status CaseService::open_fee(db::Conn& tx, const Case& c, time::TimePoint now) {
  if (!c.fee_cents_due || *c.fee_cents_due <= 0) return Ok{};  // free: nothing to pay, nothing recorded
  CaseFee f;
  f.case_id = c.id;
  f.amount_cents = *c.fee_cents_due;
  f.created_at = stored_instant(now);
  f.status = FeeStatus::counter;
  // A body that is no pagoPA creditor (or a hub without payments) takes the fee at its office: the case
  // says so, and is registered as usual.
  std::optional<payments::Creditor> creditor;
  if (payments_ != nullptr) {
    if (auto cr = payments_->creditor(c.tenant_id)) creditor = std::move(*cr);
  }
  if (creditor) {
    payments::NewPosition np;
    np.iupd = kFeeIupdPrefix + c.id;
    // The debt is of whom the application is for: the represented person or company, else the applicant.
    const bool for_other = !c.on_behalf_of.empty();
    np.debtor.fiscal_code = for_other ? c.on_behalf_of : c.applicant_cf;
    np.debtor.full_name = for_other ? c.on_behalf_of_name : c.applicant_name;
    if (np.debtor.full_name.empty()) np.debtor.full_name = np.debtor.fiscal_code;
    np.debtor.type =
        np.debtor.fiscal_code.size() == 11 ? payments::DebtorType::legal : payments::DebtorType::person;
    payments::NewOption o;
    o.amount = f.amount_cents;
    o.description = fee_cut_utf8(
        i18n_.format("it", "case_fee.description", {{"title", c.title}, {"protocol", c.protocol_label()}}),
        kFeeMaxDescription);
    o.due_date = time::format_iso_date(time::add_calendar_days(time::rome_date(now), options_.fee_due_days));
    payments::NewTransfer t;
    t.amount = o.amount;
    t.iban = creditor->iban;
    t.remittance = o.description;
    t.category = options_.fee_category_of ? options_.fee_category_of(c.service_code) : std::string();
    if (t.category.empty()) t.category = kDefaultFeeCategory;
    o.transfers.push_back(std::move(t));
    np.options.push_back(std::move(o));
    np.publish = true;
    auto p = payments_->create(tx, payments::SystemActor{kSystemActor}, c.tenant_id, np);
    if (!p) return p.error();
    f.iupd = p->iupd;
    f.iuv = p->options.front().iuv;
    f.nav = p->options.front().nav;
    f.status = FeeStatus::awaiting;
  }
  CaseFeeStore::insert(tx, c.tenant_id, f);
  return audit_case(audit_, tx, c.tenant_id, fee_system_access(), c, "case.fee",
                    json_details({{"status", std::string(to_string(f.status))},
                                  {"amount_cents", std::to_string(f.amount_cents)},
                                  {"nav", f.nav}}));
}

void CaseService::fee_paid(db::Conn& tx, const payments::Position& p, const payments::Option& o) {
  if (p.iupd.rfind(kFeeIupdPrefix, 0) != 0) return;  // not a case's fee
  auto fee = CaseFeeStore::by_iupd(tx, p.tenant_id, p.iupd);
  if (!fee) return;
  const auto at = stored_instant(clock_.now());
  if (!CaseFeeStore::mark_paid(tx, p.tenant_id, fee->case_id, time::format_iso_utc_millis(at))) return;
  auto c = CaseStore::find(tx, p.tenant_id, fee->case_id);
  if (!c) return;
  // The case stays in its state (registered, or wherever the office has taken it: a new state would not
  // fit the legal states of model.hpp); its history shows the payment, its page the fee as paid.
  CaseStore::insert_transition(tx, p.tenant_id,
                               {0, c->id, c->state, c->state, "fee_paid", "system:pagopa", at, o.nav});
  auto st = audit_case(audit_, tx, p.tenant_id, fee_system_access(), *c, "case.fee_paid",
                       json_details({{"nav", o.nav}, {"amount_cents", std::to_string(o.amount)}}));
  if (!st) throw std::runtime_error("case.fee_paid audit: " + st.error().code);
}

}  // namespace sp::cases
