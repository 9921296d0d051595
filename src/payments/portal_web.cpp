#include "payments/portal_web.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/text.hpp"
#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "payments/notice_number.hpp"
#include "payments/portal_documents.hpp"
#include "web/context.hpp"

namespace sp::payments {
namespace {

using web::Data;
const std::string kPortalBase = "/area-personale/pagamenti";

const identity::Principal* portal_person(const http::Request& req, std::optional<http::Response>& refusal) {
  const auto* p = identity::principal_of(req);
  if (!p || p->kind != identity::PrincipalKind::person) {
    refusal = web::see_other("/accedi?next=" + req.path);
    return nullptr;
  }
  return p;
}

// A page whose form starts a payment: its POST answers with a redirect to Checkout, and browsers apply
// form-action to redirects too, so the hub's policy (http/dispatch.cpp) is repeated with Checkout's page
// origins added.
http::Response portal_paying_page(const PortalDeps& d, http::Response r) {
  r.header("Content-Security-Policy",
           "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' "
           "data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'" +
               d.checkout_origins);
  return r;
}

PortalPerson portal_who(const identity::Principal& p) {
  return PortalPerson{p.subject, p.display_name, ""};
}

web::Page portal_page(PortalDeps& d, const http::Request& req, const std::string& tpl,
                      const std::string& title, bool sub) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"}};
  if (sub) page.breadcrumb.push_back({d.view.t(lang, "ui.pay_title"), kPortalBase});
  page.breadcrumb.push_back({title, ""});
  return page;
}

std::string portal_state_label(PortalDeps& d, const std::string& lang, PositionStatus s) {
  return d.view.t(lang, "ui.pay_state_" + text::to_lower_ascii(to_string(s)));
}

// The option a fine is paid with today: the reduced one until its 5th day, the full one after.
const Option* portal_fine_option(const Position& p, time::Date today) {
  const bool reduced = p.fine && today <= reduced_until(*p.fine);
  for (const auto& o : p.options)
    if (o.fine_role == (reduced ? FineRole::reduced : FineRole::full)) return &o;
  return nullptr;
}

// The options the person may tick: a fine's one of today; a plan's unpaid options, without the single
// payment once an instalment was paid (the station would answer it as a duplicate).
std::vector<const Option*> portal_payable_options(const Position& p, time::Date today) {
  std::vector<const Option*> out;
  if (!payable(p.status)) return out;
  if (p.kind == PositionKind::fine) {
    if (const auto* o = portal_fine_option(p, today)) out.push_back(o);
    return out;
  }
  bool instalment_paid = false;
  for (const auto& o : p.options) instalment_paid |= o.is_partial_payment && o.status != OptionStatus::unpaid;
  for (const auto& o : p.options)
    if (o.status == OptionStatus::unpaid && !(instalment_paid && !o.is_partial_payment)) out.push_back(&o);
  return out;
}

std::string portal_ref(const tenants::Body& b, const std::string& nav) {
  return b.slug + ":" + nav;
}

// The area: open positions grouped by body, history, services. `selected`: the ticked "slug:nav".
http::Response portal_area(PortalDeps& d, http::Request& req, const identity::Principal& who,
                           const std::set<std::string>& selected, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = portal_page(d, req, "payments_area", d.view.t(lang, "ui.pay_title"), false);
  const auto today = d.portal.today();
  std::map<std::string, std::vector<Data>> groups;         // body slug → its open positions
  std::vector<std::pair<std::string, std::string>> order;  // slug, name: as they come (newest first)
  Data history = web::list();
  int installment_counter = 0;
  for (const auto& p : d.portal.positions(who.subject)) {
    auto body = d.tenants.by_id(p.tenant_id);
    if (!body) continue;
    const auto base = kPortalBase + "/" + body->slug + "/";
    for (const auto& o : p.options) {
      if (o.status == OptionStatus::unpaid) continue;
      Data h;
      h.set("description", o.description);
      h.set("body_name", body->name);
      h.set("amount", web::format_cents(o.amount, lang));
      h.set("paid_at", o.paid_at ? time::format_it_date(*o.paid_at) : "");
      h.set("receipt_href", base + o.iuv + "/ricevuta.pdf");
      history.push_back(h);
    }
    auto options = portal_payable_options(p, today);
    if (options.empty()) continue;
    Data rows = web::list();
    installment_counter = 0;
    for (const auto* o : options) {
      Data r;
      const auto ref = portal_ref(*body, o->nav);
      r.set("value", ref);
      r.set("id", "n-" + o->nav);
      r.set("checked", selected.count(ref) > 0);
      r.set("description", o->description);
      r.set("amount", web::format_cents(amount_due(p, *o, today), lang));
      r.set("due", time::format_it_date(o->due_date));
      r.set("nav", grouped(o->nav));
      std::string kind = "ui.pay_kind_single";
      if (p.kind == PositionKind::fine)
        kind = o->fine_role == FineRole::reduced ? "ui.pay_kind_fine_reduced" : "ui.pay_kind_fine_full";
      else if (o->is_partial_payment)
        kind = "ui.pay_kind_instalment";
      r.set("kind", o->is_partial_payment
                        ? web::ui(d.view, lang, kind, {{"n", std::to_string(++installment_counter)}})
                        : d.view.t(lang, kind));
      rows.push_back(r);
    }
    Data pos;
    pos.set("title", position_title(p));
    pos.set("state", portal_state_label(d, lang, p.status));
    pos.set("options", rows);
    pos.set("plan", options.size() > 1);
    pos.set("notice_href", base + options.front()->iuv + "/avviso.pdf");
    if (p.kind == PositionKind::fine && p.fine)
      pos.set("fine_note", web::ui(d.view, lang, "ui.pay_fine_note",
                                   {{"date", time::format_it_date(reduced_until(*p.fine))}}));
    if (!groups.count(body->slug)) order.push_back({body->slug, body->name});
    groups[body->slug].push_back(pos);
  }
  Data group_list = web::list();
  for (const auto& [slug, name] : order) {
    Data g;
    g.set("body_name", name);
    g.set("id", "body-" + slug);
    Data positions = web::list();
    for (const auto& pos : groups[slug]) positions.push_back(pos);
    g.set("positions", positions);
    group_list.push_back(g);
  }
  Data services = web::list();
  for (const auto& s : d.portal.spontaneous_services()) {
    auto body = d.tenants.by_id(s.tenant_id);
    if (!body) continue;
    Data x;
    x.set("label", lang == "en" ? s.label_en : s.label_it);
    x.set("body_name", body->name);
    x.set("href", kPortalBase + "/spontanei/" + body->slug + "/" + s.code);
    services.push_back(x);
  }
  page.data.set("groups", group_list);
  page.data.set("has_open", !order.empty());
  page.data.set("history", history);
  page.data.set("has_history", !history.is_empty_list());
  page.data.set("services", services);
  page.data.set("has_services", !services.is_empty_list());
  page.data.set("csrf", who.csrf_token);
  page.data.set("action", kPortalBase);
  page.data.set("max", std::to_string(kMaxCartNotices));
  if (error) web::set_form_error(d.view, req, page, *error);
  return portal_paying_page(d, web::private_page(d.view, req, page, error ? web::form_status(*error) : 200));
}

std::set<std::string> portal_split(const std::string& csv) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= csv.size()) {
    auto comma = csv.find(',', start);
    auto part = csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.insert(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

http::Response area_get(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  return portal_area(d, req, *who, portal_split(req.query_param("scelti")), nullptr);
}

// "slug:nav" → the notice; nullopt for an unknown body or a malformed value.
std::optional<NoticeRef> portal_notice_ref(PortalDeps& d, const std::string& v) {
  auto colon = v.find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto body = d.tenants.by_slug(v.substr(0, colon));
  if (!body) return std::nullopt;
  return NoticeRef{body->id, v.substr(colon + 1)};
}

// Starts paying `values` ("slug:nav"): Checkout, or the area again with them ticked and the reason.
http::Response portal_pay(PortalDeps& d, http::Request& req, const identity::Principal& who,
                          const std::vector<std::string>& values) {
  std::set<std::string> selected(values.begin(), values.end());
  std::vector<NoticeRef> refs;
  for (const auto& v : values) {
    auto ref = portal_notice_ref(d, v);
    if (!ref) return d.view.error_page(req, 404);
    refs.push_back(*ref);
  }
  auto started = d.portal.pay(portal_who(who), refs);
  if (!started) {
    const auto& e = started.error();
    if (e.code == "not_found") return d.view.error_page(req, 404);
    if (e.code.rfind("checkout.", 0) == 0) {
      // Checkout is away: say so on a page of its own; the notices stay ticked on the way back.
      const auto& lang = req.ctx.locale;
      auto page =
          portal_page(d, req, "payments_checkout_error", d.view.t(lang, "ui.pay_checkout_error_title"), true);
      std::string back = kPortalBase + "?scelti=";
      for (const auto& v : values) back += text::percent_encode(v) + ",";
      page.data.set("back_href", back);
      page.data.set("message", d.view.i18n().message(lang, e));
      return web::private_page(d.view, req, page, 502);
    }
    // The cart's own wording of the station's and service's refusals: which notice, and what to do.
    Error shown = e;
    if (e.code == "payments.in_progress")
      shown = Error::make("payments.cart_in_progress", 409, grouped(e.detail));
    else if (e.code == "payments.not_payable")
      shown = Error::make("payments.cart_not_payable", 409, grouped(e.detail));
    else if (e.code == "payments.cart_same_position")
      shown.detail = grouped(e.detail);
    return portal_area(d, req, who, selected, &shown);
  }
  return web::see_other(started->location);
}

http::Response area_post(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::vector<std::string> values;
  auto [from, to] = form->equal_range("avviso");
  for (auto it = from; it != to; ++it) values.push_back(it->second);
  return portal_pay(d, req, *who, values);
}

ReturnHint portal_hint(const std::string& esito) {
  if (esito == "ok") return ReturnHint::ok;
  if (esito == "annullato") return ReturnHint::cancel;
  if (esito == "errore") return ReturnHint::error;
  return ReturnHint::none;
}

http::Response cart_get(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  const auto& lang = req.ctx.locale;
  auto status = d.portal.cart_status(who->subject, req.param("id"), portal_hint(req.query_param("esito")));
  if (!status) return d.view.error_page(req, status.error().http_status);
  auto page = portal_page(d, req, "payments_cart", d.view.t(lang, "ui.pay_cart_title"), true);
  Data items = web::list();
  for (const auto& s : status->items) {
    auto body = d.tenants.by_id(s.item.tenant_id);
    Data x;
    x.set("description", s.item.description);
    x.set("body_name", body ? body->name : s.item.company_name);
    x.set("amount", web::format_cents(s.item.amount, lang));
    x.set("nav", grouped(s.item.nav));
    x.set("paid", s.receipt.has_value());
    if (s.receipt && body)
      x.set("receipt_href", kPortalBase + "/" + body->slug + "/" + s.item.iuv + "/ricevuta.pdf");
    items.push_back(x);
  }
  const auto state = status->cart.state;
  page.data.set("items", items);
  page.data.set("paid", status->all_paid);
  page.data.set("given_up",
                !status->all_paid && (state == CartState::cancelled || state == CartState::failed));
  page.data.set("waiting", !status->all_paid && state != CartState::cancelled && state != CartState::failed);
  page.data.set("href", kPortalBase + "/carrello/" + status->cart.id);
  page.data.set("csrf", who->csrf_token);
  return portal_paying_page(d, web::private_page(d.view, req, page));
}

http::Response cart_post(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto status = d.portal.cart_status(who->subject, req.param("id"), ReturnHint::none);
  if (!status) return d.view.error_page(req, status.error().http_status);
  std::vector<std::string> values;
  for (const auto& s : status->items) {
    if (s.receipt) continue;
    if (auto body = d.tenants.by_id(s.item.tenant_id)) values.push_back(portal_ref(*body, s.item.nav));
  }
  return portal_pay(d, req, *who, values);
}

http::Response notice_get(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  auto p = d.portal.own_position(who->subject, body->id, req.param("iuv"));
  if (!p) return d.view.error_page(req, 404);
  auto c = d.payments.creditor(body->id);
  if (!c) return d.view.error_page(req, 404);
  auto in = notice_input(*p, *c, "");
  if (!in) return d.view.error_page(req, 404);
  auto pdf =
      stamped_pdf(d, req, body->id, "payment-notice", d.view.t(req.ctx.locale, "payments_pdf.notice.kicker"),
                  who->subject, [&](const stamp::Block* b) {
                    in->stamp = b;
                    return render_payment_notice(*in, d.view.i18n(), req.ctx.locale);
                  });
  return web::download_response(std::move(pdf), "application/pdf", "avviso-" + req.param("iuv") + ".pdf");
}

http::Response receipt_get(PortalDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* who = portal_person(req, refusal);
  if (!who) return *refusal;
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  auto p = d.portal.own_position(who->subject, body->id, req.param("iuv"));
  auto r = d.portal.own_receipt(who->subject, body->id, req.param("iuv"));
  auto c = d.payments.creditor(body->id);
  if (!p || !r || !c) return d.view.error_page(req, 404);
  auto in = receipt_input(*p, *c, *r);
  auto pdf =
      stamped_pdf(d, req, body->id, "payment-receipt", d.view.t(req.ctx.locale, "payments_pdf.receipt.title"),
                  who->subject, [&](const stamp::Block* b) {
                    in.stamp = b;
                    return render_payment_receipt(in, d.view.i18n(), req.ctx.locale);
                  });
  return web::download_response(std::move(pdf), "application/pdf", "ricevuta-" + req.param("iuv") + ".pdf");
}

http::Response spontaneous_page(PortalDeps& d, http::Request& req, const identity::Principal& who,
                                const tenants::Body& body, const SpontaneousService& s,
                                const http::Params* form, const Error* error) {
  const auto& lang = req.ctx.locale;
  const auto label = lang == "en" ? s.label_en : s.label_it;
  auto page = portal_page(d, req, "payments_spontaneous", label, true);
  page.data.set("label", label);
  page.data.set("body_name", body.name);
  page.data.set("action", kPortalBase + "/spontanei/" + body.slug + "/" + s.code);
  page.data.set("csrf", who.csrf_token);
  page.data.set("range", web::ui(d.view, lang, "ui.pay_spontaneous_range",
                                 {{"min", web::format_cents(s.min_amount, lang)},
                                  {"max", web::format_cents(s.max_amount, lang)}}));
  page.data.set("f_amount", form ? web::form_field(*form, "amount") : "");
  page.data.set("f_pupil", form ? web::form_field(*form, "pupil") : "");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

// The signed-in person, the URL's body and its spontaneous service; or what to answer instead (sign in,
// 404 for an unknown body or service).
struct SpontaneousTarget {
  const identity::Principal* who = nullptr;
  std::shared_ptr<const tenants::Body> body;
  std::optional<SpontaneousService> service;
};
std::optional<http::Response> spontaneous_target(PortalDeps& d, http::Request& req, SpontaneousTarget& t) {
  std::optional<http::Response> refusal;
  t.who = portal_person(req, refusal);
  if (!t.who) return refusal;
  t.body = d.tenants.by_slug(req.param("slug"));
  if (!t.body) return d.view.error_page(req, 404);
  auto s = d.portal.spontaneous_service(t.body->id, req.param("code"));
  if (!s) return d.view.error_page(req, 404);
  t.service = *s;
  return std::nullopt;
}

http::Response spontaneous_get(PortalDeps& d, http::Request& req) {
  SpontaneousTarget t;
  if (auto answer = spontaneous_target(d, req, t)) return *answer;
  return spontaneous_page(d, req, *t.who, *t.body, *t.service, nullptr, nullptr);
}

http::Response spontaneous_post(PortalDeps& d, http::Request& req) {
  SpontaneousTarget t;
  if (auto answer = spontaneous_target(d, req, t)) return *answer;
  const auto* who = t.who;
  const auto& body = t.body;
  const auto& s = t.service;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto p = d.portal.create_spontaneous(portal_who(*who), body->id, s->code, web::form_field(*form, "amount"),
                                       web::form_field(*form, "pupil"));
  if (!p) {
    auto e = p.error();
    if (e.code == "payments.spontaneous_amount")
      e.detail = web::ui(d.view, req.ctx.locale, "ui.pay_spontaneous_range",
                         {{"min", web::format_cents(s->min_amount, req.ctx.locale)},
                          {"max", web::format_cents(s->max_amount, req.ctx.locale)}});
    return spontaneous_page(d, req, *who, *body, *s, &*form, &e);
  }
  return web::see_other(kPortalBase +
                        "?scelti=" + text::percent_encode(portal_ref(*body, p->options.front().nav)) +
                        "#body-" + body->slug);
}

}  // namespace

std::string stamped_pdf(PortalDeps& d, const http::Request& req, tenants::TenantId tenant,
                        const std::string& kind, const std::string& title, const std::string& issued_by,
                        const std::function<std::string(const stamp::Block*)>& render) {
  if (d.stamps != nullptr) {
    stamp::IssueRequest r{tenant, kind, title, "", req.ctx.locale, issued_by};
    auto issued = d.stamps->issue(r, [&](const stamp::Block& b) { return render(&b); });
    if (issued) return std::move(issued->pdf);
    spdlog::warn("{} of body {} without the digital stamp: {} {}", kind, tenant, issued.error().code,
                 issued.error().detail);
  }
  return render(nullptr);
}

void register_portal_pages(http::Router& router, PortalDeps& d) {
  router.get(kPortalBase, [&d](http::Request& r) { return area_get(d, r); });
  router.post(kPortalBase, [&d](http::Request& r) { return area_post(d, r); });
  router.get(kPortalBase + "/carrello/{id}", [&d](http::Request& r) { return cart_get(d, r); });
  router.post(kPortalBase + "/carrello/{id}", [&d](http::Request& r) { return cart_post(d, r); });
  router.get(kPortalBase + "/{slug}/{iuv}/avviso.pdf", [&d](http::Request& r) { return notice_get(d, r); });
  router.get(kPortalBase + "/{slug}/{iuv}/ricevuta.pdf",
             [&d](http::Request& r) { return receipt_get(d, r); });
  router.get(kPortalBase + "/spontanei/{slug}/{code}",
             [&d](http::Request& r) { return spontaneous_get(d, r); });
  router.post(kPortalBase + "/spontanei/{slug}/{code}",
              [&d](http::Request& r) { return spontaneous_post(d, r); });
}

}  // namespace sp::payments
