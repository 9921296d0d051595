#include "statistics/module_web.hpp"

#include "jobs/runner.hpp"

namespace sp::statistics {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d, const cases::Module& cases) {
  auto m = std::make_unique<Module>();
  m->statistics = std::make_unique<StatisticsService>(
      d.db, d.tenants(), d.clock,
      [svc = cases.cases.get()](std::int64_t t, const std::string& s) { return svc->overdue_count(t, s); },
      [svc = cases.cases.get()](std::int64_t t) { return svc->overdue_by_service(t); });
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->statistics, d.catalog()});
  register_rebuild_job(d.jobs, *m->statistics);
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::statistics
