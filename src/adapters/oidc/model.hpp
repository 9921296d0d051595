#pragma once
// The relying party's view of a SPID/CIE OpenID provider: its configuration, our signing keys, what a
// sign-in in progress must remember, and the identity it yields. Protocol: OpenID Connect Core 1.0 with
// the AgID "Linee guida OpenID Connect in SPID" profile (signed request object, PKCE, private_key_jwt,
// OpenID Federation entity configuration).
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/jwk.hpp"
#include "core/result.hpp"

namespace sp::oidc {

// One configured provider (a SPID provider, CIE, or the local simulator).
struct ProviderConfig {
  std::string id;             // our short name, e.g. "sim", "cie"
  std::string display_name;   // shown on the sign-in page
  std::string discovery_url;  // issuer + "/.well-known/openid-configuration"
  std::string client_id;      // the RP's entity id (an https URL in production)
  std::string redirect_uri;   // our callback, registered in our entity configuration
  std::vector<std::string> scopes = {"openid", "profile", "email"};
  std::string logo;  // URL or static path of the provider's logo; may be empty
  // RFC 9207: the authentication response must carry `iss` (CIE's profile requires it; SPID's makes it
  // optional). Also required when the provider's metadata says it sends it. When present it is always
  // checked.
  bool require_iss = false;
};

// The RP's signing key pair (RS256; the SPID guidelines require RSA for federation keys). The app
// generates it once and persists to_pem() in a file only the service can read.
struct RpKeys {
  crypto::Key signing;

  static RpKeys generate(std::string kid = {});
  // Errors: key.pem, key.unsupported, oidc.rp_key (not an RSA key).
  static Result<RpKeys> from_pem(std::string_view private_pem, std::string kid = {});
  [[nodiscard]] std::string to_pem() const { return signing.private_pem(); }
  [[nodiscard]] const std::string& kid() const { return signing.kid(); }
  // The public JWKS ({"keys":[...]}) to publish.
  [[nodiscard]] crypto::Jwks jwks() const;
};

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
  std::string provider;       // ProviderConfig::id
  std::string sub;            // pairwise subject: stable per provider and RP only
  std::string fiscal_number;  // the codice fiscale, without the "TINIT-" prefix
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
