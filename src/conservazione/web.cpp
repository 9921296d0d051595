#include "conservazione/web.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <map>

#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "jobs/runner.hpp"
#include "web/context.hpp"

namespace sp::conservazione {
namespace {

using identity::StaffCall;

std::string base_of(const StaffCall& c) {
  return "/backoffice/" + c.body->slug + "/conservazione";
}

// "5 dicembre 2026" / "5 December 2026": a stored day as people read it in the page's language.
std::string long_day(WebDeps& d, const std::string& lang, const std::string& iso_day) {
  auto day = time::parse_iso_date(iso_day);
  if (!day) return iso_day;
  char month[3];
  std::snprintf(month, sizeof month, "%02u", static_cast<unsigned>(day->month()));
  return web::ui(d.view, lang, "ui.conservazione_long_date",
                 {{"day", std::to_string(static_cast<unsigned>(day->day()))},
                  {"month", d.view.t(lang, std::string("ui.conservazione_month_") + month)},
                  {"year", std::to_string(static_cast<int>(day->year()))}});
}

// What a person reads as the package's object: a daily register is "<AOO name>, registro del 5 dicembre
// 2026" (its stored title is "<AOO code> <ISO day>", the conservator's naming); other classes keep the file
// name they were packaged with.
std::string display_title(WebDeps& d, const std::string& lang, const Package& p,
                          const std::map<std::string, std::string>& aoo_names) {
  if (p.klass != kDailyRegister) return p.title;
  const auto space = p.title.rfind(' ');
  if (space == std::string::npos) return p.title;
  const auto code = p.title.substr(0, space);
  const auto named = aoo_names.find(code);
  return web::ui(d.view, lang, "ui.conservazione_register_title",
                 {{"aoo", named == aoo_names.end() ? code : named->second},
                  {"day", long_day(d, lang, p.title.substr(space + 1))}});
}

web::Data package_row(WebDeps& d, const std::string& lang, const Package& p, const std::string& base,
                      const std::string& today, const std::map<std::string, std::string>& aoo_names) {
  web::Data row;
  row.set("id", p.id);
  row.set("href", base + "/" + p.id);
  row.set("class", d.view.t(lang, std::string("ui.conservazione_class_") + p.klass));
  row.set("title", display_title(d, lang, p, aoo_names));
  row.set("state", d.view.t(lang, std::string("ui.conservazione_state_") + state_name(p.state)));
  row.set("state_code", state_name(p.state));
  row.set("attempts", std::to_string(p.attempts));
  row.set("due_day", time::it_date_text(p.due_day));
  row.set("overdue", p.state != State::accepted && p.due_day < today);
  // Accepted after its due day (a Rome day): kept visible, the law's deadline was missed.
  bool late = false;
  if (p.state == State::accepted && !p.accepted_at.empty()) {
    auto at = time::parse_iso_utc(p.accepted_at);
    late = at && time::format_iso_date(time::rome_date(*at)) > p.due_day;
  }
  row.set("late", late);
  row.set("accepted", p.state == State::accepted);
  row.set("retryable", p.state == State::rejected || p.state == State::failed);
  row.set("receipt_id", p.receipt_id);
  row.set("accepted_at", p.accepted_at.empty() ? std::string() : time::it_datetime_text(p.accepted_at));
  if (p.state != State::accepted) row.set("next_attempt_at", time::it_datetime_text(p.next_attempt_at));
  if (!p.last_error.empty()) row.set("last_error", p.last_error);  // (an empty string is a true section)
  row.set("audit_head_seq", std::to_string(p.audit_head_seq));
  return row;
}

http::Response list_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto packages = d.service.list(c.who, c.body->id);
  if (!packages) return d.view.error_page(req, packages.error().http_status);
  auto p = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "conservazione_list",
                                d.view.t(lang, "ui.conservazione_title"), "", "", false);
  p.data.set("title", p.title);
  const std::string base = base_of(c);
  const std::string today = d.service.today();
  web::Data rows = web::list();
  int waiting = 0;
  const auto names = d.service.aoo_names(c.body->id);
  for (const auto& pk : *packages) {
    rows.push_back(package_row(d, lang, pk, base, today, names));
    if (pk.state == State::rejected || pk.state == State::failed) ++waiting;
  }
  p.data.set("packages", rows);
  p.data.set("has_packages", !packages->empty());
  // Counted over every package of the body, not only the page's.
  auto overdue = d.service.overdue(c.who, c.body->id);
  if (overdue && *overdue > 0) p.data.set("overdue_count", std::to_string(*overdue));
  p.data.set("waiting", std::to_string(waiting));
  p.data.set("has_waiting", waiting > 0);
  p.data.set("settings_href", base + "/impostazioni");
  p.data.set("can_configure",
             static_cast<bool>(identity::authorize(c.who, identity::Permission::manage_staff, c.body->id)));
  if (req.query_param("riprova") == "1") p.data.set("retried", true);
  if (error) web::set_form_error(d.view, req, p, *error);
  return web::private_page(d.view, req, p, error ? web::form_status(*error) : 200);
}

http::Response list_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return list_page(d, req, c, nullptr);
}

http::Response package_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  const auto& lang = req.ctx.locale;
  auto pk = d.service.get(c.who, c.body->id, req.param("id"));
  if (!pk) return d.view.error_page(req, pk.error().http_status);
  auto receipts = d.service.receipts(c.who, c.body->id, pk->id);
  if (!receipts) return d.view.error_page(req, receipts.error().http_status);
  const std::string base = base_of(c);
  auto p = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "conservazione_package",
                                d.view.t(lang, "ui.conservazione_package_title"), "ui.conservazione_title",
                                base, true);
  p.data.set("title", p.title);
  p.data.set("package", package_row(d, lang, *pk, base, d.service.today(), d.service.aoo_names(c.body->id)));
  p.data.set("index_xml", pk->index_xml);
  p.data.set("index_sha256", pk->index_sha256);
  p.data.set("idempotency_key", pk->idempotency_key);
  p.data.set("audit_head_hash", pk->audit_head_hash);
  p.data.set("retry_action", base + "/" + pk->id + "/riprova");
  web::Data rows = web::list();
  for (const auto& r : *receipts) {
    web::Data row;
    row.set("attempt", std::to_string(r.attempt));
    row.set("outcome", d.view.t(lang, "ui.conservazione_outcome_" + r.outcome));
    row.set("outcome_code", r.outcome);
    if (!r.receipt_id.empty()) row.set("receipt_id", r.receipt_id);
    if (!r.detail.empty()) row.set("detail", r.detail);
    if (!r.body.empty()) row.set("body", r.body);
    row.set("received_at", time::it_datetime_text(r.received_at));
    rows.push_back(row);
  }
  p.data.set("receipts", rows);
  p.data.set("has_receipts", !receipts->empty());
  return web::private_page(d.view, req, p);
}

http::Response retry_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto st = d.service.retry(c.who, c.body->id, req.param("id"));
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return list_page(d, req, c, &st.error());
  }
  d.runner.notify();
  return web::see_other(base_of(c) + "?riprova=1");
}

http::Response settings_page(WebDeps& d, http::Request& req, const StaffCall& c,
                             const std::vector<std::string>& chosen, const Error* error, bool saved) {
  const auto& lang = req.ctx.locale;
  auto p = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "conservazione_settings",
                                d.view.t(lang, "ui.conservazione_settings_title"), "ui.conservazione_title",
                                base_of(c), true);
  p.data.set("title", p.title);
  p.data.set("action", base_of(c) + "/impostazioni");
  web::Data classes = web::list();
  for (const auto& k : optional_classes()) {
    web::Data row;
    row.set("code", k);
    row.set("label", d.view.t(lang, "ui.conservazione_class_" + k));
    row.set("hint", d.view.t(lang, "ui.conservazione_class_hint_" + k));
    row.set("checked", std::find(chosen.begin(), chosen.end(), k) != chosen.end());
    classes.push_back(row);
  }
  p.data.set("classes", classes);
  if (saved) p.data.set("saved", true);
  if (error) web::set_form_error(d.view, req, p, *error);
  return web::private_page(d.view, req, p, error ? web::form_status(*error) : 200);
}

http::Response settings_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto s = d.service.settings(c.who, c.body->id);
  if (!s) return d.view.error_page(req, s.error().http_status);
  return settings_page(d, req, c, s->classes, nullptr, req.query_param("salvato") == "1");
}

http::Response settings_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::vector<std::string> chosen;
  auto [from, to] = form->equal_range("classe");
  for (auto it = from; it != to; ++it) chosen.push_back(it->second);
  auto st = d.service.save_settings(c.who, c.body->id, chosen);
  if (!st) return settings_page(d, req, c, chosen, &st.error(), false);
  return web::see_other(base_of(c) + "/impostazioni?salvato=1");
}

http::Response api_packages(WebDeps& d, http::Request& req, const identity::ApiCall& c) {
  (void)req;
  boost::json::array items;
  for (const auto& p : d.service.list_for(c.body->id)) {
    items.push_back(boost::json::object{{"id", p.id},
                                        {"class", p.klass},
                                        {"object_id", p.object_id},
                                        {"title", p.title},
                                        {"state", state_name(p.state)},
                                        {"attempts", p.attempts},
                                        {"due_day", p.due_day},
                                        {"receipt_id", p.receipt_id},
                                        {"accepted_at", p.accepted_at},
                                        {"audit_head_seq", p.audit_head_seq},
                                        {"audit_head_hash", p.audit_head_hash},
                                        {"index_sha256", p.index_sha256}});
  }
  auto r = http::Response::json(boost::json::serialize(boost::json::object{{"packages", items}}));
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::Permission;
  const std::string b = "/backoffice/{slug}/conservazione";
  router.get(b, identity::staff_route(d, Permission::annul_protocol, list_get));
  router.get(b + "/impostazioni", identity::staff_route(d, Permission::manage_staff, settings_get));
  router.post(b + "/impostazioni", identity::staff_route(d, Permission::manage_staff, settings_post));
  router.get(b + "/{id}", identity::staff_route(d, Permission::annul_protocol, package_get));
  router.post(b + "/{id}/riprova", identity::staff_route(d, Permission::annul_protocol, retry_post));
  router.get("/api/v1" + b + "/pacchetti", identity::api_route(d, "protocollo:read", api_packages));
}

}  // namespace sp::conservazione
