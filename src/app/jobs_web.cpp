// The hub administrators' page of background jobs: /backoffice/lavori lists the jobs (filtered by
// state, the dead ones first thing an operator looks at), and a dead job can be queued again
// (POST /backoffice/lavori/{id}/riprova, audited as jobs.retry). The same as `sportello jobs list` and
// `sportello jobs retry ID`. Permission::manage_hub (the jobs of every body are there).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/app.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "jobs/store.hpp"

namespace sp::app {
namespace {

constexpr const char* kJobsPath = "/backoffice/lavori";

struct JobsPageDeps {
  web::View& view;
  db::Database& db;
  tenants::TenantService& tenants;
  audit::AuditService& audit;
  jobs::Runner& runner;
};

// The state filter as the page's query names it (Italian words in the URL, like the other pages).
std::optional<jobs::State> state_of_query(std::string_view q) {
  if (q == "in-coda") return jobs::State::queued;
  if (q == "in-corso") return jobs::State::running;
  if (q == "completati") return jobs::State::done;
  if (q == "falliti") return jobs::State::dead;
  return std::nullopt;
}

http::Response jobs_page(JobsPageDeps& d, http::Request& req, const identity::StaffCall& c,
                         const Error* error) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "jobs_list";
  page.title = d.view.t(lang, "ui.jobs_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.staff_home_title"), "/backoffice/"},
                     {page.title, ""}};
  const std::string filter = req.query_param("stato");
  jobs::ListQuery q;
  q.state = state_of_query(filter);
  q.limit = 200;
  web::Data filters = web::list();
  for (const auto& [code, key] :
       std::initializer_list<std::pair<const char*, const char*>>{{"", "ui.jobs_filter_all"},
                                                                  {"falliti", "ui.jobs_filter_dead"},
                                                                  {"in-coda", "ui.jobs_filter_queued"},
                                                                  {"in-corso", "ui.jobs_filter_running"},
                                                                  {"completati", "ui.jobs_filter_done"}}) {
    web::Data f;
    f.set("label", d.view.t(lang, key));
    f.set("href", std::string(kJobsPath) + (*code ? std::string("?stato=") + code : std::string()));
    f.set("current", filter == code);
    filters.push_back(f);
  }
  page.data.set("filters", filters);
  web::Data rows = web::list();
  const auto found = jobs::list(d.db, q);
  for (const auto& j : found) {
    web::Data row;
    row.set("id", std::to_string(j.id));
    // The kind by name (a code such as "messaging.send" means nothing to most readers); the code stays
    // in the page's data for whoever needs it.
    std::string kind_key = j.kind;
    std::replace(kind_key.begin(), kind_key.end(), '.', '_');
    const std::string label_key = "ui.jobs_kind_" + kind_key;
    const auto& label = d.view.t(lang, label_key);
    row.set("kind", label == label_key ? j.kind : label);
    row.set("kind_code", j.kind);
    std::string body = d.view.t(lang, "ui.staff_hub");
    if (j.tenant_id != 0) {
      auto b = d.tenants.by_id(j.tenant_id);
      body = b ? b->name : std::to_string(j.tenant_id);
    }
    row.set("body", body);
    // A periodic job's period: a Rome day or a UTC instant, shown the Italian way.
    row.set("key", j.unique_key.size() == 10 ? time::it_date_text(j.unique_key)
                                             : time::it_datetime_text(j.unique_key));
    row.set("state", d.view.t(lang, "ui.jobs_state_" + std::string(jobs::to_string(j.state))));
    row.set("state_code", std::string(jobs::to_string(j.state)));
    row.set("run_at", time::it_datetime_text(j.run_at));
    row.set("attempts", std::to_string(j.attempts));
    row.set("last_error", j.last_error);
    row.set("claimed_by", j.claimed_by);
    row.set("dead", j.state == jobs::State::dead);
    row.set("retry_action", std::string(kJobsPath) + "/" + std::to_string(j.id) + "/riprova");
    rows.push_back(row);
  }
  page.data.set("jobs", rows);
  page.data.set("has_jobs", !found.empty());
  page.data.set("csrf", c.who->csrf_token);
  if (auto retried = req.query_param("riprovato"); !retried.empty()) page.data.set("retried", retried);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response jobs_get(JobsPageDeps& d, http::Request& req, const identity::StaffCall& c) {
  return jobs_page(d, req, c, nullptr);
}

http::Response jobs_retry(JobsPageDeps& d, http::Request& req, const identity::StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  jobs::JobId id = 0;
  try {
    id = std::stoll(req.param("id"));
  } catch (const std::exception&) {
    return d.view.error_page(req, 404);
  }
  // The retry and its audit entry in one transaction: a database that refuses the entry refuses the retry.
  auto retried = db::transact(d.db, [&](db::Conn& tx) -> Result<jobs::Job> {
    auto job = jobs::retry(tx, id, time::system_clock().now());
    if (!job) return job;
    audit::Entry e;
    e.tenant_id = job->tenant_id;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = c.who->subject;
    e.channel = audit::Channel::web;
    e.action = "jobs.retry";
    e.record_type = "job";
    e.record_id = std::to_string(id);
    e.remote_addr = req.remote_addr;
    d.audit.record_or_throw(tx, e);
    return job;
  });
  if (!retried) {
    if (retried.error().http_status == 404) return d.view.error_page(req, 404);
    return jobs_page(d, req, c, &retried.error());
  }
  d.runner.notify();
  return http::Response::redirect(std::string(kJobsPath) + "?riprovato=" + std::to_string(id), 303);
}

}  // namespace

void App::register_jobs_page() {
  auto d = std::make_shared<JobsPageDeps>(JobsPageDeps{*view_, *db_, *tenants_, *audit_, *jobs_});
  jobs_page_ = d;
  // Guarded per route (identity/guards.hpp): anonymous callers go to the sign-in, other staff get a 403.
  router_.get(kJobsPath, identity::hub_staff_route(*d, identity::Permission::manage_hub, jobs_get));
  router_.post(std::string(kJobsPath) + "/{id}/riprova",
               identity::hub_staff_route(*d, identity::Permission::manage_hub, jobs_retry));
}

}  // namespace sp::app
