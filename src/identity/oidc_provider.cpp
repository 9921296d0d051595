#include "identity/oidc_provider.hpp"

namespace sp::identity {

std::string OidcAuthProvider::callback_path() const {
  std::string path = oidc::url_path(client_->config().redirect_uri);
  return path.empty() ? std::string("/auth/callback") : path;
}

Result<AuthStart> OidcAuthProvider::begin(int acr_level) {
  auto r = client_->begin(acr_level);
  if (!r) return r.error();
  return AuthStart{r->redirect_url, r->state, r->nonce, r->code_verifier, r->acr_level};
}

Result<VerifiedIdentity> OidcAuthProvider::complete(const std::string& code, const AuthStart& pending) {
  oidc::AuthRequest sent{pending.redirect_url, pending.state, pending.nonce, pending.code_verifier,
                         pending.acr_level};
  oidc::Transcript transcript;
  auto id = client_->complete(code, sent, pending.transcript ? &transcript : nullptr);
  if (pending.transcript)
    for (auto& m : transcript) pending.transcript->push_back({std::move(m.kind), std::move(m.content)});
  if (!id) return id.error();
  return VerifiedIdentity{id->provider,  id->fiscal_number, id->given_name,   id->family_name, id->email,
                          id->birthdate, id->acr_level,     id->access_token, id->expires_in};
}

Status OidcAuthProvider::revoke(const std::string& access_token, std::vector<OidcMessage>* transcript) {
  oidc::Transcript t;
  auto st = client_->revoke(access_token, transcript ? &t : nullptr);
  if (transcript)
    for (auto& m : t) transcript->push_back({std::move(m.kind), std::move(m.content)});
  return st;
}

}  // namespace sp::identity
