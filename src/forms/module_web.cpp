#include "forms/module_web.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>

namespace sp::forms {

std::unique_ptr<Module> install(const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->definitions = std::make_unique<DefinitionsService>(d.db, d.clock);
  auto loaded = m->definitions->load_dir(d.config.share_dir + "/data/forms");
  if (!loaded) throw std::runtime_error("form definitions: " + loaded.error().detail);
  for (const auto& v : loaded->new_versions) spdlog::info("stored form definition {}", v);
  // What the catalog pages may offer online: the services the hub has a form for.
  std::set<std::string, std::less<>> online;
  for (auto& code : m->definitions->codes()) online.insert(std::move(code));
  d.services.online_form = [online = std::move(online)](std::string_view code) {
    return online.count(code) > 0;
  };
  return m;
}

}  // namespace sp::forms
