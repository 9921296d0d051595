// The certificate the ANPR simulator issues: a PDF (core/pdf) in Italian, its words from the locales
// (web/locales/it/sim_anpr.json). What it prints: the types (table 13), the subject's data the types ask
// for, the household for family certificates, the request's notes (the purpose), how the stamp duty was
// paid or why it is not due, the art. 40 c.02 DPR 445/2000 sentence, the issue date and the verification
// code with the URL (text and QR code).
#include <algorithm>

#include "adapters/anpr/simulator.hpp"
#include "core/money.hpp"
#include "core/pdf/document.hpp"

namespace sp::anpr::sim {
namespace {

constexpr const char* kLang = "it";

bool has_type(const CertificateRequest& r, std::initializer_list<int> types) {
  return std::any_of(r.types.begin(), r.types.end(),
                     [&](int t) { return std::find(types.begin(), types.end(), t) != types.end(); });
}

// A label from the locales, or the fallback key's text with {code} when that code has none.
std::string coded(const I18n& i18n, const std::string& prefix, const std::string& code) {
  const std::string key = prefix + code;
  if (i18n.all(kLang).contains(key)) return i18n.t(kLang, key);
  return i18n.format(kLang, prefix + "other", {{"code", code}});
}

std::string iso_to_it(const std::string& iso) {
  return time::it_date_text(iso);
}

std::string address_text(const Address& a) {
  std::string s = a.street_type.empty() ? a.street_name : a.street_type + " " + a.street_name;
  if (!a.number.empty()) s += " " + a.number + a.number_suffix;
  if (!a.flat.empty()) s += ", int. " + a.flat;
  s += " - " + a.cap + " " + a.comune_name + " (" + a.province + ")";
  return s;
}

std::string birth_text(const Person& p) {
  std::string place = p.birth_place;
  if (!p.birth_province.empty()) place += " (" + p.birth_province + ")";
  return place;
}

}  // namespace

std::string render_certificate_pdf(const I18n& i18n, const CertificateRequest& req, const Person& subject,
                                   const std::vector<Person>& members, const std::string& code,
                                   const std::string& verify_url, const std::string& comune_name,
                                   const std::string& issued_on) {
  auto t = [&](const std::string& key) { return i18n.t(kLang, "sim_anpr.pdf." + key); };
  std::vector<std::string> type_names;
  for (int ty : req.types) type_names.push_back(coded(i18n, "sim_anpr.type.", std::to_string(ty)));
  std::string title;
  for (std::size_t i = 0; i < type_names.size(); ++i)
    title += (i == 0 ? "" : i + 1 == type_names.size() ? " e " : ", ") + type_names[i];
  const std::string heading = i18n.format(kLang, "sim_anpr.pdf.heading", {{"types", title}});

  pdf::Document doc({.lang = "it-IT",
                     .title = heading,
                     .author = t("authority"),
                     .creator = "ANPR (simulatore)",
                     .footer = t("authority"),
                     .page_label = i18n.t(kLang, "pdf.page_of")});
  doc.letterhead(t("authority"));
  doc.paragraph(i18n.format(kLang, "sim_anpr.pdf.comune", {{"comune", comune_name}}),
                {.size = 10, .bold = true});
  doc.heading(1, heading);
  doc.paragraph(t("intro"));

  std::vector<std::pair<std::string, std::string>> rows = {
      {t("name"), subject.surname + " " + subject.name},
      {t("codice_fiscale"), subject.codice_fiscale},
      {t("birth"), i18n.format(kLang, "sim_anpr.pdf.birth_value",
                               {{"place", birth_text(subject)}, {"date", iso_to_it(subject.birth_date)}})},
      {t("sex"), subject.sex}};
  if (has_type(req, {8, 9, 12, 13, 14, 16, 20}))
    rows.emplace_back(t("residence"), address_text(subject.residence));
  if (has_type(req, {5, 6}))
    for (const auto& c : subject.citizenships)
      rows.emplace_back(t("citizenship"), coded(i18n, "sim_anpr.citizenship.", c));
  if (has_type(req, {11, 13, 17}) && !subject.civil_status.empty())
    rows.emplace_back(t("civil_status"), coded(i18n, "sim_anpr.civil.", subject.civil_status));
  if (has_type(req, {7})) rows.emplace_back(t("alive"), t("alive_value"));
  if (has_type(req, {2}) && !subject.death_date.empty())
    rows.emplace_back(t("death"), iso_to_it(subject.death_date));
  doc.key_values(rows);

  if (has_type(req, {12, 13, 15, 16})) {
    doc.heading(2, t("family_heading"));
    std::vector<std::vector<std::string>> table;
    auto row = [&](const Person& p) {
      table.push_back({p.surname + " " + p.name, p.codice_fiscale, iso_to_it(p.birth_date),
                       coded(i18n, "sim_anpr.relation.", p.relation.empty() ? "1" : p.relation)});
    };
    row(subject);
    for (const auto& m : members) row(m);
    doc.table({{t("col_name"), 3}, {t("col_cf"), 3}, {t("col_birth"), 2}, {t("col_relation"), 3}}, table,
              {.size = 8.5});
  }
  for (const auto& note : req.notes) doc.paragraph(i18n.format(kLang, "sim_anpr.pdf.note", {{"note", note}}));

  // Stamp duty: paid (how), exempt by a table-39 code (99's text is not printed), or exempt by type.
  std::string duty;
  if (req.exemption != 0) {
    duty = i18n.format(kLang, "sim_anpr.pdf.duty_exempt_code", {{"code", std::to_string(req.exemption)}});
  } else if (req.stamp_duty > 0) {
    duty = i18n.format(kLang,
                       "sim_anpr.pdf.duty_paid_" + std::to_string(req.stamp_mode == 0 ? 9 : req.stamp_mode),
                       {{"amount", money::format(req.stamp_duty)}});
  } else {
    duty = t("duty_exempt_type");
  }
  doc.paragraph(duty);
  doc.paragraph(t("art40"), {.size = 10, .bold = true});
  doc.paragraph(i18n.format(kLang, "sim_anpr.pdf.issued", {{"date", issued_on}}));
  doc.rule();
  doc.qr_panel({.heading = t("verify_heading"),
                .rows = {{t("verify_code"), code}, {t("verify_url"), verify_url}},
                .qr_payload = verify_url,
                .qr_alt = t("verify_qr_alt"),
                .note = t("verify_note")});
  return doc.finish();
}

}  // namespace sp::anpr::sim
