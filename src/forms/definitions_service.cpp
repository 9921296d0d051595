#include "forms/definitions_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/digest.hpp"
#include "core/text.hpp"
#include "forms/loader.hpp"
#include "forms/overlay.hpp"
#include "identity/permissions.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace definitions_detail {

// Thrown inside a write transaction to roll it back with a domain error.
struct Rollback {
  Error error;
};

constexpr std::size_t kMaxOverlayBytes = 1024 * 1024;
constexpr std::size_t kMaxStreetBytes = 200;

Result<std::string> read_file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::make("forms.file", 500, file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A stored hub version as a Definition whose `version` is the stored number (the file may say less).
std::shared_ptr<const Definition> parse_stored(const HubVersion& h) {
  boost::system::error_code ec;
  json::value v = json::parse(h.json, ec);
  if (ec || !v.is_object()) {
    spdlog::error("form_definitions {} v{}: not JSON", h.code, h.version);
    return nullptr;
  }
  v.get_object()["version"] = h.version;
  auto d = parse_definition(v);
  if (!d) {
    spdlog::error("form_definitions {} v{}: {}", h.code, h.version, d.error().detail);
    return nullptr;
  }
  return std::make_shared<const Definition>(std::move(*d));
}

Author author_of(const identity::Principal& who) {
  return {who.subject, who.display_name.empty() ? who.subject : who.display_name};
}

}  // namespace definitions_detail

namespace dd = definitions_detail;

DefinitionsService::DefinitionsService(db::Database& db, time::Clock& clock) : db_(db), clock_(clock) {}

std::string DefinitionsService::now_iso() const {
  return time::format_iso_utc(clock_.now());
}

Result<LoadReport> DefinitionsService::load_dir(const std::filesystem::path& dir) {
  // Every file is checked first: one broken definition stops the start, before anything is stored.
  auto all = load_definitions_dir(dir);
  if (!all) return all.error();
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  if (ec) return Error::make("forms.file", 500, dir.string());
  std::sort(files.begin(), files.end());
  LoadReport report;
  for (const auto& file : files) {
    auto text = dd::read_file_text(file);
    if (!text) return text.error();
    auto def = parse_definition_text(*text);
    if (!def) return def.error();
    HubVersion h;
    h.code = def->code;
    h.file_version = def->version;
    h.json = *text;
    h.sha256 = digest::sha256_hex(*text);
    ++report.files;
    // Two nodes starting at once may both try: the loser's insert fails and it looks again.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool stored = false;
      try {
        db_.write([&](db::Conn& tx) {
          auto newest = DefinitionStore::newest_hub(tx, h.code);
          if (newest && newest->sha256 == h.sha256) return;
          h.version = std::max(newest ? newest->version + 1 : 1, h.file_version);
          h.loaded_at = now_iso();
          DefinitionStore::insert_hub(tx, h);
          stored = true;
        });
      } catch (const db::DbError& e) {
        if (e.kind != db::DbError::Kind::unique_violation || attempt == 1) throw;
        continue;
      }
      if (stored) report.new_versions.push_back(h.code + " v" + std::to_string(h.version));
      break;
    }
  }
  return report;
}

std::vector<std::string> DefinitionsService::codes() {
  std::vector<std::string> out;
  db_.read([&](db::Conn& c) { out = DefinitionStore::hub_codes(c); });
  return out;
}

std::shared_ptr<const Definition> DefinitionsService::hub_version(const std::string& code, int version) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = hubs_.find({code, version}); it != hubs_.end()) return it->second;
  }
  std::optional<HubVersion> row;
  db_.read([&](db::Conn& c) { row = DefinitionStore::hub(c, code, version); });
  if (!row) return nullptr;
  auto def = dd::parse_stored(*row);
  if (!def) return nullptr;
  std::lock_guard lock(mutex_);
  return hubs_.emplace(std::make_pair(code, version), def).first->second;
}

std::shared_ptr<const Definition> DefinitionsService::hub(const std::string& code) {
  InForce f;
  db_.read([&](db::Conn& c) { f = DefinitionStore::in_force(c, 0, code); });
  return f.hub_version ? hub_version(code, f.hub_version) : nullptr;
}

std::shared_ptr<const std::vector<std::string>> DefinitionsService::streets_at(tenants::TenantId tenant,
                                                                               std::int64_t revision) {
  static const auto kNone = std::make_shared<const std::vector<std::string>>();
  if (revision == 0) return kNone;
  {
    std::lock_guard lock(mutex_);
    if (auto it = streets_.find(tenant); it != streets_.end() && it->second.first == revision)
      return it->second.second;
  }
  std::vector<Street> rows;
  std::int64_t read_revision = 0;
  db_.read([&](db::Conn& c) {
    read_revision = DefinitionStore::street_info(c, tenant).revision;
    rows = DefinitionStore::streets(c, tenant);
  });
  auto names = std::make_shared<std::vector<std::string>>();
  names->reserve(rows.size());
  for (auto& s : rows) names->push_back(std::move(s.name));
  std::shared_ptr<const std::vector<std::string>> out = std::move(names);
  std::lock_guard lock(mutex_);
  streets_[tenant] = {read_revision, out};
  return out;
}

Result<Effective> DefinitionsService::effective(tenants::TenantId tenant, const std::string& code) {
  InForce f;
  db_.read([&](db::Conn& c) { f = DefinitionStore::in_force(c, tenant, code); });
  if (f.hub_version == 0) return Error::make("forms.unknown", 404, code);
  auto streets = streets_at(tenant, f.streets_revision);
  const auto key = std::make_tuple(tenant, code, f.hub_version, f.overlay_version);
  {
    std::lock_guard lock(mutex_);
    if (auto it = effective_.find(key); it != effective_.end()) {
      Effective e = it->second;
      e.streets = streets;
      return e;
    }
  }
  Effective e;
  e.hub = hub_version(code, f.hub_version);
  if (!e.hub) return Error::internal("form definition " + code);
  e.def = e.hub;
  e.hub_version = f.hub_version;
  e.stored_overlay_version = f.overlay_version;
  if (f.overlay_version > 0) {
    std::optional<OverlayVersion> o;
    db_.read([&](db::Conn& c) { o = DefinitionStore::overlay(c, tenant, code, f.overlay_version); });
    if (o) {
      auto merged = apply_overlay(*e.hub, o->overlay);
      if (merged) {
        e.def = std::make_shared<const Definition>(std::move(*merged));
        e.overlay_version = o->version;
        e.overlay = o->overlay;
      } else {
        // The hub changed under the body's overlay (a field it names went away): the hub's definition
        // serves meanwhile, and the administrator's page says what to fix.
        spdlog::warn("overlay {} v{} of body {} does not apply to hub v{}: {}", code, o->version, tenant,
                     f.hub_version, merged.error().detail);
        e.stale = merged.error();
      }
    }
  }
  std::lock_guard lock(mutex_);
  // Older versions of this body's form are not needed any more (at() reads them back when asked).
  for (auto it = effective_.begin(); it != effective_.end();) {
    if (std::get<0>(it->first) == tenant && std::get<1>(it->first) == code && it->first != key)
      it = effective_.erase(it);
    else
      ++it;
  }
  effective_[key] = e;
  e.streets = streets;
  return e;
}

std::shared_ptr<const Definition> DefinitionsService::at(tenants::TenantId tenant, const std::string& code,
                                                         int hub_version_number, int overlay_version) {
  auto hub = hub_version(code, hub_version_number);
  if (!hub || overlay_version == 0) return hub;
  const auto key = std::make_tuple(tenant, code, hub_version_number, overlay_version);
  {
    std::lock_guard lock(mutex_);
    if (auto it = effective_.find(key);
        it != effective_.end() && it->second.overlay_version == overlay_version)
      return it->second.def;
  }
  std::optional<OverlayVersion> o;
  db_.read([&](db::Conn& c) { o = DefinitionStore::overlay(c, tenant, code, overlay_version); });
  if (!o) return nullptr;
  auto merged = apply_overlay(*hub, o->overlay);
  if (!merged) return nullptr;
  return std::make_shared<const Definition>(std::move(*merged));
}

Result<OverlayVersion> DefinitionsService::save_as(const Author& author, tenants::TenantId tenant,
                                                   const std::string& code, json::object overlay,
                                                   int expected, std::optional<int> restored_from) {
  auto hub_def = hub(code);
  if (!hub_def) return Error::make("forms.unknown", 404, code);
  if (!overlay.contains("code")) overlay["code"] = code;
  overlay["base_version"] = hub_def->version;
  if (json::serialize(overlay).size() > dd::kMaxOverlayBytes)
    return Error::make("forms.overlay", 400, "the customisation is larger than 1 MB");
  if (auto checked = apply_overlay(*hub_def, overlay); !checked) return checked.error();
  OverlayVersion v;
  v.tenant_id = tenant;
  v.form_code = code;
  v.base_version = hub_def->version;
  v.overlay = std::move(overlay);
  v.saved_by = author.id;
  v.saved_by_name = author.name;
  v.saved_at = now_iso();
  v.restored_from = restored_from;
  try {
    db_.write([&](db::Conn& tx) {
      const InForce f = DefinitionStore::in_force(tx, tenant, code);
      if (expected >= 0 && f.overlay_version != expected)
        throw dd::Rollback{Error::make("forms.overlay_stale", 409, std::to_string(f.overlay_version))};
      v.version = f.overlay_version + 1;
      DefinitionStore::insert_overlay(tx, v);
    });
  } catch (const dd::Rollback& r) {
    return r.error;
  } catch (const db::DbError& e) {
    // Two saves at once: the second one sees the first as a newer version.
    if (e.kind != db::DbError::Kind::unique_violation) throw;
    return Error::make("forms.overlay_stale", 409, code);
  }
  std::lock_guard lock(mutex_);
  for (auto it = effective_.begin(); it != effective_.end();) {
    if (std::get<0>(it->first) == tenant && std::get<1>(it->first) == code)
      it = effective_.erase(it);
    else
      ++it;
  }
  return v;
}

Result<OverlayVersion> DefinitionsService::save_overlay(const identity::Principal* who,
                                                        tenants::TenantId tenant, const std::string& code,
                                                        json::object overlay, int expected) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  return save_as(dd::author_of(*who), tenant, code, std::move(overlay), std::max(expected, 0));
}

Result<OverlayVersion> DefinitionsService::save_edited(const identity::Principal* who,
                                                       tenants::TenantId tenant, const std::string& code,
                                                       const json::object& edited, int expected) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  auto hub_def = hub(code);
  if (!hub_def) return Error::make("forms.unknown", 404, code);
  auto overlay = derive_overlay(*hub_def, edited);
  if (!overlay) return overlay.error();
  return save_as(dd::author_of(*who), tenant, code, std::move(*overlay), std::max(expected, 0));
}

Result<OverlayVersion> DefinitionsService::restore(const identity::Principal* who, tenants::TenantId tenant,
                                                   const std::string& code, int version, int expected) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  std::optional<OverlayVersion> old;
  db_.read([&](db::Conn& c) { old = DefinitionStore::overlay(c, tenant, code, version); });
  if (!old) return Error::not_found("overlay version");
  return save_as(dd::author_of(*who), tenant, code, std::move(old->overlay), std::max(expected, 0), version);
}

Result<std::vector<OverlayVersion>> DefinitionsService::history(const identity::Principal* who,
                                                                tenants::TenantId tenant,
                                                                const std::string& code) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<OverlayVersion> out;
  db_.read([&](db::Conn& c) { out = DefinitionStore::overlays(c, tenant, code); });
  return out;
}

Result<std::map<std::string, int>> DefinitionsService::overlay_versions(const identity::Principal* who,
                                                                        tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::map<std::string, int> out;
  db_.read([&](db::Conn& c) {
    for (auto& [code, v] : DefinitionStore::newest_overlays(c, tenant)) out[code] = v;
  });
  return out;
}

Result<StreetListInfo> DefinitionsService::street_info(const identity::Principal* who,
                                                       tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  StreetListInfo i;
  db_.read([&](db::Conn& c) { i = DefinitionStore::street_info(c, tenant); });
  return i;
}

Result<std::vector<Street>> DefinitionsService::street_list(const identity::Principal* who,
                                                            tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<Street> out;
  db_.read([&](db::Conn& c) { out = DefinitionStore::streets(c, tenant); });
  return out;
}

Result<std::vector<Street>> DefinitionsService::parse_streets(std::string_view text_in) {
  std::vector<Street> out;
  std::set<std::string> seen;
  const auto lines = text::split_lines(text_in);
  if (lines.size() > kMaxStreets) return Error::make("forms.streets", 400, std::to_string(kMaxStreets + 1));
  auto unquote = [](std::string s) {
    s = text::trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = text::trim(s.substr(1, s.size() - 2));
    return s;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    Street s;
    auto semi = line.find(';');
    if (semi == std::string::npos) {
      s.name = unquote(line);
    } else {
      s.code = unquote(line.substr(0, semi));
      s.name = unquote(line.substr(semi + 1));
    }
    if (i == 0 && semi != std::string::npos) {  // a CSV header
      const std::string h = text::fold(line);
      if (h == "codice nome" || h == "code name" || h == "codice denominazione") continue;
    }
    if (s.name.empty() || s.name.size() > dd::kMaxStreetBytes || s.code.size() > 50)
      return Error::make("forms.streets", 400, std::to_string(i + 1));
    if (!seen.insert(text::fold(s.name)).second) continue;  // the same street twice: once
    out.push_back(std::move(s));
  }
  return out;
}

Result<int> DefinitionsService::import_streets_as(const Author& author, tenants::TenantId tenant,
                                                  std::string_view text_in) {
  auto streets = parse_streets(text_in);
  if (!streets) return streets.error();
  db_.write([&](db::Conn& tx) {
    DefinitionStore::replace_streets(tx, tenant, *streets, author.id, author.name, now_iso());
  });
  return static_cast<int>(streets->size());
}

bool DefinitionsService::has_streets(tenants::TenantId tenant) {
  std::int64_t revision = 0;
  db_.read([&](db::Conn& c) { revision = DefinitionStore::street_info(c, tenant).revision; });
  return revision > 0;
}

Result<int> DefinitionsService::import_streets(const identity::Principal* who, tenants::TenantId tenant,
                                               std::string_view text_in) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  return import_streets_as(dd::author_of(*who), tenant, text_in);
}

}  // namespace sp::forms
