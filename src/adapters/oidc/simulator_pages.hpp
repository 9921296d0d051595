#pragma once
// HTML of the provider simulator: plain forms, no scripts and no inline styles, so the pages work under
// a strict Content-Security-Policy and without JavaScript (internal to adapters/oidc).
#include <string>
#include <vector>

#include "adapters/oidc/simulator.hpp"

namespace sp::oidc::pages {

struct AuthorizeView {
  std::string form_action;  // absolute path of /authorize/confirm
  std::string transaction;  // hidden field "tx"
  std::string client_id;
  int acr_level = 2;
  std::string provider = "Simulatore SPID";  // the provider's organization_name
  bool cie = false;                          // CIE's profile: "CIE" rather than "SPID" in the text
};

std::string authorize_page(const AuthorizeView& view, const std::vector<TestIdentity>& identities);
// "Richiesta non valida" page; `reason` is shown escaped.
std::string error_page(const std::string& reason);

}  // namespace sp::oidc::pages
