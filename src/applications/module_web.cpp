#include "applications/module_web.hpp"

namespace sp::applications {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, const cases::Module& cases,
                                const forms::Module& forms) {
  auto m = std::make_unique<Module>();
  m->applications = std::make_unique<ApplicationService>(d.db, d.clock, d.i18n, d.files, d.tenants(),
                                                         d.catalog(), cases.cases.get(), *forms.definitions);
  m->applications->set_counter(identity.counter.get());   // the assisted counter files for the citizen served
  m->applications->set_profiles(identity.profile.get());  // prefill from the signed-in person's profile
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->applications, d.tenants(), d.secure_cookies});
  register_pages(router, *m->web);
  register_api(router, *m->web);
  m->forms_admin_web = std::make_unique<FormsAdminDeps>(
      FormsAdminDeps{d.view(), *forms.definitions, d.tenants(), d.catalog()});
  register_forms_admin_pages(router, *m->forms_admin_web);
  m->upload_prefixes = {kUploadPrefix, kStreetsUploadPrefix};
  return m;
}

}  // namespace sp::applications
