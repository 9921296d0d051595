#include "payments/notice_pdf.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "core/pdf/document.hpp"

namespace sp::payments {

namespace {

using Values = std::map<std::string, std::string>;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void check_option(const NoticeOption& o) {
  if (o.nav.size() != 18 || !all_digits(o.nav))
    throw std::invalid_argument("payment notice: the notice number must be 18 digits");
  std::string compact;
  for (char c : o.nav_grouped)
    if (c != ' ') compact += c;
  if (compact != o.nav)
    throw std::invalid_argument("payment notice: the grouped notice number differs from the notice number");
  if (o.amount <= 0) throw std::invalid_argument("payment notice: an amount must be above zero");
  if (o.due_date && !o.due_date->ok()) throw std::invalid_argument("payment notice: an invalid due date");
}

void check(const NoticeInput& n) {
  if (n.creditor.fiscal_code.size() != 11 || !all_digits(n.creditor.fiscal_code))
    throw std::invalid_argument("payment notice: the creditor's fiscal code must be 11 digits");
  if (!n.single && n.instalments.empty() && !n.fine)
    throw std::invalid_argument("payment notice: no payment option");
  if (n.single) check_option(*n.single);
  for (const auto& o : n.instalments) check_option(o);
  if (n.fine) {
    check_option(n.fine->reduced);
    check_option(n.fine->full);
  }
}

class NoticeWriter {
 public:
  NoticeWriter(const NoticeInput& n, const I18n& texts, std::string_view lang)
      : n_(n), texts_(texts), lang_(lang) {}

  std::string render() {
    pdf::Options o;
    o.lang = t("pdf.lang");
    o.title = f("payments_pdf.notice.title", {{"subject", n_.subject}});
    o.author = n_.body_name;
    o.subject = n_.subject;
    o.footer = f("payments_pdf.notice.footer", {{"body", n_.body_name}});
    o.page_label = t("pdf.page_of");
    o.running_header = f("payments_pdf.notice.continued",
                         {{"body", n_.body_name}, {"subject", n_.subject}, {"debtor", n_.debtor.name}});
    o.compress = n_.compress;
    pdf::Document doc(o);

    header(doc);
    parties(doc);
    how_much(doc);
    where(doc);
    options(doc);
    if (n_.stamp != nullptr) stamp::add_block(doc, *n_.stamp);
    return doc.finish();
  }

 private:
  [[nodiscard]] const std::string& t(std::string_view key) const { return texts_.t(lang_, key); }
  [[nodiscard]] std::string f(std::string_view key, const Values& v) const {
    return texts_.format(lang_, key, v);
  }
  [[nodiscard]] std::string amount(money::Cents c) const { return money::format(c, lang_); }
  [[nodiscard]] static std::string date(time::Date d) { return time::format_it_date(d); }

  void header(pdf::Document& doc) const {
    doc.letterhead(n_.body_name);
    doc.paragraph(t("payments_pdf.notice.kicker"), {.size = 9, .bold = true, .space_after = 0});
    doc.heading(1, n_.subject, 15);
  }

  [[nodiscard]] std::string fiscal_code_line(const NoticeParty& p) const {
    return f(
        p.organisation ? "payments_pdf.party.fiscal_code_or_vat_line" : "payments_pdf.party.fiscal_code_line",
        {{"value", p.fiscal_code}});
  }

  // The creditor and the debtor side by side, as pagoPA's layout has them: a table of two columns whose
  // headers say who is who.
  void parties(pdf::Document& doc) const {
    std::string creditor = n_.creditor.name + "\n" +
                           f("payments_pdf.party.fiscal_code_line", {{"value", n_.creditor.fiscal_code}});
    if (!n_.office.empty()) creditor += "\n" + n_.office;
    std::string debtor = n_.debtor.name + "\n" + fiscal_code_line(n_.debtor);
    if (!n_.debtor.address.empty()) debtor += "\n" + n_.debtor.address;
    doc.space(4);
    doc.table({{t("payments_pdf.notice.creditor"), 1}, {t("payments_pdf.notice.debtor"), 1}},
              {{creditor, debtor}}, {.size = 9.5, .padding = 4});
  }

  [[nodiscard]] std::string amount_by(const NoticeOption& o) const {
    const std::string a = amount(o.amount);
    if (!o.due_date) return f("payments_pdf.notice.amount_no_due", {{"amount", a}});
    return f("payments_pdf.notice.amount_by", {{"amount", a}, {"date", date(*o.due_date)}});
  }

  void how_much(pdf::Document& doc) const {
    const pdf::TextStyle big{.size = 14, .bold = true, .space_after = 4};
    const pdf::TextStyle text{.size = 9.5, .space_after = 3};
    doc.heading(2, t("payments_pdf.notice.how_much"), 11);
    const auto count = std::to_string(n_.instalments.size());
    if (n_.fine) {
      const auto& fine = *n_.fine;
      doc.paragraph(amount_by(fine.reduced), big);
      if (fine.reduced.due_date) {
        doc.paragraph(f("payments_pdf.notice.fine_reduced",
                        {{"date", date(*fine.reduced.due_date)}, {"amount", amount(fine.reduced.amount)}}),
                      text);
      } else {
        doc.paragraph(
            f("payments_pdf.notice.fine_reduced_relative", {{"amount", amount(fine.reduced.amount)}}), text);
      }
      if (fine.full.due_date) {
        doc.paragraph(f("payments_pdf.notice.fine_full",
                        {{"date", date(*fine.full.due_date)}, {"amount", amount(fine.full.amount)}}),
                      text);
      } else {
        doc.paragraph(f("payments_pdf.notice.fine_full_relative", {{"amount", amount(fine.full.amount)}}),
                      text);
      }
      if (fine.notified_on)
        doc.paragraph(f("payments_pdf.notice.fine_notified", {{"date", date(*fine.notified_on)}}), text);
    }
    if (n_.single) {
      doc.paragraph(amount_by(*n_.single), big);
      if (!n_.instalments.empty())
        doc.paragraph(f("payments_pdf.notice.also_instalments", {{"count", count}}), text);
    } else if (!n_.instalments.empty()) {
      money::Cents total = 0;
      for (const auto& o : n_.instalments) total += o.amount;
      doc.paragraph(f("payments_pdf.notice.instalments_total", {{"amount", amount(total)}, {"count", count}}),
                    big);
      const auto& first = n_.instalments.front();
      doc.paragraph(first.due_date
                        ? f("payments_pdf.notice.instalments_first", {{"date", date(*first.due_date)}})
                        : t("payments_pdf.notice.instalments_each"),
                    text);
    }
    doc.paragraph(t("payments_pdf.notice.amount_may_change"), text);
    doc.paragraph(t("payments_pdf.notice.fee"), text);
  }

  void where(pdf::Document& doc) const {
    doc.heading(2, t("payments_pdf.notice.where"), 11);
    doc.list({n_.portal_url.empty() ? t("payments_pdf.notice.where_online")
                                    : f("payments_pdf.notice.where_online_portal", {{"url", n_.portal_url}}),
              t("payments_pdf.notice.where_in_person")},
             {.size = 9.5, .space_after = 2});
    doc.paragraph(t("payments_pdf.notice.where_codes"), {.size = 9.5, .space_after = 6});
  }

  // The framed section of one payment option: its heading and amount, its due date, notice number,
  // creditor and debtor, and its QR code.
  [[nodiscard]] pdf::QrPanel panel(const NoticeOption& o, int level, std::string heading,
                                   std::string due) const {
    pdf::QrPanel p;
    p.heading_level = level;
    p.heading = std::move(heading);
    p.aside = amount(o.amount);
    p.rows = {{t("payments_pdf.option.due"), std::move(due)},
              {t("payments_pdf.option.nav"), o.nav_grouped},
              {t("payments_pdf.option.creditor_fiscal_code"), n_.creditor.fiscal_code},
              {t("payments_pdf.option.creditor"), n_.creditor.name},
              {t("payments_pdf.option.debtor"), n_.debtor.name},
              {t("payments_pdf.option.subject"), n_.subject}};
    p.qr_payload = notice_qr_payload(o.nav, n_.creditor.fiscal_code, o.amount);
    p.qr_alt =
        f("payments_pdf.option.qr_alt",
          {{"nav", o.nav_grouped}, {"creditor", n_.creditor.fiscal_code}, {"amount", amount(o.amount)}});
    p.label_width = 165;
    return p;
  }

  [[nodiscard]] std::string due(const NoticeOption& o) const {
    return o.due_date ? f("payments_pdf.option.due_by", {{"date", date(*o.due_date)}})
                      : t("payments_pdf.option.no_due");
  }

  void options(pdf::Document& doc) const {
    doc.space(4);
    if (n_.fine) {
      const auto& fine = *n_.fine;
      doc.qr_panel(
          panel(fine.reduced, 2, t("payments_pdf.notice.fine_reduced_title"),
                fine.reduced.due_date ? due(fine.reduced) : t("payments_pdf.option.fine_reduced_relative")));
      std::string full_due;
      if (fine.reduced.due_date && fine.full.due_date) {
        full_due = f("payments_pdf.option.fine_full_between",
                     {{"from", date(time::add_calendar_days(*fine.reduced.due_date, 1))},
                      {"to", date(*fine.full.due_date)}});
      } else if (fine.full.due_date) {
        full_due = due(fine.full);
      } else {
        full_due = t("payments_pdf.option.fine_full_relative");
      }
      doc.qr_panel(panel(fine.full, 2, t("payments_pdf.notice.fine_full_title"), std::move(full_due)));
    }
    if (n_.single) doc.qr_panel(panel(*n_.single, 2, t("payments_pdf.notice.single"), due(*n_.single)));
    if (n_.instalments.empty()) return;
    // As pagoPA's model: the single payment (or the fine) alone with the notice on its first page, the
    // instalments on the following pages, each page under the running header.
    if (n_.single || n_.fine) doc.page_break();
    doc.heading(2, t("payments_pdf.notice.instalments"), 11);
    const auto count = std::to_string(n_.instalments.size());
    for (std::size_t i = 0; i < n_.instalments.size(); ++i) {
      const auto& o = n_.instalments[i];
      doc.qr_panel(
          panel(o, 3, f("payments_pdf.notice.instalment", {{"n", std::to_string(i + 1)}, {"count", count}}),
                due(o)));
    }
  }

  const NoticeInput& n_;
  const I18n& texts_;
  std::string lang_;
};

}  // namespace

std::string notice_qr_payload(std::string_view nav, std::string_view creditor_fiscal_code,
                              money::Cents amount) {
  std::string out = "PAGOPA|002|";
  out.append(nav);
  out += '|';
  out.append(creditor_fiscal_code);
  out += '|';
  out += std::to_string(amount);
  return out;
}

std::string render_payment_notice(const NoticeInput& notice, const I18n& texts, std::string_view lang) {
  check(notice);
  return NoticeWriter(notice, texts, lang).render();
}

}  // namespace sp::payments
