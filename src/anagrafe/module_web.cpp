#include "anagrafe/module_web.hpp"

#include "adapters/anpr/client.hpp"

namespace sp::anagrafe {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->register_ = std::make_unique<AnagrafeService>(d.db, d.audit, d.tenants(), d.clock);
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->register_, d.tenants(), d.catalog()});
  m->prefill = std::make_unique<RegisterPrefill>(*m->register_, d.tenants());
  m->family = std::make_unique<RegisterFamily>(*m->register_);
  AnprSyncOptions so;
  so.anpr_url = d.config.anpr_url;
  so.credentials = anpr::parse_credentials(d.config.anpr_credentials);
  so.tls = {d.config.anpr_client_cert, d.config.anpr_client_key, d.config.anpr_ca_file};
  m->anpr_sync = std::make_unique<AnprSync>(*m->register_, d.tenants(), d.clock, std::move(so));
  m->anpr_sync->attach(d.jobs);
  register_pages(router, *m->web);
  m->upload_prefixes.push_back(kUploadPrefix);
  return m;
}

}  // namespace sp::anagrafe
