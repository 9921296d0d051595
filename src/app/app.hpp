#pragma once
// The assembled application: configuration, database, texts, views, domain services and routes.
// Built by `sportello serve` (and by tests that want the whole thing without sockets).
#include <memory>

#include "adapters/messaging/mailbox_web.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "adapters/oidc/model.hpp"
#include "adapters/oidc/simulator.hpp"
#include "applications/forms_admin_web.hpp"
#include "applications/service.hpp"
#include "applications/web.hpp"
#include "audit/anchor.hpp"
#include "audit/key.hpp"
#include "audit/service.hpp"
#include "body_pages/service.hpp"
#include "body_pages/web.hpp"
#include "cases/service.hpp"
#include "cases/web.hpp"
#include "catalog/service.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "forms/definitions_service.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "identity/actor_names.hpp"
#include "identity/api_keys.hpp"
#include "identity/counter_service.hpp"
#include "identity/counter_web.hpp"
#include "identity/delegation_service.hpp"
#include "identity/delegation_web.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"
#include "identity/profile_service.hpp"
#include "identity/profile_web.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "identity/staff_service.hpp"
#include "identity/staff_web.hpp"
#include "identity/web.hpp"
#include "jobs/runner.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/service.hpp"
#include "protocollo/web.hpp"
#include "tenants/service.hpp"
#include "web/context.hpp"
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
  [[nodiscard]] identity::SignInService& sign_in() { return *sign_in_; }
  [[nodiscard]] identity::StaffService& staff() { return *staff_; }
  [[nodiscard]] identity::DelegationService& delegations() { return *delegations_; }
  [[nodiscard]] protocollo::ProtocolService& protocol() { return *protocol_; }
  [[nodiscard]] forms::DefinitionsService& definitions() { return *definitions_; }
  [[nodiscard]] jobs::Runner& jobs() { return *jobs_; }
  // Runs the HTTP server until SIGTERM/SIGINT; returns the exit code. `listen_fd`: a socket bound
  // beforehand (http::bind_listener, so that the configuration could follow a port chosen by the
  // system); -1: bind config.address:config.port now.
  int serve(int listen_fd = -1);

  // Tenant and locale resolution done before routing (exposed for tests).
  void resolve_context(http::Request& req) const;

 private:
  Config config_;
  std::unique_ptr<db::Database> db_;
  audit::KeyBinding audit_key_;                      // the audit chain key, bound to db_ (released first)
  std::unique_ptr<audit::AnchorJob> audit_anchors_;  // serve() only: anchors the chain heads
  I18n i18n_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<web::View> view_;
  web::RenderCache cache_;
  std::unique_ptr<web::Services> services_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<identity::SignInService> sign_in_;
  std::unique_ptr<identity::WebDeps> identity_web_;
  std::unique_ptr<identity::StaffService> staff_;
  std::unique_ptr<identity::ApiKeyService> api_keys_;
  // Inbound calls from national systems (identity/inbound_guard.hpp): the service and the guard's
  // options, for the modules whose routes national systems call (payments first).
  std::unique_ptr<identity::InboundService> inbound_;
  identity::InboundGuardOptions inbound_options_;
  std::unique_ptr<identity::StaffWebDeps> staff_web_;
  std::unique_ptr<identity::ActorNames> actor_names_;  // names for the actor ids records keep
  http::Router router_;
  std::unique_ptr<identity::DelegationService> delegations_;
  std::unique_ptr<identity::CounterService> counter_;
  std::unique_ptr<identity::DelegationWebDeps> deleg_web_;
  std::unique_ptr<identity::CounterWebDeps> counter_web_;
  std::unique_ptr<identity::ProfileService> profile_;
  std::unique_ptr<identity::ProfileWebDeps> profile_web_;
  std::unique_ptr<jobs::Runner> jobs_;              // every background job (serve() starts its thread)
  std::unique_ptr<messaging::Delivery> delivery_;   // the outbox's job kind
  std::shared_ptr<void> jobs_page_;                 // the jobs page's dependencies (jobs_web.cpp)
  std::unique_ptr<messaging::SmtpSink> smtp_sink_;  // demo only
  std::unique_ptr<messaging::SmsGatewaySimulator> sms_sim_;  // demo only
  std::unique_ptr<messaging::SimMailboxDeps> mailbox_;       // demo only
  std::unique_ptr<oidc::RpKeys> rp_keys_;
  std::unique_ptr<oidc::RunningSimulator> simulator_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<protocollo::ProtocolService> protocol_;
  std::unique_ptr<protocollo::DailyRegisterService> registers_;
  std::unique_ptr<protocollo::WebDeps> protocol_web_;
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<cases::WebDeps> cases_web_;
  std::unique_ptr<body_pages::BodyPagesService> body_pages_;
  std::unique_ptr<body_pages::WebDeps> body_pages_web_;
  std::unique_ptr<forms::DefinitionsService> definitions_;
  std::unique_ptr<applications::ApplicationService> applications_;
  std::unique_ptr<applications::WebDeps> applications_web_;
  std::unique_ptr<applications::FormsAdminDeps> forms_admin_web_;

  void setup_sign_in();
  void start_demo_simulator();
  void start_messaging();
  void register_jobs_page();
  void ensure_demo_stamp_keys();
  void register_keys_page();  // keys_web.cpp
  void write_port_file(std::uint16_t http_port) const;
};

}  // namespace sp::app
