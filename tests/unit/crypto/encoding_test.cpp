// Vectors: RFC 4648 section 10 (base32 and base64), RFC 7515 appendix C (base64url without padding).
#include "core/crypto/encoding.hpp"

#include <gtest/gtest.h>

namespace {

using sp::crypto::base32_decode;
using sp::crypto::base32_encode;
using sp::crypto::base64_decode;
using sp::crypto::base64_encode;
using sp::crypto::base64url_decode;
using sp::crypto::base64url_encode;
using sp::crypto::hex_decode;
using sp::crypto::hex_encode;

struct Vector {
  std::string_view plain, encoded;
};

// RFC 4648 section 10.
constexpr Vector kBase32[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};

TEST(Base32, EncodesRfc4648Vectors) {
  for (const auto& v : kBase32) EXPECT_EQ(base32_encode(v.plain), v.encoded) << v.plain;
}

TEST(Base32, DecodesRfc4648Vectors) {
  for (const auto& v : kBase32) {
    auto decoded = base32_decode(v.encoded);
    ASSERT_TRUE(decoded) << v.encoded;
    EXPECT_EQ(*decoded, v.plain);
  }
}

TEST(Base32, UnpaddedLowerCaseAndGroupedForms) {
  EXPECT_EQ(base32_encode("foobar", false), "MZXW6YTBOI");
  EXPECT_EQ(base32_decode("MZXW6YTBOI").value_or("?"), "foobar");
  EXPECT_EQ(base32_decode("mzxw6ytboi").value_or("?"), "foobar");
  EXPECT_EQ(base32_decode("MZXW 6YTB OI").value_or("?"), "foobar");
}

TEST(Base32, RejectsWhatIsNotBase32) {
  EXPECT_FALSE(base32_decode("MZXW6YT1"));  // '1' is not in the alphabet (it would be confused with I)
  EXPECT_FALSE(base32_decode("MZXW6YT8"));  // neither is 8
  EXPECT_FALSE(base32_decode("M"));         // one symbol cannot hold a byte
  EXPECT_FALSE(base32_decode("MZX"));       // nor three
  EXPECT_FALSE(base32_decode("MZ=XW6=="));  // data after padding
  EXPECT_FALSE(base32_decode("MZXW6=="));   // padding to a non-multiple of 8
  EXPECT_FALSE(base32_decode("MB"));        // 'B' leaves a non-zero unused bit
}

// RFC 4648 section 10 base64 vectors, in the URL-safe alphabet without padding.
TEST(Base64Url, EncodesAndDecodesRfc4648Vectors) {
  constexpr Vector kVectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& v : kVectors) {
    EXPECT_EQ(base64url_encode(v.plain), v.encoded);
    EXPECT_EQ(base64url_decode(v.encoded).value_or("?"), v.plain);
  }
}

// RFC 7515 appendix C: the bytes 3, 236, 255, 224, 193 encode as "A-z_4ME".
TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  const std::string bytes{'\x03', '\xEC', '\xFF', '\xE0', '\xC1'};
  EXPECT_EQ(base64url_encode(bytes), "A-z_4ME");
  EXPECT_EQ(base64url_decode("A-z_4ME").value_or("?"), bytes);
}

TEST(Base64Url, IsStrict) {
  EXPECT_FALSE(base64url_decode("Zm8="));     // padding
  EXPECT_FALSE(base64url_decode("A+z/4ME"));  // the standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v Yg"));  // whitespace
  EXPECT_FALSE(base64url_decode("Zm9"));      // "Zm9" has non-zero unused bits ("Zm8" is "fo")
  EXPECT_FALSE(base64url_decode("Z"));        // one character cannot hold a byte
}

// RFC 4648 section 10, standard alphabet with padding.
TEST(Base64, EncodesAndDecodesRfc4648Vectors) {
  constexpr Vector kBase64[] = {{"", ""},
                                {"f", "Zg=="},
                                {"fo", "Zm8="},
                                {"foo", "Zm9v"},
                                {"foob", "Zm9vYg=="},
                                {"fooba", "Zm9vYmE="},
                                {"foobar", "Zm9vYmFy"}};
  for (const auto& v : kBase64) {
    EXPECT_EQ(base64_encode(v.plain), v.encoded);
    EXPECT_EQ(base64_decode(v.encoded).value_or("?"), v.plain);
  }
  const std::string bytes{'\x03', '\xEC', '\xFF', '\xE0', '\xC1'};
  EXPECT_EQ(base64_encode(bytes), "A+z/4ME=");
}

// What e-mail bodies bring: line breaks every 76 characters, sometimes no padding.
TEST(Base64, DecodesMimeTextLenientlyButRefusesOtherCharacters) {
  EXPECT_EQ(base64_decode("Zm9v\r\nYmFy").value_or("?"), "foobar");
  EXPECT_EQ(base64_decode(" Zm9vYg\t").value_or("?"), "foob");
  EXPECT_FALSE(base64_decode("Zm9v*mFy"));
  EXPECT_FALSE(base64_decode("Zm8=Zm8="));  // data after padding
  EXPECT_FALSE(base64_decode("A-z_4ME"));   // the URL-safe alphabet
}

TEST(Hex, RoundTripsAndRefusesWhatIsNotHex) {
  const std::string bytes{'\x00', '\x7f', '\x80', '\xff'};
  EXPECT_EQ(hex_encode(bytes), "007f80ff");
  EXPECT_EQ(hex_decode("007f80ff").value_or("?"), bytes);
  EXPECT_EQ(hex_decode("007F80FF").value_or("?"), bytes);
  EXPECT_FALSE(hex_decode("007"));
  EXPECT_FALSE(hex_decode("00zz"));
  EXPECT_EQ(hex_decode("").value_or("?"), "");
}

}  // namespace
