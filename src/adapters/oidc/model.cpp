#include "adapters/oidc/model.hpp"

#include "core/crypto/jwe.hpp"

namespace sp::oidc {

const char* profile_name(Profile p) {
  return p == Profile::cie ? "cie" : "spid";
}

std::vector<std::string> scopes_for(const ProviderConfig& config) {
  // SPID/CIE OIDC Federation docs, "Authorization Request" (scope): SPID "openid" and optionally
  // "offline_access"; CIE also "profile" and "email".
  std::vector<std::string> scopes{"openid"};
  if (config.profile == Profile::cie) {
    scopes.emplace_back("profile");
    scopes.emplace_back("email");
  }
  if (config.offline_access) scopes.emplace_back("offline_access");
  return scopes;
}

RpKeys RpKeys::generate(std::string kid) {
  return RpKeys{crypto::Key::generate(crypto::JwsAlg::rs256, std::move(kid)),
                crypto::Key::generate(crypto::JwsAlg::rs256), crypto::Key::generate(crypto::JwsAlg::rs256)};
}

Result<RpKeys> RpKeys::from_pem(std::string_view private_pem, std::string kid) {
  static constexpr std::string_view kEnd = "-----END ";
  std::vector<crypto::Key> keys;
  std::size_t pos = 0;
  while (keys.size() < 3) {
    const auto end = private_pem.find(kEnd, pos);
    if (end == std::string_view::npos) break;
    const auto eol = private_pem.find('\n', end);
    const auto stop = eol == std::string_view::npos ? private_pem.size() : eol + 1;
    auto key = crypto::Key::from_private_pem(private_pem.substr(pos, stop - pos),
                                             keys.empty() ? std::move(kid) : std::string());
    if (!key) return key.error();
    if (!key->is_rsa()) return Error::make("oidc.rp_key", 500, "the RP keys must be RSA");
    keys.push_back(std::move(key).value());
    pos = stop;
  }
  if (keys.empty()) return Error::make("key.pem", 400, "no PEM private key");
  RpKeys out{keys[0], keys.size() > 1 ? keys[1] : crypto::Key::generate(crypto::JwsAlg::rs256),
             keys.size() > 2 ? keys[2] : crypto::Key::generate(crypto::JwsAlg::rs256)};
  out.complete = keys.size() == 3;
  return out;
}

std::string RpKeys::to_pem() const {
  return signing.private_pem() + encryption.private_pem() + federation.private_pem();
}

namespace {

// Retired keys still published at `now` ({}: all), public parts only.
std::vector<crypto::Key> still_valid(const std::vector<RetiredKey>& retired, time::TimePoint now) {
  std::vector<crypto::Key> out;
  for (const auto& r : retired)
    if (now == time::TimePoint{} || now < r.until) out.push_back(r.key);
  return out;
}

}  // namespace

crypto::Jwks RpKeys::jwks(time::TimePoint now) const {
  std::vector<crypto::Key> keys{signing.public_only()};
  for (const auto& k : still_valid(retired_signing, now)) keys.push_back(k.public_only());
  return crypto::Jwks(std::move(keys));
}

crypto::Jwks RpKeys::federation_jwks(time::TimePoint now) const {
  std::vector<crypto::Key> keys{federation.public_only()};
  for (const auto& k : still_valid(retired_federation, now)) keys.push_back(k.public_only());
  return crypto::Jwks(std::move(keys));
}

boost::json::object RpKeys::core_jwks_json(time::TimePoint now) const {
  boost::json::array keys{signing.public_jwk(),
                          crypto::encryption_jwk(encryption, crypto::JweAlg::rsa_oaep_256)};
  for (const auto& k : still_valid(retired_signing, now)) keys.push_back(k.public_jwk());
  for (const auto& k : still_valid(retired_encryption, now))
    keys.push_back(crypto::encryption_jwk(k, crypto::JweAlg::rsa_oaep_256));
  return {{"keys", std::move(keys)}};
}

std::vector<crypto::Key> RpKeys::decryption_keys(time::TimePoint now) const {
  std::vector<crypto::Key> keys{encryption};
  for (auto& k : still_valid(retired_encryption, now)) keys.push_back(std::move(k));
  return keys;
}

Result<RpKeys> RpKeys::from_rings(const Ring& core, const Ring& encryption, const Ring& federation,
                                  time::TimePoint now) {
  std::vector<crypto::Key> current;
  std::vector<std::vector<RetiredKey>> retired(3);
  std::size_t i = 0;
  for (const Ring* ring : {&core, &encryption, &federation}) {
    if (ring->signing == nullptr)
      return Error::make("keys.missing", 500, std::string(ring->purpose) + ": no key signs now");
    auto key = crypto::Key::from_private_pem(ring->signing->secret);
    if (!key) return key.error();
    current.push_back(std::move(key).value());
    if (ring->keys != nullptr) {
      for (const auto& k : *ring->keys) {
        if (k.id == ring->signing->id || !k.verifies() || !(now < k.not_after)) continue;
        auto old = crypto::Key::from_private_pem(k.secret);
        if (!old) return old.error();
        retired[i].push_back(RetiredKey{std::move(old).value(), k.not_after});
      }
    }
    ++i;
  }
  RpKeys out{current[0], current[1], current[2]};
  out.retired_signing = std::move(retired[0]);
  out.retired_encryption = std::move(retired[1]);
  out.retired_federation = std::move(retired[2]);
  return out;
}

Result<RpKeys> read_ring_keys(const std::string& keys_dir, const std::string& slug, time::TimePoint now) {
  std::vector<keys::KeyRing> rings;
  for (auto purpose :
       {keys::Purpose::oidc_core, keys::Purpose::oidc_encryption, keys::Purpose::oidc_federation}) {
    auto ring = keys::ensure_ring(keys_dir, slug, purpose, now);
    if (!ring) return ring.error();
    rings.push_back(std::move(*ring));
  }
  auto ring_of = [&](std::size_t i, std::string_view name) {
    return RpKeys::Ring{name, &rings[i].keys(), rings[i].signing(now)};
  };
  return RpKeys::from_rings(ring_of(0, "oidc-core"), ring_of(1, "oidc-encryption"),
                            ring_of(2, "oidc-federation"), now);
}

RpKeys RpKeyHolder::get() const {
  std::lock_guard lock(mu_);
  if (!keys_) {
    keys_ = make_();  // the first time a failure is the caller's (a start-up error)
    if (clock_ != nullptr) made_at_ = clock_->now();
    return *keys_;
  }
  if (clock_ != nullptr && every_.count() > 0 && clock_->now() - made_at_ >= every_) {
    made_at_ = clock_->now();
    try {
      keys_ = make_();
      last_error_.clear();
    } catch (const std::exception& e) {
      last_error_ = e.what();  // keep signing with the keys in hand
    }
  }
  return *keys_;
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
