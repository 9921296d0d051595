#include "selfdecl/service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "anagrafe/prefill.hpp"
#include "core/ids.hpp"
#include "core/pdf/document.hpp"
#include "identity/permissions.hpp"
#include "selfdecl/store.hpp"

namespace sp::selfdecl {
namespace {

using anagrafe::F;

bool multiline(std::string_view field) {
  return field == kFamilyField || field == kTextField;
}

// A label from the locales ("ui.anag_civil_2"), or the code itself when there is none.
std::string sd_label(const I18n& i18n, std::string_view lang, const std::string& prefix,
                     const std::string& code) {
  if (code.empty()) return {};
  const std::string key = prefix + code;
  const auto& t = i18n.t(lang, key);
  return t == key ? code : t;
}

std::string sd_date(const std::string& iso_day) {
  return iso_day.empty() ? std::string() : time::it_date_text(iso_day);
}

// One value as submitted: trimmed; a single-line field's line breaks become spaces.
std::string clean(const std::string& field, const std::string& raw) {
  std::string v = tidy(raw);
  if (!multiline(field)) std::replace(v.begin(), v.end(), '\n', ' ');
  return v;
}

}  // namespace

std::string place_of(const tenants::Body& body) {
  constexpr std::string_view kPrefix = "Comune di ";
  if (body.name.rfind(kPrefix, 0) == 0) return body.name.substr(kPrefix.size());
  return body.name;
}

SelfDeclService::SelfDeclService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                                 const I18n& i18n, tenants::TenantService& tenants,
                                 anagrafe::AnagrafeService& register_, stamp::StampService& stamps,
                                 files::FileService& files)
    : db_(db),
      audit_(audit),
      clock_(clock),
      i18n_(i18n),
      tenants_(tenants),
      register_(register_),
      stamps_(stamps),
      files_(files) {}

Result<Parties> SelfDeclService::parties(const identity::Principal* who, const std::string& subject_cf) {
  if (who == nullptr) return Error::make("auth.required", 401);
  if (who->kind != identity::PrincipalKind::person) return Error::make("forbidden", 403);
  Parties p;
  p.declarant_cf = who->subject;
  p.declarant_name = who->display_name;
  p.subject_cf = who->subject;
  p.subject_name = who->display_name;
  if (who->acting_for) {
    if (who->acting_for->kind != "person") return Error::make("selfdecl.business", 403);
    p.subject_cf = who->acting_for->id;
    p.subject_name = who->acting_for->name;
    p.capacity = kParent;
  }
  if (!subject_cf.empty() && subject_cf != p.subject_cf) return Error::make("selfdecl.third_party", 403);
  if (!p.capacity.empty()) {
    // The delegation ends at 18 by itself; the register is asked again here, the day it is used.
    for (const auto& r : register_.residences(p.subject_cf)) {
      const auto& born = r.person[F::data_nascita];
      if (!born.empty() && !anagrafe::minor_on(born, register_.today()))
        return Error::make("selfdecl.not_minor", 403);
    }
  }
  return p;
}

Facts SelfDeclService::register_facts(tenants::TenantId tenant, const std::string& cf,
                                      const std::string& lang, bool& found, std::string& name) {
  Facts f;
  found = false;
  auto records = register_.records_of(cf);
  const anagrafe::OwnRecord* rec = nullptr;
  for (const auto& r : records)
    if (r.tenant_id == tenant) rec = &r;
  if (rec == nullptr && !records.empty()) rec = &records.front();
  if (rec == nullptr) return f;
  found = true;
  const auto& p = rec->person;
  name = p[F::nome] + " " + p[F::cognome];
  f["cognome"] = p[F::cognome];
  f["nome"] = p[F::nome];
  f["luogo_nascita"] = p[F::luogo_nascita];
  f["data_nascita"] = sd_date(p[F::data_nascita]);
  if (auto body = tenants_.by_id(rec->tenant_id)) {
    f["comune_residenza"] = place_of(*body) + (body->province.empty() ? "" : " (" + body->province + ")");
  }
  f["indirizzo"] = p.street_line() + (p[F::cap].empty() ? "" : ", " + p[F::cap]);
  f["cittadinanza"] = sd_label(i18n_, lang, "ui.anag_country_", p[F::cittadinanza]);
  f["stato_civile"] = sd_label(i18n_, lang, "ui.anag_civil_", p[F::stato_civile]);
  std::string family;
  for (const auto& m : rec->household) {
    if (!family.empty()) family += '\n';
    family += i18n_.format(lang, "selfdecl.member_line",
                           {{"name", m[F::cognome] + " " + m[F::nome]},
                            {"place", m[F::luogo_nascita]},
                            {"date", sd_date(m[F::data_nascita])},
                            {"relation", sd_label(i18n_, lang, "ui.anag_rel_", m[F::relazione_parentela])}});
  }
  f[std::string(kFamilyField)] = family;
  return f;
}

Result<Draft> SelfDeclService::prefill(tenants::TenantId tenant, const identity::Principal* who,
                                       const std::string& kind, const std::string& lang,
                                       const std::string& subject_cf) {
  Draft d;
  d.kind = find_kind(kind);
  if (d.kind == nullptr) return Error::make("selfdecl.kind", 400, kind);
  auto p = parties(who, subject_cf);
  if (!p) return p.error();
  d.parties = *p;
  std::string name;
  Facts all = register_facts(tenant, p->subject_cf, lang, d.prefilled, name);
  for (const auto& f : form_fields(*d.kind)) d.facts[f] = all.count(f) ? all[f] : std::string();
  if (d.prefilled) d.parties.subject_name = name;
  return d;
}

Result<Declaration> SelfDeclService::issue(tenants::TenantId tenant, const identity::Principal* who,
                                           const Submission& s) {
  const Kind* kind = find_kind(s.kind);
  if (kind == nullptr) return Error::make("selfdecl.kind", 400, s.kind);
  auto p = parties(who, s.subject_cf);
  if (!p) return p.error();
  auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");

  Facts declared;
  for (const auto& f : form_fields(*kind)) {
    auto it = s.facts.find(f);
    std::string v = clean(f, it == s.facts.end() ? std::string() : it->second);
    if (v.size() > (multiline(f) ? kMaxText : kMaxField)) {
      return Error::for_field("selfdecl.too_long", f, 400, f);
    }
    if (v.empty()) {
      return Error::for_field("selfdecl.required", f, 400, f);
    }
    declared[f] = v;
  }
  const std::string purpose = clean("purpose", s.purpose);
  const std::string recipient = clean("recipient", s.recipient);
  if (purpose.size() > kMaxField || recipient.size() > kMaxField)
    return Error::make("selfdecl.too_long", 400, purpose.size() > kMaxField ? "purpose" : "recipient");

  bool found = false;
  std::string register_name;
  const Facts reg = register_facts(tenant, p->subject_cf, s.lang, found, register_name);

  Declaration d;
  d.id = ids::uuid_v7();
  d.tenant_id = tenant;
  d.token = ids::random_token(16);
  d.article = kind->article;
  d.kind = kind->code;
  d.declarant_cf = p->declarant_cf;
  d.subject_cf = p->subject_cf;
  d.subject_name = declared["nome"] + " " + declared["cognome"];
  d.capacity = p->capacity;
  if (d.capacity.empty()) {
    d.declarant_name = d.subject_name;
  } else {  // the parent: as the register knows them, else as the sign-in named them
    bool parent_found = false;
    std::string parent_name;
    register_facts(tenant, p->declarant_cf, s.lang, parent_found, parent_name);
    d.declarant_name = parent_found ? parent_name : p->declarant_name;
  }
  d.facts = std::move(declared);
  d.changed = changed_fields(form_fields(*kind), reg, d.facts);
  d.prefilled = found;
  d.purpose = purpose;
  d.recipient = recipient;
  d.lang = s.lang.empty() ? "it" : s.lang;
  d.created_at = time::format_iso_utc(clock_.now());
  const int auth_level = who->auth_level;

  return db::transact(db_, [&](db::Conn& tx) -> Result<Declaration> {
    stamp::IssueRequest sr;
    sr.tenant = tenant;
    sr.kind = kStampKind;
    sr.title = i18n_.t(d.lang, "selfdecl.pdf.title_" + std::to_string(d.article));
    sr.lang = d.lang;
    sr.issued_by = d.declarant_cf;
    auto issued =
        stamps_.issue(tx, sr, [&](const stamp::Block& b) { return render(d, *body, auth_level, &b); });
    if (!issued) return issued.error();
    files::Limits limits;
    limits.allowed_types = {"application/pdf"};
    auto stored = files_.put(tx, tenant, "autocertificazione-" + d.kind + ".pdf", issued->pdf, limits);
    if (!stored) return stored.error();
    d.stamp_token = issued->token;
    d.file_id = stored->id;
    d.sha256 = stored->sha256;
    store::insert(tx, d);
    audit::Entry e;
    e.tenant_id = tenant;
    e.actor_kind = audit::ActorKind::person;
    e.actor_id = d.declarant_cf;
    if (!d.capacity.empty()) e.on_behalf_of = d.subject_cf;
    e.channel = audit::Channel::web;
    e.action = "selfdecl.issue";
    e.record_type = "self_declaration";
    e.record_id = d.id;
    e.remote_addr = s.remote_addr;
    e.details = boost::json::serialize(boost::json::object{{"kind", d.kind},
                                                           {"article", d.article},
                                                           {"stamp", d.stamp_token},
                                                           {"sha256", d.sha256},
                                                           {"changed", join(d.changed)},
                                                           {"prefilled", d.prefilled}});
    audit_.record_or_throw(tx, e);
    return d;
  });
}

std::vector<Declaration> SelfDeclService::mine(tenants::TenantId tenant, const identity::Principal* who) {
  std::vector<Declaration> out;
  if (who == nullptr || who->kind != identity::PrincipalKind::person) return out;
  db_.read([&](db::Conn& c) { out = store::of_declarant(c, tenant, who->subject); });
  return out;
}

std::vector<Declaration> SelfDeclService::mine_everywhere(const identity::Principal* who) {
  std::vector<Declaration> out;
  if (who == nullptr || who->kind != identity::PrincipalKind::person) return out;
  db_.read([&](db::Conn& c) { out = store::of_declarant_everywhere(c, who->subject); });
  return out;
}

Result<Declaration> SelfDeclService::own(tenants::TenantId tenant, const identity::Principal* who,
                                         const std::string& token) {
  if (who == nullptr) return Error::make("auth.required", 401);
  std::optional<Declaration> d;
  db_.read([&](db::Conn& c) { d = store::by_token(c, tenant, token); });
  if (!d || who->kind != identity::PrincipalKind::person || d->declarant_cf != who->subject)
    return Error::not_found("self-declaration");
  return std::move(*d);
}

Result<std::vector<Declaration>> SelfDeclService::of_body(const identity::Principal* who,
                                                          tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<Declaration> out;
  db_.read([&](db::Conn& c) { out = store::of_body(c, tenant); });
  return out;
}

Result<std::string> SelfDeclService::pdf(const Declaration& d) {
  auto bytes = files_.read_content(d.tenant_id, d.file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return Error::not_found("file");
  return std::move(**bytes);
}

std::string SelfDeclService::render(const Declaration& d, const tenants::Body& body, int auth_level,
                                    const stamp::Block* block) const {
  const std::string& lang = d.lang;
  auto t = [&](const std::string& key) { return i18n_.t(lang, key); };
  std::map<std::string, std::string> v(d.facts.begin(), d.facts.end());
  v["cf"] = d.subject_cf;
  v["declarant"] = d.declarant_name;
  v["declarant_cf"] = d.declarant_cf;
  v["body"] = body.name;
  v["place"] = place_of(body);
  const auto at = time::parse_iso_utc(d.created_at);
  v["date"] = at ? time::format_it_date(*at) : d.created_at;
  v["datetime"] = at ? time::format_it_datetime(*at) : d.created_at;
  v["level"] = std::to_string(auth_level);
  v["privacy_url"] = stamps_.options().public_url + "/" + body.slug + "/privacy";
  const std::string article = std::to_string(d.article);
  const bool minor = d.capacity == kParent;

  pdf::Options o;
  o.lang = t("pdf.lang");
  o.title = t("selfdecl.pdf.title_" + article) + " — " + t("selfdecl.kind." + d.kind);
  o.author = body.name;
  o.footer = i18n_.format(lang, "selfdecl.pdf.footer", v);
  o.page_label = t("pdf.page_of");
  pdf::Document doc(o);
  doc.letterhead(body.name);
  doc.heading(1, t("selfdecl.pdf.title_" + article));
  doc.paragraph(t("selfdecl.pdf.basis_" + article), {.size = 10, .space_after = 2});
  doc.paragraph(t("selfdecl.kind." + d.kind), {.size = 12, .space_after = 6});
  doc.rule();
  doc.paragraph(i18n_.format(lang, minor ? "selfdecl.pdf.intro_minor" : "selfdecl.pdf.intro", v));
  doc.paragraph(t("selfdecl.pdf.aware"));
  doc.heading(2, t("selfdecl.pdf.declares"), 12);
  if (d.article == 47) {
    doc.paragraph(i18n_.format(lang, "selfdecl.pdf.subject", v), {.size = 10, .space_after = 6});
    for (const auto& line : split(d.facts.at(std::string(kTextField)), '\n')) doc.paragraph(line);
  } else {
    doc.paragraph(i18n_.format(lang, (minor ? "selfdecl.text_minor." : "selfdecl.text.") + d.kind, v));
    auto fam = d.facts.find(std::string(kFamilyField));
    if (fam != d.facts.end()) doc.list(split(fam->second, '\n'));
  }
  if (!d.purpose.empty()) doc.paragraph(i18n_.format(lang, "selfdecl.pdf.purpose", {{"purpose", d.purpose}}));
  if (!d.recipient.empty())
    doc.paragraph(i18n_.format(lang, "selfdecl.pdf.recipient", {{"recipient", d.recipient}}));
  // Which statements are the register's and which the declarant's own.
  if (!d.prefilled) {
    doc.paragraph(t("selfdecl.pdf.not_prefilled"), {.size = 9});
  } else if (d.changed.empty()) {
    doc.paragraph(t("selfdecl.pdf.prefilled"), {.size = 9});
  } else {
    std::string fields;
    for (const auto& f : d.changed) fields += (fields.empty() ? "" : ", ") + t("selfdecl.field." + f);
    doc.paragraph(i18n_.format(lang, "selfdecl.pdf.changed", {{"fields", fields}}), {.size = 9});
  }
  doc.paragraph(i18n_.format(lang, "selfdecl.pdf.place_date", v), {.size = 10, .space_after = 2});
  doc.paragraph(i18n_.format(lang, "selfdecl.pdf.signature", v), {.size = 10, .space_after = 2});
  doc.paragraph(i18n_.format(lang, "selfdecl.pdf.signature_note", v), {.size = 8.5});
  doc.rule();
  doc.heading(2, t("selfdecl.pdf.warnings"), 11);
  doc.paragraph(t("selfdecl.pdf.art76"), {.size = 8.5});
  doc.paragraph(t("selfdecl.pdf.art75"), {.size = 8.5});
  doc.paragraph(t("selfdecl.pdf.acceptance"), {.size = 8.5});
  doc.paragraph(t("selfdecl.pdf.stamp_duty"), {.size = 8.5});
  doc.paragraph(i18n_.format(lang, "selfdecl.pdf.gdpr", v), {.size = 8.5});
  if (block != nullptr) stamp::add_block(doc, *block);
  return doc.finish();
}

}  // namespace sp::selfdecl
