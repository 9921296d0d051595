#include "body_pages/service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "body_pages/store.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"

namespace sp::body_pages {
namespace {

Error field_error(const std::string& code, std::string_view field, int status = 400) {
  return Error::for_field("body_pages." + code, std::string(field), status);
}

bool has_control(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

bool plausible_email(std::string_view e) {
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = e.substr(at + 1);
  return domain.size() >= 3 && domain.find('.') != std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.' && e.find_first_of(" ,;<>\"") == std::string_view::npos;
}

bool plausible_phone(std::string_view p) {
  const auto digits = std::count_if(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits >= 6 && std::all_of(p.begin(), p.end(), [](char c) {
           return (c >= '0' && c <= '9') || std::string_view(" +-/().").find(c) != std::string_view::npos;
         });
}

BodyInfo from_row(const store::Row& row) {
  BodyInfo info;
  info.version = row.version;
  info.saved_at = row.saved_at;
  boost::system::error_code ec;
  auto v = boost::json::parse(row.fields_json, ec);
  if (ec || !v.is_object()) return info;
  for (const auto& [k, val] : v.as_object())
    if (val.is_string()) info.fields.emplace(std::string(k), std::string(val.as_string()));
  return info;
}

}  // namespace

Result<Fields> BodyPagesService::clean(const Fields& in) {
  Fields out;
  for (const auto& spec : kFields) {
    auto it = in.find(spec.name);
    if (it == in.end()) continue;
    const std::string value =
        spec.kind == FieldKind::paragraphs ? std::string(it->second) : text::trim(it->second);
    if (value.size() > spec.max_length) return field_error("too_long", spec.name);
    if (has_control(value, spec.kind == FieldKind::paragraphs)) return field_error("text", spec.name);
    if (!value.empty()) {
      if (spec.kind == FieldKind::email && !plausible_email(value)) return field_error("email", spec.name);
      if (spec.kind == FieldKind::phone && !plausible_phone(value)) return field_error("phone", spec.name);
      if (spec.kind == FieldKind::https_url && (value.rfind("https://", 0) != 0 || value.size() < 12 ||
                                                value.find_first_of(" \"'<>") != std::string::npos))
        return field_error("url", spec.name);
    }
    const std::string kept = spec.kind == FieldKind::paragraphs ? text::trim(value) : value;
    if (!kept.empty()) out.emplace(std::string(spec.name), kept);
  }
  return out;
}

BodyInfo BodyPagesService::info(tenants::TenantId tenant) {
  std::optional<store::Row> row;
  db_.read([&](db::Conn& c) { row = store::latest(c, tenant); });
  return row ? from_row(*row) : BodyInfo{};
}

Result<BodyInfo> BodyPagesService::save(const identity::Principal* who, tenants::TenantId tenant,
                                        const Fields& fields) {
  if (auto st = identity::authorize(who, identity::Permission::manage_staff, tenant); !st) return st.error();
  auto cleaned = clean(fields);
  if (!cleaned) return cleaned.error();
  boost::json::object o;
  for (const auto& [k, v] : *cleaned) o[k] = v;
  const std::string json = boost::json::serialize(o);
  const std::string now = time::format_iso_utc(clock_.now());
  std::int64_t version = 0;
  try {
    db_.write([&](db::Conn& tx) {
      version = store::insert_next(tx, tenant, json, who->subject, now);
      audit::Entry e;
      e.tenant_id = tenant;
      e.actor_kind = who->is_staff() ? audit::ActorKind::staff : audit::ActorKind::system;
      e.actor_id = who->subject;
      e.channel = audit::Channel::web;
      e.action = "body_pages.update";
      e.record_type = "body_pages";
      e.record_id = std::to_string(version);
      audit_.record_or_throw(tx, e);
    });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation) return Error::make("body_pages.conflict", 409);
    throw;
  }
  return from_row(store::Row{version, json, who->subject, now});
}

}  // namespace sp::body_pages
