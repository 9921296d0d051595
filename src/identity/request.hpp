#pragma once
// The caller of a request as the web layer carries it. The HTTP layer knows only an opaque
// http::Identity; the domain's Principal (a signed-in person or staff member) and ApiPrincipal (a body's
// API key) know nothing of HTTP. These wrappers put one into the other, and read it back.
#include <memory>

#include "http/message.hpp"
#include "identity/api_keys.hpp"
#include "identity/model.hpp"

namespace sp::identity {

struct PrincipalIdentity final : http::Identity {
  explicit PrincipalIdentity(std::shared_ptr<const Principal> p) : principal(std::move(p)) {}
  std::shared_ptr<const Principal> principal;
};

struct ApiKeyIdentity final : http::Identity {
  explicit ApiKeyIdentity(ApiPrincipal k) : key(std::move(k)) {}
  ApiPrincipal key;
};

// The request's caller becomes `p` (null: anonymous).
inline void set_principal(http::Request& req, std::shared_ptr<const Principal> p) {
  if (p) {
    req.ctx.identity = std::make_shared<PrincipalIdentity>(std::move(p));
  } else {
    req.ctx.identity.reset();
  }
}
inline void set_api_key(http::Request& req, ApiPrincipal key) {
  req.ctx.identity = std::make_shared<ApiKeyIdentity>(std::move(key));
}

// The principal of a request, or nullptr when anonymous or called with an API key.
inline const Principal* principal_of(const http::Request& req) {
  const auto* w = dynamic_cast<const PrincipalIdentity*>(req.ctx.identity.get());
  return w != nullptr ? w->principal.get() : nullptr;
}
// The API key of a request, or nullptr.
inline const ApiPrincipal* api_key_of(const http::Request& req) {
  const auto* w = dynamic_cast<const ApiKeyIdentity*>(req.ctx.identity.get());
  return w != nullptr ? &w->key : nullptr;
}

}  // namespace sp::identity
