#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <thread>

#include "app/demo.hpp"
#include "catalog/web.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "tenants/web.hpp"
#include "web/fiscal_api.hpp"

namespace sp::app {
namespace {

void register_language_switch(http::Router& router) {
  router.get("/lang/{lang}", [](http::Request& req) {
    auto lang = req.param("lang");
    if (lang != "it" && lang != "en") lang = "it";
    auto r = http::Response::redirect(identity::SignInService::safe_return_to(req.query_param("next")), 303);
    r.header("Set-Cookie", "lang=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
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
  sessions_ = std::make_unique<identity::SessionService>(*db_, time::system_clock());
  sign_in_ = std::make_unique<identity::SignInService>(*db_, *sessions_, time::system_clock());
  identity_web_ = std::make_unique<identity::WebDeps>(
      identity::WebDeps{*view_, *sessions_, *sign_in_, config_.public_url.rfind("https://", 0) == 0});

  register_language_switch(router_);
  web::register_fiscal_api(router_, i18n_);
  catalog::register_api(router_, *services_);
  identity::register_pages(router_, *identity_web_);
  tenants::register_pages(router_, *services_);
  catalog::register_pages(router_, *services_);
}

App::~App() {
  if (db_) db_->close();
}

http::ServerOptions App::server_options() const {
  http::ServerOptions o;
  o.address = config_.address;
  o.port = config_.port;
  o.threads = config_.threads;
  o.body_limit = static_cast<std::size_t>(config_.body_limit);
  o.upload_body_limit = static_cast<std::size_t>(config_.upload_limit);
  o.request_timeout = std::chrono::milliseconds(config_.request_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(config_.idle_timeout_ms);
  o.static_dir = config_.static_dir;
  o.access_log = config_.access_log;
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
  // The tenant of a page is the first path segment when it names a body.
  if (req.path.size() > 1) {
    auto end = req.path.find('/', 1);
    std::string_view first =
        std::string_view(req.path).substr(1, end == std::string::npos ? std::string::npos : end - 1);
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
    return std::nullopt;
  };
  h.error_page = [this](http::Request& req, int status) {
    if (req.path.rfind("/api/", 0) == 0) {
      auto e =
          status == 404 ? Error::not_found(req.path) : Error::make("http." + std::to_string(status), status);
      boost::json::object body{
          {"error", boost::json::object{{"error", e.code}, {"message", i18n_.message(req.ctx.locale, e)}}}};
      return http::Response::json(boost::json::serialize(body), status);
    }
    return view_->error_page(req, status);
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

int App::serve() {
  http::Server server(server_options(), router_, hooks());
  server.listen();
  server.stop_on_signals();
  spdlog::info("sportello listening on http://{}:{}/ (database {})", config_.address, server.port(),
               config_.database.rfind("sqlite:", 0) == 0 ? config_.database : std::string("postgresql"));
  server.run();
  spdlog::info("sportello stopped");
  return 0;
}

}  // namespace sp::app
