#pragma once
// The certificates module installed (web/module.hpp): its service (ANPR client from the configuration:
// anpr_url, anpr_credentials; the dated exemption table data/certificates/esenzioni_bollo.csv), the
// receipt listener and the "certificates.issue" job, the pages (web.hpp).
#include <memory>

#include "certificates/service.hpp"
#include "certificates/web.hpp"
#include "http/router.hpp"
#include "payments/module_web.hpp"
#include "web/module.hpp"

namespace sp::certificates {

struct Module : web::Installed {
  std::unique_ptr<CertificateService> certificates;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                payments::Module& payments);

}  // namespace sp::certificates
