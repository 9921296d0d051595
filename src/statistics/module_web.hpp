#pragma once
// The statistics module installed (web/module.hpp): its service, its pages and the nightly job that
// rebuilds the closed months' aggregates from the records (docs/statistics.md).
#include <memory>

#include "http/router.hpp"
#include "statistics/service.hpp"
#include "statistics/web.hpp"
#include "web/module.hpp"

namespace sp::statistics {

struct Module : web::Installed {
  std::unique_ptr<StatisticsService> statistics;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::statistics
