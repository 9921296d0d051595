#include "identity/module_web.hpp"

#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "audit/service.hpp"
#include "db/database.hpp"
#include "jobs/runner.hpp"

namespace sp::identity {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                CounterReceiptRenderer counter_receipt) {
  auto m = std::make_unique<Module>();
  m->sessions = std::make_unique<SessionService>(d.db, d.clock);
  m->sign_in = std::make_unique<SignInService>(d.db, *m->sessions, d.clock);
  m->sign_in->set_audit(&d.audit);
  m->staff = std::make_unique<StaffService>(d.db, *m->sessions, d.clock);
  m->staff->set_audit(&d.audit);
  // Password-reset links go out by e-mail through the outbox (delivered by the dispatcher).
  m->staff->send_reset = [&db = d.db, &i18n = d.i18n, &jobs = d.jobs, public_url = d.config.public_url](
                             const std::string& email, const std::string& token) {
    messaging::Message msg;
    msg.channel = messaging::Channel::email;
    msg.recipient = email;
    // Staff accounts have no language of their own: the message is in Italian, then in English.
    const std::string link = public_url + "/backoffice/reimposta-password?token=" + token;
    msg.subject = i18n.t("it", "staff_mail.reset_subject") + " / " + i18n.t("en", "staff_mail.reset_subject");
    msg.body = i18n.format("it", "staff_mail.reset_body", {{"link", link}}) + "\n\n" +
               i18n.format("en", "staff_mail.reset_body", {{"link", link}});
    db.write([&](db::Conn& tx) {
      auto queued = messaging::enqueue(tx, msg);
      if (!queued) throw std::runtime_error("reset e-mail: " + queued.error().code);
    });
    jobs.notify();
  };
  m->api_keys = std::make_unique<ApiKeyService>(d.db, d.clock);
  m->api_keys->set_audit(&d.audit);
  m->inbound = std::make_unique<InboundService>(
      d.db, d.audit, d.clock, InboundPolicy{d.config.inbound_calls_per_minute, std::chrono::seconds(60)});
  m->inbound_options.trusted_proxies = parse_trusted_proxies(d.config.inbound_trusted_proxies);
  m->actor_names = std::make_unique<ActorNames>(d.i18n, d.db, m->staff.get());
  m->profile = std::make_unique<ProfileService>(d.db, d.audit, d.clock);
  m->profile->set_outbox_notifier([&jobs = d.jobs] { jobs.notify(); });
  m->delegations = std::make_unique<DelegationService>(d.db, *m->sessions, d.audit, d.tenants(), d.clock);
  m->counter = std::make_unique<CounterService>(d.db, *m->sessions, d.audit, d.tenants(), d.clock);

  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->sessions, *m->sign_in, d.secure_cookies, &d.audit,
                                             m->counter.get(), &d.tenants(), m->actor_names.get()});
  m->staff_web = std::make_unique<StaffWebDeps>(
      StaffWebDeps{d.view(), *m->sessions, *m->staff, *m->api_keys, d.tenants(), d.secure_cookies});
  m->profile_web = std::make_unique<ProfileWebDeps>(ProfileWebDeps{d.view(), *m->profile});
  m->delegation_web =
      std::make_unique<DelegationWebDeps>(DelegationWebDeps{d.view(), *m->delegations, d.tenants()});
  m->counter_web = std::make_unique<CounterWebDeps>(CounterWebDeps{
      d.view(), *m->counter, d.tenants(),
      // The receipt's lines name the services by their catalog title.
      [&catalog = d.catalog()](tenants::TenantId t, const std::string& code, std::string_view lang) {
        auto o = catalog.offering(t, code);
        return o ? o->service.title.in(lang) : std::string();
      },
      std::move(counter_receipt)});
  register_pages(router, *m->web);
  register_profile_pages(router, *m->profile_web);
  register_delegation_pages(router, *m->delegation_web);
  register_counter_pages(router, *m->counter_web);
  register_staff_pages(router, *m->staff_web);
  return m;
}

}  // namespace sp::identity
