#include "albo/web.hpp"

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "core/text.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::albo {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

// --- shared -------------------------------------------------------------------------------------------

http::Response robots(http::Response r) {
  r.header("X-Robots-Tag", kRobots);
  return r;
}

std::string public_href(const std::string& slug, const Publication& p) {
  return "/" + slug + "/albo/" + std::to_string(p.year) + "/" + format_number(p.number);
}

std::string staff_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/albo";
}

std::string type_name(WebDeps& d, std::string_view lang, TenantId tenant, const std::string& code) {
  return d.albo.type_name(tenant, lang, code);
}

// The body's types (`tenant` 0: the hub's board, the national vocabulary).
Data type_options(WebDeps& d, std::string_view lang, TenantId tenant, const std::vector<ActType>& types,
                  const std::string& selected) {
  Data list = web::list();
  for (const auto& t : types) {
    Data o;
    o.set("code", t.code);
    o.set("name", type_name(d, lang, tenant, t.code));
    o.set("selected", t.code == selected);
    list.push_back(o);
  }
  return list;
}

Data publication_row(WebDeps& d, std::string_view lang, const tenants::Body& body, const Publication& p,
                     time::TimePoint now) {
  Data row;
  row.set("id", p.id);
  row.set("href", public_href(body.slug, p));
  row.set("staff_href", staff_base(body) + "/" + p.id);
  row.set("number", format_number(p.number) + "/" + std::to_string(p.year));
  row.set("body_name", body.name);
  row.set("type", type_name(d, lang, p.tenant_id, p.act_type));
  row.set("subject", p.subject);
  row.set("office", p.office);
  row.set("from", time::format_it_date(p.start_day));
  row.set("to", time::format_it_date(p.last_day()));
  row.set("annulled", p.annulled());
  row.set("extended", p.extension_days > 0);
  const auto phase = p.phase(now);
  row.set("state", d.view.t(lang, phase == Phase::scheduled  ? "ui.albo_state_scheduled"
                                  : phase == Phase::on_board ? "ui.albo_state_on_board"
                                                             : "ui.albo_state_ended"));
  return row;
}

BoardQuery query_from(const http::Request& req) {
  BoardQuery q;
  q.act_type = req.query_param("tipo");
  q.office = std::string(text::trim(req.query_param("ufficio")));
  q.text = std::string(text::trim(req.query_param("testo")));
  if (auto f = req.query_param("dal"); time::parse_iso_date(f)) q.from = f;
  if (auto t = req.query_param("al"); time::parse_iso_date(t)) q.to = t;
  return q;
}

web::Page public_page(WebDeps& d, const http::Request& req, const std::string& tpl, const std::string& title,
                      const tenants::Body* body) {
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;  // the Garante's guidelines: never indexed (robots meta + X-Robots-Tag)
  if (body) {
    page.body_slug = body->slug;
    page.body_name = body->name;
    page.breadcrumb = {{body->name, "/" + body->slug + "/"}};
  } else {
    page.breadcrumb = {{d.view.t(req.ctx.locale, "ui.albo_hub_home"), "/"}};
  }
  return page;
}

// --- public board -------------------------------------------------------------------------------------

http::Response board_page(WebDeps& d, http::Request& req, const tenants::Body* body) {
  const auto& lang = req.ctx.locale;
  const std::string title = d.view.t(lang, "ui.albo_title");
  auto page = public_page(d, req, "albo_board", title, body);
  page.breadcrumb.push_back({title, ""});
  auto q = query_from(req);
  if (body) q.tenant = body->id;
  for (const char* k : {"tipo", "ufficio", "dal", "al", "testo"})
    page.data.set(std::string("q_") + k, req.query_param(k));
  page.data.set("heading",
                body ? title + " — " + body->name : title + " — " + d.view.t(lang, "ui.albo_all_bodies"));
  page.data.set("hub", body == nullptr);
  const std::string base = body ? "/" + body->slug + "/albo" : "/albo";
  page.data.set("action", base);
  page.data.set("rss_href",
                base + "/feed.rss" + (q.act_type.empty() ? "" : "?tipo=" + text::percent_encode(q.act_type)));
  page.data.set("atom_href", base + "/feed.atom" +
                                 (q.act_type.empty() ? "" : "?tipo=" + text::percent_encode(q.act_type)));
  page.data.set("types", type_options(d, lang, body ? body->id : TenantId{0},
                                      body ? d.albo.act_types(body->id) : national_act_types(), q.act_type));
  const auto now = d.albo.now();
  auto found = d.albo.board(q);
  Data rows = web::list();
  for (const auto& p : found) {
    auto b = d.tenants.by_id(p.tenant_id);
    if (!b || !b->active) continue;
    rows.push_back(publication_row(d, lang, *b, p, now));
  }
  page.data.set("publications", rows);
  page.data.set("has_publications", !found.empty());
  page.data.set("result_count", web::ui_count(d.view, lang, "ui.albo_results", found.size()));
  return robots(web::page_response(d.view.render(req, page)));
}

std::shared_ptr<const tenants::Body> body_of(WebDeps& d, const http::Request& req) {
  auto b = d.tenants.by_slug(req.param("slug"));
  if (!b || !b->active) return nullptr;
  return b;
}

struct Numbered {
  int year = 0;
  std::int64_t number = 0;
};
std::optional<Numbered> numbered(const http::Request& req) {
  auto y = text::parse_decimal(req.param("year"));
  auto n = text::parse_decimal(req.param("number"));
  if (!y || !n || *y < 1900 || *y > 9999 || *n < 1) return std::nullopt;
  return Numbered{static_cast<int>(*y), *n};
}

// The "period ended" page (410): the publication's number and subject, and how to ask for the records.
http::Response ended_page(WebDeps& d, http::Request& req, const tenants::Body& body, const Publication& p) {
  const auto& lang = req.ctx.locale;
  auto page = public_page(d, req, "albo_ended", d.view.t(lang, "ui.albo_ended_title"), &body);
  page.breadcrumb.push_back({d.view.t(lang, "ui.albo_title"), "/" + body.slug + "/albo"});
  page.breadcrumb.push_back({d.view.t(lang, "ui.albo_ended_title"), ""});
  page.data.set("number", format_number(p.number) + "/" + std::to_string(p.year));
  page.data.set("body_name", body.name);
  page.data.set("board_href", "/" + body.slug + "/albo");
  page.data.set("access_text",
                web::ui(d.view, lang, "ui.albo_ended_access", {{"body", body.name}, {"pec", body.pec}}));
  auto r = http::Response::html(d.view.render(req, page), 410);
  r.header("Cache-Control", "no-cache");
  return robots(std::move(r));
}

http::Response publication_get(WebDeps& d, http::Request& req) {
  auto body = body_of(d, req);
  auto num = numbered(req);
  if (!body || !num) return robots(d.view.error_page(req, 404));
  auto p = d.albo.public_publication(body->id, num->year, num->number);
  if (!p) return robots(d.view.error_page(req, 404));
  const auto now = d.albo.now();
  if (p->phase(now) == Phase::ended) return ended_page(d, req, *body, *p);
  const auto& lang = req.ctx.locale;
  const std::string title = d.view.t(lang, "ui.albo_publication_title") + " " + format_number(p->number) +
                            "/" + std::to_string(p->year);
  auto page = public_page(d, req, "albo_publication", title, body.get());
  page.breadcrumb.push_back({d.view.t(lang, "ui.albo_title"), "/" + body->slug + "/albo"});
  page.breadcrumb.push_back({title, ""});
  page.data.set("p", publication_row(d, lang, *body, *p, now));
  page.data.set("title", title);
  page.data.set("issuer", p->issuer.empty() ? body->name : p->issuer);
  page.data.set("responsible", p->responsible);
  page.data.set("requester", p->requester.empty() ? Data(false) : Data(p->requester));
  page.data.set("act", p->act_number.empty()
                           ? Data(false)
                           : Data(p->act_number + (p->act_date ? " — " + time::format_it_date(*p->act_date)
                                                               : std::string())));
  page.data.set("integral", d.view.t(lang, p->integral ? "ui.albo_integral" : "ui.albo_extract"));
  if (auto e = p->enforceable_on()) page.data.set("enforceable", time::format_it_date(*e));
  if (p->extension_days > 0)
    page.data.set("extension", web::ui(d.view, lang, "ui.albo_extension",
                                       {{"days", std::to_string(p->extension_days)},
                                        {"base_end", time::format_it_date(p->base_last_day())}}));
  if (p->annulment) {
    page.data.set("annulled_at", time::format_it_datetime(p->annulment->at));
    page.data.set("annulment_reason", p->annulment->reason);
  }
  Data docs = web::list();
  for (std::size_t i = 0; i < p->documents.size(); ++i) {
    const auto& doc = p->documents[i];
    Data x;
    x.set("name", doc.file_name);
    x.set("role",
          d.view.t(lang, doc.role == DocumentRole::act ? "ui.albo_doc_act" : "ui.albo_doc_attachment"));
    x.set("href", public_href(body->slug, *p) + "/documenti/" + std::to_string(i));
    x.set("size_kb", std::to_string((doc.size + 1023) / 1024));
    x.set("sha256", doc.sha256);
    docs.push_back(x);
  }
  page.data.set("documents", docs);
  return robots(web::page_response(d.view.render(req, page)));
}

http::Response document_get(WebDeps& d, http::Request& req) {
  auto body = body_of(d, req);
  auto num = numbered(req);
  auto n = text::parse_decimal(req.param("n"));
  if (!body || !num || !n || *n < 0) return robots(d.view.error_page(req, 404));
  auto doc = d.albo.public_document(body->id, num->year, num->number, static_cast<std::size_t>(*n));
  if (!doc) {
    if (doc.error().http_status == 410) {
      auto p = d.albo.public_publication(body->id, num->year, num->number);
      if (p) return ended_page(d, req, *body, *p);
    }
    return robots(d.view.error_page(req, doc.error().http_status));
  }
  auto r = web::download_response(std::move(doc->bytes), doc->document.mime_type, doc->document.file_name);
  r.header("X-Content-SHA256", doc->document.sha256);
  return robots(std::move(r));
}

// --- feeds (AlboPOP RSS, Atom) ------------------------------------------------------------------------

std::string rfc822(time::TimePoint tp) {
  return date::format("%a, %d %b %Y %H:%M:%S +0000", std::chrono::floor<std::chrono::seconds>(tp));
}

constexpr const char* kAlboPop = "http://albopop.it/specs#";

void category(pugi::xml_node parent, const std::string& kind, const std::string& value) {
  auto c = parent.append_child("category");
  c.append_attribute("domain") = (std::string(kAlboPop) + kind).c_str();
  c.text().set(value.c_str());
}

std::string xml_text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

http::Response feed(WebDeps& d, http::Request& req, const tenants::Body* body, bool atom) {
  const auto& lang = req.ctx.locale;
  BoardQuery q;
  if (body) q.tenant = body->id;
  q.act_type = req.query_param("tipo");
  q.limit = 100;
  const auto found = d.albo.board(q);
  const std::string base = d.public_url;
  const std::string self = base + (body ? "/" + body->slug : std::string()) + "/albo";
  const std::string title =
      d.view.t(lang, "ui.albo_title") + " — " + (body ? body->name : d.view.t(lang, "ui.albo_all_bodies"));
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  if (!atom) {
    auto rss = doc.append_child("rss");
    rss.append_attribute("version") = "2.0";
    rss.append_attribute("xmlns:xhtml") = "http://www.w3.org/1999/xhtml";
    auto ch = rss.append_child("channel");
    ch.append_child("title").text().set(title.c_str());
    ch.append_child("link").text().set(self.c_str());
    ch.append_child("description").text().set(title.c_str());
    ch.append_child("language").text().set("it");
    auto meta = ch.append_child("xhtml:meta");
    meta.append_attribute("name") = "robots";
    meta.append_attribute("content") = "noindex";
    category(ch, "channel-category-country", "Italia");
    if (body) {
      category(ch, "channel-category-type",
               d.view.t("it", "ui.albo_body_kind_" +
                                  std::string(body->kind == tenants::BodyKind::comune ? "comune" : "altro")));
      category(ch, "channel-category-municipality", body->name);
      if (!body->province.empty()) category(ch, "channel-category-province", body->province);
      if (!body->region.empty()) category(ch, "channel-category-region", body->region);
    }
    for (const auto& p : found) {
      auto b = d.tenants.by_id(p.tenant_id);
      if (!b) continue;
      auto item = ch.append_child("item");
      const std::string link = base + public_href(b->slug, p);
      std::string t = p.subject;
      if (p.annulled()) t = d.view.t("it", "ui.albo_annulled") + ": " + t;
      item.append_child("title").text().set(t.c_str());
      item.append_child("link").text().set(link.c_str());
      item.append_child("description").text().set(p.subject.c_str());
      item.append_child("pubDate").text().set(rfc822(p.start_at).c_str());
      auto guid = item.append_child("guid");
      guid.append_attribute("isPermaLink") = "true";
      guid.text().set(link.c_str());
      category(item, "item-category-uid", std::to_string(p.year) + "/" + format_number(p.number));
      category(item, "item-category-type", type_name(d, "it", p.tenant_id, p.act_type));
      category(item, "item-category-pubStart", time::format_iso_date(p.start_day));
      category(item, "item-category-pubEnd", time::format_iso_date(p.last_day()));
      if (!body) category(item, "item-category-municipality", b->name);
      if (!p.documents.empty()) {
        auto enc = item.append_child("enclosure");
        enc.append_attribute("url") = (link + "/documenti/0").c_str();
        enc.append_attribute("length") = static_cast<long long>(p.documents.front().size);
        enc.append_attribute("type") = "application/pdf";
      }
    }
    auto r = http::Response::text(xml_text(doc));
    r.content_type = "application/rss+xml; charset=utf-8";
    r.header("Cache-Control", "no-cache");
    return robots(std::move(r));
  }
  auto f = doc.append_child("feed");
  f.append_attribute("xmlns") = "http://www.w3.org/2005/Atom";
  f.append_attribute("xml:lang") = "it";
  f.append_child("title").text().set(title.c_str());
  f.append_child("id").text().set((self + "/feed.atom").c_str());
  f.append_child("updated").text().set(
      time::format_iso_utc(found.empty() ? d.albo.now() : found.front().start_at).c_str());
  auto alt = f.append_child("link");
  alt.append_attribute("rel") = "alternate";
  alt.append_attribute("href") = self.c_str();
  auto selfl = f.append_child("link");
  selfl.append_attribute("rel") = "self";
  selfl.append_attribute("href") = (self + "/feed.atom").c_str();
  f.append_child("author").append_child("name").text().set(body ? body->name.c_str() : title.c_str());
  for (const auto& p : found) {
    auto b = d.tenants.by_id(p.tenant_id);
    if (!b) continue;
    const std::string link = base + public_href(b->slug, p);
    auto e = f.append_child("entry");
    std::string t = std::to_string(p.year) + "/" + format_number(p.number) + " — " + p.subject;
    if (p.annulled()) t = d.view.t("it", "ui.albo_annulled") + ": " + t;
    e.append_child("title").text().set(t.c_str());
    e.append_child("id").text().set(link.c_str());
    e.append_child("updated").text().set(
        time::format_iso_utc(p.annulment ? p.annulment->at : p.registered_at).c_str());
    e.append_child("published").text().set(time::format_iso_utc(p.start_at).c_str());
    auto l = e.append_child("link");
    l.append_attribute("rel") = "alternate";
    l.append_attribute("href") = link.c_str();
    if (!p.documents.empty()) {
      auto enc = e.append_child("link");
      enc.append_attribute("rel") = "enclosure";
      enc.append_attribute("type") = "application/pdf";
      enc.append_attribute("href") = (link + "/documenti/0").c_str();
      enc.append_attribute("length") = static_cast<long long>(p.documents.front().size);
    }
    auto cat = e.append_child("category");
    cat.append_attribute("term") = p.act_type.c_str();
    cat.append_attribute("label") = type_name(d, "it", p.tenant_id, p.act_type).c_str();
    const std::string summary =
        web::ui(d.view, "it", "ui.albo_feed_period",
                {{"from", time::format_it_date(p.start_day)}, {"to", time::format_it_date(p.last_day())}});
    e.append_child("summary").text().set(summary.c_str());
  }
  auto r = http::Response::text(xml_text(doc));
  r.content_type = "application/atom+xml; charset=utf-8";
  r.header("Cache-Control", "no-cache");
  return robots(std::move(r));
}

// --- back office --------------------------------------------------------------------------------------

web::Page staff_page(WebDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                     const std::string& title, bool sub_page) {
  auto page = web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(), tpl,
                                   title, "ui.albo_staff_title", staff_base(*a.body), sub_page);
  page.data.set("base", staff_base(*a.body));
  page.data.set("can_manage",
                static_cast<bool>(identity::authorize(a.who, Permission::manage_albo, a.body->id)));
  return page;
}

std::string actor_name(WebDeps& d, std::string_view lang, const std::string& who) {
  if (d.actor_names == nullptr) return who;
  return d.actor_names->name(who, lang);
}

http::Response archive_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "albo_staff_list", d.view.t(lang, "ui.albo_staff_title"), false);
  auto q = query_from(req);
  for (const char* k : {"tipo", "ufficio", "dal", "al", "testo"})
    page.data.set(std::string("q_") + k, req.query_param(k));
  page.data.set("types", type_options(d, lang, a.body->id, d.albo.act_types(a.body->id), q.act_type));
  page.data.set("public_href", "/" + a.body->slug + "/albo");
  auto found = d.albo.archive(a.who, a.body->id, q);
  if (!found) return identity::staff_refusal(d.view, req, found.error());
  Data rows = web::list();
  const auto now = d.albo.now();
  for (const auto& p : *found) rows.push_back(publication_row(d, lang, *a.body, p, now));
  page.data.set("publications", rows);
  page.data.set("has_publications", !found->empty());
  page.data.set("result_count", web::ui_count(d.view, lang, "ui.albo_results", found->size()));
  const int year = static_cast<int>(time::rome_date(now).year());
  page.data.set("year", std::to_string(year));
  // The first number is offered only while it can be set: the year has no publication and none yet.
  page.data.set("numbering_open", d.albo.numbering_open(a.body->id, year));
  page.data.set("can_edit_types",
                static_cast<bool>(identity::authorize(a.who, Permission::customise_forms, a.body->id)));
  if (req.query_param("numerazione") == "1") page.data.set("start_saved", true);
  if (req.query_param("tipi") == "1") page.data.set("types_saved", true);
  return web::private_page(d.view, req, page);
}

using Fields = std::multimap<std::string, std::string>;
std::string field(const Fields& f, const std::string& k) {
  auto it = f.find(k);
  return it == f.end() ? std::string() : it->second;
}

http::Response new_form(WebDeps& d, http::Request& req, const StaffCall& a, const Fields& f,
                        const Error* error, const std::vector<Finding>* findings) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "albo_staff_new", d.view.t(lang, "ui.albo_new_title"), true);
  page.data.set("action", staff_base(*a.body) + "/nuova");
  for (const char* k : {"issuer", "office", "responsible", "requester", "subject", "act_number", "act_date",
                        "start_day", "days", "forget_on"})
    page.data.set(std::string("f_") + k, field(f, k));
  page.data.set("types",
                type_options(d, lang, a.body->id, d.albo.act_types(a.body->id), field(f, "act_type")));
  page.data.set("extract", field(f, "integral") == "0");
  page.data.set("max_mb", std::to_string(kMaxDocumentBytes / (1024 * 1024)));
  int status = 200;
  if (error) {
    web::set_form_error(d.view, req, page, *error);
    page.data.set("reselect_files", true);
    status = web::form_status(*error);
  }
  if (findings && !findings->empty()) {
    Data list = web::list();
    for (const auto& x : *findings) {
      Data item;
      item.set("kind", d.view.t(lang, "ui.albo_pd_" + x.kind));
      item.set("match", x.match);
      item.set("where", x.where == "subject" ? d.view.t(lang, "ui.albo_subject") : x.where);
      list.push_back(item);
    }
    page.data.set("findings", list);
    page.data.set("has_findings", true);
    page.data.set("reselect_files", true);
    status = 422;
  }
  return web::private_page(d.view, req, page, status);
}

http::Response new_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  Fields f;
  f.emplace("issuer", a.body->name);
  return new_form(d, req, a, f, nullptr, nullptr);
}

Error field_error(const std::string& code, const std::string& f) {
  Error e = Error::make(code, 400);
  e.field = f;
  return e;
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto parts = req.multipart();
  if (!parts) return d.view.error_page(req, 400);
  const Fields f = parts->fields();
  if (auto st = identity::check_csrf(req, f); !st) return d.view.error_page(req, st.error().http_status);
  Publishing p;
  auto& n = p.publication;
  n.act_type = field(f, "act_type");
  n.issuer = field(f, "issuer");
  n.office = field(f, "office");
  n.responsible = field(f, "responsible");
  n.requester = field(f, "requester");
  n.subject = field(f, "subject");
  n.act_number = field(f, "act_number");
  n.act_date = std::string(text::trim(field(f, "act_date")));
  n.integral = field(f, "integral") != "0";
  n.start_day = std::string(text::trim(field(f, "start_day")));
  n.forget_on = std::string(text::trim(field(f, "forget_on")));
  if (auto days = std::string(text::trim(field(f, "days"))); !days.empty()) {
    auto v = text::parse_decimal(days);
    if (!v || *v < 1 || *v > 365) {
      auto e = field_error("albo.days", "days");
      return new_form(d, req, a, f, &e, nullptr);
    }
    n.days = static_cast<int>(*v);
  }
  n.personal_data_confirmed = field(f, "confirm_personal_data") == "1";
  n.channel = Channel::web;
  for (const auto* part : parts->files("document"))
    p.documents.push_back({DocumentRole::act, part->filename.value_or(""), part->data, "document"});
  for (const auto* part : parts->files("attachments"))
    p.documents.push_back({DocumentRole::attachment, part->filename.value_or(""), part->data, "attachments"});
  auto done = d.albo.publish(a.who, a.body->id, p);
  if (!done) return new_form(d, req, a, f, &done.error(), nullptr);
  if (!done->published) return new_form(d, req, a, f, nullptr, &done->findings);
  return web::see_other(staff_base(*a.body) + "/" + done->published->id + "?pubblicata=1");
}

http::Response entry_page(WebDeps& d, http::Request& req, const StaffCall& a, const Result<StaffView>& v,
                          const Error* error) {
  const auto& lang = req.ctx.locale;
  if (!v) return identity::staff_refusal(d.view, req, v.error());
  const auto& p = v->publication;
  const std::string title = d.view.t(lang, "ui.albo_publication_title") + " " + format_number(p.number) +
                            "/" + std::to_string(p.year);
  auto page = staff_page(d, req, a, "albo_staff_entry", title, true);
  const auto now = d.albo.now();
  const auto href = staff_base(*a.body) + "/" + p.id;
  page.data.set("p", publication_row(d, lang, *a.body, p, now));
  page.data.set("title", title);
  page.data.set("href", href);
  page.data.set("just_published", req.query_param("pubblicata") == "1");
  page.data.set("on_board", p.phase(now) != Phase::ended);
  page.data.set("issuer", p.issuer.empty() ? a.body->name : p.issuer);
  page.data.set("responsible", p.responsible);
  page.data.set("requester", p.requester);
  page.data.set("act",
                p.act_number + (p.act_date ? " — " + time::format_it_date(*p.act_date) : std::string()));
  page.data.set("forget_on", time::format_it_date(p.forget_on));
  page.data.set("created_by", actor_name(d, lang, p.created_by));
  page.data.set("registered_at", time::format_it_datetime(p.registered_at));
  if (!p.personal_data_confirmed_by.empty())
    page.data.set("pd_confirmed", web::ui(d.view, lang, "ui.albo_pd_confirmed_by",
                                          {{"who", actor_name(d, lang, p.personal_data_confirmed_by)}}));
  if (auto e = p.enforceable_on()) page.data.set("enforceable", time::format_it_date(*e));
  if (p.extension_days > 0)
    page.data.set("extension", web::ui(d.view, lang, "ui.albo_extension",
                                       {{"days", std::to_string(p.extension_days)},
                                        {"base_end", time::format_it_date(p.base_last_day())}}));
  if (p.annulment) {
    page.data.set("annulled_at", time::format_it_datetime(p.annulment->at));
    page.data.set("annulment_reason", p.annulment->reason);
    page.data.set("annulled_by", actor_name(d, lang, p.annulment->by));
  }
  page.data.set("documents_hidden", v->documents_hidden);
  Data docs = web::list();
  for (std::size_t i = 0; i < p.documents.size(); ++i) {
    Data x;
    x.set("name", p.documents[i].file_name);
    x.set("sha256", p.documents[i].sha256);
    x.set("href", href + "/documenti/" + std::to_string(i));
    docs.push_back(x);
  }
  page.data.set("documents", docs);
  page.data.set("notice_href", href + "/avviso.pdf");
  if (v->relata) {
    Data r;
    r.set("waiting", v->relata->status == RelataStatus::waiting);
    r.set("pdf_href", href + "/relata.pdf");
    r.set("confirm_action", href + "/relata/conferma");
    r.set("protocol", v->relata->protocol_text);
    r.set("sha256", v->relata->sha256);
    if (v->relata->confirmed_at) r.set("confirmed_at", time::format_it_datetime(*v->relata->confirmed_at));
    r.set("confirmed_by", actor_name(d, lang, v->relata->confirmed_by));
    page.data.set("relata", r);
  }
  page.data.set("annul_action", href + "/annulla");
  page.data.set("open_action", href + "/apri");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response entry_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return entry_page(d, req, a, d.albo.view(a.who, a.body->id, req.param("id")), nullptr);
}

http::Response annul_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  auto st = d.albo.annul(a.who, a.body->id, id, web::form_field(*form, "reason"));
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403)
      return identity::staff_refusal(d.view, req, st.error());
    return entry_page(d, req, a, d.albo.view(a.who, a.body->id, id), &st.error());
  }
  return web::see_other(staff_base(*a.body) + "/" + id);
}

http::Response open_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  auto v = d.albo.open_archive(a.who, a.body->id, id, web::form_field(*form, "reason"));
  if (!v && v.error().http_status == 400)
    return entry_page(d, req, a, d.albo.view(a.who, a.body->id, id), &v.error());
  return entry_page(d, req, a, v, nullptr);
}

http::Response confirm_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  auto r = d.albo.confirm_relata(a.who, a.body->id, id, a.body->name);
  if (!r) {
    if (r.error().http_status == 404 || r.error().http_status == 403)
      return identity::staff_refusal(d.view, req, r.error());
    return entry_page(d, req, a, d.albo.view(a.who, a.body->id, id), &r.error());
  }
  return web::see_other(staff_base(*a.body) + "/" + id);
}

http::Response relata_pdf_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto pdf = d.albo.relata_pdf(a.who, a.body->id, req.param("id"), a.body->name);
  if (!pdf) return identity::staff_refusal(d.view, req, pdf.error());
  return web::download_response(std::move(*pdf), "application/pdf", "relata.pdf");
}

http::Response notice_pdf_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto pdf = d.albo.notice_pdf(a.who, a.body->id, req.param("id"), a.body->name);
  if (!pdf) return identity::staff_refusal(d.view, req, pdf.error());
  return web::download_response(std::move(*pdf), "application/pdf", "avviso-pubblicazione.pdf");
}

http::Response staff_document_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto n = text::parse_decimal(req.param("n"));
  if (!n || *n < 0) return d.view.error_page(req, 404);
  auto v = d.albo.view(a.who, a.body->id, req.param("id"));
  if (!v) return identity::staff_refusal(d.view, req, v.error());
  auto bytes = d.albo.staff_document(a.who, a.body->id, req.param("id"), static_cast<std::size_t>(*n), "");
  if (!bytes) return identity::staff_refusal(d.view, req, bytes.error());
  return web::download_response(std::move(*bytes), "application/pdf",
                                v->publication.documents[static_cast<std::size_t>(*n)].file_name);
}

http::Response relate_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "albo_staff_relate", d.view.t(lang, "ui.albo_relate_title"), true);
  const auto now = d.albo.now();
  for (auto [key, status] :
       {std::pair{"waiting", RelataStatus::waiting}, std::pair{"confirmed", RelataStatus::confirmed}}) {
    auto rows = d.albo.relate(a.who, a.body->id, status);
    if (!rows) return identity::staff_refusal(d.view, req, rows.error());
    Data list = web::list();
    for (const auto& r : *rows) {
      Data row = publication_row(d, lang, *a.body, r.publication, now);
      row.set("protocol", r.relata.protocol_text);
      row.set("prepared_at", time::format_it_datetime(r.relata.prepared_at));
      row.set("confirm_action", staff_base(*a.body) + "/" + r.publication.id + "/relata/conferma");
      row.set("pdf_href", staff_base(*a.body) + "/" + r.publication.id + "/relata.pdf");
      list.push_back(row);
    }
    page.data.set(key, list);
    page.data.set(std::string("has_") + key, !rows->empty());
  }
  return web::private_page(d.view, req, page);
}

http::Response outages_page(WebDeps& d, http::Request& req, const StaffCall& a, const http::Params* form,
                            const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "albo_staff_outages", d.view.t(lang, "ui.albo_outages_title"), true);
  auto list = d.albo.outages(a.who, a.body->id);
  if (!list) return identity::staff_refusal(d.view, req, list.error());
  Data rows = web::list();
  for (const auto& o : *list) {
    Data r;
    r.set("from", time::format_it_datetime(o.from_at));
    r.set("to", time::format_it_datetime(o.to_at));
    r.set("source", d.view.t(lang, "ui.albo_outage_" + std::string(to_string(o.source))));
    r.set("act", o.act);
    rows.push_back(r);
  }
  page.data.set("outages", rows);
  page.data.set("has_outages", !list->empty());
  page.data.set("action", staff_base(*a.body) + "/interruzioni");
  for (const char* k : {"from", "to", "act"})
    page.data.set(std::string("f_") + k, form ? web::form_field(*form, k) : "");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response outages_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return outages_page(d, req, a, nullptr, nullptr);
}

http::Response outages_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto o = d.albo.record_outage(a.who, a.body->id, web::form_field(*form, "from"),
                                web::form_field(*form, "to"), web::form_field(*form, "act"));
  if (!o) {
    if (o.error().http_status == 403) return identity::staff_refusal(d.view, req, o.error());
    return outages_page(d, req, a, &*form, &o.error());
  }
  return web::see_other(staff_base(*a.body) + "/interruzioni");
}

http::Response start_number_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto year = text::parse_decimal(web::form_field(*form, "year"));
  auto first = text::parse_decimal(web::form_field(*form, "first_number"));
  auto st = d.albo.set_start_number(a.who, a.body->id, year ? static_cast<int>(*year) : 0, first.value_or(0));
  if (!st) return identity::staff_refusal(d.view, req, st.error());
  return web::see_other(staff_base(*a.body) + "?numerazione=1");
}

// The body's act types (its administrators): which of the national vocabulary's types and of its own it
// uses, each with its default period and whether a rule requires personal data in it / it is a
// resolution; and a form to add a type of its own.
std::vector<ActType> all_types(WebDeps& d, TenantId tenant) {
  std::vector<ActType> all = national_act_types();
  for (const auto& c : d.albo.custom_act_types(tenant)) all.push_back(ActType{c.code, 15, false, false});
  return all;
}

http::Response types_page(WebDeps& d, http::Request& req, const StaffCall& a, const http::Params* form,
                          const Error* error, bool adding = false) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "albo_staff_types", d.view.t(lang, "ui.albo_types_title"), true);
  const auto own = d.albo.act_types(a.body->id);
  const bool from_list = form && !adding;  // the list form came back with an error: show what was typed
  Data rows = web::list();
  for (const auto& n : all_types(d, a.body->id)) {
    const auto it = std::find_if(own.begin(), own.end(), [&](const ActType& t) { return t.code == n.code; });
    const ActType& t = it != own.end() ? *it : n;
    Data r;
    r.set("code", n.code);
    r.set("name", type_name(d, lang, a.body->id, n.code));
    r.set("custom", is_custom_type_code(n.code));
    r.set("on", from_list ? !web::form_field(*form, "on_" + n.code).empty() : it != own.end());
    r.set("days", from_list ? web::form_field(*form, "days_" + n.code) : std::to_string(t.days));
    r.set("national_days", std::to_string(n.days));
    r.set("personal_data", from_list ? !web::form_field(*form, "pd_" + n.code).empty() : t.personal_data);
    r.set("resolution", from_list ? !web::form_field(*form, "res_" + n.code).empty() : t.resolution);
    rows.push_back(r);
  }
  page.data.set("types", rows);
  page.data.set("action", staff_base(*a.body) + "/tipi");
  page.data.set("add_action", staff_base(*a.body) + "/tipi/nuovo");
  if (adding && form) {
    for (const char* k : {"name_it", "name_en", "new_days"})
      page.data.set(std::string("f_") + k, web::form_field(*form, k));
    page.data.set("f_new_pd", !web::form_field(*form, "new_pd").empty());
    page.data.set("f_new_res", !web::form_field(*form, "new_res").empty());
  }
  if (const auto added = req.query_param("aggiunto"); !form && is_custom_type_code(added)) {
    const auto name = type_name(d, lang, a.body->id, added);
    if (name != added) page.data.set("added", web::ui(d.view, lang, "ui.albo_type_added", {{"name", name}}));
  }
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response types_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return types_page(d, req, a, nullptr, nullptr);
}

http::Response types_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::vector<ActType> chosen;
  for (const auto& n : all_types(d, a.body->id)) {
    if (web::form_field(*form, "on_" + n.code).empty()) continue;
    auto days = text::parse_decimal(web::form_field(*form, "days_" + n.code));
    chosen.push_back(ActType{n.code, days && *days <= 365 ? static_cast<int>(*days) : 0,
                             !web::form_field(*form, "pd_" + n.code).empty(),
                             !web::form_field(*form, "res_" + n.code).empty()});
  }
  auto st = d.albo.set_act_types(a.who, a.body->id, chosen);
  if (!st) {
    if (st.error().http_status == 403) return identity::staff_refusal(d.view, req, st.error());
    return types_page(d, req, a, &*form, &st.error());
  }
  return web::see_other(staff_base(*a.body) + "?tipi=1");
}

http::Response type_add_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto days = text::parse_decimal(web::form_field(*form, "new_days"));
  NewActType t{web::form_field(*form, "name_it"), web::form_field(*form, "name_en"),
               days && *days <= 365 ? static_cast<int>(*days) : 0, !web::form_field(*form, "new_pd").empty(),
               !web::form_field(*form, "new_res").empty()};
  auto added = d.albo.add_custom_act_type(a.who, a.body->id, t);
  if (!added) {
    if (added.error().http_status == 403) return identity::staff_refusal(d.view, req, added.error());
    return types_page(d, req, a, &*form, &added.error(), true);
  }
  return web::see_other(staff_base(*a.body) + "/tipi?aggiunto=" + text::percent_encode(*added));
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/albo", [&d](http::Request& r) { return board_page(d, r, nullptr); });
  router.get("/albo/feed.rss", [&d](http::Request& r) { return feed(d, r, nullptr, false); });
  router.get("/albo/feed.atom", [&d](http::Request& r) { return feed(d, r, nullptr, true); });
  router.get("/{slug}/albo", [&d](http::Request& r) {
    auto b = body_of(d, r);
    return b ? board_page(d, r, b.get()) : robots(d.view.error_page(r, 404));
  });
  router.get("/{slug}/albo/feed.rss", [&d](http::Request& r) {
    auto b = body_of(d, r);
    return b ? feed(d, r, b.get(), false) : robots(d.view.error_page(r, 404));
  });
  router.get("/{slug}/albo/feed.atom", [&d](http::Request& r) {
    auto b = body_of(d, r);
    return b ? feed(d, r, b.get(), true) : robots(d.view.error_page(r, 404));
  });
  router.get("/{slug}/albo/{year}/{number}", [&d](http::Request& r) { return publication_get(d, r); });
  router.get("/{slug}/albo/{year}/{number}/documenti/{n}",
             [&d](http::Request& r) { return document_get(d, r); });

  const std::string b = "/backoffice/{slug}/albo";
  router.get(b, staff_route(d, Permission::publish_albo, archive_get));
  router.get(b + "/nuova", staff_route(d, Permission::publish_albo, new_get));
  router.post(b + "/nuova", staff_route(d, Permission::publish_albo, new_post));
  router.get(b + "/relate", staff_route(d, Permission::publish_albo, relate_get));
  router.get(b + "/interruzioni", staff_route(d, Permission::publish_albo, outages_get));
  router.post(b + "/interruzioni", staff_route(d, Permission::manage_albo, outages_post));
  router.post(b + "/numerazione", staff_route(d, Permission::manage_albo, start_number_post));
  router.get(b + "/tipi", staff_route(d, Permission::customise_forms, types_get));
  router.post(b + "/tipi", staff_route(d, Permission::customise_forms, types_post));
  router.post(b + "/tipi/nuovo", staff_route(d, Permission::customise_forms, type_add_post));
  router.get(b + "/{id}", staff_route(d, Permission::publish_albo, entry_get));
  router.post(b + "/{id}/annulla", staff_route(d, Permission::manage_albo, annul_post));
  router.post(b + "/{id}/apri", staff_route(d, Permission::manage_albo, open_post));
  router.post(b + "/{id}/relata/conferma", staff_route(d, Permission::manage_albo, confirm_post));
  router.get(b + "/{id}/relata.pdf", staff_route(d, Permission::publish_albo, relata_pdf_get));
  router.get(b + "/{id}/avviso.pdf", staff_route(d, Permission::publish_albo, notice_pdf_get));
  router.get(b + "/{id}/documenti/{n}", staff_route(d, Permission::publish_albo, staff_document_get));
}

}  // namespace sp::albo
