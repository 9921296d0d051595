// Check digits verified by hand and with an independent Python implementation of SPEC.md's rule;
// 00743110157 is SPEC's example.
#include "core/partita_iva.hpp"

#include <gtest/gtest.h>

namespace {

std::string piva_error(std::string_view input) {
  auto st = sp::piva::validate(input);
  return st ? "ok" : st.error().code;
}

TEST(PartitaIva, CheckDigit) {
  EXPECT_EQ(sp::piva::check_digit("0074311015"), 7);
  EXPECT_EQ(sp::piva::check_digit("1234567001"), 7);
  EXPECT_EQ(sp::piva::check_digit("1234567999"), 2);
  EXPECT_EQ(sp::piva::check_digit("1234567101"), 5);
}

TEST(PartitaIva, AcceptsValidNumbers) {
  EXPECT_EQ(piva_error("00743110157"), "ok");
  EXPECT_EQ(piva_error("12345670017"), "ok");
  EXPECT_EQ(piva_error(" 00743110157\n"), "ok");
  EXPECT_EQ(piva_error("IT00743110157"), "ok");
  EXPECT_EQ(piva_error("it00743110157"), "ok");
}

TEST(PartitaIva, Errors) {
  EXPECT_EQ(piva_error(""), "piva.length");
  EXPECT_EQ(piva_error("0074311015"), "piva.length");
  EXPECT_EQ(piva_error("007431101570"), "piva.length");
  EXPECT_EQ(piva_error("0074311015A"), "piva.format");
  EXPECT_EQ(piva_error("00743 10157"), "piva.format");
  EXPECT_EQ(piva_error("00743110158"), "piva.check");
  EXPECT_EQ(piva_error("00743110517"), "piva.check");  // transposed digits
  // All zeros passes the check digit (0) but is never issued.
  EXPECT_EQ(sp::piva::check_digit("0000000000"), 0);
  EXPECT_EQ(piva_error("00000000000"), "piva.zero");
  EXPECT_EQ(piva_error("00000000017"), "piva.zero");  // serial 0000000 with office 001
  EXPECT_EQ(piva_error("00000010017"), "ok");
  auto st = sp::piva::validate("00743110158");
  EXPECT_EQ(st.error().message_key, "error.piva.check");
  EXPECT_NE(st.error().detail.find("expected 7"), std::string::npos) << st.error().detail;
}

TEST(PartitaIva, DecodesOffice) {
  auto d = sp::piva::decode("IT00743110157");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->number, "00743110157");
  EXPECT_EQ(d->serial, "0074311");
  EXPECT_EQ(d->office_code, 15);
  EXPECT_EQ(d->office_kind, sp::piva::OfficeKind::provincial);

  auto special = sp::piva::decode("12345679992");
  ASSERT_TRUE(special.ok());
  EXPECT_EQ(special->office_code, 999);
  EXPECT_EQ(special->office_kind, sp::piva::OfficeKind::special);

  auto unknown = sp::piva::decode("12345671015");
  ASSERT_TRUE(unknown.ok());  // reported, not rejected
  EXPECT_EQ(unknown->office_code, 101);
  EXPECT_EQ(unknown->office_kind, sp::piva::OfficeKind::unknown);

  EXPECT_EQ(sp::piva::decode("00743110158").error().code, "piva.check");
}

}  // namespace
