#include "cases/web.hpp"

#include <algorithm>
#include <charconv>

#include "core/text.hpp"
#include "core/time.hpp"
#include "forms/render.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "payments/notice_number.hpp"
#include "web/context.hpp"

namespace sp::cases {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;
using Fields = std::multimap<std::string, std::string>;

std::string state_label(WebDeps& d, std::string_view lang, State s) {
  return d.view.t(lang, "ui.case_state_" + std::string(to_string(s)));
}

// Who did a step, in words (issue 11, point 5): staff see names ("Mario Bianchi", "Sistema
// (protocollazione automatica delle domande)"); the applicant sees "you", the system's words, or "the
// office" for its staff.
std::string who_label(WebDeps& d, std::string_view lang, const std::string& who, bool for_applicant) {
  const bool person = who.rfind("person:", 0) == 0;
  const bool system = who.rfind("system:", 0) == 0;
  if (for_applicant) {
    if (person) return d.view.t(lang, "ui.case_who_you");
    if (!system || d.actor_names == nullptr) return d.view.t(lang, "ui.case_who_office");
  }
  if (d.actor_names == nullptr)
    return d.view.t(lang, person ? "actor.person_unknown" : "actor.staff_unknown");
  return d.actor_names->name(who, lang);
}

// The answers as the applicant saw them on the summary page (issue 11, point 5): each visible field's
// label and its display value (option labels, Sì/No, dd/mm/yyyy), a repeatable group's items by their
// titles; from the definition the case was filled with. Without it (no definitions service, a form
// since removed) nothing is returned and the caller falls back to plain values.
std::optional<Data> labelled_answers(WebDeps& d, std::string_view lang, const Case& c) {
  if (d.definitions == nullptr || c.form_code.empty()) return std::nullopt;
  auto eff = d.definitions->effective(c.tenant_id, c.form_code);
  if (!eff || !eff->def) return std::nullopt;
  std::shared_ptr<const forms::Definition> def = eff->def;
  if (eff->hub_version != c.form_version) {
    if (auto then = d.definitions->at(c.tenant_id, c.form_code, c.form_version, eff->overlay_version))
      def = then;
  }
  forms::Context ctx;
  ctx.today = time::rome_date(time::system_clock().now());
  const auto form = forms::render_form(*def, c.answers, {}, ctx, d.view.i18n(), lang);
  Data rows = web::list();
  auto value_of = [](const forms::RenderField& f) {
    if (!f.display.empty()) return f.display;
    std::vector<std::string> names;
    for (const auto& file : f.files) names.push_back(file.name);
    return text::join(names, ", ");
  };
  auto add = [&rows](const std::string& label, const std::string& value) {
    if (value.empty()) return;
    Data a;
    a.set("name", label);
    a.set("value", value);
    rows.push_back(a);
  };
  for (const auto& step : form.steps)
    for (const auto& section : step.sections) {
      if (!section.visible) continue;
      for (const auto& f : section.fields) {
        if (!f.visible) continue;
        if (f.type == "group") {
          for (const auto& item : f.items)
            for (const auto& sub : item.fields)
              if (sub.visible) add(item.title + " — " + sub.label, value_of(sub));
        } else {
          add(f.label, value_of(f));
        }
      }
    }
  return rows;
}

// A typed answer as text: strings as they are, numbers, yes/no, lists joined; objects (groups) as
// "key: value" pairs.
std::string answer_text(WebDeps& d, std::string_view lang, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      return std::string(v.as_string());
    case boost::json::kind::bool_:
      return d.view.t(lang, v.as_bool() ? "ui.case_yes" : "ui.case_no");
    case boost::json::kind::int64:
      return std::to_string(v.as_int64());
    case boost::json::kind::uint64:
      return std::to_string(v.as_uint64());
    case boost::json::kind::double_:
      return boost::json::serialize(v);
    case boost::json::kind::array: {
      std::vector<std::string> parts;
      for (const auto& x : v.as_array()) parts.push_back(answer_text(d, lang, x));
      return text::join(parts, "; ");
    }
    case boost::json::kind::object: {
      std::vector<std::string> parts;
      for (const auto& [k, x] : v.as_object())
        parts.push_back(std::string(k) + ": " + answer_text(d, lang, x));
      return "(" + text::join(parts, ", ") + ")";
    }
    case boost::json::kind::null:
      break;
  }
  return {};
}

Data deadline_data(WebDeps& d, std::string_view lang, const Case& c, const Deadline& dl) {
  Data x;
  x.set("due", time::format_it_date(dl.due));
  x.set("days_left", std::to_string(dl.days_left));
  x.set("overdue", dl.overdue);
  x.set("suspended", dl.suspended);
  x.set("silence_consent", c.silence_consent);
  x.set("open", is_open(c.state));
  (void)d;
  (void)lang;
  return x;
}

// What both the staff page and the applicant's page show of a case.
Data case_data(WebDeps& d, std::string_view lang, const CaseView& v, const std::string& doc_base,
               bool for_applicant) {
  const Case& c = v.c;
  Data x;
  x.set("id", c.id);
  x.set("title", c.title);
  x.set("service_code", c.service_code);
  x.set("protocol", c.protocol_label());
  x.set("submitted_at", time::format_it_datetime(c.submitted_at));
  x.set("state", state_label(d, lang, c.state));
  x.set("state_code", std::string(to_string(c.state)));
  x.set("applicant_name", c.applicant_name);
  x.set("applicant_cf", c.applicant_cf);
  // Set only when there is one: mustache shows a section for an empty text too.
  x.set("on_behalf_of_name", c.on_behalf_of_name.empty() ? Data(false) : Data(c.on_behalf_of_name));
  x.set("office", c.office);
  x.set("assignee", c.assignee);
  x.set("deadline", deadline_data(d, lang, c, v.deadline));
  if (c.fee_cents_due) x.set("fee_due", web::format_cents(*c.fee_cents_due, lang));
  if (v.fee) {
    // The notice to pay with; the payments portal (/pagamenti) lists the person's notices and pays them.
    Data fee;
    fee.set("amount", web::format_cents(v.fee->amount_cents, lang));
    fee.set("status", d.view.t(lang, "ui.case_fee_" + std::string(to_string(v.fee->status))));
    fee.set("status_code", std::string(to_string(v.fee->status)));
    fee.set("nav", v.fee->nav.empty() ? Data(false) : Data(payments::grouped(v.fee->nav)));
    fee.set("pay_href",
            v.fee->status == FeeStatus::awaiting && for_applicant ? Data("/pagamenti") : Data(false));
    x.set("fee", fee);
  }
  Data answers = web::list();
  if (auto labelled = labelled_answers(d, lang, c)) {
    answers = std::move(*labelled);
  } else {
    for (const auto& [k, val] : c.answers) {
      auto t = answer_text(d, lang, val);
      if (t.empty()) continue;
      Data a;
      a.set("name", std::string(k));
      a.set("value", t);
      answers.push_back(a);
    }
  }
  x.set("answers", answers);
  Data docs = web::list();
  for (const auto& doc : v.documents) {
    Data y;
    y.set("name", doc.file_name);
    y.set("kind", d.view.t(lang, "ui.case_doc_" + std::string(to_string(doc.kind))));
    y.set("href", doc_base + doc.id);
    y.set("size", std::to_string(doc.size));
    if (doc.protocol_number > 0)
      y.set("protocol",
            protocollo::format_number(doc.protocol_number) + "/" + std::to_string(doc.protocol_year));
    y.set("at", time::format_it_datetime(doc.at));
    docs.push_back(y);
  }
  x.set("documents", docs);
  x.set("has_documents", !v.documents.empty());
  Data messages = web::list();
  for (const auto& m : v.messages) {
    Data y;
    y.set("from_applicant", m.direction == MessageDirection::from_applicant);
    y.set("kind", d.view.t(lang, "ui.case_msg_" + std::string(to_string(m.kind))));
    y.set("body", m.body);
    y.set("who", who_label(d, lang, m.who, for_applicant));
    y.set("at", time::format_it_datetime(m.at));
    messages.push_back(y);
  }
  x.set("messages", messages);
  x.set("has_messages", !v.messages.empty());
  Data history = web::list();
  for (const auto& t : v.transitions) {
    Data y;
    y.set("at", time::format_it_datetime(t.at));
    y.set("state", state_label(d, lang, t.to));
    y.set("who", who_label(d, lang, t.who, for_applicant));
    y.set("reason", t.reason.empty() ? Data(false) : Data(t.reason));
    history.push_back(y);
  }
  x.set("history", history);
  Data notes = web::list();
  for (const auto& n : v.notes) {
    Data y;
    y.set("body", n.body);
    y.set("who", who_label(d, lang, n.who, false));
    y.set("at", time::format_it_datetime(n.at));
    notes.push_back(y);
  }
  x.set("notes", notes);
  x.set("has_notes", !v.notes.empty());
  for (const auto& a : v.allowed_actions) x.set("can_" + a, true);
  return x;
}

http::Response document_response(DocumentContent content) {
  return web::download_response(std::move(content.bytes), content.doc.mime_type, content.doc.file_name);
}

// ======================================= back office ==============================================

web::Page staff_page(WebDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                     const std::string& title, bool sub) {
  const std::string queue = "/backoffice/" + a.body->slug + "/pratiche";
  auto page = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, tpl, title, "ui.case_queue_title",
                                   queue, sub);
  page.data.set("queue_href", queue);
  return page;
}

const std::vector<State> kQueueFilterStates{State::registered,
                                            State::assigned,
                                            State::in_progress,
                                            State::waiting_for_applicant,
                                            State::grounds_notified,
                                            State::accepted,
                                            State::rejected,
                                            State::withdrawn,
                                            State::closed};

// The body's staff who handle cases, by id, with their names (empty without a staff service).
std::vector<identity::Colleague> colleagues_of(WebDeps& d, const StaffCall& a) {
  if (d.staff == nullptr) return {};
  auto list = d.staff->colleagues(a.who, a.body->id);
  return list ? std::move(*list) : std::vector<identity::Colleague>{};
}

// An assignee's name; one who left the office is still named, never shown as an id.
std::string name_of(WebDeps& d, std::string_view lang, const std::vector<identity::Colleague>& people,
                    const std::string& id) {
  if (id.empty()) return id;
  for (const auto& p : people)
    if (p.id == id) return p.name;
  return who_label(d, lang, "staff:" + id, false);
}

http::Response queue_page(WebDeps& d, http::Request& req, const StaffCall& a, const Error* error,
                          const BulkResult* bulk) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "case_queue", d.view.t(lang, "ui.case_queue_title"), false);
  QueueFilter f;
  f.office = req.query_param("ufficio");
  f.service_code = req.query_param("servizio");
  f.assignee = req.query_param("assegnatario");
  if (f.assignee == "me") f.assignee = a.who->subject;
  const auto people = colleagues_of(d, a);  // names for the assignee ids
  f.overdue = req.query_param("scadute") == "1";
  const auto state = req.query_param("stato");
  if (!state.empty()) f.state = parse_state(state);
  if (auto dl = req.query_param("giorni"); !dl.empty()) {
    int v = 0;
    auto [p, ec] = std::from_chars(dl.data(), dl.data() + dl.size(), v);
    if (ec == std::errc() && p == dl.data() + dl.size()) f.days_left_max = v;
  }
  if (auto off = text::parse_decimal(req.query_param("da")); off && *off <= 1'000'000'000)
    f.offset = static_cast<int>(*off);
  f.limit = 50;
  for (const char* k : {"ufficio", "servizio", "assegnatario", "scadute", "stato", "giorni"})
    page.data.set(std::string("q_") + k, req.query_param(k));
  Data states = web::list();
  for (auto s : kQueueFilterStates) {
    Data o;
    o.set("code", std::string(to_string(s)));
    o.set("name", state_label(d, lang, s));
    o.set("selected", state == to_string(s));
    states.push_back(o);
  }
  page.data.set("states", states);
  page.data.set("overdue_checked", f.overdue);
  page.data.set("mine_selected", req.query_param("assegnatario") == "me");
  page.data.set("unassigned_selected", req.query_param("assegnatario") == "-");
  if (auto offices = d.cases.offices(a.who, a.body->id)) {
    Data list = web::list();
    for (const auto& o : *offices) {
      Data x;
      x.set("name", o);
      x.set("selected", o == f.office);
      list.push_back(x);
    }
    page.data.set("offices", list);
  }
  int status = 200;
  auto q = d.cases.queue(a.who, a.body->id, f);
  Data rows = web::list();
  if (!q) {
    web::set_form_error(d.view, req, page, q.error());
    status = web::form_status(q.error());
  } else {
    for (const auto& s : q->items) {
      Data r;
      r.set("id", s.c.id);
      r.set("href", "/backoffice/" + a.body->slug + "/pratiche/" + s.c.id);
      r.set("protocol", s.c.protocol_label());
      // A case not (yet) registered still gets a link people can read (an empty link fails axe).
      if (s.c.protocol_label().empty()) r.set("no_protocol", true);
      r.set("title", s.c.title);
      r.set("applicant", s.c.applicant_name);
      r.set("state", state_label(d, lang, s.c.state));
      r.set("office", s.c.office);
      r.set("assignee", name_of(d, lang, people, s.c.assignee));
      if (s.c.applicant_answered_at)
        r.set("answered", web::ui(d.view, lang, "ui.case_answered",
                                  {{"when", time::format_it_datetime(*s.c.applicant_answered_at)}}));
      r.set("deadline", deadline_data(d, lang, s.c, s.deadline));
      rows.push_back(r);
    }
    page.data.set("total",
                  web::ui_count(d.view, lang, "ui.case_queue_total", static_cast<std::size_t>(q->total)));
    page.data.set("has_cases", !q->items.empty());
    if (f.offset + static_cast<int>(q->items.size()) < q->total) {
      std::string next = "/backoffice/" + a.body->slug + "/pratiche?da=" + std::to_string(f.offset + f.limit);
      for (const char* k : {"ufficio", "servizio", "assegnatario", "scadute", "stato", "giorni"}) {
        auto v = req.query_param(k);
        if (!v.empty()) next += std::string("&") + k + "=" + v;
      }
      page.data.set("next_href", next);
    }
  }
  page.data.set("cases", rows);
  if (error) {
    web::set_form_error(d.view, req, page, *error);
    status = web::form_status(*error);
  }
  if (bulk) {
    page.data.set("bulk_done", std::to_string(bulk->done.size()));
    page.data.set("bulk_failed", std::to_string(bulk->failed.size()));
    page.data.set("bulk_report", true);
  }
  return web::private_page(d.view, req, page, status);
}

http::Response queue_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return queue_page(d, req, a, nullptr, nullptr);
}

http::Response queue_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::vector<std::string> ids;
  auto range = form->equal_range("case");
  for (auto it = range.first; it != range.second; ++it) ids.push_back(it->second);
  BulkAction action;
  const auto kind = web::form_field(*form, "bulk");
  if (kind == "assign_me") {
    action.kind = BulkAction::Kind::assign;
    action.assignee = a.who->subject;
  } else if (kind == "start") {
    action.kind = BulkAction::Kind::start;
  } else if (kind == "close") {
    action.kind = BulkAction::Kind::close;
    action.reason = text::trim(web::form_field(*form, "reason"));
  } else {
    return d.view.error_page(req, 400);
  }
  auto result = d.cases.bulk(a.who, a.body->id, ids, action);
  if (!result) return queue_page(d, req, a, &result.error(), nullptr);
  return queue_page(d, req, a, nullptr, &*result);
}

// The decide forms: one editable text per decision template whose action the case allows now, prefilled
// with the template rendered for the case (data/decisions/), in Italian or English, with the officer's
// reasons once they "compose". After a refused decision the officer's own text is kept.
void decision_forms(WebDeps& d, const http::Request& req, const StaffCall& a, const CaseView& v,
                    const Fields* form, web::Page& page) {
  const auto& lang = req.ctx.locale;
  const std::string text_lang =
      (form ? web::form_field(*form, "lang") : req.query_param("lingua")) == "en" ? "en" : "it";
  const std::string reasons = form ? web::form_field(*form, "reasons") : std::string();
  auto drafts = d.cases.decision_drafts(a.who, a.body->id, v.c.id, text_lang, reasons);
  if (!drafts || drafts->empty()) return;
  const bool composing = form && web::form_field(*form, "action") == "compose";
  Data list = web::list();
  for (const auto& dr : *drafts) {
    const std::string act(to_string(dr.action));
    Data x;
    x.set("d_outcome", dr.outcome);
    x.set("d_act", act);
    x.set("d_title", dr.title);
    x.set("d_lang", dr.lang);
    const bool posted = form && !composing && web::form_field(*form, "outcome") == dr.outcome &&
                        web::form_field(*form, "action") == act;
    x.set("d_text", posted ? web::form_field(*form, "text") : dr.text);
    x.set("d_default", dr.source == "default");
    x.set("d_danger", dr.action != Action::accept);
    std::string id = "act-decide-" + dr.outcome;
    std::string label = d.view.t(lang, "ui.case_decision_send");
    if (dr.action == Action::notice_of_grounds) {
      id = "act-notice";
      label = d.view.t(lang, "ui.case_act_notice_of_grounds");
    } else if (dr.outcome == act) {
      id = "act-" + act;  // act-accept, act-reject
      label = d.view.t(lang, "ui.case_act_" + act);
    }
    x.set("d_id", id);
    x.set("d_button", label);
    list.push_back(x);
  }
  page.data.set("decisions", list);
  page.data.set("has_decisions", true);
  page.data.set("decision_lang_en", text_lang == "en");
  page.data.set("f_reasons", reasons);
}

http::Response staff_case_page(WebDeps& d, http::Request& req, const StaffCall& a, const Fields* form,
                               const Error* error) {
  const auto& lang = req.ctx.locale;
  auto v = d.cases.get(a.who, a.body->id, req.param("id"));
  if (!v) return d.view.error_page(req, v.error().http_status);
  const std::string href = "/backoffice/" + a.body->slug + "/pratiche/" + v->c.id;
  auto page = staff_page(d, req, a, "case_staff", v->c.title, true);
  page.data.set("case", case_data(d, lang, *v, href + "/documenti/", false));
  page.data.set("action", href);
  page.data.set("me", a.who->subject);
  page.data.set("f_text", form ? web::form_field(*form, "text") : "");
  const std::string picked = form ? web::form_field(*form, "assignee") : v->c.assignee;
  page.data.set("f_assignee", picked);
  // Pick from the office's staff: free text made cases nobody's (issue 11, point 6).
  const auto people = colleagues_of(d, a);
  if (!people.empty()) {
    Data options = web::list();
    for (const auto& p : people) {
      Data o;
      o.set("value", p.id);
      o.set("label", p.id == a.who->subject ? p.name + " (" + d.view.t(lang, "ui.case_me") + ")" : p.name);
      o.set("selected", p.id == picked || (picked.empty() && p.id == a.who->subject));
      options.push_back(o);
    }
    page.data.set("assignee_options", options);
    page.data.set("assignee_select", true);
  }
  page.data.set("assignee_name", name_of(d, lang, people, v->c.assignee));
  page.data.set("f_office", form ? web::form_field(*form, "office") : v->c.office);
  page.data.set("done", req.query_param("fatto") == "1");
  decision_forms(d, req, a, *v, form, page);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response staff_case_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return staff_case_page(d, req, a, nullptr, nullptr);
}

http::Response staff_case_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  const auto act = web::form_field(*form, "action");
  const auto text = text::trim(web::form_field(*form, "text"));
  const auto tenant = a.body->id;
  // From a decide form: the template the (edited) text started from.
  const DecisionFrom from{web::form_field(*form, "outcome"),
                          web::form_field(*form, "lang") == "en" ? "en" : "it"};
  Status st = Ok{};
  if (act == "assign") {
    auto assignee = text::trim(web::form_field(*form, "assignee"));
    st = d.cases.assign(a.who, tenant, id, assignee.empty() ? a.who->subject : assignee,
                        text::trim(web::form_field(*form, "office")));
  } else if (act == "start") {
    st = d.cases.start(a.who, tenant, id);
  } else if (act == "request_additions") {
    st = d.cases.request_additions(a.who, tenant, id, text);
  } else if (act == "resume") {
    st = d.cases.resume(a.who, tenant, id, text);
  } else if (act == "notice_of_grounds") {
    st = d.cases.notice_of_grounds(a.who, tenant, id, text, from);
  } else if (act == "accept") {
    st = d.cases.accept(a.who, tenant, id, text, from);
  } else if (act == "reject") {
    st = d.cases.reject(a.who, tenant, id, text, from);
  } else if (act == "compose") {
    return staff_case_page(d, req, a, &*form, nullptr);  // the decision texts again, with the reasons
  } else if (act == "close") {
    st = d.cases.close(a.who, tenant, id, text);
  } else if (act == "note") {
    st = d.cases.add_note(a.who, tenant, id, text);
  } else if (act == "message") {
    st = d.cases.send_message(a.who, tenant, id, text);
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403)
      return d.view.error_page(req, st.error().http_status);
    return staff_case_page(d, req, a, &*form, &st.error());
  }
  return http::Response::redirect("/backoffice/" + a.body->slug + "/pratiche/" + id + "?fatto=1", 303);
}

http::Response staff_document_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto doc = d.cases.document(a.who, a.body->id, req.param("id"), req.param("doc"));
  if (!doc) return d.view.error_page(req, doc.error().http_status);
  return document_response(std::move(*doc));
}

// ======================================= personal area ============================================

// The signed-in person, or the answer that sends them to sign in and back here.
const identity::Principal* person_of(const http::Request& req, std::optional<http::Response>& refusal) {
  const auto* p = identity::principal_of(req);
  if (!p || p->kind != identity::PrincipalKind::person) {
    auto r = http::Response::redirect("/accedi?next=" + req.path, 303);
    r.header("Cache-Control", "no-store");
    refusal = std::move(r);
    return nullptr;
  }
  return p;
}

web::Page person_page(WebDeps& d, const http::Request& req, const std::string& tpl, const std::string& title,
                      bool sub) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"}};
  if (sub) page.breadcrumb.push_back({d.view.t(lang, "ui.case_mine_title"), "/area-personale/pratiche"});
  page.breadcrumb.push_back({title, ""});
  return page;
}

http::Response mine_get(WebDeps& d, http::Request& req) {
  std::optional<http::Response> refusal;
  const auto* p = person_of(req, refusal);
  if (!p) return *refusal;
  const auto& lang = req.ctx.locale;
  auto page = person_page(d, req, "case_mine", d.view.t(lang, "ui.case_mine_title"), false);
  auto mine = d.cases.my_cases(p);
  if (!mine) return d.view.error_page(req, mine.error().http_status);
  Data rows = web::list();
  for (const auto& s : *mine) {
    auto body = d.tenants.by_id(s.c.tenant_id);
    if (!body) continue;
    Data r;
    r.set("href", "/area-personale/pratiche/" + body->slug + "/" + s.c.id);
    r.set("id", s.c.id);
    r.set("title", s.c.title);
    r.set("body_name", body->name);
    r.set("protocol", s.c.protocol_label());
    r.set("submitted_at", time::format_it_datetime(s.c.submitted_at));
    r.set("state", state_label(d, lang, s.c.state));
    r.set("deadline", deadline_data(d, lang, s.c, s.deadline));
    rows.push_back(r);
  }
  page.data.set("cases", rows);
  page.data.set("has_cases", !mine->empty());
  return web::private_page(d.view, req, page);
}

struct PersonAccess {
  std::shared_ptr<const tenants::Body> body;
  const identity::Principal* who = nullptr;
  std::optional<http::Response> refusal;
};

PersonAccess person_access(WebDeps& d, http::Request& req) {
  PersonAccess a;
  a.who = person_of(req, a.refusal);
  if (!a.who) return a;
  a.body = d.tenants.by_slug(req.param("slug"));
  if (!a.body) a.refusal = d.view.error_page(req, 404);
  return a;
}

http::Response person_case_page(WebDeps& d, http::Request& req, const PersonAccess& a, const Fields* form,
                                const Error* error, bool confirm_withdrawal = false) {
  const auto& lang = req.ctx.locale;
  auto v = d.cases.get(a.who, a.body->id, req.param("id"));
  if (!v) return d.view.error_page(req, v.error().http_status == 403 ? 404 : v.error().http_status);
  const std::string href = "/area-personale/pratiche/" + a.body->slug + "/" + v->c.id;
  auto page = person_page(d, req, "case_applicant", v->c.title, true);
  page.data.set("case", case_data(d, lang, *v, href + "/documenti/", true));
  page.data.set("body_name", a.body->name);
  page.data.set("action", href);
  page.data.set("csrf", a.who->csrf_token);
  page.data.set("f_text", form ? web::form_field(*form, "text") : "");
  page.data.set("done", req.query_param("fatto") == "1");
  page.data.set("max_files", std::to_string(kMaxMessageFiles));
  page.data.set("confirm_withdrawal", confirm_withdrawal);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response person_case_get(WebDeps& d, http::Request& req) {
  auto a = person_access(d, req);
  if (a.refusal) return *a.refusal;
  return person_case_page(d, req, a, nullptr, nullptr);
}

http::Response person_case_post(WebDeps& d, http::Request& req) {
  auto a = person_access(d, req);
  if (a.refusal) return *a.refusal;
  // The answer forms carry files (multipart); withdrawal and plain messages may be urlencoded.
  Fields f;
  std::vector<const http::FormPart*> uploads;
  std::optional<http::MultipartForm> parts;
  const auto* ct = req.header("content-type");
  if (ct && http::is_multipart_form(*ct)) {
    auto m = req.multipart();
    if (!m) return d.view.error_page(req, 400);
    parts = std::move(*m);
    f = parts->fields();
    uploads = parts->files("files");
  } else {
    auto form = req.form();
    if (!form) return d.view.error_page(req, 400);
    f = std::move(*form);
  }
  if (auto st = identity::check_csrf(req, f); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  const auto act = web::form_field(f, "action");
  const auto text = text::trim(web::form_field(f, "text"));
  if (uploads.size() > kMaxMessageFiles) {
    auto e = Error::make("cases.attachment", 400);
    return person_case_page(d, req, a, &f, &e);
  }
  if (act != "answer_additions" && act != "answer_grounds" && act != "message" && act != "withdraw")
    return d.view.error_page(req, 400);
  // Ownership and the case's state first, so that nobody's upload is stored for a case they may not
  // answer; then the files (each checked by content), then the answer that refers to them.
  if (auto st = d.cases.check_applicant_action(a.who, a.body->id, id, act); !st) {
    if (st.error().http_status == 404 || st.error().http_status == 403) return d.view.error_page(req, 404);
    return person_case_page(d, req, a, &f, &st.error());
  }
  // Withdrawing ends the application for good: the button next to "send the message" first asks,
  // with what was typed kept as the reason; only the confirmation's own button withdraws.
  if (act == "withdraw" && web::form_field(f, "confirm") != "1")
    return person_case_page(d, req, a, &f, nullptr, true);
  std::vector<std::string> file_ids;
  files::Limits limits;
  limits.max_size = kMaxMessageFileBytes;
  limits.allowed_types = {"application/pdf", "image/*", "text/plain", "application/pkcs7-mime",
                          "application/octet-stream"};
  for (const auto* u : uploads) {
    auto stored = d.files.put(a.body->id, u->filename.value_or(""), u->data, limits);
    if (!stored) return person_case_page(d, req, a, &f, &stored.error());
    file_ids.push_back(stored->id);
  }
  Status st = Ok{};
  if (act == "answer_additions") {
    st = d.cases.answer_additions(a.who, a.body->id, id, text, file_ids);
  } else if (act == "answer_grounds") {
    st = d.cases.answer_grounds(a.who, a.body->id, id, text, file_ids);
  } else if (act == "message") {
    st = d.cases.send_message(a.who, a.body->id, id, text, file_ids);
  } else if (act == "withdraw") {
    st = d.cases.withdraw(a.who, a.body->id, id, text);
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403) return d.view.error_page(req, 404);
    return person_case_page(d, req, a, &f, &st.error());
  }
  return http::Response::redirect("/area-personale/pratiche/" + a.body->slug + "/" + id + "?fatto=1", 303);
}

http::Response person_document_get(WebDeps& d, http::Request& req) {
  auto a = person_access(d, req);
  if (a.refusal) return *a.refusal;
  auto doc = d.cases.document(a.who, a.body->id, req.param("id"), req.param("doc"));
  if (!doc) return d.view.error_page(req, doc.error().http_status == 403 ? 404 : doc.error().http_status);
  return document_response(std::move(*doc));
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/backoffice/{slug}/pratiche", staff_route(d, Permission::backoffice, queue_get));
  router.post("/backoffice/{slug}/pratiche", staff_route(d, Permission::backoffice, queue_post));
  router.get("/backoffice/{slug}/pratiche/{id}", staff_route(d, Permission::backoffice, staff_case_get));
  router.post("/backoffice/{slug}/pratiche/{id}", staff_route(d, Permission::backoffice, staff_case_post));
  router.get("/backoffice/{slug}/pratiche/{id}/documenti/{doc}",
             staff_route(d, Permission::backoffice, staff_document_get));
  router.get("/area-personale/pratiche", [&d](http::Request& r) { return mine_get(d, r); });
  router.get("/area-personale/pratiche/{slug}/{id}",
             [&d](http::Request& r) { return person_case_get(d, r); });
  router.post("/area-personale/pratiche/{slug}/{id}",
              [&d](http::Request& r) { return person_case_post(d, r); });
  router.get("/area-personale/pratiche/{slug}/{id}/documenti/{doc}",
             [&d](http::Request& r) { return person_document_get(d, r); });
}

}  // namespace sp::cases
