#include "privacy/module_web.hpp"

#include "privacy/web.hpp"

namespace sp::privacy {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->person = std::make_unique<PersonDataService>(d.db);
  m->records = std::make_unique<ProcessingRecords>(d.db, d.audit, d.clock,
                                                   d.config.share_dir + "/data/privacy/processing.json");
  // The hub's periods and the bounds a body chooses its own within (App checks the file at start).
  auto hub = load_retention(d.config.share_dir + "/data/privacy/retention.json");
  m->retention = std::make_unique<BodyRetentionService>(d.db, d.audit, d.clock, hub ? *hub : Retention{});
  m->web = std::make_shared<WebDeps>(
      WebDeps{d.view(), d.tenants(), *m->person, *m->records, d.audit, d.clock, *m->retention});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::privacy
