#pragma once
// The SPID/CIE OpenID Federation data of the hub's bodies (docs/oidc.md, "Each body's federation data"),
// from tables of the configuration file (no environment variables: tables do not fit in one):
//
//   [oidc_federation]
//   authority_hints = ["https://registry.spid.gov.it", "https://registry.servizicie.interno.gov.it"]
//   [oidc_body.c_a479]
//   organization_name = "Comune di Asti"
//   contacts = ["protocollo.comuneasti@pec.it"]
//   homepage_uri = "…"  policy_uri = "…"  logo_uri = "…"  client_name = "…"
//   trust_marks = [{ id = "…", trust_mark = "eyJ…" }]
//
// load_config reads the file once and refuses these tables when a provider or the onboarding tool would
// (naming the key); Config::sources records the file under "oidc_federation" and "oidc_body".
// Defined in config.cpp.
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace sp {

struct OidcBodyConfig {
  std::string organization_name;  // metadata.federation_entity and openid_relying_party
  std::string client_name;        // what the provider shows the citizen; default: organization_name
  std::string homepage_uri;
  std::string policy_uri;  // the body's privacy notice for sign-in
  std::string logo_uri;
  std::vector<std::string> contacts;  // PEC addresses (metadata contacts)
  struct TrustMark {
    std::string id;
    std::string trust_mark;  // the signed JWT the trust anchor issued (onboarding)
  };
  std::vector<TrustMark> trust_marks;  // received at onboarding, published in the entity configuration
};

struct OidcFederationConfig {
  // The trust anchors (or intermediates) above the hub and its bodies, named in every entity
  // configuration's authority_hints.
  std::vector<std::string> authority_hints;
  std::map<std::string, OidcBodyConfig> bodies;  // by IPA code (c_a479)
};

// The tables of the TOML file `file` (empty: none). Errors: config.file_missing, config.file_syntax,
// config.invalid and config.unknown naming the key.
Result<OidcFederationConfig> load_oidc_federation(const std::string& file);
// The same, from the file `config` was read from (none: empty).
Result<OidcFederationConfig> load_oidc_federation(const Config& config);

}  // namespace sp
