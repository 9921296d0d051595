#include "export/module_web.hpp"

#include <spdlog/spdlog.h>

#include "export/web.hpp"

namespace sp::body_export {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->exports = std::make_unique<BodyExportService>(d.db, d.audit, d.files, d.clock);
  m->exports->set_keys_dir(d.config.keys_dir);
  m->web = std::make_shared<WebDeps>(WebDeps{d.view(), d.tenants(), *m->exports, d.jobs});
  // export.body: one requested export (payload: the run's id; tenant: the body). Written under
  // <exports folder>/<slug>-<id>; a failure is recorded on the run and retried by the runner.
  jobs::Kind k;
  k.name = "export.body";
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(60), std::chrono::seconds(600), std::chrono::seconds(3600)};
  BodyExportService* exports = m->exports.get();
  // Next to the stored files (files_dir/exports), or var/exports when files are kept in the database.
  const std::string dir =
      d.config.files_dir.empty() ? std::string("var/exports") : d.config.files_dir + "/exports";
  k.run = [exports, dir](jobs::JobRun& run) -> Status {
    auto done = exports->run_queued(run.job().payload, run.job().tenant_id, dir);
    if (!done) return done.error();
    spdlog::info("export.body: {} exported to {}", done->body_slug, done->dir);
    return Ok{};
  };
  d.jobs.add(std::move(k));
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::body_export
