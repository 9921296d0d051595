// The registry's JSON API for the bodies' other systems (an API key of the body; see web.hpp and
// docs/openapi.yaml). The key's body must be the URL's body, and its scopes protocollo:read /
// protocollo:write decide what it may do; a refusal is audited on the URL's body by the app's hook.
#include <algorithm>
#include <boost/json.hpp>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/text.hpp"
#include "files/mime.hpp"
#include "identity/api_keys.hpp"
#include "identity/guards.hpp"
#include "protocollo/web.hpp"
#include "protocollo/web_support.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::protocollo {
namespace {

namespace json = boost::json;

using identity::actor_of;
using identity::api_route;
using identity::ApiCall;
using web::json_error;
using web::json_response;
using web::str_or_null;

json::object entry_json(const tenants::Body& body, const Entry& e) {
  json::array people;
  for (const auto& c : e.correspondents) {
    people.push_back(json::object{{"kind", to_string(c.kind)},
                                  {"name", c.name},
                                  {"fiscal_code", str_or_null(c.fiscal_code)},
                                  {"pec", str_or_null(c.pec)},
                                  {"email", str_or_null(c.email)},
                                  {"ipa_code", str_or_null(c.ipa_code)},
                                  {"aoo_code", str_or_null(c.aoo_code)}});
  }
  json::array docs;
  const std::string href = "/api/v1/backoffice/" + body.slug + "/protocollo/registrazioni/" + e.id;
  for (const auto& doc : e.documents) {
    docs.push_back(json::object{{"role", std::string(to_string(doc.role))},
                                {"file_name", doc.file_name},
                                {"mime_type", doc.mime_type},
                                {"size", doc.size},
                                {"sha256", doc.sha256},
                                {"declared_mime_type", str_or_null(doc.declared_mime_type)},
                                {"stored", !doc.file_id.empty()}});
  }
  json::value annulment = nullptr;
  if (e.annulment) {
    annulment = json::object{{"at", time::format_iso_utc_millis(e.annulment->at)},
                             {"by", e.annulment->by},
                             {"reason", e.annulment->reason},
                             {"authorisation", e.annulment->authorisation}};
  }
  return {{"id", e.id},
          {"aoo", e.aoo_code},
          {"year", e.year},
          {"number", e.number},
          {"number_text", format_number(e.number)},
          {"registered_at", time::format_iso_utc_millis(e.registered_at)},
          {"direction", std::string(to_string(e.direction))},
          {"channel", std::string(to_string(e.channel))},
          {"subject", e.subject},
          {"correspondents", people},
          {"documents", docs},
          {"sender_protocol_number", str_or_null(e.sender_protocol_number)},
          {"sender_protocol_date", e.sender_protocol_date
                                       ? json::value(time::format_iso_date(*e.sender_protocol_date))
                                       : json::value(nullptr)},
          {"classification", str_or_null(e.classification)},
          {"fascicolo", str_or_null(e.fascicolo)},
          {"office", str_or_null(e.office)},
          {"registered_by", e.registered_by},
          {"annulled", e.annulled()},
          {"annulment", annulment},
          {"segnatura", ProtocolService::segnatura_text(e)},
          {"href", href}};
}

std::string str_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Error bad_request(const std::string& code, const std::string& field) {
  Error e = Error::make(code, 400);
  e.field = field;
  return e;
}

Result<Registration> parse_registration(const json::object& o, const std::vector<Aoo>& aoos) {
  Fields f;
  for (const char* k : {"aoo", "direction", "channel", "subject", "sender_protocol_number",
                        "sender_protocol_date", "classification", "fascicolo", "office"})
    f.emplace(k, str_member(o, k));
  auto e = entry_from_fields(f, aoos);
  if (!e) return e.error();
  Registration out{std::move(*e), {}, {}, {}};
  if (auto* cs = o.if_contains("correspondents")) {
    if (!cs->is_array()) return bad_request("protocollo.correspondents", "correspondents");
    for (const auto& c : cs->as_array()) {
      if (!c.is_object()) return bad_request("protocollo.correspondents", "correspondents");
      const auto& co = c.as_object();
      auto kind = correspondent_kind_from(str_member(co, "kind"));
      if (!kind) return kind.error();
      // An administration's IPA codes (both or neither; checked by ProtocolService::validate).
      out.entry.correspondents.push_back({*kind, str_member(co, "name"), str_member(co, "fiscal_code"),
                                          str_member(co, "pec"), str_member(co, "email"),
                                          str_member(co, "ipa_code"), str_member(co, "aoo_code")});
    }
  }
  if (auto* ds = o.if_contains("documents")) {
    if (!ds->is_array() || ds->as_array().size() > kMaxAttachments + 1)
      return bad_request("protocollo.documents", "documents");
    for (const auto& dv : ds->as_array()) {
      if (!dv.is_object()) return bad_request("protocollo.document", "documents");
      const auto& d = dv.as_object();
      IncomingDocument doc;
      doc.field = "documents";
      auto role = parse_document_role(str_member(d, "role").empty() ? "primary" : str_member(d, "role"));
      if (!role) return bad_request("protocollo.document", "documents");
      doc.role = *role;
      doc.file_name = str_member(d, "file_name");
      // A declared type is checked here and never trusted as given: when the bytes come too, the type
      // read from them wins (files::resolve_media_type) and a disagreement is recorded on the document.
      if (auto m = str_member(d, "mime_type"); !m.empty()) {
        auto normal = files::normalize_media_type(m);
        if (!normal) return bad_request("protocollo.mime_type", "documents");
        doc.declared_type = *normal;
      }
      if (auto c = str_member(d, "content_base64"); !c.empty()) {
        doc.bytes = crypto::base64_decode(c);
        if (!doc.bytes) return bad_request("protocollo.document", "documents");
      } else {
        doc.sha256 = str_member(d, "sha256");
        auto* size = d.if_contains("size");
        if (!size || !size->is_int64()) return bad_request("protocollo.document", "documents");
        doc.size = size->as_int64();
      }
      out.documents.push_back(std::move(doc));
    }
  }
  return out;
}

http::Response api_register_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  auto parsed = parse_registration(v.as_object(), d.protocol.aoos(a.body->id));
  if (!parsed) return json_error(d.view, req, parsed.error());
  // Documents sent with their bytes go to the file store in the registration's transaction; the others
  // are registered by the digest and size the caller computed. The key protects against a client
  // retrying after a lost answer: the same request gets the same number.
  if (const std::string* key = req.header("idempotency-key")) {
    parsed->idempotency_key = *key;
    parsed->request_sha256 = digest::sha256_hex(req.body);
  }
  auto done = d.protocol.register_with_documents(actor_of(a), a.body->id, *parsed);
  if (!done) return json_error(d.view, req, done.error());
  const bool replayed = done->replayed;
  auto e = d.protocol.get(actor_of(a), a.body->id, done->registered.id);
  if (!e) return json_error(d.view, req, e.error());
  auto r = json_response(entry_json(*a.body, *e), replayed ? 200 : 201);
  r.header("Location", "/api/v1/backoffice/" + a.body->slug + "/protocollo/registrazioni/" + e->id);
  return r;
}

http::Response api_search_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto q = search_from_fields(req.query);
  if (!q) return json_error(d.view, req, q.error());
  auto found = d.protocol.search(actor_of(a), a.body->id, *q);
  if (!found) return json_error(d.view, req, found.error());
  json::array items;
  for (const auto& e : *found) items.push_back(entry_json(*a.body, e));
  return json_response(json::object{{"entries", items}, {"count", items.size()}});
}

http::Response api_entry_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto e = d.protocol.get(actor_of(a), a.body->id, req.param("id"));
  if (!e) return json_error(d.view, req, e.error());
  auto history = d.protocol.history(actor_of(a), a.body->id, e->id);
  if (!history) return json_error(d.view, req, history.error());
  auto o = entry_json(*a.body, *e);
  json::array h;
  for (const auto& x : *history) {
    h.push_back(json::object{{"at", time::format_iso_utc_millis(x.at)},
                             {"who", x.who},
                             {"field", to_string(x.field)},
                             {"old", x.old_value},
                             {"new", x.new_value},
                             {"kind", x.kind == HistoryKind::annulment ? "annulment" : "edit"}});
  }
  o["history"] = h;
  return json_response(o);
}

Result<json::object> body_object(const http::Request& req) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return Error::make("api.json", 400, ec.message());
  return v.as_object();
}

http::Response api_annul_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto o = body_object(req);
  if (!o) return json_error(d.view, req, o.error());
  const auto id = req.param("id");
  auto st = d.protocol.annul(actor_of(a), a.body->id, id, str_member(*o, "reason"),
                             str_member(*o, "authorisation"));
  if (!st) return json_error(d.view, req, st.error());
  auto e = d.protocol.get(actor_of(a), a.body->id, id);
  if (!e) return json_error(d.view, req, e.error());
  return json_response(entry_json(*a.body, *e));
}

http::Response api_classify_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto o = body_object(req);
  if (!o) return json_error(d.view, req, o.error());
  ClassificationChange c;
  auto take = [&](const char* k, std::optional<std::string>& out) {
    if (auto* v = o->if_contains(k); v && v->is_string()) out = std::string(v->as_string());
  };
  take("classification", c.classification);
  take("fascicolo", c.fascicolo);
  take("office", c.office);
  const auto id = req.param("id");
  auto st = d.protocol.update_classification(actor_of(a), a.body->id, id, c);
  if (!st) return json_error(d.view, req, st.error());
  auto e = d.protocol.get(actor_of(a), a.body->id, id);
  if (!e) return json_error(d.view, req, e.error());
  return json_response(entry_json(*a.body, *e));
}

http::Response api_segnatura_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto e = d.protocol.get(actor_of(a), a.body->id, req.param("id"));
  if (!e) return json_error(d.view, req, e.error());
  if (d.interop == nullptr) return json_error(d.view, req, Error::not_found("segnatura"));
  auto xml = d.interop->signed_segnatura(actor_of(a), a.body->id, e->id);
  if (!xml) return json_error(d.view, req, xml.error());
  auto r = http::Response::text(std::move(*xml));
  r.content_type = "application/xml; charset=utf-8";
  r.header("Cache-Control", "no-store");
  return r;
}

json::object register_json(const tenants::Body& body, const DailyRegisterInfo& r) {
  const std::string base =
      "/api/v1/backoffice/" + body.slug + "/protocollo/registri-giornalieri/" + std::to_string(r.id);
  return {{"id", r.id},
          {"aoo", r.aoo_code},
          {"day", r.day},
          {"produced_at", r.produced_at},
          {"entry_count", r.entry_count},
          {"first_number", r.first_number ? json::value(*r.first_number) : json::value(nullptr)},
          {"last_number", r.last_number ? json::value(*r.last_number) : json::value(nullptr)},
          {"changes_count", r.changes_count},
          {"json_sha256", r.json_sha256},
          {"pdf_sha256", r.pdf_sha256},
          {"audit_head_seq", r.audit_head_seq},
          {"audit_head_hash", r.audit_head_hash},
          {"pdf_href", base + "/pdf"},
          {"json_href", base + "/json"}};
}

http::Response api_registers_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  DailyRegisterQuery q;
  q.from_day = req.query_param("dal");
  q.to_day = req.query_param("al");
  auto list = d.registers.list_for(a.body->id, q);
  if (!list) return json_error(d.view, req, list.error());
  json::array items;
  for (const auto& r : *list) items.push_back(register_json(*a.body, r));
  return json_response(json::object{{"registers", items}});
}

http::Response api_register_file_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  const auto parsed = text::parse_decimal(req.param("rid"));
  if (!parsed) return json_error(d.view, req, Error::not_found("register"));
  const DailyRegisterId id = *parsed;
  const auto format = req.param("format");
  if (format != "pdf" && format != "json") return json_error(d.view, req, Error::not_found("format"));
  auto r = d.registers.get_for(a.body->id, id);
  if (!r) return json_error(d.view, req, r.error());
  auto out = web::download_response(format == "pdf" ? std::move(r->pdf) : std::move(r->json),
                                    format == "pdf" ? "application/pdf" : "application/json",
                                    DailyRegisterService::file_name(r->info, format));
  out.header("X-Content-SHA256", format == "pdf" ? r->info.pdf_sha256 : r->info.json_sha256);
  return out;
}

http::Response api_aoos_get(WebDeps& d, http::Request& /*req*/, const ApiCall& a) {
  json::array items;
  for (const auto& x : d.protocol.aoos(a.body->id)) {
    items.push_back(
        json::object{{"admin_code", x.admin_code}, {"code", x.code}, {"name", x.name}, {"active", x.active}});
  }
  return json_response(json::object{{"aoos", items}});
}

}  // namespace

void register_api(http::Router& router, WebDeps& d) {
  const std::string b = "/api/v1/backoffice/{slug}/protocollo";
  router.get(b + "/registrazioni", api_route(d, "protocollo:read", api_search_get));
  router.post(b + "/registrazioni", api_route(d, "protocollo:write", api_register_post));
  router.get(b + "/registrazioni/{id}", api_route(d, "protocollo:read", api_entry_get));
  router.post(b + "/registrazioni/{id}/annullamento", api_route(d, "protocollo:write", api_annul_post));
  router.post(b + "/registrazioni/{id}/classificazione", api_route(d, "protocollo:write", api_classify_post));
  router.get(b + "/registrazioni/{id}/segnatura", api_route(d, "protocollo:read", api_segnatura_get));
  router.get(b + "/registri-giornalieri", api_route(d, "protocollo:read", api_registers_get));
  router.get(b + "/registri-giornalieri/{rid}/{format}",
             api_route(d, "protocollo:read", api_register_file_get));
  router.get(b + "/aoo", api_route(d, "protocollo:read", api_aoos_get));
}

}  // namespace sp::protocollo
