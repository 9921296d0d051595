#include "certificates/web.hpp"

#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::certificates {
namespace {

using web::Data;

const std::string kCounterBase = "/sportello-assistito/certificati";

std::string cert_param(const http::Params& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

int cert_int(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoi(s);
  } catch (...) {
    return -1;
  }
}

std::string kind_label(const WebDeps& d, const std::string& lang, const std::string& code) {
  return d.view.t(lang, "ui.cert_kind_" + code);
}

std::string person_label(const anpr::Person& p) {
  return p.name + " " + p.surname + " (" + p.codice_fiscale + ")";
}

Data kinds_data(const WebDeps& d, const std::string& lang, const std::string& selected) {
  Data list = web::list();
  for (const auto& k : kinds()) {
    Data k1;
    k1.set("code", k.code);
    k1.set("label", kind_label(d, lang, k.code));
    k1.set("checked", k.code == selected || (selected.empty() && k.code == "stato-famiglia"));
    list.push_back(k1);
  }
  return list;
}

Data exemptions_data(const WebDeps& d, const std::string& lang, bool online, int selected) {
  Data list = web::list();
  for (const auto& e : d.certificates.exemptions_today(online)) {
    Data x;
    x.set("code", std::to_string(e.code));
    x.set("label", d.view.t(lang, "ui.cert_exemption_" + std::to_string(e.code)));
    x.set("legal_basis", e.legal_basis);
    x.set("selected", e.code == selected);
    list.push_back(x);
  }
  return list;
}

Data request_data(const WebDeps& d, const std::string& lang, const Request& r, const std::string& href) {
  Data x;
  x.set("kind", kind_label(d, lang, r.kind));
  x.set("subject", r.subject_name);
  x.set("subject_cf", r.subject_cf);
  x.set("requester", r.requester_name.empty() ? r.requester_cf : r.requester_name);
  x.set("requester_type", d.view.t(lang, "ui.cert_requester_type_" + std::to_string(r.requester_type)));
  x.set("operator", r.operator_user);
  x.set("state", d.view.t(lang, "ui.cert_state_" + std::string(to_string(r.state))));
  x.set("created", time::it_datetime_text(r.created_at));
  x.set("href", href);
  x.set("issued", r.state == State::issued);
  x.set("pdf_href", href + "/certificato.pdf");
  return x;
}

web::Page cert_page(const WebDeps& d, const http::Request& req, const tenants::Body& body,
                    const std::string& tpl, const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.body_slug = body.slug;
  page.body_name = body.name;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {body.name, "/" + body.slug + "/"},
                     {d.view.t(lang, "ui.cert_title"), "/" + body.slug + "/certificati"}};
  if (title != d.view.t(lang, "ui.cert_title")) page.breadcrumb.push_back({title, ""});
  return page;
}

http::Response cert_html(const WebDeps& d, const http::Request& req, const web::Page& page,
                         int status = 200) {
  auto r = http::Response::html(d.view.render(req, page), status);
  r.header("Cache-Control", "no-store");
  return r;
}

// The signed-in person and the body of the URL, or the answer to send instead.
struct Citizen {
  const identity::Principal* who = nullptr;
  std::shared_ptr<const tenants::Body> body;
};
std::optional<http::Response> cert_citizen(const WebDeps& d, http::Request& req, Citizen& c) {
  c.body = d.tenants.by_slug(req.param("slug"));
  if (!c.body) return d.view.error_page(req, 404);
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  c.who = identity::principal_of(req);
  if (!c.who || c.who->kind != identity::PrincipalKind::person) return d.view.error_page(req, 403);
  return std::nullopt;
}

// The form, with an error message and the values kept when there is one.
http::Response cert_home(const WebDeps& d, http::Request& req, const Citizen& c, const Error* error,
                         const Choice& keep) {
  const auto& lang = req.ctx.locale;
  auto page = cert_page(d, req, *c.body, "certificates_home", d.view.t(lang, "ui.cert_title"));
  page.data.set("csrf", c.who->csrf_token);
  page.data.set("action", "/" + c.body->slug + "/certificati/anteprima");
  page.data.set("kinds", kinds_data(d, lang, keep.kind));
  page.data.set("purpose", keep.purpose);
  Data people = web::list();
  auto household = d.certificates.household(c.body->id, c.who->subject);
  if (household) {
    for (const auto& p : *household) {
      Data x;
      x.set("cf", p.codice_fiscale);
      x.set("label", person_label(p));
      x.set("selected", p.codice_fiscale == (keep.subject_cf.empty() ? c.who->subject : keep.subject_cf));
      people.push_back(x);
    }
  }
  page.data.set("people", people);
  page.data.set("has_people", household.ok() && !household->empty());
  if (!household && !error) error = &household.error();  // not resident here, ANPR unreachable ...
  if (error) page.data.set("error", d.view.i18n().message(lang, *error));
  Data mine = web::list();
  for (const auto& r : d.certificates.mine(c.body->id, c.who->subject))
    mine.push_back(request_data(d, lang, r, "/" + c.body->slug + "/certificati/" + r.token));
  page.data.set("mine", mine);
  page.data.set("has_mine", !d.certificates.mine(c.body->id, c.who->subject).empty());
  return cert_html(d, req, page, error ? error->http_status : 200);
}

http::Response cert_home_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = cert_citizen(d, req, c)) return *refusal;
  return cert_home(d, req, c, nullptr, {});
}

Choice cert_choice(const http::Params& form) {
  return Choice{cert_param(form, "subject"),        cert_param(form, "kind"),
                cert_param(form, "purpose"),        cert_int(cert_param(form, "exemption")),
                cert_param(form, "exemption_text"), cert_param(form, "means")};
}

http::Response cert_preview_post(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = cert_citizen(d, req, c)) return *refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Choice choice = cert_choice(*form);
  choice.exemption = 0;
  const Person who{c.who->subject, "", ""};
  auto p = d.certificates.preview(c.body->id, who, choice);
  if (!p) return cert_home(d, req, c, &p.error(), choice);
  const auto& lang = req.ctx.locale;
  auto page = cert_page(d, req, *c.body, "certificates_preview", d.view.t(lang, "ui.cert_preview_title"));
  page.data.set("csrf", c.who->csrf_token);
  page.data.set("action", "/" + c.body->slug + "/certificati");
  page.data.set("kind", choice.kind);
  page.data.set("kind_label", kind_label(d, lang, choice.kind));
  page.data.set("subject", choice.subject_cf);
  page.data.set("purpose", choice.purpose);
  page.data.set("name", p->subject.name + " " + p->subject.surname);
  page.data.set("cf", p->subject.codice_fiscale);
  page.data.set("birth", time::it_date_text(p->subject.birth_date) + " - " + p->subject.birth_place);
  const auto& a = p->subject.residence;
  page.data.set("residence", a.street_type + " " + a.street_name + " " + a.number + ", " + a.cap + " " +
                                 a.comune_name + " (" + a.province + ")");
  Data members = web::list();
  for (const auto& m : p->members) {
    Data x;
    x.set("label", person_label(m));
    members.push_back(x);
  }
  page.data.set("members", members);
  page.data.set("has_members", !p->members.empty());
  page.data.set("exempt_by_type", p->kind->stamp_exempt);
  page.data.set("pay_label",
                d.view.i18n().format(lang, "ui.cert_pay", {{"amount", web::format_cents(kStampDuty, lang)}}));
  if (const auto fee = d.certificates.fee_for(c.body->id, choice.kind); fee > 0)
    page.data.set("fees_label",
                  d.view.i18n().format(lang, "ui.cert_fees", {{"amount", web::format_cents(fee, lang)}}));
  page.data.set("exemptions", exemptions_data(d, lang, true, 0));
  return cert_html(d, req, page);
}

http::Response cert_request_post(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = cert_citizen(d, req, c)) return *refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Choice choice = cert_choice(*form);
  if (cert_param(*form, "mode") != "exemption") choice.exemption = 0;
  auto r = d.certificates.request_online(c.body->id, Person{c.who->subject, "", ""}, choice);
  if (!r) return cert_home(d, req, c, &r.error(), choice);
  return web::see_other("/" + c.body->slug + "/certificati/" + r->token);
}

http::Response cert_request_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = cert_citizen(d, req, c)) return *refusal;
  auto r = d.certificates.own(c.body->id, c.who->subject, req.param("token"));
  if (!r) return d.view.error_page(req, 404);
  // Paid and not yet issued (the receipt came while ANPR was unreachable, or just now): try once more;
  // the job keeps trying otherwise.
  if (r->state == State::queued) {
    if (auto again = d.certificates.issue(c.body->id, r->id)) r = again;
  }
  const auto& lang = req.ctx.locale;
  const std::string href = "/" + c.body->slug + "/certificati/" + r->token;
  auto page = cert_page(d, req, *c.body, "certificates_request", kind_label(d, lang, r->kind));
  page.data = request_data(d, lang, *r, href);
  page.data.set("csrf", c.who->csrf_token);
  page.data.set("awaiting_payment", r->state == State::awaiting_payment);
  page.data.set("queued", r->state == State::queued);
  page.data.set("refused", r->state == State::refused);
  if (r->state == State::refused)
    page.data.set("refusal", d.view.i18n().message(lang, refusal_error(r->refusal_code)));
  if (auto refund = r->state == State::refused ? d.certificates.refund_of(*r) : std::nullopt)
    page.data.set("refund_text",
                  refund->paid_on.empty()
                      ? d.view.i18n().format(
                            lang, "ui.cert_refund_text",
                            {{"amount", web::format_cents(refund->amount, lang)}, {"body", c.body->name}})
                      : d.view.i18n().format(lang, "ui.cert_refund_paid_text",
                                             {{"amount", web::format_cents(refund->amount, lang)},
                                              {"body", c.body->name},
                                              {"date", time::it_date_text(refund->paid_on)},
                                              {"reference", refund->paid_reference}}));
  page.data.set("awaiting_text",
                d.view.i18n().format(lang, "ui.cert_awaiting_text",
                                     {{"amount", web::format_cents(r->stamp_duty + r->fees, lang)}}));
  page.data.set("notice_ref", c.body->slug + ":3" + r->iuv);
  page.data.set("sha256", r->sha256);
  page.data.set("protocol", r->anpr_protocol);
  auto out = cert_html(d, req, page);
  if (r->state == State::awaiting_payment) {
    out.header(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' "
        "data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'" +
            d.checkout_origins);
  }
  return out;
}

http::Response cert_pdf_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = cert_citizen(d, req, c)) return *refusal;
  auto r = d.certificates.own(c.body->id, c.who->subject, req.param("token"));
  if (!r) return d.view.error_page(req, 404);
  auto bytes = d.certificates.pdf(*r);
  if (!bytes) return d.view.error_page(req, 404);
  return web::download_response(std::move(*bytes), "application/pdf",
                                "certificato-" + r->anpr_protocol + ".pdf");
}

// ---- The counter ----------------------------------------------------------------------------------------

std::string receipt_number(const CounterFee& f) {
  return std::to_string(f.receipt_no) + "/" + std::to_string(f.receipt_year);
}

Data counter_row(const WebDeps& d, const std::string& lang, const tenants::Body& body, const Request& r) {
  Data x = request_data(d, lang, r, kCounterBase + "/" + r.token);
  x.set("pdf_href", kCounterBase + "/" + r.token + "/certificato.pdf?ente=" + body.slug);
  if (r.fees > 0) {
    x.set("fee", web::format_cents(r.fees, lang));
    if (auto f = d.certificates.counter_fee(r)) {
      x.set("fee_collected", true);
      x.set("fee_text", d.view.i18n().format(
                            lang, "ui.cert_counter_fee_collected",
                            {{"amount", web::format_cents(f->amount, lang)},
                             {"means", d.view.t(lang, "ui.cert_means_" + std::string(to_string(f->means)))},
                             {"number", receipt_number(*f)}}));
      x.set("receipt_href", kCounterBase + "/" + r.token + "/ricevuta?ente=" + body.slug);
    }
  }
  return x;
}

http::Response counter_page(WebDeps& d, http::Request& req, const identity::StaffCall& call,
                            const tenants::Body& body, const Error* error, const Request* done,
                            const http::Params* keep) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "certificates_counter";
  page.title = d.view.t(lang, "ui.cert_counter_title") + " - " + body.name;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  page.data.set("csrf", call.who->csrf_token);
  page.data.set("action", kCounterBase);
  page.data.set("ente", body.slug);
  page.data.set("body_name", body.name);
  auto keep_of = [&](const char* name) { return keep ? cert_param(*keep, name) : std::string(); };
  page.data.set("kinds", kinds_data(d, lang, keep_of("kind")));
  page.data.set("exemptions", exemptions_data(d, lang, false, cert_int(keep_of("exemption"))));
  page.data.set("subject", keep_of("subject"));
  page.data.set("requester_cf", keep_of("requester_cf"));
  page.data.set("requester_surname", keep_of("requester_surname"));
  page.data.set("requester_first", keep_of("requester_first"));
  page.data.set("purpose", keep_of("purpose"));
  Data types = web::list();
  for (int t : {1, 2, 3}) {
    Data x;
    x.set("value", std::to_string(t));
    x.set("label", d.view.t(lang, "ui.cert_requester_type_" + std::to_string(t)));
    x.set("checked", keep_of("requester_type") == std::to_string(t) || (!keep && t == 1));
    types.push_back(x);
  }
  page.data.set("requester_types", types);
  Data means = web::list();
  for (auto m : {Means::cash, Means::pos}) {
    const std::string v(to_string(m));
    Data x;
    x.set("value", v);
    x.set("label", d.view.t(lang, "ui.cert_means_" + v));
    x.set("checked", keep_of("means") == v || (keep_of("means").empty() && m == Means::cash));
    means.push_back(x);
  }
  page.data.set("means", means);
  page.data.set("means_invalid", error != nullptr && error->field == "means");
  if (error) page.data.set("error", d.view.i18n().message(lang, *error));
  if (done) {
    page.data.set("done", counter_row(d, lang, body, *done));
    if (done->state == State::refused)
      page.data.set("refusal", d.view.i18n().message(lang, refusal_error(done->refusal_code)));
  }
  Data list = web::list();
  for (const auto& r : d.certificates.counter_list(body.id)) list.push_back(counter_row(d, lang, body, r));
  page.data.set("list", list);
  return cert_html(d, req, page, error ? error->http_status : 200);
}

// Without ?ente=: the comuni to choose from (the counter serves every member body).
http::Response counter_get(WebDeps& d, http::Request& req, const identity::StaffCall& call) {
  auto body = d.tenants.by_slug(req.query_param("ente"));
  if (body) return counter_page(d, req, call, *body, nullptr, nullptr, nullptr);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "certificates_counter";
  page.title = d.view.t(lang, "ui.cert_counter_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  Data bodies = web::list();
  for (const auto& b : d.tenants.snapshot()->bodies) {
    if (b->istat_code.size() != 6) continue;
    Data x;
    x.set("name", b->name);
    x.set("href", kCounterBase + "?ente=" + b->slug);
    bodies.push_back(x);
  }
  page.data.set("pick", true);
  page.data.set("bodies", bodies);
  return cert_html(d, req, page);
}

http::Response counter_post(WebDeps& d, http::Request& req, const identity::StaffCall& call) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  auto body = d.tenants.by_slug(cert_param(*form, "ente"));
  if (!body) return d.view.error_page(req, 404);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const Person requester{cert_param(*form, "requester_cf"), cert_param(*form, "requester_surname"),
                         cert_param(*form, "requester_first")};
  auto r = d.certificates.issue_at_counter(body->id, call.who->subject, requester,
                                           cert_int(cert_param(*form, "requester_type")), cert_choice(*form));
  if (!r) return counter_page(d, req, call, *body, &r.error(), nullptr, &*form);
  return counter_page(d, req, call, *body, nullptr, &*r, nullptr);
}

// The receipt of the diritti di segreteria collected at the counter, for the person (printable).
http::Response counter_receipt(WebDeps& d, http::Request& req, const identity::StaffCall&) {
  auto body = d.tenants.by_slug(req.query_param("ente"));
  if (!body) return d.view.error_page(req, 404);
  auto r = d.certificates.of_body(body->id, req.param("token"));
  if (!r || r->channel != Channel::counter) return d.view.error_page(req, 404);
  auto f = d.certificates.counter_fee(*r);
  if (!f) return d.view.error_page(req, 404);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "certificates_counter_receipt";
  page.title = d.view.t(lang, "ui.cert_receipt_title") + " " + receipt_number(*f) + " - " + body->name;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.cert_counter_title"), kCounterBase + "?ente=" + body->slug},
                     {d.view.t(lang, "ui.cert_receipt_title"), ""}};
  auto& x = page.data;
  x.set("body_name", body->name);
  x.set("number", receipt_number(*f));
  x.set("collected", time::it_datetime_text(f->collected_at));
  x.set("amount", web::format_cents(f->amount, lang));
  x.set("means", d.view.t(lang, "ui.cert_means_" + std::string(to_string(f->means))));
  x.set("kind", kind_label(d, lang, f->kind));
  x.set("subject", f->subject_name + " (" + f->subject_cf + ")");
  x.set("requester",
        (f->requester_name.empty() ? f->requester_cf : f->requester_name + " (" + f->requester_cf + ")"));
  x.set("protocol", f->anpr_protocol);
  x.set("operator", f->collected_by);
  x.set("back_href", kCounterBase + "?ente=" + body->slug);
  return cert_html(d, req, page);
}

http::Response counter_pdf(WebDeps& d, http::Request& req, const identity::StaffCall&) {
  auto body = d.tenants.by_slug(req.query_param("ente"));
  if (!body) return d.view.error_page(req, 404);
  auto r = d.certificates.of_body(body->id, req.param("token"));
  if (!r) return d.view.error_page(req, 404);
  auto bytes = d.certificates.pdf(*r);
  if (!bytes) return d.view.error_page(req, 404);
  return web::download_response(std::move(*bytes), "application/pdf",
                                "certificato-" + r->anpr_protocol + ".pdf");
}

// ---- The body's office: diritti di segreteria and refunds due ---------------------------------------------

std::string office_href(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/certificati";
}

// What a staff member typed in one refund's form, kept when it is refused.
struct RefundTyped {
  std::string request_id;
  std::string paid_on;
  std::string reference;
};

http::Response office_page(WebDeps& d, http::Request& req, const identity::StaffCall& a, const Error* error,
                           bool saved, const RefundTyped* typed = nullptr) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "certificates_office",
                                   d.view.t(lang, "ui.cert_office_title"), "", "", false);
  auto fees = d.certificates.fees(a.who, a.body->id);
  if (!fees) return d.view.error_page(req, fees.error().http_status);
  auto refunds = d.certificates.refunds(a.who, a.body->id);
  if (!refunds) return d.view.error_page(req, refunds.error().http_status);
  auto& x = page.data;
  x.set("title", page.title);
  x.set("action", office_href(*a.body) + "/diritti");
  x.set("saved", saved);
  x.set("refund_saved", !error && req.query_param("rimborso") == "1");
  if (error) {
    x.set("error", d.view.i18n().message(lang, *error));
    if (!error->field.empty()) x.set("error_field", error->field);
  }
  Data rows = web::list();
  for (const auto& k : kinds()) {
    Data r;
    r.set("code", k.code);
    r.set("label", kind_label(d, lang, k.code));
    const auto cents = fees->at(k.code);
    r.set("value",
          std::to_string(cents / 100) + "," + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100));
    r.set("invalid", error && error->field == "fee_" + k.code);
    rows.push_back(r);
  }
  x.set("fees", rows);
  Data due = web::list();
  std::size_t n = 0;
  for (const auto& f : *refunds) {
    Data r;
    r.set("created", time::it_datetime_text(f.created_at));
    r.set("requester",
          f.requester_name.empty() ? f.requester_cf : f.requester_name + " (" + f.requester_cf + ")");
    r.set("kind", kind_label(d, lang, f.kind));
    r.set("amount", web::format_cents(f.amount, lang));
    r.set("detail", d.view.i18n().format(lang, "ui.cert_refund_detail",
                                         {{"stamp", web::format_cents(f.stamp, lang)},
                                          {"fees", web::format_cents(f.fees, lang)}}));
    r.set("iuv", f.iuv);
    r.set("reason", d.view.i18n().message(lang, refusal_error(f.reason)));
    r.set("n", std::to_string(++n));
    r.set("paid", !f.paid_on.empty());
    if (!f.paid_on.empty())
      r.set("paid_text",
            d.view.i18n().format(lang, "ui.cert_office_refund_paid",
                                 {{"date", time::it_date_text(f.paid_on)}, {"reference", f.paid_reference}}));
    r.set("pay_action", office_href(*a.body) + "/rimborsi/" + f.request_id);
    const bool mine = typed && typed->request_id == f.request_id;
    r.set("paid_on", mine ? typed->paid_on : std::string());
    r.set("reference", mine ? typed->reference : std::string());
    r.set("date_invalid", mine && error && error->field == "paid_on");
    r.set("reference_invalid", mine && error && error->field == "reference");
    due.push_back(r);
  }
  x.set("refunds", due);
  x.set("has_refunds", !refunds->empty());
  // The day's takings at the counter (diritti di segreteria), by means.
  std::string day = req.query_param("giorno");
  if (day.empty()) day = d.certificates.today();
  auto takings = d.certificates.takings(a.who, a.body->id, day);
  if (!takings) {
    if (takings.error().http_status == 403) return d.view.error_page(req, 403);
    x.set("takings_error", d.view.i18n().message(lang, takings.error()));
    day = d.certificates.today();
    takings = d.certificates.takings(a.who, a.body->id, day);
  }
  x.set("takings_day", req.query_param("giorno").empty() ? day : req.query_param("giorno"));
  x.set("takings_caption",
        d.view.i18n().format(lang, "ui.cert_takings_of_day", {{"date", time::it_date_text(day)}}));
  x.set("takings_action", office_href(*a.body));
  Data trows = web::list();
  money::Cents cash = 0;
  money::Cents pos = 0;
  if (takings) {
    for (const auto& f : *takings) {
      Data r;
      r.set("number", receipt_number(f));
      r.set("collected", time::it_datetime_text(f.collected_at));
      r.set("kind", kind_label(d, lang, f.kind));
      r.set("requester", f.requester_name.empty() ? f.requester_cf : f.requester_name);
      r.set("means", d.view.t(lang, "ui.cert_means_" + std::string(to_string(f.means))));
      r.set("amount", web::format_cents(f.amount, lang));
      r.set("operator", f.collected_by);
      (f.means == Means::pos ? pos : cash) += f.amount;
      trows.push_back(r);
    }
  }
  x.set("takings", trows);
  x.set("has_takings", takings && !takings->empty());
  x.set("takings_cash", web::format_cents(cash, lang));
  x.set("takings_pos", web::format_cents(pos, lang));
  x.set("takings_total", web::format_cents(cash + pos, lang));
  return web::private_page(d.view, req, page, error ? error->http_status : 200);
}

http::Response office_get(WebDeps& d, http::Request& req, const identity::StaffCall& a) {
  return office_page(d, req, a, nullptr, req.query_param("salvato") == "1");
}

// "1,50", "1.50", "2" → cents; nullopt when not an amount.
std::optional<money::Cents> cert_cents(std::string text) {
  for (auto& ch : text)
    if (ch == ',') ch = '.';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  if (text.empty()) return money::Cents{0};
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? std::string() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 5 || frac.size() > 2) return std::nullopt;
  for (char ch : whole + frac)
    if (ch < '0' || ch > '9') return std::nullopt;
  while (frac.size() < 2) frac += '0';
  return std::stoll(whole) * 100 + std::stoll(frac);
}

http::Response office_post(WebDeps& d, http::Request& req, const identity::StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::map<std::string, money::Cents> amounts;
  for (const auto& k : kinds()) {
    auto it = form->find("fee_" + k.code);
    if (it == form->end()) continue;
    auto cents = cert_cents(it->second);
    if (!cents) {
      const Error e = Error::for_field("certificates.fee", "fee_" + k.code, 422);
      return office_page(d, req, a, &e, false);
    }
    amounts[k.code] = *cents;
  }
  if (auto st = d.certificates.set_fees(a.who, a.body->id, amounts); !st)
    return office_page(d, req, a, &st.error(), false);
  return web::see_other(office_href(*a.body) + "?salvato=1");
}

// The treasury paid a refund back: its value date and reference, recorded once.
http::Response refund_paid_post(WebDeps& d, http::Request& req, const identity::StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  RefundTyped typed{std::string(req.param("request")), web::form_field(*form, "paid_on"),
                    web::form_field(*form, "reference")};
  auto done =
      d.certificates.record_refund_paid(a.who, a.body->id, typed.request_id, typed.paid_on, typed.reference);
  if (!done) {
    if (done.error().http_status == 404 || done.error().http_status == 403)
      return d.view.error_page(req, done.error().http_status);
    return office_page(d, req, a, &done.error(), false, &typed);
  }
  return web::see_other(office_href(*a.body) + "?rimborso=1#cert-refunds");
}

}  // namespace

void register_pages(http::Router& router, WebDeps& deps) {
  WebDeps* d = &deps;
  router.get("/{slug}/certificati", [d](http::Request& r) { return cert_home_get(*d, r); });
  router.post("/{slug}/certificati", [d](http::Request& r) { return cert_request_post(*d, r); });
  router.post("/{slug}/certificati/anteprima", [d](http::Request& r) { return cert_preview_post(*d, r); });
  router.get("/{slug}/certificati/{token}", [d](http::Request& r) { return cert_request_get(*d, r); });
  router.get("/{slug}/certificati/{token}/certificato.pdf",
             [d](http::Request& r) { return cert_pdf_get(*d, r); });
  router.get("/backoffice/{slug}/certificati",
             identity::staff_route(deps, identity::Permission::manage_payments, office_get));
  router.post("/backoffice/{slug}/certificati/diritti",
              identity::staff_route(deps, identity::Permission::manage_payments, office_post));
  router.post("/backoffice/{slug}/certificati/rimborsi/{request}",
              identity::staff_route(deps, identity::Permission::manage_payments, refund_paid_post));
  router.get(kCounterBase, identity::hub_staff_route(deps, identity::Permission::counter, counter_get));
  router.post(kCounterBase, identity::hub_staff_route(deps, identity::Permission::counter, counter_post));
  router.get(kCounterBase + "/{token}/certificato.pdf",
             identity::hub_staff_route(deps, identity::Permission::counter, counter_pdf));
  router.get(kCounterBase + "/{token}/ricevuta",
             identity::hub_staff_route(deps, identity::Permission::counter, counter_receipt));
}

}  // namespace sp::certificates
