#pragma once
// The protocol registry installed (web/module.hpp): registrations and their documents, the daily
// registers and their job, the back-office pages and the JSON API.
#include <memory>

#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/service.hpp"
#include "protocollo/web.hpp"
#include "web/module.hpp"

namespace sp::protocollo {

struct Module : web::Installed {
  std::unique_ptr<ProtocolService> protocol;
  std::unique_ptr<DailyRegisterService> registers;
  std::unique_ptr<InteropService> interop;  // the signed segnatura, messages between registry offices
  std::unique_ptr<WebDeps> web;
};

// `identity`: the names of who registered, annulled, changed (pages and the daily register).
std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity);

}  // namespace sp::protocollo
