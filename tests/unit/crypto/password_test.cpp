#include "core/crypto/password.hpp"

#include <gtest/gtest.h>

namespace {

using sp::crypto::PasswordCost;

std::string policy_code(std::string_view password, std::string_view username = {}) {
  auto r = sp::crypto::check_password_policy(password, username);
  return r ? "ok" : r.error().code;
}

// One hash for the tests that only read it: argon2id at 64 MiB takes a noticeable fraction of a second.
const std::string& sample_hash() {
  static const std::string hash = [] {
    auto h = sp::crypto::hash_password("cavallo batteria graffetta");
    EXPECT_TRUE(h.ok());
    return h ? *h : std::string();
  }();
  return hash;
}

TEST(PasswordHash, IsArgon2idInLibsodiumFormat) {
  EXPECT_EQ(sample_hash().rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << sample_hash();
}

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  EXPECT_TRUE(sp::crypto::verify_password(sample_hash(), "cavallo batteria graffetta"));
  EXPECT_FALSE(sp::crypto::verify_password(sample_hash(), "cavallo batteria graffettA"));
  EXPECT_FALSE(sp::crypto::verify_password(sample_hash(), "cavallo batteria graffetta "));
  EXPECT_FALSE(sp::crypto::verify_password(sample_hash(), ""));
}

TEST(PasswordHash, IsSaltedSoTwoHashesDiffer) {
  auto again = sp::crypto::hash_password("cavallo batteria graffetta");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, sample_hash());
  EXPECT_TRUE(sp::crypto::verify_password(*again, "cavallo batteria graffetta"));
}

TEST(PasswordHash, MalformedHashesNeverVerify) {
  EXPECT_FALSE(sp::crypto::verify_password("", "x"));
  EXPECT_FALSE(sp::crypto::verify_password("not a hash", "not a hash"));
  std::string damaged = sample_hash();
  damaged.back() = damaged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(sp::crypto::verify_password(damaged, "cavallo batteria graffetta"));
}

TEST(PasswordHash, RefusesOverlongPasswords) {
  const std::string huge(sp::crypto::kMaxPasswordBytes + 1, 'x');
  auto r = sp::crypto::hash_password(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "password.too_long");
  EXPECT_FALSE(sp::crypto::verify_password(sample_hash(), huge));
}

TEST(PasswordHash, NeedsRehashWhenTheCostChanges) {
  EXPECT_FALSE(sp::crypto::needs_rehash(sample_hash(), PasswordCost::interactive()));
  EXPECT_TRUE(sp::crypto::needs_rehash(sample_hash(), PasswordCost::moderate()));
  EXPECT_TRUE(sp::crypto::needs_rehash("$2y$10$notargon2", PasswordCost::interactive()));
  EXPECT_TRUE(sp::crypto::needs_rehash("", PasswordCost::interactive()));
}

TEST(PasswordHash, CustomCostIsWrittenIntoTheHash) {
  const PasswordCost cheap{3, 8u * 1024 * 1024};  // 8 MiB
  auto h = sp::crypto::hash_password("cavallo batteria graffetta", cheap);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=8192,t=3,p=1$", 0), 0u) << *h;
  EXPECT_FALSE(sp::crypto::needs_rehash(*h, cheap));
  EXPECT_TRUE(sp::crypto::needs_rehash(*h));
  EXPECT_TRUE(sp::crypto::verify_password(*h, "cavallo batteria graffetta"));
}

TEST(PasswordPolicy, AcceptsAReasonablePassword) {
  EXPECT_EQ(policy_code("cavallo batteria graffetta", "mrossi"), "ok");
  EXPECT_EQ(policy_code("Tr0mb0ne!Viola"), "ok");
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  EXPECT_EQ(policy_code("abcdefghijk"), "password.too_short");  // 11
  EXPECT_EQ(policy_code("abcdefghijkm"), "ok");                 // 12
  EXPECT_EQ(policy_code("perché città"), "ok");                 // 12 characters, 14 bytes
  EXPECT_EQ(policy_code("perchè citt"), "password.too_short");  // 11 characters, 12 bytes
}

TEST(PasswordPolicy, RefusesOneRepeatedCharacter) {
  EXPECT_EQ(policy_code("aaaaaaaaaaaa"), "password.repeated");
  EXPECT_EQ(policy_code("àààààààààààà"), "password.repeated");
  EXPECT_EQ(policy_code("aaaaaaaaaaab"), "ok");
}

TEST(PasswordPolicy, RefusesTheUsernameIgnoringCase) {
  EXPECT_EQ(policy_code("Mario.Rossi.Asti", "mario.rossi.asti"), "password.username");
  EXPECT_EQ(policy_code("mario.rossi.asti2", "mario.rossi.asti"), "ok");
}

TEST(PasswordPolicy, RefusesCommonPasswordsIgnoringCase) {
  EXPECT_EQ(policy_code("password1234"), "password.common");
  EXPECT_EQ(policy_code("PassWord1234"), "password.common");
  EXPECT_EQ(policy_code("123456789012"), "password.common");
  EXPECT_EQ(policy_code("qwertyuiop12"), "password.common");
}

TEST(PasswordPolicy, RefusesOverlongAndNamesTheField) {
  auto r = sp::crypto::check_password_policy(std::string(sp::crypto::kMaxPasswordBytes + 1, 'x') + "y");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "password.too_long");
  EXPECT_EQ(r.error().field, "password");
  EXPECT_EQ(r.error().message_key, "error.password.too_long");
}

}  // namespace
