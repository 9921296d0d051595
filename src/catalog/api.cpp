// JSON API for the catalog and the bodies (described in docs/openapi.yaml; a test checks they agree).
// Public information: no tenant wall is crossed, every body's catalog is public by law.
#include <boost/json.hpp>

#include "catalog/web.hpp"
#include "web/json.hpp"

namespace sp::catalog {
namespace {

namespace json = boost::json;

// The catalog is public and changes rarely: browsers and proxies may keep it but must revalidate.
http::Response public_json(const json::value& v) {
  return web::json_response(v, 200, "no-cache");
}

json::object local(const LocalText& t) {
  return {{"it", t.it}, {"en", t.en}};
}

json::object body_json(const tenants::Body& b, int services) {
  return {{"slug", b.slug},
          {"name", b.name},
          {"kind", std::string(tenants::to_string(b.kind))},
          {"istat_code", b.istat_code.empty() ? json::value(nullptr) : json::value(b.istat_code)},
          {"belfiore_code", b.belfiore_code.empty() ? json::value(nullptr) : json::value(b.belfiore_code)},
          {"fiscal_code", b.fiscal_code},
          {"pec", b.pec.empty() ? json::value(nullptr) : json::value(b.pec)},
          {"province", b.province},
          {"region", b.region},
          {"population", b.population},
          {"color_primary", b.color_primary},
          {"services_count", services},
          {"url", "/" + b.slug + "/"}};
}

json::object service_json(const Service& s) {
  json::array docs_it, docs_en;
  for (const auto& d : s.documents_it) docs_it.emplace_back(d);
  for (const auto& d : s.documents_en) docs_en.emplace_back(d);
  return {{"code", s.code},
          {"title", local(s.title)},
          {"summary", local(s.summary)},
          {"description", local(s.description)},
          {"life_event", s.life_event},
          {"area", s.area},
          {"audience", std::string(to_string(s.audience))},
          {"level", s.level},
          {"fee_cents", s.fee_cents ? json::value(*s.fee_cents) : json::value(nullptr)},
          {"fee_note", s.fee_note.empty() ? json::value(nullptr) : json::value(local(s.fee_note))},
          {"deadline_days", s.deadline_days ? json::value(*s.deadline_days) : json::value(nullptr)},
          {"office", local(s.office)},
          {"required_documents", json::object{{"it", docs_it}, {"en", docs_en}}},
          {"spid_level", s.spid_level},
          {"silence_consent", s.silence_consent},
          {"legal_basis", s.legal_basis.empty() ? json::value(nullptr) : json::value(s.legal_basis)}};
}

std::optional<Audience> audience_query(const http::Request& req, bool& bad) {
  auto a = req.query_param("audience");
  bad = false;
  if (a.empty()) return std::nullopt;
  auto parsed = parse_audience(a);
  bad = !parsed;
  return parsed;
}

}  // namespace

void register_api(http::Router& router, web::Services& s) {
  router.get("/api/v1/bodies", [&s](http::Request& req) {
    auto counts = s.catalog.activation_counts();
    json::array out;
    for (const auto& b : s.tenants.search(req.query_param("q"))) out.push_back(body_json(*b, counts[b->id]));
    return public_json(json::object{{"bodies", out}});
  });
  router.get("/api/v1/bodies/{slug}", [&s](http::Request& req) {
    auto b = s.tenants.by_slug(req.param("slug"));
    if (!b || !b->active) return web::json_error(s.view, req, Error::not_found("body " + req.param("slug")));
    auto counts = s.catalog.activation_counts();
    return public_json(body_json(*b, counts[b->id]));
  });
  router.get("/api/v1/bodies/{slug}/services", [&s](http::Request& req) {
    auto b = s.tenants.by_slug(req.param("slug"));
    if (!b || !b->active) return web::json_error(s.view, req, Error::not_found("body " + req.param("slug")));
    bool bad = false;
    auto audience = audience_query(req, bad);
    if (bad)
      return web::json_error(s.view, req, Error::make("catalog.audience", 400, req.query_param("audience")));
    json::array out;
    for (const auto& o : s.catalog.offerings(b->id)) {
      if (audience && o.service.audience != *audience) continue;
      auto j = service_json(o.service);
      j["notes"] = o.notes.empty() ? json::value(nullptr) : json::value(local(o.notes));
      out.push_back(std::move(j));
    }
    return public_json(json::object{{"body", b->slug}, {"services", out}});
  });
  router.get("/api/v1/bodies/{slug}/services/{code}", [&s](http::Request& req) {
    auto b = s.tenants.by_slug(req.param("slug"));
    if (!b || !b->active) return web::json_error(s.view, req, Error::not_found("body " + req.param("slug")));
    auto o = s.catalog.offering(b->id, req.param("code"));
    if (!o) return web::json_error(s.view, req, o.error());
    auto j = service_json(o->service);
    j["notes"] = o->notes.empty() ? json::value(nullptr) : json::value(local(o->notes));
    j["body"] = b->slug;
    return public_json(j);
  });
  router.get("/api/v1/services", [&s](http::Request& req) {
    bool bad = false;
    auto audience = audience_query(req, bad);
    if (bad)
      return web::json_error(s.view, req, Error::make("catalog.audience", 400, req.query_param("audience")));
    json::array out;
    for (const auto& h : s.catalog.search(req.query_param("q"), audience)) {
      auto j = service_json(h.service);
      json::array bodies;
      for (auto id : h.offered_by) {
        if (auto b = s.tenants.by_id(id); b && b->active) bodies.emplace_back(b->slug);
      }
      j["offered_by"] = bodies;
      out.push_back(std::move(j));
    }
    return public_json(json::object{{"services", out}});
  });
  router.get("/api/v1/life-events", [&s](http::Request&) {
    json::array out;
    for (const auto& e : s.catalog.life_events()) {
      out.push_back(json::object{{"code", e.code},
                                 {"position", e.position},
                                 {"title", local(e.title)},
                                 {"description", local(e.description)}});
    }
    return public_json(json::object{{"life_events", out}});
  });
}

}  // namespace sp::catalog
