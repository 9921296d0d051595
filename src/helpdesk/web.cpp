#include "helpdesk/web.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "core/time.hpp"
#include "http/multipart.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::helpdesk {
namespace {

using identity::StaffCall;
using web::Data;
namespace json = boost::json;

constexpr const char* kHub = "/hub/assistenza";

std::string body_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/assistenza";
}

std::string label(const WebDeps& d, std::string_view lang, const std::string& prefix, std::string_view code) {
  return d.view.t(lang, "ui.hd_" + prefix + "_" + std::string(code));
}

// "3 h 20 min" of business time; `overdue` texts for negative values.
std::string duration_text(const WebDeps& d, std::string_view lang, std::int64_t seconds) {
  const bool late = seconds < 0;
  const std::int64_t m = (late ? -seconds : seconds) / 60;
  const std::string text =
      web::ui(d.view, lang, "ui.hd_duration", {{"h", std::to_string(m / 60)}, {"m", std::to_string(m % 60)}});
  return late ? web::ui(d.view, lang, "ui.hd_overdue_by", {{"time", text}}) : text;
}

Data options_of(const WebDeps& d, std::string_view lang, const std::string& prefix,
                const std::vector<std::string>& codes, const std::string& selected) {
  Data out = web::list();
  for (const auto& c : codes) {
    Data o;
    o.set("value", c);
    o.set("label", label(d, lang, prefix, c));
    o.set("selected", c == selected);
    out.push_back(o);
  }
  return out;
}

std::vector<std::string> priority_codes() {
  std::vector<std::string> out;
  for (auto p : priorities()) out.emplace_back(to_string(p));
  return out;
}

void set_form_choices(const WebDeps& d, std::string_view lang, Data& x, const NewTicket& f) {
  x.set("categories", options_of(d, lang, "cat", categories(), f.category));
  x.set("priorities",
        options_of(d, lang, "prio", priority_codes(), f.priority.empty() ? "normal" : f.priority));
  x.set("subject_value", f.subject);
  x.set("text_value", f.text);
  x.set("caller_value", f.caller_name);
}

// `edit_base`: the agents' link to each answer's page (none for the bodies' staff).
Data answer_rows(const WebDeps& d, std::string_view lang, const std::vector<Answer>& answers,
                 const std::string& edit_base = "") {
  Data rows = web::list();
  for (const auto& a : answers) {
    Data r;
    r.set("id", a.id);
    if (!edit_base.empty()) r.set("edit_href", edit_base + a.id);
    r.set("title", a.title);
    r.set("body_text", a.body);
    r.set("category", label(d, lang, "cat", a.category));
    r.set("when", time::it_datetime_text(a.published_at));
    rows.push_back(r);
  }
  return rows;
}

Data ticket_row(const WebDeps& d, std::string_view lang, const Ticket& t, const std::string& href) {
  Data r;
  r.set("id", t.id);
  r.set("number", std::to_string(t.number));
  r.set("href", href);
  r.set("subject", t.purged_at ? d.view.t(lang, "ui.hd_purged") : t.subject);
  r.set("category", label(d, lang, "cat", t.category));
  r.set("priority", label(d, lang, "prio", to_string(t.priority)));
  r.set("priority_code", std::string(to_string(t.priority)));
  r.set("state", label(d, lang, "state", to_string(t.state)));
  r.set("state_code", std::string(to_string(t.state)));
  r.set("updated", time::it_datetime_text(t.updated_at));
  r.set("created", time::it_datetime_text(t.created_at));
  r.set("assignee", t.assignee_name);
  r.set("has_assignee", !t.assignee_name.empty());
  if (auto b = d.tenants.by_id(t.tenant_id)) r.set("body_name", b->name);
  return r;
}

void set_sla(const WebDeps& d, std::string_view lang, Data& x, const SlaView& s) {
  x.set("sla_running", s.running);
  x.set("sla_paused", !s.running);
  x.set("responded", s.responded);
  x.set("response_breached", s.response.breached);
  x.set("resolution_breached", s.resolution.breached);
  x.set("breached", s.response.breached || s.resolution.breached);
  x.set("response_left", duration_text(d, lang, s.response.left_s));
  x.set("resolution_left", duration_text(d, lang, s.resolution.left_s));
  x.set("response_target", duration_text(d, lang, s.targets.first_response_min * 60));
  x.set("resolution_target", duration_text(d, lang, s.targets.resolution_min * 60));
  if (s.resolution.due) x.set("resolution_due", time::format_it_datetime(*s.resolution.due));
  if (!s.responded && s.response.due) x.set("response_due", time::format_it_datetime(*s.response.due));
}

Data event_rows(const WebDeps& d, std::string_view lang, const std::vector<Event>& events, bool agent,
                const std::string& files_base) {
  Data rows = web::list();
  for (const auto& e : events) {
    Data r;
    r.set("seq", std::to_string(e.seq));
    r.set("when", time::it_datetime_text(e.at));
    r.set("who", e.actor_side == "system" ? d.view.t(lang, "ui.hd_system") : e.actor_name);
    r.set("side", e.actor_side);
    r.set("from_agent", e.actor_side == "agent");
    r.set("kind", label(d, lang, "event", e.kind));
    r.set("internal", e.internal);
    const bool has_text = !e.text_id.empty();
    r.set("has_text", has_text && !e.redacted && !e.purged);
    r.set("text", e.text);
    r.set("redacted", e.redacted);
    r.set("purged", e.purged);
    r.set("can_redact", agent && has_text && !e.redacted && !e.purged);
    std::string value = e.value;
    if (e.kind == "state") value = label(d, lang, "state", e.value);
    if (e.kind == "priority") value = label(d, lang, "prio", e.value);
    if (e.kind == "category") value = label(d, lang, "cat", e.value);
    if (e.kind == "opened") value = label(d, lang, "channel", e.value);
    if (e.kind == "redacted") value = web::ui(d.view, lang, "ui.hd_redacted_ref", {{"seq", e.value}});
    r.set("value", value);
    r.set("has_value", !value.empty());
    Data files = web::list();
    for (const auto& a : e.attachments) {
      Data f;
      f.set("name", a.name);
      f.set("href", files_base + "/allegati/" + std::to_string(a.n));
      files.push_back(f);
    }
    r.set("attachments", files);
    r.set("has_attachments", !e.attachments.empty());
    rows.push_back(r);
  }
  return rows;
}

// A posted form, urlencoded or multipart (the forms with a file input), and its files.
struct Posted {
  http::Params fields;
  std::vector<Upload> files;
};
std::optional<Posted> posted(const http::Request& req) {
  Posted p;
  const auto* type = req.header("content-type");
  if (type && http::is_multipart_form(*type)) {
    auto parts = req.multipart();
    if (!parts) return std::nullopt;
    p.fields = parts->fields();
    for (const auto* f : parts->files("files")) p.files.push_back(Upload{f->filename.value_or(""), f->data});
    return p;
  }
  auto form = req.form();
  if (!form) return std::nullopt;
  p.fields = std::move(*form);
  return p;
}

http::Response refusal(const WebDeps& d, http::Request& req, const Error& e) {
  return identity::staff_refusal(d.view, req, e);
}

// --- the body's staff ---------------------------------------------------------------------------------

http::Response list_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "helpdesk_body_list",
                                   d.view.t(lang, "ui.hd_title"), "", "", false);
  auto tickets = d.helpdesk.tickets_of(c.who, c.body->id);
  if (!tickets) return refusal(d, req, tickets.error());
  Data rows = web::list();
  for (const auto& t : *tickets) rows.push_back(ticket_row(d, lang, t, body_base(*c.body) + "/" + t.id));
  page.data.set("tickets", rows);
  page.data.set("has_tickets", !tickets->empty());
  page.data.set("new_href", body_base(*c.body) + "/nuova");
  page.data.set("search_action", body_base(*c.body));
  const auto q = req.query_param("q");
  page.data.set("q", q);
  if (!q.empty()) {
    auto found = d.helpdesk.search(c.who, q);
    if (!found) return refusal(d, req, found.error());
    page.data.set("searched", true);
    page.data.set("answers", answer_rows(d, lang, *found));
    page.data.set("has_answers", !found->empty());
  }
  return web::private_page(d.view, req, page);
}

http::Response new_page(WebDeps& d, http::Request& req, const StaffCall& c, const NewTicket& f,
                        const Error* error, const std::vector<Answer>* suggestions) {
  const auto& lang = req.ctx.locale;
  auto page =
      web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "helpdesk_new",
                           d.view.t(lang, "ui.hd_new_title"), "ui.hd_title", body_base(*c.body), true);
  auto& x = page.data;
  x.set("action", body_base(*c.body) + "/nuova");
  set_form_choices(d, lang, x, f);
  if (suggestions) {
    x.set("suggested", true);
    x.set("answers", answer_rows(d, lang, *suggestions));
  }
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response new_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return new_page(d, req, c, NewTicket{}, nullptr, nullptr);
}

NewTicket ticket_form(const http::Params& form) {
  NewTicket f;
  f.category = web::form_field(form, "category");
  f.priority = web::form_field(form, "priority");
  f.subject = web::form_field(form, "subject");
  f.text = web::form_field(form, "text");
  f.caller_name = web::form_field(form, "caller");
  return f;
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto got = posted(req);
  if (!got) return d.view.error_page(req, 400);
  const auto* form = &got->fields;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto f = ticket_form(*form);
  f.files = got->files;
  // Before the first send: the answers matching the subject, if any (the form then sends for real).
  if (web::form_field(*form, "answers_seen") != "1" && !text::trim(f.subject).empty()) {
    auto found = d.helpdesk.search(c.who, f.subject, false, 5);
    if (found && !found->empty()) return new_page(d, req, c, f, nullptr, &*found);
  }
  auto t = d.helpdesk.open(c.who, c.body->id, f);
  if (!t) {
    if (t.error().http_status == 401 || t.error().http_status == 403) return refusal(d, req, t.error());
    return new_page(d, req, c, f, &t.error(), nullptr);
  }
  return web::see_other(body_base(*c.body) + "/" + t->id + "?esito=aperta");
}

http::Response ticket_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                           const std::string& typed) {
  const auto& lang = req.ctx.locale;
  auto v = d.helpdesk.view(c.who, c.body->id, req.param("id"));
  if (!v) {
    if (v.error().http_status == 404) return d.view.error_page(req, 404);
    return refusal(d, req, v.error());
  }
  const auto& t = v->ticket;
  auto page = web::backoffice_page(
      d.view, req, *c.body, c.who->csrf_token, "helpdesk_body_ticket",
      web::ui(d.view, lang, "ui.hd_ticket_title", {{"number", std::to_string(t.number)}}), "ui.hd_title",
      body_base(*c.body), true);
  auto& x = page.data;
  x.set("ticket", ticket_row(d, lang, t, ""));
  x.set("events", event_rows(d, lang, v->events, false, body_base(*c.body) + "/" + t.id));
  x.set("action", body_base(*c.body) + "/" + t.id);
  x.set("can_reply", t.state != State::closed);
  x.set("waiting", t.state == State::waiting);
  x.set("text_value", typed);
  if (req.query_param("esito") == "aperta") x.set("notice", d.view.t(lang, "ui.hd_opened_notice"));
  if (req.query_param("esito") == "risposta") x.set("notice", d.view.t(lang, "ui.hd_replied_notice"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response ticket_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return ticket_page(d, req, c, nullptr, "");
}

http::Response ticket_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto got = posted(req);
  if (!got) return d.view.error_page(req, 400);
  const auto* form = &got->fields;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto text = web::form_field(*form, "text");
  auto st = d.helpdesk.body_reply(c.who, c.body->id, req.param("id"), text, got->files);
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    if (st.error().http_status == 401 || st.error().http_status == 403) return refusal(d, req, st.error());
    return ticket_page(d, req, c, &st.error(), text);
  }
  return web::see_other(body_base(*c.body) + "/" + req.param("id") + "?esito=risposta");
}

// --- the hub's agents ---------------------------------------------------------------------------------

web::Page hub_page(const WebDeps& d, const http::Request& req, const StaffCall& c, const std::string& tpl,
                   const std::string& title, bool sub_page) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"}};
  if (sub_page) page.breadcrumb.push_back({d.view.t(lang, "ui.hd_queue_title"), kHub});
  page.breadcrumb.push_back({title, ""});
  page.data.set("csrf", c.who->csrf_token);
  return page;
}

http::Response queue_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  const auto& lang = req.ctx.locale;
  auto rows = d.helpdesk.queue(c.who);
  if (!rows) return refusal(d, req, rows.error());
  auto page = hub_page(d, req, c, "helpdesk_queue", d.view.t(lang, "ui.hd_queue_title"), false);
  Data list = web::list();
  std::size_t breached = 0;
  for (const auto& r : *rows) {
    Data x = ticket_row(d, lang, r.ticket, std::string(kHub) + "/" + r.ticket.id);
    set_sla(d, lang, x, r.sla);
    if (r.sla.response.breached || r.sla.resolution.breached) ++breached;
    list.push_back(x);
  }
  page.data.set("tickets", list);
  page.data.set("has_tickets", !rows->empty());
  page.data.set("breach_count", web::ui_count(d.view, lang, "ui.hd_breach_count", breached));
  page.data.set("has_breaches", breached > 0);
  page.data.set("new_href", std::string(kHub) + "/nuova");
  page.data.set("answers_href", std::string(kHub) + "/risposte");
  return web::private_page(d.view, req, page);
}

http::Response phone_page(WebDeps& d, http::Request& req, const StaffCall& c, const NewTicket& f,
                          const std::string& body_slug, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d, req, c, "helpdesk_new", d.view.t(lang, "ui.hd_phone_title"), true);
  auto& x = page.data;
  x.set("action", std::string(kHub) + "/nuova");
  x.set("phone", true);
  set_form_choices(d, lang, x, f);
  Data bodies = web::list();
  for (const auto& [id, b] : d.tenants.snapshot()->by_id) {
    if (!b->active) continue;
    Data o;
    o.set("value", b->slug);
    o.set("label", b->name);
    o.set("selected", b->slug == body_slug);
    bodies.push_back(o);
  }
  x.set("bodies", bodies);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response phone_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  if (auto st = identity::authorize(c.who, identity::Permission::helpdesk, 0); !st)
    return refusal(d, req, st.error());
  return phone_page(d, req, c, NewTicket{}, "", nullptr);
}

http::Response phone_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto got = posted(req);
  if (!got) return d.view.error_page(req, 400);
  const auto* form = &got->fields;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto f = ticket_form(*form);
  f.files = got->files;
  const auto slug = web::form_field(*form, "body");
  auto b = d.tenants.by_slug(slug);
  auto t = d.helpdesk.open(c.who, b ? b->id : 0, f);
  if (!t) {
    if (t.error().http_status == 401 || t.error().http_status == 403) return refusal(d, req, t.error());
    return phone_page(d, req, c, f, slug, &t.error());
  }
  return web::see_other(std::string(kHub) + "/" + t->id + "?esito=aperta");
}

http::Response agent_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                          const AgentChange& typed) {
  const auto& lang = req.ctx.locale;
  auto v = d.helpdesk.view(c.who, 0, req.param("id"));
  if (!v) {
    if (v.error().http_status == 404) return d.view.error_page(req, 404);
    return refusal(d, req, v.error());
  }
  const auto& t = v->ticket;
  auto page =
      hub_page(d, req, c, "helpdesk_agent_ticket",
               web::ui(d.view, lang, "ui.hd_ticket_title", {{"number", std::to_string(t.number)}}), true);
  auto& x = page.data;
  Data row = ticket_row(d, lang, t, "");
  set_sla(d, lang, row, v->sla);
  row.set("channel", label(d, lang, "channel", t.channel));
  row.set("caller", t.opened_by_name);
  x.set("ticket", row);
  x.set("events", event_rows(d, lang, v->events, true, std::string(kHub) + "/" + t.id));
  x.set("action", std::string(kHub) + "/" + t.id);
  x.set("open", t.state != State::closed);
  x.set("text_value", typed.action == "reply" || typed.action == "note" ? typed.text : std::string());
  x.set("note_typed", typed.action == "note");
  Data states = web::list();
  for (auto s : {State::open, State::waiting, State::resolved, State::closed}) {
    if (!agent_may_set(t.state, s)) continue;
    Data o;
    o.set("value", std::string(to_string(s)));
    o.set("label", label(d, lang, "state", to_string(s)));
    states.push_back(o);
    x.set("has_states", true);
  }
  x.set("states", states);
  x.set("priorities", options_of(d, lang, "prio", priority_codes(), std::string(to_string(t.priority))));
  x.set("categories", options_of(d, lang, "cat", categories(), t.category));
  Data agents = web::list();
  for (const auto& a : d.helpdesk.agents()) {
    Data o;
    o.set("value", a.id);
    o.set("label", a.name);
    o.set("selected", a.id == t.assignee);
    agents.push_back(o);
  }
  x.set("agents", agents);
  const auto outcome = req.query_param("esito");
  if (outcome == "aperta") x.set("notice", d.view.t(lang, "ui.hd_logged_notice"));
  if (outcome == "fatto") x.set("notice", d.view.t(lang, "ui.hd_done_notice"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response agent_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return agent_page(d, req, c, nullptr, AgentChange{});
}

http::Response agent_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto got = posted(req);
  if (!got) return d.view.error_page(req, 400);
  const auto* form = &got->fields;
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  AgentChange ch;
  ch.files = got->files;
  ch.action = web::form_field(*form, "action");
  ch.text = web::form_field(*form, "text");
  ch.wait = web::form_field(*form, "wait") == "1";
  ch.value = web::form_field(*form, "value");
  auto st = d.helpdesk.agent_change(c.who, req.param("id"), ch);
  if (!st) {
    if (st.error().http_status == 404 && st.error().detail == "ticket") return d.view.error_page(req, 404);
    if (st.error().http_status == 401 || st.error().http_status == 403) return refusal(d, req, st.error());
    return agent_page(d, req, c, &st.error(), ch);
  }
  return web::see_other(std::string(kHub) + "/" + req.param("id") + "?esito=fatto");
}

http::Response answers_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                            const Answer& typed) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d, req, c, "helpdesk_answers", d.view.t(lang, "ui.hd_answers_title"), true);
  auto found = d.helpdesk.search(c.who, req.query_param("q"), true, 100);
  if (!found) return refusal(d, req, found.error());
  auto& x = page.data;
  x.set("answers", answer_rows(d, lang, *found, std::string(kHub) + "/risposte/"));
  x.set("has_answers", !found->empty());
  x.set("action", std::string(kHub) + "/risposte");
  x.set("q", req.query_param("q"));
  x.set("categories", options_of(d, lang, "cat", categories(), typed.category));
  x.set("title_value", typed.title);
  x.set("text_value", typed.body);
  if (req.query_param("esito") == "pubblicata") x.set("notice", d.view.t(lang, "ui.hd_answer_published"));
  if (req.query_param("esito") == "ritirata") x.set("notice", d.view.t(lang, "ui.hd_answer_withdrawn_done"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response answers_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return answers_page(d, req, c, nullptr, Answer{});
}

http::Response answers_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Answer typed;
  typed.category = web::form_field(*form, "category");
  typed.title = web::form_field(*form, "title");
  typed.body = web::form_field(*form, "text");
  auto a = d.helpdesk.publish(c.who, typed.category, typed.title, typed.body);
  if (!a) {
    if (a.error().http_status == 401 || a.error().http_status == 403) return refusal(d, req, a.error());
    return answers_page(d, req, c, &a.error(), typed);
  }
  return web::see_other(std::string(kHub) + "/risposte?esito=pubblicata");
}

// One answer: its text to edit (a new version) or withdraw, and every version of it.
http::Response answer_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                           const Answer* typed) {
  const auto& lang = req.ctx.locale;
  auto got = d.helpdesk.answer(c.who, req.param("id"));
  if (!got) {
    if (got.error().http_status == 404) return d.view.error_page(req, 404);
    return refusal(d, req, got.error());
  }
  const auto& [a, versions] = *got;
  auto page = hub_page(d, req, c, "helpdesk_answer", a.title, true);
  page.breadcrumb.insert(page.breadcrumb.end() - 1,
                         {d.view.t(lang, "ui.hd_answers_title"), std::string(kHub) + "/risposte"});
  auto& x = page.data;
  const Answer& shown = typed ? *typed : a;
  x.set("heading", a.title);
  x.set("action", std::string(kHub) + "/risposte/" + a.id);
  x.set("version", std::to_string(a.version));
  x.set("withdrawn", !a.withdrawn_at.empty());
  x.set("withdrawn_at", a.withdrawn_at.empty() ? "" : time::it_datetime_text(a.withdrawn_at));
  x.set("categories", options_of(d, lang, "cat", categories(), shown.category));
  x.set("title_value", shown.title);
  x.set("text_value", shown.body);
  Data list = web::list();
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    Data v;
    v.set("version", std::to_string(it->version));
    v.set("what", d.view.t(lang, "ui.hd_answer_action_" + it->action));
    v.set("who", it->actor);
    v.set("when", time::it_datetime_text(it->at));
    v.set("title", it->title);
    v.set("category", label(d, lang, "cat", it->category));
    v.set("body_text", it->body);
    list.push_back(v);
  }
  x.set("versions", list);
  if (req.query_param("esito") == "modificata") x.set("notice", d.view.t(lang, "ui.hd_answer_edited"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response answer_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return answer_page(d, req, c, nullptr, nullptr);
}

std::int64_t form_version(const http::Params& form) {
  try {
    return std::stoll(web::form_field(form, "version"));
  } catch (const std::exception&) {
    return 0;
  }
}

http::Response answer_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string id = req.param("id");
  const auto version = form_version(*form);
  if (web::form_field(*form, "action") == "withdraw") {
    auto st = d.helpdesk.withdraw_answer(c.who, id, version);
    if (!st) {
      if (st.error().http_status == 404) return d.view.error_page(req, 404);
      if (st.error().http_status == 401 || st.error().http_status == 403) return refusal(d, req, st.error());
      return answer_page(d, req, c, &st.error(), nullptr);
    }
    return web::see_other(std::string(kHub) + "/risposte?esito=ritirata");
  }
  Answer typed;
  typed.category = web::form_field(*form, "category");
  typed.title = web::form_field(*form, "title");
  typed.body = web::form_field(*form, "text");
  auto a = d.helpdesk.edit_answer(c.who, id, version, typed.category, typed.title, typed.body);
  if (!a) {
    if (a.error().http_status == 404) return d.view.error_page(req, 404);
    if (a.error().http_status == 401 || a.error().http_status == 403) return refusal(d, req, a.error());
    return answer_page(d, req, c, &a.error(), &typed);
  }
  return web::see_other(std::string(kHub) + "/risposte/" + id + "?esito=modificata");
}

// The service centre's settings: the SLA targets, the office hours, the centre's own holidays.
std::string hhmm(int minutes) {
  auto two = [](int n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return two(minutes / 60) + ":" + two(minutes % 60);
}

http::Response settings_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                             const http::Params* typed) {
  const auto& lang = req.ctx.locale;
  auto s = d.helpdesk.settings(c.who);
  if (!s) return refusal(d, req, s.error());
  web::Page page;
  page.template_name = "helpdesk_settings";
  page.title = d.view.t(lang, "ui.hd_settings_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"}, {page.title, ""}};
  auto& x = page.data;
  x.set("csrf", c.who->csrf_token);
  x.set("action", std::string(kHub) + "/impostazioni");
  auto typed_or = [&](const std::string& field, std::string value) {
    return typed ? web::form_field(*typed, field) : value;
  };
  Data rows = web::list();
  for (const auto& cat : categories()) {
    Data row;
    row.set("category", label(d, lang, "cat", cat));
    Data cells = web::list();
    for (auto p : priorities()) {
      for (const auto& t : s->targets) {
        if (t.category != cat || t.priority != p) continue;
        const std::string key = cat + "_" + std::string(to_string(p));
        Data cell;
        cell.set("key", key);
        cell.set("priority", label(d, lang, "prio", to_string(p)));
        cell.set("fr", typed_or("fr_" + key, std::to_string(t.targets.first_response_min)));
        cell.set("res", typed_or("res_" + key, std::to_string(t.targets.resolution_min)));
        cell.set("fr_invalid", error && error->field == "fr_" + key);
        cell.set("res_invalid", error && error->field == "res_" + key);
        if (!t.updated_at.empty())
          cell.set("changed",
                   web::ui(d.view, lang, "ui.hd_settings_changed",
                           {{"who", t.updated_by}, {"when", time::it_datetime_text(t.updated_at)}}));
        cells.push_back(cell);
      }
    }
    row.set("cells", cells);
    rows.push_back(row);
  }
  x.set("targets", rows);
  x.set("open_value", typed_or("open", hhmm(s->hours.open_minute)));
  x.set("close_value", typed_or("close", hhmm(s->hours.close_minute)));
  Data hol = web::list();
  for (const auto& h : s->holidays) {
    Data r;
    r.set("day", h.day);
    r.set("day_text", time::it_date_text(h.day));
    r.set("name", h.name);
    hol.push_back(r);
  }
  x.set("holidays", hol);
  x.set("has_holidays", !s->holidays.empty());
  x.set("day_value", typed ? web::form_field(*typed, "day") : "");
  x.set("name_value", typed ? web::form_field(*typed, "name") : "");
  const auto done = req.query_param("esito");
  if (!done.empty()) x.set("notice", d.view.t(lang, "ui.hd_settings_saved"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response settings_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return settings_page(d, req, c, nullptr, nullptr);
}

http::Response settings_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto action = web::form_field(*form, "action");
  Status st = Ok{};
  if (action == "targets") {
    std::vector<TargetSetting> targets;
    for (const auto& cat : categories()) {
      for (auto p : priorities()) {
        const std::string key = cat + "_" + std::string(to_string(p));
        auto minutes = [&](const std::string& field) -> std::int64_t {
          const auto v = text::trim(web::form_field(*form, field));
          if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) return -1;
          return std::stoll(v);
        };
        TargetSetting t;
        t.category = cat;
        t.priority = p;
        t.targets = Targets{minutes("fr_" + key), minutes("res_" + key)};
        targets.push_back(t);
      }
    }
    st = d.helpdesk.set_targets(c.who, targets);
  } else if (action == "hours") {
    st = d.helpdesk.set_office_hours(c.who, web::form_field(*form, "open"), web::form_field(*form, "close"));
  } else if (action == "add_holiday") {
    st = d.helpdesk.add_holiday(c.who, web::form_field(*form, "day"), web::form_field(*form, "name"));
  } else if (action == "remove_holiday") {
    st = d.helpdesk.remove_holiday(c.who, web::form_field(*form, "day"));
  } else {
    st = Error::for_field("helpdesk.action", "action");
  }
  if (!st) {
    if (st.error().http_status == 401 || st.error().http_status == 403) return refusal(d, req, st.error());
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return settings_page(d, req, c, &st.error(), &*form);
  }
  return web::see_other(std::string(kHub) + "/impostazioni?esito=" + action);
}

http::Response download(WebDeps& d, http::Request& req, const StaffCall& c, tenants::TenantId body) {
  int n = 0;
  try {
    n = std::stoi(req.param("n"));
  } catch (const std::exception&) {
    return d.view.error_page(req, 404);
  }
  auto got = d.helpdesk.attachment(c.who, body, req.param("id"), n);
  if (!got) {
    if (got.error().http_status == 401 || got.error().http_status == 403) return refusal(d, req, got.error());
    return d.view.error_page(req, got.error().http_status == 404 ? 404 : 500);
  }
  return web::download_response(std::move(got->second), got->first.mime_type, got->first.file_name);
}
http::Response body_download(WebDeps& d, http::Request& req, const StaffCall& c) {
  return download(d, req, c, c.body->id);
}
http::Response hub_download(WebDeps& d, http::Request& req, const StaffCall& c) {
  return download(d, req, c, 0);
}

// --- API ----------------------------------------------------------------------------------------------

http::Response api_get(WebDeps& d, http::Request& req, const identity::ApiCall& call) {
  auto v = d.helpdesk.view_for_body(call.body->id, req.param("id"));
  if (!v) return web::json_error(d.view, req, v.error());
  const auto& t = v->ticket;
  json::array events;
  for (const auto& e : v->events) {
    json::object o{
        {"seq", e.seq}, {"at", e.at}, {"kind", e.kind}, {"side", e.actor_side}, {"value", e.value}};
    if (!e.text_id.empty()) {
      o["text"] = e.text;
      o["redacted"] = e.redacted;
      o["purged"] = e.purged;
    }
    events.push_back(std::move(o));
  }
  json::object o{{"id", t.id},
                 {"number", t.number},
                 {"category", t.category},
                 {"priority", std::string(to_string(t.priority))},
                 {"subject", t.subject},
                 {"state", std::string(to_string(t.state))},
                 {"channel", t.channel},
                 {"created_at", t.created_at},
                 {"updated_at", t.updated_at},
                 {"events", std::move(events)}};
  return http::Response::json(json::serialize(o));
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::hub_staff_route;
  using identity::Permission;
  using identity::staff_route;
  router.get("/backoffice/{slug}/assistenza", staff_route(d, Permission::backoffice, list_get));
  router.get("/backoffice/{slug}/assistenza/nuova", staff_route(d, Permission::backoffice, new_get));
  router.post("/backoffice/{slug}/assistenza/nuova", staff_route(d, Permission::backoffice, new_post));
  router.get("/backoffice/{slug}/assistenza/{id}", staff_route(d, Permission::backoffice, ticket_get));
  router.post("/backoffice/{slug}/assistenza/{id}", staff_route(d, Permission::backoffice, ticket_post));
  router.get(kHub, hub_staff_route(d, Permission::helpdesk, queue_get));
  router.get(std::string(kHub) + "/nuova", hub_staff_route(d, Permission::helpdesk, phone_get));
  router.post(std::string(kHub) + "/nuova", hub_staff_route(d, Permission::helpdesk, phone_post));
  router.get(std::string(kHub) + "/risposte", hub_staff_route(d, Permission::helpdesk, answers_get));
  router.post(std::string(kHub) + "/risposte", hub_staff_route(d, Permission::helpdesk, answers_post));
  router.get(std::string(kHub) + "/risposte/{id}", hub_staff_route(d, Permission::helpdesk, answer_get));
  router.post(std::string(kHub) + "/risposte/{id}", hub_staff_route(d, Permission::helpdesk, answer_post));
  router.get(std::string(kHub) + "/impostazioni", hub_staff_route(d, Permission::manage_hub, settings_get));
  router.post(std::string(kHub) + "/impostazioni", hub_staff_route(d, Permission::manage_hub, settings_post));
  router.get("/backoffice/{slug}/assistenza/{id}/allegati/{n}",
             staff_route(d, Permission::backoffice, body_download));
  router.get(std::string(kHub) + "/{id}/allegati/{n}",
             hub_staff_route(d, Permission::helpdesk, hub_download));
  router.get(std::string(kHub) + "/{id}", hub_staff_route(d, Permission::helpdesk, agent_get));
  router.post(std::string(kHub) + "/{id}", hub_staff_route(d, Permission::helpdesk, agent_post));
  router.get("/api/v1/backoffice/{slug}/assistenza/{id}", identity::api_route(d, "helpdesk:read", api_get));
}

}  // namespace sp::helpdesk
