// File names: what is kept of the name a browser sends.
#include <gtest/gtest.h>

#include "files/service.hpp"

namespace sp::files {
namespace {

std::string clean(std::string_view raw) {
  auto r = sanitize_file_name(raw);
  return r.ok() ? *r : "<" + r.error().code + ">";
}

TEST(FileName, KeepsOrdinaryNamesAsTheyAre) {
  EXPECT_EQ(clean("domanda.pdf"), "domanda.pdf");
  EXPECT_EQ(clean("Relazione tecnica (v2) \xE2\x80\x94 citt\xC3\xA0.pdf"),
            "Relazione tecnica (v2) \xE2\x80\x94 citt\xC3\xA0.pdf");
  EXPECT_EQ(clean(".htaccess"), ".htaccess");
}

TEST(FileName, DropsFoldersOfEitherKind) {
  EXPECT_EQ(clean("C:\\Users\\mario\\Documenti\\domanda.pdf"), "domanda.pdf");
  EXPECT_EQ(clean("../../etc/passwd"), "passwd");
  EXPECT_EQ(clean("/tmp/x.txt"), "x.txt");
}

TEST(FileName, RemovesControlAndDirectionCharacters) {
  // U+202E (right-to-left override) shows "fattura\u202Efdp.exe" as "fatturaexe.pdf".
  EXPECT_EQ(clean("fattura\xE2\x80\xAE"
                  "fdp.exe"),
            "fatturafdp.exe");
  EXPECT_EQ(clean("a\r\nb\tc\x7F.pdf"), "abc.pdf");
  EXPECT_EQ(clean("x\xC2\x85y.pdf"), "xy.pdf");  // U+0085, a C1 control
  EXPECT_EQ(clean(std::string("a\0b.pdf", 7)), "ab.pdf");
  EXPECT_EQ(clean("say \"hi\".txt"), "say _hi_.txt");
}

TEST(FileName, TrimsBlanksAndTrailingDots) {
  EXPECT_EQ(clean("  domanda.pdf.. "), "domanda.pdf");
}

TEST(FileName, RefusesWhatCannotBeAName) {
  EXPECT_EQ(clean(""), "<files.name>");
  EXPECT_EQ(clean("   "), "<files.name>");
  EXPECT_EQ(clean("."), "<files.name>");
  EXPECT_EQ(clean(".."), "<files.name>");
  EXPECT_EQ(clean("folder/"), "<files.name>");
  EXPECT_EQ(clean("\xE2\x80\xAE"), "<files.name>");
  EXPECT_EQ(clean("bad\xFF.pdf"), "<files.name>");
  EXPECT_EQ(clean("bad\xC0\xAF.pdf"), "<files.name>");
  EXPECT_EQ(clean(std::string(252, 'a') + ".pdf"), "<files.name>");                  // 256 bytes
  EXPECT_EQ(clean(std::string(251, 'a') + ".pdf"), std::string(251, 'a') + ".pdf");  // exactly 255 bytes
}

}  // namespace
}  // namespace sp::files
