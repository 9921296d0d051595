#pragma once
// The digital stamp, installed (web/module.hpp): its service, for every module that issues documents,
// and its pages (web.hpp).
#include <memory>

#include "http/router.hpp"
#include "stamp/service.hpp"
#include "stamp/web.hpp"
#include "web/module.hpp"

namespace sp::stamp {

struct Module : web::Installed {
  std::unique_ptr<StampService> stamps;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::stamp
