#include "tourism/service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "core/ids.hpp"
#include "core/text.hpp"
#include "files/picture.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "tourism/store.hpp"

namespace sp::tourism {
namespace {

namespace json = boost::json;

Error field_error(std::string code, std::string field, std::string detail = {}) {
  return Error::for_field(std::move(code), std::move(field), 400, std::move(detail));
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

bool has_control(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

// A trimmed text field no longer than `max` characters, without control characters (new lines allowed
// in paragraphs).
Result<std::string> text_field(const std::string& value, const char* field, std::size_t max,
                               bool paragraphs) {
  std::string v = text::trim(value);
  if (utf8_length(v) > max || has_control(v, paragraphs))
    return field_error("tourism.text", field, std::to_string(max));
  return v;
}

std::optional<double> parse_coordinate(const std::string& s) {
  std::string t = text::trim(s);
  std::replace(t.begin(), t.end(), ',', '.');  // "44,9" as Italians type it
  double v = 0;
  const auto* end = t.data() + t.size();
  auto [p, ec] = std::from_chars(t.data(), end, v);
  if (ec != std::errc() || p != end || t.empty()) return std::nullopt;
  return v;
}

bool origin_host_ok(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.' || host.front() == '-')
    return false;
  if (host.find("..") != std::string_view::npos) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
  });
}

}  // namespace

Result<Item> TourismService::clean(const ItemForm& f) {
  Item i;
  auto kind = parse_kind(f.kind);
  if (!kind) return field_error("tourism.kind", "kind");
  i.kind = *kind;
  auto name = text_field(f.name, "name", 200, false);
  if (!name) return name.error();
  if (name->empty()) return field_error("tourism.name", "name");
  i.name = *name;
  auto it = text_field(f.description_it, "description_it", 5000, true);
  if (!it) return it.error();
  if (it->empty()) return field_error("tourism.description", "description_it");
  i.description_it = *it;
  auto en = text_field(f.description_en, "description_en", 5000, true);
  if (!en) return en.error();
  i.description_en = *en;
  if (!known_category(f.category)) return field_error("tourism.category", "category");
  i.category = f.category;
  auto address = text_field(f.address, "address", 300, false);
  if (!address) return address.error();
  i.address = *address;
  auto hours = text_field(f.opening_hours, "opening_hours", 1000, true);
  if (!hours) return hours.error();
  i.opening_hours = *hours;
  auto alt = text_field(f.image_alt, "image_alt", 300, false);
  if (!alt) return alt.error();
  i.image_alt = *alt;
  const bool has_lat = !text::trim(f.latitude).empty(), has_lon = !text::trim(f.longitude).empty();
  if (has_lat || has_lon) {
    auto lat = parse_coordinate(f.latitude), lon = parse_coordinate(f.longitude);
    if (!lat || *lat < -90 || *lat > 90) return field_error("tourism.coordinates", "latitude");
    if (!lon || *lon < -180 || *lon > 180) return field_error("tourism.coordinates", "longitude");
    i.latitude = lat;
    i.longitude = lon;
  }
  if (i.kind == Kind::event) {
    auto from = time::parse_iso_date(text::trim(f.starts_on));
    if (!from) return field_error("tourism.dates", "starts_on");
    i.starts_on = time::format_iso_date(*from);
    if (text::trim(f.ends_on).empty()) {
      i.ends_on = i.starts_on;
    } else {
      auto to = time::parse_iso_date(text::trim(f.ends_on));
      if (!to || std::chrono::sys_days(*to) < std::chrono::sys_days(*from))
        return field_error("tourism.dates", "ends_on");
      i.ends_on = time::format_iso_date(*to);
    }
  }
  return i;
}

Result<std::vector<std::string>> TourismService::parse_origins(std::string_view text) {
  std::vector<std::string> out;
  std::string token;
  auto take = [&]() -> Status {
    if (token.empty()) return Ok{};
    std::string o = text::to_lower_ascii(token);
    token.clear();
    while (!o.empty() && o.back() == '/') o.pop_back();  // "https://www.comune.asti.it/" as copied
    std::string_view rest;
    bool https = false;
    if (o.rfind("https://", 0) == 0) {
      rest = std::string_view(o).substr(8);
      https = true;
    } else if (o.rfind("http://", 0) == 0) {
      rest = std::string_view(o).substr(7);
    } else {
      return Error::for_field("tourism.origin", "widget_origins", 400, o);
    }
    std::string_view host = rest, port;
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      const bool digits = !port.empty() && port.size() <= 5 &&
                          std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)
        return Error::for_field("tourism.origin", "widget_origins", 400, o);
    }
    if (!origin_host_ok(host)) return Error::for_field("tourism.origin", "widget_origins", 400, o);
    const bool local = host == "localhost" || host == "127.0.0.1";
    if (!https && !local) return Error::for_field("tourism.origin", "widget_origins", 400, o);
    if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
    return Ok{};
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t' || c == ';') {
      if (auto st = take(); !st) return st.error();
    } else {
      token += c;
    }
  }
  if (auto st = take(); !st) return st.error();
  if (out.size() > 20) return Error::for_field("tourism.origin", "widget_origins", 400, out[20]);
  return out;
}

Status TourismService::editor(const identity::Principal* who) const {
  return identity::authorize(who, identity::Permission::review_tourism, 0);
}

Result<Item> TourismService::save(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                                  const ItemForm& form, std::int64_t expected_version) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  auto cleaned = clean(form);
  if (!cleaned) return cleaned.error();
  const std::string now = time::format_iso_utc(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Item> {
    Item item = std::move(*cleaned);
    item.tenant_id = tenant;
    item.updated_at = now;
    State from = State::draft;
    std::optional<Item> current;
    if (!id.empty()) {
      current = store::find_item(tx, tenant, id);
      if (!current) return Error::not_found("tourism_item");
      from = current->state;
      if (!next_state(from, Action::save))
        return Error::make("tourism.state", 409, std::string(to_string(from)));
      if (current->version != expected_version) return Error::make("tourism.conflict", 409);
      item.image_file_id = form.remove_image ? std::string() : current->image_file_id;
    }
    if (!form.image_bytes.empty()) {
      if (files_ == nullptr) return field_error("files.type_not_allowed", "image");
      files::PictureLimits limits;
      limits.max_size = kMaxImageBytes;
      if (auto picture = files::check_picture(form.image_bytes, limits); !picture) {
        Error e = picture.error();
        e.field = "image";
        return e;
      }
      // The browser's file name is not kept (it would reach pages and feeds): a name of our own.
      auto stored = files_->put(tx, tenant, "immagine", form.image_bytes, files::picture_file_limits(limits));
      if (!stored) {
        Error e = stored.error();
        e.field = "image";
        return e;
      }
      item.image_file_id = stored->id;
    }
    if (!item.image_file_id.empty() && item.image_alt.empty())
      return field_error("tourism.image_alt", "image_alt");
    if (!current) {
      item.id = ids::uuid_v7();
      item.state = State::draft;
      item.created_by = who->subject;
      item.created_at = now;
      store::insert_item(tx, item);
    } else {
      item.id = current->id;
      item.state = *next_state(from, Action::save);
      item.created_by = current->created_by;
      item.created_at = current->created_at;
      item.published_at = current->published_at;
      if (!store::update_item(tx, item, expected_version)) return Error::make("tourism.conflict", 409);
      item.version = expected_version + 1;
    }
    store::append_history(tx, item, Action::save, from, who->subject, now, "");
    json::object d{{"kind", std::string(to_string(item.kind))}, {"name", item.name}};
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "tourism.save", "tourism_item", item.id, json::serialize(d)));
    return item;
  });
}

Status TourismService::step(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                            std::int64_t expected_version, Action action, const std::string& reason) {
  const std::string now = time::format_iso_utc(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto item = store::find_item(tx, tenant, id);
    if (!item) return Error::not_found("tourism_item");
    const State from = item->state;
    auto next = next_state(from, action);
    if (!next) return Error::make("tourism.state", 409, std::string(to_string(from)));
    if (item->version != expected_version) return Error::make("tourism.conflict", 409);
    item->state = *next;
    item->updated_at = now;
    if (action == Action::publish) item->published_at = now;
    if (!store::update_item(tx, *item, expected_version)) return Error::make("tourism.conflict", 409);
    store::append_history(tx, *item, action, from, who->subject, now, reason);
    json::object d{{"from", std::string(to_string(from))}, {"to", std::string(to_string(*next))}};
    if (!reason.empty()) d["reason"] = reason;
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "tourism." + std::string(to_string(action)),
                                                  "tourism_item", id, json::serialize(d)));
    return Ok{};
  });
}

Status TourismService::submit(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                              std::int64_t expected_version) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st;
  return step(who, tenant, id, expected_version, Action::submit, "");
}

Status TourismService::publish(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                               std::int64_t expected_version) {
  if (auto st = editor(who); !st) return st;
  return step(who, tenant, id, expected_version, Action::publish, "");
}

Status TourismService::send_back(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                                 std::int64_t expected_version, const std::string& reason) {
  if (auto st = editor(who); !st) return st;
  auto r = text_field(reason, "reason", 2000, true);
  if (!r) return r.error();
  if (r->empty()) return field_error("tourism.reason", "reason");
  return step(who, tenant, id, expected_version, Action::send_back, *r);
}

Result<std::vector<Item>> TourismService::body_items(const identity::Principal* who, std::int64_t tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<Item> out;
  db_.read([&](db::Conn& c) { out = store::body_items(c, tenant); });
  return out;
}

Result<std::vector<Item>> TourismService::review_queue(const identity::Principal* who) {
  if (auto st = editor(who); !st) return st.error();
  std::vector<Item> out;
  db_.read([&](db::Conn& c) { out = store::submitted_items(c); });
  return out;
}

Result<Item> TourismService::item(const identity::Principal* who, std::int64_t tenant,
                                  const std::string& id) {
  if (!editor(who)) {
    if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  }
  std::optional<Item> out;
  db_.read([&](db::Conn& c) { out = store::find_item(c, tenant, id); });
  if (!out) return Error::not_found("tourism_item");
  return *out;
}

Result<std::vector<HistoryEntry>> TourismService::history(const identity::Principal* who, std::int64_t tenant,
                                                          const std::string& id) {
  if (auto it = item(who, tenant, id); !it) return it.error();
  std::vector<HistoryEntry> out;
  db_.read([&](db::Conn& c) { out = store::history(c, tenant, id); });
  return out;
}

Result<Image> TourismService::image(const identity::Principal* who, std::int64_t tenant,
                                    const std::string& id, const std::string& file_id) {
  std::optional<Item> found;
  if (who == nullptr) {
    found = published_item(tenant, id);
  } else {
    auto it = item(who, tenant, id);
    if (!it) return it.error();
    found = *it;
  }
  if (!found || found->image_file_id.empty() || found->image_file_id != file_id || files_ == nullptr)
    return Error::not_found("image");
  auto f = files_->get(tenant, file_id);
  auto bytes = files_->read_content(tenant, file_id);
  if (!bytes) return bytes.error();
  if (!f || !*bytes) return Error::not_found("image");
  return Image{std::move(**bytes), f->mime_type};
}

std::vector<Item> TourismService::published(const PublicQuery& q) {
  std::vector<Item> out;
  db_.read([&](db::Conn& c) { out = store::published_items(c, q); });
  return out;
}

std::optional<Item> TourismService::published_item(std::int64_t tenant, const std::string& id) {
  std::optional<Item> out;
  db_.read([&](db::Conn& c) { out = store::find_item(c, tenant, id); });
  if (out && out->state != State::published) return std::nullopt;
  return out;
}

std::vector<std::string> TourismService::widget_origins(std::int64_t tenant) {
  std::string text;
  db_.read([&](db::Conn& c) { text = store::widget_origins(c, tenant); });
  auto parsed = parse_origins(text);
  return parsed ? *parsed : std::vector<std::string>{};
}

Result<std::vector<std::string>> TourismService::set_widget_origins(const identity::Principal* who,
                                                                    std::int64_t tenant,
                                                                    const std::string& text) {
  if (auto st = identity::authorize(who, identity::Permission::manage_staff, tenant); !st) return st.error();
  auto origins = parse_origins(text);
  if (!origins) return origins.error();
  const std::string joined = text::join(*origins, " ");
  const std::string now = time::format_iso_utc(clock_.now());
  db_.write([&](db::Conn& tx) {
    store::set_widget_origins(tx, tenant, joined, now, who->subject);
    json::object d{{"origins", joined}};
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "tourism.widget_origins", "tourism_settings",
                                                  std::to_string(tenant), json::serialize(d)));
  });
  return origins;
}

}  // namespace sp::tourism
