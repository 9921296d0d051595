#pragma once
// The statistics module installed (web/module.hpp): its service, its pages and the nightly job that
// rebuilds the closed months' aggregates from the records (docs/statistics.md).
#include <memory>

#include "cases/module_web.hpp"
#include "http/router.hpp"
#include "statistics/service.hpp"
#include "statistics/web.hpp"
#include "web/module.hpp"

namespace sp::statistics {

struct Module : web::Installed {
  std::unique_ptr<StatisticsService> statistics;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const cases::Module& cases);

}  // namespace sp::statistics
