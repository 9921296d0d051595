#include "alerts/module_web.hpp"

#include "jobs/runner.hpp"

namespace sp::alerts {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, const anagrafe::Module& anagrafe,
                                const cases::Module& cases, const forms::Module& forms) {
  auto m = std::make_unique<Module>();
  Options o;
  o.rates = {{"email", d.config.alert_rate_email},
             {"sms", d.config.alert_rate_sms},
             {"pec", d.config.alert_rate_pec},
             {"appio", d.config.alert_rate_appio}};
  o.sms_cost_cents = d.config.alert_sms_cost_cents;
  if (d.config.demo) o.default_cost_cap_cents = kDemoMonthlyCapCents;
  o.public_url = d.config.public_url;
  m->alerts = std::make_unique<AlertService>(
      d.db, d.audit, *identity.profile, *anagrafe.register_,
      [svc = cases.cases.get()](std::int64_t t, const std::string& f) { return svc->standing_answers(t, f); },
      d.tenants(), d.i18n, d.clock, o);
  // School names: the "schools" list of the body's school forms (its overlay names its own schools).
  m->alerts->set_school_names([defs = forms.definitions.get(), school_forms = o.school_forms](
                                  std::int64_t tenant, const std::string& code, const std::string& lang) {
    for (const auto& form : school_forms) {
      auto eff = defs->effective(tenant, form);
      if (!eff || !eff->def) continue;
      auto list = eff->def->lists.find("schools");
      if (list == eff->def->lists.end()) continue;
      for (const auto& opt : list->second)
        if (opt.value == code) return opt.label.in(lang);
    }
    return std::string();
  });
  m->alerts->set_notifier([&jobs = d.jobs] { jobs.notify(); });
  m->alerts->register_with(d.jobs);
  m->web = std::make_unique<WebDeps>(
      WebDeps{d.view(), *m->alerts, d.tenants(), *identity.inbound, identity.inbound_options});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::alerts
