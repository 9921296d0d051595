#include "protocollo/web.hpp"

#include <string_view>

#include "core/digest.hpp"
#include "core/text.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "protocollo/interop_web.hpp"
#include "protocollo/web_support.hpp"
#include "web/context.hpp"

namespace sp::protocollo {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

// Who registered, annulled or changed an entry, by name ("staff:<id>", "system:cases" are what the
// register keeps; issue 11, point 5).
std::string actor_name(WebDeps& d, std::string_view lang, const std::string& who) {
  if (d.actor_names == nullptr) return d.view.t(lang, "actor.system");
  return d.actor_names->name(who, lang);
}

std::string base_href(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/protocollo";
}

web::Page body_page(WebDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                    const std::string& title, bool sub_page) {
  auto page = web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(), tpl,
                                   title, "ui.proto_title", base_href(*a.body), sub_page);
  page.data.set("base", base_href(*a.body));
  return page;
}

Data option_list(WebDeps& d, std::string_view lang, const std::vector<std::string>& codes,
                 const std::string& prefix, const std::string& selected) {
  Data list = web::list();
  for (const auto& c : codes) {
    Data o;
    o.set("code", c);
    o.set("name", d.view.t(lang, prefix + c));
    o.set("selected", c == selected);
    list.push_back(o);
  }
  return list;
}

std::string correspondents_text(const Entry& e) {
  std::vector<std::string> names;
  for (const auto& c : e.correspondents) names.push_back(c.name);
  return text::join(names, "; ");
}

Data entry_row(WebDeps& d, std::string_view lang, const tenants::Body& body, const Entry& e) {
  Data row;
  row.set("id", e.id);
  row.set("href", base_href(body) + "/" + e.id);
  row.set("number", format_number(e.number));
  row.set("year", std::to_string(e.year));
  row.set("aoo", e.aoo_code);
  row.set("registered_at", time::format_it_datetime(e.registered_at));
  row.set("direction", d.view.t(lang, "protocollo.direction." + std::string(to_string(e.direction))));
  row.set("subject", e.subject);
  row.set("correspondents", correspondents_text(e));
  row.set("classification", e.classification);
  row.set("annulled", e.annulled());
  return row;
}

// --- search -----------------------------------------------------------------------------------------

http::Response search_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = body_page(d, req, a, "protocollo_search", d.view.t(lang, "ui.proto_title"), false);
  for (const char* k : {"anno", "numero", "dal", "al", "oggetto", "corrispondente", "classificazione"})
    page.data.set(std::string("q_") + k, req.query_param(k));
  page.data.set("new_href", base_href(*a.body) + "/nuovo");
  page.data.set("registers_href", base_href(*a.body) + "/registro-giornaliero");
  if (a.who->has(identity::Role::body_admin)) page.data.set("aoo_href", base_href(*a.body) + "/aoo");
  page.data.set("no_aoo", d.protocol.aoos(a.body->id).empty());
  int status = 200;
  auto q = search_from_fields(req.query);
  Data rows = web::list();
  std::size_t count = 0;
  if (!q) {
    web::set_form_error(d.view, req, page, q.error());
    status = 400;
  } else {
    auto found = d.protocol.search(a.who, a.body->id, *q);
    if (!found) {
      web::set_form_error(d.view, req, page, found.error());
      status = web::form_status(found.error());
    } else {
      for (const auto& e : *found) rows.push_back(entry_row(d, lang, *a.body, e));
      count = found->size();
    }
  }
  page.data.set("entries", rows);
  page.data.set("has_entries", count > 0);
  page.data.set("result_count", web::ui_count(d.view, lang, "ui.proto_results", count));
  return web::private_page(d.view, req, page, status);
}

// --- registration -----------------------------------------------------------------------------------

const std::vector<std::string> kDirections{"incoming", "outgoing", "internal"};
const std::vector<std::string> kChannels{"post", "pec", "email", "counter", "online"};
const std::vector<std::string> kKinds{"person", "business", "body"};

http::Response new_form(WebDeps& d, http::Request& req, const StaffCall& a, const Fields& f,
                        const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = body_page(d, req, a, "protocollo_new", d.view.t(lang, "ui.proto_new_title"), true);
  page.data.set("action", base_href(*a.body) + "/nuovo");
  for (const char* k :
       {"subject", "correspondent_name", "correspondent_fiscal_code", "correspondent_pec",
        "correspondent_email", "correspondent_ipa", "correspondent_aoo_code", "sender_protocol_number",
        "sender_protocol_date", "classification", "fascicolo", "office"})
    page.data.set(std::string("f_") + k, field_of(f, k));
  auto direction = field_of(f, "direction");
  page.data.set("directions", option_list(d, lang, kDirections, "protocollo.direction.",
                                          direction.empty() ? "incoming" : direction));
  auto channel = field_of(f, "channel");
  page.data.set("channels",
                option_list(d, lang, kChannels, "protocollo.channel.", channel.empty() ? "post" : channel));
  page.data.set("kinds", option_list(d, lang, kKinds, "ui.proto_kind_", field_of(f, "correspondent_kind")));
  auto offices = hub_office_options(d, *a.body, field_of(f, "correspondent_aoo"));
  page.data.set("has_hub_offices", offices.is_list() && !offices.list_value().empty());
  page.data.set("hub_offices", offices);
  Data aoos = web::list();
  auto all = d.protocol.aoos(a.body->id);
  for (const auto& x : all) {
    if (!x.active) continue;
    Data o;
    o.set("code", x.code);
    o.set("name", x.code + " — " + x.name);
    o.set("selected", x.code == field_of(f, "aoo"));
    aoos.push_back(o);
  }
  page.data.set("aoos", aoos);
  page.data.set("many_aoos", all.size() > 1);
  page.data.set("no_aoo", all.empty());
  page.data.set("max_mb", std::to_string(kMaxDocumentBytes / (1024 * 1024)));
  if (error) {
    web::set_form_error(d.view, req, page, *error);
    page.data.set("reselect_files", true);  // browsers never send a chosen file back
  }
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response new_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return new_form(d, req, a, {}, nullptr);
}

Error field_error(const std::string& code, int status, const std::string& field) {
  Error e = Error::make(code, status);
  e.field = field;
  return e;
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto parts = req.multipart();
  if (!parts) return d.view.error_page(req, 400);
  const Fields f = parts->fields();
  if (auto st = identity::check_csrf(req, f); !st) return d.view.error_page(req, st.error().http_status);
  auto entry = entry_from_fields(f, d.protocol.aoos(a.body->id));
  if (!entry) return new_form(d, req, a, f, &entry.error());
  // A recipient that is a registry office of the hub: only one of the offices offered.
  if (const auto chosen = field_of(f, "correspondent_aoo"); !chosen.empty()) {
    const HubOffice* office = nullptr;
    const auto offices = d.interop ? d.interop->other_offices(a.body->id) : std::vector<HubOffice>{};
    for (const auto& o : offices)
      if (o.aoo.admin_code + "/" + o.aoo.code == chosen) office = &o;
    if (office == nullptr || entry->correspondents.empty()) {
      auto e = field_error("protocollo.correspondents", 400, "correspondents");
      return new_form(d, req, a, f, &e);
    }
    auto& c = entry->correspondents.front();
    c.kind = CorrespondentKind::body;
    c.ipa_code = office->aoo.admin_code;
    c.aoo_code = office->aoo.code;
  }
  // A recipient outside the hub, by its IPA and AOO codes (docs/protocollo-interop.md, "Outside the hub"):
  // both codes, and the AOO's PEC address (the channel when it publishes no SOAP interface).
  const std::string ext_ipa(text::trim(field_of(f, "correspondent_ipa")));
  const std::string ext_aoo(text::trim(field_of(f, "correspondent_aoo_code")));
  if (!ext_ipa.empty() || !ext_aoo.empty()) {
    if (!field_of(f, "correspondent_aoo").empty()) {
      auto e = field_error("protocollo.external_both", 400, "correspondent_ipa");
      return new_form(d, req, a, f, &e);
    }
    if (entry->correspondents.empty()) {
      auto e = field_error("protocollo.external_codes", 400, "correspondent_ipa");
      return new_form(d, req, a, f, &e);
    }
    // The codes' form and the PEC address are checked by the domain (ProtocolService::validate): the
    // refusal comes back to this form with what was typed.
    auto& c = entry->correspondents.front();
    c.kind = CorrespondentKind::body;
    c.ipa_code = ext_ipa;
    c.aoo_code = ext_aoo;
  }

  const auto main = parts->files("document");
  const auto attachments = parts->files("attachments");
  if (main.size() > 1 || attachments.size() > kMaxAttachments) {
    auto e = field_error("protocollo.documents", 400, "document");
    return new_form(d, req, a, f, &e);
  }
  if (main.empty() && entry->direction != Direction::internal) {
    auto e = field_error("protocollo.document_missing", 400, "document");
    return new_form(d, req, a, f, &e);
  }
  Registration r{std::move(*entry), {}, {}, {}};
  auto add = [&](const std::vector<const http::FormPart*>& uploads, DocumentRole role) {
    for (const auto* p : uploads)
      r.documents.push_back({role, p->filename.value_or(""), p->data, "", "", 0, "document"});
  };
  add(main, DocumentRole::primary);
  add(attachments, DocumentRole::attachment);
  auto done = d.protocol.register_with_documents(a.who, a.body->id, r);
  if (!done) return new_form(d, req, a, f, &done.error());
  return http::Response::redirect(base_href(*a.body) + "/" + done->registered.id + "?registrata=1", 303);
}

// --- detail, annulment, classification --------------------------------------------------------------

http::Response entry_page(WebDeps& d, http::Request& req, const StaffCall& a, const std::string& id,
                          const Fields* form, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto e = d.protocol.get(a.who, a.body->id, id);
  if (!e) return d.view.error_page(req, e.error().http_status);
  auto history = d.protocol.history(a.who, a.body->id, id);
  if (!history) return d.view.error_page(req, history.error().http_status);
  const std::string title =
      d.view.t(lang, "ui.proto_entry_title") + " " + format_number(e->number) + "/" + std::to_string(e->year);
  auto page = body_page(d, req, a, "protocollo_entry", title, true);
  const auto href = base_href(*a.body) + "/" + e->id;
  page.data.set("entry", entry_row(d, lang, *a.body, *e));
  page.data.set("href", href);
  page.data.set("just_registered", req.query_param("registrata") == "1");
  page.data.set("segnatura", ProtocolService::segnatura_text(*e));
  page.data.set("segnatura_href", href + "/segnatura.xml");
  add_exchange_view(d, lang, *a.body, *e, a.who, page.data);
  page.data.set("just_sent", req.query_param("inviato") == "1");
  if (const auto failed = req.query_param("invio");
      !failed.empty() && failed.rfind("protocollo.", 0) == 0 &&
      failed.find_first_not_of("abcdefghijklmnopqrstuvwxyz_.") == std::string::npos)
    page.data.set("send_error", d.view.i18n().message(lang, Error::make(failed, 409)));
  page.data.set("channel", d.view.t(lang, "protocollo.channel." + std::string(to_string(e->channel))));
  page.data.set("registered_by", actor_name(d, lang, e->registered_by));
  page.data.set("sender_protocol_number", e->sender_protocol_number);
  page.data.set("sender_protocol_date",
                e->sender_protocol_date ? time::format_it_date(*e->sender_protocol_date) : std::string());
  page.data.set("fascicolo", e->fascicolo);
  page.data.set("office", e->office);
  Data people = web::list();
  for (const auto& c : e->correspondents) {
    Data p;
    p.set("kind", d.view.t(lang, "ui.proto_kind_" + std::string(to_string(c.kind))));
    p.set("name", c.name);
    // Only what there is: mustache shows a section for an empty text too ("PEC" with no address).
    // (false, not left out: a missing name would be looked up in the page around it)
    p.set("fiscal_code", c.fiscal_code.empty() ? Data(false) : Data(c.fiscal_code));
    p.set("pec", c.pec.empty() ? Data(false) : Data(c.pec));
    p.set("email", c.email.empty() ? Data(false) : Data(c.email));
    p.set("codes", c.ipa_code.empty() ? Data(false) : Data(c.ipa_code + "/" + c.aoo_code));
    people.push_back(p);
  }
  page.data.set("correspondents", people);
  Data docs = web::list();
  for (std::size_t i = 0; i < e->documents.size(); ++i) {
    const auto& doc = e->documents[i];
    Data x;
    x.set("role", d.view.t(lang, "ui.proto_doc_" + std::string(to_string(doc.role))));
    x.set("name", doc.file_name);
    x.set("mime", doc.mime_type);
    if (!doc.declared_mime_type.empty())
      x.set("declared_mismatch",
            web::ui(d.view, lang, "ui.proto_doc_declared_mismatch", {{"declared", doc.declared_mime_type}}));
    x.set("size", std::to_string(doc.size));
    x.set("sha256", doc.sha256);
    if (!doc.file_id.empty()) x.set("href", href + "/documenti/" + std::to_string(i));
    docs.push_back(x);
  }
  page.data.set("documents", docs);
  if (e->annulment) {
    Data an;
    an.set("at", time::format_it_datetime(e->annulment->at));
    an.set("by", actor_name(d, lang, e->annulment->by));
    an.set("reason", e->annulment->reason);
    an.set("authorisation", e->annulment->authorisation);
    page.data.set("annulment", an);
  }
  Data rows = web::list();
  for (const auto& h : *history) {
    Data r;
    r.set("at", time::format_it_datetime(h.at));
    r.set("who", actor_name(d, lang, h.who));
    r.set("field", d.view.t(lang, "ui.proto_field_" + std::string(to_string(h.field))));
    r.set("old", h.old_value);
    r.set("new", h.new_value);
    rows.push_back(r);
  }
  page.data.set("history", rows);
  page.data.set("has_history", !history->empty());
  page.data.set("annul_action", href + "/annulla");
  page.data.set("classify_action", href + "/classificazione");
  page.data.set("f_classification", form ? field_of(*form, "classification") : e->classification);
  page.data.set("f_fascicolo", form ? field_of(*form, "fascicolo") : e->fascicolo);
  page.data.set("f_office", form ? field_of(*form, "office") : e->office);
  page.data.set("f_reason", form ? field_of(*form, "reason") : "");
  page.data.set("f_authorisation", form ? field_of(*form, "authorisation") : "");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response entry_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return entry_page(d, req, a, req.param("id"), nullptr, nullptr);
}

http::Response annul_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  auto st = d.protocol.annul(a.who, a.body->id, id, text::trim(field_of(*form, "reason")),
                             text::trim(field_of(*form, "authorisation")));
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403)
      return d.view.error_page(req, st.error().http_status);
    return entry_page(d, req, a, id, &*form, &st.error());
  }
  return http::Response::redirect(base_href(*a.body) + "/" + id, 303);
}

http::Response classify_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  ClassificationChange c;
  c.classification = text::trim(field_of(*form, "classification"));
  c.fascicolo = text::trim(field_of(*form, "fascicolo"));
  c.office = text::trim(field_of(*form, "office"));
  auto st = d.protocol.update_classification(a.who, a.body->id, id, c);
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403)
      return d.view.error_page(req, st.error().http_status);
    return entry_page(d, req, a, id, &*form, &st.error());
  }
  return http::Response::redirect(base_href(*a.body) + "/" + id, 303);
}

http::Response segnatura_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto e = d.protocol.get(a.who, a.body->id, req.param("id"));
  if (!e) return d.view.error_page(req, e.error().http_status);
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  auto xml = d.interop->signed_segnatura(a.who, a.body->id, e->id);
  if (!xml) return d.view.error_page(req, xml.error().http_status);
  auto r = http::Response::text(std::move(*xml));
  r.content_type = "application/xml; charset=utf-8";
  r.header("Content-Disposition", "attachment; filename=\"segnatura_" + e->aoo_code + "_" +
                                      std::to_string(e->year) + "_" + format_number(e->number) + ".xml\"");
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response document_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto e = d.protocol.get(a.who, a.body->id, req.param("id"));
  if (!e) return d.view.error_page(req, e.error().http_status);
  const auto n = req.param("n");
  const auto parsed = text::parse_decimal(n);
  if (!parsed) return d.view.error_page(req, 404);
  const auto i = static_cast<std::size_t>(*parsed);
  if (i >= e->documents.size() || e->documents[i].file_id.empty()) return d.view.error_page(req, 404);
  const auto& doc = e->documents[i];
  auto bytes = d.files.read_content(a.body->id, doc.file_id);
  if (!bytes) return d.view.error_page(req, bytes.error().http_status);
  if (!*bytes || digest::sha256_hex(**bytes) != doc.sha256) return d.view.error_page(req, 500);
  return web::download_response(std::move(**bytes), doc.mime_type, doc.file_name);
}

// --- daily registers --------------------------------------------------------------------------------

http::Response registers_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = body_page(d, req, a, "protocollo_registers", d.view.t(lang, "ui.proto_registers_title"), true);
  DailyRegisterQuery q;
  q.from_day = req.query_param("dal");
  q.to_day = req.query_param("al");
  page.data.set("q_dal", q.from_day);
  page.data.set("q_al", q.to_day);
  auto list = d.registers.list(a.who, a.body->id, q);
  int status = 200;
  Data rows = web::list();
  if (!list) {
    web::set_form_error(d.view, req, page, list.error());
    status = web::form_status(list.error());
  } else {
    for (const auto& r : *list) {
      Data row;
      row.set("day", r.day);
      row.set("day_text", time::it_date_text(r.day));
      row.set("aoo", r.aoo_code);
      row.set("entries", std::to_string(r.entry_count));
      row.set("range", r.first_number ? format_number(*r.first_number) + " – " + format_number(*r.last_number)
                                      : std::string("—"));
      row.set("changes", std::to_string(r.changes_count));
      row.set("produced_at", time::it_datetime_text(r.produced_at));
      row.set("json_sha256", r.json_sha256);
      row.set("pdf_sha256", r.pdf_sha256);
      const auto base = base_href(*a.body) + "/registro-giornaliero/" + std::to_string(r.id);
      row.set("pdf_href", base + "/pdf");
      row.set("json_href", base + "/json");
      rows.push_back(row);
    }
    page.data.set("has_registers", !list->empty());
  }
  page.data.set("registers", rows);
  // The registry's managers may take today's register so far (provisional, never stored).
  if (identity::authorize(a.who, Permission::annul_protocol, a.body->id)) {
    Data today = web::list();
    for (const auto& x : d.protocol.aoos(a.body->id)) {
      if (!x.active) continue;
      Data t;
      t.set("aoo", x.code);
      const auto href = base_href(*a.body) + "/registro-provvisorio/";
      t.set("pdf_href", href + "pdf?aoo=" + std::to_string(x.id));
      t.set("json_href", href + "json?aoo=" + std::to_string(x.id));
      today.push_back(t);
    }
    page.data.set("today", today);
    page.data.set("can_today", true);
  }
  return web::private_page(d.view, req, page, status);
}

http::Response provisional_register_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  // Managers only, before anything else is looked at (the desk staff may see the stored registers).
  if (auto st = identity::authorize(a.who, Permission::annul_protocol, a.body->id); !st)
    return d.view.error_page(req, st.error().http_status);
  const auto format = req.param("format");
  if (format != "pdf" && format != "json") return d.view.error_page(req, 404);
  // The body's registry office named by ?aoo=, or its first active one.
  std::optional<std::int64_t> aoo;
  if (const auto given = req.query_param("aoo"); !given.empty()) {
    aoo = text::parse_decimal(given);
  } else {
    for (const auto& x : d.protocol.aoos(a.body->id))
      if (x.active && !aoo) aoo = x.id;
  }
  if (!aoo) return d.view.error_page(req, 404);
  auto r = d.registers.today_so_far(a.who, a.body->id, *aoo);
  if (!r) return d.view.error_page(req, r.error().http_status);
  const auto name = "provvisorio-" + DailyRegisterService::file_name(r->info, format);
  if (format == "pdf") return web::download_response(std::move(r->pdf), "application/pdf", name);
  return web::download_response(std::move(r->json), "application/json", name);
}

http::Response register_file_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto parsed = text::parse_decimal(req.param("rid"));
  if (!parsed) return d.view.error_page(req, 404);
  const DailyRegisterId id = *parsed;
  const auto format = req.param("format");
  if (format != "pdf" && format != "json") return d.view.error_page(req, 404);
  auto r = d.registers.get(a.who, a.body->id, id);
  if (!r) return d.view.error_page(req, r.error().http_status);
  if (format == "pdf")
    return web::download_response(std::move(r->pdf), "application/pdf",
                                  DailyRegisterService::file_name(r->info, "pdf"));
  return web::download_response(std::move(r->json), "application/json",
                                DailyRegisterService::file_name(r->info, "json"));
}

// --- registry offices (body administrators) -------------------------------------------------------

http::Response aoo_page(WebDeps& d, http::Request& req, const StaffCall& a, const Fields* form,
                        const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = body_page(d, req, a, "protocollo_aoo", d.view.t(lang, "ui.proto_aoo_title"), true);
  page.data.set("action", base_href(*a.body) + "/aoo");
  Data rows = web::list();
  for (const auto& x : d.protocol.aoos(a.body->id)) {
    Data r;
    r.set("admin_code", x.admin_code);
    r.set("code", x.code);
    r.set("name", x.name);
    r.set("active", x.active);
    rows.push_back(r);
  }
  page.data.set("aoos", rows);
  page.data.set("f_admin_code", form ? field_of(*form, "admin_code") : "");
  page.data.set("f_code", form ? field_of(*form, "code") : "");
  page.data.set("f_name", form ? field_of(*form, "name") : "");
  add_soap_peers_view(d, lang, *a.body, a.who, form, page.data);
  if (req.query_param("chiamante") == "aggiunto") page.data.set("peer_added", true);
  if (req.query_param("chiamante") == "rimosso") page.data.set("peer_removed", true);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response aoo_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return aoo_page(d, req, a, nullptr, nullptr);
}

http::Response aoo_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto created =
      d.protocol.create_aoo(a.body->id, text::trim(field_of(*form, "admin_code")),
                            text::trim(field_of(*form, "code")), text::trim(field_of(*form, "name")));
  if (!created) return aoo_page(d, req, a, &*form, &created.error());
  return http::Response::redirect(base_href(*a.body) + "/aoo", 303);
}

// A registry office outside the hub allowed to call the body's SOAP interfaces, with its certificate
// (docs/protocollo-interop.md, "Who may call"); a refusal shows the page again with what was typed.
http::Response soap_peer_add_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  SoapPeerInput in{std::string(text::trim(field_of(*form, "peer_admin_code"))),
                   std::string(text::trim(field_of(*form, "peer_aoo_code"))),
                   std::string(text::trim(field_of(*form, "peer_name"))),
                   field_of(*form, "peer_certificate")};
  auto added = d.interop->add_soap_peer(a.who, a.body->id, in);
  if (!added) {
    if (added.error().http_status == 403 || added.error().http_status == 404)
      return d.view.error_page(req, added.error().http_status);
    return aoo_page(d, req, a, &*form, &added.error());
  }
  return http::Response::redirect(base_href(*a.body) + "/aoo?chiamante=aggiunto#soap-peers", 303);
}

http::Response soap_peer_remove_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  if (auto st = d.interop->remove_soap_peer(a.who, a.body->id, field_of(*form, "peer")); !st) {
    if (st.error().http_status == 403) return d.view.error_page(req, 403);
    return aoo_page(d, req, a, nullptr, &st.error());
  }
  return http::Response::redirect(base_href(*a.body) + "/aoo?chiamante=rimosso#soap-peers", 303);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  const std::string b = "/backoffice/{slug}/protocollo";
  router.get(b, staff_route(d, Permission::backoffice, search_get));
  router.get(b + "/nuovo", staff_route(d, Permission::backoffice, new_get));
  router.post(b + "/nuovo", staff_route(d, Permission::backoffice, new_post));
  router.get(b + "/registro-giornaliero", staff_route(d, Permission::backoffice, registers_get));
  router.get(b + "/registro-provvisorio/{format}",
             staff_route(d, Permission::backoffice, provisional_register_get));
  router.get(b + "/registro-giornaliero/{rid}/{format}",
             staff_route(d, Permission::backoffice, register_file_get));
  router.get(b + "/aoo", staff_route(d, Permission::manage_staff, aoo_get));
  router.post(b + "/aoo", staff_route(d, Permission::manage_staff, aoo_post));
  router.post(b + "/aoo/chiamanti-soap", staff_route(d, Permission::manage_staff, soap_peer_add_post));
  router.post(b + "/aoo/chiamanti-soap/rimuovi",
              staff_route(d, Permission::manage_staff, soap_peer_remove_post));
  register_interop_pages(router, d);  // before /{id}: in-arrivo is not an entry
  router.get(b + "/{id}", staff_route(d, Permission::backoffice, entry_get));
  router.post(b + "/{id}/annulla", staff_route(d, Permission::backoffice, annul_post));
  router.post(b + "/{id}/classificazione", staff_route(d, Permission::backoffice, classify_post));
  router.get(b + "/{id}/segnatura.xml", staff_route(d, Permission::backoffice, segnatura_get));
  router.get(b + "/{id}/documenti/{n}", staff_route(d, Permission::backoffice, document_get));
}

}  // namespace sp::protocollo
