#include "conservazione/module_web.hpp"

#include <cstdlib>
#include <exception>

#include "conservazione/send_job.hpp"
#include "conservazione/web.hpp"

namespace sp::conservazione {

namespace {
std::string env_text(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}
}  // namespace

Connection connection_from_environment() {
  Connection c;
  c.url = env_text("SPORTELLO_CONSERVAZIONE_URL");
  while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
  c.token = env_text("SPORTELLO_CONSERVAZIONE_TOKEN");
  const auto sim = env_text("SPORTELLO_SIM_CONSERVAZIONE");
  c.simulator = !(sim == "false" || sim == "0" || sim == "off");
  const auto port = env_text("SPORTELLO_SIM_CONSERVAZIONE_PORT");
  if (!port.empty()) {
    try {
      const long p = std::stol(port);
      if (p >= 0 && p <= 65535) c.simulator_port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
      // not a number: a free port, as by default
    }
  }
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
