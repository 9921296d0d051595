#include "tourism/web.hpp"

#include <boost/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "core/text.hpp"
#include "core/time.hpp"
#include "http/multipart.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::tourism {
namespace {

namespace json = boost::json;
using identity::hub_staff_route;
using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

constexpr const char* kReviewPath = "/backoffice/revisione-turismo";

std::string staff_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/turismo";
}

std::string public_base(const std::string& slug) {
  return slug.empty() ? std::string("/turismo") : "/" + slug + "/turismo";
}

std::string item_href(const std::string& slug, const Item& i) {
  return "/" + slug + "/turismo/" + i.id;
}

std::string category_name(const WebDeps& d, std::string_view lang, const std::string& code) {
  return d.view.t(lang, "ui.tour_cat_" + code);
}

// "12 dicembre 2026" or "12 – 14 dicembre 2026" as dates people read.
std::string when_text(const WebDeps& d, std::string_view lang, const Item& i) {
  if (i.kind != Kind::event) return {};
  auto from = time::parse_iso_date(i.starts_on);
  auto to = time::parse_iso_date(i.ends_on);
  if (!from) return i.starts_on;
  if (!to || i.ends_on == i.starts_on) return time::format_it_date(*from);
  return web::ui(d.view, lang, "ui.tour_when_range",
                 {{"from", time::format_it_date(*from)}, {"to", time::format_it_date(*to)}});
}

// Blank lines separate paragraphs; the template escapes the text.
Data paragraphs(const std::string& text) {
  Data out = web::list();
  std::string current;
  std::size_t start = 0;
  auto flush = [&] {
    auto t = text::trim(current);
    if (!t.empty()) out.push_back(Data(t));
    current.clear();
  };
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = text::trim(std::string_view(text).substr(start, end - start));
    if (line.empty()) {
      flush();
    } else {
      if (!current.empty()) current += ' ';
      current += line;
    }
    start = end + 1;
  }
  flush();
  return out;
}

std::string coordinate_text(const std::optional<double>& v) {
  if (!v) return {};
  std::ostringstream out;
  out.precision(7);
  out << std::fixed << *v;
  std::string s = out.str();
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Data item_data(const WebDeps& d, std::string_view lang, const Item& i, const std::string& body_name,
               const std::string& slug) {
  Data x;
  x.set("id", i.id);
  x.set("name", i.name);
  x.set("kind", std::string(to_string(i.kind)));
  x.set("kind_name", d.view.t(lang, "ui.tour_kind_" + std::string(to_string(i.kind))));
  x.set("is_event", i.kind == Kind::event);
  x.set("category", i.category);
  x.set("category_name", category_name(d, lang, i.category));
  x.set("description", paragraphs(i.description(lang)));
  // The English text falls back to the Italian: say so, in its language.
  if (lang == "en" && i.description_en.empty()) x.set("description_lang", std::string("it"));
  if (!i.address.empty()) x.set("address", i.address);
  if (!i.opening_hours.empty()) {
    x.set("opening_hours", paragraphs(i.opening_hours));
    x.set("has_hours", true);
  }
  if (i.latitude && i.longitude) {
    x.set("latitude", coordinate_text(i.latitude));
    x.set("longitude", coordinate_text(i.longitude));
  }
  if (i.kind == Kind::event) {
    x.set("when", when_text(d, lang, i));
    x.set("starts_on", i.starts_on);
  }
  if (!i.image_file_id.empty()) {
    // The public address names the picture's file: a new picture is a new address (cached for long).
    const std::string src = item_href(slug, i) + "/immagine/" + i.image_file_id;
    x.set("has_image", true);
    x.set("image_src", src);
    x.set("abs_image_src", d.public_url + src);
    x.set("image_alt", i.image_alt);
  }
  x.set("body_name", body_name);
  x.set("href", item_href(slug, i));
  x.set("abs_href", d.public_url + item_href(slug, i));
  x.set("state", std::string(to_string(i.state)));
  x.set("state_name", d.view.t(lang, "ui.tour_state_" + std::string(to_string(i.state))));
  return x;
}

// --- public pages -----------------------------------------------------------------------------------

// The filters of the request (the same on the pages and the feeds): unknown values are dropped, never
// echoed into a query.
PublicQuery query_of(WebDeps& d, const http::Request& req, const tenants::Body* body) {
  PublicQuery q;
  if (body) {
    q.tenant = body->id;
  } else if (auto b = d.tenants.by_slug(req.query_param("ente")); b && b->active) {
    q.tenant = b->id;
  }
  if (known_category(req.query_param("categoria"))) q.category = req.query_param("categoria");
  q.kind = parse_kind(req.query_param("tipo"));
  if (auto from = time::parse_iso_date(req.query_param("dal"))) q.from = time::format_iso_date(*from);
  if (auto to = time::parse_iso_date(req.query_param("al"))) q.to = time::format_iso_date(*to);
  return q;
}

std::string filter_query(const PublicQuery& q, const WebDeps& d, bool with_body) {
  std::string out;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    out += (out.empty() ? "?" : "&") + std::string(k) + "=" + text::percent_encode(v);
  };
  if (with_body && q.tenant != 0) {
    if (auto b = d.tenants.by_id(q.tenant)) add("ente", b->slug);
  }
  add("categoria", q.category);
  add("tipo", q.kind ? std::string(to_string(*q.kind)) : std::string());
  add("dal", q.from);
  add("al", q.to);
  return out;
}

Data listing(WebDeps& d, std::string_view lang, const std::vector<Item>& items) {
  Data list = web::list();
  for (const auto& i : items) {
    auto b = d.tenants.by_id(i.tenant_id);
    if (!b || !b->active) continue;
    list.push_back(item_data(d, lang, i, b->name, b->slug));
  }
  return list;
}

http::Response public_list(WebDeps& d, http::Request& req, const tenants::Body* body) {
  const auto& lang = req.ctx.locale;
  const auto q = query_of(d, req, body);
  const auto items = d.tourism.published(q);
  web::Page page;
  page.template_name = "tourism_public";
  page.title = body ? web::ui(d.view, lang, "ui.tour_title_body", {{"name", body->name}})
                    : d.view.t(lang, "ui.tour_title_hub");
  page.description = page.title;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}};
  if (body) {
    page.body_slug = body->slug;
    page.body_name = body->name;
    page.breadcrumb.push_back({body->name, "/" + body->slug + "/"});
  }
  page.breadcrumb.push_back({page.title, ""});
  auto& x = page.data;
  x.set("title", page.title);
  x.set("action", public_base(body ? body->slug : std::string()));
  x.set("items", listing(d, lang, items));
  x.set("empty", items.empty());
  x.set("count_text", web::ui_count(d.view, lang, "ui.tour_count", items.size()));
  Data cats = web::list();
  for (auto c : kCategories) {
    Data o;
    o.set("code", std::string(c));
    o.set("name", category_name(d, lang, std::string(c)));
    o.set("selected", q.category == c);
    cats.push_back(o);
  }
  x.set("categories", cats);
  x.set("kind_poi", q.kind == Kind::poi);
  x.set("kind_event", q.kind == Kind::event);
  x.set("from", q.from);
  x.set("to", q.to);
  if (!body) {
    Data bodies = web::list();
    for (const auto& [id, b] : d.tenants.snapshot()->by_id) {
      if (!b->active) continue;
      Data o;
      o.set("slug", b->slug);
      o.set("name", b->name);
      o.set("selected", q.tenant == b->id);
      bodies.push_back(o);
    }
    x.set("bodies", bodies);
    x.set("hub_wide", true);
  } else {
    x.set("widget_href", "/" + body->slug + "/turismo/widget");
  }
  const std::string filters = filter_query(q, d, !body);
  x.set("json_href", public_base(body ? body->slug : std::string()) + "/feed.json" + filters);
  x.set("atom_href", public_base(body ? body->slug : std::string()) + "/feed.atom" + filters);
  return web::page_response(d.view.render(req, page));
}

http::Response public_item(WebDeps& d, http::Request& req) {
  const auto& lang = req.ctx.locale;
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body || !body->active) return d.view.error_page(req, 404);
  auto item = d.tourism.published_item(body->id, req.param("id"));
  if (!item) return d.view.error_page(req, 404);
  web::Page page;
  page.template_name = "tourism_item";
  page.title = item->name;
  page.body_slug = body->slug;
  page.body_name = body->name;
  page.breadcrumb = {
      {d.view.t(lang, "ui.home"), "/"},
      {body->name, "/" + body->slug + "/"},
      {web::ui(d.view, lang, "ui.tour_title_body", {{"name", body->name}}), public_base(body->slug)},
      {item->name, ""}};
  page.data = item_data(d, lang, *item, body->name, body->slug);
  page.data.set("title", item->name);
  return web::page_response(d.view.render(req, page));
}

// --- feeds ----------------------------------------------------------------------------------------

std::string iso_at(const std::string& utc) {
  return utc.empty() ? std::string("1970-01-01T00:00:00Z") : utc;
}

http::Response feed_json(WebDeps& d, http::Request& req, const tenants::Body* body) {
  const auto q = query_of(d, req, body);
  const auto items = d.tourism.published(q);
  const std::string base = d.public_url + public_base(body ? body->slug : std::string());
  json::object feed{{"version", "https://jsonfeed.org/version/1.1"},
                    {"title", body ? web::ui(d.view, "it", "ui.tour_title_body", {{"name", body->name}})
                                   : d.view.t("it", "ui.tour_title_hub")},
                    {"home_page_url", base},
                    {"feed_url", base + "/feed.json" + filter_query(q, d, !body)},
                    {"language", "it"}};
  json::array out;
  for (const auto& i : items) {
    auto b = d.tenants.by_id(i.tenant_id);
    if (!b || !b->active) continue;
    json::object it{{"id", "urn:uuid:" + i.id},
                    {"url", d.public_url + item_href(b->slug, i)},
                    {"title", i.name},
                    {"content_text", i.description_it},
                    {"date_published", iso_at(i.published_at)},
                    {"date_modified", iso_at(i.updated_at)},
                    {"tags", json::array{json::value(i.category)}},
                    {"authors", json::array{json::value(json::object{{"name", b->name}})}}};
    // JSON Feed's extension point (names starting with "_"): what a tourism site needs to place the item.
    json::object ext{{"kind", std::string(to_string(i.kind))},
                     {"category", i.category},
                     {"body", b->slug},
                     {"description_en", web::str_or_null(i.description_en)},
                     {"address", web::str_or_null(i.address)},
                     {"opening_hours", web::str_or_null(i.opening_hours)},
                     {"starts_on", web::str_or_null(i.starts_on)},
                     {"ends_on", web::str_or_null(i.ends_on)}};
    if (!i.image_file_id.empty()) {
      it["image"] = d.public_url + item_href(b->slug, i) + "/immagine/" + i.image_file_id;
      ext["image_alt"] = i.image_alt;
    }
    ext["latitude"] = i.latitude ? json::value(*i.latitude) : json::value(nullptr);
    ext["longitude"] = i.longitude ? json::value(*i.longitude) : json::value(nullptr);
    it["_sportello_tourism"] = std::move(ext);
    out.push_back(std::move(it));
  }
  feed["items"] = std::move(out);
  auto r = http::Response::json(json::serialize(feed));
  r.content_type = "application/feed+json; charset=utf-8";
  r.header("Cache-Control", "no-cache");
  r.header("Access-Control-Allow-Origin", "*");  // public data: a body's site may read it from a browser
  return r;
}

http::Response feed_atom(WebDeps& d, http::Request& req, const tenants::Body* body) {
  const auto q = query_of(d, req, body);
  const auto items = d.tourism.published(q);
  const std::string base = d.public_url + public_base(body ? body->slug : std::string());
  const std::string self = base + "/feed.atom" + filter_query(q, d, !body);
  const std::string title = body ? web::ui(d.view, "it", "ui.tour_title_body", {{"name", body->name}})
                                 : d.view.t("it", "ui.tour_title_hub");
  std::string updated;
  for (const auto& i : items) updated = std::max(updated, i.published_at);
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto f = doc.append_child("feed");
  f.append_attribute("xmlns") = "http://www.w3.org/2005/Atom";
  f.append_attribute("xmlns:georss") = "http://www.georss.org/georss";
  f.append_attribute("xml:lang") = "it";
  f.append_child("title").text().set(title.c_str());
  f.append_child("id").text().set((base + "/feed.atom").c_str());
  f.append_child("updated").text().set(
      (updated.empty() ? time::format_iso_utc(d.tourism.now()) : updated).c_str());
  auto alt = f.append_child("link");
  alt.append_attribute("rel") = "alternate";
  alt.append_attribute("type") = "text/html";
  alt.append_attribute("href") = base.c_str();
  auto selfl = f.append_child("link");
  selfl.append_attribute("rel") = "self";
  selfl.append_attribute("type") = "application/atom+xml";
  selfl.append_attribute("href") = self.c_str();
  f.append_child("author").append_child("name").text().set(body ? body->name.c_str() : title.c_str());
  for (const auto& i : items) {
    auto b = d.tenants.by_id(i.tenant_id);
    if (!b || !b->active) continue;
    auto e = f.append_child("entry");
    e.append_child("title").text().set(i.name.c_str());
    e.append_child("id").text().set(("urn:uuid:" + i.id).c_str());
    e.append_child("updated").text().set(iso_at(i.updated_at).c_str());
    e.append_child("published").text().set(iso_at(i.published_at).c_str());
    e.append_child("author").append_child("name").text().set(b->name.c_str());
    auto l = e.append_child("link");
    l.append_attribute("rel") = "alternate";
    l.append_attribute("type") = "text/html";
    l.append_attribute("href") = (d.public_url + item_href(b->slug, i)).c_str();
    if (!i.image_file_id.empty()) {
      // RFC 4287 §4.2.7.2: a related resource, possibly large; its title carries the alternative text.
      auto img = e.append_child("link");
      img.append_attribute("rel") = "enclosure";
      img.append_attribute("href") =
          (d.public_url + item_href(b->slug, i) + "/immagine/" + i.image_file_id).c_str();
      img.append_attribute("title") = i.image_alt.c_str();
    }
    auto cat = e.append_child("category");
    cat.append_attribute("term") = i.category.c_str();
    cat.append_attribute("label") = category_name(d, "it", i.category).c_str();
    std::string summary = i.description_it;
    if (i.kind == Kind::event) summary = when_text(d, "it", i) + " — " + summary;
    auto s = e.append_child("summary");
    s.append_attribute("type") = "text";
    s.text().set(summary.c_str());
    if (i.latitude && i.longitude)
      e.append_child("georss:point")
          .text()
          .set((coordinate_text(i.latitude) + " " + coordinate_text(i.longitude)).c_str());
  }
  std::ostringstream xml;
  doc.save(xml, "  ", pugi::format_default, pugi::encoding_utf8);
  auto r = http::Response::text(xml.str());
  r.content_type = "application/atom+xml; charset=utf-8";
  r.header("Cache-Control", "no-cache");
  return r;
}

// --- pictures -------------------------------------------------------------------------------------

// A picture as an image (never a download, never sniffed): the type detected at upload, one of JPEG, PNG
// or WebP (files::Limits of TourismService::save).
http::Response image_response(Image img, bool published) {
  auto r = http::Response::text(std::move(img.bytes));
  r.content_type = img.mime_type;
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Content-Security-Policy", "default-src 'none'; sandbox");
  r.header("Cross-Origin-Resource-Policy", "cross-origin");  // the snippet shows it on the body's own site
  // The address names the file: a published picture never changes under it.
  r.header("Cache-Control", published ? "public, max-age=86400" : "private, no-store");
  return r;
}

http::Response public_image(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body || !body->active) return d.view.error_page(req, 404);
  auto img = d.tourism.image(nullptr, body->id, req.param("id"), req.param("file"));
  if (!img) return d.view.error_page(req, img.error().http_status == 404 ? 404 : 500);
  return image_response(std::move(*img), true);
}

// The body's staff and the hub's editors see the picture before it is published.
http::Response staff_image(WebDeps& d, http::Request& req, const identity::Principal* who,
                           const tenants::Body& body) {
  auto img = d.tourism.image(who, body.id, req.param("id"), req.param("file"));
  if (!img) {
    const int status = img.error().http_status;
    return d.view.error_page(req, status == 401 || status == 403 || status == 404 ? status : 500);
  }
  return image_response(std::move(*img), false);
}

// --- the widget -------------------------------------------------------------------------------------

Data widget_data(WebDeps& d, std::string_view lang, const tenants::Body& body, const http::Request& req) {
  PublicQuery q = query_of(d, req, &body);
  if (q.from.empty()) q.from = time::format_iso_date(time::rome_date(d.tourism.now()));  // no past events
  q.limit = 20;
  Data x;
  x.set("title", web::ui(d.view, lang, "ui.tour_title_body", {{"name", body.name}}));
  x.set("items", listing(d, lang, d.tourism.published(q)));
  x.set("all_href", d.public_url + public_base(body.slug));
  x.set("public_url", d.public_url);
  return x;
}

http::Response widget(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body || !body->active) return d.view.error_page(req, 404);
  auto data = widget_data(d, req.ctx.locale, *body, req);
  data.set("framed", true);  // a page of its own: its heading is the page's h1
  auto r = http::Response::html(d.view.render_bare("tourism_widget", data, req.ctx.locale));
  // Framed by the body's own sites only (a setting of its administrators); none set: by nobody.
  const auto origins = d.tourism.widget_origins(body->id);
  const std::string ancestors = origins.empty() ? std::string("'none'") : text::join(origins, " ");
  r.header("Content-Security-Policy",
           "default-src 'none'; img-src 'self' data:; style-src 'self'; "
           "font-src 'self' data:; base-uri 'none'; form-action 'none'; "
           "frame-ancestors " +
               ancestors);
  r.header("Cache-Control", "no-cache");
  return r;
}

http::Response snippet(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body || !body->active) return d.view.error_page(req, 404);
  auto r = http::Response::html(
      d.view.render_bare("tourism_snippet", widget_data(d, req.ctx.locale, *body, req), req.ctx.locale));
  r.header("Cache-Control", "no-cache");
  r.header("Access-Control-Allow-Origin", "*");
  return r;
}

// --- the body's staff ----------------------------------------------------------------------------

web::Page staff_page(WebDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                     const std::string& title, bool sub_page) {
  auto page = web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(), tpl,
                                   title, "ui.tour_staff_title", staff_base(*a.body), sub_page);
  page.data.set("title", title);
  return page;
}

http::Response staff_list(WebDeps& d, http::Request& req, const StaffCall& a, const Error* error,
                          const std::string* typed_origins) {
  const auto& lang = req.ctx.locale;
  auto items = d.tourism.body_items(a.who, a.body->id);
  if (!items) return d.view.error_page(req, items.error().http_status);
  auto page = staff_page(d, req, a, "tourism_staff_list", d.view.t(lang, "ui.tour_staff_title"), false);
  page.data.set("items", listing(d, lang, *items));
  page.data.set("empty", items->empty());
  page.data.set("new_poi_href", staff_base(*a.body) + "/nuovo?tipo=poi");
  page.data.set("new_event_href", staff_base(*a.body) + "/nuovo?tipo=event");
  page.data.set("public_href", public_base(a.body->slug));
  page.data.set("staff_base", staff_base(*a.body));
  if (identity::authorize(a.who, Permission::manage_staff, a.body->id)) {
    page.data.set("can_set_origins", true);
    page.data.set("origins_action", "/backoffice/" + a.body->slug + "/turismo-widget");
    page.data.set("origins",
                  typed_origins ? *typed_origins : text::join(d.tourism.widget_origins(a.body->id), "\n"));
  }
  page.data.set("widget_src", d.public_url + "/" + a.body->slug + "/turismo/widget");
  page.data.set("snippet_src", d.public_url + "/" + a.body->slug + "/turismo/widget.html");
  page.data.set("saved", req.query_param("salvato") == "1");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response staff_list_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return staff_list(d, req, a, nullptr, nullptr);
}

http::Response origins_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto text = web::form_field(*form, "widget_origins");
  auto saved = d.tourism.set_widget_origins(a.who, a.body->id, text);
  if (!saved) return staff_list(d, req, a, &saved.error(), &text);
  return web::see_other(staff_base(*a.body) + "?salvato=1");
}

ItemForm form_of(const http::Params& f) {
  ItemForm i;
  i.kind = web::form_field(f, "kind");
  i.name = web::form_field(f, "name");
  i.description_it = web::form_field(f, "description_it");
  i.description_en = web::form_field(f, "description_en");
  i.category = web::form_field(f, "category");
  i.address = web::form_field(f, "address");
  i.latitude = web::form_field(f, "latitude");
  i.longitude = web::form_field(f, "longitude");
  i.opening_hours = web::form_field(f, "opening_hours");
  i.starts_on = web::form_field(f, "starts_on");
  i.ends_on = web::form_field(f, "ends_on");
  i.image_alt = web::form_field(f, "image_alt");
  return i;
}

ItemForm form_of(const Item& i) {
  return ItemForm{std::string(to_string(i.kind)),
                  i.name,
                  i.description_it,
                  i.description_en,
                  i.category,
                  i.address,
                  coordinate_text(i.latitude),
                  coordinate_text(i.longitude),
                  i.opening_hours,
                  i.starts_on,
                  i.ends_on,
                  i.image_alt};
}

Data history_data(WebDeps& d, std::string_view lang, const std::vector<HistoryEntry>& h) {
  Data list = web::list();
  for (const auto& e : h) {
    Data x;
    x.set("when", time::it_datetime_text(e.at));
    x.set("what", d.view.t(lang, "ui.tour_action_" + std::string(to_string(e.action))));
    x.set("who", d.names ? d.names->name("staff:" + e.actor, lang) : e.actor);
    x.set("state", d.view.t(lang, "ui.tour_state_" + std::string(to_string(e.to))));
    if (!e.reason.empty()) x.set("reason", e.reason);
    list.push_back(x);
  }
  return list;
}

void set_form_values(WebDeps& d, std::string_view lang, web::Page& page, const ItemForm& f) {
  auto& x = page.data;
  x.set("v_kind", f.kind);
  x.set("is_event", f.kind == "event");
  x.set("v_name", f.name);
  x.set("v_description_it", f.description_it);
  x.set("v_description_en", f.description_en);
  x.set("v_address", f.address);
  x.set("v_latitude", f.latitude);
  x.set("v_longitude", f.longitude);
  x.set("v_opening_hours", f.opening_hours);
  x.set("v_starts_on", f.starts_on);
  x.set("v_ends_on", f.ends_on);
  x.set("v_image_alt", f.image_alt);
  Data cats = web::list();
  for (auto c : kCategories) {
    Data o;
    o.set("code", std::string(c));
    o.set("name", category_name(d, lang, std::string(c)));
    o.set("selected", f.category == c);
    cats.push_back(o);
  }
  x.set("categories", cats);
}

http::Response edit_page(WebDeps& d, http::Request& req, const StaffCall& a, const Item* item,
                         const ItemForm& f, const Error* error) {
  const auto& lang = req.ctx.locale;
  const std::string title =
      item ? item->name : d.view.t(lang, f.kind == "event" ? "ui.tour_new_event" : "ui.tour_new_poi");
  auto page = staff_page(d, req, a, "tourism_staff_edit", title, true);
  set_form_values(d, lang, page, f);
  if (item) {
    page.data.set("action", staff_base(*a.body) + "/" + item->id);
    page.data.set("submit_action", staff_base(*a.body) + "/" + item->id + "/invia");
    page.data.set("version", std::to_string(item->version));
    page.data.set("state_name", d.view.t(lang, "ui.tour_state_" + std::string(to_string(item->state))));
    page.data.set("can_submit", next_state(item->state, Action::submit).has_value());
    page.data.set("can_edit", next_state(item->state, Action::save).has_value());
    page.data.set("is_published", item->state == State::published);
    if (item->state == State::published) page.data.set("public_href", item_href(a.body->slug, *item));
    if (!item->image_file_id.empty()) {
      page.data.set("has_image", true);
      page.data.set("image_src", staff_base(*a.body) + "/" + item->id + "/immagine/" + item->image_file_id);
    }
    auto h = d.tourism.history(a.who, a.body->id, item->id);
    if (h) page.data.set("history", history_data(d, lang, *h));
  } else {
    page.data.set("action", staff_base(*a.body) + "/nuovo");
    page.data.set("version", std::string("0"));
    page.data.set("can_edit", true);
  }
  const auto done = req.query_param("fatto");
  if (done == "salvato") page.data.set("notice", d.view.t(lang, "ui.tour_saved"));
  if (done == "inviato") page.data.set("notice", d.view.t(lang, "ui.tour_submitted"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response new_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  ItemForm f;
  f.kind = req.query_param("tipo") == "event" ? "event" : "poi";
  f.category = "culture";
  return edit_page(d, req, a, nullptr, f, nullptr);
}

// The editing form, urlencoded or multipart (with its picture; the browser's file name is not read).
std::optional<std::pair<http::Params, ItemForm>> posted_item(const http::Request& req) {
  http::Params fields;
  std::string image;
  const auto* type = req.header("content-type");
  if (type && http::is_multipart_form(*type)) {
    auto parts = req.multipart();
    if (!parts) return std::nullopt;
    fields = parts->fields();
    for (const auto* f : parts->files("image")) image = f->data;
  } else {
    auto form = req.form();
    if (!form) return std::nullopt;
    fields = std::move(*form);
  }
  ItemForm f = form_of(fields);
  f.image_bytes = std::move(image);
  f.remove_image = web::form_field(fields, "remove_image") == "1";
  return std::make_pair(std::move(fields), std::move(f));
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto posted = posted_item(req);
  if (!posted) return d.view.error_page(req, 400);
  auto* form = &posted->first;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto& f = posted->second;
  auto saved = d.tourism.save(a.who, a.body->id, "", f);
  if (!saved) return edit_page(d, req, a, nullptr, f, &saved.error());
  return web::see_other(staff_base(*a.body) + "/" + saved->id + "?fatto=salvato");
}

http::Response item_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto item = d.tourism.item(a.who, a.body->id, req.param("id"));
  if (!item) return d.view.error_page(req, item.error().http_status);
  return edit_page(d, req, a, &*item, form_of(*item), nullptr);
}

std::int64_t version_of(const http::Params& f) {
  return text::parse_decimal(web::form_field(f, "version")).value_or(-1);
}

http::Response item_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto posted = posted_item(req);
  if (!posted) return d.view.error_page(req, 400);
  auto* form = &posted->first;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto item = d.tourism.item(a.who, a.body->id, req.param("id"));
  if (!item) return d.view.error_page(req, item.error().http_status);
  const auto& f = posted->second;
  auto saved = d.tourism.save(a.who, a.body->id, item->id, f, version_of(*form));
  if (!saved) return edit_page(d, req, a, &*item, f, &saved.error());
  return web::see_other(staff_base(*a.body) + "/" + item->id + "?fatto=salvato");
}

http::Response submit_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto item = d.tourism.item(a.who, a.body->id, req.param("id"));
  if (!item) return d.view.error_page(req, item.error().http_status);
  auto st = d.tourism.submit(a.who, a.body->id, item->id, version_of(*form));
  if (!st) return edit_page(d, req, a, &*item, form_of(*item), &st.error());
  return web::see_other(staff_base(*a.body) + "/" + item->id + "?fatto=inviato");
}

// --- the hub's editors ---------------------------------------------------------------------------

http::Response review_page(WebDeps& d, http::Request& req, const StaffCall& a, const Error* error,
                           const std::string& error_item, const std::string& typed_reason) {
  const auto& lang = req.ctx.locale;
  auto queue = d.tourism.review_queue(a.who);
  if (!queue) return d.view.error_page(req, queue.error().http_status);
  web::Page page;
  page.template_name = "tourism_review";
  page.title = d.view.t(lang, "ui.tour_review_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"}, {page.title, ""}};
  page.data.set("title", page.title);
  page.data.set("csrf", a.who->csrf_token);
  Data list = web::list();
  for (const auto& i : *queue) {
    auto b = d.tenants.by_id(i.tenant_id);
    if (!b) continue;
    Data x = item_data(d, lang, i, b->name, b->slug);
    x.set("action", std::string(kReviewPath) + "/" + b->slug + "/" + i.id);
    if (!i.image_file_id.empty())
      x.set("image_src",
            std::string(kReviewPath) + "/" + b->slug + "/" + i.id + "/immagine/" + i.image_file_id);
    x.set("version", std::to_string(i.version));
    x.set("description_it", paragraphs(i.description_it));
    if (!i.description_en.empty()) {
      x.set("description_en", paragraphs(i.description_en));
      x.set("has_en", true);
    }
    if (auto h = d.tourism.history(a.who, i.tenant_id, i.id)) x.set("history", history_data(d, lang, *h));
    if (error && error_item == i.id) {
      x.set("error", d.view.i18n().message(lang, *error));
      x.set("reason", typed_reason);
    }
    list.push_back(x);
  }
  page.data.set("items", list);
  page.data.set("empty", queue->empty());
  const auto done = req.query_param("fatto");
  if (done == "pubblicato") page.data.set("notice", d.view.t(lang, "ui.tour_published"));
  if (done == "restituito") page.data.set("notice", d.view.t(lang, "ui.tour_returned"));
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response review_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return review_page(d, req, a, nullptr, {}, {});
}

http::Response review_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  const std::string id = req.param("id");
  const auto decision = web::form_field(*form, "decision");
  const auto reason = web::form_field(*form, "reason");
  Status st = decision == "publish"  ? d.tourism.publish(a.who, body->id, id, version_of(*form))
              : decision == "return" ? d.tourism.send_back(a.who, body->id, id, version_of(*form), reason)
                                     : Status(Error::for_field("tourism.decision", "decision"));
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return review_page(d, req, a, &st.error(), id, reason);
  }
  return web::see_other(std::string(kReviewPath) +
                        "?fatto=" + (decision == "publish" ? "pubblicato" : "restituito"));
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/turismo", [&d](http::Request& r) { return public_list(d, r, nullptr); });
  router.get("/turismo/feed.json", [&d](http::Request& r) { return feed_json(d, r, nullptr); });
  router.get("/turismo/feed.atom", [&d](http::Request& r) { return feed_atom(d, r, nullptr); });
  auto with_body = [&d](http::Response (*fn)(WebDeps&, http::Request&, const tenants::Body*)) {
    return [&d, fn](http::Request& r) {
      auto body = d.tenants.by_slug(r.param("slug"));
      if (!body || !body->active) return d.view.error_page(r, 404);
      return fn(d, r, body.get());
    };
  };
  router.get("/{slug}/turismo", with_body(public_list));
  router.get("/{slug}/turismo/feed.json", with_body(feed_json));
  router.get("/{slug}/turismo/feed.atom", with_body(feed_atom));
  router.get("/{slug}/turismo/widget", [&d](http::Request& r) { return widget(d, r); });
  router.get("/{slug}/turismo/widget.html", [&d](http::Request& r) { return snippet(d, r); });
  router.get("/{slug}/turismo/{id}", [&d](http::Request& r) { return public_item(d, r); });
  router.get("/{slug}/turismo/{id}/immagine/{file}", [&d](http::Request& r) { return public_image(d, r); });

  router.get("/backoffice/{slug}/turismo", staff_route(d, Permission::backoffice, staff_list_get));
  router.get("/backoffice/{slug}/turismo/nuovo", staff_route(d, Permission::backoffice, new_get));
  router.post("/backoffice/{slug}/turismo/nuovo", staff_route(d, Permission::backoffice, new_post));
  router.get("/backoffice/{slug}/turismo/{id}", staff_route(d, Permission::backoffice, item_get));
  router.post("/backoffice/{slug}/turismo/{id}", staff_route(d, Permission::backoffice, item_post));
  router.post("/backoffice/{slug}/turismo/{id}/invia", staff_route(d, Permission::backoffice, submit_post));
  router.get("/backoffice/{slug}/turismo/{id}/immagine/{file}",
             staff_route(
                 d, Permission::backoffice, +[](WebDeps& dd, http::Request& r, const StaffCall& a) {
                   return staff_image(dd, r, a.who, *a.body);
                 }));
  router.get(std::string(kReviewPath) + "/{slug}/{id}/immagine/{file}",
             hub_staff_route(
                 d, Permission::review_tourism, +[](WebDeps& dd, http::Request& r, const StaffCall& a) {
                   auto body = dd.tenants.by_slug(r.param("slug"));
                   if (!body) return dd.view.error_page(r, 404);
                   return staff_image(dd, r, a.who, *body);
                 }));
  router.post("/backoffice/{slug}/turismo-widget", staff_route(d, Permission::manage_staff, origins_post));
  router.get(kReviewPath, hub_staff_route(d, Permission::review_tourism, review_get));
  router.post(std::string(kReviewPath) + "/{slug}/{id}",
              hub_staff_route(d, Permission::review_tourism, review_post));
}

}  // namespace sp::tourism
