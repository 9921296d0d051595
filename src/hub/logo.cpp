#include "hub/logo.hpp"

#include <boost/json.hpp>

#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"

namespace sp::hub {
namespace {

// The name the file store keeps: ours, never the browser's (it would reach the export and the records).
constexpr const char* kFileName = "stemma";

Error on_field(Error e) {
  e.field = "logo";
  return e;
}

}  // namespace

Status LogoService::authorize(const identity::Principal* who, tenants::TenantId tenant) {
  if (identity::authorize(who, identity::Permission::manage_hub, 0)) return Ok{};
  return identity::authorize(who, identity::Permission::manage_staff, tenant);
}

Result<Logo> LogoService::set(const identity::Principal* who, tenants::TenantId tenant,
                              std::string_view bytes) {
  if (auto st = authorize(who, tenant); !st) return st.error();
  if (tenant <= 0) return Error::not_found("body");
  auto picture = files::check_picture(bytes, limits());
  if (!picture) return on_field(picture.error());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Logo> {
    auto stored = files_.put(tx, tenant, kFileName, bytes, files::picture_file_limits(limits()));
    if (!stored) return on_field(stored.error());
    Logo l;
    l.tenant_id = tenant;
    l.file_id = stored->id;
    l.mime_type = picture->mime_type;
    l.width = picture->width;
    l.height = picture->height;
    l.sha256 = stored->sha256;
    l.updated_at = time::format_iso_utc_millis(clock_.now());
    l.updated_by = "staff:" + who->subject;
    store_.set_logo(tx, l);
    const boost::json::object details{{"mime_type", l.mime_type},
                                      {"size", stored->size},
                                      {"width", l.width},
                                      {"height", l.height},
                                      {"sha256", l.sha256}};
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "body.logo_set", "body_logo", l.file_id,
                                                  boost::json::serialize(details)));
    return l;
  });
}

Status LogoService::remove(const identity::Principal* who, tenants::TenantId tenant) {
  if (auto st = authorize(who, tenant); !st) return st;
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto l = store_.logo(tenant);
    if (!l) return Error::make("hub.logo_missing", 404);
    store_.remove_logo(tx, tenant);
    audit_.record_or_throw(tx,
                           identity::entry_by(*who, tenant, "body.logo_removed", "body_logo", l->file_id));
    return Ok{};
  });
}

Result<std::optional<std::pair<Logo, std::string>>> LogoService::content(tenants::TenantId tenant) {
  auto l = store_.logo(tenant);
  if (!l) return std::optional<std::pair<Logo, std::string>>{};
  auto bytes = files_.read_content(tenant, l->file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<std::pair<Logo, std::string>>{};
  return std::optional<std::pair<Logo, std::string>>{std::make_pair(*l, std::move(**bytes))};
}

Result<std::string> LogoService::keep_for_draft(const identity::Principal* who, std::string_view bytes) {
  if (auto st = identity::authorize(who, identity::Permission::manage_hub, 0); !st) return st.error();
  auto picture = files::check_picture(bytes, limits());
  if (!picture) return on_field(picture.error());
  auto stored = files_.put(0, kFileName, bytes, files::picture_file_limits(limits()));
  if (!stored) return on_field(stored.error());
  return stored->id;
}

Status LogoService::adopt(const identity::Principal* who, tenants::TenantId tenant,
                          const std::string& file_id) {
  if (file_id.empty() || store_.logo(tenant)) return Ok{};
  if (auto st = identity::authorize(who, identity::Permission::manage_hub, 0); !st) return st;
  auto bytes = files_.read_content(0, file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return on_field(Error::not_found("logo"));
  auto made = set(who, tenant, **bytes);
  if (!made) return made.error();
  return Ok{};
}

}  // namespace sp::hub
