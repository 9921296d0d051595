#pragma once
// What a module's install receives and hands back (docs/architecture.md, "Adding a module").
//
// Every module exposes one entry point in its web-side file `src/<module>/module_web.{hpp,cpp}`:
//
//   std::unique_ptr<Module> install(http::Router&, const web::ModuleDeps&, <the modules it uses>&);
//
// It builds the module's services and page dependencies (owned by the Module it returns), registers
// its pages, API and job kinds, and declares the paths where it accepts uploads. `App::App` calls the
// installs top to bottom; what one install returns is passed to the next that needs it.
//
// ModuleDeps is the platform: what App builds before any module and every module may use. It lives in
// the web layer (sp_web) because only web-side files include it — an install registers routes — so no
// domain target ever sees it (unit_build.layers); the platform's domain pieces are only named here.
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/i18n.hpp"
#include "core/time.hpp"
#include "web/context.hpp"

namespace sp::db {
class Database;
}
namespace sp::audit {
class AuditService;
}
namespace sp::jobs {
class Runner;
}
namespace sp::files {
class FileService;
}

namespace sp::web {

struct ModuleDeps {
  const Config& config;  // public_url, share_dir, demo, the directories
  db::Database& db;
  time::Clock& clock;
  I18n& i18n;
  Services& services;  // view, render cache, tenants, catalog (and what the catalog offers online)
  audit::AuditService& audit;
  jobs::Runner& jobs;           // every background job kind of this node; notify() wakes it
  files::FileService& files;    // the documents' store, shared by every module
  bool secure_cookies = false;  // the public URL is https

  View& view() const { return services.view; }
  tenants::TenantService& tenants() const { return services.tenants; }
  catalog::CatalogService& catalog() const { return services.catalog; }
};

// What every installed module declares to App, besides its own services.
struct Installed {
  // Paths ('*' for one segment) where the module accepts uploads: the server gives them the upload body
  // limit (http::ServerOptions::upload_prefixes).
  std::vector<std::string> upload_prefixes;
};

}  // namespace sp::web
