// Declared media types are checked, never trusted; the bytes win over a declaration; active content
// (what a browser could run) is known as such. Issue 10, point 1 and point 8.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "files/mime.hpp"

namespace sp::files {
namespace {

const std::string kSvg =
    "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
    "<script>alert(1)</script><rect width=\"10\" height=\"10\"/></svg>\n";
const std::string kHtml =
    "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)"
    "</script></body></html>\n";

TEST(MediaType, RealTypesAreNormalised) {
  EXPECT_EQ(normalize_media_type("application/pdf"), "application/pdf");
  EXPECT_EQ(normalize_media_type("Application/PDF"), "application/pdf");
  EXPECT_EQ(normalize_media_type("  text/plain ; charset=utf-8"), "text/plain");
  EXPECT_EQ(normalize_media_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(normalize_media_type("image/svg+xml"), "image/svg+xml");
}

TEST(MediaType, AnythingElseIsNotAType) {
  for (const std::string& bad : std::vector<std::string>{
           "", "pdf", "/pdf", "application/", "application/pdf/x",
           "text/html\r\nContent-Length: 25\r\n\r\n<script>", "text/html\n", "text/ html", "te xt/html",
           "text/html\x7f", std::string("text/ht\0ml", 10), "text/plain; charset=\r\nX: y", "\xc3\xa0/pdf",
           "application/" + std::string(128, 'x'), "-a/b"}) {
    EXPECT_FALSE(normalize_media_type(bad).has_value()) << bad;
  }
}

TEST(MediaType, TheBytesWinOverTheDeclaration) {
  // A "PDF" that is HTML is kept as HTML, and the declaration is kept to say so.
  auto r = resolve_media_type("application/pdf", detect_mime(kHtml));
  EXPECT_EQ(r.mime_type, "text/html");
  EXPECT_EQ(r.declared_mismatch, "application/pdf");
  // Nothing declared: what the bytes are, no mismatch.
  r = resolve_media_type("", "application/pdf");
  EXPECT_EQ(r.mime_type, "application/pdf");
  EXPECT_EQ(r.declared_mismatch, "");
}

TEST(MediaType, KnownCompatiblePairsKeepTheMorePreciseDeclaredType) {
  const std::string docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  auto r = resolve_media_type(docx, "application/zip");
  EXPECT_EQ(r.mime_type, docx);
  EXPECT_EQ(r.declared_mismatch, "");
  r = resolve_media_type("text/csv", "text/plain");
  EXPECT_EQ(r.mime_type, "text/csv");
  EXPECT_EQ(r.declared_mismatch, "");
  // ... but the pairs are one-way: something declared as a ZIP that is text is a mismatch.
  r = resolve_media_type("application/zip", "text/plain");
  EXPECT_EQ(r.mime_type, "text/plain");
  EXPECT_EQ(r.declared_mismatch, "application/zip");
  EXPECT_FALSE(media_types_compatible("text/html", "text/plain"));
  EXPECT_FALSE(media_types_compatible("application/pdf", "application/zip"));
}

TEST(MediaType, ActiveContentIsRecognisedFromTheBytes) {
  EXPECT_TRUE(is_active_media_type(detect_mime(kSvg))) << detect_mime(kSvg);
  EXPECT_TRUE(is_active_media_type(detect_mime(kHtml))) << detect_mime(kHtml);
  EXPECT_TRUE(is_active_media_type(detect_mime("#!/bin/sh\nrm -rf /\n"))) << detect_mime("#!/bin/sh\n");
  EXPECT_TRUE(is_active_media_type("application/xhtml+xml"));
  EXPECT_TRUE(is_active_media_type("application/rss+xml"));
  EXPECT_TRUE(is_active_media_type("TEXT/HTML; charset=utf-8"));
  for (const char* passive : {"application/pdf", "image/png", "image/jpeg", "text/plain", "application/zip"})
    EXPECT_FALSE(is_active_media_type(passive)) << passive;
}

}  // namespace
}  // namespace sp::files
