#include "helpdesk/module_web.hpp"

#include <spdlog/spdlog.h>

#include "identity/staff_store.hpp"
#include "jobs/runner.hpp"

namespace sp::helpdesk {

inline constexpr const char* kRetentionKind = "helpdesk.retention";

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d, const identity::Module&) {
  auto m = std::make_unique<Module>();
  Directory dir;
  // Identity's accounts, read-only: who opened a ticket, and the hub's agents (the role helpdesk).
  dir.staff = [&db = d.db](const std::string& id) -> std::optional<StaffContact> {
    identity::StaffStore staff(db);
    auto row = staff.by_id(id);
    if (!row || !row->active) return std::nullopt;
    return StaffContact{row->id, row->display_name, row->email};
  };
  dir.agents = [&db = d.db]() {
    identity::StaffStore staff(db);
    std::vector<StaffContact> out;
    for (const auto& row : staff.by_tenant(0)) {
      if (!row.active) continue;
      for (const auto& r : staff.roles(row.id))
        if (r == "helpdesk") out.push_back(StaffContact{row.id, row.display_name, row.email});
    }
    return out;
  };
  dir.slug = [&t = d.tenants()](tenants::TenantId id) {
    auto b = t.by_id(id);
    return b ? b->slug : std::string();
  };
  Options o;
  o.retention_months = d.config.helpdesk_retention_months;
  o.public_url = d.config.public_url;
  m->helpdesk = std::make_unique<HelpdeskService>(d.db, d.clock, d.i18n, d.files, d.audit, std::move(dir), o);
  m->upload_prefixes = {"/backoffice/*/assistenza/", "/hub/assistenza/"};
  jobs::Kind k;
  k.name = kRetentionKind;
  k.retry =
      jobs::RetryPolicy{5, std::chrono::seconds(60), std::chrono::seconds(3600), std::chrono::seconds(900)};
  k.run = [svc = m->helpdesk.get()](jobs::JobRun& run) -> Status {
    const int n = svc->purge_expired();
    if (n > 0)
      spdlog::info("helpdesk: the content of {} closed ticket(s) purged", n);
    else
      run.nothing_done();
    return Ok{};
  };
  d.jobs.add_periodic(std::move(k),
                      jobs::Periodic{jobs::DailyAt{std::chrono::hours(3)}, jobs::CatchUp::latest_only});
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->helpdesk});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::helpdesk
