#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "adapters/appio/keys.hpp"
#include "adapters/appio/sender.hpp"
#include "adapters/messaging/email.hpp"
#include "adapters/messaging/sms_reports_web.hpp"
#include "adapters/oidc/client.hpp"
#include "adapters/oidc/rp_routes.hpp"
#include "adapters/pec/account.hpp"
#include "adapters/pec/sender.hpp"
#include "app/anagrafe_cli.hpp"
#include "app/demo.hpp"
#include "app/statistics_sources.hpp"
#include "applications/counter_receipt_pdf.hpp"
#include "catalog/web.hpp"
#include "core/crypto/smime.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "db/unavailable.hpp"
#include "export/module_web.hpp"
#include "identity/callback_web.hpp"
#include "identity/oidc_provider.hpp"
#include "identity/request.hpp"
#include "payments/receipt_store.hpp"
#include "privacy/module_web.hpp"
#include "privacy/retention.hpp"
#include "statistics/module_web.hpp"
#include "tenants/web.hpp"
#include "web/fiscal_api.hpp"
#include "web/json.hpp"

namespace sp::app {
namespace {

// The demo's simulated registry of another administration: its key and self-signed certificate, made
// once and kept in the demo's key folder.
sp::protocollo::xades::Signer demo_registry_signer(const std::string& keys_dir) {
  const auto key = std::filesystem::path(keys_dir) / "registry-sim.key";
  const auto crt = std::filesystem::path(keys_dir) / "registry-sim.crt";
  const auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  if (std::filesystem::exists(key) && std::filesystem::exists(crt)) return {read(key), read(crt)};
  auto id = sp::crypto::self_signed_identity("Protocollo Regione Simulata", "Regione Simulata", 3650);
  std::filesystem::create_directories(keys_dir);
  {
    std::ofstream out(key, std::ios::trunc);
    out << id.key_pem;
  }
  std::filesystem::permissions(key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ofstream(crt, std::ios::trunc) << id.cert_pem;
  return {id.key_pem, id.cert_pem};
}

// Gauges for the operators' alerts (docs/deployment.md, "Monitoring"): jobs not done by kind and state
// (dead ones wait for an operator), and the active AOOs whose last due daily register is missing (the
// job runs at 00:05 Rome; an hour's grace). Read at each scrape; left out while the database does not
// answer (the node's /readyz says so).
std::string operations_metrics(db::Database& db) {
  try {
    std::string out = "# TYPE sportello_jobs gauge\n";
    db.read([&](db::Conn& c) {
      for (const auto& r : c.query("SELECT kind, state, count(*) FROM jobs WHERE state <> 'done' GROUP BY "
                                   "kind, state ORDER BY 1, 2"))
        out += "sportello_jobs{kind=\"" + r.text(0) + "\",state=\"" + r.text(1) + "\"} " +
               std::to_string(r.i64(2)) + "\n";
      const auto now = time::system_clock().now();
      const auto due = time::add_calendar_days(time::rome_date(now - std::chrono::hours(1)), -1);
      const auto due_end = time::format_iso_utc_millis(time::rome_day_start(time::add_calendar_days(due, 1)));
      const auto missing = c.query_one(
          "SELECT count(*) FROM aoo a WHERE a.active AND a.created_at < $1 AND NOT EXISTS "
          "(SELECT 1 FROM protocol_daily_registers r WHERE r.aoo_id = a.id AND r.day = $2)",
          {due_end, time::format_iso_date(due)});
      out += "# TYPE sportello_daily_registers_missing gauge\nsportello_daily_registers_missing " +
             std::to_string(missing->i64(0)) + "\n";
    });
    // Receipts that were not simply recorded (docs/deployment.md, "Monitoring"): receipts for no known
    // position (orphans), for a position already paid, second payments to refund, and resent duplicates.
    // Every outcome has its line, 0 when there is none, so that an alert's series never disappears.
    std::vector<std::pair<std::string, std::int64_t>> receipts;
    db.read([&](db::Conn& c) { receipts = payments::ReceiptStore::anomalies_by_outcome(c); });
    out += "# TYPE sportello_payment_receipts gauge\n";
    for (const auto o : {payments::ReceiptOutcome::unknown_position, payments::ReceiptOutcome::already_paid,
                         payments::ReceiptOutcome::double_payment, payments::ReceiptOutcome::duplicate}) {
      const std::string name(payments::to_string(o));
      std::int64_t n = 0;
      for (const auto& [outcome, count] : receipts)
        if (outcome == name) n = count;
      out += "sportello_payment_receipts{outcome=\"" + name + "\"} " + std::to_string(n) + "\n";
    }
    // Preservation packages not accepted by their due day (docs/conservazione.md).
    out += conservazione::ConservazioneService::overdue_metrics(
        db, time::format_iso_date(time::rome_date(time::system_clock().now())));
    return out;
  } catch (const std::exception& e) {
    spdlog::warn("metrics: operations gauges left out: {}", e.what());
    return "";
  }
}

// Delegations' view of the business register: the active business's legal representatives.
class RegisterRepresentatives final : public identity::BusinessRepresentatives {
 public:
  explicit RegisterRepresentatives(const business_register::Client& client) : client_(client) {}
  bool confirms_representative(const std::string& partita_iva, const std::string& person_cf) override {
    auto company = client_.lookup(partita_iva);
    return company && company->status == "attiva" && company->representative(person_cf) != nullptr;
  }

 private:
  const business_register::Client& client_;
};

void register_language_switch(http::Router& router, bool secure) {
  router.get("/lang/{lang}", [secure](http::Request& req) {
    auto lang = req.param("lang");
    if (lang != "it" && lang != "en") lang = "it";
    auto r = http::Response::redirect(identity::SignInService::safe_return_to(req.query_param("next")), 303);
    r.header("Set-Cookie", "lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly" +
                               (secure ? "; Secure" : ""));
    return r;
  });
}

}  // namespace

App::App(Config config) : config_(std::move(config)) {
  db::Options options;
  options.pool_size = config_.db_pool_size;
  db_ = db::open(config_.database, options);
  auto applied = db::migrate(*db_, config_.share_dir + "/migrations");
  for (const auto& v : applied) spdlog::info("applied migration {}", v);

  i18n_.load(config_.share_dir + "/web/locales");
  tenants_ = std::make_unique<tenants::TenantService>(*db_);
  catalog_ = std::make_unique<catalog::CatalogService>(*db_);
  tenants_->reload();
  if (config_.demo) {
    auto seeded = seed_demo_if_empty(config_.share_dir, *tenants_, *catalog_);
    if (!seeded) throw std::runtime_error("demo data: " + seeded.error().code + " " + seeded.error().detail);
    if (*seeded) spdlog::info("seeded the demo hub and bodies");
  }
  std::string hub_name = "Sportello";
  if (auto snap = tenants_->snapshot(); !snap->hubs.empty()) hub_name = snap->hubs.front().name;
  view_ = std::make_unique<web::View>(config_.share_dir + "/web/templates", i18n_, hub_name);
  services_ = std::make_unique<web::Services>(web::Services{*view_, cache_, *tenants_, *catalog_});
  // The audit chain's HMAC key lives outside the database; bound to it here, before any service (ours,
  // or those protocol and cases make for themselves) builds an AuditService on it.
  // It is the hub's audit-hmac key ring under keys_dir (core/keys); an older audit_key_file is imported.
  {
    auto chain_key =
        audit::load_chain_key(config_.keys_dir, config_.audit_key_file, time::system_clock().now(),
                              /*create=*/true);
    if (!chain_key || !*chain_key) {
      throw std::runtime_error(
          "audit key ring in " + config_.keys_dir + ": " +
          (chain_key ? std::string("no key") : chain_key.error().code + " " + chain_key.error().detail));
    }
    audit_key_ = audit::KeyBinding(*db_, *chain_key);
  }
  if (config_.demo) ensure_demo_stamp_keys();
  audit_ = std::make_unique<audit::AuditService>(*db_, time::system_clock());
  // One runner for every background job of this node (src/jobs/, docs/jobs.md); its thread starts in
  // serve(). Its name (host and process) is what operators see in a job's claimed_by.
  {
    jobs::RunnerOptions ro;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    ro.worker_id = std::string(host) + ":" + std::to_string(::getpid());
    jobs_ = std::make_unique<jobs::Runner>(*db_, time::system_clock(), ro);
  }
  delivery_ = std::make_unique<messaging::Delivery>();
  delivery_->register_with(*jobs_);
  jobs::add_pruning(*jobs_);
  files::Options file_options;
  file_options.storage_dir = config_.files_dir;
  files_ = std::make_unique<files::FileService>(*db_, time::system_clock(), file_options);
  deps_ = std::make_unique<web::ModuleDeps>(web::ModuleDeps{config_, *db_, time::system_clock(), i18n_,
                                                            *services_, *audit_, *jobs_, *files_,
                                                            config_.public_url.rfind("https://", 0) == 0});
  const web::ModuleDeps& deps = *deps_;

  // The platform's own routes: language, fiscal-code checks, the hub's bodies and catalog.
  register_language_switch(router_, deps.secure_cookies);
  web::register_fiscal_api(router_, i18n_);
  catalog::register_api(router_, *services_);
  tenants::register_pages(router_, *services_);
  catalog::register_pages(router_, *services_);
  if (config_.demo) install_demo_mailbox();
  {
    // The SMS gateway's delivery reports (the demo's simulator sends them with a token made now).
    std::string token = config_.sms_report_token;
    if (sms_sim_ && token.empty() && config_.sms_gateway_url.empty()) {
      token = ids::random_token(24);
      sms_sim_->set_reports("http://127.0.0.1:" + std::to_string(config_.port) + "/inbound/sms/reports",
                            token);
    }
    messaging::register_sms_reports(router_, *db_, token);
  }

  // Demo: pagoPA's Checkout and FdR are the local simulator (started by serve()). Its URL must be known
  // now, before the modules read the settings: with port 0 its socket is bound here, to learn the port,
  // and handed to the simulator when serve() starts it.
  if (config_.demo && config_.sim_pagopa) {
    std::uint16_t port = config_.sim_pagopa_port;
    if (port == 0) {
      try {
        const auto bound = http::bind_listener("127.0.0.1", 0);
        pagopa_sim_fd_ = bound.fd;
        port = bound.port;
      } catch (const std::exception& e) {
        spdlog::error("pagoPA simulator: no free port: {}", e.what());
      }
    }
    if (port != 0) point_at_pagopa_simulator("http://localhost:" + std::to_string(port));
  }
  if (config_.demo && config_.sim_anpr) point_at_anpr_simulator();
  // The modules, each installed once; what one returns is passed to those that use it.
  identity_ = identity::install(router_, deps, applications::render_counter_receipt_pdf);
  setup_sign_in();  // the OIDC providers of the configuration
  if (config_.demo) {
    if (auto st = seed_demo_staff(config_.share_dir, *tenants_, *identity_->staff); !st) {
      throw std::runtime_error("demo staff: " + st.error().code + " " + st.error().detail);
    }
  }
  stamp_ = stamp::install(router_, deps);  // before the modules whose documents carry the stamp
  protocollo_ = protocollo::install(router_, deps, *identity_);
  protocollo_->registers->set_stamps(stamp_->stamps.get());  // the stored daily registers carry the stamp
  if (config_.demo) {
    if (auto st = seed_demo_aoos(*tenants_, *protocollo_->protocol); !st) {
      throw std::runtime_error("demo AOO: " + st.error().code + " " + st.error().detail);
    }
  }
  forms_ = forms::install(deps);
  if (config_.demo) {
    if (auto st = seed_demo_forms(config_.share_dir, *tenants_, *forms_->definitions); !st)
      throw std::runtime_error("demo forms: " + st.error().code + " " + st.error().detail);
  }
  cases_ = cases::install(router_, deps, *identity_, *protocollo_, *forms_);
  applications_ = applications::install(router_, deps, *identity_, *cases_, *forms_);
  applications_->web->stamps = stamp_->stamps.get();  // application receipts carry the stamp
  body_pages_ = body_pages::install(router_, deps);
  {
    // The business register's look-up (docs/business-register.md); demo without a URL: the simulator with
    // the demo's businesses, on a free loopback port of its own (a page's look-up waits for the answer, so
    // it must not queue behind that page on this server's own threads).
    business_register::ClientOptions bro{config_.business_register_url, config_.business_register_token};
    if (config_.demo && bro.base_url.empty()) {
      business_register_sim_ = business_register::start_simulator_thread(
          config_.share_dir + "/data/demo/business_register.json", "");
      bro.base_url = business_register_sim_->url();
    }
    business_checks_ = business_checks::install(router_, deps, *identity_, *cases_, std::move(bro));
    // A business delegation is confirmed at once when the register shows the declarant as its legal
    // representative (identity/business_representatives.hpp).
    business_representatives_ = std::make_unique<RegisterRepresentatives>(*business_checks_->client);
    identity_->delegations->set_business_register(business_representatives_.get());
  }
  tourism_ = tourism::install(router_, deps, *identity_);
  messaging_ = messaging::install(router_, deps, *identity_);
  // The texts' {body_email} and {body_phone}: the body's public contacts page.
  messaging_->messaging->set_body_contacts([this](std::int64_t tenant) {
    messaging::BodyContacts b;
    if (auto body = tenants_->by_id(tenant)) {
      b.name = body->name;
      b.pec = body->pec;
    }
    const auto info = body_pages_->pages->info(tenant);
    b.email = info.get("email");
    b.phone = info.get("phone");
    return b;
  });
  // Case notices: the person's channel per type, PEC for legal acts, fallbacks, the body's own texts.
  cases_->cases->set_messaging(messaging_->messaging.get());
  payments_ = payments::install(router_, deps, *identity_);
  payments_->portal_web->stamps = stamp_->stamps.get();    // notices and receipts carry the stamp
  cases_->cases->set_payments(payments_->payments.get());  // a case's fee: position + receipt listener
  // Payment reminders (payment.due) N days before each option's due date, once per option.
  payment_reminders_ = std::make_unique<messaging::PaymentReminders>(
      *db_, *messaging_->messaging, *payments_->payments, i18n_, config_.public_url);
  payment_reminders_->register_with(*jobs_);
  cases_->cases->set_stamps(stamp_->stamps.get());  // the office's letters carry the stamp
  if (config_.demo) {
    if (auto st = seed_demo_payments(config_.share_dir, *tenants_, *payments_->payments, deps.clock.now());
        !st)
      throw std::runtime_error("demo payments: " + st.error().code + " " + st.error().detail);
    if (auto st = seed_demo_payment_services(config_.share_dir, *tenants_, *payments_->portal); !st)
      throw std::runtime_error("demo payment services: " + st.error().code + " " + st.error().detail);
  }
  certificates_ = certificates::install(router_, deps, *payments_);
  // The person is told when their certificate is issued, refused, or refunded (docs/certificates.md).
  certificates_->certificates->set_messaging(messaging_->messaging.get(), &i18n_, config_.public_url);
  albo_ = albo::install(router_, deps, *identity_, *protocollo_);
  albo_->albo->set_stamps(stamp_->stamps.get());  // the confirmed relate carry the stamp
  if (config_.demo) {
    if (auto st = seed_demo_albo(config_.share_dir, *tenants_, *albo_->albo); !st)
      throw std::runtime_error("demo albo: " + st.error().code + " " + st.error().detail);
  }
  anagrafe_ = anagrafe::install(router_, deps);
  applications_->applications->set_register(anagrafe_->prefill.get());   // person.* prefill facts
  identity_->delegations->set_family_register(anagrafe_->family.get());  // parents confirmed by the register
  if (config_.demo) {
    if (auto st = seed_demo_population(config_.share_dir, *tenants_, *anagrafe_->register_); !st)
      throw std::runtime_error("demo population: " + st.error().code + " " + st.error().detail);
  }
  selfdecl_ = selfdecl::install(router_, deps, *anagrafe_, *stamp_);  // prefilled from the register, stamped
  // Alerts to the population: residents (the register), a school's parents (the cases), subscribers.
  alerts_ = alerts::install(router_, deps, *identity_, *anagrafe_, *cases_, *forms_);
  if (config_.demo) {
    if (auto st = seed_demo_school_cases(config_.share_dir, *tenants_, *db_); !st)
      throw std::runtime_error("demo school cases: " + st.error().code + " " + st.error().detail);
  }
  // The hub's members: packages, credits, onboarding; after every module that delivers services.
  hub_ = hub::install(router_, deps, *identity_, *protocollo_, *payments_);
  if (config_.demo) {
    if (auto st = seed_demo_packages(config_.share_dir, *tenants_, *hub_->packages); !st)
      throw std::runtime_error("demo packages: " + st.error().code + " " + st.error().detail);
  }
  // The hub's help desk for the bodies' staff (docs/helpdesk.md).
  helpdesk_ = helpdesk::install(router_, deps, *identity_);
  if (config_.demo) {
    if (auto st = seed_demo_helpdesk(config_.share_dir, *helpdesk_->helpdesk); !st)
      throw std::runtime_error("demo help desk: " + st.error().code + " " + st.error().detail);
  }
  // Leaving the hub (docs/export.md) and the retention purge (docs/privacy.md).
  export_ = body_export::install(router_, deps);
  {
    auto retention = privacy::load_retention(config_.share_dir + "/data/privacy/retention.json");
    if (!retention) throw std::runtime_error("retention: " + retention.error().detail);
    purger_ = std::make_unique<privacy::Purger>(*db_, *audit_, *retention);
    privacy::register_purge_job(*jobs_, *purger_);
  }
  privacy_ = privacy::install(router_, deps);
  // Statistics from the records (docs/statistics.md).
  statistics_ = statistics::install(router_, deps, *cases_);
  statistics_->statistics->add_source(helpdesk_source(*helpdesk_->helpdesk));
  // Digital preservation (docs/conservazione.md); in demo mode the local conservator, on a free port
  // unless sim_conservazione_port says otherwise, started now so that the module knows its URL.
  auto preservation = conservazione::connection_from_config(config_);
  if (config_.demo && preservation.simulator && preservation.url.empty()) {
    try {
      conservazione_sim_ =
          conservazione_sim::start_simulator_thread(preservation.token, preservation.simulator_port);
      preservation.url = conservazione_sim_->url();
      spdlog::info("conservator simulator at {}/versamenti", preservation.url);
    } catch (const std::exception& e) {
      spdlog::error("conservator simulator not started on port {}: {}", preservation.simulator_port,
                    e.what());
    }
  }
  conservazione_ =
      conservazione::install(router_, deps, *protocollo_->registers, *protocollo_->protocol, preservation);
  // The hub's own back-office pages.
  register_jobs_page();
  register_keys_page();
}

statistics::StatisticsService& App::statistics() {
  return *statistics_->statistics;
}

conservazione::ConservazioneService& App::conservazione() {
  return *conservazione_->service;
}

body_export::BodyExportService& App::body_export() {
  return *export_->exports;
}

App::~App() {
  if (audit_anchors_) audit_anchors_->stop();  // anchors once more, while the database is open
  if (jobs_) jobs_->stop();                    // waits for the job in hand
  if (smtp_sink_) smtp_sink_->stop();
  if (registry_sim_) registry_sim_->stop();
  if (pec_sim_) pec_sim_->stop();
  if (pagopa_sim_fd_ >= 0) ::close(pagopa_sim_fd_);  // bound for a simulator serve() never started
  if (anpr_sim_fd_ >= 0) ::close(anpr_sim_fd_);
  if (db_) db_->close();
}

http::ServerOptions App::server_options() const {
  http::ServerOptions o;
  o.address = config_.address;
  o.port = config_.port;
  o.threads = config_.threads;
  o.body_limit = static_cast<std::size_t>(config_.body_limit);
  o.upload_body_limit = static_cast<std::size_t>(config_.upload_limit);
  // Where each module accepts uploads.
  for (const web::Installed* m : std::initializer_list<const web::Installed*>{
           identity_.get(), protocollo_.get(), forms_.get(), cases_.get(), applications_.get(),
           body_pages_.get(), payments_.get(), stamp_.get(), albo_.get(), certificates_.get(),
           anagrafe_.get(), selfdecl_.get(), messaging_.get(), alerts_.get(), hub_.get(), helpdesk_.get(),
           tourism_.get(), business_checks_.get()}) {
    o.upload_prefixes.insert(o.upload_prefixes.end(), m->upload_prefixes.begin(), m->upload_prefixes.end());
  }
  o.request_timeout = std::chrono::milliseconds(config_.request_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(config_.idle_timeout_ms);
  o.static_dir = config_.static_dir;
  o.access_log = config_.access_log;
  o.hsts = config_.public_url.rfind("https://", 0) == 0;
  return o;
}

void App::resolve_context(http::Request& req) const {
  // Language: an explicit ?lang=, then the cookie set by the switch, then the browser's preference.
  auto explicit_lang = req.query_param("lang");
  if (explicit_lang.empty()) explicit_lang = identity::cookie_value(req, "lang");
  const std::string* accept = req.header("accept-language");
  req.ctx.locale = i18n_.negotiate(explicit_lang, accept ? *accept : "", config_.default_locale);

  // A body reached through its own host name sees its pages at the root: map "/" to "/{slug}/".
  if (const std::string* host = req.header("host")) {
    if (auto body = tenants_->by_host(*host)) {
      const std::string prefix = "/" + body->slug + "/";
      if (req.path.rfind(prefix, 0) != 0 && req.path.rfind("/api/", 0) != 0 &&
          req.path.rfind("/static/", 0) != 0 && req.path.rfind("/lang/", 0) != 0) {
        req.path = prefix + req.path.substr(1);
      }
    }
  }
  // The tenant of a page is the first path segment when it names a body — or the segment after
  // /backoffice/ or /api/v1/backoffice/ for the bodies' staff pages and API.
  std::size_t start = 1;
  for (std::string_view prefix :
       {std::string_view("/backoffice/"), std::string_view("/api/v1/backoffice/")}) {
    if (req.path.rfind(prefix, 0) == 0) start = prefix.size();
  }
  if (req.path.size() > start) {
    auto end = req.path.find('/', start);
    std::string_view first =
        std::string_view(req.path).substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto body = tenants_->by_slug(first); body && body->active) {
      req.ctx.tenant_id = body->id;
      req.ctx.tenant_slug = body->slug;
    }
  }
}

http::Hooks App::hooks() {
  http::Hooks h;
  h.before = [this](http::Request& req) -> std::optional<http::Response> {
    resolve_context(req);
    identity::resolve_principal(*identity_->sessions, req);
    // Programs call the JSON API with a body's API key instead of a session.
    if (!req.ctx.identity && req.path.rfind("/api/", 0) == 0) {
      if (const std::string* auth = req.header("authorization")) {
        auto key = identity_->api_keys->authenticate(*auth);
        if (!key) {
          identity_->api_keys->note_invalid(req.ctx.tenant_id, req.remote_addr, req.path);
          Error refused = key.error();
          refused.http_status = 401;  // a key that does not authenticate is no credential at all
          return web::json_error(i18n_, req.ctx.locale, refused);
        }
        identity::set_api_key(req, std::move(*key));
      }
    }
    return std::nullopt;
  };
  h.error_page = [this](http::Request& req, int status) {
    if (req.path.rfind("/api/", 0) == 0) {
      auto e =
          status == 404 ? Error::not_found(req.path) : Error::make("http." + std::to_string(status), status);
      return web::json_error(i18n_, req.ctx.locale, e);
    }
    return view_->error_page(req, status);
  };
  // Every refusal is written to the audit log of the body whose page or record was targeted.
  h.after = [this](http::Request& req, http::Response& r) {
    if (r.status != 403) return;
    // Handlers that log the refusal on the record's own body say so; do not log it twice.
    for (auto it = r.headers.begin(); it != r.headers.end(); ++it) {
      if (it->first == "x-sportello-audited") {
        r.headers.erase(it);
        return;
      }
    }
    audit::Entry e;
    e.tenant_id = req.ctx.tenant_id;
    e.channel = req.path.rfind("/api/", 0) == 0 ? audit::Channel::api : audit::Channel::web;
    e.action = "access.denied";
    e.record_type = "route";
    e.record_id = req.path.substr(0, 512);
    e.remote_addr = req.remote_addr;
    if (const auto* p = identity::principal_of(req)) {
      e.actor_kind = p->is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
      e.actor_id = p->subject;
      if (p->acting_for) e.on_behalf_of = p->acting_for->id;
      if (p->assisting) e.on_behalf_of = p->assisting->fiscal_code;
    } else if (const auto* key = identity::api_key_of(req)) {
      e.actor_kind = audit::ActorKind::system;
      e.actor_id = "api-key:" + key->key_id;
    } else {
      e.actor_kind = audit::ActorKind::system;
      e.actor_id = "anonymous";
    }
    if (auto st = audit_->record(e); !st) spdlog::error("audit of a refusal failed: {}", st.error().code);
  };
  h.ready = [this] { return db_->ping(); };
  // A database that is unreachable or refuses writes (read-only after a failover, disk full) is the
  // node's condition, not a bug of the page: 503 with a page that says the request was probably not recorded.
  h.exception_status = [](const std::exception& e) { return db::is_unavailable(e) ? 503 : 500; };
  h.extra_metrics = [this] {
    auto s = db_->stats();
    return "# TYPE sportello_db_connections gauge\nsportello_db_connections{state=\"total\"} " +
           std::to_string(s.connections_total) + "\nsportello_db_connections{state=\"busy\"} " +
           std::to_string(s.connections_busy) +
           "\n# TYPE sportello_db_commits_total counter\nsportello_db_commits_total " +
           std::to_string(s.commits) +
           "\n# TYPE sportello_db_writes_total counter\nsportello_db_writes_total " +
           std::to_string(s.writes_committed) + "\n" + operations_metrics(*db_);
  };
  return h;
}

namespace {

// How often a body's sign-in keys are read again from its rings (rollover without a restart).
constexpr std::chrono::seconds kRpKeysReread{300};

// The demo PEC provider's signing certificate, kept in keys_dir as the certificate ring of the owner
// "sim-pec": receipts it signed before a restart still verify after it (the hub trusts the provider's
// certificate of the running simulator), and a start makes no new RSA key.
crypto::SigningIdentity demo_pec_identity(const std::string& keys_dir, const std::string& provider) {
  constexpr const char* kOwner = "sim-pec";
  const auto now = time::system_clock().now();
  if (auto ring = keys::load_ring(keys_dir, kOwner, keys::Purpose::xml_signing)) {
    if (const auto* key = ring->signing(now)) return {key->secret, key->public_key};
  }
  auto made = crypto::self_signed_identity(provider, provider, 3650);
  if (auto placed = keys::place_certificate(keys_dir, kOwner, made.key_pem, made.cert_pem); !placed)
    spdlog::warn("demo PEC provider certificate: {}", placed.error().detail);
  return made;
}

}  // namespace

void App::setup_sign_in() {
  namespace fs = std::filesystem;
  // The relying party's signing key must survive restarts (providers cache our JWKS): keep it in a file,
  // readable only by us, made on first start.
  const auto& key_file = config_.oidc_rp_key_file;
  if (fs::exists(key_file)) {
    std::ifstream in(key_file);
    std::stringstream pem;
    pem << in.rdbuf();
    auto keys = oidc::RpKeys::from_pem(pem.str());
    if (!keys) throw std::runtime_error("oidc_rp_key_file " + key_file + ": " + keys.error().code);
    rp_keys_ = std::make_unique<oidc::RpKeys>(std::move(*keys));
    if (!rp_keys_->complete) {  // a file of before issue 14 (signing key only): add the other two
      std::ofstream out(key_file, std::ios::trunc);
      out << rp_keys_->to_pem();
      spdlog::info("added the encryption and federation keys to {}", key_file);
    }
  } else {
    rp_keys_ = std::make_unique<oidc::RpKeys>(oidc::RpKeys::generate());
    if (fs::path(key_file).has_parent_path()) fs::create_directories(fs::path(key_file).parent_path());
    {
      std::ofstream out(key_file);
      out << rp_keys_->to_pem();
    }
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write);
    spdlog::info("made a new sign-in key in {}", key_file);
  }
  // The message log of every sign-in and the providers' tokens to revoke (issue 14), sealed with the
  // hub's oidc-log key; the revocation of ended sessions' tokens and the 24-month purge are jobs.
  {
    auto ring =
        keys::ensure_ring(config_.keys_dir, keys::kHub, keys::Purpose::oidc_log, time::system_clock().now());
    if (!ring) throw std::runtime_error("oidc-log key: " + ring.error().code + " " + ring.error().detail);
    sign_in_log_ = std::make_unique<identity::SignInLog>(*db_, time::system_clock(), std::move(*ring));
    identity_->sign_in->set_log(sign_in_log_.get());
    jobs::Kind revoke;
    revoke.name = "oidc.revoke";
    auto* sign_in = identity_->sign_in.get();
    const auto idle = identity_->sessions->policy().idle;
    revoke.run = [sign_in, idle](jobs::JobRun&) -> Status {
      if (int n = sign_in->revoke_ended(idle); n > 0) spdlog::info("oidc.revoke: {} token(s) revoked", n);
      return Ok{};
    };
    jobs_->add_periodic(std::move(revoke), jobs::Periodic{jobs::Every{std::chrono::minutes(5)}});
    jobs::Kind purge;
    purge.name = "oidc.log_purge";
    auto* log = sign_in_log_.get();
    purge.run = [log](jobs::JobRun&) -> Status {
      if (auto n = log->purge(); n > 0) spdlog::info("oidc.log_purge: {} message(s) past 24 months", n);
      return Ok{};
    };
    jobs_->add_periodic(std::move(purge), jobs::Periodic{jobs::DailyAt{std::chrono::hours(4)}});
  }
  // The bodies' federation data and the trust anchors above them ([oidc_federation], [oidc_body.<ipa>]
  // tables of the configuration file, checked by load_config).
  auto federation = load_oidc_federation(config_);
  if (!federation) throw std::runtime_error("oidc_body: " + federation.error().detail);
  const std::string callback = config_.public_url + "/auth/callback";
  oidc::RpMetadata hub_md{config_.public_url, {callback}};
  hub_md.authority_hints = federation->authority_hints;
  rp_publication_ = std::make_shared<oidc::RpPublication>(*rp_keys_, hub_md);
  oidc::register_rp_routes(router_, rp_publication_, time::system_clock());
  setup_body_relying_parties(*federation);

  if (config_.oidc_providers_file.empty()) return;
  std::ifstream in(config_.oidc_providers_file);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_array()) throw std::runtime_error("oidc_providers_file: not a JSON array");
  for (const auto& v : doc.as_array()) {
    const auto& o = v.as_object();
    auto field = [&](const char* k) {
      return o.contains(k) ? std::string(o.at(k).as_string()) : std::string();
    };
    oidc::ProviderConfig pc{field("id"), field("display_name"), field("discovery_url"), config_.public_url,
                            callback};
    if (const auto* iss = o.if_contains("require_iss")) pc.require_iss = iss->is_bool() && iss->as_bool();
    // "profile": "cie" puts the provider under the "Entra con CIE" button (and CIE's rules: iss required).
    if (field("profile") == "cie") {
      pc.profile = oidc::Profile::cie;
      pc.require_iss = true;
    }
    pc.logo = field("logo");
    auto client = std::make_shared<oidc::Client>(pc, *rp_keys_, time::system_clock());
    identity_->sign_in->add_provider(std::make_shared<identity::OidcAuthProvider>(client));
    // And one client per body with its own client_id, keys and callback.
    for (const auto& body : body_rps_) {
      oidc::ProviderConfig bpc = pc;
      bpc.id = pc.id + "-" + body.slug;
      bpc.client_id = body.publication->metadata().client_id;
      bpc.redirect_uri = body.callback;
      auto bclient = std::make_shared<oidc::Client>(bpc, body.keys, time::system_clock());
      identity_->sign_in->add_provider(std::make_shared<identity::OidcAuthProvider>(bclient, body.slug));
    }
  }
}

void App::setup_body_relying_parties(const OidcFederationConfig& federation) {
  // One client per body (issue 14): each body signs its citizens in as itself, with its own client_id
  // <public_url>/<ipa code>/, its own keys from the key rings (oidc-core, oidc-encryption,
  // oidc-federation under <keys_dir>/<slug>/), its own entity configuration and its own callback
  // <client_id>callback. The IPA code of a comune is "c_" and its cadastral code in lower case (c_a479
  // for Asti). A body has one in the demo, and wherever the configuration has an [oidc_body.<ipa>] table
  // with its federation data (organization, PEC contacts, policy and logo URIs, homepage, trust marks
  // received; what the table leaves out comes from the body's record). docs/oidc.md.
  const bool demo = config_.demo && config_.sim_idp;
  for (const auto& body : tenants_->snapshot()->bodies) {
    if (body->belfiore_code.empty() || !body->active) continue;
    std::string ipa = "c_" + body->belfiore_code;
    for (auto& ch : ipa) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto configured = federation.bodies.find(ipa);
    if (!demo && configured == federation.bodies.end()) continue;
    // Read from the body's rings, or made there, on first use (RSA generation is slow), and read again
    // every kRpKeysReread: a key rotated with `sportello keys rotate` (on any node: keys_dir is shared)
    // is published beside the old one, which stays until its not_after (RpKeys::from_rings), without a
    // restart. Periodic rather than on SIGHUP: every node must pick the rotation up, and a signal would
    // have to reach each; a key scheduled with --not-before at least one period ahead is published by
    // every node before any signs with it.
    auto keys = std::make_shared<oidc::RpKeyHolder>(
        [keys_dir = config_.keys_dir, slug = body->slug] {
          auto got = oidc::read_ring_keys(keys_dir, slug, time::system_clock().now());
          if (!got) throw std::runtime_error("sign-in keys of " + slug + ": " + got.error().code);
          return std::move(got).value();
        },
        time::system_clock(), kRpKeysReread);
    const std::string client_id = config_.public_url + "/" + ipa + "/";
    BodyRp rp{body->slug, ipa, keys, nullptr, client_id + "callback"};
    // Its own callback first; the hub's shared /auth/callback stays registered, so a sign-in started
    // before an upgrade (sent there) is still accepted by the provider.
    oidc::RpMetadata md{client_id, {rp.callback, config_.public_url + "/auth/callback"}};
    md.client_name = body->name;
    md.organization_name = body->name;
    md.homepage_uri = config_.public_url + "/" + body->slug + "/";
    md.policy_uri = config_.public_url + "/" + body->slug + "/privacy";
    // The federation wants a logo_uri (oidc check's fe.logo_uri): a body without a logo of its own shows
    // the generic emblem until it configures one.
    md.logo_uri = config_.public_url + "/static/" +
                  (body->logo_path.empty() ? std::string("img/stemma-ente.svg") : body->logo_path);
    if (!body->pec.empty()) md.contacts = {body->pec};
    md.authority_hints = federation.authority_hints;
    if (configured != federation.bodies.end()) {
      const auto& c = configured->second;
      if (!c.organization_name.empty()) md.organization_name = md.client_name = c.organization_name;
      if (!c.client_name.empty()) md.client_name = c.client_name;
      if (!c.homepage_uri.empty()) md.homepage_uri = c.homepage_uri;
      if (!c.policy_uri.empty()) md.policy_uri = c.policy_uri;
      if (!c.logo_uri.empty()) md.logo_uri = c.logo_uri;
      if (!c.contacts.empty()) md.contacts = c.contacts;
      for (const auto& m : c.trust_marks) md.trust_marks.push_back(oidc::TrustMark{m.id, m.trust_mark});
    }
    rp.publication = std::make_shared<oidc::RpPublication>(rp.keys, md);
    oidc::register_rp_routes(router_, rp.publication, time::system_clock());
    identity::register_callback_route(router_, *identity_->web, oidc::url_path(rp.callback));
    body_rps_.push_back(std::move(rp));
  }
}

void App::start_demo_simulator() {
  if (!config_.demo || !config_.sim_idp) return;
  oidc::SimulatorOptions so;
  if (config_.sim_idp_port != 0) so.issuer = "http://localhost:" + std::to_string(config_.sim_idp_port);
  so.client_id = config_.public_url;
  so.redirect_uri = config_.public_url + "/auth/callback";
  so.identities_file = config_.share_dir + "/data/demo/identities.json";
  // Beside the SPID provider, a CIE provider on the same port (<issuer>/cie) with its own trust anchor:
  // CIE's federation has its own registry, and its profile allows profile and email and requires iss.
  oidc::SimulatorOptions cie = so;
  cie.profile = oidc::Profile::cie;
  cie.issuer = so.issuer.empty() ? std::string() : so.issuer + "/cie";
  simulator_ = oidc::start_simulator_thread(so, config_.sim_idp_port, cie);
  // Port 0: the issuer follows the port the simulator took.
  const std::string issuer = "http://localhost:" + std::to_string(simulator_->port());
  if (config_.sim_idp_port == 0) {
    simulator_->simulator().set_issuer(issuer);
    simulator_->cie()->set_issuer(issuer + "/cie");
  }
  // Each simulated provider is a trust anchor too: the hub and each body are onboarded at both (a trust
  // mark of each federation, both anchors in authority_hints), and find the providers through them.
  struct Federation {
    oidc::Simulator* sim;
    std::shared_ptr<oidc::TrustResolver> trust;
  };
  std::vector<Federation> federations;
  for (oidc::Simulator* sim : {&simulator_->simulator(), simulator_->cie()})
    federations.push_back(
        {sim, std::make_shared<oidc::TrustResolver>(oidc::TrustAnchor{sim->anchor_id(), sim->anchor_keys()},
                                                    time::system_clock())});
  auto onboard = [&](oidc::RpPublication& publication) {
    auto md = publication.metadata();
    for (auto& f : federations) {
      f.sim->add_client(md.client_id);
      if (auto mark = f.sim->issue_trust_mark(md.client_id)) {
        std::erase_if(md.trust_marks,
                      [&](const oidc::TrustMark& m) { return m.id == f.sim->trust_mark_id(); });
        md.trust_marks.push_back(oidc::TrustMark{f.sim->trust_mark_id(), *mark});
      }
      if (std::find(md.authority_hints.begin(), md.authority_hints.end(), f.sim->anchor_id()) ==
          md.authority_hints.end())
        md.authority_hints.push_back(f.sim->anchor_id());
    }
    publication.set_metadata(md);
  };
  onboard(*rp_publication_);
  // The sign-in page lists the federations' providers: those each trust anchor lists (OIDC-FED 8.2,
  // entity_type=openid_provider), each trusted through its chain when used. The profile follows the
  // federation (the CIE anchor's providers go under "Entra con CIE"). The simulated SPID provider keeps
  // the id "simulatore", the CIE one "cie"; when an anchor cannot be listed, its own provider alone.
  struct Listed {
    oidc::ProviderConfig config;
    oidc::ClientOptions options;
  };
  std::vector<Listed> listed;
  for (const auto& f : federations) {
    const bool is_cie = f.sim->profile() == oidc::Profile::cie;
    oidc::ProviderConfig pc{is_cie ? "cie" : "simulatore",
                            is_cie ? "CIE (simulatore)" : "Simulatore SPID (demo)",
                            f.sim->issuer() + "/.well-known/openid-configuration", config_.public_url,
                            config_.public_url + "/auth/callback"};
    pc.profile = f.sim->profile();
    pc.require_iss = is_cie;  // CIE's profile requires iss in the response (RFC 9207)
    oidc::ClientOptions co;
    co.trust = f.trust;
    auto entities = f.trust->list("openid_provider");
    if (!entities)
      spdlog::warn("trust anchor {} list: {} ({})", f.sim->anchor_id(), entities.error().code,
                   entities.error().detail);
    std::size_t n = 0;
    for (const auto& entity : entities ? *entities : std::vector<std::string>{f.sim->issuer()}) {
      oidc::ProviderConfig one = pc;
      one.entity_id = entity;
      if (entity != f.sim->issuer()) {
        one.id = pc.id + "-op-" + std::to_string(n);
        one.display_name = entity;
        if (auto r = f.trust->resolve(entity, "openid_provider"); r) {
          if (const auto* name = r->metadata.if_contains("organization_name"); name && name->is_string())
            one.display_name = std::string(name->as_string());
          if (const auto* l = r->metadata.if_contains("logo_uri"); l && l->is_string())
            one.logo = std::string(l->as_string());
        }
      }
      listed.push_back({one, co});
      ++n;
    }
    if (n == 0) {
      pc.entity_id = f.sim->issuer();
      listed.push_back({pc, co});
    }
  }
  for (const auto& one : listed) {
    auto client = std::make_shared<oidc::Client>(one.config, *rp_keys_, time::system_clock(), one.options);
    identity_->sign_in->add_provider(std::make_shared<identity::OidcAuthProvider>(client));
  }
  for (auto& body : body_rps_) {
    onboard(*body.publication);
    const auto md = body.publication->metadata();
    for (const auto& one : listed) {
      oidc::ProviderConfig bpc = one.config;
      bpc.id = one.config.id + "-" + body.slug;
      bpc.client_id = md.client_id;
      bpc.redirect_uri = body.callback;  // its own callback (issue 14)
      auto bclient = std::make_shared<oidc::Client>(bpc, body.keys, time::system_clock(), one.options);
      identity_->sign_in->add_provider(std::make_shared<identity::OidcAuthProvider>(bclient, body.slug));
    }
  }
  spdlog::info("SPID/CIE simulator at {}/ and {}/cie/ (demo identities: data/demo/identities.json)", issuer,
               issuer);
}

void App::install_demo_mailbox() {
  // Demo: e-mail and SMS go to local simulators, readable at /sim/posta.
  smtp_sink_ = std::make_unique<messaging::SmtpSink>(config_.smtp_sink_port);
  sms_sim_ = std::make_unique<messaging::SmsGatewaySimulator>(ids::random_token(16));
  sms_sim_->register_routes(router_);
  // PEC: the demo's provider (started by serve(); its ports are taken now).
  try {
    pec::PecSimulatorOptions po;
    po.process_every = std::chrono::milliseconds(1000);
    po.identity = demo_pec_identity(config_.keys_dir, po.provider);
    pec_sim_ = std::make_unique<pec::PecSimulator>(po);
  } catch (const std::exception& e) {
    spdlog::error("PEC simulator: {}", e.what());
  }
  mailbox_ = std::make_unique<messaging::SimMailboxDeps>(messaging::SimMailboxDeps{
      *view_, smtp_sink_.get(), sms_sim_.get(), pec_sim_ ? &pec_sim_->submissions() : nullptr});
  messaging::register_sim_mailbox(router_, *mailbox_);
  // App IO: the demo identities' profiles (data/demo/appio.json: who is not on IO, who opted out), and
  // each body's service with a key made for the demo in the body's key folder.
  appio_sim_ = std::make_unique<appio::Simulator>();
  if (auto s = appio_sim_->load_profiles(config_.share_dir + "/data/demo/identities.json",
                                         config_.share_dir + "/data/demo/appio.json");
      !s) {
    spdlog::warn("App IO simulator: {} {}", s.error().code, s.error().detail);
  }
  for (const auto& body : tenants_->snapshot()->bodies) {
    auto key = appio::read_key(config_.keys_dir, body->slug);
    if (key && !*key && appio::write_key(config_.keys_dir, body->slug, ids::random_token(16)))
      key = appio::read_key(config_.keys_dir, body->slug);
    if (key && *key) appio_sim_->add_service(**key, body->slug);
  }
  appio_sim_->register_routes(router_);
}

namespace {

void demo_appio_remote(const Config& config_, const tenants::TenantService& tenants,
                       identity::InboundService& inbound, appio::Simulator& sim) {
  // The demo's IO back office: each body with an IO service gets a remote configuration whose base URL is
  // this node's /inbound/{slug}/io and whose key is a fresh inbound credential ("appio", station "io"),
  // as an administrator would enter them in IO's back office (docs/messaging.md).
  const std::string host = config_.address.empty() || config_.address == "0.0.0.0" || config_.address == "::"
                               ? "127.0.0.1"
                               : config_.address;
  const std::string base = "http://" + host + ":" + std::to_string(config_.port);
  for (const auto& body : tenants.snapshot()->bodies) {
    auto key = appio::read_key(config_.keys_dir, body->slug);
    if (!key || !*key) continue;
    auto conf = appio::read_key(config_.keys_dir, body->slug, appio::kRemoteConfigurationFile);
    if (conf && !*conf &&
        appio::write_key(config_.keys_dir, body->slug, ids::random_token(13),
                         appio::kRemoteConfigurationFile))
      conf = appio::read_key(config_.keys_dir, body->slug, appio::kRemoteConfigurationFile);
    if (!conf || !*conf) continue;
    bool exists = false;
    for (const auto& c : inbound.list(body->id))
      exists = exists || (c.system == messaging::kAppIoInboundSystem && c.station == "io");
    auto issued = exists ? inbound.rotate(body->id, messaging::kAppIoInboundSystem, "io")
                         : inbound.add(body->id, messaging::kAppIoInboundSystem, "io", "{}", "", false);
    if (!issued) {
      spdlog::error("App IO simulator: no inbound credential for {}: {}", body->slug, issued.error().code);
      continue;
    }
    sim.add_remote_configuration(
        **conf, appio::RemoteConfiguration{body->slug, base + "/inbound/" + body->slug + "/io",
                                           "Authorization", "Bearer " + issued->secret});
  }
}

}  // namespace

void App::start_messaging() {
  std::string smtp_url = config_.smtp_url;
  std::string sms_url = config_.sms_gateway_url;
  std::string sms_key = config_.sms_api_key;
  if (smtp_sink_) {
    smtp_sink_->start();
    spdlog::info("SMTP sink (demo) listening on {}", smtp_sink_->url());
    if (smtp_url.empty()) smtp_url = smtp_sink_->url();
  }
  if (sms_sim_ && sms_url.empty()) {
    sms_url = "http://127.0.0.1:" + std::to_string(config_.port) + "/sim/sms/messages";
    sms_key = sms_sim_->api_key();
  }
  std::shared_ptr<messaging::Sender> email;
  if (!smtp_url.empty()) {
    messaging::EmailOptions eo;
    eo.smtp_url = smtp_url;
    eo.from_address = config_.mail_from;
    eo.username = config_.smtp_username;
    eo.password = config_.smtp_password;
    email = std::make_shared<messaging::EmailSender>(eo);
    delivery_->set_sender(messaging::Channel::email, email);
  }
  start_pec();
  if (!sms_url.empty()) {
    messaging::SmsOptions so;
    so.url = sms_url;
    so.api_key = sms_key;
    so.sender = config_.sms_sender;  // checked when the configuration was read (AGCOM rules)
    if (sms_sim_ && config_.sms_gateway_url.empty()) sms_sim_->report_every(std::chrono::seconds(2));
    delivery_->set_sender(messaging::Channel::sms, std::make_shared<messaging::SmsSender>(so));
  }
  // App IO: each body's key from its key folder; without IO (no URL, or a body without a key) the
  // channel falls back to e-mail (adapters/appio/sender.hpp).
  std::string appio_url = config_.appio_url;
  if (appio_sim_ && appio_url.empty())
    appio_url = "http://127.0.0.1:" + std::to_string(config_.port) + "/sim/appio/api/v1";
  std::map<std::int64_t, std::string> appio_keys;
  if (!appio_url.empty()) {
    std::vector<std::pair<std::int64_t, std::string>> bodies;
    for (const auto& body : tenants_->snapshot()->bodies) bodies.emplace_back(body->id, body->slug);
    std::vector<std::string> problems;
    appio_keys = appio::load_keys(config_.keys_dir, bodies, problems);
    for (const auto& p : problems) spdlog::warn("App IO key of {}", p);
  }
  // Remote content (decisions, certificates): the body's configuration id at IO, next to its key.
  std::map<std::int64_t, std::string> appio_remote;
  if (!appio_url.empty()) {
    if (appio_sim_) demo_appio_remote(config_, *tenants_, *identity_->inbound, *appio_sim_);
    std::vector<std::pair<std::int64_t, std::string>> bodies;
    for (const auto& body : tenants_->snapshot()->bodies) bodies.emplace_back(body->id, body->slug);
    std::vector<std::string> problems;
    appio_remote = appio::load_keys(config_.keys_dir, bodies, problems, appio::kRemoteConfigurationFile);
    for (const auto& p : problems) spdlog::warn("App IO remote configuration of {}", p);
  }
  auto lookup = [](std::map<std::int64_t, std::string> m) {
    return [m = std::move(m)](std::int64_t tenant) -> std::optional<std::string> {
      auto it = m.find(tenant);
      if (it == m.end()) return std::nullopt;
      return it->second;
    };
  };
  appio::ClientOptions ao;
  if (!appio_url.empty()) ao.base_url = appio_url;
  auto client = std::make_shared<appio::Client>(ao);
  auto sender = std::make_shared<appio::AppIoSender>(client, lookup(std::move(appio_keys)), email);
  sender->set_remote_configurations(lookup(std::move(appio_remote)));
  delivery_->set_sender(messaging::Channel::appio, sender);
}

void App::start_pec() {
  // PEC: each body's account (<keys_dir>/<slug>/pec/account) sends through its provider and has its
  // receipts read every minute (pec.receipts). The demo's provider is the local simulator, with an account
  // made for each body (its PEC address, or <slug>@pec.sim.example) and its certificate trusted.
  std::string trusted;
  if (!config_.pec_trusted_certs.empty()) {
    std::ifstream in(config_.pec_trusted_certs);
    trusted.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (trusted.empty()) spdlog::warn("pec_trusted_certs {}: unreadable or empty", config_.pec_trusted_certs);
  }
  std::vector<std::pair<std::int64_t, std::string>> bodies;
  for (const auto& body : tenants_->snapshot()->bodies) bodies.emplace_back(body->id, body->slug);
  bodies.emplace_back(0, "hub");  // the hub's own (contact codes sent to a PEC address)
  if (pec_sim_) {
    pec_sim_->start();
    trusted += pec_sim_->identity().cert_pem;
    for (const auto& [tenant, slug] : bodies) {
      auto body = tenant == 0 ? nullptr : tenants_->by_id(tenant);
      pec::Account a;
      a.address = body && !body->pec.empty() ? body->pec : slug + "@pec.sim.example";
      a.smtp_url = pec_sim_->smtp_url();
      a.pop3_url = pec_sim_->pop3_url();
      a.user = a.address;
      a.password = pec_sim_->password();
      if (auto st = pec::write_account(config_.keys_dir, slug, a); !st)
        spdlog::warn("demo PEC account of {}: {}", slug, st.error().detail);
    }
    spdlog::info("PEC provider simulator: SMTP {} POP3 {}", pec_sim_->smtp_url(), pec_sim_->pop3_url());
  }
  std::vector<std::string> problems;
  auto accounts = pec::load_accounts(config_.keys_dir, bodies, problems);
  for (const auto& p : problems) spdlog::warn("PEC account of {}", p);
  const std::string message_id_domain = messaging::EmailOptions{}.message_id_domain;
  auto pec_sender = std::make_shared<pec::PecSender>(accounts, message_id_domain);
  // Protocol messages to administrations outside the hub carry Segnatura.xml and their documents
  // (docs/protocollo-interop.md): the outbox keeps no bytes, the registry gives them when the PEC leaves.
  pec_sender->set_attachments([svc = protocollo_->interop.get()](const messaging::StoredMessage& m) {
    return svc->pec_attachments(m);
  });
  delivery_->set_sender(messaging::Channel::pec, pec_sender);
  if (accounts.empty()) return;
  if (trusted.empty())
    spdlog::warn("PEC: no trusted provider certificate (pec_trusted_certs): no receipt is believed");
  interop_pec_ = std::make_unique<protocollo::InteropPecReader>(*db_, time::system_clock(),
                                                                *protocollo_->interop, accounts, trusted);
  interop_pec_->register_with(*jobs_);
  if (pec_sim_) {
    // The demo's other administration (a registry outside the hub) with its mailbox at the simulated
    // provider; the hub trusts its self-signed certificate, it trusts the hub members'.
    protocollo::RegistrySimulatorOptions ro;
    ro.smtp_url = pec_sim_->smtp_url();
    ro.pop3_url = pec_sim_->pop3_url();
    ro.password = pec_sim_->password();
    ro.pec_trusted_pem = pec_sim_->identity().cert_pem;
    ro.trusted_pem = protocollo_->interop->trusted_bundle();
    ro.schema_dir = agid_schema_dir(config_);
    // It calls the hub's interfaces at their public address (what it signs as wsa:To), with a key of its
    // own kept in the demo's key folder, so the bodies' registration of its certificate (below) holds
    // across restarts.
    ro.hub_soap_base = protocollo_->interop->soap_public_base();
    ro.signer = demo_registry_signer(config_.keys_dir);
    registry_sim_ = std::make_unique<protocollo::RegistrySimulator>(ro);
    protocollo_->interop->trust(registry_sim_->cert_pem());
    // Every body with a registry office lets the other administration call its SOAP interfaces, as its
    // administrators would on the registry offices' page (docs/protocollo-interop.md, "Who may call").
    for (const auto& body : tenants_->snapshot()->bodies) {
      if (protocollo_->protocol->aoos(body->id).empty()) continue;
      auto added = protocollo_->interop->add_soap_peer(
          protocollo::SystemActor{"demo"}, body->id,
          {ro.admin_code, ro.aoo_code, ro.name, registry_sim_->cert_pem()});
      if (!added && added.error().code != "protocollo.soap_peer_exists")
        spdlog::warn("demo SOAP caller of {}: {} {}", body->slug, added.error().code, added.error().detail);
    }
    // It publishes the SOAP interfaces too: the hub's directory names it (an entry addressed to its IPA
    // codes goes by SOAP; one addressed to its PEC address alone, by PEC).
    protocollo_->interop->add_soap_endpoint(ro.admin_code, ro.aoo_code, registry_sim_->start_soap());
    // Once per demo data folder, the other administration writes to Asti's registry office, so the
    // incoming queue shows a message from outside the hub (it arrives at the next mailbox reading).
    const auto marker = std::filesystem::path(config_.keys_dir) / "registry-sim-demo-sent";
    auto asti = tenants_->by_slug("asti");
    if (asti && !asti->pec.empty() && !std::filesystem::exists(marker)) {
      const auto aoos = protocollo_->protocol->aoos(asti->id);
      if (!aoos.empty()) {
        auto sent = registry_sim_->send(
            asti->pec, aoos.front().admin_code, aoos.front().code,
            "Richiesta di parere sul piano regionale dei trasporti",
            {{"richiesta-parere.pdf", "application/pdf",
              "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"}});
        if (sent)
          std::ofstream(marker) << *sent << "\n";
        else
          spdlog::warn("demo registry message: {} {}", sent.error().code, sent.error().detail);
      }
    }
    registry_sim_->start(std::chrono::milliseconds(1000));
    spdlog::info("Registry simulator (another administration): {} ({}/{})", ro.pec_address, ro.admin_code,
                 ro.aoo_code);
  }
  pec_receipts_ =
      std::make_unique<pec::ReceiptsReader>(*db_, std::move(accounts), trusted, message_id_domain);
  pec_receipts_->set_acceptance_timeout(std::chrono::minutes(config_.pec_acceptance_timeout_min));
  pec_receipts_->register_with(*jobs_);
}

void App::ensure_demo_stamp_keys() {
  // Demo and development only: each body gets a digital-stamp key ring, so its public keys are
  // published at once. In production the operator makes them (`sportello keys rotate`).
  const auto now = time::system_clock().now();
  for (const auto& body : tenants_->snapshot()->bodies) {
    auto ring = keys::ensure_ring(config_.keys_dir, body->slug, keys::Purpose::stamp_signing, now);
    if (!ring) spdlog::warn("demo stamp keys of {}: {}", body->slug, ring.error().detail);
    // The registry office's XML-signing certificate (the segnatura's XAdES signature,
    // docs/protocollo-interop.md): self-signed in the demo; a qualified CA's in production.
    auto xml = keys::load_ring(config_.keys_dir, body->slug, keys::Purpose::xml_signing);
    if (xml && xml->signing(now) == nullptr) {
      const auto id = crypto::self_signed_identity("Protocollo - " + body->name, body->name, 3 * 365);
      auto placed = keys::place_certificate(config_.keys_dir, body->slug, id.key_pem, id.cert_pem);
      if (!placed) spdlog::warn("demo XML-signing certificate of {}: {}", body->slug, placed.error().detail);
    }
  }
}

void App::write_port_file(std::uint16_t http_port) const {
  if (config_.port_file.empty()) return;
  boost::json::object ports;
  ports["http"] = http_port;
  if (simulator_) ports["sim_idp"] = simulator_->port();
  if (smtp_sink_) ports["smtp_sink"] = smtp_sink_->port();
  if (pec_sim_) ports["sim_pec_pop3"] = pec_sim_->pop3_url();
  if (pagopa_sim_) ports["sim_pagopa"] = pagopa_sim_->port();
  if (anpr_sim_) ports["sim_anpr"] = anpr_sim_->port();
  if (conservazione_sim_) ports["sim_conservazione"] = conservazione_sim_->port();
  const std::string temp = config_.port_file + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << boost::json::serialize(ports) << "\n";
  }
  std::filesystem::rename(temp, config_.port_file);  // readers see the whole file or none
}

void App::refresh_directory() {
  try {
    if (tenants_->refresh()) spdlog::info("directory: bodies changed elsewhere, reloaded");
    catalog_->refresh();
  } catch (const std::exception& e) {  // a database outage: the next round tries again
    spdlog::warn("directory refresh: {}", e.what());
  }
}

int App::serve(int listen_fd) {
  start_demo_simulator();
  start_pagopa_simulator();
  start_anpr_simulator();
  start_messaging();
  // Background jobs: outbox deliveries, the daily protocol registers (the periods missed while no node
  // ran are queued and run at once), housekeeping.
  jobs_->start();
  // Audit chain heads anchored outside the database: now, every audit_anchor_interval_s, and at stop.
  audit_anchors_ = std::make_unique<audit::AnchorJob>(*db_, audit_key_.key(), config_.audit_anchor_file,
                                                      std::chrono::seconds(config_.audit_anchor_interval_s));
  audit_anchors_->start();
  directory_refresh_ = std::make_unique<Ticker>(std::chrono::milliseconds(config_.directory_refresh_ms),
                                                [this] { refresh_directory(); });
  directory_refresh_->start();
  auto options = server_options();
  options.listen_fd = listen_fd;
  http::Server server(options, router_, hooks());
  server.listen();
  server.stop_on_signals();
  spdlog::info("sportello listening on http://{}:{}/ (public URL {}, database {})", config_.address,
               server.port(), config_.public_url,
               config_.database.rfind("sqlite:", 0) == 0 ? config_.database : std::string("postgresql"));
  write_port_file(server.port());
  server.run();
  directory_refresh_->stop();
  audit_anchors_->stop();
  spdlog::info("sportello stopped");
  return 0;
}

}  // namespace sp::app
