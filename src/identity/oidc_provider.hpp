#pragma once
// A SPID/CIE OpenID provider (or the local simulator) as an AuthProvider for the sign-in service.
#include <memory>

#include "adapters/oidc/client.hpp"
#include "identity/sign_in.hpp"

namespace sp::identity {

class OidcAuthProvider final : public AuthProvider {
 public:
  // `body`: the slug of the body this client signs in for (its own client_id); empty: the hub's.
  explicit OidcAuthProvider(std::shared_ptr<oidc::Client> client, std::string body = {})
      : client_(std::move(client)), body_(std::move(body)) {}
  [[nodiscard]] std::string body() const override { return body_; }
  [[nodiscard]] const std::string& id() const override { return client_->config().id; }
  [[nodiscard]] const std::string& display_name() const override { return client_->config().display_name; }
  Result<AuthStart> begin(int acr_level) override;
  Status check_issuer(const std::string& iss) override { return client_->check_response_issuer(iss); }
  Result<VerifiedIdentity> complete(const std::string& code, const AuthStart& pending) override;
  Status revoke(const std::string& access_token, std::vector<OidcMessage>* transcript) override;
  [[nodiscard]] std::string client_id() const override { return client_->config().client_id; }
  [[nodiscard]] std::string profile() const override { return oidc::profile_name(client_->config().profile); }
  [[nodiscard]] std::string logo() const override { return client_->config().logo; }
  // The path of this client's redirect URI (a body's own callback, or the hub's /auth/callback).
  [[nodiscard]] std::string callback_path() const;

 private:
  std::shared_ptr<oidc::Client> client_;
  std::string body_;
};

}  // namespace sp::identity
