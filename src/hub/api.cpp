// POST /api/v1/hub/bodies: onboarding by program (docs/hub.md, docs/openapi.yaml). The caller is a hub
// API key (tenant 0) with the scope hub:write; the body is one body's JSON, an array of them, or
// {"bodies": [...]} (a union's members at once, all or nothing: all checked before any is made, then all
// made in one transaction; a body that fails while being made undoes the request: 503 hub.not_made with
// its index, nothing made).
#include <boost/json.hpp>

#include "hub/web.hpp"
#include "identity/audit_entry.hpp"
#include "identity/request.hpp"
#include "web/json.hpp"

namespace sp::hub {
namespace {

namespace json = boost::json;

http::Response add_bodies(WebDeps& d, http::Request& req) {
  const auto* key = identity::api_key_of(req);
  if (key == nullptr) return web::json_error(d.view, req, Error::make("auth.required", 401));
  if (key->tenant_id != 0 || !key->has_scope("hub:write"))
    return web::json_error(d.view, req, Error::forbidden("hub:write"));
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !(v.is_object() || v.is_array()))
    return web::json_error(d.view, req, Error::make("api.json", 400));
  const json::array* items = nullptr;
  json::array single;
  if (v.is_array()) {
    items = &v.as_array();
  } else if (auto* b = v.as_object().if_contains("bodies"); b && b->is_array()) {
    items = &b->as_array();
  } else {
    single.push_back(v);
    items = &single;
  }
  if (items->empty() || items->size() > 500)
    return web::json_error(d.view, req, Error::make("api.json", 400));
  std::vector<NewBody> bodies;
  for (const auto& item : *items) {
    if (!item.is_object()) return web::json_error(d.view, req, Error::make("api.json", 400));
    bodies.push_back(OnboardingService::from_json(item.as_object()));
  }
  std::vector<BulkError> errors;
  std::vector<Onboarded> done;
  auto made = d.onboarding.add_all(identity::SystemActor{"api-key:" + key->key_id}, bodies, errors, done);
  auto listed = [&](const std::vector<Onboarded>& list) {
    json::array out;
    for (const auto& m : list)
      out.push_back(json::object{{"id", m.tenant_id},
                                 {"slug", m.slug},
                                 {"portal", d.public_url + "/" + m.slug + "/"},
                                 {"admin_staff_id", m.admin_staff_id}});
    return out;
  };
  if (!made) {
    auto r = web::json_error(d.view, req, made.error());
    // Which body of the request: the envelope plus its index (and every refused body's).
    boost::system::error_code pec;
    auto env = json::parse(r.body, pec);
    if (!pec && env.is_object()) {
      json::array all;
      for (const auto& e : errors) {
        json::object o{{"index", e.index},
                       {"error", e.error.code},
                       {"message", d.view.i18n().message(req.ctx.locale, e.error)}};
        if (!e.error.field.empty()) o["field"] = e.error.field;
        if (!e.draft.empty()) o["draft"] = e.draft;
        all.push_back(o);
      }
      if (auto* inner = env.as_object().if_contains("error"); inner && inner->is_object() && !errors.empty())
        inner->as_object()["index"] = errors.front().index;
      env.as_object()["errors"] = all;
      // All or nothing: no body was made.
      env.as_object()["bodies"] = listed(done);
      r.body = json::serialize(env);
    }
    return r;
  }
  return web::json_response(json::object{{"bodies", listed(*made)}}, 201);
}

}  // namespace

void register_api(http::Router& router, WebDeps& d) {
  router.post("/api/v1/hub/bodies", [&d](http::Request& r) { return add_bodies(d, r); });
}

}  // namespace sp::hub
