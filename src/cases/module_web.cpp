#include "cases/module_web.hpp"

#include "jobs/runner.hpp"

namespace sp::cases {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, const protocollo::Module& protocollo,
                                const forms::Module& forms) {
  Options options;
  options.decisions_dir = d.config.share_dir + "/data/decisions";  // as data/forms: from the share dir
  options.locales_dir = d.config.share_dir + "/web/locales";       // the notices' texts
  options.public_url = d.config.public_url;                        // the notices' links
  options.language_of = [profiles = identity.profile.get()](const std::string& cf) {  // the notices' language
    auto p = profiles->show(cf);
    return p ? p->preferred_language : std::string("it");
  };
  auto m = std::make_unique<Module>();
  m->cases = std::make_unique<CaseService>(d.db, d.clock, *protocollo.protocol, d.files, d.catalog(),
                                           d.tenants(), identity.profile.get(), options);
  m->cases->set_form_definitions(forms.definitions.get());             // decisions print the answers' labels
  m->cases->set_outbox_notifier([&jobs = d.jobs] { jobs.notify(); });  // notices go out at once
  // A case is assigned only to the body's own active staff, and its history names them.
  m->cases->set_staff_directory(
      [staff = identity.staff.get()](tenants::TenantId tenant,
                                     const std::string& id) -> std::optional<std::string> {
        auto account = staff->account(id);
        if (!account || !account->active || account->tenant_id != tenant) return std::nullopt;
        return account->display_name;
      });
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->cases, d.files, d.tenants(), identity.staff.get(),
                                             identity.actor_names.get(), forms.definitions.get()});
  register_pages(router, *m->web);
  // Additions and observations: a person's messages with documents.
  m->upload_prefixes = {"/area-personale/pratiche/*/*"};
  return m;
}

}  // namespace sp::cases
