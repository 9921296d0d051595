#pragma once
// The messaging module installed (web/module.hpp): the service, the person's and the staff's pages.
#include <memory>

#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "messaging/appio_remote_web.hpp"
#include "messaging/service.hpp"
#include "messaging/web.hpp"
#include "web/module.hpp"

namespace sp::messaging {

struct Module : web::Installed {
  std::unique_ptr<MessagingService> messaging;
  std::unique_ptr<WebDeps> web;
  std::unique_ptr<AppIoRemoteDeps> appio_remote;  // IO's call-backs for remote content
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity);

}  // namespace sp::messaging
