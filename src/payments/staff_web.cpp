// The body's staff pages of debt positions (routes in portal_web.hpp).
#include <algorithm>

#include "core/codice_fiscale.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "payments/notice_number.hpp"
#include "payments/portal_documents.hpp"
#include "payments/portal_web.hpp"
#include "web/context.hpp"

namespace sp::payments {
namespace {

using web::Data;
using StaffFn = http::Response (*)(PortalDeps&, http::Request&, const identity::StaffCall&);
constexpr int kStaffPageSize = 25;

// The staff guard, except that staff of another body get 404 like a missing position: a body's debtors
// are not even confirmed to exist to another body.
http::Handler staff_pay_route(PortalDeps& d, StaffFn fn) {
  return [&d, fn](http::Request& req) -> http::Response {
    identity::StaffCall call{d.tenants.by_slug(req.param("slug")), identity::principal_of(req)};
    if (!call.body) return d.view.error_page(req, 404);
    if (call.who && call.who->is_staff() && call.who->tenant_id != call.body->id)
      return d.view.error_page(req, 404);
    if (auto st = identity::authorize(call.who, identity::Permission::backoffice, call.body->id); !st)
      return identity::staff_refusal(d.view, req, st.error());
    return fn(d, req, call);
  };
}

std::string staff_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/pagamenti";
}

std::string staff_state_label(PortalDeps& d, const std::string& lang, PositionStatus s) {
  return d.view.t(lang, "ui.pay_state_" + text::to_lower_ascii(to_string(s)));
}

Cents staff_total(const Position& p) {
  if (p.kind == PositionKind::fine) {
    for (const auto& o : p.options)
      if (o.fine_role == FineRole::full) return o.amount;
  }
  for (const auto& o : p.options)
    if (!o.is_partial_payment) return o.amount;
  Cents sum = 0;
  for (const auto& o : p.options) sum += o.amount;
  return sum;
}

http::Response staff_list_get(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "payments_staff_list",
                                   d.view.t(lang, "ui.pay_staff_title"), "ui.pay_staff_title",
                                   staff_base(*c.body), false);
  page.data.set("services_href", staff_base(*c.body) + "/servizi-spontanei");
  PositionQuery q;
  const auto state = req.query_param("stato");
  q.status = parse_position_status(state);
  q.fiscal_code = cf::normalize(req.query_param("cf"));
  auto notice = req.query_param("avviso");
  notice.erase(std::remove(notice.begin(), notice.end(), ' '), notice.end());
  q.notice = notice;
  // LIKE's wildcards are the user's text here, not patterns.
  auto words = text::to_lower_ascii(text::trim(req.query_param("testo")));
  words.erase(std::remove_if(words.begin(), words.end(), [](char ch) { return ch == '%' || ch == '_'; }),
              words.end());
  q.text = words;
  const int page_no =
      std::max<int>(1, static_cast<int>(text::parse_decimal(req.query_param("pagina")).value_or(1)));
  q.limit = kStaffPageSize + 1;  // one more says whether there is a next page
  q.offset = (page_no - 1) * kStaffPageSize;
  auto list = d.payments.list(c.who, c.body->id, q);
  if (!list) return identity::staff_refusal(d.view, req, list.error());
  const bool more = static_cast<int>(list->size()) > kStaffPageSize;
  if (more) list->pop_back();
  Data rows = web::list();
  for (const auto& p : *list) {
    Data r;
    r.set("href", staff_base(*c.body) + "/" + text::percent_encode(p.iupd));
    r.set("iupd", p.iupd);
    r.set("description", p.options.empty() ? "" : position_title(p));
    r.set("debtor", p.debtor.full_name);
    r.set("fiscal_code", p.debtor.fiscal_code);
    r.set("amount", web::format_cents(staff_total(p), lang));
    r.set("state", staff_state_label(d, lang, p.status));
    r.set("created", time::format_it_date(p.created_at));
    rows.push_back(r);
  }
  Data states = web::list();
  for (auto s : {PositionStatus::draft, PositionStatus::published, PositionStatus::valid,
                 PositionStatus::partially_paid, PositionStatus::paid, PositionStatus::reported,
                 PositionStatus::expired, PositionStatus::invalid}) {
    Data x;
    x.set("value", std::string(to_string(s)));
    x.set("label", staff_state_label(d, lang, s));
    x.set("selected", q.status == s);
    states.push_back(x);
  }
  auto link = [&](int n) {
    return staff_base(*c.body) + "?stato=" + text::percent_encode(state) +
           "&cf=" + text::percent_encode(req.query_param("cf")) +
           "&avviso=" + text::percent_encode(req.query_param("avviso")) +
           "&testo=" + text::percent_encode(req.query_param("testo")) + "&pagina=" + std::to_string(n);
  };
  page.data.set("rows", rows);
  page.data.set("has_rows", !rows.is_empty_list());
  page.data.set("states", states);
  page.data.set("f_cf", req.query_param("cf"));
  page.data.set("f_avviso", req.query_param("avviso"));
  page.data.set("f_testo", req.query_param("testo"));
  page.data.set("action", staff_base(*c.body));
  page.data.set("page_label", web::ui(d.view, lang, "ui.pay_staff_page", {{"n", std::to_string(page_no)}}));
  if (page_no > 1) page.data.set("prev_href", link(page_no - 1));
  if (more) page.data.set("next_href", link(page_no + 1));
  return web::private_page(d.view, req, page);
}

http::Response staff_detail(PortalDeps& d, http::Request& req, const identity::StaffCall& c, bool confirm,
                            const Error* error) {
  const auto& lang = req.ctx.locale;
  auto p = d.payments.get(c.who, c.body->id, req.param("id"));
  if (!p) return d.view.error_page(req, p.error().http_status == 403 ? 404 : p.error().http_status);
  const auto base = staff_base(*c.body) + "/" + text::percent_encode(p->iupd);
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "payments_staff_position",
                                   p->iupd, "ui.pay_staff_title", staff_base(*c.body), true);
  Data options = web::list();
  Data receipts = web::list();
  for (const auto& o : p->options) {
    Data x;
    x.set("description", o.description);
    x.set("nav", grouped(o.nav));
    x.set("iuv", o.iuv);
    x.set("amount", web::format_cents(o.amount, lang));
    x.set("due", time::format_it_date(o.due_date));
    // A single payment (or a fine's other amount) is no longer payable once another option of the
    // position is paid: the station answers it as a duplicate, so staff should not read "to pay".
    const bool superseded = o.status == OptionStatus::unpaid && !o.is_partial_payment &&
                            std::any_of(p->options.begin(), p->options.end(),
                                        [](const Option& y) { return y.status != OptionStatus::unpaid; });
    x.set("status", d.view.t(lang, superseded ? std::string("ui.pay_option_superseded")
                                              : "ui.pay_option_" + std::string(to_string(o.status))));
    x.set("instalment", o.is_partial_payment);
    if (o.fine_role != FineRole::none)
      x.set("role", d.view.t(lang, o.fine_role == FineRole::reduced ? "ui.pay_kind_fine_reduced"
                                                                    : "ui.pay_kind_fine_full"));
    Data transfers = web::list();
    for (const auto& t : o.transfers) {
      Data y;
      y.set("index", std::to_string(t.index));
      y.set("amount", web::format_cents(t.amount, lang));
      y.set("account",
            t.stamp ? d.view.t(lang, "ui.pay_staff_stamp") : (t.iban.empty() ? t.postal_iban : t.iban));
      y.set("remittance", t.remittance);
      y.set("category", t.category);
      transfers.push_back(y);
    }
    x.set("transfers", transfers);
    options.push_back(x);
    for (const auto& r : d.portal.receipts(c.body->id, o.iuv)) {
      Data y;
      y.set("nav", grouped(r.nav));
      y.set("psp", r.psp_id);
      y.set("receipt_id", r.receipt_id);
      y.set("amount", web::format_cents(r.amount, lang));
      y.set("at", time::it_datetime_text(r.payment_at));
      y.set("outcome", d.view.t(lang, "ui.pay_receipt_" + std::string(to_string(r.outcome))));
      if (r.outcome == ReceiptOutcome::recorded) y.set("href", base + "/ricevuta/" + r.iuv);
      receipts.push_back(y);
    }
  }
  Data history = web::list();
  for (const auto& e : d.portal.history(c.body->id, p->id)) {
    Data h;
    h.set("at", time::it_datetime_text(e.at));
    h.set("action", d.view.t(lang, "ui.pay_history_" + e.entry.action.substr(e.entry.action.find('.') + 1)));
    h.set("actor", d.actor_names ? d.actor_names->resolve(e.entry.actor_kind, e.entry.actor_id, lang).name
                                 : e.entry.actor_id);
    history.push_back(h);
  }
  page.data.set("history", history);
  page.data.set("iupd", p->iupd);
  page.data.set("state", staff_state_label(d, lang, p->status));
  page.data.set("debtor", p->debtor.full_name);
  page.data.set("fiscal_code", p->debtor.fiscal_code);
  page.data.set("created", time::format_it_datetime(p->created_at));
  page.data.set("created_by", d.actor_names ? d.actor_names->name(p->created_by, lang) : p->created_by);
  if (p->paid_at) page.data.set("paid_at", time::format_it_datetime(*p->paid_at));
  page.data.set("options", options);
  page.data.set("receipts", receipts);
  page.data.set("has_receipts", !receipts.is_empty_list());
  page.data.set("action", base);
  page.data.set("list_href", staff_base(*c.body));
  page.data.set("notice_href", payable(p->status) ? base + "/avviso.pdf" : "");
  const bool can_invalidate = d.payments.may_manage(c.who, c.body->id).ok() &&
                              (p->status == PositionStatus::draft || p->status == PositionStatus::published ||
                               p->status == PositionStatus::valid);
  page.data.set("can_invalidate", can_invalidate);
  page.data.set("confirm", confirm);
  page.data.set("done", req.query_param("fatto") == "1");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response staff_detail_get(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  return staff_detail(d, req, c, false, nullptr);
}

http::Response staff_detail_post(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (web::form_field(*form, "action") != "invalidate") return d.view.error_page(req, 400);
  // Not even the confirmation for who may not invalidate (the service checks again).
  if (auto st = d.payments.may_manage(c.who, c.body->id); !st)
    return identity::staff_refusal(d.view, req, st.error());
  if (web::form_field(*form, "confirm") != "1") return staff_detail(d, req, c, true, nullptr);
  auto p = d.payments.invalidate(c.who, c.body->id, req.param("id"));
  if (!p) {
    if (p.error().http_status == 404 || p.error().http_status == 403) return d.view.error_page(req, 404);
    return staff_detail(d, req, c, false, &p.error());
  }
  return web::see_other(staff_base(*c.body) + "/" + text::percent_encode(p->iupd) + "?fatto=1");
}

http::Response staff_notice_get(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  auto p = d.payments.get(c.who, c.body->id, req.param("id"));
  auto cr = d.payments.creditor(c.body->id);
  if (!p || !cr || !payable(p->status)) return d.view.error_page(req, 404);
  auto in = notice_input(*p, *cr, "");
  if (!in) return d.view.error_page(req, 404);
  auto pdf = stamped_pdf(d, req, c.body->id, "payment-notice",
                         d.view.t(req.ctx.locale, "payments_pdf.notice.kicker"), c.who->subject,
                         [&](const stamp::Block* b) {
                           in->stamp = b;
                           return render_payment_notice(*in, d.view.i18n(), req.ctx.locale);
                         });
  return web::download_response(std::move(pdf), "application/pdf", "avviso-" + p->iupd + ".pdf");
}

http::Response staff_receipt_get(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  auto p = d.payments.get(c.who, c.body->id, req.param("id"));
  auto cr = d.payments.creditor(c.body->id);
  if (!p || !cr) return d.view.error_page(req, 404);
  const auto iuv = req.param("iuv");
  bool own = false;
  for (const auto& o : p->options) own = own || o.iuv == iuv;
  auto r = own ? d.portal.paying_receipt(c.body->id, iuv) : std::nullopt;
  if (!r) return d.view.error_page(req, 404);
  auto in = receipt_input(*p, *cr, *r);
  auto pdf = stamped_pdf(d, req, c.body->id, "payment-receipt",
                         d.view.t(req.ctx.locale, "payments_pdf.receipt.title"), c.who->subject,
                         [&](const stamp::Block* b) {
                           in.stamp = b;
                           return render_payment_receipt(in, d.view.i18n(), req.ctx.locale);
                         });
  return web::download_response(std::move(pdf), "application/pdf", "ricevuta-" + iuv + ".pdf");
}

// The body's spontaneous-payment services (canteen top-ups, school fees): the list, and a form that adds
// one or changes the one of the same code (office managers and administrators; the others read).
http::Response services_page(PortalDeps& d, http::Request& req, const identity::StaffCall& c,
                             const http::Params* form, const Error* error, bool saved) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "payments_staff_services",
                                   d.view.t(lang, "ui.pay_services_title"), "ui.pay_staff_title",
                                   staff_base(*c.body), true);
  auto list = d.portal.body_services(c.who, c.body->id);
  if (!list) return identity::staff_refusal(d.view, req, list.error());
  const bool can_manage = static_cast<bool>(d.payments.may_manage(c.who, c.body->id));
  const std::string chosen = form ? web::form_field(*form, "code") : req.query_param("codice");
  const SpontaneousService* current = nullptr;
  Data rows = web::list();
  for (const auto& s : *list) {
    if (s.code == chosen) current = &s;
    Data r;
    r.set("code", s.code);
    r.set("label", lang == "en" && !s.label_en.empty() ? s.label_en : s.label_it);
    r.set("range", web::format_cents(s.min_amount, lang) + " – " + web::format_cents(s.max_amount, lang));
    r.set("iban", s.iban);
    r.set("category", s.category);
    r.set("state", d.view.t(lang, s.active ? "ui.pay_services_active" : "ui.pay_services_inactive"));
    r.set("edit_href", staff_base(*c.body) + "/servizi-spontanei?codice=" + text::percent_encode(s.code));
    rows.push_back(r);
  }
  page.data.set("services", rows);
  page.data.set("has_services", !list->empty());
  page.data.set("can_manage", can_manage);
  page.data.set("action", staff_base(*c.body) + "/servizi-spontanei");
  page.data.set("saved", saved);
  auto value = [&](const char* k, const std::string& from_current) {
    page.data.set(std::string("f_") + k, form ? web::form_field(*form, k) : from_current);
  };
  value("code", current ? current->code : "");
  value("label_it", current ? current->label_it : "");
  value("label_en", current ? current->label_en : "");
  value("min_amount", current ? money::format(current->min_amount) : "");
  value("max_amount", current ? money::format(current->max_amount) : "");
  value("iban", current ? current->iban : "");
  value("category", current ? current->category : "");
  value("remittance_prefix", current ? current->remittance_prefix : "");
  page.data.set("f_active",
                form ? !web::form_field(*form, "active").empty() : (current ? current->active : true));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response services_get(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  return services_page(d, req, c, nullptr, nullptr, req.query_param("salvato") == "1");
}

http::Response services_post(PortalDeps& d, http::Request& req, const identity::StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  SpontaneousService s;
  s.code = web::form_field(*form, "code");
  s.label_it = web::form_field(*form, "label_it");
  s.label_en = web::form_field(*form, "label_en");
  auto cents = [&](const char* k) -> money::Cents {
    auto v = money::parse(text::trim(web::form_field(*form, k)));
    return v ? *v : 0;
  };
  s.min_amount = cents("min_amount");
  s.max_amount = cents("max_amount");
  s.iban = web::form_field(*form, "iban");
  s.category = web::form_field(*form, "category");
  s.remittance_prefix = web::form_field(*form, "remittance_prefix");
  s.active = !web::form_field(*form, "active").empty();
  auto st = d.portal.save_spontaneous_service(c.who, c.body->id, s);
  if (!st) {
    if (st.error().http_status == 403 || st.error().http_status == 401)
      return identity::staff_refusal(d.view, req, st.error());
    return services_page(d, req, c, &*form, &st.error(), false);
  }
  return web::see_other(staff_base(*c.body) + "/servizi-spontanei?salvato=1");
}

}  // namespace

void register_staff_pages(http::Router& router, PortalDeps& d) {
  const std::string b = "/backoffice/{slug}/pagamenti";
  router.get(b, staff_pay_route(d, staff_list_get));
  router.get(b + "/servizi-spontanei", staff_pay_route(d, services_get));
  router.post(b + "/servizi-spontanei", staff_pay_route(d, services_post));
  router.get(b + "/{id}", staff_pay_route(d, staff_detail_get));
  router.post(b + "/{id}", staff_pay_route(d, staff_detail_post));
  router.get(b + "/{id}/avviso.pdf", staff_pay_route(d, staff_notice_get));
  router.get(b + "/{id}/ricevuta/{iuv}", staff_pay_route(d, staff_receipt_get));
}

}  // namespace sp::payments
