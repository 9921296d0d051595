#include "identity/session_service.hpp"

#include <boost/json.hpp>

#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace sp::identity {
namespace {

namespace json = boost::json;

std::string roles_text(const std::set<Role>& roles) {
  std::vector<std::string> names;
  for (auto r : roles) names.emplace_back(to_string(r));
  return text::join(names, ",");
}

std::set<Role> parse_roles(const std::string& text) {
  std::set<Role> roles;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (auto r = parse_role(std::string_view(text).substr(start, end - start))) roles.insert(*r);
    start = end + 1;
  }
  return roles;
}

std::string str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

void read_data(const std::string& data, Principal& p) {
  boost::system::error_code ec;
  auto v = json::parse(data, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.as_object();
  if (auto it = o.find("acting_for"); it != o.end() && it->value().is_object()) {
    const auto& a = it->value().as_object();
    p.acting_for = Represented{str(a, "kind"), str(a, "id"), str(a, "name")};
  }
  if (auto it = o.find("assisting"); it != o.end() && it->value().is_object()) {
    const auto& a = it->value().as_object();
    p.assisting = AssistedCitizen{str(a, "fiscal_code"), str(a, "name"), str(a, "document_type"),
                                  str(a, "document_number")};
  }
}

std::string write_data(const Principal& p) {
  json::object o;
  if (p.acting_for) {
    o["acting_for"] =
        json::object{{"kind", p.acting_for->kind}, {"id", p.acting_for->id}, {"name", p.acting_for->name}};
  }
  if (p.assisting) {
    o["assisting"] = json::object{{"fiscal_code", p.assisting->fiscal_code},
                                  {"name", p.assisting->name},
                                  {"document_type", p.assisting->document_type},
                                  {"document_number", p.assisting->document_number}};
  }
  return json::serialize(o);
}

}  // namespace

std::string SessionService::hash_token(std::string_view token) {
  return digest::sha256_hex(token);
}

IssuedSession SessionService::start(db::Conn& tx, const NewSession& s, std::string_view previous_token) {
  const auto now = clock_.now();
  const auto now_iso = time::format_iso_utc(now);
  if (!previous_token.empty()) {
    if (auto old = store_.by_token_hash(hash_token(previous_token))) store_.revoke(tx, old->id, now_iso);
  }
  IssuedSession issued{ids::random_token(32), ids::random_token(12), ids::random_token(24)};
  SessionRow row;
  row.id = issued.id;
  row.token_hash = hash_token(issued.token);
  row.kind = s.kind;
  row.subject = s.subject;
  row.tenant_id = s.tenant_id;
  row.roles = roles_text(s.roles);
  row.auth_level = s.auth_level;
  row.display_name = s.display_name;
  row.csrf_token = issued.csrf_token;
  row.created_at = now_iso;
  row.last_seen_at = now_iso;
  row.expires_at = time::format_iso_utc(now + policy_.absolute);
  store_.insert(tx, row);
  return issued;
}

IssuedSession SessionService::start(const NewSession& s, std::string_view previous_token) {
  IssuedSession issued;
  db_.write([&](db::Conn& tx) { issued = start(tx, s, previous_token); });
  return issued;
}

std::shared_ptr<const Principal> SessionService::resume(std::string_view token) {
  // Tokens are 43 URL-safe characters; anything else cannot be one of ours (and is not worth a query).
  if (token.size() < 32 || token.size() > 64) return nullptr;
  auto row = store_.by_token_hash(hash_token(token));
  if (!row || row->revoked_at) return nullptr;
  const auto now = clock_.now();
  const auto now_iso = time::format_iso_utc(now);
  if (row->expires_at <= now_iso) return nullptr;
  auto last_seen = time::parse_iso_utc(row->last_seen_at);
  if (!last_seen || now - *last_seen > policy_.idle) return nullptr;
  if (now - *last_seen >= policy_.touch_every) store_.touch(row->id, now_iso);

  auto p = std::make_shared<Principal>();
  p->kind = row->kind;
  p->subject = row->subject;
  p->display_name = row->display_name;
  p->tenant_id = row->tenant_id;
  p->roles = parse_roles(row->roles);
  p->auth_level = row->auth_level;
  p->session_id = row->id;
  p->csrf_token = row->csrf_token;
  read_data(row->data, *p);
  if (p->acting_for && p->kind == PrincipalKind::person && acting_for_check_ &&
      !acting_for_check_(p->subject, *p->acting_for)) {
    // The delegation was revoked, withdrawn or has lapsed since the session chose it: this request, and
    // the session from now on, act for the person themself. Only if nobody changed the session meanwhile.
    p->acting_for.reset();
    const auto data = write_data(*p);
    db_.write([&](db::Conn& tx) { store_.replace_data(tx, row->id, row->data, data); });
  }
  return p;
}

std::int64_t SessionService::end_acting_for(db::Conn& tx, const std::string& subject, const std::string& kind,
                                            const std::string& id) {
  std::int64_t n = 0;
  for (const auto& row :
       store_.active_for_subject(tx, PrincipalKind::person, subject, time::format_iso_utc(clock_.now()))) {
    Principal p;
    read_data(row.data, p);
    if (!p.acting_for || p.acting_for->kind != kind || p.acting_for->id != id) continue;
    p.acting_for.reset();
    store_.update_data(tx, row.id, write_data(p));
    ++n;
  }
  return n;
}

std::int64_t SessionService::end(std::string_view token) {
  auto row = store_.by_token_hash(hash_token(token));
  if (!row) return 0;
  std::int64_t n = 0;
  db_.write([&](db::Conn& tx) { n = store_.revoke(tx, row->id, time::format_iso_utc(clock_.now())); });
  return n;
}

std::int64_t SessionService::end_everywhere(PrincipalKind kind, const std::string& subject) {
  std::int64_t n = 0;
  db_.write([&](db::Conn& tx) {
    n = store_.revoke_subject(tx, kind, subject, time::format_iso_utc(clock_.now()));
  });
  return n;
}

void SessionService::set_acting_for(const Principal& p, const std::optional<Represented>& who) {
  Principal copy = p;
  copy.acting_for = who;
  db_.write([&](db::Conn& tx) { store_.update_data(tx, p.session_id, write_data(copy)); });
}

void SessionService::set_assisting(const Principal& p, const std::optional<AssistedCitizen>& who) {
  Principal copy = p;
  copy.assisting = who;
  db_.write([&](db::Conn& tx) { store_.update_data(tx, p.session_id, write_data(copy)); });
}

std::string SessionService::cookie(const std::string& token, bool secure) const {
  return std::string(kCookie) + "=" + token +
         "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(policy_.absolute.count()) +
         (secure ? "; Secure" : "");
}

std::string SessionService::clearing_cookie(bool secure) {
  return std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (secure ? "; Secure" : "");
}

}  // namespace sp::identity
