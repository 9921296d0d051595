#include "app/demo.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cases/model.hpp"
#include "cases/store.hpp"
#include "core/ids.hpp"
#include "core/pdf/document.hpp"
#include "core/text.hpp"

namespace sp::app {
namespace {

namespace json = boost::json;

Result<json::object> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::make("import.file", 400, path);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return Error::make("import.syntax", 400, path + ": " + ec.message());
  return v.as_object();
}

std::string str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

catalog::LocalText local(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_object()) return {};
  const auto& t = it->value().as_object();
  return {str(t, "it"), str(t, "en")};
}

std::optional<std::int64_t> opt_int(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<std::int64_t>(it->value().as_uint64());
  return std::nullopt;
}

std::vector<std::string> strings(const json::object& o, std::string_view key, std::string_view lang) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_object()) return out;
  auto l = it->value().as_object().find(lang);
  if (l == it->value().as_object().end() || !l->value().is_array()) return out;
  for (const auto& v : l->value().as_array()) {
    if (v.is_string()) out.emplace_back(v.as_string());
  }
  return out;
}

const json::array& array(const json::object& o, std::string_view key) {
  static const json::array empty;
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? it->value().as_array() : empty;
}

Status with_context(Status st, const std::string& where) {
  if (st) return st;
  Error e = st.error();
  e.detail = where + ": " + e.detail;
  return e;
}

}  // namespace

Status import_catalog(const std::string& path, catalog::CatalogService& cat) {
  auto doc = read_json(path);
  if (!doc) return doc.error();
  for (const auto& v : array(*doc, "life_events")) {
    const auto& o = v.as_object();
    catalog::LifeEvent e{str(o, "code"), static_cast<int>(opt_int(o, "position").value_or(0)),
                         local(o, "title"), local(o, "description"), str(o, "icon")};
    if (auto st = cat.save_life_event(e); !st) return with_context(st, path);
  }
  for (const auto& v : array(*doc, "areas")) {
    const auto& o = v.as_object();
    if (auto st = cat.save_area({str(o, "code"), local(o, "title")}); !st) return with_context(st, path);
  }
  for (const auto& v : array(*doc, "services")) {
    const auto& o = v.as_object();
    catalog::Service s;
    s.code = str(o, "code");
    s.title = local(o, "title");
    s.summary = local(o, "summary");
    s.description = local(o, "description");
    s.life_event = str(o, "life_event");
    s.area = str(o, "area");
    auto audience = catalog::parse_audience(str(o, "audience"));
    if (!audience) return Error::make("catalog.audience", 400, path + ": " + s.code);
    s.audience = *audience;
    s.level = static_cast<int>(opt_int(o, "level").value_or(0));
    s.fee_cents = opt_int(o, "fee_cents");
    s.fee_note = local(o, "fee_note");
    if (auto d = opt_int(o, "deadline_days")) s.deadline_days = static_cast<int>(*d);
    s.office = local(o, "office");
    s.documents_it = strings(o, "required_documents", "it");
    s.documents_en = strings(o, "required_documents", "en");
    s.spid_level = static_cast<int>(opt_int(o, "spid_level").value_or(2));
    auto sc = o.find("silence_consent");
    s.silence_consent = sc != o.end() && sc->value().is_bool() && sc->value().as_bool();
    s.legal_basis = str(o, "legal_basis");
    auto saved = cat.save_service(s);
    if (!saved) return with_context(saved.error(), path);
  }
  return Ok{};
}

Status import_bodies(const std::string& path, tenants::TenantService& tenants, catalog::CatalogService& cat) {
  auto doc = read_json(path);
  if (!doc) return doc.error();
  auto hub_it = doc->find("hub");
  if (hub_it == doc->end() || !hub_it->value().is_object()) return Error::make("import.hub", 400, path);
  const auto& h = hub_it->value().as_object();
  std::int64_t hub_id = 0;
  auto snapshot = tenants.snapshot();
  for (const auto& existing : snapshot->hubs) {
    if (existing.slug == str(h, "slug")) hub_id = existing.id;
  }
  if (hub_id == 0) {
    tenants::Hub hub{0,
                     str(h, "slug"),
                     str(h, "name"),
                     str(h, "fiscal_code"),
                     str(h, "pec"),
                     local(h, "description").it,
                     local(h, "description").en};
    auto id = tenants.create_hub(hub);
    if (!id) return with_context(id.error(), path);
    hub_id = *id;
  }
  for (const auto& v : array(*doc, "bodies")) {
    const auto& o = v.as_object();
    if (tenants.by_slug(str(o, "slug"))) continue;
    tenants::Body b;
    b.hub_id = hub_id;
    auto kind = tenants::parse_body_kind(str(o, "kind"));
    if (!kind) return Error::make("tenants.kind", 400, path + ": " + str(o, "slug"));
    b.kind = *kind;
    b.slug = str(o, "slug");
    b.name = str(o, "name");
    b.istat_code = str(o, "istat_code");
    b.belfiore_code = str(o, "belfiore_code");
    b.fiscal_code = str(o, "fiscal_code");
    b.pec = str(o, "pec");
    if (auto c = str(o, "color_primary"); !c.empty()) b.color_primary = c;
    b.population = opt_int(o, "population").value_or(0);
    b.province = str(o, "province");
    b.region = str(o, "region");
    b.host_name = str(o, "host_name");
    auto desc = local(o, "description");
    b.description_it = desc.it;
    b.description_en = desc.en;
    auto id = tenants.create_body(b);
    if (!id) return with_context(id.error(), path + " " + b.slug);
    for (const auto& sv : array(o, "services")) {
      const auto& so = sv.as_object();
      catalog::Activation a;
      a.service_code = str(so, "code");
      a.level = static_cast<int>(opt_int(so, "level").value_or(0));
      a.fee_cents = opt_int(so, "fee_cents");
      a.office = local(so, "office");
      a.notes = local(so, "notes");
      if (auto st = cat.activate(*id, a); !st) return with_context(st, path + " " + b.slug);
    }
  }
  return Ok{};
}

Result<bool> seed_demo_if_empty(const std::string& share_dir, tenants::TenantService& tenants,
                                catalog::CatalogService& cat) {
  tenants.reload();
  if (!tenants.snapshot()->hubs.empty()) return false;
  if (auto st = import_catalog(share_dir + "/data/demo/catalog.json", cat); !st) return st.error();
  if (auto st = import_bodies(share_dir + "/data/demo/bodies.json", tenants, cat); !st) return st.error();
  return true;
}

Status seed_demo_staff(const std::string& share_dir, tenants::TenantService& tenants,
                       identity::StaffService& staff) {
  auto doc = read_json(share_dir + "/data/demo/staff.json");
  if (!doc) return doc.error();
  const auto& admin = doc->at("hub_admin").as_object();
  auto hub_admin = staff.bootstrap_hub_admin(str(admin, "email"), str(admin, "name"), str(admin, "password"),
                                             str(admin, "password_hash"));
  if (!hub_admin) {
    // A hub administrator exists already: the demo staff were seeded on an earlier start.
    return Ok{};
  }
  identity::Principal caller;
  caller.kind = identity::PrincipalKind::staff;
  caller.subject = hub_admin->id;
  caller.tenant_id = 0;
  caller.roles = {identity::Role::hub_admin};
  for (const auto& v : array(*doc, "staff")) {
    const auto& o = v.as_object();
    identity::NewStaff ns;
    auto body_slug = str(o, "body");
    if (!body_slug.empty()) {
      auto body = tenants.by_slug(body_slug);
      if (!body) return Error::make("import.body", 400, body_slug);
      ns.tenant_id = body->id;
    }
    ns.email = str(o, "email");
    ns.display_name = str(o, "name");
    ns.password = str(o, "password");
    ns.password_hash = str(o, "password_hash");  // shipped, so a start does not hash every demo password
    for (const auto& r : array(o, "roles")) {
      if (auto role = identity::parse_role(std::string(r.as_string()))) ns.roles.insert(*role);
    }
    // The body's first administrator is created by the hub admin; the body's other staff by that admin.
    identity::Principal body_admin = caller;
    const bool first_admin = ns.roles.count(identity::Role::body_admin) > 0;
    if (!first_admin && ns.tenant_id != 0) {
      body_admin.kind = identity::PrincipalKind::staff;
      body_admin.tenant_id = ns.tenant_id;
      body_admin.roles = {identity::Role::body_admin};
    }
    auto created = staff.create(&body_admin, ns);
    if (!created) return with_context(created.error(), ns.email);
  }
  return Ok{};
}

Status seed_demo_aoos(tenants::TenantService& tenants, protocollo::ProtocolService& protocol) {
  const auto snapshot = tenants.snapshot();  // held: a range-for over ->bodies would not keep it alive
  for (const auto& body : snapshot->bodies) {
    const auto& b = *body;
    if (!protocol.aoos(b.id).empty()) continue;
    std::string ipa;
    if (!b.belfiore_code.empty()) {
      ipa = "c_" + text::to_lower_ascii(b.belfiore_code);
    } else if (b.kind == tenants::BodyKind::provincia && !b.province.empty()) {
      ipa = "p_" + text::to_lower_ascii(b.province);
    } else {
      for (char c : b.slug) ipa += c == '-' ? '_' : c;
      ipa = ipa.substr(0, 12);
    }
    // Registering since a week ago: the daily register job then produces those days' registers, so a
    // fresh demo has registers to show (empty days until someone registers something).
    auto created = protocol.create_aoo(b.id, ipa, ipa, "Protocollo generale - " + b.name,
                                       std::chrono::system_clock::now() - std::chrono::days(7));
    if (!created && created.error().code != "protocollo.aoo_exists") return created.error();
  }
  return Ok{};
}

Status seed_demo_forms(const std::string& share_dir, tenants::TenantService& tenants,
                       forms::DefinitionsService& definitions) {
  const std::string path = share_dir + "/data/demo/forms.json";
  auto doc = read_json(path);
  if (!doc) return doc.error();
  const json::value* bodies = doc->if_contains("bodies");
  if (!bodies || !bodies->is_object()) return Error::make("import.syntax", 400, path + ": \"bodies\"");
  const forms::Author demo{"system:demo", "Dati dimostrativi"};
  for (const auto& [slug, v] : bodies->as_object()) {
    auto body = tenants.by_slug(slug);
    if (!body || !v.is_object()) continue;
    const auto& o = v.as_object();
    for (const auto& [code, overlay] : o.contains("overlays") && o.at("overlays").is_object()
                                           ? o.at("overlays").as_object()
                                           : json::object()) {
      auto now = definitions.effective(body->id, std::string(code));
      if (!now || now->stored_overlay_version > 0 || !overlay.is_object()) continue;  // the body's own
      auto saved = definitions.save_as(demo, body->id, std::string(code), overlay.as_object(), 0);
      if (!saved)
        return with_context(saved.error(), path + ": " + std::string(slug) + "." + std::string(code));
    }
    const auto& streets = array(o, "streets");
    if (streets.empty()) continue;
    if (definitions.has_streets(body->id)) continue;
    std::string lines;
    for (const auto& s : streets)
      if (s.is_string()) lines += std::string(s.as_string()) + "\n";
    auto imported = definitions.import_streets_as(demo, body->id, lines);
    if (!imported) return with_context(imported.error(), path + ": " + std::string(slug) + ".streets");
  }
  return Ok{};
}

}  // namespace sp::app

namespace sp::app {

Status seed_demo_payments(const std::string& share_dir, tenants::TenantService& tenants,
                          payments::PaymentsService& service, time::TimePoint now) {
  auto doc = read_json(share_dir + "/data/demo/payments.json");
  if (!doc) return doc.error();
  const payments::SystemActor demo{"demo"};
  const auto today = time::rome_date(now);
  auto array_of = [&](const char* key) {
    auto* v = doc->if_contains(key);
    return v && v->is_array() ? v->as_array() : json::array{};
  };
  for (const auto& v : array_of("creditors")) {
    const auto& o = v.as_object();
    auto body = tenants.by_slug(str(o, "body"));
    if (!body) return Error::make("import.reference", 400, "payments.json: body " + str(o, "body"));
    if (service.creditor(body->id)) continue;  // seeded before: the demo data stay as they are
    payments::Creditor c;
    c.tenant_id = body->id;
    c.fiscal_code = body->fiscal_code;
    c.company_name = str(o, "company_name");
    c.office_name = str(o, "office_name");
    if (auto* codes = o.if_contains("segregation_codes"); codes && codes->is_array())
      for (const auto& s : codes->as_array()) c.segregation_codes.emplace_back(s.as_string());
    c.iban = str(o, "iban");
    c.postal_iban = str(o, "postal_iban");
    c.broker_id = str(o, "broker_id");
    c.station_id = str(o, "station_id");
    if (auto st = service.set_creditor(demo, c); !st) return st.error();
    for (const auto& pv : array_of("positions")) {
      const auto& p = pv.as_object();
      if (str(p, "body") != body->slug) continue;
      payments::NewPosition np;
      np.iupd = str(p, "iupd");
      np.debtor.type = payments::parse_debtor_type(str(p, "type")).value_or(payments::DebtorType::person);
      np.debtor.fiscal_code = str(p, "fiscalCode");
      np.debtor.full_name = str(p, "fullName");
      np.debtor.street_name = str(p, "streetName");
      np.debtor.civic_number = str(p, "civicNumber");
      np.debtor.postal_code = str(p, "postalCode");
      np.debtor.city = str(p, "city");
      np.debtor.province = str(p, "province");
      np.debtor.email = str(p, "email");
      np.publish = true;
      if (auto* opts = p.if_contains("options"); opts && opts->is_array()) {
        for (const auto& ov : opts->as_array()) {
          const auto& oo = ov.as_object();
          payments::NewOption opt;
          opt.amount = opt_int(oo, "amount").value_or(0);
          opt.description = str(oo, "description");
          opt.due_date = time::format_iso_date(
              time::add_calendar_days(today, static_cast<int>(opt_int(oo, "due_in_days").value_or(30))));
          auto* partial = oo.if_contains("isPartialPayment");
          opt.is_partial_payment = partial && partial->is_bool() && partial->as_bool();
          payments::NewTransfer t;
          t.amount = opt.amount;
          t.iban = c.iban;
          t.remittance = str(oo, "remittance");
          t.category = str(p, "category");
          opt.transfers.push_back(t);
          np.options.push_back(std::move(opt));
        }
      }
      if (auto r = service.create(demo, body->id, np); !r) return r.error();
    }
    for (const auto& fv : array_of("fines")) {
      const auto& f = fv.as_object();
      if (str(f, "body") != body->slug) continue;
      payments::NewFine nf;
      nf.iupd = str(f, "iupd");
      nf.debtor.type = payments::DebtorType::person;
      nf.debtor.fiscal_code = str(f, "fiscalCode");
      nf.debtor.full_name = str(f, "fullName");
      nf.terms.notification_date =
          time::add_calendar_days(today, -static_cast<int>(opt_int(f, "notified_days_ago").value_or(3)));
      nf.terms.sanction = opt_int(f, "sanctionAmount").value_or(0);
      nf.terms.expenses = opt_int(f, "expensesAmount").value_or(0);
      nf.description = str(f, "description");
      nf.category = str(f, "category");
      if (auto r = service.create_fine(demo, body->id, nf); !r) return r.error();
    }
  }
  return Ok{};
}

Status seed_demo_payment_services(const std::string& share_dir, tenants::TenantService& tenants,
                                  payments::PortalService& portal) {
  auto doc = read_json(share_dir + "/data/demo/payments.json");
  if (!doc) return doc.error();
  auto* list = doc->if_contains("spontaneous");
  if (!list || !list->is_array()) return Ok{};
  for (const auto& v : list->as_array()) {
    const auto& o = v.as_object();
    auto body = tenants.by_slug(str(o, "body"));
    if (!body) return Error::make("import.reference", 400, "payments.json: body " + str(o, "body"));
    payments::SpontaneousService s;
    s.tenant_id = body->id;
    s.code = str(o, "code");
    s.label_it = str(o, "label_it");
    s.label_en = str(o, "label_en");
    s.min_amount = opt_int(o, "min_amount").value_or(100);
    s.max_amount = opt_int(o, "max_amount").value_or(s.min_amount);
    s.category = str(o, "category");
    s.iban = str(o, "iban");
    s.remittance_prefix = str(o, "remittance_prefix");
    portal.set_spontaneous_service(s);
  }
  return Ok{};
}

}  // namespace sp::app

namespace sp::app {

Status seed_demo_albo(const std::string& /*share_dir*/, tenants::TenantService& tenants,
                      albo::AlboService& albo) {
  auto asti = tenants.by_slug("asti");
  if (!asti) return Ok{};
  const albo::SystemActor demo{"demo"};
  auto existing = albo.archive(demo, asti->id, albo::BoardQuery{});
  if (!existing || !existing->empty()) return Ok{};
  struct Act {
    const char* type;
    const char* subject;
    const char* office;
    const char* responsible;
    const char* number;
    const char* issuer;
  };
  const Act acts[] = {
      {"delibera_giunta", "Approvazione del piano esecutivo di gestione 2026", "Segreteria generale",
       "Dott.ssa Laura Bianchi", "214", ""},
      {"ordinanza", "Limitazioni al traffico in corso Alfieri per lavori di rifacimento della pavimentazione",
       "Polizia locale", "Comm. Paolo Ferrero", "87", ""},
      {"bando_gara", "Avviso di gara per il servizio di refezione scolastica 2027-2029",
       "Ufficio contratti e appalti", "Ing. Marco Rosso", "1532", ""},
      {"avviso", "Avviso pubblico per la formazione dell'elenco dei rilevatori del censimento",
       "Servizi demografici", "Dott. Giovanni Gallo", "12", "Unione dei Comuni Colline Alfieri"},
  };
  // One document for all, rendered once: every demo start (the tests' included) seeds these.
  pdf::Document doc(
      {.lang = "it-IT", .title = "Atto dimostrativo", .author = asti->name, .footer = asti->name});
  doc.letterhead(asti->name);
  doc.paragraph("Documento dimostrativo pubblicato all'albo pretorio online.");
  const std::string bytes = doc.finish();
  for (const auto& a : acts) {
    albo::Publishing p;
    p.publication.act_type = a.type;
    p.publication.issuer = *a.issuer ? a.issuer : asti->name;
    p.publication.office = a.office;
    p.publication.responsible = a.responsible;
    p.publication.subject = a.subject;
    p.publication.act_number = a.number;
    p.publication.channel = albo::Channel::api;
    p.documents.push_back(
        {albo::DocumentRole::act, std::string("atto-") + a.number + ".pdf", bytes, "document"});
    auto r = albo.publish(demo, asti->id, p);
    if (!r) return r.error();
  }
  return Ok{};
}

Status seed_demo_school_cases(const std::string& /*share_dir*/, tenants::TenantService& tenants,
                              db::Database& db) {
  auto asti = tenants.by_slug("asti");
  if (!asti) return Ok{};
  struct Pupil {
    const char* key;
    const char* parent_cf;
    const char* parent_name;
    const char* child_cf;
    const char* child_given;
    const char* school;
    const char* cls;
  };
  // Parents no other demo journey uses (their cases would prefill or flag the canteen forms of others).
  const Pupil pupils[] = {
      {"demo-school-1", "LDRMNA90E61Z330P", "Amina El Idrissi", "LDRYSF17A01A479K", "Youssef", "rodari",
       "4A"},
      {"demo-school-2", "BNCGLI92L55F205A", "Giulia Bianchi", "BNCSFO18C45A479W", "Sofia", "rodari", "3B"},
      {"demo-school-3", "SPSGPP55P12F839I", "Giuseppe Esposito", "SPSLNZ17M12A479C", "Lorenzo", "baussano",
       "4C"},
  };

  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  db.write([&](db::Conn& tx) {
    for (const auto& p : pupils) {
      if (cases::CaseStore::find_by_key(tx, asti->id, p.parent_cf, p.key)) continue;
      cases::Case c;
      c.id = ids::uuid_v7();
      c.tenant_id = asti->id;
      c.service_code = "iscrizione-mensa-scolastica";
      c.title = "Iscrizione alla mensa scolastica";
      c.form_code = "iscrizione-mensa-scolastica";
      c.applicant_cf = p.parent_cf;
      c.applicant_name = p.parent_name;
      c.channel = cases::Channel::online;
      const std::string family = std::string(p.parent_name).substr(std::string(p.parent_name).find(' ') + 1);
      c.answers = boost::json::object{
          {"school_year", "2026-2027"},
          {"children", boost::json::array{boost::json::object{{"fiscal_code", p.child_cf},
                                                              {"given_name", p.child_given},
                                                              {"family_name", family},
                                                              {"school", p.school},
                                                              {"class", p.cls}}}}};
      c.office = "Servizi scolastici";
      c.submitted_at = now;
      c.deadline_days = 30;
      c.due_date = cases::legal_end(time::add_calendar_days(time::rome_date(now), 30));
      c.state = cases::State::submitted;
      c.submission_key = p.key;
      cases::CaseStore::insert_case(tx, c, cases::queue_keys(c));
    }
  });
  return Ok{};
}

}  // namespace sp::app

namespace sp::app {

Status seed_demo_helpdesk(const std::string& share_dir, helpdesk::HelpdeskService& helpdesk) {
  identity::Principal agent;
  agent.kind = identity::PrincipalKind::staff;
  agent.subject = "demo";
  agent.display_name = "Centro servizi";
  agent.roles = {identity::Role::helpdesk};
  auto existing = helpdesk.search(&agent, "", true, 1);
  if (!existing) return existing.error();
  if (!existing->empty()) return Ok{};  // seeded before
  auto doc = read_json(share_dir + "/data/demo/helpdesk.json");
  if (!doc) return doc.error();
  for (const auto& v : doc->at("answers").as_array()) {
    const auto& o = v.as_object();
    auto a = helpdesk.publish(&agent, std::string(o.at("category").as_string()),
                              std::string(o.at("title").as_string()), std::string(o.at("text").as_string()));
    if (!a) return a.error();
  }
  return Ok{};
}

Status seed_demo_packages(const std::string& share_dir, tenants::TenantService& tenants,
                          hub::PackagesService& packages) {
  if (!packages.packages().empty()) return Ok{};  // seeded before
  auto doc = read_json(share_dir + "/data/demo/packages.json");
  if (!doc) return doc.error();
  const identity::SystemActor demo{"demo"};
  for (const auto& v : doc->at("packages").as_array()) {
    const auto& o = v.as_object();
    hub::Package p;
    p.code = std::string(o.at("code").as_string());
    p.name_it = std::string(o.at("name").at("it").as_string());
    p.name_en = std::string(o.at("name").at("en").as_string());
    p.body_kind =
        tenants::parse_body_kind(std::string(o.at("kind").as_string())).value_or(tenants::BodyKind::comune);
    p.min_population = o.at("min_population").as_int64();
    if (auto* m = o.if_contains("max_population")) p.max_population = m->as_int64();
    p.credits = o.at("credits").as_int64();
    if (auto* m = o.if_contains("min_high")) p.min_high = static_cast<int>(m->as_int64());
    if (auto* m = o.if_contains("max_high")) p.max_high = static_cast<int>(m->as_int64());
    for (const auto& [code, level] : o.at("services").as_object())
      p.items.push_back({std::string(code), static_cast<int>(level.as_int64())});
    if (auto r = packages.save_package(demo, p); !r) return r.error();
  }
  // The package each demo body follows (its services stay those of bodies.json, within the package's limits).
  if (auto* bodies = doc->if_contains("bodies"))
    for (const auto& [slug, code] : bodies->as_object()) {
      auto body = tenants.by_slug(std::string(slug));
      if (!body) continue;
      if (auto st = packages.record_package(demo, body->id, std::string(code.as_string())); !st) return st;
    }
  for (const auto& [slug, credits] : doc->at("credits").as_object()) {
    auto body = tenants.by_slug(std::string(slug));
    if (!body) continue;
    if (auto st = packages.grant(demo, body->id, credits.as_int64(), "demo"); !st) return st;
  }
  return Ok{};
}

}  // namespace sp::app
