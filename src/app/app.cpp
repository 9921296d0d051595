#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/oidc/client.hpp"
#include "adapters/oidc/rp_routes.hpp"
#include "app/demo.hpp"
#include "applications/counter_receipt_pdf.hpp"
#include "catalog/web.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "identity/oidc_provider.hpp"
#include "identity/request.hpp"
#include "protocollo/register_job.hpp"
#include "tenants/web.hpp"
#include "web/fiscal_api.hpp"
#include "web/json.hpp"

namespace sp::app {
namespace {

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
  sessions_ = std::make_unique<identity::SessionService>(*db_, time::system_clock());
  sign_in_ = std::make_unique<identity::SignInService>(*db_, *sessions_, time::system_clock());
  sign_in_->set_audit(audit_.get());
  staff_ = std::make_unique<identity::StaffService>(*db_, *sessions_, time::system_clock());
  staff_->set_audit(audit_.get());
  // Password-reset links go out by e-mail through the outbox (delivered by the dispatcher).
  staff_->send_reset = [this](const std::string& email, const std::string& token) {
    messaging::Message m;
    m.channel = messaging::Channel::email;
    m.recipient = email;
    // Staff accounts have no language of their own: the message is in Italian, then in English.
    const std::string link = config_.public_url + "/backoffice/reimposta-password?token=" + token;
    m.subject = i18n_.t("it", "staff_mail.reset_subject") + " / " + i18n_.t("en", "staff_mail.reset_subject");
    m.body = i18n_.format("it", "staff_mail.reset_body", {{"link", link}}) + "\n\n" +
             i18n_.format("en", "staff_mail.reset_body", {{"link", link}});
    db_->write([&](db::Conn& tx) {
      auto queued = messaging::enqueue(tx, m);
      if (!queued) throw std::runtime_error("reset e-mail: " + queued.error().code);
    });
    if (jobs_) jobs_->notify();
  };
  api_keys_ = std::make_unique<identity::ApiKeyService>(*db_, time::system_clock());
  api_keys_->set_audit(audit_.get());
  inbound_ = std::make_unique<identity::InboundService>(*db_, *audit_, time::system_clock());
  inbound_options_.trusted_proxies = identity::parse_trusted_proxies(config_.inbound_trusted_proxies);
  identity_web_ = std::make_unique<identity::WebDeps>(identity::WebDeps{
      *view_, *sessions_, *sign_in_, config_.public_url.rfind("https://", 0) == 0, audit_.get()});

  setup_sign_in();
  register_language_switch(router_, identity_web_->secure_cookies);
  web::register_fiscal_api(router_, i18n_);
  catalog::register_api(router_, *services_);
  staff_web_ = std::make_unique<identity::StaffWebDeps>(identity::StaffWebDeps{
      *view_, *sessions_, *staff_, *api_keys_, *tenants_, identity_web_->secure_cookies});
  actor_names_ = std::make_unique<identity::ActorNames>(i18n_, *db_, staff_.get());
  identity_web_->actor_names = actor_names_.get();
  if (config_.demo) {
    if (auto st = seed_demo_staff(config_.share_dir, *tenants_, *staff_); !st) {
      throw std::runtime_error("demo staff: " + st.error().code + " " + st.error().detail);
    }
  }
  profile_ = std::make_unique<identity::ProfileService>(*db_, *audit_, time::system_clock());
  profile_web_ = std::make_unique<identity::ProfileWebDeps>(identity::ProfileWebDeps{*view_, *profile_});
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
  profile_->set_outbox_notifier([this] { jobs_->notify(); });
  if (config_.demo) {
    // Demo: e-mail and SMS go to local simulators, readable at /sim/posta.
    smtp_sink_ = std::make_unique<messaging::SmtpSink>(config_.smtp_sink_port);
    sms_sim_ = std::make_unique<messaging::SmsGatewaySimulator>(ids::random_token(16));
    sms_sim_->register_routes(router_);
    mailbox_ = std::make_unique<messaging::SimMailboxDeps>(
        messaging::SimMailboxDeps{*view_, smtp_sink_.get(), sms_sim_.get()});
    messaging::register_sim_mailbox(router_, *mailbox_);
  }
  delegations_ = std::make_unique<identity::DelegationService>(*db_, *sessions_, *audit_, *tenants_,
                                                               time::system_clock());
  counter_ =
      std::make_unique<identity::CounterService>(*db_, *sessions_, *audit_, *tenants_, time::system_clock());
  deleg_web_ = std::make_unique<identity::DelegationWebDeps>(
      identity::DelegationWebDeps{*view_, *delegations_, *tenants_});
  counter_web_ = std::make_unique<identity::CounterWebDeps>(
      identity::CounterWebDeps{*view_, *counter_, *tenants_,
                               [this](tenants::TenantId t, const std::string& code, std::string_view lang) {
                                 auto o = catalog_->offering(t, code);
                                 return o ? o->service.title.in(lang) : std::string();
                               },
                               applications::render_counter_receipt_pdf});
  identity_web_->counter = counter_.get();
  identity_web_->tenants = tenants_.get();
  identity::register_pages(router_, *identity_web_);
  identity::register_profile_pages(router_, *profile_web_);
  identity::register_delegation_pages(router_, *deleg_web_);
  identity::register_counter_pages(router_, *counter_web_);
  identity::register_staff_pages(router_, *staff_web_);
  tenants::register_pages(router_, *services_);
  catalog::register_pages(router_, *services_);

  files::Options file_options;
  file_options.storage_dir = config_.files_dir;
  files_ = std::make_unique<files::FileService>(*db_, time::system_clock(), file_options);
  protocol_ = std::make_unique<protocollo::ProtocolService>(*db_, time::system_clock(), *files_);
  registers_ = std::make_unique<protocollo::DailyRegisterService>(*db_, time::system_clock());
  if (config_.demo) {
    if (auto st = seed_demo_aoos(*tenants_, *protocol_); !st) {
      throw std::runtime_error("demo AOO: " + st.error().code + " " + st.error().detail);
    }
  }
  protocol_web_ = std::make_unique<protocollo::WebDeps>(
      protocollo::WebDeps{*view_, *protocol_, *registers_, *files_, *tenants_});
  protocol_web_->actor_names = actor_names_.get();
  registers_->set_actor_name([this](const std::string& who) {
    return actor_names_ ? actor_names_->name(who, "it") : std::string();
  });
  protocollo::register_daily_register_job(*jobs_, *registers_);
  protocollo::register_pages(router_, *protocol_web_);
  protocollo::register_api(router_, *protocol_web_);

  // Cases: what a sent application becomes (registered in the protocol in the same transaction).
  cases::Options case_options;
  case_options.decisions_dir = config_.share_dir + "/data/decisions";  // as data/forms: from the share dir
  case_options.locales_dir = config_.share_dir + "/web/locales";       // the notices' texts
  case_options.public_url = config_.public_url;                        // the notices' links
  case_options.language_of = [this](const std::string& cf) {           // the notices' language
    auto p = profile_->show(cf);
    return p ? p->preferred_language : std::string("it");
  };
  cases_ = std::make_unique<cases::CaseService>(*db_, time::system_clock(), *protocol_, *files_, *catalog_,
                                                *tenants_, profile_.get(), case_options);
  // Form definitions: data/forms loaded into the database (a changed file is a new version), and each
  // body's changes to them.
  definitions_ = std::make_unique<forms::DefinitionsService>(*db_, time::system_clock());
  auto loaded = definitions_->load_dir(config_.share_dir + "/data/forms");
  if (!loaded) throw std::runtime_error("form definitions: " + loaded.error().detail);
  for (const auto& v : loaded->new_versions) spdlog::info("stored form definition {}", v);
  {
    // What the catalog pages may offer online: the services the hub has a form for.
    std::set<std::string, std::less<>> online;
    for (auto& code : definitions_->codes()) online.insert(std::move(code));
    services_->online_form = [online = std::move(online)](std::string_view code) {
      return online.count(code) > 0;
    };
  }
  cases_->set_form_definitions(definitions_.get());          // decisions print the answers' labels
  cases_->set_outbox_notifier([this] { jobs_->notify(); });  // notices go out at once
  if (config_.demo) {
    if (auto st = seed_demo_forms(config_.share_dir, *tenants_, *definitions_); !st)
      throw std::runtime_error("demo forms: " + st.error().code + " " + st.error().detail);
  }
  // Online applications: drafts, steps, summary and receipt, with each body's definitions in force.
  applications_ = std::make_unique<applications::ApplicationService>(
      *db_, time::system_clock(), i18n_, *files_, *tenants_, *catalog_, cases_.get(), *definitions_);
  applications_->set_counter(counter_.get());   // the assisted counter files for the citizen served
  applications_->set_profiles(profile_.get());  // prefill from the signed-in person's profile
  applications_web_ = std::make_unique<applications::WebDeps>(
      applications::WebDeps{*view_, *applications_, *tenants_, identity_web_->secure_cookies});
  applications::register_pages(router_, *applications_web_);
  forms_admin_web_ = std::make_unique<applications::FormsAdminDeps>(
      applications::FormsAdminDeps{*view_, *definitions_, *tenants_, *catalog_});
  applications::register_forms_admin_pages(router_, *forms_admin_web_);
  cases_web_ =
      std::make_unique<cases::WebDeps>(cases::WebDeps{*view_, *cases_, *files_, *tenants_, staff_.get()});
  cases_web_->actor_names = actor_names_.get();
  cases_web_->definitions = definitions_.get();
  // A case is assigned only to the body's own active staff, and its history names them.
  cases_->set_staff_directory(
      [this](tenants::TenantId tenant, const std::string& id) -> std::optional<std::string> {
        auto account = staff_->account(id);
        if (!account || !account->active || account->tenant_id != tenant) return std::nullopt;
        return account->display_name;
      });
  cases::register_pages(router_, *cases_web_);
  // The pages every public-sector portal must have: contacts, privacy, accessibility, legal notes.
  body_pages_ = std::make_unique<body_pages::BodyPagesService>(*db_, *audit_, time::system_clock());
  body_pages_web_ =
      std::make_unique<body_pages::WebDeps>(body_pages::WebDeps{*view_, *body_pages_, *tenants_});
  body_pages::register_pages(router_, *body_pages_web_);
  register_jobs_page();
  register_keys_page();
}

App::~App() {
  if (audit_anchors_) audit_anchors_->stop();  // anchors once more, while the database is open
  if (jobs_) jobs_->stop();                    // waits for the job in hand
  if (smtp_sink_) smtp_sink_->stop();
  if (db_) db_->close();
}

http::ServerOptions App::server_options() const {
  http::ServerOptions o;
  o.address = config_.address;
  o.port = config_.port;
  o.threads = config_.threads;
  o.body_limit = static_cast<std::size_t>(config_.body_limit);
  o.upload_body_limit = static_cast<std::size_t>(config_.upload_limit);
  // Where documents are uploaded: the registry's form and API (base64 in JSON is a third larger).
  o.upload_prefixes = {"/backoffice/*/protocollo/nuovo", "/api/v1/backoffice/*/protocollo/registrazioni",
                       applications::kUploadPrefix, "/area-personale/pratiche/*/*",
                       applications::kStreetsUploadPrefix};
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
    identity::resolve_principal(*sessions_, req);
    // Programs call the JSON API with a body's API key instead of a session.
    if (!req.ctx.identity && req.path.rfind("/api/", 0) == 0) {
      if (const std::string* auth = req.header("authorization")) {
        auto key = api_keys_->authenticate(*auth);
        if (!key) {
          api_keys_->note_invalid(req.ctx.tenant_id, req.remote_addr, req.path);
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
  h.extra_metrics = [this] {
    auto s = db_->stats();
    return "# TYPE sportello_db_connections gauge\nsportello_db_connections{state=\"total\"} " +
           std::to_string(s.connections_total) + "\nsportello_db_connections{state=\"busy\"} " +
           std::to_string(s.connections_busy) +
           "\n# TYPE sportello_db_commits_total counter\nsportello_db_commits_total " +
           std::to_string(s.commits) +
           "\n# TYPE sportello_db_writes_total counter\nsportello_db_writes_total " +
           std::to_string(s.writes_committed) + "\n";
  };
  return h;
}

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
  const std::string callback = config_.public_url + "/auth/callback";
  oidc::register_rp_routes(router_, *rp_keys_, oidc::RpMetadata{config_.public_url, {callback}},
                           time::system_clock());

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
    auto client = std::make_shared<oidc::Client>(pc, *rp_keys_, time::system_clock());
    sign_in_->add_provider(std::make_shared<identity::OidcAuthProvider>(client));
  }
}

void App::start_demo_simulator() {
  if (!config_.demo || !config_.sim_idp) return;
  oidc::SimulatorOptions so;
  if (config_.sim_idp_port != 0) so.issuer = "http://localhost:" + std::to_string(config_.sim_idp_port);
  so.client_id = config_.public_url;
  so.redirect_uri = config_.public_url + "/auth/callback";
  so.identities_file = config_.share_dir + "/data/demo/identities.json";
  simulator_ = oidc::start_simulator_thread(so, config_.sim_idp_port);
  // Port 0: the issuer follows the port the simulator took.
  const std::string issuer = "http://localhost:" + std::to_string(simulator_->port());
  if (config_.sim_idp_port == 0) simulator_->simulator().set_issuer(issuer);
  oidc::ProviderConfig pc{"simulatore", "Simulatore SPID/CIE (demo)",
                          issuer + "/.well-known/openid-configuration", config_.public_url,
                          config_.public_url + "/auth/callback"};
  auto client = std::make_shared<oidc::Client>(pc, *rp_keys_, time::system_clock());
  sign_in_->add_provider(std::make_shared<identity::OidcAuthProvider>(client));
  spdlog::info("SPID/CIE simulator at {}/ (demo identities: data/demo/identities.json)", issuer);
}

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
  if (!smtp_url.empty()) {
    messaging::EmailOptions eo;
    eo.smtp_url = smtp_url;
    eo.from_address = config_.mail_from;
    eo.username = config_.smtp_username;
    eo.password = config_.smtp_password;
    delivery_->set_sender(messaging::Channel::email, std::make_shared<messaging::EmailSender>(eo));
  }
  if (!sms_url.empty()) {
    messaging::SmsOptions so;
    so.url = sms_url;
    so.api_key = sms_key;
    delivery_->set_sender(messaging::Channel::sms, std::make_shared<messaging::SmsSender>(so));
  }
}

void App::ensure_demo_stamp_keys() {
  // Demo and development only: each body gets a digital-stamp key ring, so its public keys are
  // published at once. In production the operator makes them (`sportello keys rotate`).
  const auto now = time::system_clock().now();
  for (const auto& body : tenants_->snapshot()->bodies) {
    auto ring = keys::ensure_ring(config_.keys_dir, body->slug, keys::Purpose::stamp_signing, now);
    if (!ring) spdlog::warn("demo stamp keys of {}: {}", body->slug, ring.error().detail);
  }
}

void App::write_port_file(std::uint16_t http_port) const {
  if (config_.port_file.empty()) return;
  boost::json::object ports;
  ports["http"] = http_port;
  if (simulator_) ports["sim_idp"] = simulator_->port();
  if (smtp_sink_) ports["smtp_sink"] = smtp_sink_->port();
  const std::string temp = config_.port_file + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << boost::json::serialize(ports) << "\n";
  }
  std::filesystem::rename(temp, config_.port_file);  // readers see the whole file or none
}

int App::serve(int listen_fd) {
  start_demo_simulator();
  start_messaging();
  // Background jobs: outbox deliveries, the daily protocol registers (the periods missed while no node
  // ran are queued and run at once), housekeeping.
  jobs_->start();
  // Audit chain heads anchored outside the database: now, every audit_anchor_interval_s, and at stop.
  audit_anchors_ = std::make_unique<audit::AnchorJob>(*db_, audit_key_.key(), config_.audit_anchor_file,
                                                      std::chrono::seconds(config_.audit_anchor_interval_s));
  audit_anchors_->start();
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
  audit_anchors_->stop();
  spdlog::info("sportello stopped");
  return 0;
}

}  // namespace sp::app
