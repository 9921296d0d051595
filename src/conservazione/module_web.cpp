#include "conservazione/module_web.hpp"

#include "conservazione/send_job.hpp"
#include "conservazione/web.hpp"

namespace sp::conservazione {

Connection connection_from_config(const Config& config) {
  Connection c;
  c.url = config.conservazione_url;
  while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
  c.token = config.conservazione_token;
  c.simulator = config.sim_conservazione;
  c.simulator_port = config.sim_conservazione_port;
  return c;
}

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                protocollo::DailyRegisterService& registers,
                                protocollo::ProtocolService& protocol, const Connection& connection) {
  auto m = std::make_unique<Module>();
  conservazione_wire::ClientOptions co;
  co.url = connection.url;
  co.token = connection.token;
  co.http.timeout = std::chrono::seconds(120);  // a package may be large
  m->service = std::make_unique<ConservazioneService>(d.db, d.clock, registers, protocol, d.tenants(),
                                                      d.files, d.audit, conservazione_wire::Client(co));
  m->web = std::make_shared<WebDeps>(WebDeps{d.view(), d.tenants(), *m->service, d.jobs});
  if (!co.url.empty()) register_send_job(d.jobs, *m->service);
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::conservazione
