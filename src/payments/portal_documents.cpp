#include "payments/portal_documents.hpp"

#include <string_view>

#include "core/time.hpp"
#include "payments/notice_number.hpp"

namespace sp::payments {
namespace {

NoticeOption docs_option(const Option& o) {
  return NoticeOption{o.nav, grouped(o.nav), o.amount, o.due_date};
}

NoticeParty docs_debtor(const Debtor& d) {
  std::string address = d.street_name;
  if (!d.civic_number.empty()) address += " " + d.civic_number;
  std::string town = d.postal_code;
  if (!d.city.empty()) town += (town.empty() ? "" : " ") + d.city;
  if (!d.province.empty()) town += " (" + d.province + ")";
  if (!town.empty()) address += (address.empty() ? "" : "\n") + town;
  return NoticeParty{d.full_name, d.fiscal_code, address, d.type == DebtorType::legal};
}

}  // namespace

// What a position is for: its options' common words ("TARI 2026" of "TARI 2026 - prima rata", "... -
// seconda rata"), or the only option's description.
std::string position_title(const Position& p) {
  std::string common = p.options.front().description;
  for (const auto& o : p.options) {
    std::size_t n = 0;
    while (n < common.size() && n < o.description.size() && common[n] == o.description[n]) ++n;
    while (n > 0 && n < common.size() && (static_cast<unsigned char>(common[n]) & 0xC0) == 0x80) --n;
    common.resize(n);
  }
  while (!common.empty() && std::string_view(" -:,").find(common.back()) != std::string_view::npos)
    common.pop_back();
  return common.size() >= 3 ? common : p.options.front().description;
}

std::optional<NoticeInput> notice_input(const Position& p, const Creditor& c, const std::string& portal_url) {
  NoticeInput in;
  in.body_name = p.company_name.empty() ? c.company_name : p.company_name;
  in.office = p.office_name;
  in.creditor = NoticeParty{c.company_name, c.fiscal_code, "", true};
  in.debtor = docs_debtor(p.debtor);
  in.portal_url = portal_url;
  if (p.kind == PositionKind::fine && p.fine) {
    const Option* reduced = nullptr;
    const Option* full = nullptr;
    for (const auto& o : p.options) {
      if (o.fine_role == FineRole::reduced) reduced = &o;
      if (o.fine_role == FineRole::full) full = &o;
    }
    if (!reduced || !full || p.status == PositionStatus::paid || p.status == PositionStatus::reported)
      return std::nullopt;
    in.subject = full->description;
    in.fine = NoticeFine{docs_option(*reduced), docs_option(*full), p.fine->notification_date};
    return in;
  }
  for (const auto& o : p.options) {
    if (o.status != OptionStatus::unpaid) continue;
    if (in.subject.empty()) in.subject = o.description;
    if (o.is_partial_payment)
      in.instalments.push_back(docs_option(o));
    else if (!in.single)
      in.single = docs_option(o);
  }
  if (!in.single && in.instalments.empty()) return std::nullopt;
  return in;
}

ReceiptInput receipt_input(const Position& p, const Creditor& c, const ReceiptRow& r) {
  ReceiptInput in;
  in.body_name = p.company_name.empty() ? c.company_name : p.company_name;
  in.creditor = NoticeParty{c.company_name, c.fiscal_code, "", true};
  in.debtor = docs_debtor(p.debtor);
  if (!r.payer_fiscal_code.empty() && r.payer_fiscal_code != p.debtor.fiscal_code)
    in.payer = NoticeParty{r.payer_name, r.payer_fiscal_code, "", false};
  in.nav = r.nav;
  in.nav_grouped = grouped(r.nav);
  in.iuv = r.iuv;
  for (const auto& o : p.options)
    if (o.iuv == r.iuv) in.description = o.description;
  in.amount = r.amount;
  in.fee = r.fee;
  in.psp_name = r.psp_id;
  in.psp_id = r.psp_id;
  in.iur = r.receipt_id;
  in.receipt_id = r.receipt_id;
  if (auto t = time::parse_iso_utc(r.payment_at)) in.paid_at = *t;
  for (const auto& t : r.transfers) {
    ReceiptTransfer rt;
    rt.beneficiary = c.company_name;
    rt.beneficiary_fiscal_code = c.fiscal_code;
    rt.iban = t.iban;
    rt.stamp = !t.stamp_hash.empty();
    rt.amount = t.amount;
    for (const auto& o : p.options)
      if (o.iuv == r.iuv)
        for (const auto& ot : o.transfers)
          if (ot.index == t.index) {
            rt.remittance = ot.remittance;
            if (!ot.organization_fiscal_code.empty())
              rt.beneficiary_fiscal_code = ot.organization_fiscal_code;
          }
    in.transfers.push_back(std::move(rt));
  }
  return in;
}

}  // namespace sp::payments
