#include "hub/module_web.hpp"

namespace sp::hub {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, const protocollo::Module& protocollo,
                                const payments::Module& payments) {
  auto m = std::make_unique<Module>();
  Capabilities can;
  // Read at each call: modules installed later add their own flows to what the catalog offers online.
  can.online = [&s = d.services](std::string_view code) { return s.online_form && s.online_form(code); };
  can.creditor = [p = payments.payments.get()](tenants::TenantId t) {
    return static_cast<bool>(p->creditor(t));
  };
  m->packages =
      std::make_unique<PackagesService>(d.db, d.clock, d.tenants(), d.catalog(), d.audit, std::move(can));
  m->onboarding =
      std::make_unique<OnboardingService>(d.db, d.clock, d.tenants(), *protocollo.protocol,
                                          *payments.payments, *identity.staff, *m->packages, d.audit);
  m->logos = std::make_unique<LogoService>(d.db, d.clock, d.files, d.audit);
  m->web = std::make_unique<WebDeps>(
      WebDeps{d.view(), d.tenants(), *m->packages, *m->onboarding, d.config.public_url, *m->logos});
  // A logo (1 MB) posted with the onboarding's first step or on the body's logo page.
  m->upload_prefixes = {"/backoffice/enti/bozze/*", "/backoffice/*/stemma"};
  register_pages(router, *m->web);
  register_api(router, *m->web);
  return m;
}

}  // namespace sp::hub
