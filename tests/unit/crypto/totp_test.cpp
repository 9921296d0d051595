// Vectors: RFC 4226 appendix D (HOTP) and RFC 6238 appendix B (TOTP). RFC 6238's text names the
// 20-byte seed for all three hashes, but its reference code (appendix A) and the published table use a
// seed as long as the hash: 32 bytes for SHA-256, 64 for SHA-512 (RFC errata 2866).
#include "core/crypto/totp.hpp"

#include <gtest/gtest.h>

#include "core/crypto/encoding.hpp"

namespace {

using namespace std::chrono_literals;
using sp::crypto::HashAlgorithm;
using sp::crypto::TotpParams;

const std::string kSeed20 = "12345678901234567890";
const std::string kSeed32 = "12345678901234567890123456789012";
const std::string kSeed64 = "1234567890123456789012345678901234567890123456789012345678901234";

sp::time::TimePoint unix_time(std::int64_t seconds) {
  return sp::time::TimePoint{std::chrono::seconds{seconds}};
}

TEST(Hotp, Rfc4226AppendixD) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(sp::crypto::hotp(kSeed20, counter), expected[counter]) << "counter " << counter;
  }
}

TEST(Hotp, RejectsDigitCountsOutsideSixToEight) {
  EXPECT_THROW(sp::crypto::hotp(kSeed20, 0, 5), std::invalid_argument);
  EXPECT_THROW(sp::crypto::hotp(kSeed20, 0, 9), std::invalid_argument);
}

struct TotpVector {
  std::int64_t time;
  std::uint64_t step;  // T, as in the table's hex column
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238 appendix B, 8 digits, X = 30, T0 = 0.
constexpr TotpVector kRfc6238[] = {
    {59, 0x1, "94287082", "46119246", "90693936"},
    {1111111109, 0x23523EC, "07081804", "68084774", "25091201"},
    {1111111111, 0x23523ED, "14050471", "67062674", "99943326"},
    {1234567890, 0x273EF07, "89005924", "91819424", "93441116"},
    {2000000000, 0x3F940AA, "69279037", "90698825", "38618901"},
    {20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"},
};

TEST(Totp, Rfc6238AppendixB) {
  for (const auto& v : kRfc6238) {
    const std::chrono::sys_seconds at{std::chrono::seconds{v.time}};
    EXPECT_EQ(sp::crypto::totp_time_step(at), v.step) << v.time;
    EXPECT_EQ(sp::crypto::totp_code(kSeed20, at, {HashAlgorithm::sha1, 8}), v.sha1) << v.time;
    EXPECT_EQ(sp::crypto::totp_code(kSeed32, at, {HashAlgorithm::sha256, 8}), v.sha256) << v.time;
    EXPECT_EQ(sp::crypto::totp_code(kSeed64, at, {HashAlgorithm::sha512, 8}), v.sha512) << v.time;
  }
}

TEST(Totp, SixDigitsAreTheLastSixOfTheTruncatedValue) {
  // Same dynamic truncation, modulo 10^6 instead of 10^8.
  EXPECT_EQ(sp::crypto::totp_code(kSeed20, unix_time(59)), "287082");
  EXPECT_EQ(sp::crypto::totp_code(kSeed20, unix_time(1111111109)), "081804");
}

TEST(Totp, TimePointAndSecondsAgree) {
  const std::chrono::sys_seconds at{std::chrono::seconds{1234567890}};
  EXPECT_EQ(sp::crypto::totp_code(kSeed20, unix_time(1234567890)), sp::crypto::totp_code(kSeed20, at));
  EXPECT_EQ(sp::crypto::totp_code(kSeed20, unix_time(1234567890)), "005924");
}

TEST(Totp, StepAndT0AreConfigurable) {
  TotpParams params;
  params.step = 60s;
  params.t0 = 30s;
  EXPECT_EQ(sp::crypto::totp_time_step(unix_time(89), params), 0u);
  EXPECT_EQ(sp::crypto::totp_time_step(unix_time(90), params), 1u);
  EXPECT_THROW((void)sp::crypto::totp_time_step(unix_time(29), params), std::invalid_argument);
}

TEST(TotpVerify, AcceptsOneStepEachWayAndReturnsTheStep) {
  const auto at = unix_time(1111111111);  // step 0x23523ED
  const std::uint64_t now = 0x23523ED;
  for (std::uint64_t step : {now - 1, now, now + 1}) {
    const std::string code = sp::crypto::hotp(kSeed20, step);
    auto r = sp::crypto::verify_totp(kSeed20, code, at);
    ASSERT_TRUE(r.ok()) << step;
    EXPECT_EQ(*r, step);
  }
}

TEST(TotpVerify, RefusesCodesTwoStepsAway) {
  const auto at = unix_time(1111111111);
  const std::uint64_t now = 0x23523ED;
  for (std::uint64_t step : {now - 2, now + 2}) {
    auto r = sp::crypto::verify_totp(kSeed20, sp::crypto::hotp(kSeed20, step), at);
    ASSERT_FALSE(r.ok()) << step;
    EXPECT_EQ(r.error().code, "totp.invalid");
  }
}

TEST(TotpVerify, RefusesAWrongCodeAndAnotherSecret) {
  const auto at = unix_time(59);
  auto wrong = sp::crypto::verify_totp(kSeed20, "287083", at);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "totp.invalid");
  auto other = sp::crypto::verify_totp("another secret here!", "287082", at);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "totp.invalid");
}

TEST(TotpVerify, RefusesReplayOfTheSameOrAnEarlierStep) {
  const auto at = unix_time(1111111111);
  const std::uint64_t now = 0x23523ED;
  const std::string code = sp::crypto::hotp(kSeed20, now);
  auto first = sp::crypto::verify_totp(kSeed20, code, at);
  ASSERT_TRUE(first.ok());
  auto again = sp::crypto::verify_totp(kSeed20, code, at, {}, *first);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "totp.replayed");
  // An older code after a newer one was used: also refused.
  auto older = sp::crypto::verify_totp(kSeed20, sp::crypto::hotp(kSeed20, now - 1), at, {}, now);
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code, "totp.replayed");
  // The next step after the last used one is fine.
  auto next = sp::crypto::verify_totp(kSeed20, sp::crypto::hotp(kSeed20, now + 1), at, {}, now);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, now + 1);
}

TEST(TotpVerify, ChecksTheFormat) {
  const auto at = unix_time(59);
  EXPECT_TRUE(sp::crypto::verify_totp(kSeed20, "287 082", at).ok());  // grouped as apps show it
  for (const char* bad : {"28708", "2870820", "28708a", "", "287-082"}) {
    auto r = sp::crypto::verify_totp(kSeed20, bad, at);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "totp.format") << bad;
  }
}

TEST(TotpVerify, WorksAtTheVeryFirstStep) {
  auto r = sp::crypto::verify_totp(kSeed20, sp::crypto::hotp(kSeed20, 0), unix_time(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
}

TEST(TotpSecret, IsRandomTwentyBytes) {
  const auto a = sp::crypto::generate_totp_secret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, sp::crypto::generate_totp_secret());
}

TEST(TotpUri, EncodesIssuerAccountAndSecret) {
  EXPECT_EQ(sp::crypto::totp_provisioning_uri("Comune di Asti", "mario.rossi@asti.it", kSeed20),
            "otpauth://totp/Comune%20di%20Asti:mario.rossi%40asti.it?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Comune%20di%20Asti&algorithm=SHA1&digits=6&period=30");
}

TEST(TotpUri, EncodesColonsAmpersandsAndAccents) {
  TotpParams params{HashAlgorithm::sha256, 8, 60s};
  EXPECT_EQ(sp::crypto::totp_provisioning_uri("Città: A&B", "a+b/c?d", "\x01", params),
            "otpauth://totp/Citt%C3%A0%3A%20A%26B:a%2Bb%2Fc%3Fd?secret=AE"
            "&issuer=Citt%C3%A0%3A%20A%26B&algorithm=SHA256&digits=8&period=60");
}

TEST(TotpUri, SecretRoundTripsThroughBase32) {
  const auto key = sp::crypto::generate_totp_secret();
  const auto uri = sp::crypto::totp_provisioning_uri("X", "y", key);
  const auto start = uri.find("secret=") + 7;
  const auto secret = uri.substr(start, uri.find('&', start) - start);
  EXPECT_EQ(sp::crypto::base32_decode(secret).value_or(""), key);
}

}  // namespace
