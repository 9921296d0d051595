#include "payments/receipt_pdf.hpp"

#include <map>
#include <utility>

#include "core/pdf/document.hpp"

namespace sp::payments {

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

class ReceiptWriter {
 public:
  ReceiptWriter(const ReceiptInput& r, const I18n& texts, std::string_view lang)
      : r_(r), texts_(texts), lang_(lang) {}

  std::string render() const {
    pdf::Options o;
    o.lang = t("pdf.lang");
    o.title = f("payments_pdf.receipt.doc_title", {{"description", r_.description}});
    o.author = r_.body_name;
    o.subject = r_.description;
    o.footer = f("payments_pdf.receipt.footer", {{"body", r_.body_name}});
    o.page_label = t("pdf.page_of");
    o.compress = r_.compress;
    pdf::Document doc(o);
    const pdf::KeyValueStyle kv{.size = 9.5, .label_width = 215};

    doc.letterhead(r_.body_name);
    doc.heading(1, t("payments_pdf.receipt.title"), 15);
    doc.paragraph(t("payments_pdf.receipt.intro"), {.size = 9.5, .space_after = 6});

    doc.heading(2, t("payments_pdf.receipt.payment"), 11);
    Rows payment{{t("payments_pdf.receipt.amount"), amount(r_.amount)}};
    if (r_.fee) {
      payment.emplace_back(t("payments_pdf.receipt.fee"), amount(*r_.fee));
      payment.emplace_back(t("payments_pdf.receipt.total"), amount(r_.amount + *r_.fee));
    } else {
      payment.emplace_back(t("payments_pdf.receipt.fee"), t("payments_pdf.receipt.fee_unknown"));
    }
    payment.emplace_back(
        t("payments_pdf.receipt.paid_at"),
        f("payments_pdf.receipt.rome_time", {{"datetime", time::format_it_datetime(r_.paid_at)}}));
    // "Name (ID)", or just one of them when the node gave no name or the name is the identifier.
    const bool name_only = r_.psp_id.empty() || r_.psp_id == r_.psp_name;
    const bool id_only = !r_.psp_id.empty() && r_.psp_name.empty();
    payment.emplace_back(
        t("payments_pdf.receipt.psp"),
        name_only ? r_.psp_name
        : id_only ? r_.psp_id
                  : f("payments_pdf.receipt.psp_with_id", {{"name", r_.psp_name}, {"id", r_.psp_id}}));
    payment.emplace_back(t("payments_pdf.receipt.iur"), r_.iur);
    if (!r_.receipt_id.empty()) payment.emplace_back(t("payments_pdf.receipt.receipt_id"), r_.receipt_id);
    payment.emplace_back(t("payments_pdf.receipt.nav"), r_.nav_grouped.empty() ? r_.nav : r_.nav_grouped);
    payment.emplace_back(t("payments_pdf.receipt.iuv"), r_.iuv);
    payment.emplace_back(t("payments_pdf.receipt.description"), r_.description);
    doc.key_values(std::move(payment), kv);

    doc.heading(2, t("payments_pdf.receipt.creditor"), 11);
    doc.key_values({{t("payments_pdf.party.body_name"), r_.creditor.name},
                    {t("payments_pdf.party.fiscal_code"), r_.creditor.fiscal_code}},
                   kv);
    doc.heading(2, t("payments_pdf.receipt.debtor"), 11);
    doc.key_values(party(r_.debtor, r_.debtor.organisation), kv);
    if (r_.payer) {
      doc.heading(2, t("payments_pdf.receipt.payer"), 11);
      doc.key_values(party(*r_.payer, r_.payer->organisation), kv);
    }

    if (!r_.transfers.empty()) {
      doc.heading(2, t("payments_pdf.receipt.transfers"), 11);
      std::vector<std::vector<std::string>> rows;
      for (std::size_t i = 0; i < r_.transfers.size(); ++i) {
        const auto& tr = r_.transfers[i];
        rows.push_back({std::to_string(i + 1),
                        f("payments_pdf.receipt.beneficiary",
                          {{"name", tr.beneficiary}, {"fiscal_code", tr.beneficiary_fiscal_code}}),
                        tr.stamp ? t("payments_pdf.receipt.stamp") : tr.iban, tr.remittance,
                        amount(tr.amount)});
      }
      doc.table({{t("payments_pdf.receipt.col.index"), 0.4},
                 {t("payments_pdf.receipt.col.beneficiary"), 2.0},
                 {t("payments_pdf.receipt.col.account"), 2.8},
                 {t("payments_pdf.receipt.col.remittance"), 2.0},
                 {t("payments_pdf.receipt.col.amount"), 1.1}},
                std::move(rows), {.size = 8.5});
    }
    if (r_.stamp != nullptr) stamp::add_block(doc, *r_.stamp);
    return doc.finish();
  }

 private:
  [[nodiscard]] const std::string& t(std::string_view key) const { return texts_.t(lang_, key); }
  [[nodiscard]] std::string f(std::string_view key, const std::map<std::string, std::string>& v) const {
    return texts_.format(lang_, key, v);
  }
  [[nodiscard]] std::string amount(money::Cents c) const { return money::format(c, lang_); }

  [[nodiscard]] Rows party(const NoticeParty& p, bool organisation) const {
    Rows rows{{t(organisation ? "payments_pdf.party.body_name" : "payments_pdf.party.person_name"), p.name},
              {t(organisation ? "payments_pdf.party.fiscal_code_or_vat" : "payments_pdf.party.fiscal_code"),
               p.fiscal_code}};
    if (!p.address.empty()) rows.emplace_back(t("payments_pdf.party.address"), p.address);
    return rows;
  }

  const ReceiptInput& r_;
  const I18n& texts_;
  std::string lang_;
};

}  // namespace

std::string render_payment_receipt(const ReceiptInput& receipt, const I18n& texts, std::string_view lang) {
  return ReceiptWriter(receipt, texts, lang).render();
}

}  // namespace sp::payments
