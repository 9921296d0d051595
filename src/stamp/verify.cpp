#include "stamp/verify.hpp"

#include <boost/json.hpp>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "stamp/pdf_stamp.hpp"

namespace sp::stamp {

Result<Seal> check_payload(std::string_view payload, const RingOf& ring_of) {
  auto seal = parse(payload);
  if (!seal) return seal.error();
  const keys::KeyRing* ring = ring_of(seal->body);
  // Another body's ring never vouches for this body's stamp.
  if (ring == nullptr || ring->owner() != seal->body || ring->purpose() != keys::Purpose::stamp_signing)
    return Error::make("stamp.no_key", 422, seal->body);
  // A revoked (compromised) key vouches for nothing: what it signed is reported as revoked.
  for (const auto& k : ring->keys())
    if (k.id == seal->key_id && k.status == keys::KeyStatus::revoked)
      return Error::make("stamp.key_revoked", 422, seal->key_id);
  if (!keys::verify(*ring, seal->key_id, seal->issued_at, signed_message(*seal), seal->signature))
    return Error::make("stamp.signature", 422, seal->key_id);
  return seal;
}

FileCheck check_file(const std::string& file, const RingOf& ring_of) {
  FileCheck out;
  auto parts = split(file);
  if (!parts) {
    out.reason = "no_stamp";
    return out;
  }
  out.verdict = Verdict::altered;
  auto seal = parse(parts->payload);
  if (!seal) {
    out.reason = "malformed";
    return out;
  }
  out.seal = *seal;
  // The update as the stamper makes it from the bytes before it: with the code's fixed mask, or (copies
  // stamped before it was fixed) with the mask libqrencode chose.
  auto target = locate(parts->original, verification_url(seal->base_url, seal->token));
  auto tail = std::string_view(file).substr(parts->original.size());
  auto same = [&](int mask) {
    const auto u = update(*target, parts->original.size(), parts->payload, mask);
    return u.size() == tail.size() && digest::equal_constant_time(u, tail);
  };
  if (!target || (!same(kCodeMask) && !same(kBestMask))) {
    out.reason = "rebuilt";
    return out;
  }
  if (digest::sha256_raw(parts->original) != seal->digest) {
    out.reason = "digest";
    return out;
  }
  auto checked = check_payload(parts->payload, ring_of);
  if (!checked) {
    const auto& code = checked.error().code;
    if (code == "stamp.key_revoked") {
      out.verdict = Verdict::revoked;
      out.reason = "key_revoked";
    } else {
      out.reason = code == "stamp.no_key" ? "no_key" : "signature";
    }
    return out;
  }
  out.verdict = Verdict::valid;
  return out;
}

Result<keys::KeyRing> ring_from_jwks(std::string_view json) {
  auto bad = [](std::string what) { return Error::make("stamp.jwks", 400, std::move(what)); };
  boost::system::error_code ec;
  auto doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return bad("not a JSON object");
  const auto& o = doc.as_object();
  auto text = [](const boost::json::object& obj, const char* key) -> std::string {
    auto* v = obj.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  std::string owner = text(o, "owner");
  if (!keys::valid_owner(owner)) return bad("owner");
  if (text(o, "purpose") != "stamp-signing") return bad("purpose");
  auto* list = o.if_contains("keys");
  if (list == nullptr || !list->is_array()) return bad("keys");
  std::vector<keys::Key> ring;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) return bad("key");
    const auto& k = item.as_object();
    if (text(k, "kty") != "OKP" || text(k, "crv") != "Ed25519") continue;  // not a stamp key
    keys::Key key;
    key.owner = owner;
    key.purpose = keys::Purpose::stamp_signing;
    key.alg = "EdDSA";
    key.id = text(k, "kid");
    auto x = crypto::base64url_decode(text(k, "x"));
    if (!x || x->size() != 32) return bad("x of " + key.id);
    key.public_key = std::move(*x);
    if (keys::key_id(keys::Purpose::stamp_signing, key.public_key) != key.id) return bad("kid of " + key.id);
    auto status = keys::parse_status(text(k, "status").empty() ? "active" : text(k, "status"));
    if (!status) return bad("status of " + key.id);
    key.status = *status;
    auto nb = time::parse_iso_utc(text(k, "not_before"));
    auto na = time::parse_iso_utc(text(k, "not_after"));
    if (!nb || !na) return bad("validity of " + key.id);
    key.not_before = *nb;
    key.not_after = *na;
    ring.push_back(std::move(key));
  }
  return keys::KeyRing(owner, keys::Purpose::stamp_signing, std::move(ring));
}

}  // namespace sp::stamp
