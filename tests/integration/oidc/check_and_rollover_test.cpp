// `sportello oidc check` run as the real binary against the relying parties this suite publishes and the
// simulator's trust anchor; and key rollover: retired keys stay published beside the new ones until
// their validity ends, so a sign-in in flight across the rotation still completes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/jwt.hpp"
#include "core/keys/key_ring.hpp"
#include "env.hpp"
#include "support/testing.hpp"

namespace sp::oidc::testing {
namespace {
namespace json = boost::json;

// The binary reads the system clock: the entity configurations must be issued at the same time.
class SystemTime {
 public:
  SystemTime() : saved_(env().clock.now()) { env().clock.set(std::chrono::system_clock::now()); }
  ~SystemTime() { env().clock.set(saved_); }
  SystemTime(const SystemTime&) = delete;
  SystemTime& operator=(const SystemTime&) = delete;

 private:
  time::TimePoint saved_;
};

sp::testing::CommandRun oidc_check(const std::string& args, const std::string& public_url = {}) {
  std::string command = "SPORTELLO_SHARE_DIR='" + sp::testing::source_dir() + "' ";
  if (!public_url.empty()) command += "SPORTELLO_PUBLIC_URL='" + public_url + "' ";
  return sp::testing::run_command(command + "'" + sp::testing::binary() + "' oidc check " + args + " 2>&1");
}

TEST(OidcCheckCli, TheHubAndABodyPassAgainstTheAnchorAndAForeignAnchorOrNoServerFails) {
  SystemTime now;
  const std::string anchor = env().sim->simulator().anchor_id();
  auto hub = oidc_check("'" + env().client_id + "' --anchor '" + anchor + "'");
  EXPECT_EQ(hub.rc, 0) << hub.out;
  for (const char* id :
       {"ec.reachable", "ec.signature", "ec.authority_hints", "rp.client_id", "rp.jwks.sig_and_enc",
        "keys.federation_distinct", "rp.federation_policy", "fe.present", "ec.trust_marks"})
    EXPECT_NE(hub.out.find(std::string("ok   ") + id), std::string::npos) << id << "\n" << hub.out;
  EXPECT_EQ(hub.out.find("FAIL"), std::string::npos) << hub.out;

  // A body by its IPA code, under public_url: its own client_id.
  auto body = oidc_check(env().bodies[0].ipa_code + " --anchor '" + anchor + "'", env().client_id);
  EXPECT_EQ(body.rc, 0) << body.out;
  EXPECT_NE(body.out.find("ok   rp.client_id"), std::string::npos) << body.out;

  // Another anchor of the federation did not issue the body's trust mark: its signature does not verify.
  auto sibling = start_simulator_thread(sibling_simulator(), 0);
  auto foreign = oidc_check(env().bodies[1].ipa_code + " --anchor '" + sibling->simulator().anchor_id() + "'",
                            env().client_id);
  EXPECT_EQ(foreign.rc, 1) << foreign.out;
  EXPECT_NE(foreign.out.find("FAIL ec.trust_marks"), std::string::npos) << foreign.out;

  // Nobody publishes there.
  auto nowhere = oidc_check("c_z999", "http://127.0.0.1:" + std::to_string(sp::testing::free_port()));
  EXPECT_EQ(nowhere.rc, 1) << nowhere.out;
  EXPECT_NE(nowhere.out.find("FAIL ec.reachable"), std::string::npos) << nowhere.out;
}

std::set<std::string> kids(const json::value& jwks) {
  std::set<std::string> out;
  for (const auto& k : jwks.at("keys").as_array()) out.insert(std::string(k.at("kid").as_string()));
  return out;
}

TEST(OidcKeyRollover, RetiredKeysStayPublishedUntilTheirEndAndASignInInFlightCompletes) {
  auto& body = env().bodies[1];
  const RpKeys old = body.keys;
  ProviderConfig pc = env().provider();
  pc.client_id = body.client_id;
  pc.redirect_uri = body.client_id + "auth/callback";

  // A sign-in starts with the old keys (its request object signed by the old core key) ...
  Client before(pc, old, env().clock);
  auto begun = before.begin(2);
  ASSERT_TRUE(begun.ok()) << begun.error().code;
  AuthRequest pending = *begun;

  // ... and the body's keys rotate before the browser reaches the provider.
  RpKeys rotated = RpKeys::generate();
  const auto until = env().clock.now() + std::chrono::hours(1);
  rotated.retired_signing = {RetiredKey{old.signing, until}};
  rotated.retired_encryption = {RetiredKey{old.encryption, until}};
  rotated.retired_federation = {RetiredKey{old.federation, until}};
  body.publication->set_keys(rotated);
  body.keys = rotated;

  auto core = env().http.get(body.client_id + ".well-known/jwks.json");
  ASSERT_TRUE(core.ok());
  const auto published = kids(json::parse(core->body));
  for (const crypto::Key* k : std::initializer_list<const crypto::Key*>{&rotated.signing, &rotated.encryption,
                                                                        &old.signing, &old.encryption})
    EXPECT_EQ(published.count(k->kid()), 1u) << k->kid();
  auto ec = env().http.get(body.client_id + ".well-known/openid-federation");
  ASSERT_TRUE(ec.ok());
  auto claims = crypto::decode_jwt_unverified(ec->body);
  ASSERT_TRUE(claims.ok());
  const auto federation = kids(claims->payload.at("jwks"));
  EXPECT_EQ(federation.count(old.federation.kid()), 1u);
  EXPECT_EQ(federation.count(rotated.federation.kid()), 1u);
  EXPECT_TRUE(crypto::verify_jwt(ec->body, rotated.federation_jwks()).ok()) << "signed by the new key";

  // The provider verifies the old request object against the published keys; the new client (new keys,
  // the old ones retired) redeems the code and reads userinfo, whichever key it was encrypted to.
  Page page = open_authorize(pending.redirect_url);
  ASSERT_EQ(page.status, 200) << page.body;
  Callback cb = confirm(page, kMario);
  ASSERT_FALSE(cb.code.empty()) << cb.location;
  Client after(pc, rotated, env().clock);
  auto id = after.complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kMario);

  // Past their validity the retired keys are no longer published.
  env().clock.advance(std::chrono::hours(2));
  auto later = env().http.get(body.client_id + ".well-known/jwks.json");
  ASSERT_TRUE(later.ok());
  const auto now_published = kids(json::parse(later->body));
  EXPECT_EQ(now_published.count(old.signing.kid()), 0u);
  EXPECT_EQ(now_published.count(old.encryption.kid()), 0u);
  EXPECT_EQ(now_published.count(rotated.signing.kid()), 1u);
  env().clock.advance(-std::chrono::hours(2));

  // The suite goes on with the rotated keys (the simulator may have cached either encryption key), the
  // old ones retired for long enough.
  const auto later_until = env().clock.now() + std::chrono::hours(24 * 365);
  for (auto* list : {&rotated.retired_signing, &rotated.retired_encryption, &rotated.retired_federation})
    for (auto& r : *list) r.until = later_until;
  body.publication->set_keys(rotated);
  body.keys = rotated;
}

TEST(OidcKeyRollover, RotatedRingsAreReadAgainWithoutARestartAndTokensInFlightSurvive) {
  // A body's keys as the server holds them: read from its rings, read again every five minutes.
  auto& body = env().bodies[0];
  sp::testing::TempDir temp;
  const std::string dir = temp.path();
  const std::string slug = "asti";
  constexpr std::chrono::seconds kEvery{300};
  bool unreadable = false;
  auto holder = std::make_shared<RpKeyHolder>(
      [&] {
        auto keys = read_ring_keys(dir, slug, env().clock.now());
        if (unreadable || !keys) throw std::runtime_error("keys.io: the rings cannot be read");
        return std::move(keys).value();
      },
      env().clock, kEvery);
  const RpKeys first = holder->get();
  body.publication->set_key_holder(holder);
  ProviderConfig pc = env().provider();
  pc.client_id = body.client_id;
  pc.redirect_uri = body.client_id + "auth/callback";
  Client client(pc, holder, env().clock);  // the body's client shares the holder, as in the app

  // A sign-in with the first keys; then a second one starts (its request object signed by them) ...
  AuthRequest done;
  Callback ok = sign_in(client, done, 2, kMario);
  auto signed_in = client.complete(ok.code, done);
  ASSERT_TRUE(signed_in.ok()) << signed_in.error().code << " " << signed_in.error().detail;
  auto begun = client.begin(2);
  ASSERT_TRUE(begun.ok()) << begun.error().code;
  Page page = open_authorize(begun->redirect_url);
  ASSERT_EQ(page.status, 200) << page.body;

  // ... and the operator rotates the three rings (`sportello keys rotate`), the server still running.
  for (auto purpose :
       {keys::Purpose::oidc_core, keys::Purpose::oidc_encryption, keys::Purpose::oidc_federation})
    ASSERT_TRUE(keys::rotate(dir, slug, purpose, env().clock.now()).ok());
  EXPECT_EQ(holder->get().signing.kid(), first.signing.kid()) << "read again only once the period is over";
  env().clock.advance(kEvery);
  const RpKeys second = holder->get();
  EXPECT_NE(second.signing.kid(), first.signing.kid());
  EXPECT_NE(second.encryption.kid(), first.encryption.kid());
  EXPECT_NE(second.federation.kid(), first.federation.kid());
  EXPECT_TRUE(holder->last_error().empty()) << holder->last_error();

  // Old and new side by side: the core JWKS, the entity configuration's federation keys (signed by the new).
  auto core = env().http.get(body.client_id + ".well-known/jwks.json");
  ASSERT_TRUE(core.ok());
  const auto published = kids(json::parse(core->body));
  for (const auto* k : {&first.signing, &first.encryption, &second.signing, &second.encryption})
    EXPECT_EQ(published.count(k->kid()), 1u) << k->kid();
  auto ec = env().http.get(body.client_id + ".well-known/openid-federation");
  ASSERT_TRUE(ec.ok());
  auto claims = crypto::decode_jwt_unverified(ec->body);
  ASSERT_TRUE(claims.ok());
  const auto federation = kids(claims->payload.at("jwks"));
  EXPECT_EQ(federation.count(first.federation.kid()), 1u);
  EXPECT_EQ(federation.count(second.federation.kid()), 1u);
  EXPECT_TRUE(crypto::verify_jwt(ec->body, second.federation_jwks()).ok()) << "signed by the new key";

  // The sign-in in flight completes: the code redeemed with an assertion of the new core key, userinfo
  // encrypted to whichever of the two keys the provider has cached still read.
  Callback cb = confirm(page, kGiulia);
  ASSERT_FALSE(cb.code.empty()) << cb.location;
  auto id = client.complete(cb.code, *begun);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kGiulia);
  const std::string old_jwe =
      crypto::encrypt_jwe("x", first.encryption, crypto::JweAlg::rsa_oaep_256, crypto::JweEnc::a256gcm);
  EXPECT_TRUE(crypto::decrypt_jwe(old_jwe, holder->get().decryption_keys(env().clock.now())).ok());
  // The token obtained before the rotation is still revocable with the new keys.
  EXPECT_TRUE(client.revoke(signed_in->access_token).ok());
  EXPECT_FALSE(env().sim->simulator().token_active(signed_in->access_token));

  // Rings that cannot be read for a while: the keys in hand stay, and the error is said.
  unreadable = true;
  env().clock.advance(kEvery);
  EXPECT_EQ(holder->get().signing.kid(), second.signing.kid());
  EXPECT_FALSE(holder->last_error().empty());

  // The suite goes on with fixed keys (the second ones, the first retired for a year).
  body.keys = second;
  body.publication->set_keys(second);
}

}  // namespace
}  // namespace sp::oidc::testing
