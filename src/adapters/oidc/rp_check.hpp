#pragma once
// `sportello oidc check`: validates a relying party's entity configuration before the body applies for
// its trust mark, with the checks of the reference onboarding tool (italia/spid-cie-oidc-django:
// spid_cie_oidc/entity/schemas/rp_metadata.py RPMetadataSpid / RPMetadataCie, jwks.py, and the
// onboarding service's "reachability, signature validation, best practices" checks) and those the
// federation's policy adds. docs/oidc.md lists them side by side.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/jwk.hpp"
#include "core/oidc_bodies.hpp"
#include "core/time.hpp"

namespace sp::oidc {

struct RpCheck {
  std::string id;  // e.g. "ec.signature", "rp.redirect_uris"
  bool ok = false;
  std::string detail;  // why not, or what was found
};

// The anchor's metadata policy for relying parties in the SPID/CIE federation (OIDC-FED 6.1): what the
// simulator applies, and what `oidc check` checks.
boost::json::object spid_rp_metadata_policy();

// Checks the entity configuration `jwt` of `client_id` at `now`. `anchor_keys`, when given, verify the
// trust marks' signatures too.
std::vector<RpCheck> check_rp_entity_configuration(const std::string& jwt, const std::string& client_id,
                                                   time::TimePoint now,
                                                   const crypto::Jwks* anchor_keys = nullptr);

// `config.*` checks: the entity configuration `jwt` publishes the body's configured federation data
// ([oidc_body.<ipa>]: organization, contacts, homepage, policy and logo URIs, each trust mark received).
// Values the table leaves out are not checked.
std::vector<RpCheck> check_configured_federation_data(const std::string& jwt,
                                                      const OidcBodyConfig& configured);

}  // namespace sp::oidc
