#include "core/crypto/pkce.hpp"

#include <gtest/gtest.h>

namespace {

// RFC 7636 appendix B.
TEST(Pkce, Rfc7636AppendixB) {
  EXPECT_EQ(sp::crypto::pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, VerifiersHaveTheAskedLengthAndAlphabet) {
  for (std::size_t length : {43u, 64u, 100u, 128u}) {
    const auto v = sp::crypto::pkce_verifier(length);
    EXPECT_EQ(v.size(), length);
    EXPECT_TRUE(sp::crypto::is_valid_pkce_verifier(v)) << v;
  }
  EXPECT_NE(sp::crypto::pkce_verifier(), sp::crypto::pkce_verifier());
  EXPECT_THROW((void)sp::crypto::pkce_verifier(42), std::invalid_argument);
  EXPECT_THROW((void)sp::crypto::pkce_verifier(129), std::invalid_argument);
}

TEST(Pkce, ValidatesVerifiers) {
  EXPECT_TRUE(sp::crypto::is_valid_pkce_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  EXPECT_TRUE(sp::crypto::is_valid_pkce_verifier(std::string(43, '~')));
  EXPECT_FALSE(sp::crypto::is_valid_pkce_verifier(std::string(42, 'a')));
  EXPECT_FALSE(sp::crypto::is_valid_pkce_verifier(std::string(129, 'a')));
  EXPECT_FALSE(sp::crypto::is_valid_pkce_verifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(sp::crypto::is_valid_pkce_verifier(std::string(42, 'a') + "="));
}

}  // namespace
