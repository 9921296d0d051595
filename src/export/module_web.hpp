#pragma once
// Leaving the hub, installed (web/module.hpp): the export service, the job that runs a requested export
// (export.body), the hub administrators' page /backoffice/esportazioni and each body administrator's
// /backoffice/{slug}/esportazione (docs/export.md).
#include <memory>

#include "export/service.hpp"
#include "http/router.hpp"
#include "web/module.hpp"

namespace sp::body_export {

struct WebDeps;

struct Module : web::Installed {
  std::unique_ptr<BodyExportService> exports;
  std::shared_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::body_export
