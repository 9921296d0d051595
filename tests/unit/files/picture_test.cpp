// Pictures by content: PNG, JPEG and WebP with the dimensions their headers declare; SVG, HTML,
// pictures without readable dimensions and oversized ones refused.
#include "files/picture.hpp"

#include <gtest/gtest.h>

#include "samples.hpp"

namespace sp::files {
namespace {

using namespace sp::files::testing;

// A baseline JPEG's header: SOI, a JFIF APP0 segment, a quantisation table segment, then SOF0 with
// the given height and width (the scan itself is not needed to read them).
std::string jpeg_of(unsigned height, unsigned width) {
  std::string b = from_hex("ffd8ffe000104a46494600010100000100010000");
  b += from_hex(
      "ffdb0004"
      "0000");  // a (short) DQT segment, skipped by its length
  b += from_hex("ffc0000b08");
  b += static_cast<char>(height >> 8);
  b += static_cast<char>(height & 0xFF);
  b += static_cast<char>(width >> 8);
  b += static_cast<char>(width & 0xFF);
  b += from_hex("01011100ffd9");
  return b;
}

// A WebP with an extended header (VP8X): canvas width and height minus one, 24 bits little-endian.
std::string webp_of(unsigned width, unsigned height) {
  std::string b = "RIFF";
  b += from_hex("1e000000");
  b += "WEBPVP8X";
  b += from_hex(
      "0a000000"
      "00000000");
  for (unsigned v : {width - 1, height - 1})
    for (int i = 0; i < 3; ++i) b += static_cast<char>((v >> (8 * i)) & 0xFF);
  b += std::string(8, '\0');
  return b;
}

TEST(Picture, ReadsTypeAndDimensionsFromTheHeader) {
  auto p = check_picture(png(), {});
  ASSERT_TRUE(p.ok()) << p.error().code;
  EXPECT_EQ(p->mime_type, "image/png");
  EXPECT_EQ(p->width, 1u);
  EXPECT_EQ(p->height, 1u);

  auto j = check_picture(jpeg_of(120, 300), {});
  ASSERT_TRUE(j.ok()) << j.error().code << " " << j.error().detail;
  EXPECT_EQ(j->mime_type, "image/jpeg");
  EXPECT_EQ(j->width, 300u);
  EXPECT_EQ(j->height, 120u);

  auto w = check_picture(webp_of(640, 200), {});
  ASSERT_TRUE(w.ok()) << w.error().code << " " << w.error().detail;
  EXPECT_EQ(w->mime_type, "image/webp");
  EXPECT_EQ(w->width, 640u);
  EXPECT_EQ(w->height, 200u);
}

TEST(Picture, RefusesScriptsUnreadableAndOversizedPictures) {
  const std::string svg =
      "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
  auto s = check_picture(svg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "files.type_not_allowed");
  EXPECT_EQ(s.error().http_status, 415);
  EXPECT_EQ(check_picture("<html><body>x</body></html>", {}).error().code, "files.type_not_allowed");
  EXPECT_EQ(check_picture(pdf(), {}).error().code, "files.type_not_allowed");
  EXPECT_EQ(check_picture("", {}).error().code, "files.empty");
  // A JPEG whose header names no frame (no dimensions), and one of zero pixels.
  EXPECT_EQ(check_picture(jpeg(), {}).error().code, "files.picture");
  auto zero = check_picture(jpeg_of(0, 300), {});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, "files.picture");
  EXPECT_EQ(zero.error().detail, "300x0");
  PictureLimits small;
  small.max_side = 500;
  EXPECT_EQ(check_picture(webp_of(640, 200), small).error().code, "files.picture");
  small.max_size = 100;
  auto big = check_picture(png() + std::string(200, '\0'), small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "files.too_large");
  EXPECT_EQ(big.error().http_status, 413);
  // What the bytes are decides, not a PNG signature put in front of something else.
  EXPECT_FALSE(read_picture(std::string("\x89PNG\r\n\x1a\n", 8) + "garbage").has_value());
  const auto limits = picture_file_limits({});
  EXPECT_FALSE(limits.keep_active_content);
  EXPECT_EQ(limits.allowed_types.size(), 3u);
}

}  // namespace
}  // namespace sp::files
