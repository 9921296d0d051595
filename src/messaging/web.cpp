#include "messaging/web.hpp"

#include <algorithm>

#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::messaging {
namespace {

using identity::staff_route;
using identity::StaffCall;
using web::Data;

constexpr const char* kArea = "/area-personale/messaggi";

std::string masked(const std::string& channel, const std::string& address) {
  if (channel == "appio") return "App IO";
  if (channel == "sms") {
    if (address.size() < 8) return "***";
    return address.substr(0, 3) + std::string(address.size() - 7, '*') + address.substr(address.size() - 4);
  }
  const auto at = address.rfind('@');
  if (at == std::string::npos || at == 0) return "***";
  return address.substr(0, 1) + "***" + address.substr(at);
}

std::string type_label(WebDeps& d, std::string_view lang, const std::string& type) {
  if (type.empty()) return d.view.t(lang, "ui.msg_type_other");
  std::string name = type;
  std::replace(name.begin(), name.end(), '.', '_');
  const std::string key = "ui.msg_type_" + name;
  const auto& label = d.view.t(lang, key);
  return label == key ? type : label;
}

std::string state_label(WebDeps& d, std::string_view lang, const std::string& state) {
  return d.view.t(lang, "ui.msg_state_" + state);
}

std::string channel_label(WebDeps& d, std::string_view lang, const std::string& channel) {
  return d.view.t(lang, "ui.msg_channel_" + channel);
}

std::string body_name(WebDeps& d, std::string_view lang, std::int64_t tenant) {
  if (tenant == 0) return d.view.t(lang, "ui.msg_hub");
  auto b = d.tenants.by_id(tenant);
  return b ? b->name : std::to_string(tenant);
}

Data message_row(WebDeps& d, std::string_view lang, const StoredMessage& m, const std::string& href) {
  Data row;
  row.set("id", m.id);
  row.set("href", href);
  row.set("when", time::it_datetime_text(m.created_at));
  row.set("body", body_name(d, lang, m.message.tenant_id));
  row.set("type", type_label(d, lang, m.message.type));
  // The subject only: a message's text may hold a verification code, which a page must not repeat.
  row.set("subject", m.message.subject.empty() ? type_label(d, lang, m.message.type) : m.message.subject);
  const std::string channel =
      m.delivered_channel.empty() ? std::string(to_string(m.message.channel)) : m.delivered_channel;
  row.set("channel", channel_label(d, lang, channel));
  row.set("to", masked(std::string(to_string(m.message.channel)), m.message.recipient));
  row.set("state", state_label(d, lang, m.status));
  row.set("state_code", m.status);
  row.set("attempts", std::to_string(m.attempts));
  row.set("bad", m.status == "permanent_failure" || m.status == "dead");
  row.set("good", m.status == "delivered");
  if (!m.message.fallback_of.empty()) row.set("fallback", true);
  return row;
}

Data attempts_data(WebDeps& d, std::string_view lang, const std::vector<Attempt>& attempts,
                   bool show_errors) {
  Data rows = web::list();
  for (const auto& a : attempts) {
    Data r;
    r.set("n", std::to_string(a.attempt));
    r.set("channel", channel_label(d, lang, a.channel));
    r.set("started", time::it_datetime_text(a.started_at));
    r.set("finished", a.finished_at.empty() ? std::string("—") : time::it_datetime_text(a.finished_at));
    r.set("outcome", d.view.t(lang, "ui.msg_outcome_" + a.outcome));
    r.set("outcome_code", a.outcome);
    r.set("provider_id", a.provider_message_id.empty() ? std::string("—") : a.provider_message_id);
    // A PEC failure in words (person and staff); the provider's raw text for staff only.
    if (const auto reason = pec_reason_key(a.error); !reason.empty()) r.set("reason", d.view.t(lang, reason));
    if (show_errors && !a.error.empty()) r.set("error", a.error);
    rows.push_back(r);
  }
  return rows;
}

// The PEC provider's receipts (staff): what each one is, when the provider issued it, and what it did.
Data receipts_data(WebDeps& d, std::string_view lang, const std::vector<pec::ReceiptRow>& receipts) {
  Data rows = web::list();
  for (const auto& r : receipts) {
    Data x;
    x.set("kind", d.view.t(lang, "ui.pec_receipt_" + r.kind));
    x.set("kind_code", r.kind);
    x.set("issued", r.issued_at);
    x.set("provider", r.provider);
    x.set("recipient", r.recipient.empty() ? std::string("—") : r.recipient);
    if (r.errore != "nessuno")
      x.set("error", r.errore + (r.errore_esteso.empty() ? "" : " — " + r.errore_esteso));
    x.set("identificativo", r.identificativo);
    x.set("recorded", time::it_datetime_text(r.recorded_at));
    rows.push_back(x);
  }
  return rows;
}

void detail_data(WebDeps& d, std::string_view lang, Data& x, const MessageDetail& m, bool staff) {
  x.set("message", message_row(d, lang, m.message, ""));
  x.set("attempts", attempts_data(d, lang, m.attempts, staff));
  x.set("has_attempts", !m.attempts.empty());
  const bool pec = m.message.message.channel == Channel::pec || m.message.delivered_channel == "pec";
  // A PEC message handed to the provider waits for its receipts: say so rather than "being delivered".
  x.set("state_help",
        d.view.t(lang, pec && m.message.status == "sending" && !m.message.delivered_channel.empty()
                           ? std::string("ui.msg_state_help_sending_pec")
                           : "ui.msg_state_help_" + m.message.status));
  if (staff && pec) {
    x.set("receipts", receipts_data(d, lang, m.receipts));
    x.set("has_receipts", !m.receipts.empty());
    x.set("pec", true);
  }
  if (staff && !m.message.last_error.empty()) x.set("last_error", m.message.last_error);
  if (!m.message.status_changed_at.empty())
    x.set("changed", time::it_datetime_text(m.message.status_changed_at));
}

// --- the person ---------------------------------------------------------------------------------------

http::Response area_page(WebDeps& d, http::Request& req, const std::map<std::string, std::string>* typed,
                         const Error* error) {
  const auto* who = identity::principal_of(req);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "messaging_area";
  page.title = d.view.t(lang, "ui.msg_area_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  auto& x = page.data;
  x.set("csrf", who->csrf_token);
  auto messages = d.messaging.my_messages(who);
  if (!messages) return d.view.error_page(req, messages.error().http_status);
  Data rows = web::list();
  for (const auto& m : *messages) rows.push_back(message_row(d, lang, m, std::string(kArea) + "/" + m.id));
  x.set("messages", rows);
  x.set("has_messages", !messages->empty());

  auto prefs = d.messaging.preferences(who);
  if (!prefs) return d.view.error_page(req, prefs.error().http_status);
  const auto usable = choosable(d.messaging.contacts_of(who->subject));
  Data types = web::list();
  for (const auto& c : *prefs) {
    Data t;
    const std::string name(c.type->name);
    std::string field = "pref_" + name;
    std::string id = field;
    std::replace(id.begin(), id.end(), '.', '-');
    t.set("field", field);
    t.set("id", id);
    t.set("label", type_label(d, lang, name));
    t.set("class", d.view.t(lang, "ui.msg_class_" + std::string(to_string(c.type->cls))));
    std::string route;
    for (const auto& r : c.plan.send) {
      if (!route.empty()) route += ", ";
      route += channel_label(d, lang, std::string(to_string(r.channel)));
    }
    t.set("route", route.empty() ? d.view.t(lang, "ui.msg_route_none") : route);
    if (!c.plan.fallbacks.empty()) {
      std::string fb;
      for (const auto& r : c.plan.fallbacks) {
        if (!fb.empty()) fb += ", ";
        fb += channel_label(d, lang, std::string(to_string(r.channel)));
      }
      t.set("fallbacks", fb);
    }
    if (person_chooses(*c.type)) {
      std::string current = c.choice;
      if (typed) {
        auto it = typed->find(field);
        current = it == typed->end() ? std::string() : it->second;
      }
      Data options = web::list();
      Data def;
      def.set("value", std::string());
      def.set("label", d.view.t(lang, "ui.msg_choice_default"));
      def.set("selected", current.empty());
      options.push_back(def);
      for (auto ch : usable) {
        Data o;
        const std::string v(to_string(ch));
        o.set("value", v);
        o.set("label", channel_label(d, lang, v));
        o.set("selected", current == v);
        options.push_back(o);
      }
      t.set("options", options);
      t.set("choosable", true);
      if (error && error->field == field) t.set("invalid", true);
    }
    types.push_back(t);
  }
  x.set("types", types);
  if (req.query_param("esito") == "salvato") x.set("saved", true);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response area_get(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  return area_page(d, req, nullptr, nullptr);
}

http::Response area_preferences(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::map<std::string, std::string> choices;
  for (const auto& t : message_types()) {
    if (!person_chooses(t)) continue;
    const std::string field = "pref_" + std::string(t.name);
    if (form->count(field) == 0) continue;
    choices[std::string(t.name)] = web::form_field(*form, field);
  }
  auto st = d.messaging.set_preferences(identity::principal_of(req), choices);
  if (!st) {
    std::map<std::string, std::string> typed;
    for (const auto& [k, v] : choices) typed["pref_" + k] = v;
    return area_page(d, req, &typed, &st.error());
  }
  return web::see_other(std::string(kArea) + "?esito=salvato#preferenze");
}

http::Response area_message(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto& lang = req.ctx.locale;
  auto m = d.messaging.my_message(identity::principal_of(req), req.param("id"));
  if (!m) return d.view.error_page(req, m.error().http_status);
  web::Page page;
  page.template_name = "messaging_message";
  page.title = d.view.t(lang, "ui.msg_detail_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {d.view.t(lang, "ui.msg_area_title"), kArea},
                     {page.title, ""}};
  detail_data(d, lang, page.data, *m, false);
  page.data.set("back", std::string(kArea));
  return web::private_page(d.view, req, page);
}

// --- staff --------------------------------------------------------------------------------------------

std::string staff_base(const StaffCall& c) {
  return "/backoffice/" + c.body->slug + "/messaggi";
}

std::string state_of_query(std::string_view q) {
  if (q == "in-coda") return "queued";
  if (q == "in-invio") return "sending";
  if (q == "consegnati") return "delivered";
  if (q == "in-errore") return "temporary_failure";
  if (q == "rifiutati") return "permanent_failure";
  if (q == "annullati") return "cancelled";
  if (q == "falliti") return "dead";
  return {};
}

http::Response staff_list(WebDeps& d, http::Request& req, const StaffCall& c) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "messaging_staff",
                                   d.view.t(lang, "ui.msg_staff_title"), "", "", false);
  const std::string filter = req.query_param("stato");
  auto found = d.messaging.body_messages(c.who, c.body->id, state_of_query(filter));
  if (!found) return identity::staff_refusal(d.view, req, found.error());
  Data filters = web::list();
  for (const char* q :
       {"", "falliti", "rifiutati", "in-errore", "in-coda", "in-invio", "consegnati", "annullati"}) {
    Data f;
    f.set("label", d.view.t(lang, std::string("ui.msg_filter_") + (*q ? q : "tutti")));
    f.set("href", staff_base(c) + (*q ? std::string("?stato=") + q : std::string()));
    f.set("current", filter == q);
    filters.push_back(f);
  }
  page.data.set("filters", filters);
  Data rows = web::list();
  for (const auto& m : *found) rows.push_back(message_row(d, lang, m, staff_base(c) + "/" + m.id));
  page.data.set("messages", rows);
  page.data.set("has_messages", !found->empty());
  page.data.set("templates_href", "/backoffice/" + c.body->slug + "/modelli-messaggi");
  return web::private_page(d.view, req, page);
}

http::Response staff_detail_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto m = d.messaging.body_message(c.who, c.body->id, req.param("id"));
  if (!m) {
    if (m.error().http_status == 404) return d.view.error_page(req, 404);
    return identity::staff_refusal(d.view, req, m.error());
  }
  auto page =
      web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "messaging_message",
                           d.view.t(lang, "ui.msg_detail_title"), "ui.msg_staff_title", staff_base(c), true);
  detail_data(d, lang, page.data, *m, true);
  page.data.set("staff", true);
  page.data.set("back", staff_base(c));
  const auto state = parse_state(m->message.status).value_or(State::queued);
  if (next(state, Event::retry).change == Change::moved && m->fallback.empty())
    page.data.set("retry_action", staff_base(c) + "/" + m->message.id + "/riprova");
  if (!m->fallback.empty()) page.data.set("fallback_href", staff_base(c) + "/" + m->fallback);
  if (next(state, Event::cancel).change == Change::moved)
    page.data.set("cancel_action", staff_base(c) + "/" + m->message.id + "/annulla");
  const auto done = req.query_param("esito");
  if (done == "riprovato" || done == "annullato")
    page.data.set("notice", d.view.t(lang, "ui.msg_notice_" + done));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response staff_detail(WebDeps& d, http::Request& req, const StaffCall& c) {
  return staff_detail_page(d, req, c, nullptr);
}

http::Response staff_action(WebDeps& d, http::Request& req, const StaffCall& c, bool retry) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string id = req.param("id");
  auto r = retry ? d.messaging.retry(c.who, c.body->id, id) : d.messaging.cancel(c.who, c.body->id, id);
  if (!r) {
    if (r.error().http_status == 404) return d.view.error_page(req, 404);
    return staff_detail_page(d, req, c, &r.error());
  }
  return web::see_other(staff_base(c) + "/" + id + (retry ? "?esito=riprovato" : "?esito=annullato"));
}

http::Response staff_retry(WebDeps& d, http::Request& req, const StaffCall& c) {
  return staff_action(d, req, c, true);
}
http::Response staff_cancel(WebDeps& d, http::Request& req, const StaffCall& c) {
  return staff_action(d, req, c, false);
}

// --- templates ----------------------------------------------------------------------------------------

std::string templates_base(const StaffCall& c) {
  return "/backoffice/" + c.body->slug + "/modelli-messaggi";
}

http::Response templates_page(WebDeps& d, http::Request& req, const StaffCall& c, const TemplateForm* typed,
                              const Error* error, const std::string* typed_days = nullptr) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "messaging_templates",
                                   d.view.t(lang, "ui.msg_templates_title"), "", "", false);
  auto rows = d.messaging.templates(c.who, c.body->id);
  if (!rows) return identity::staff_refusal(d.view, req, rows.error());
  Data types = web::list();
  for (const auto& t : message_types()) {
    if (!has_template(t)) continue;
    const std::string name(t.name);
    for (const char* l : {"it", "en"}) {
      Data x;
      std::string id = name + "-" + l;
      std::replace(id.begin(), id.end(), '.', '-');
      x.set("id", id);
      x.set("type", name);
      x.set("lang", std::string(l));
      x.set("label", type_label(d, lang, name));
      x.set("lang_label", d.view.t(lang, std::string("ui.msg_lang_") + l));
      std::string placeholders;
      for (auto p : kCommonPlaceholders) placeholders += "{" + std::string(p) + "} ";
      for (auto p : t.placeholders) placeholders += "{" + std::string(p) + "} ";
      x.set("placeholders", placeholders);
      const store::TemplateRow* own = nullptr;
      for (const auto& r : *rows)
        if (r.type == name && r.lang == l) own = &r;
      // The hub's text (the locales) when the body has none.
      const std::string key = hub_text_key(name);
      auto dflt = [&](const char* part) {
        const std::string k = key + "." + part;
        const auto& v = d.view.t(l, k);
        return v == k ? std::string() : v;
      };
      std::string subject = own ? own->subject : dflt("subject");
      std::string body = own ? own->body : dflt("body");
      std::string sms = own ? own->sms : dflt("sms");
      if (typed && typed->type == name && typed->lang == l) {
        subject = typed->subject;
        body = typed->body;
        sms = typed->sms;
        x.set("open", true);
        if (error) {
          x.set("tpl_error", d.view.i18n().message(lang, *error));
          x.set("tpl_error_code", error->code);
          x.set("tpl_field_" + error->field, true);
        }
      }
      x.set("subject", subject);
      x.set("body", body);
      x.set("sms", sms);
      x.set("own", own != nullptr);
      if (own)
        x.set("version", web::ui(d.view, lang, "ui.msg_template_version",
                                 {{"version", std::to_string(own->version)},
                                  {"when", time::it_datetime_text(own->updated_at)}}));
      x.set("action", templates_base(c));
      x.set("reset_action", templates_base(c) + "/ripristina");
      types.push_back(x);
    }
  }
  page.data.set("templates", types);
  page.data.set("settings_action", templates_base(c) + "/impostazioni");
  page.data.set("payment_due_days",
                typed_days ? *typed_days : std::to_string(d.messaging.payment_due_days(c.body->id)));
  if (error && error->field == "payment_due_days") page.data.set("days_invalid", true);
  if (auto saved = req.query_param("salvato"); !saved.empty()) page.data.set("saved", true);
  if (auto reset = req.query_param("ripristinato"); !reset.empty()) page.data.set("reset", true);
  if (error) {  // the summary; the form at fault marks its own field (tpl_field_*)
    page.data.set("error", d.view.i18n().message(lang, *error));
    page.data.set("error_code", error->code);
  }
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response templates_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return templates_page(d, req, c, nullptr, nullptr);
}

http::Response templates_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  TemplateForm f{web::form_field(*form, "type"), web::form_field(*form, "lang"),
                 web::form_field(*form, "subject"), web::form_field(*form, "body"),
                 web::form_field(*form, "sms")};
  auto saved = d.messaging.save_template(c.who, c.body->id, f);
  if (!saved) return templates_page(d, req, c, &f, &saved.error());
  std::string anchor = f.type + "-" + f.lang;
  std::replace(anchor.begin(), anchor.end(), '.', '-');
  return web::see_other(templates_base(c) + "?salvato=1#tpl-" + anchor);
}

http::Response settings_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string days = web::form_field(*form, "payment_due_days");
  auto st = d.messaging.set_payment_due_days(c.who, c.body->id, days);
  if (!st) {
    if (st.error().field.empty()) return identity::staff_refusal(d.view, req, st.error());
    return templates_page(d, req, c, nullptr, &st.error(), &days);
  }
  return web::see_other(templates_base(c) + "?salvato=1#msg-settings");
}

http::Response templates_reset(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto st = d.messaging.reset_template(c.who, c.body->id, web::form_field(*form, "type"),
                                       web::form_field(*form, "lang"));
  if (!st && st.error().http_status != 404) return identity::staff_refusal(d.view, req, st.error());
  return web::see_other(templates_base(c) + "?ripristinato=1");
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get(kArea, [&d](http::Request& r) { return area_get(d, r); });
  router.post(std::string(kArea) + "/preferenze", [&d](http::Request& r) { return area_preferences(d, r); });
  router.get(std::string(kArea) + "/{id}", [&d](http::Request& r) { return area_message(d, r); });
  using identity::Permission;
  router.get("/backoffice/{slug}/messaggi", staff_route(d, Permission::backoffice, staff_list));
  router.get("/backoffice/{slug}/messaggi/{id}", staff_route(d, Permission::backoffice, staff_detail));
  router.post("/backoffice/{slug}/messaggi/{id}/riprova",
              staff_route(d, Permission::backoffice, staff_retry));
  router.post("/backoffice/{slug}/messaggi/{id}/annulla",
              staff_route(d, Permission::backoffice, staff_cancel));
  router.get("/backoffice/{slug}/modelli-messaggi",
             staff_route(d, Permission::customise_forms, templates_get));
  router.post("/backoffice/{slug}/modelli-messaggi",
              staff_route(d, Permission::customise_forms, templates_post));
  router.post("/backoffice/{slug}/modelli-messaggi/impostazioni",
              staff_route(d, Permission::customise_forms, settings_post));
  router.post("/backoffice/{slug}/modelli-messaggi/ripristina",
              staff_route(d, Permission::customise_forms, templates_reset));
}

}  // namespace sp::messaging
