#pragma once
// Preservation, installed (web/module.hpp): the service, the job conservazione.send, the pages and the API
// (web.hpp; docs/conservazione.md).
#include <cstdint>
#include <memory>
#include <string>

#include "conservazione/service.hpp"
#include "http/router.hpp"
#include "web/module.hpp"

namespace sp::conservazione {

struct WebDeps;

// Where the preservation service is: the settings conservazione_url, conservazione_token, sim_conservazione
// and sim_conservazione_port (core/config.hpp, docs/conservazione.md).
struct Connection {
  std::string url;                   // the API base (POST …/versamenti); empty: nothing is sent
  std::string token;                 // the hub's Bearer credential there
  bool simulator = true;             // demo mode starts the local conservator when no url is given
  std::uint16_t simulator_port = 0;  // its port; 0: a free one
};
Connection connection_from_config(const Config& config);

struct Module : web::Installed {
  std::unique_ptr<ConservazioneService> service;
  std::shared_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                protocollo::DailyRegisterService& registers,
                                protocollo::ProtocolService& protocol, const Connection& connection);

}  // namespace sp::conservazione
