#pragma once
// The assembled application: configuration, database, texts, views, domain services and routes.
// Built by `sportello serve` (and by tests that want the whole thing without sockets).
#include <memory>

#include "adapters/anpr/simulator.hpp"
#include "adapters/appio/simulator.hpp"
#include "adapters/business_register/simulator.hpp"
#include "adapters/conservazione/simulator.hpp"
#include "adapters/messaging/mailbox_web.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "adapters/oidc/model.hpp"
#include "adapters/oidc/rp_routes.hpp"
#include "adapters/oidc/simulator.hpp"
#include "adapters/pagopa/simulator.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "adapters/pec/simulator.hpp"
#include "albo/module_web.hpp"
#include "alerts/module_web.hpp"
#include "anagrafe/module_web.hpp"
#include "applications/module_web.hpp"
#include "audit/anchor.hpp"
#include "audit/key.hpp"
#include "audit/service.hpp"
#include "body_pages/module_web.hpp"
#include "business_checks/module_web.hpp"
#include "cases/module_web.hpp"
#include "catalog/service.hpp"
#include "certificates/module_web.hpp"
#include "conservazione/module_web.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "core/oidc_bodies.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "forms/module_web.hpp"
#include "helpdesk/module_web.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "hub/module_web.hpp"
#include "identity/module_web.hpp"
#include "jobs/runner.hpp"
#include "messaging/module_web.hpp"
#include "messaging/payment_due_job.hpp"
#include "payments/module_web.hpp"
#include "protocollo/interop_pec.hpp"
#include "protocollo/module_web.hpp"
#include "protocollo/registry_simulator.hpp"
#include "selfdecl/module_web.hpp"
#include "stamp/module_web.hpp"
#include "tenants/service.hpp"
#include "tourism/module_web.hpp"
#include "web/context.hpp"
#include "web/module.hpp"

namespace sp::body_export {
class BodyExportService;
struct Module;
}  // namespace sp::body_export
namespace sp::privacy {
class Purger;
struct Module;
}  // namespace sp::privacy
namespace sp::statistics {
class StatisticsService;
struct Module;
}  // namespace sp::statistics
#include "web/view.hpp"

namespace sp::app {

class App {
 public:
  // Opens the database, applies pending migrations, seeds the demo data when config.demo is set and the
  // database holds no hub yet, loads texts and templates, and registers every route.
  explicit App(Config config);
  ~App();

  [[nodiscard]] http::ServerOptions server_options() const;
  [[nodiscard]] http::Hooks hooks();
  [[nodiscard]] const http::Router& router() const { return router_; }
  [[nodiscard]] db::Database& database() { return *db_; }
  [[nodiscard]] const Config& config() const { return config_; }
  [[nodiscard]] identity::SignInService& sign_in() { return *identity_->sign_in; }
  [[nodiscard]] identity::StaffService& staff() { return *identity_->staff; }
  [[nodiscard]] identity::ApiKeyService& api_keys() { return *identity_->api_keys; }
  [[nodiscard]] identity::DelegationService& delegations() { return *identity_->delegations; }
  [[nodiscard]] protocollo::ProtocolService& protocol() { return *protocollo_->protocol; }
  [[nodiscard]] protocollo::InteropService& interop() { return *protocollo_->interop; }
  [[nodiscard]] forms::DefinitionsService& definitions() { return *forms_->definitions; }
  [[nodiscard]] jobs::Runner& jobs() { return *jobs_; }
  [[nodiscard]] payments::PaymentsService& payments() { return *payments_->payments; }
  [[nodiscard]] messaging::MessagingService& messaging() { return *messaging_->messaging; }
  [[nodiscard]] albo::AlboService& albo() { return *albo_->albo; }
  [[nodiscard]] anagrafe::AnagrafeService& anagrafe() { return *anagrafe_->register_; }
  [[nodiscard]] selfdecl::SelfDeclService& self_declarations() { return *selfdecl_->declarations; }
  [[nodiscard]] alerts::AlertService& alerts() { return *alerts_->alerts; }
  [[nodiscard]] tourism::TourismService& tourism() { return *tourism_->tourism; }
  [[nodiscard]] business_checks::BusinessCheckService& business_checks() { return *business_checks_->checks; }
  [[nodiscard]] payments::StationService& station() { return *payments_->station; }
  [[nodiscard]] payments::PortalService& portal() { return *payments_->portal; }
  [[nodiscard]] stamp::StampService& stamps() { return *stamp_->stamps; }
  // Demo mode with sim_pagopa, once serve() started it: the local pagoPA; null otherwise.
  [[nodiscard]] pagopa::sim::RunningSimulator* pagopa_simulator() { return pagopa_sim_.get(); }
  // Demo mode with sim_anpr, once serve() started it: the local ANPR; null otherwise.
  [[nodiscard]] anpr::sim::RunningSimulator* anpr_simulator() { return anpr_sim_.get(); }
  [[nodiscard]] certificates::CertificateService& certificates() { return *certificates_->certificates; }
  [[nodiscard]] hub::PackagesService& packages() { return *hub_->packages; }
  [[nodiscard]] helpdesk::HelpdeskService& helpdesk() { return *helpdesk_->helpdesk; }
  [[nodiscard]] hub::OnboardingService& onboarding() { return *hub_->onboarding; }
  [[nodiscard]] body_export::BodyExportService& body_export();
  [[nodiscard]] statistics::StatisticsService& statistics();  // docs/statistics.md
  [[nodiscard]] privacy::Purger& purger() { return *purger_; }
  [[nodiscard]] conservazione::ConservazioneService& conservazione();
  [[nodiscard]] files::FileService& files() { return *files_; }
  // Demo mode with sim_conservazione: the local conservator (started with the App); null otherwise.
  [[nodiscard]] conservazione_sim::RunningSimulator* conservazione_simulator() {
    return conservazione_sim_.get();
  }
  // Runs the HTTP server until SIGTERM/SIGINT; returns the exit code. `listen_fd`: a socket bound
  // beforehand (http::bind_listener, so that the configuration could follow a port chosen by the
  // system); -1: bind config.address:config.port now.
  int serve(int listen_fd = -1);

  // Tenant and locale resolution done before routing (exposed for tests).
  void resolve_context(http::Request& req) const;
  // Reloads the body directory and invalidates the catalog's cached pages when the database says another
  // node (or a CLI command) changed them; serve() calls it every directory_refresh_ms. Exposed for tests.
  void refresh_directory();

 private:
  // The platform, built before any module (web/module.hpp: what every module's install may use).
  Config config_;
  std::unique_ptr<db::Database> db_;
  audit::KeyBinding audit_key_;                      // the audit chain key, bound to db_ (released first)
  std::unique_ptr<audit::AnchorJob> audit_anchors_;  // serve() only: anchors the chain heads
  std::unique_ptr<Ticker> directory_refresh_;        // serve() only: refresh_directory() now and then
  I18n i18n_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<web::View> view_;
  web::RenderCache cache_;
  std::unique_ptr<web::Services> services_;
  std::unique_ptr<audit::AuditService> audit_;
  http::Router router_;
  std::unique_ptr<jobs::Runner> jobs_;              // every background job (serve() starts its thread)
  std::unique_ptr<messaging::Delivery> delivery_;   // the outbox's job kind
  std::shared_ptr<void> jobs_page_;                 // the jobs page's dependencies (jobs_web.cpp)
  std::unique_ptr<messaging::SmtpSink> smtp_sink_;  // demo only
  std::unique_ptr<messaging::SmsGatewaySimulator> sms_sim_;         // demo only
  std::unique_ptr<messaging::SimMailboxDeps> mailbox_;              // demo only
  std::unique_ptr<appio::Simulator> appio_sim_;                     // demo only: a local App IO
  std::unique_ptr<pec::PecSimulator> pec_sim_;                      // demo only: a local PEC provider
  std::unique_ptr<pec::ReceiptsReader> pec_receipts_;               // serve(): the PEC receipts job
  std::unique_ptr<protocollo::InteropPecReader> interop_pec_;       // serve(): protocol messages by PEC
  std::unique_ptr<protocollo::RegistrySimulator> registry_sim_;     // demo only: another administration
  std::unique_ptr<messaging::PaymentReminders> payment_reminders_;  // the daily payment.due job
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<web::ModuleDeps> deps_;
  std::unique_ptr<oidc::RpKeys> rp_keys_;
  std::unique_ptr<identity::SignInLog> sign_in_log_;  // SPID/CIE message log and provider tokens
  // What the hub's relying party publishes, and each body's own (client_id <public_url>/<ipa code>/).
  std::shared_ptr<oidc::RpPublication> rp_publication_;
  struct BodyRp {
    std::string slug;
    std::string ipa_code;
    std::shared_ptr<oidc::RpKeyHolder> keys;  // made on first use
    std::shared_ptr<oidc::RpPublication> publication;
    std::string callback;  // its own redirect URI, <client_id>callback
  };
  std::vector<BodyRp> body_rps_;
  void setup_body_relying_parties(const OidcFederationConfig& federation);
  std::unique_ptr<oidc::RunningSimulator> simulator_;
  std::unique_ptr<pagopa::sim::RunningSimulator> pagopa_sim_;  // demo only
  int pagopa_sim_fd_ = -1;  // demo with sim_pagopa_port 0: its socket, bound before the modules read its URL
  std::unique_ptr<anpr::sim::RunningSimulator> anpr_sim_;  // demo only
  int anpr_sim_fd_ = -1;                                   // as pagopa_sim_fd_, for the ANPR simulator
  std::unique_ptr<conservazione_sim::RunningSimulator> conservazione_sim_;  // demo only

  // The modules, in the order they are installed (each may use those above it).
  std::unique_ptr<body_export::Module> export_;  // docs/export.md
  std::unique_ptr<privacy::Purger> purger_;      // docs/privacy.md
  std::unique_ptr<privacy::Module> privacy_;
  std::unique_ptr<statistics::Module> statistics_;  // docs/statistics.md
  std::unique_ptr<identity::Module> identity_;
  std::unique_ptr<stamp::Module> stamp_;
  std::unique_ptr<protocollo::Module> protocollo_;
  std::unique_ptr<forms::Module> forms_;
  std::unique_ptr<cases::Module> cases_;
  std::unique_ptr<applications::Module> applications_;
  std::unique_ptr<body_pages::Module> body_pages_;
  std::unique_ptr<messaging::Module> messaging_;
  std::unique_ptr<payments::Module> payments_;
  std::unique_ptr<albo::Module> albo_;
  std::unique_ptr<certificates::Module> certificates_;
  std::unique_ptr<anagrafe::Module> anagrafe_;
  std::unique_ptr<selfdecl::Module> selfdecl_;
  std::unique_ptr<alerts::Module> alerts_;
  std::unique_ptr<tourism::Module> tourism_;
  std::unique_ptr<business_checks::Module> business_checks_;
  std::unique_ptr<business_register::RunningSimulator> business_register_sim_;
  std::unique_ptr<identity::BusinessRepresentatives> business_representatives_;  // demo: its own port
  std::unique_ptr<hub::Module> hub_;
  std::unique_ptr<helpdesk::Module> helpdesk_;
  std::unique_ptr<conservazione::Module> conservazione_;  // docs/conservazione.md

  void setup_sign_in();
  void start_demo_simulator();
  void point_at_pagopa_simulator(const std::string& url);
  void start_pagopa_simulator();   // pagopa_sim_app.cpp
  void point_at_anpr_simulator();  // anpr_sim_app.cpp: URL and demo credentials, before the modules
  void start_anpr_simulator();
  void install_demo_mailbox();
  void start_messaging();
  void start_pec();  // the PEC channel and its receipts job (and the demo's provider)
  void register_jobs_page();
  void ensure_demo_stamp_keys();
  void register_keys_page();  // keys_web.cpp
  void write_port_file(std::uint16_t http_port) const;
};

}  // namespace sp::app
