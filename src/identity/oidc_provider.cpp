#include "identity/oidc_provider.hpp"

namespace sp::identity {

Result<AuthStart> OidcAuthProvider::begin(int acr_level) {
  auto r = client_->begin(acr_level);
  if (!r) return r.error();
  return AuthStart{r->redirect_url, r->state, r->nonce, r->code_verifier, r->acr_level};
}

Result<VerifiedIdentity> OidcAuthProvider::complete(const std::string& code, const AuthStart& pending) {
  oidc::AuthRequest sent{pending.redirect_url, pending.state, pending.nonce, pending.code_verifier,
                         pending.acr_level};
  auto id = client_->complete(code, sent);
  if (!id) return id.error();
  return VerifiedIdentity{id->provider, id->fiscal_number, id->given_name, id->family_name,
                          id->email,    id->birthdate,     id->acr_level};
}

}  // namespace sp::identity
