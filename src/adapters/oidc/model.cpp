#include "adapters/oidc/model.hpp"

namespace sp::oidc {

RpKeys RpKeys::generate(std::string kid) {
  return RpKeys{crypto::Key::generate(crypto::JwsAlg::rs256, std::move(kid))};
}

Result<RpKeys> RpKeys::from_pem(std::string_view private_pem, std::string kid) {
  auto key = crypto::Key::from_private_pem(private_pem, std::move(kid));
  if (!key) return key.error();
  if (key->alg() != crypto::JwsAlg::rs256)
    return Error::make("oidc.rp_key", 500, "the RP key must be RSA (RS256)");
  return RpKeys{std::move(key).value()};
}

crypto::Jwks RpKeys::jwks() const {
  return crypto::Jwks({signing.public_only()});
}

std::string acr_uri(int level) {
  return "https://www.spid.gov.it/SpidL" + std::to_string(level);
}

int acr_level_of(std::string_view uri) {
  for (int level = 1; level <= 3; ++level)
    if (uri == acr_uri(level)) return level;
  return 0;
}

std::string trim_slash(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

std::string url_path(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const auto slash = url.find('/', scheme + 3);
  if (slash == std::string_view::npos) return {};
  std::string_view path = url.substr(slash);
  path = path.substr(0, path.find_first_of("?#"));
  return trim_slash(path);
}

}  // namespace sp::oidc
