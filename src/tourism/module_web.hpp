#pragma once
// Tourist information, installed (web/module.hpp): points of interest and events, their review, the
// portal's pages, the feeds and the widget.
#include <memory>

#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "tourism/service.hpp"
#include "tourism/web.hpp"
#include "web/module.hpp"

namespace sp::tourism {

struct Module : web::Installed {
  std::unique_ptr<TourismService> tourism;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity);

}  // namespace sp::tourism
