// The ANPR simulator's HTTP side (simulator.hpp lists the routes): the two SOAP services, and the
// verification page (Italian first; /lang/en switches).
#include <boost/json.hpp>
#include <memory>

#include "adapters/anpr/simulator.hpp"
#include "core/digest.hpp"
#include "http/router.hpp"
#include "web/view.hpp"

namespace sp::anpr::sim {
namespace {

struct AnprSite {
  explicit AnprSite(Simulator& s) : sim(s) {}
  Simulator& sim;
  std::unique_ptr<web::View> view;
};

http::Response anpr_soap(const SoapAnswer& a) {
  http::Response r;
  r.status = a.status;
  r.content_type = "text/xml; charset=utf-8";
  r.body = a.envelope;
  if (a.status == 401) r.header("WWW-Authenticate", "Bearer realm=\"ANPR\"");
  return r;
}

std::string anpr_header(const http::Request& req, std::string_view name) {
  const std::string* h = req.header(name);
  return h ? *h : std::string();
}

std::string anpr_cookie(const http::Request& req, std::string_view name) {
  std::string_view rest = anpr_header(req, "cookie");
  std::string h(rest);
  rest = h;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == '=')
      return std::string(item.substr(name.size() + 1));
  }
  return {};
}

std::string anpr_locale(const AnprSite& s, const http::Request& req) {
  auto lang = req.query_param("lang");
  if (lang.empty()) lang = anpr_cookie(req, "lang");
  return s.sim.i18n().negotiate(lang, anpr_header(req, "accept-language"), "it");
}

// The verification page: the form, and the verdict when there is one.
http::Response anpr_verify_page(const AnprSite& s, const http::Request& req, const std::string& code,
                                const std::string& hash, bool checked) {
  const auto lang = anpr_locale(s, req);
  web::Data d;
  d.set("code", code);
  d.set("hash", hash);
  d.set("lang_switch_href", web::lang_switch_href(req, lang == "en" ? "it" : "en"));
  d.set("lang_switch_label", lang == "en" ? std::string("Italiano") : std::string("English"));
  d.set("lang_switch_code", lang == "en" ? std::string("it") : std::string("en"));
  int status = 200;
  if (checked) {
    if (code.empty() || hash.empty()) {
      d.set("missing", true);
      status = 400;
    } else {
      Issued found;
      const Verdict v = s.sim.verify(code, hash, &found);
      d.set("verdict", std::string(verdict_name(v)));
      d.set(v == Verdict::valid ? "valid" : "unknown", true);
      if (v == Verdict::valid) {
        d.set("subject", found.subject_name);
        d.set("protocol", found.protocol);
        d.set("comune", found.comune);
        d.set("issued_on", time::it_date_text(found.issued_on));
      }
    }
  }
  auto r = http::Response::html(s.view->render_bare("sim_anpr_verify", d, lang), status);
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response anpr_verify_get(const AnprSite& s, http::Request& req) {
  const std::string code = req.query_param("codice");
  const std::string hash = req.query_param("sha256");
  return anpr_verify_page(s, req, code, hash, !hash.empty());
}

http::Response anpr_verify_post(const AnprSite& s, http::Request& req) {
  std::string code, hash;
  if (http::is_multipart_form(anpr_header(req, "content-type"))) {
    auto form = req.multipart();
    if (!form) return anpr_verify_page(s, req, {}, {}, true);
    auto fields = form->fields();
    if (auto it = fields.find("codice"); it != fields.end()) code = it->second;
    if (auto it = fields.find("sha256"); it != fields.end()) hash = it->second;
    if (auto files = form->files("pdf"); !files.empty()) hash = digest::sha256_hex(files.front()->data);
  } else {
    auto form = req.form();
    if (form) {
      if (auto it = form->find("codice"); it != form->end()) code = it->second;
      if (auto it = form->find("sha256"); it != form->end()) hash = it->second;
    }
  }
  return anpr_verify_page(s, req, code, hash, true);
}

http::Response anpr_language(const AnprSite&, http::Request& req) {
  auto lang = req.param("lang");
  if (lang != "it" && lang != "en") lang = "it";
  std::string next = req.query_param("next");
  if (next.empty() || next.front() != '/' || next.starts_with("//") || next.find('\\') != std::string::npos)
    next = "/verifica";
  auto r = http::Response::redirect(next, 303);
  r.header("Set-Cookie", "lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
  return r;
}

}  // namespace

// Mounts the routes; the returned object must outlive the router's use.
std::shared_ptr<void> register_anpr_simulator_routes(http::Router& router, Simulator& simulator) {
  auto site = std::make_shared<AnprSite>(simulator);
  site->view =
      std::make_unique<web::View>(simulator.options().share_dir + "/web/templates", simulator.i18n(), "ANPR");
  AnprSite* s = site.get();
  const std::string base = kServicePath;
  router.post(base + "/AnprService3000", [s](http::Request& req) {
    return anpr_soap(s->sim.consult(anpr_header(req, "authorization"), req.body));
  });
  router.post(base + "/AnprService6001", [s](http::Request& req) {
    return anpr_soap(s->sim.certify(anpr_header(req, "authorization"), req.body));
  });
  router.post(base + "/AnprService4000", [s](http::Request& req) {
    return anpr_soap(s->sim.notifications(anpr_header(req, "authorization"), req.body));
  });
  // A change to the population (the operator's `sportello sim anpr move`): loopback only, as
  // /sim/anpr/issued.
  router.post("/sim/anpr/move", [s](http::Request& req) {
    boost::system::error_code ec;
    auto v = boost::json::parse(req.body, ec);
    if (ec || !v.is_object()) return http::Response::json(R"({"error":"a JSON object is expected"})", 400);
    const auto& o = v.as_object();
    auto str = [&o](const char* k) {
      const auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    Move m{str("codice_fiscale"), str("comune_istat"), str("specie_via"),  str("denominazione_via"),
           str("civico"),         str("cap"),          str("id_famiglia"), str("data_variazione")};
    auto done = s->sim.move(m);
    if (!done)
      return http::Response::json(boost::json::serialize(boost::json::object{{"error", done.error().detail}}),
                                  done.error().http_status);
    boost::json::array out;
    for (const auto& n : *done)
      out.push_back(boost::json::object{{"id", n.anpr_operation_id}, {"operation", n.operation}});
    return http::Response::json(boost::json::serialize(boost::json::object{{"notifications", out}}));
  });
  router.get("/verifica", [s](http::Request& req) { return anpr_verify_get(*s, req); });
  router.post("/verifica", [s](http::Request& req) { return anpr_verify_post(*s, req); });
  router.get("/lang/{lang}", [s](http::Request& req) { return anpr_language(*s, req); });
  router.get("/", [](http::Request&) { return http::Response::redirect("/verifica", 303); });
  // What it issued (codes, digests), for tests and the demo's operator: the simulator listens on loopback.
  router.get("/sim/anpr/issued", [s](http::Request&) {
    boost::json::array out;
    for (const auto& i : s->sim.issued())
      out.push_back(boost::json::object{{"code", i.code},
                                        {"protocol", i.protocol},
                                        {"sha256", i.sha256_hex},
                                        {"subject_cf", i.subject_cf},
                                        {"issued_on", i.issued_on}});
    return http::Response::json(boost::json::serialize(out));
  });
  return site;
}

}  // namespace sp::anpr::sim
