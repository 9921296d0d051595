#pragma once
// Payments installed (web/module.hpp): the debt positions' service and its JSON API.
#include <memory>

#include "http/router.hpp"
#include "payments/service.hpp"
#include "payments/web.hpp"
#include "web/module.hpp"

namespace sp::payments {

struct Module : web::Installed {
  std::unique_ptr<PaymentsService> payments;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::payments
