#include "app/bodies_cli.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "hub/comuni.hpp"

namespace sp::app {

namespace json = boost::json;

namespace {

// FILE's bytes; nullopt (said on `err`) when it cannot be read.
std::optional<std::string> read_file(const std::string& file, std::ostream& err) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "sportello: cannot read " << file << "\n";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int run_bodies_add(App& app, const std::string& file, std::ostream& out, std::ostream& err) {
  auto text = read_file(file, err);
  if (!text) return 2;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !(v.is_object() || v.is_array())) {
    err << "sportello: " << file << ": not a JSON object or array\n";
    return 2;
  }
  json::array single;
  const json::array* items = &single;
  if (v.is_array()) {
    items = &v.as_array();
  } else if (auto* b = v.as_object().if_contains("bodies"); b && b->is_array()) {
    items = &b->as_array();
  } else {
    single.push_back(v);
  }
  std::vector<hub::NewBody> bodies;
  for (const auto& item : *items) {
    if (!item.is_object()) {
      err << "sportello: " << file << ": every body is a JSON object\n";
      return 2;
    }
    bodies.push_back(hub::OnboardingService::from_json(item.as_object()));
  }
  std::vector<hub::BulkError> errors;
  std::vector<hub::Onboarded> done;
  auto made = app.onboarding().add_all(identity::SystemActor{"cli-onboarding"}, bodies, errors, done);
  if (!made) {
    // All or nothing: `done` is empty; the body that was refused or stopped is named.
    for (const auto& m : done)
      out << m.slug << " " << m.tenant_id << " " << app.config().public_url << "/" << m.slug << "/\n";
    I18n i18n;
    i18n.load(app.config().share_dir + "/web/locales");
    for (const auto& e : errors) {
      err << "body " << e.index + 1 << " (" << bodies[e.index].slug
          << "): " << (e.error.field.empty() ? "-" : e.error.field) << ": "
          << i18n.message(app.config().default_locale, e.error) << " [" << e.error.code << "]"
          << (e.draft.empty() ? "" : " draft " + e.draft) << "\n";
    }
    if (errors.empty()) err << "sportello: " << made.error().code << ": " << made.error().detail << "\n";
    return 1;
  }
  for (const auto& m : *made)
    out << m.slug << " " << m.tenant_id << " " << app.config().public_url << "/" << m.slug << "/\n";
  return 0;
}

int run_bodies_api_key(App& app, const std::string& name, std::ostream& out, std::ostream& err) {
  identity::Principal operator_;
  operator_.kind = identity::PrincipalKind::staff;
  operator_.subject = "cli";
  operator_.tenant_id = 0;
  operator_.roles = {identity::Role::hub_admin};
  auto key = app.api_keys().create(&operator_, 0, name, {"hub:write"});
  if (!key) {
    err << "sportello: " << key.error().code << ": " << key.error().detail << "\n";
    return 1;
  }
  out << key->secret << "\n";
  return 0;
}

int run_comuni_import(App& app, const std::string& file, const std::string& as_of, std::ostream& out,
                      std::ostream& err) {
  auto text = read_file(file, err);
  if (!text) return 2;
  hub::ComuniList list(app.database(), time::system_clock());
  auto n = list.import(*text, as_of);
  if (!n) {
    err << "sportello: " << file << ": " << n.error().code << ": " << n.error().detail << "\n";
    return 1;
  }
  out << *n << " comuni, list of " << as_of << "\n";
  return 0;
}

}  // namespace sp::app
