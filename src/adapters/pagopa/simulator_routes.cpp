#include "adapters/pagopa/simulator_routes.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

#include "adapters/pagopa/fdr_org.hpp"
#include "adapters/pagopa/simulator_checkout.hpp"
#include "core/i18n.hpp"
#include "web/view.hpp"

namespace sp::pagopa::sim {
namespace {

namespace json = boost::json;

struct Site {
  explicit Site(Simulator& s) : sim(s) {}
  Simulator& sim;
  I18n i18n;
  std::unique_ptr<web::View> view;
  CartBook carts;
};

http::Response routes_problem(int status, const std::string& title, const std::string& detail) {
  json::object p{{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  auto r = http::Response::json(json::serialize(p), status);
  r.content_type = "application/problem+json";
  return r;
}

std::string routes_cookie(const http::Request& req, std::string_view name) {
  const std::string* h = req.header("cookie");
  if (!h) return {};
  std::string_view rest = *h;
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

// The language as the hub picks it: ?lang=, the switch's cookie, then the browser's preference.
std::string routes_locale(const Site& s, const http::Request& req) {
  auto explicit_lang = req.query_param("lang");
  if (explicit_lang.empty()) explicit_lang = routes_cookie(req, "lang");
  const std::string* accept = req.header("accept-language");
  return s.i18n.negotiate(explicit_lang, accept ? *accept : "", "it");
}

http::Response routes_page(const Site& s, const http::Request& req, const std::string& lang,
                           const std::string& template_name, const std::string& title, web::Data data,
                           int status = 200) {
  const std::string content = s.view->render_bare(template_name, data, lang);
  web::Data page;
  page.set("title", title);
  page.set("content", content);
  page.set("lang_switch_href", web::lang_switch_href(req, lang == "en" ? "it" : "en"));
  page.set("lang_switch_label", lang == "en" ? std::string("Italiano") : std::string("English"));
  page.set("lang_switch_code", lang == "en" ? std::string("it") : std::string("en"));
  auto r = http::Response::html(s.view->render_bare("sim_pagopa_page", page, lang), status);
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response routes_message(const Site& s, const http::Request& req, int status, const std::string& key) {
  const auto lang = routes_locale(s, req);
  web::Data d;
  d.set("message", s.view->t(lang, "ui." + key));
  return routes_page(s, req, lang, "sim_pagopa_message", s.view->t(lang, "ui.sim_pagopa_title"), d, status);
}

http::Response routes_new_cart(Site& s, http::Request& req) {
  if (auto f = endpoint_fault(s.sim.checkout_faults())) return *f;
  auto cart = parse_cart_request(req.body);
  if (!cart) return routes_problem(400, "Bad Request", cart.error().detail);
  const auto id = s.carts.add(std::move(*cart));
  http::Response r;
  r.status = 302;
  r.header("Location", s.sim.base_url() + "/checkout/carts/" + id);
  return r;
}

// The origin (scheme://host[:port]) of an absolute http(s) URL; empty for anything else.
std::string routes_origin(const std::string& url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!url.starts_with(scheme)) continue;
    const auto end = url.find_first_of("/?#", scheme.size());
    std::string origin = url.substr(0, end);
    const bool plain =
        std::all_of(origin.begin() + static_cast<long>(scheme.size()), origin.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
        });
    return plain && origin.size() > scheme.size() ? origin : std::string();
  }
  return {};
}

// The hub's policy, with form-action widened to the cart's return URLs: the browser applies
// form-action to the redirect that follows the form's submission too.
std::string routes_cart_csp(const Cart& c) {
  std::string actions = "'self'";
  for (const auto* url : {&c.return_ok, &c.return_cancel, &c.return_error}) {
    const auto origin = routes_origin(*url);
    if (!origin.empty() && actions.find(" " + origin) == std::string::npos) actions += " " + origin;
  }
  return "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' "
         "data:; "
         "frame-ancestors 'none'; base-uri 'self'; form-action " +
         actions;
}

http::Response routes_cart_page(Site& s, http::Request& req) {
  auto cart = s.carts.get(req.param("id"));
  if (!cart) return routes_message(s, req, 404, "sim_pagopa_cart_unknown");
  if (cart->state != CartState::open) return routes_message(s, req, 409, "sim_pagopa_cart_closed");
  const auto lang = routes_locale(s, req);
  web::Data d;
  auto notices = web::list();
  money::Cents total = 0;
  for (const auto& n : cart->notices) {
    web::Data item;
    item.set("notice_number", n.notice_number);
    item.set("fiscal_code", n.fiscal_code);
    item.set("company_name", n.company_name);
    item.set("description", n.description);
    item.set("amount", web::format_cents(n.amount, lang));
    notices.push_back(item);
    total += n.amount;
  }
  d.set("notices", notices);
  d.set("total", web::format_cents(total, lang));
  d.set("action", "/checkout/carts/" + cart->id);
  d.set("has_email", !cart->email_notice.empty());
  d.set("email", cart->email_notice);
  auto r = routes_page(s, req, lang, "sim_pagopa_cart", s.view->t(lang, "ui.sim_pagopa_cart_title"), d);
  r.header("content-security-policy", routes_cart_csp(*cart));
  return r;
}

http::Response routes_cart_action(Site& s, http::Request& req) {
  const auto id = req.param("id");
  auto form = req.form();
  if (!form) return routes_message(s, req, 400, "sim_pagopa_bad_request");
  auto cart = s.carts.get(id);
  if (!cart) return routes_message(s, req, 404, "sim_pagopa_cart_unknown");
  std::string action;
  for (const auto& [k, v] : *form)
    if (k == "action") action = v;
  if (action == "cancel") {
    if (!s.carts.close(id, CartState::cancelled))
      return routes_message(s, req, 409, "sim_pagopa_cart_closed");
    return http::Response::redirect(cart->return_cancel, 303);
  }
  if (action == "fail") {
    // The payer's card was declined: nothing was activated, nothing is paid.
    if (!s.carts.close(id, CartState::failed)) return routes_message(s, req, 409, "sim_pagopa_cart_closed");
    return http::Response::redirect(cart->return_error, 303);
  }
  if (action != "pay") return routes_message(s, req, 400, "sim_pagopa_bad_request");
  // Closed before paying, so that a second click (another tab) cannot pay the cart twice.
  if (!s.carts.close(id, CartState::paid)) return routes_message(s, req, 409, "sim_pagopa_cart_closed");
  std::vector<PayOptions> notices;
  for (const auto& n : cart->notices) {
    PayOptions o;
    o.notice_number = n.notice_number;
    o.fiscal_code = n.fiscal_code;
    o.amount = n.amount;
    o.payment_note = cart->id_cart.empty() ? "cart " + cart->id : cart->id_cart;
    o.cart_id = cart->id_cart.empty() ? cart->id : cart->id_cart;
    notices.push_back(std::move(o));
  }
  auto outcome = s.sim.pay_all(notices);
  if (!outcome.paid) {
    s.carts.reopen(id);
    s.carts.close(id, CartState::failed);
    return http::Response::redirect(cart->return_error, 303);
  }
  return http::Response::redirect(cart->return_ok, 303);
}

http::Response routes_language(Site&, http::Request& req) {
  auto lang = req.param("lang");
  if (lang != "it" && lang != "en") lang = "it";
  // Only a path of this site: never an open redirect.
  std::string next = req.query_param("next");
  if (next.empty() || next.front() != '/' || next.starts_with("//") || next.find('\\') != std::string::npos)
    next = "/";
  auto r = http::Response::redirect(next, 303);
  r.header("Set-Cookie", "lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
  return r;
}

http::Response routes_pay(Site& s, http::Request& req) {
  boost::system::error_code ec;
  auto doc = json::parse(req.body, ec);
  if (ec || !doc.is_object()) return routes_problem(400, "Bad Request", "the body is not a JSON object");
  const auto& o = doc.as_object();
  auto text = [&](const char* k) {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  PayOptions p;
  p.notice_number = text("notice_number");
  p.fiscal_code = text("fiscal_code");
  p.psp = text("psp");
  if (const auto* a = o.if_contains("amount"); a && a->is_int64()) p.amount = a->as_int64();
  const auto scenario = text("scenario");
  if (!scenario.empty()) {
    auto sc = scenario_from(scenario);
    if (!sc) return routes_problem(400, "Bad Request", "unknown scenario " + scenario);
    p.scenario = *sc;
  }
  if (p.scenario == Scenario::wrong_amount) {
    const auto* w = o.if_contains("wrong_amount");
    if (!w || !w->is_int64() || w->as_int64() < 1)
      return routes_problem(400, "Bad Request", "wrong_amount must be a positive number of cents");
    p.wrong_amount = w->as_int64();
  }
  return http::Response::json(json::serialize(outcome_json(s.sim.pay(p))));
}

json::object routes_payment_json(const LedgerPayment& p) {
  return {
      {"receipt_id", p.receipt_id},       {"psp", p.psp_id},       {"fiscal_code", p.fiscal_code},
      {"notice_number", p.notice_number}, {"iuv", p.iuv},          {"iur", p.iur},
      {"amount_cents", p.amount},         {"fee_cents", p.fee},    {"paid_at", p.paid_at},
      {"scenario", p.scenario},           {"cart_id", p.cart_id},  {"delivery", delivery_name(p.delivery)},
      {"station_answer", p.last_answer},  {"attempts", p.attempts}};
}

http::Response routes_ledger(Site& s, http::Request&) {
  json::array out;
  for (const auto& p : s.sim.payments()) out.push_back(routes_payment_json(p));
  return http::Response::json(json::serialize(json::object{{"payments", out}}));
}

http::Response routes_resend(Site& s, http::Request& req) {
  boost::system::error_code ec;
  auto doc = json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
  bool all = false;
  if (!ec && doc.is_object())
    if (const auto* a = doc.as_object().if_contains("all"); a && a->is_bool()) all = a->as_bool();
  const int sent = s.sim.resend(all);
  return http::Response::json(
      json::serialize(json::object{{"sent", sent}, {"undelivered", s.sim.undelivered()}}));
}

http::Response routes_faults(Site& s, http::Request& req) {
  boost::system::error_code ec;
  auto doc = json::parse(req.body, ec);
  if (ec || !doc.is_object()) return routes_problem(400, "Bad Request", "the body is not a JSON object");
  const auto& o = doc.as_object();
  EndpointFaults f;
  if (const auto* st = o.if_contains("status"); st && st->is_int64())
    f.status = static_cast<int>(st->as_int64());
  if (const auto* d = o.if_contains("delay_ms"); d && d->is_int64())
    f.delay = std::chrono::milliseconds(d->as_int64());
  const auto* e = o.if_contains("endpoint");
  const std::string endpoint = e && e->is_string() ? std::string(e->as_string()) : std::string();
  if (endpoint == "checkout") {
    s.sim.set_checkout_faults(f);
  } else if (endpoint == "fdr") {
    s.sim.set_fdr_faults(f);
  } else {
    return routes_problem(400, "Bad Request", "endpoint must be checkout or fdr");
  }
  return http::Response::json(R"({"ok":true})");
}

}  // namespace

std::optional<http::Response> endpoint_fault(const EndpointFaults& f) {
  if (f.delay.count() > 0) std::this_thread::sleep_for(f.delay);
  if (f.status == 0) return std::nullopt;
  return routes_problem(f.status, "Simulated failure", "the simulator was asked to fail");
}

json::object outcome_json(const PayOutcome& o) {
  json::object out{{"outcome", o.kind == PayOutcome::Kind::paid      ? "paid"
                               : o.kind == PayOutcome::Kind::refused ? "refused"
                                                                     : "error"}};
  if (!o.step.empty()) out["step"] = o.step;
  if (!o.fault_code.empty()) out["fault_code"] = o.fault_code;
  if (!o.detail.empty()) out["detail"] = o.detail;
  if (o.station_amount) out["station_amount_cents"] = o.station_amount;
  if (o.payment) out["payment"] = routes_payment_json(*o.payment);
  if (!o.second_answer.empty()) out["second_answer"] = o.second_answer;
  return out;
}

std::shared_ptr<void> register_simulator_routes(http::Router& router, Simulator& simulator) {
  auto site = std::make_shared<Site>(simulator);
  const auto& share = simulator.options().share_dir;
  site->i18n.load(share + "/web/locales");
  site->view = std::make_unique<web::View>(share + "/web/templates", site->i18n, "pagoPA");
  Site* s = site.get();
  auto bind = [s](http::Response (*f)(Site&, http::Request&)) {
    return [s, f](http::Request& req) { return f(*s, req); };
  };
  router.post("/checkout/ec/v1/carts", bind(routes_new_cart));
  router.get("/checkout/carts/{id}", bind(routes_cart_page));
  router.post("/checkout/carts/{id}", bind(routes_cart_action));
  router.get("/lang/{lang}", bind(routes_language));
  router.post("/sim/psp/payments", bind(routes_pay));
  router.get("/sim/psp/payments", bind(routes_ledger));
  router.post("/sim/psp/receipts/resend", bind(routes_resend));
  router.post("/sim/control/faults", bind(routes_faults));
  // pagoPA's FdR organization API over the flows of what the simulator paid (the hub's hourly pull and
  // `sportello reconcile pull` fetch them here), slow or failing when told to.
  fdr::register_fdr_org_routes(router, simulator.flows(), "/fdr-org/service/v1", {},
                               [s] { return endpoint_fault(s->sim.fdr_faults()); });
  if (simulator.options().mount) simulator.options().mount(router, simulator);
  return site;
}

}  // namespace sp::pagopa::sim
