#pragma once
// Preservation, installed (web/module.hpp): the service, the job conservazione.send, the pages and the API
// (web.hpp; docs/conservazione.md).
#include <memory>

#include "conservazione/service.hpp"
#include "http/router.hpp"
#include "web/module.hpp"

namespace sp::conservazione {

struct WebDeps;

struct Module : web::Installed {
  std::unique_ptr<ConservazioneService> service;
  std::shared_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                protocollo::DailyRegisterService& registers,
                                protocollo::ProtocolService& protocol);

}  // namespace sp::conservazione
