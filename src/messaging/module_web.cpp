#include "messaging/module_web.hpp"

#include "jobs/runner.hpp"

namespace sp::messaging {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity) {
  auto m = std::make_unique<Module>();
  m->messaging = std::make_unique<MessagingService>(d.db, d.audit, *identity.profile, d.clock);
  m->messaging->set_notifier([&jobs = d.jobs] { jobs.notify(); });  // a retried message goes out at once
  m->messaging->set_body_contacts([&tenants = d.tenants()](std::int64_t tenant) {
    BodyContacts b;
    if (auto body = tenants.by_id(tenant)) {
      b.name = body->name;
      b.pec = body->pec;
    }
    return b;
  });
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->messaging, d.tenants()});
  register_pages(router, *m->web);
  m->appio_remote = std::make_unique<AppIoRemoteDeps>(
      AppIoRemoteDeps{d.view(), d.tenants(), *identity.inbound, identity.inbound_options, d.db, d.files});
  register_appio_remote(router, *m->appio_remote);
  return m;
}

}  // namespace sp::messaging
