// Public catalog pages. Handlers are thin: they read the request, call CatalogService/TenantService and
// fill a view model; rendered pages that depend only on the catalog are cached by catalog version.
#include "catalog/web.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "core/money.hpp"
#include "core/text.hpp"
#include "core/text_numbers.hpp"
#include "identity/applicant.hpp"
#include "identity/model.hpp"
#include "identity/request.hpp"

namespace sp::catalog {
namespace {

using web::Data;

std::string level_label(const web::View& v, std::string_view lang, int level) {
  return v.t(lang, "ui.level_" + std::to_string(level));
}

std::string audience_label(const web::View& v, std::string_view lang, Audience a) {
  return v.t(lang, a == Audience::businesses ? "ui.audience_businesses" : "ui.audience_citizens");
}

std::string fee_text(const web::View& v, std::string_view lang, const Service& s) {
  if (!s.fee_cents) return s.fee_note.empty() ? v.t(lang, "ui.free") : v.t(lang, "ui.fee_variable");
  if (*s.fee_cents == 0) return v.t(lang, "ui.free");
  return money::format(*s.fee_cents, lang);
}

// The audience filter as it appears in URLs (Italian words, since the URLs are Italian).
std::optional<Audience> audience_param(const http::Request& req) {
  auto p = req.query_param("pubblico");
  if (p == "cittadini") return Audience::citizens;
  if (p == "imprese") return Audience::businesses;
  return std::nullopt;
}

std::string_view audience_param_value(std::optional<Audience> a) {
  if (!a) return "";
  return *a == Audience::businesses ? "imprese" : "cittadini";
}

// What the hub can really do for a service today: an online application where it has the service's
// form (payments through pagoPA come with their own module, so "online with payment" is an online
// application whose fee is paid as the office says); otherwise information on how to apply now.
// Nothing is a downloadable form: the hub has no forms to download yet.
int available_level(const web::Services& s, const Service& sv) {
  return sv.level >= online_application && s.online_form && s.online_form(sv.code) ? online_application
                                                                                   : information;
}

Data service_card(const web::Services& s, std::string_view lang, const std::string& slug, const Service& sv) {
  const web::View& v = s.view;
  Data d;
  d.set("href", "/" + slug + "/servizi/" + sv.code);
  d.set("title", sv.title.in(lang));
  d.set("summary", sv.summary.in(lang));
  d.set("level_label", level_label(v, lang, available_level(s, sv)));
  d.set("audience_label", audience_label(v, lang, sv.audience));
  if (sv.fee_cents && *sv.fee_cents > 0) d.set("fee", money::format(*sv.fee_cents, lang));
  return d;
}

http::Response not_found(web::Services& s, const http::Request& req) {
  return s.view.error_page(req, 404);
}

std::string body_facts(const web::View& v, std::string_view lang, const tenants::Body& b) {
  std::vector<std::string> parts;
  parts.push_back(v.t(lang, "ui.kind." + std::string(tenants::to_string(b.kind))));
  if (!b.province.empty()) parts.push_back(b.province);
  if (!b.region.empty()) parts.push_back(b.region);
  if (b.population > 0) {
    parts.push_back(
        v.i18n().format(lang, "ui.population", {{"count", text::group_digits(b.population, lang)}}));
  }
  if (!b.istat_code.empty())
    parts.push_back(v.i18n().format(lang, "ui.istat_code", {{"code", b.istat_code}}));
  return text::join(parts, " · ");
}

// Region scale (issue 20): a hub of 200 bodies must not send a 200-card page to a phone, nor rebuild it
// for every visitor. The list is paged, and each page of the unfiltered list is cached by directory and
// catalog version (it is the same for everyone; the layout of public pages carries nothing personal).
constexpr std::size_t kBodiesPerPage = 48;
constexpr std::size_t kHitsPerPage = 20;
constexpr std::size_t kBodiesPerHit = 12;

std::size_t page_number(const http::Request& req) {
  auto n = text::parse_decimal(req.query_param("pagina")).value_or(1);
  return n < 1 ? 1 : static_cast<std::size_t>(std::min<std::int64_t>(n, 100'000));
}

// "Pagina 2 di 5" with the previous and next links (templates/_pager.mustache); nothing for one page.
void set_pager(const web::View& v, std::string_view lang, Data& data, std::size_t page_no, std::size_t pages,
               const std::function<std::string(std::size_t)>& href) {
  if (pages <= 1) return;
  Data pager;
  pager.set("label", web::ui(v, lang, "ui.page_of",
                             {{"page", std::to_string(page_no)}, {"pages", std::to_string(pages)}}));
  if (page_no > 1) pager.set("prev_href", href(page_no - 1));
  if (page_no < pages) pager.set("next_href", href(page_no + 1));
  data.set("pager", pager);
}

template <typename T>
std::pair<std::size_t, std::size_t> page_slice(const std::vector<T>& all, std::size_t& page_no,
                                               std::size_t per_page, std::size_t& pages) {
  pages = std::max<std::size_t>(1, (all.size() + per_page - 1) / per_page);
  page_no = std::min(page_no, pages);
  const std::size_t begin = (page_no - 1) * per_page;
  return {begin, std::min(all.size(), begin + per_page)};
}

http::Response hub_home(web::Services& s, http::Request& req) {
  const auto& lang = req.ctx.locale;
  const auto query = text::trim(req.query_param("q"));
  auto page_no = page_number(req);
  auto snapshot = s.tenants.snapshot();
  auto bodies = s.tenants.search(query);  // in memory
  std::size_t pages = 1;
  const auto [begin, end] = page_slice(bodies, page_no, kBodiesPerPage, pages);  // clamps page_no
  const auto key = query.empty() ? fmt::format("hub_home|{}|{}|{}|{}", lang, page_no, s.catalog.version(),
                                               snapshot->version)
                                 : std::string();
  if (!key.empty()) {
    if (auto cached = s.cache.get(key)) return web::page_response(*cached);
  }
  const auto counts = s.catalog.activation_counts();

  web::Page page;
  page.template_name = "hub_home";
  page.title = s.view.t(lang, "ui.hub_title");
  if (!snapshot->hubs.empty()) {
    const auto& hub = snapshot->hubs.front();
    page.data.set("hub_description",
                  lang == "en" && !hub.description_en.empty() ? hub.description_en : hub.description_it);
  }
  page.data.set("query", query);
  Data list = web::list();
  for (std::size_t i = begin; i < end; ++i) {
    const auto& b = bodies[i];
    Data d;
    d.set("slug", b->slug);
    d.set("name", b->name);
    d.set("kind_label", s.view.t(lang, "ui.kind." + std::string(tenants::to_string(b->kind))));
    d.set("province", b->province);
    d.set("region", b->region);
    auto it = counts.find(b->id);
    d.set("services_count_text",
          web::ui_count(s.view, lang, "ui.services_count", it == counts.end() ? 0 : it->second));
    list.push_back(d);
  }
  if (!bodies.empty()) page.data.set("bodies", list);
  page.data.set("bodies_count_text",
                query.empty()
                    ? web::ui_count(s.view, lang, "ui.bodies_count", bodies.size())
                    : web::ui_count(s.view, lang, "ui.bodies_found", bodies.size(), {{"query", query}}));
  set_pager(s.view, lang, page.data, page_no, pages, [&](std::size_t n) {
    return "/?" + (query.empty() ? std::string() : "q=" + text::percent_encode(query) + "&") +
           "pagina=" + std::to_string(n);
  });
  auto html = std::make_shared<const std::string>(s.view.render(req, page));
  if (!key.empty()) s.cache.put(key, html);
  return web::page_response(*html);
}

http::Response body_home(web::Services& s, http::Request& req) {
  auto body = s.tenants.by_id(req.ctx.tenant_id);
  if (!body) return not_found(s, req);
  const auto& lang = req.ctx.locale;
  auto audience = audience_param(req);
  // The page depends only on the body, the language, the filter and the catalog: cache it.
  auto key = fmt::format("body_home|{}|{}|{}|{}|{}", body->id, lang, audience ? int(*audience) : -1,
                         s.catalog.version(), s.tenants.snapshot()->version);
  if (auto cached = s.cache.get(key)) return web::page_response(*cached);

  web::Page page;
  page.template_name = "body_home";
  page.title = body->name;
  page.body_slug = body->slug;
  page.body_name = body->name;
  page.description = body->description(lang);
  page.breadcrumb = {{s.view.t(lang, "ui.home"), "/"}, {body->name, ""}};
  page.data.set("body_name", body->name);
  page.data.set("body_description", body->description(lang));
  page.data.set("body_facts", body_facts(s.view, lang, *body));
  page.data.set("albo_href", "/" + body->slug + "/albo");  // the online notice board (L. 69/2009 art. 32)
  page.data.set("tourism_href", "/" + body->slug + "/turismo");  // places and events (docs/tourism.md)

  Data links = web::list();
  const std::pair<const char*, std::optional<Audience>> filters[] = {
      {"ui.audience_all", std::nullopt},
      {"ui.audience_citizens", Audience::citizens},
      {"ui.audience_businesses", Audience::businesses}};
  for (const auto& [label, value] : filters) {
    Data l;
    l.set("label", s.view.t(lang, label));
    std::string href = "/" + body->slug + "/";
    if (value) href += *value == Audience::citizens ? "?pubblico=cittadini" : "?pubblico=imprese";
    l.set("href", href);
    l.set("active", value == audience);
    links.push_back(l);
  }
  page.data.set("audience_links", links);

  Data groups = web::list();
  auto catalog = s.catalog.body_catalog(body->id, audience);
  for (const auto& g : catalog) {
    Data gd;
    gd.set("code", g.event.code);
    gd.set("title", g.event.title.in(lang));
    gd.set("description", g.event.description.in(lang));
    Data cards = web::list();
    for (const auto& o : g.offerings) cards.push_back(service_card(s, lang, body->slug, o.service));
    gd.set("services", cards);
    groups.push_back(gd);
  }
  if (!catalog.empty()) page.data.set("groups", groups);

  auto html = std::make_shared<const std::string>(s.view.render(req, page));
  s.cache.put(key, html);
  return web::page_response(*html);
}

http::Response service_page(web::Services& s, http::Request& req) {
  auto body = s.tenants.by_id(req.ctx.tenant_id);
  if (!body) return not_found(s, req);
  const auto& lang = req.ctx.locale;
  auto offering = s.catalog.offering(body->id, req.param("code"));
  if (!offering) return not_found(s, req);
  const Service& sv = offering->service;

  std::string life_event_title;
  for (const auto& e : s.catalog.life_events()) {
    if (e.code == sv.life_event) life_event_title = e.title.in(lang);
  }

  web::Page page;
  page.template_name = "service";
  page.title = sv.title.in(lang) + " — " + body->name;
  page.body_slug = body->slug;
  page.body_name = body->name;
  page.description = sv.summary.in(lang);
  page.breadcrumb = {
      {s.view.t(lang, "ui.home"), "/"}, {body->name, "/" + body->slug + "/"}, {sv.title.in(lang), ""}};
  auto& d = page.data;
  d.set("title", sv.title.in(lang));
  d.set("summary", sv.summary.in(lang));
  d.set("description", sv.description.in(lang));
  const int level = available_level(s, sv);
  d.set("level_label", level_label(s.view, lang, level));
  d.set("audience_label", audience_label(s.view, lang, sv.audience));
  d.set("life_event_title", life_event_title);
  if (level == information && sv.level > information) {
    // Listed as online, not online yet: say how to apply now, at the office or by PEC.
    d.set("how_to", web::ui(s.view, lang, "ui.how_to_not_yet", {{"office", sv.office.in(lang)}}));
    d.set("contacts_href", "/" + body->slug + "/contatti");
  } else {
    d.set("how_to", s.view.t(lang, "ui.how_to_" + std::to_string(level)));
  }
  // Online services need a sign-in at the service's SPID level; a lower level signs in again (step-up).
  if (level >= online_application && sv.spid_level > 0) {
    const auto* who = identity::principal_of(req);
    const bool person = who && who->kind == identity::PrincipalKind::person;
    if (identity::applies_at_counter(who)) {  // the assisted counter files for the citizen served
      d.set("signed_in_text", web::ui(s.view, lang, "ui.app_assisting_banner",
                                      {{"name", who->assisting->name}, {"cf", who->assisting->fiscal_code}}));
      d.set("apply_href", "/" + body->slug + "/servizi/" + sv.code + "/domanda");
    } else if (person && who->auth_level >= sv.spid_level) {
      d.set("signed_in_text",
            web::ui(s.view, lang, "ui.service_signed_in",
                    {{"name", who->display_name}, {"level", std::to_string(who->auth_level)}}));
      d.set("apply_href", "/" + body->slug + "/servizi/" + sv.code + "/domanda");
    } else {
      d.set("sign_in_href", "/accedi?livello=" + std::to_string(sv.spid_level) + "&next=/" + body->slug +
                                "/servizi/" + sv.code);
      d.set("sign_in_label", s.view.t(lang, person ? "ui.service_sign_in_again" : "ui.service_sign_in"));
    }
  }
  if (level >= online_application && sv.spid_level > 0) {
    d.set("spid_needed", true);
    d.set("spid_text", web::ui(s.view, lang, "ui.spid_required", {{"level", std::to_string(sv.spid_level)}}));
  }
  Data docs = web::list();
  for (const auto& doc : sv.documents(lang)) docs.push_back(Data(doc));
  d.set("documents", docs);
  d.set("has_documents", !sv.documents(lang).empty());
  d.set("fee_text", fee_text(s.view, lang, sv));
  if (!sv.fee_note.in(lang).empty()) d.set("fee_note", sv.fee_note.in(lang));
  if (!sv.deadline_days) {
    d.set("deadline_text", s.view.t(lang, "ui.deadline_none"));
  } else if (*sv.deadline_days == 0) {
    d.set("deadline_text", s.view.t(lang, "ui.deadline_immediate"));
  } else {
    d.set("deadline_text",
          web::ui(s.view, lang, "ui.deadline_days", {{"days", std::to_string(*sv.deadline_days)}}));
  }
  d.set("silence_consent", sv.silence_consent);
  d.set("office", sv.office.in(lang));
  if (!body->pec.empty()) d.set("pec", body->pec);
  if (!sv.legal_basis.empty()) d.set("legal_basis", sv.legal_basis);
  if (!offering->notes.in(lang).empty()) d.set("notes", offering->notes.in(lang));
  return web::page_response(s.view.render(req, page));
}

// The hub's service search. At 200 bodies a service is offered by up to 200 of them: a hit names the
// first few and the person picks their body in the filter, which then links each hit straight to that
// body's service page. Hits are paged.
http::Response search_page(web::Services& s, http::Request& req) {
  const auto& lang = req.ctx.locale;
  auto query = text::trim(req.query_param("q"));
  if (query.size() > 200) query.resize(200);
  auto audience = audience_param(req);
  auto chosen = s.tenants.by_slug(req.query_param("ente"));
  if (chosen && !chosen->active) chosen = nullptr;
  // Browsing the whole catalog (no words, no body) is the same page for everyone: cached, keyed like the
  // hub home. Searches with words are not (any query must be fast on its own, not one cached word).
  const auto key = query.empty() && !chosen
                       ? fmt::format("catalog|{}|{}|{}|{}|{}", lang, audience ? int(*audience) : -1,
                                     page_number(req), s.catalog.version(), s.tenants.snapshot()->version)
                       : std::string();
  if (!key.empty()) {
    if (auto cached = s.cache.get(key)) return web::page_response(*cached);
  }
  auto hits = s.catalog.search(query, audience);
  if (chosen) {
    std::erase_if(hits, [&](const SearchHit& h) {
      return std::find(h.offered_by.begin(), h.offered_by.end(), chosen->id) == h.offered_by.end();
    });
  }

  web::Page page;
  page.template_name = "search";
  page.title = s.view.t(lang, "ui.catalog_search_title");
  page.breadcrumb = {{s.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  page.data.set("query", query);
  Data options = web::list();
  const std::pair<const char*, const char*> opts[] = {
      {"", "ui.audience_all"}, {"cittadini", "ui.audience_citizens"}, {"imprese", "ui.audience_businesses"}};
  for (const auto& [value, label] : opts) {
    Data o;
    o.set("value", value);
    o.set("label", s.view.t(lang, label));
    // From the parsed filter, not the raw parameter: a cached page must not depend on its spelling.
    o.set("selected", audience_param_value(audience) == value);
    options.push_back(o);
  }
  page.data.set("audience_options", options);
  Data body_options = web::list();
  for (const auto& b : s.tenants.snapshot()->bodies) {
    if (!b->active) continue;
    Data o;
    o.set("value", b->slug);
    o.set("label", b->name);
    o.set("selected", chosen && chosen->id == b->id);
    body_options.push_back(o);
  }
  page.data.set("body_options", body_options);
  page.data.set("results_text", query.empty() ? web::ui_count(s.view, lang, "ui.results_count", hits.size())
                                              : web::ui_count(s.view, lang, "ui.results_count_query",
                                                              hits.size(), {{"query", query}}));
  std::size_t page_no = page_number(req), pages = 1;
  const auto [begin, end] = page_slice(hits, page_no, kHitsPerPage, pages);
  Data list = web::list();
  for (std::size_t i = begin; i < end; ++i) {
    const auto& h = hits[i];
    Data d;
    d.set("title", h.service.title.in(lang));
    d.set("summary", h.service.summary.in(lang));
    d.set("audience_label", audience_label(s.view, lang, h.service.audience));
    if (chosen) {
      d.set("chosen_href", "/" + chosen->slug + "/servizi/" + h.service.code);
      d.set("chosen_text", web::ui(s.view, lang, "ui.service_at_body", {{"body", chosen->name}}));
      list.push_back(d);
      continue;
    }
    std::vector<std::shared_ptr<const tenants::Body>> offering;
    for (auto id : h.offered_by) {
      auto b = s.tenants.by_id(id);
      if (b && b->active) offering.push_back(b);
    }
    std::sort(offering.begin(), offering.end(),
              [](const auto& a, const auto& b) { return a->name < b->name; });
    Data bodies = web::list();
    for (std::size_t k = 0; k < offering.size() && k < kBodiesPerHit; ++k) {
      Data bd;
      bd.set("slug", offering[k]->slug);
      bd.set("name", offering[k]->name);
      bd.set("code", h.service.code);
      bodies.push_back(bd);
    }
    d.set("bodies", bodies);
    d.set("has_bodies", !offering.empty());
    d.set("offered_by_text", web::ui_count(s.view, lang, "ui.offered_by", offering.size()));
    if (offering.size() > kBodiesPerHit)
      d.set("more_text", web::ui_count(s.view, lang, "ui.offered_by_more", offering.size() - kBodiesPerHit));
    list.push_back(d);
  }
  page.data.set("hits", list);
  set_pager(s.view, lang, page.data, page_no, pages, [&](std::size_t n) {
    return "/servizi?q=" + text::percent_encode(query) +
           "&pubblico=" + std::string(audience_param_value(audience)) +
           (chosen ? "&ente=" + text::percent_encode(chosen->slug) : std::string()) +
           "&pagina=" + std::to_string(n);
  });
  auto html = std::make_shared<const std::string>(s.view.render(req, page));
  if (!key.empty() && page_no == page_number(req)) s.cache.put(key, html);  // not past the last page
  return web::page_response(*html);
}

}  // namespace

void register_pages(http::Router& router, web::Services& s) {
  router.get("/", [&s](http::Request& r) { return hub_home(s, r); });
  router.get("/servizi", [&s](http::Request& r) { return search_page(s, r); });
  router.get("/{slug}/", [&s](http::Request& r) { return body_home(s, r); });
  router.get("/{slug}", [&s](http::Request& r) {
    // Only known bodies redirect: an arbitrary segment must not become a redirect target.
    auto body = s.tenants.by_id(r.ctx.tenant_id);
    if (!body) return not_found(s, r);
    return http::Response::redirect("/" + body->slug + "/", 301);
  });
  router.get("/{slug}/servizi/{code}", [&s](http::Request& r) { return service_page(s, r); });
}

}  // namespace sp::catalog
