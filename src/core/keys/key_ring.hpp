#pragma once
// Key material outside the database (docs/keys.md): one key ring per owner (a body's slug, or "hub")
// and purpose, in files under `keys_dir` (default var/keys) on storage every node reads, backed up
// apart from the database.
//
//   <keys_dir>/<owner>/<purpose>/<kid>.key    the secret (mode 600): 64 hex characters, or a PEM key
//   <keys_dir>/<owner>/<purpose>/<kid>.json   its metadata: kid, alg, status, not_before, not_after,
//                                             created_at, public_key (base64url, stamp-signing)
//   <keys_dir>/<owner>/<purpose>/<kid>.crt    xml-signing only: the X.509 certificate (PEM)
// Folders are mode 700. Nothing here talks to the database or to HTTP.
//
// Purposes:
//   audit-hmac     HMAC-SHA256 secret of an audit chain (32 bytes); kid = the audit key id (audit/key.hpp)
//   stamp-signing  Ed25519 (libsodium) key of the digital stamp; the public keys are published
//   xml-signing    a certificate and its private key (PEM) for XML signatures; placed by the operator
//                  (load only: rotate refuses it)
//   oidc-federation  RSA key (PEM) signing a body's SPID/CIE entity configuration (RS256)
//   oidc-core        RSA key (PEM) signing a body's request objects and client assertions (RS256)
//   oidc-encryption  RSA key (PEM) the providers encrypt userinfo to (RSA-OAEP-256)
//   oidc-log         XChaCha20-Poly1305 secret (32 bytes) sealing the sign-in message log
// The three RSA purposes roll over like stamp-signing: rotate adds a key, the retired one stays
// published (it verifies, or decrypts what was encrypted to it) until its not_after.
//
// Rules: a key signs from not_before to not_after while its status is `active`; of those, the one with
// the latest not_before signs (rotation adds a newer one). A `retired` key signs no more but still
// verifies what it made; only a `revoked` key (compromised) verifies nothing. Every change is written
// whole (a temporary file renamed into place) under an exclusive lock on the ring's folder, so two
// processes creating the first key at once end up with one.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::keys {

enum class Purpose {
  audit_hmac,
  stamp_signing,
  xml_signing,
  oidc_federation,
  oidc_core,
  oidc_encryption,
  oidc_log,
};
// Every purpose, in the order above.
const std::vector<Purpose>& all_purposes();
// The RSA purposes of SPID/CIE sign-in (secret: a PKCS#8 PEM private key; public_key: its PEM).
bool is_rsa_purpose(Purpose p);
const char* to_string(Purpose p);
std::optional<Purpose> parse_purpose(std::string_view text);

enum class KeyStatus { active, retired, revoked };
const char* to_string(KeyStatus s);
std::optional<KeyStatus> parse_status(std::string_view text);

// The owner of the hub's own keys (the hub's audit chain).
inline constexpr const char* kHub = "hub";

struct Key {
  std::string id;
  std::string owner;
  Purpose purpose = Purpose::audit_hmac;
  std::string alg;  // "HS256", "EdDSA", the certificate's key type for xml-signing, "RS256",
                    // "RSA-OAEP-256", "XC20P"
  KeyStatus status = KeyStatus::active;
  time::TimePoint not_before{};
  time::TimePoint not_after{};
  time::TimePoint created_at{};
  std::string secret;      // audit-hmac: 32 bytes; stamp-signing: libsodium's 64-byte secret key; xml: PEM
  std::string public_key;  // stamp-signing: 32 bytes; xml-signing: the certificate PEM; oidc RSA: the
                           // public key PEM; audit-hmac, oidc-log: empty

  [[nodiscard]] bool signs_at(time::TimePoint t) const {
    return status == KeyStatus::active && not_before <= t && t < not_after;
  }
  [[nodiscard]] bool verifies() const { return status != KeyStatus::revoked; }
};

class KeyRing {
 public:
  KeyRing() = default;
  KeyRing(std::string owner, Purpose purpose, std::vector<Key> keys);

  [[nodiscard]] const std::string& owner() const { return owner_; }
  [[nodiscard]] Purpose purpose() const { return purpose_; }
  // Every key of the ring, by not_before then kid.
  [[nodiscard]] const std::vector<Key>& keys() const { return keys_; }
  [[nodiscard]] bool empty() const { return keys_.empty(); }

  // The key that signs at `now`: active, within its validity, the latest not_before. Null when none.
  [[nodiscard]] const Key* signing(time::TimePoint now) const;
  // The key `id` if it still verifies (not revoked), whatever its validity: for records kept for ever
  // (the audit chain).
  [[nodiscard]] const Key* find(std::string_view id) const;
  // find(id), and only if `signed_at` is within its validity: for signatures that carry their time (the
  // digital stamp).
  [[nodiscard]] const Key* verifying(std::string_view id, time::TimePoint signed_at) const;

  // Files of the folder that could not be read, and permission warnings; loading goes on without them.
  std::vector<std::string> problems;

 private:
  std::string owner_;
  Purpose purpose_ = Purpose::audit_hmac;
  std::vector<Key> keys_;
};

// "hub" or a body slug: lower-case letters, digits and '-', 1 to 63 characters (never a path).
bool valid_owner(std::string_view owner);
// <keys_dir>/<owner>/<purpose>
std::string ring_dir(const std::string& keys_dir, const std::string& owner, Purpose purpose);

// The id of a key from its material: audit-hmac the audit key id (SHA-256 of "sportello-audit-key-id:"
// + secret, first 16 hex characters); stamp-signing the same over "sportello-stamp-key-id:" + the
// public key; xml-signing over "sportello-xml-key-id:" + the certificate PEM.
std::string key_id(Purpose purpose, std::string_view material);

// Reads a ring; a missing folder is an empty ring. Never writes. Errors: keys.owner (bad owner name).
Result<KeyRing> load_ring(const std::string& keys_dir, const std::string& owner, Purpose purpose);

struct NewKey {
  std::optional<time::TimePoint> not_before;  // default: now
  std::chrono::days validity{0};              // default: audit-hmac 10 years, stamp-signing 3 years
};

// Rotation: makes a new key (audit-hmac, stamp-signing) that signs from `not_before`; when that is not
// in the future the keys that signed until now become `retired` (they keep verifying). Errors:
// keys.owner, keys.purpose (xml-signing is placed by hand), keys.validity, keys.io.
Result<Key> rotate(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                   time::TimePoint now, const NewKey& options = {});
// The ring, with a first key made when no key signs at `now` (under the lock: one key even when several
// processes start at once). For demo and development set-ups and for the hub's audit key at first start.
Result<KeyRing> ensure_ring(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                            time::TimePoint now);
// Adds an existing secret (the audit key of `audit_key_file`) with its derived id, unless the ring holds
// it already. Returns the ring after the import.
Result<KeyRing> import_secret(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                              const std::string& secret, KeyStatus status, time::TimePoint now);
// Places an xml-signing certificate and its PEM key in the owner's ring (<kid>.key, <kid>.crt; the
// validity is the certificate's), unless the ring holds it already: the demo's self-signed identities
// and tests (in production the operator places the CA's). Errors: keys.owner, keys.io.
Result<KeyRing> place_certificate(const std::string& keys_dir, const std::string& owner,
                                  const std::string& key_pem, const std::string& cert_pem);
// Changes a key's status (retire or revoke it by hand). Errors: keys.owner, not_found, keys.io.
Status set_status(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                  const std::string& id, keys::KeyStatus status);

// Folders the group or others can enter and files they can read, under keys_dir: "path: mode 0755
// (chmod 700)" lines. Empty when keys_dir is missing.
std::vector<std::string> permission_problems(const std::string& keys_dir);
// Owners that have a folder under keys_dir ("hub" included), sorted.
std::vector<std::string> owners(const std::string& keys_dir);

// Ed25519 signature (64 bytes) of `message` with a stamp-signing key.
std::string sign(const Key& key, std::string_view message);
// True when `signature` is `key_id`'s signature of `message` made at `signed_at` (stamp-signing ring).
bool verify(const KeyRing& ring, std::string_view key_id, time::TimePoint signed_at, std::string_view message,
            std::string_view signature);

// The stamp-signing public keys, as a JWKS (RFC 7517/8037) with validity and status; revoked keys stay
// listed with "status":"revoked" so that verifiers say "revoked" rather than "unknown key":
//   {"owner":"asti","purpose":"stamp-signing","keys":[{"kty":"OKP","crv":"Ed25519","x":"…","kid":"…",
//    "alg":"EdDSA","use":"sig","status":"active","not_before":"…Z","not_after":"…Z"}]}
std::string public_jwks_json(const KeyRing& ring);

}  // namespace sp::keys
