// The API channel of online applications (issue 19): a body's own systems and the intermediaries it
// gives an API key to (CAF, patronati) submit an application for a named citizen, and read its state.
//   POST /api/v1/backoffice/{slug}/applications        scope applications:write, header Idempotency-Key
//   GET  /api/v1/backoffice/{slug}/applications/{id}   scope applications:read (only the key's own)
// The body (docs/openapi.yaml, "ApiApplication"):
//   {"service": "accesso-atti",
//    "citizen": {"fiscal_code": "...", "given_name": "...", "family_name": "...", "birth_date": "YYYY-MM-DD",
//                "birth_place": "...", "email": "...", "mobile": "..."},
//    "answers": {"acting_as": "interessato", "applicant_residence": {"street": "...", ...},
//                "children": [{"given_name": "..."}], "diets": ["a", "b"], "counterparties_known": false}}
// The answers are flattened into the portal's input names ("applicant_residence.street",
// "children[0].given_name", "diets" repeated; true/false as yes/no) and read as the portal reads a post.
#include <boost/json.hpp>

#include "applications/web.hpp"
#include "forms/validation.hpp"
#include "identity/guards.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::applications {
namespace {

namespace json = boost::json;
using identity::api_route;
using identity::ApiCall;
using web::json_error;
using web::json_response;
using web::str_or_null;

constexpr int kMaxDepth = 4;

std::string str_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// One answer into the portal's input names; false when the shape is deeper than any form's.
bool flatten(const json::value& v, const std::string& name, forms::FormPairs& out, int depth) {
  if (depth > kMaxDepth) return false;
  switch (v.kind()) {
    case json::kind::string:
      out.emplace(name, std::string(v.get_string()));
      return true;
    case json::kind::bool_:
      out.emplace(name, v.get_bool() ? "yes" : "no");
      return true;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out.emplace(name, json::serialize(v));
      return true;
    case json::kind::null:
      return true;
    case json::kind::object:
      for (const auto& [k, child] : v.get_object()) {
        const std::string key(k);
        if (!flatten(child, name.empty() ? key : name + "." + key, out, depth + 1)) return false;
      }
      return true;
    case json::kind::array: {
      const auto& items = v.get_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        const bool item = items[i].is_object();
        if (!flatten(items[i], item ? name + "[" + std::to_string(i) + "]" : name, out, depth + 1))
          return false;
      }
      return true;
    }
  }
  return false;
}

json::object state_json(const tenants::Body& body, const ApiApplicationState& s) {
  return {{"id", s.case_id},
          {"service", s.service_code},
          {"channel", "api"},
          {"state", s.state},
          {"protocol", s.protocol_label},
          {"segnatura", str_or_null(s.segnatura)},
          {"submitted_at", s.submitted_at},
          {"due_date", s.due_date},
          {"decided_at", str_or_null(s.decided_at)},
          {"href", "/api/v1/backoffice/" + body.slug + "/applications/" + s.case_id}};
}

Error bad(const std::string& code, const std::string& field) {
  return Error::for_field(code, field);
}

http::Response submit_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  const auto& o = v.as_object();
  ApiApplication in;
  in.service_code = str_member(o, "service");
  if (in.service_code.empty()) return json_error(d.view, req, bad("applications.unavailable", "service"));
  const auto* citizen = o.if_contains("citizen");
  if (!citizen || !citizen->is_object())
    return json_error(d.view, req, bad("applications.citizen", "fiscal_code"));
  const auto& c = citizen->as_object();
  in.citizen.fiscal_code = str_member(c, "fiscal_code");
  in.citizen.given_name = str_member(c, "given_name");
  in.citizen.family_name = str_member(c, "family_name");
  in.citizen.birth_date = str_member(c, "birth_date");
  in.citizen.birth_place = str_member(c, "birth_place");
  in.citizen.email = str_member(c, "email");
  in.citizen.mobile = str_member(c, "mobile");
  if (const auto* answers = o.if_contains("answers")) {
    if (!answers->is_object() || !flatten(*answers, "", in.fields, 0))
      return json_error(d.view, req, bad("api.json", "answers"));
  }
  if (const std::string* key = req.header("idempotency-key")) in.idempotency_key = *key;

  auto done = d.applications.submit_api(a.key->key_id, a.body->id, in);
  if (!done) return json_error(d.view, req, done.error());
  if (!done->sent) {
    // 422 with every problem: the input's name (as the portal's), its code and the sentence the portal
    // would show, in the request's language. The envelope names the first.
    Error e = Error::make("applications.invalid", 422);
    if (!done->issues.empty()) e.field = done->issues.front().path;
    auto r = json_error(d.view, req, e);
    json::array issues;
    for (const auto& i : done->issues)
      issues.push_back(json::object{{"field", i.path},
                                    {"code", i.code},
                                    {"message", forms::message(d.view.i18n(), req.ctx.locale, i)}});
    json::error_code pec;
    auto body = json::parse(r.body, pec);
    if (!pec && body.is_object()) {
      body.as_object()["issues"] = std::move(issues);
      r.body = json::serialize(body);
    }
    return r;
  }
  auto r = json_response(state_json(*a.body, *done->sent), done->sent->replayed ? 200 : 201);
  r.header("Location", "/api/v1/backoffice/" + a.body->slug + "/applications/" + done->sent->case_id);
  return r;
}

http::Response state_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto s = d.applications.api_state(a.key->key_id, a.body->id, req.param("id"));
  if (!s) return json_error(d.view, req, s.error());
  return json_response(state_json(*a.body, *s));
}

}  // namespace

void register_api(http::Router& router, WebDeps& d) {
  const std::string b = "/api/v1/backoffice/{slug}/applications";
  router.post(b, api_route(d, "applications:write", submit_post));
  router.get(b + "/{id}", api_route(d, "applications:read", state_get));
}

}  // namespace sp::applications
