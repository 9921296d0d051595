// The albo's JSON API for a body's other systems (the council's resolution software): an API key of the
// body with albo:read / albo:write; publishing takes an Idempotency-Key (see web.hpp, docs/openapi.yaml).
#include <boost/json.hpp>

#include "albo/web.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "identity/guards.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::albo {
namespace {

namespace json = boost::json;
using identity::actor_of;
using identity::api_route;
using identity::ApiCall;
using web::json_error;
using web::json_response;
using web::str_or_null;

json::object publication_json(WebDeps& d, const tenants::Body& body, const Publication& p) {
  json::array docs;
  for (const auto& doc : p.documents) {
    docs.push_back(json::object{{"role", std::string(to_string(doc.role))},
                                {"file_name", doc.file_name},
                                {"mime_type", doc.mime_type},
                                {"size", doc.size},
                                {"sha256", doc.sha256}});
  }
  const auto phase = p.phase(d.albo.now());
  return {
      {"id", p.id},
      {"year", p.year},
      {"number", p.number},
      {"number_text", format_number(p.number)},
      {"act_type", p.act_type},
      {"issuer", p.issuer.empty() ? body.name : p.issuer},
      {"office", p.office},
      {"responsible", p.responsible},
      {"requester", str_or_null(p.requester)},
      {"subject", p.subject},
      {"act_number", str_or_null(p.act_number)},
      {"act_date", p.act_date ? json::value(time::format_iso_date(*p.act_date)) : json::value(nullptr)},
      {"integral", p.integral},
      {"start_day", time::format_iso_date(p.start_day)},
      {"last_day", time::format_iso_date(p.last_day())},
      {"days", p.days},
      {"extension_days", p.extension_days},
      {"enforceable_on",
       p.enforceable_on() ? json::value(time::format_iso_date(*p.enforceable_on())) : json::value(nullptr)},
      {"forget_on", time::format_iso_date(p.forget_on)},
      {"state", phase == Phase::scheduled  ? "scheduled"
                : phase == Phase::on_board ? "on_board"
                                           : "ended"},
      {"annulled", p.annulled()},
      {"annulment_reason", p.annulment ? json::value(p.annulment->reason) : json::value(nullptr)},
      {"documents", docs},
      {"public_href", "/" + body.slug + "/albo/" + std::to_string(p.year) + "/" + format_number(p.number)}};
}

std::string str_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Error bad(const std::string& code, const std::string& field) {
  Error e = Error::make(code, 400);
  e.field = field;
  return e;
}

http::Response api_publish_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  const auto& o = v.as_object();
  Publishing p;
  auto& n = p.publication;
  n.act_type = str_member(o, "act_type");
  n.issuer = str_member(o, "issuer");
  n.office = str_member(o, "office");
  n.responsible = str_member(o, "responsible");
  n.requester = str_member(o, "requester");
  n.subject = str_member(o, "subject");
  n.act_number = str_member(o, "act_number");
  n.act_date = str_member(o, "act_date");
  n.start_day = str_member(o, "start_day");
  n.forget_on = str_member(o, "forget_on");
  n.channel = Channel::api;
  if (auto* i = o.if_contains("integral"); i && i->is_bool()) n.integral = i->as_bool();
  if (auto* c = o.if_contains("personal_data_confirmed"); c && c->is_bool())
    n.personal_data_confirmed = c->as_bool();
  if (auto* days = o.if_contains("days")) {
    if (!days->is_int64()) return json_error(d.view, req, bad("albo.days", "days"));
    n.days = static_cast<int>(days->as_int64());
  }
  auto* ds = o.if_contains("documents");
  if (!ds || !ds->is_array()) return json_error(d.view, req, bad("albo.documents", "documents"));
  for (const auto& dv : ds->as_array()) {
    if (!dv.is_object()) return json_error(d.view, req, bad("albo.documents", "documents"));
    const auto& doc = dv.as_object();
    auto role = parse_document_role(str_member(doc, "role").empty() ? "act" : str_member(doc, "role"));
    auto bytes = crypto::base64_decode(str_member(doc, "content_base64"));
    if (!role || !bytes) return json_error(d.view, req, bad("albo.documents", "documents"));
    p.documents.push_back({*role, str_member(doc, "file_name"), std::move(*bytes), "documents"});
  }
  if (const std::string* key = req.header("idempotency-key")) {
    p.idempotency_key = *key;
    p.request_sha256 = digest::sha256_hex(req.body);
  }
  auto done = d.albo.publish(actor_of(a), a.body->id, p);
  if (!done) return json_error(d.view, req, done.error());
  if (!done->published) {
    // What looks like personal data in a type that does not allow it: the caller confirms by sending
    // "personal_data_confirmed": true with the same request.
    json::array fs;
    for (const auto& f : done->findings)
      fs.push_back(json::object{{"kind", f.kind}, {"match", f.match}, {"where", f.where}});
    auto r = json_error(d.view, req, Error::make("albo.personal_data", 422));
    json::error_code pec;
    auto body = json::parse(r.body, pec);
    if (!pec && body.is_object()) {
      body.as_object()["findings"] = fs;
      r.body = json::serialize(body);
    }
    return r;
  }
  auto view = d.albo.view(actor_of(a), a.body->id, done->published->id);
  if (!view) return json_error(d.view, req, view.error());
  auto r = json_response(publication_json(d, *a.body, view->publication), done->replayed ? 200 : 201);
  r.header("Location", "/api/v1/backoffice/" + a.body->slug + "/albo/pubblicazioni/" + view->publication.id);
  return r;
}

http::Response api_list_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  BoardQuery q;
  q.act_type = req.query_param("tipo");
  q.text = req.query_param("testo");
  auto found = d.albo.archive(actor_of(a), a.body->id, q);
  if (!found) return json_error(d.view, req, found.error());
  json::array items;
  for (const auto& p : *found) items.push_back(publication_json(d, *a.body, p));
  return json_response(json::object{{"publications", items}, {"count", items.size()}});
}

http::Response api_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto v = d.albo.view(actor_of(a), a.body->id, req.param("id"));
  if (!v) return json_error(d.view, req, v.error());
  return json_response(publication_json(d, *a.body, v->publication));
}

http::Response api_annul_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  const auto id = req.param("id");
  auto st = d.albo.annul(actor_of(a), a.body->id, id, str_member(v.as_object(), "reason"));
  if (!st) return json_error(d.view, req, st.error());
  return api_get(d, req, a);
}

}  // namespace

void register_api(http::Router& router, WebDeps& d) {
  const std::string b = "/api/v1/backoffice/{slug}/albo/pubblicazioni";
  router.get(b, api_route(d, "albo:read", api_list_get));
  router.post(b, api_route(d, "albo:write", api_publish_post));
  router.get(b + "/{id}", api_route(d, "albo:read", api_get));
  router.post(b + "/{id}/annullamento", api_route(d, "albo:write", api_annul_post));
}

}  // namespace sp::albo
