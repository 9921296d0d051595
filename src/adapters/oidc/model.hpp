#pragma once
// The relying party's view of a SPID/CIE OpenID provider: its configuration, our signing keys, what a
// sign-in in progress must remember, and the identity it yields. Protocol: OpenID Connect Core 1.0 with
// the AgID "Linee guida OpenID Connect in SPID" profile (signed request object, PKCE, private_key_jwt,
// OpenID Federation entity configuration).
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/jwk.hpp"
#include "core/keys/key_ring.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::oidc {

// Which rules a provider follows. They differ in the scopes a relying party may ask for (SPID/CIE OIDC
// Federation docs, "Authorization Request": SPID allows only `openid` and `offline_access`, the claims
// being asked through the `claims` parameter; CIE also allows `profile` and `email`) and in the
// callback's `iss`, which CIE requires (RFC 9207).
enum class Profile { spid, cie };
const char* profile_name(Profile p);  // "spid", "cie"

// One configured provider (a SPID provider, CIE, or the local simulator).
struct ProviderConfig {
  std::string id;             // our short name, e.g. "sim", "cie"
  std::string display_name;   // shown on the sign-in page
  std::string discovery_url;  // issuer + "/.well-known/openid-configuration" (without a trust anchor)
  std::string client_id;      // the RP's entity id (an https URL in production)
  std::string redirect_uri;   // our callback, registered in our entity configuration
  Profile profile = Profile::spid;
  // Ask for a refresh token too (`offline_access`, allowed by both profiles; the provider then also
  // requires prompt=consent). Off: the sign-in is one session long.
  bool offline_access = false;
  std::string logo;  // URL or static path of the provider's logo; may be empty
  // RFC 9207: the authentication response must carry `iss` (CIE's profile requires it; SPID's makes it
  // optional). Also required when the provider's metadata says it sends it. When present it is always
  // checked.
  bool require_iss = false;
  // The provider's entity id in the federation: with ClientOptions::trust it is found and trusted
  // through the trust anchor instead of plain discovery.
  std::string entity_id;
};

// The scopes to send to a provider of this configuration (see Profile).
std::vector<std::string> scopes_for(const ProviderConfig& config);

// The RP's keys (RSA; SPID/CIE OIDC Federation docs, "Algoritmi crittografici"). Three distinct keys, as
// the docs ask ("Entity Configuration": the federation key signs the entity configuration and appears
// in its top-level `jwks`; the OpenID Connect core keys appear in metadata.openid_relying_party.jwks):
//   signing     request objects and client assertions (use "sig")
//   encryption  the provider encrypts userinfo to it (use "enc", RSA-OAEP-256)
//   federation  the entity configuration
// The app generates them once and persists to_pem() (three PEM blocks, in that order) in a file only the
// service can read.
//
// Rollover (SPID/CIE OIDC docs, "Entity Configuration": keys are replaced with old and new published side
// by side): a key that no longer signs stays published until `until`, the end of its validity, so what it
// signed (request objects, client assertions, the entity configuration) still verifies and a provider
// with a cached JWKS may still encrypt userinfo to it (it is tried when decrypting).
struct RetiredKey {
  crypto::Key key;
  time::TimePoint until{};
};

struct RpKeys {
  crypto::Key signing;
  crypto::Key encryption;
  crypto::Key federation;
  std::vector<RetiredKey> retired_signing;
  std::vector<RetiredKey> retired_encryption;
  std::vector<RetiredKey> retired_federation;

  static RpKeys generate(std::string kid = {});
  // One to three PEM private keys in the order above; missing ones are generated (an older key file
  // held only the signing key: `complete` says whether to write the file again). Errors: key.pem,
  // key.unsupported, oidc.rp_key (not an RSA key).
  static Result<RpKeys> from_pem(std::string_view private_pem, std::string kid = {});
  bool complete = true;
  [[nodiscard]] std::string to_pem() const;
  [[nodiscard]] const std::string& kid() const { return signing.kid(); }
  // The OpenID Connect core JWKS ({"keys":[sig, enc, retired sig…, retired enc…]}) to publish at `now`:
  // the encryption keys with "use":"enc"; retired keys until their `until` (now = {}: all of them).
  [[nodiscard]] boost::json::object core_jwks_json(time::TimePoint now = {}) const;
  // The signing keys only (what verifies our request objects and assertions), retired ones included.
  [[nodiscard]] crypto::Jwks jwks(time::TimePoint now = {}) const;
  // The federation JWKS (the entity configuration's top-level jwks), retired ones included.
  [[nodiscard]] crypto::Jwks federation_jwks(time::TimePoint now = {}) const;
  // The keys userinfo may be encrypted to: the current one first, then the retired ones still valid.
  [[nodiscard]] std::vector<crypto::Key> decryption_keys(time::TimePoint now = {}) const;

  // A body's keys from its three rings (oidc-core, oidc-encryption, oidc-federation, docs/keys.md): each
  // ring's signing key at `now`, and its other keys that still verify (not revoked) and are within their
  // validity as the retired ones. Errors: keys.missing (a ring with no signing key), key.pem.
  struct Ring {
    std::string_view purpose;  // for the error's detail
    const std::vector<keys::Key>* keys = nullptr;
    const keys::Key* signing = nullptr;
  };
  static Result<RpKeys> from_rings(const Ring& core, const Ring& encryption, const Ring& federation,
                                   time::TimePoint now);
};

// A body's keys read from its three rings under `keys_dir` (oidc-core, oidc-encryption,
// oidc-federation, owner `slug`), a first key made in a ring that has none signing at `now` (demo and
// first start). Errors: keys.* of core/keys, key.pem.
Result<RpKeys> read_ring_keys(const std::string& keys_dir, const std::string& slug, time::TimePoint now);

// A relying party's keys, possibly made on first use (a body's keys, read or generated from its key
// rings: RSA generation is slow, and a demo start would otherwise make three per body at once). Shared
// by the body's clients and its published routes. Thread-safe.
//
// Rollover without a restart: with a clock and a period, the keys are made again (the rings re-read)
// when they are older than the period, so a key added by `sportello keys rotate` on any node is
// published beside the old one, and signs from its not_before, within one period on every node. If
// reading fails, the keys in hand stay (last_error() says why).
class RpKeyHolder {
 public:
  explicit RpKeyHolder(RpKeys keys) : keys_(std::move(keys)) {}
  explicit RpKeyHolder(std::function<RpKeys()> make) : make_(std::move(make)) {}
  RpKeyHolder(std::function<RpKeys()> make, const time::Clock& clock, std::chrono::seconds reread_every)
      : make_(std::move(make)), clock_(&clock), every_(reread_every) {}
  [[nodiscard]] RpKeys get() const;
  [[nodiscard]] std::string last_error() const {
    std::lock_guard lock(mu_);
    return last_error_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::optional<RpKeys> keys_;
  std::function<RpKeys()> make_;
  const time::Clock* clock_ = nullptr;
  std::chrono::seconds every_{0};
  mutable time::TimePoint made_at_{};
  mutable std::string last_error_;
};

// A message exchanged with the provider, for the sign-in message log (identity::SignInLog).
struct Exchange {
  std::string kind;  // token_request, token_response, userinfo_response, revocation_request, ...
  std::string content;
};
using Transcript = std::vector<Exchange>;

// What begin() returns: the URL to send the browser to, and what complete() will need. The caller
// keeps it server-side (never in the URL), keyed by `state`.
struct AuthRequest {
  std::string redirect_url;
  std::string state;          // 43 random URL-safe characters
  std::string nonce;          // 43 random URL-safe characters
  std::string code_verifier;  // RFC 7636, 64 characters
  int acr_level = 2;
};

// A signed-in person as the provider asserts it.
struct Identity {
  std::string provider;         // ProviderConfig::id
  std::string access_token;     // kept for revocation at logout and at the session's end
  std::string refresh_token;    // when offline_access was granted
  std::int64_t expires_in = 0;  // the access token's lifetime in seconds (0: not said)
  std::string sub;              // pairwise subject: stable per provider and RP only
  std::string fiscal_number;    // the codice fiscale, without the "TINIT-" prefix
  std::string given_name;
  std::string family_name;
  std::string email;
  std::string birthdate;  // "YYYY-MM-DD" as the provider sends it
  int acr_level = 0;      // 1..3
};

// SPID authentication levels as acr URIs (AgID guidelines, "acr_values"): 1..3 ⇄
// "https://www.spid.gov.it/SpidL1|L2|L3". acr_level_of returns 0 for anything else.
std::string acr_uri(int level);
int acr_level_of(std::string_view uri);

// The claim SPID and CIE use for the fiscal number, valued "TINIT-<CF>" *(check: SPEC.md §2)*.
inline constexpr std::string_view kFiscalNumberClaim = "https://attributes.eid.gov.it/fiscal_number";

// The path part of an absolute URL without a trailing '/', e.g. "/idp" for "http://h:1/idp/", "" for
// "http://h:1". Used to mount routes relative to an issuer or entity id.
std::string url_path(std::string_view url);
// `base` without a trailing '/'.
std::string trim_slash(std::string_view base);

}  // namespace sp::oidc
