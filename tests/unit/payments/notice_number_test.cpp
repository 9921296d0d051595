// Notice numbers (NAV) and IUVs: vectors from public sources, and wrong ones. Expected check digits are
// computed here with plain 64-bit arithmetic (std::stoull % 93) or were computed apart (noted), never
// by the code under test.
#include "payments/notice_number.hpp"

#include <gtest/gtest.h>

#include <string>

#include "payments/iban.hpp"

namespace sp::payments {
namespace {

// int(nav[0:16]) % 93, two digits: the rule as SPEC §4 and ../shared/pagopa/README.md state it.
std::string expected_check(const std::string& first16) {
  const auto r = std::stoull(first16) % 93;
  return (r < 10 ? "0" : "") + std::to_string(r);
}

TEST(NoticeNumber, SpecExampleAux3) {
  // SPEC §4: seg 02, base 0320027000002, check 51.
  auto n = parse_notice_number("302032002700000251");
  ASSERT_TRUE(n.ok()) << n.error().code;
  EXPECT_EQ(n->aux_digit, 3);
  EXPECT_EQ(n->segregation_code, "02");
  EXPECT_EQ(n->application_code, "");
  EXPECT_EQ(n->iuv, "02032002700000251");
  EXPECT_EQ(n->check_digits, "51");
  EXPECT_EQ(expected_check("3020320027000002"), "51");
}

TEST(NoticeNumber, DevPortalReportingFlowIuvAsAux3) {
  // The IUV of pagoPA's official one-payment reporting flow (../shared/pagopa/fdr_devportal_docs_example_
  // 1pay.xml): 12210209926737900 read as an aux-3 notice: segregation 12, check digits 00 (computed apart
  // with Python: int("3122102099267379") % 93 == 0).
  auto n = parse_notice_number("312210209926737900");
  ASSERT_TRUE(n.ok()) << n.error().code << " " << n.error().detail;
  EXPECT_EQ(n->segregation_code, "12");
  EXPECT_EQ(n->iuv, "12210209926737900");
  EXPECT_EQ(n->check_digits, "00");
  EXPECT_EQ(expected_check("3122102099267379"), "00");
}

TEST(NoticeNumber, GroupedPrintFormAndPercentEncoded) {
  for (const char* in : {"3020 3200 2700 0002 51", "3020%203200%202700%200002%2051", " 302032002700000251 ",
                         "3020  3200 2700 000251"}) {
    auto n = parse_notice_number(in);
    ASSERT_TRUE(n.ok()) << in << ": " << n.error().code;
    EXPECT_EQ(n->nav, "302032002700000251") << in;
  }
  EXPECT_EQ(grouped("302032002700000251"), "3020 3200 2700 0002 51");
  EXPECT_EQ(grouped("001000000000000141"), "0010 0000 0000 0001 41");
}

TEST(NoticeNumber, Aux0WithApplicationCode) {
  // GovPay's IuvUtilsTest (govpay portal): application code 01, IUV base 0000000000001, check =
  // 10000000000001 % 93 = 41 (the NAV's first 16 digits are 0010000000000001).
  const std::string nav = "001000000000000141";
  ASSERT_EQ(expected_check(nav.substr(0, 16)), "41");
  auto n = parse_notice_number(nav);
  ASSERT_TRUE(n.ok()) << n.error().code;
  EXPECT_EQ(n->aux_digit, 0);
  EXPECT_EQ(n->application_code, "01");
  EXPECT_EQ(n->segregation_code, "");
  EXPECT_EQ(n->iuv, "000000000000141");  // 15 digits: base + check
  EXPECT_EQ(n->check_digits, "41");
  // The same IUV under application code 02 is not valid: the check covers the application code.
  const std::string other = "002000000000000141";
  ASSERT_NE(expected_check(other.substr(0, 16)), "41");
  auto bad = parse_notice_number(other);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "nav.check");
  EXPECT_EQ(bad.error().detail, expected_check(other.substr(0, 16)));
  // GovPay's wrong one: base 0000000000001 with check 99 (a remainder of 93 is never above 92).
  EXPECT_EQ(parse_notice_number("001000000000000199").error().code, "nav.check");
}

TEST(NoticeNumber, Aux1HasNoCheckDigits) {
  // GovPay's toIuv vector: aux 1, the IUV is the 17 digits after it, free.
  auto n = parse_notice_number("112345678901234567");
  ASSERT_TRUE(n.ok()) << n.error().code;
  EXPECT_EQ(n->aux_digit, 1);
  EXPECT_EQ(n->iuv, "12345678901234567");
  EXPECT_EQ(n->check_digits, "");
  EXPECT_EQ(n->segregation_code, "");
  EXPECT_EQ(n->application_code, "");
}

TEST(NoticeNumber, Aux2IsBasePlusCheck) {
  // Aux 2: 2 + IUV base (15) + check (2), no segregation or application code.
  std::string first16 = "2123456789012345";
  const std::string nav = first16 + expected_check(first16);
  auto n = parse_notice_number(nav);
  ASSERT_TRUE(n.ok()) << n.error().code;
  EXPECT_EQ(n->aux_digit, 2);
  EXPECT_EQ(n->iuv, nav.substr(1));
  EXPECT_EQ(n->segregation_code, "");
  ASSERT_NE(expected_check(first16), "00");
  EXPECT_EQ(parse_notice_number(first16 + "00").error().code, "nav.check");
}

TEST(NoticeNumber, WrongCheckDigitsFromPublicExamples) {
  // pagoPA Checkout's OpenAPI example notices (../shared/pagopa/checkout_v1.json) carry check digits
  // 84 and 85 where int("3020123876543123") % 93 is 86: format examples, not valid notices.
  ASSERT_EQ(expected_check("3020123876543123"), "86");
  for (const char* nav : {"302012387654312384", "302012387654312385"}) {
    auto n = parse_notice_number(nav);
    ASSERT_FALSE(n.ok()) << nav;
    EXPECT_EQ(n.error().code, "nav.check");
    EXPECT_EQ(n.error().detail, "86");
  }
  // One digit changed in the SPEC example.
  EXPECT_EQ(parse_notice_number("302032002700000252").error().code, "nav.check");
  EXPECT_EQ(parse_notice_number("302032002700001251").error().code, "nav.check");
}

TEST(NoticeNumber, PreciseErrors) {
  EXPECT_EQ(parse_notice_number("30203200270000025").error().code, "nav.length");    // 17
  EXPECT_EQ(parse_notice_number("3020320027000002511").error().code, "nav.length");  // 19
  EXPECT_EQ(parse_notice_number("").error().code, "nav.length");
  EXPECT_EQ(parse_notice_number("30203200270000025A").error().code, "nav.format");
  EXPECT_EQ(parse_notice_number("3020-3200-2700-0002-51").error().code, "nav.format");
  EXPECT_EQ(parse_notice_number("3020%2").error().code, "nav.format");  // truncated escape
  const std::string four = "4020320027000002";
  EXPECT_EQ(parse_notice_number(four + expected_check(four)).error().code, "nav.aux_digit");
  EXPECT_EQ(parse_notice_number("902032002700000251").error().code, "nav.aux_digit");
  EXPECT_EQ(parse_notice_number("302032002700000251").ok(), true);
  EXPECT_EQ(parse_notice_number("30203200270000025").error().http_status, 422);
}

TEST(NoticeNumber, GenerateAux3) {
  auto n = make_aux3("02", 320027000002);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->nav, "302032002700000251");
  EXPECT_EQ(n->iuv, "02032002700000251");
  auto first = make_aux3("47", 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->nav, "3470000000000000" + expected_check("3470000000000000"));
  auto last = make_aux3("99", 9'999'999'999'999);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->nav.substr(0, 16), "3999999999999999");
  EXPECT_EQ(last->check_digits, expected_check("3999999999999999"));
  EXPECT_EQ(make_aux3("99", 10'000'000'000'000).error().code, "nav.base");
  EXPECT_EQ(make_aux3("99", -1).error().code, "nav.base");
  EXPECT_EQ(make_aux3("9", 1).error().code, "nav.segregation_code");
  EXPECT_EQ(make_aux3("9a", 1).error().code, "nav.segregation_code");
  // Every generated number reads back.
  for (std::int64_t base : {1LL, 92LL, 93LL, 1234567890123LL}) {
    auto g = make_aux3("12", base);
    ASSERT_TRUE(g.ok());
    auto back = parse_notice_number(g->nav);
    ASSERT_TRUE(back.ok()) << g->nav;
    EXPECT_EQ(back->segregation_code, "12");
  }
  EXPECT_EQ(nav_of_aux3_iuv("02032002700000251")->nav, "302032002700000251");
  EXPECT_EQ(nav_of_aux3_iuv("02032002700000252").error().code, "nav.check");
}

TEST(Iban, ChecksDigitsMod97) {
  // The SWIFT IBAN registry's Italian example, and a made-up account at Poste Italiane (ABI 07601) whose
  // check digits were computed apart with Python (int(rearranged) % 97 == 1).
  EXPECT_TRUE(validate_iban("IT60X0542811101000000123456").ok());
  EXPECT_TRUE(validate_iban("it60 x054 2811 1010 0000 0123 456").ok());
  EXPECT_EQ(validate_iban("IT61X0542811101000000123456").error().code, "iban.check");
  EXPECT_EQ(validate_iban("IT60X054281110100000012345").error().code, "iban.format");
  EXPECT_EQ(validate_iban("DE89370400440532013000").error().code, "iban.format");
  EXPECT_EQ(validate_postal_iban("IT60X0542811101000000123456").error().code, "iban.postal");
  EXPECT_EQ(*validate_postal_iban("IT70X0760101600000012345678"), "IT70X0760101600000012345678");
  EXPECT_EQ(validate_postal_iban("IT71X0760101600000012345678").error().code, "iban.check");
}

}  // namespace
}  // namespace sp::payments
