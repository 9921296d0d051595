#include "protocollo/module_web.hpp"

#include "protocollo/register_job.hpp"

namespace sp::protocollo {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity) {
  auto m = std::make_unique<Module>();
  m->protocol = std::make_unique<ProtocolService>(d.db, d.clock, d.files);
  m->registers = std::make_unique<DailyRegisterService>(d.db, d.clock, d.i18n);
  m->registers->set_actor_name([names = identity.actor_names.get()](const std::string& who) {
    return names ? names->name(who, "it") : std::string();
  });
  register_daily_register_job(d.jobs, *m->registers);
  m->web = std::make_unique<WebDeps>(
      WebDeps{d.view(), *m->protocol, *m->registers, d.files, d.tenants(), identity.actor_names.get()});
  register_pages(router, *m->web);
  register_api(router, *m->web);
  // Where documents are uploaded: the registry's form and API (base64 in JSON is a third larger).
  m->upload_prefixes = {"/backoffice/*/protocollo/nuovo", "/api/v1/backoffice/*/protocollo/registrazioni"};
  return m;
}

}  // namespace sp::protocollo
