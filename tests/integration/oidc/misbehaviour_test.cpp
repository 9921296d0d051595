// Each way the simulated provider can lie is refused by the relying party with its own error code
// (OpenID Connect Core section 3.1.3.7).
#include <gtest/gtest.h>

#include "env.hpp"

namespace sp::oidc::testing {
namespace {

struct Case {
  const char* behaviour;
  const char* code;
};

class Misbehaviour : public ::testing::TestWithParam<Case> {};

TEST_P(Misbehaviour, IsRefusedWithItsOwnCode) {
  auto client = env().client();
  // A normal sign-in first: it proves the setup works, and gives replayed_nonce an earlier nonce.
  AuthRequest earlier;
  Callback ok = sign_in(*client, earlier, 2, kMario);
  auto fine = client->complete(ok.code, earlier);
  ASSERT_TRUE(fine.ok()) << fine.error().code;

  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario, GetParam().behaviour);
  auto id = client->complete(cb.code, pending);
  ASSERT_FALSE(id.ok()) << GetParam().behaviour << " was accepted";
  EXPECT_EQ(id.error().code, GetParam().code) << id.error().detail;
  EXPECT_EQ(id.error().message_key, std::string("error.") + GetParam().code);
}

INSTANTIATE_TEST_SUITE_P(Oidc, Misbehaviour,
                         ::testing::Values(Case{"bad_signature", "oidc.id_token_signature"},
                                           Case{"expired", "oidc.id_token_expired"},
                                           Case{"wrong_audience", "oidc.id_token_audience"},
                                           Case{"replayed_nonce", "oidc.nonce"},
                                           Case{"lower_acr", "oidc.acr"},
                                           // issue 14: at_hash, and userinfo signed then encrypted only
                                           Case{"bad_at_hash", "oidc.id_token_at_hash"},
                                           Case{"plain_userinfo", "oidc.userinfo_format"},
                                           Case{"signed_only_userinfo", "oidc.userinfo_format"},
                                           Case{"userinfo_bad_signature", "oidc.userinfo"}),
                         [](const auto& info) { return std::string(info.param.behaviour); });

TEST(OidcMisbehaviour, LowerAcrAtLevel3IsRefusedToo) {
  // lower_acr answers L2 to an L3 request: still below what was asked.
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 3, kGiulia, "lower_acr");
  auto id = client->complete(cb.code, pending);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, "oidc.acr");
}

}  // namespace
}  // namespace sp::oidc::testing
