#include "stamp/service.hpp"

#include <boost/json.hpp>

#include "core/digest.hpp"
#include "core/ids.hpp"
#include "identity/permissions.hpp"

namespace sp::stamp {
namespace {

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// A body's stamp-signing ring, loaded from keys_dir for one verification.
class Rings {
 public:
  explicit Rings(const std::string& keys_dir) : keys_dir_(keys_dir) {}
  const keys::KeyRing* operator()(const std::string& body) {
    if (!keys::valid_owner(body) || body == keys::kHub) return nullptr;
    auto ring = keys::load_ring(keys_dir_, body, keys::Purpose::stamp_signing);
    if (!ring || ring->empty()) return nullptr;
    ring_ = std::move(*ring);
    return &*ring_;
  }

 private:
  const std::string& keys_dir_;
  std::optional<keys::KeyRing> ring_;
};

}  // namespace

StampService::StampService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                           const I18n& i18n, tenants::TenantService& tenants, StampOptions options)
    : db_(db), audit_(audit), clock_(clock), i18n_(i18n), tenants_(tenants), options_(std::move(options)) {
  options_.public_url = trim_slash(options_.public_url);
}

Result<StampService::Prepared> StampService::prepare(const IssueRequest& r) {
  if (!valid_kind(r.kind)) return Error::make("stamp.kind", 400, r.kind);
  auto body = tenants_.by_id(r.tenant);
  if (!body) return Error::not_found("body");
  auto ring = keys::load_ring(options_.keys_dir, body->slug, keys::Purpose::stamp_signing);
  if (!ring) return ring.error();
  // The code carries whole seconds; rounded up, so that the time in the code is never before the key's
  // not_before (a key made a moment ago still signs, and verifies what it signed).
  const auto now = time::TimePoint(std::chrono::ceil<std::chrono::seconds>(clock_.now()));
  const keys::Key* key = ring->signing(now);
  if (key == nullptr) return Error::make("stamp.no_key", 503, body->slug);

  Prepared p;
  p.body = body;
  p.key = *key;
  p.seal.base_url = options_.public_url;
  p.seal.token = ids::random_token(16);
  p.seal.body = body->slug;
  p.seal.kind = r.kind;
  p.seal.issued_at = now;
  p.seal.protocol = r.protocol;
  p.seal.key_id = key->id;

  const auto& lang = r.lang;
  const std::string url = verification_url(p.seal.base_url, p.seal.token);
  const std::string page = p.seal.base_url + "/verifica";
  p.block.heading = i18n_.t(lang, "stamp.pdf.heading");
  p.block.note = i18n_.format(lang, "stamp.pdf.note", {{"url", page}});
  p.block.rows = {{i18n_.t(lang, "stamp.pdf.identifier"), typing_code(p.seal.token)},
                  {i18n_.t(lang, "stamp.pdf.body"), body->name},
                  {i18n_.t(lang, "stamp.pdf.issued"), time::format_it_datetime(now)}};
  if (!r.protocol.empty()) p.block.rows.emplace_back(i18n_.t(lang, "stamp.pdf.protocol"), r.protocol);
  p.block.rows.emplace_back(i18n_.t(lang, "stamp.pdf.verify"), page);
  p.block.placeholder_url = url;
  p.block.code_alt = i18n_.format(
      lang, "stamp.pdf.alt", {{"token", typing_code(p.seal.token)}, {"body", body->name}, {"url", page}});
  return p;
}

Result<Issued> StampService::seal_and_append(Prepared& p, std::string bytes) {
  if (bytes.empty()) return Error::make("stamp.pdf", 500, "empty document");
  if (bytes.back() != '\n') bytes += '\n';  // the bytes digested are the ones kept before the stamp
  p.seal.digest = digest::sha256_raw(bytes);
  p.seal.signature = keys::sign(p.key, signed_message(p.seal));
  auto text = payload(p.seal);
  auto stamped = append_update(bytes, text, p.block.placeholder_url);
  if (!stamped) {
    auto e = stamped.error();
    e.http_status = 500;  // the producer did not add the block: a bug, not the user's input
    return e;
  }
  return Issued{p.seal.token, std::move(*stamped), p.seal};
}

Record StampService::record_of(const Issued& issued, const IssueRequest& r) const {
  Record rec;
  rec.token = issued.token;
  rec.tenant_id = r.tenant;
  rec.kind = r.kind;
  rec.title = r.title;
  rec.protocol = r.protocol;
  rec.issued_at = time::format_iso_utc(issued.seal.issued_at);
  rec.digest = digest::to_hex(issued.seal.digest);
  rec.key_id = issued.seal.key_id;
  rec.payload = payload(issued.seal);
  rec.issued_by = r.issued_by.empty() ? "system" : r.issued_by;
  return rec;
}

Result<Issued> StampService::issue(db::Conn& tx, const IssueRequest& request, const Render& render) {
  auto p = prepare(request);
  if (!p) return p.error();
  auto issued = seal_and_append(*p, render(p->block));
  if (!issued) return issued.error();
  StampStore::insert(tx, record_of(*issued, request));
  return issued;
}

Result<Issued> StampService::issue(const IssueRequest& request, const Render& render) {
  auto p = prepare(request);
  if (!p) return p.error();
  auto issued = seal_and_append(*p, render(p->block));
  if (!issued) return issued.error();
  const Record rec = record_of(*issued, request);
  db_.write([&](db::Conn& tx) { StampStore::insert(tx, rec); });
  return issued;
}

std::string StampService::body_name(tenants::TenantId tenant) const {
  auto body = tenants_.by_id(tenant);
  return body ? body->name : std::string();
}

Finding StampService::with_registry(const Seal& seal, Finding f) {
  std::optional<Record> rec;
  db_.read([&](db::Conn& c) { rec = StampStore::by_token(c, seal.token); });
  if (!rec) {
    f.verdict = Verdict::unknown;
    f.reason = "not_in_registry";
    return f;
  }
  auto body = tenants_.by_id(rec->tenant_id);
  f.body_name = body ? body->name : std::string();
  // The registry's row must be this very stamp, of the body the code names.
  if (rec->payload != payload(seal) || !body || body->slug != seal.body) {
    f.verdict = Verdict::altered;
    f.reason = "registry_differs";
    f.record = std::move(rec);
    return f;
  }
  f.verdict = rec->revoked_at ? Verdict::revoked : Verdict::valid;
  f.record = std::move(rec);
  return f;
}

Finding StampService::check_token(const std::string& typed) {
  Finding f;
  // As typed from the printed copy (the typing code, any case, spaces or dashes) or as in the URL.
  const auto parsed = token_from_typed(typed);
  if (!parsed) {
    f.reason = "malformed";
    return f;
  }
  const std::string& token = *parsed;
  std::optional<Record> rec;
  db_.read([&](db::Conn& c) { rec = StampStore::by_token(c, token); });
  if (!rec) {
    f.reason = "not_in_registry";
    return f;
  }
  // The row itself must carry a valid signature: whoever writes the database cannot make documents.
  Rings rings(options_.keys_dir);
  auto seal = check_payload(rec->payload, std::ref(rings));
  if (!seal && seal.error().code == "stamp.key_revoked") {
    f.verdict = Verdict::revoked;
    f.reason = "key_revoked";
    f.record = std::move(rec);
    f.body_name = body_name(f.record->tenant_id);
    return f;
  }
  if (!seal || seal->token != token) {
    f.verdict = Verdict::altered;
    f.reason = "registry_signature";
    return f;
  }
  return with_registry(*seal, std::move(f));
}

Finding StampService::check_code(const std::string& text) {
  Finding f;
  Rings rings(options_.keys_dir);
  auto seal = check_payload(text, std::ref(rings));
  if (!seal) {
    // A text that is not a stamp at all is unknown; one whose signature fails is altered.
    const auto& code = seal.error().code;
    f.verdict = code == "stamp.malformed"     ? Verdict::unknown
                : code == "stamp.key_revoked" ? Verdict::revoked
                                              : Verdict::altered;
    f.reason = code;
    return f;
  }
  return with_registry(*seal, std::move(f));
}

Finding StampService::check_file(const std::string& bytes) {
  Finding f;
  Rings rings(options_.keys_dir);
  auto checked = stamp::check_file(bytes, std::ref(rings));
  f.reason = checked.reason;
  if (checked.verdict != Verdict::valid) {
    f.verdict = checked.verdict;
    // An altered copy of a known document: the page shows what was issued, for comparison.
    if (checked.seal && valid_token(checked.seal->token)) {
      db_.read([&](db::Conn& c) { f.record = StampStore::by_token(c, checked.seal->token); });
      if (f.record) f.body_name = body_name(f.record->tenant_id);
    }
    return f;
  }
  return with_registry(*checked.seal, std::move(f));
}

Status StampService::revoke(const identity::Principal* who, tenants::TenantId tenant,
                            const std::string& token, const std::string& reason,
                            const std::string& remote_addr) {
  if (auto ok = identity::authorize(who, identity::Permission::annul_protocol, tenant); !ok)
    return ok.error();
  if (reason.empty() || reason.size() > 500) return Error::for_field("stamp.reason", "reason");
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto rec = StampStore::of_tenant(tx, tenant, token);
    if (!rec) return Error::not_found("stamped_document");  // another body's token is not found
    if (rec->revoked_at) return Error::make("stamp.revoked", 409);
    const auto at = time::format_iso_utc_millis(clock_.now());
    if (!StampStore::revoke(tx, tenant, token, at, who->subject, reason))
      return Error::make("stamp.revoked", 409);
    audit::Entry e;
    e.tenant_id = tenant;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = who->subject;
    e.channel = audit::Channel::web;
    e.action = "stamp.revoke";
    e.record_type = "stamped_document";
    e.record_id = token;
    e.remote_addr = remote_addr;
    e.details = boost::json::serialize(boost::json::object{{"reason", reason}, {"kind", rec->kind}});
    audit_.record_or_throw(tx, e);
    return Ok{};
  });
}

}  // namespace sp::stamp
