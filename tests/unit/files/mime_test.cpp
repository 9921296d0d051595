// Types by content: each kind of file is recognised whatever it is called, and programs or archives
// dressed up as PDFs are seen for what they are.
#include "files/mime.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "samples.hpp"

namespace sp::files {
namespace {

using namespace sp::files::testing;

TEST(DetectMime, RecognisesDocumentsAndImages) {
  EXPECT_EQ(detect_mime(pdf()), "application/pdf");
  EXPECT_EQ(detect_mime(png()), "image/png");
  EXPECT_EQ(detect_mime(jpeg()), "image/jpeg");
  EXPECT_EQ(detect_mime(text()), "text/plain");
  EXPECT_EQ(detect_mime(zip()), "application/zip");
}

TEST(DetectMime, ProgramsAreProgramsWhateverTheirName) {
  EXPECT_EQ(detect_mime(elf()), "application/x-executable");
  EXPECT_EQ(detect_mime(windows_exe()), "application/vnd.microsoft.portable-executable");
  // This test program itself (PIE or not, depending on the build).
  // Its first 256 KiB: the type is in the header, and the whole sanitized binary is hundreds of MB.
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::string self(256 * 1024, '\0');
  in.read(self.data(), static_cast<std::streamsize>(self.size()));
  self.resize(static_cast<std::size_t>(in.gcount()));
  ASSERT_FALSE(self.empty());
  const std::string type = detect_mime(self);
  EXPECT_TRUE(type == "application/x-pie-executable" || type == "application/x-executable" ||
              type == "application/x-sharedlib")
      << type;
}

TEST(DetectMime, AnArchiveWithAPdfAppendedIsStillAnArchive) {
  // libmagic reads the start of the content: a PDF glued after a ZIP does not make it a PDF.
  EXPECT_EQ(detect_mime(zip() + pdf()), "application/zip");
}

TEST(DetectMime, UnknownBytesAreOctetStream) {
  EXPECT_EQ(detect_mime(from_hex("00010203fffefdfc00010203fffefdfc")), "application/octet-stream");
}

TEST(DetectMime, IsSafeFromManyThreads) {
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        bool ok =
            (t + i) % 2 == 0 ? detect_mime(pdf()) == "application/pdf" : detect_mime(png()) == "image/png";
        if (ok) ++right;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(right.load(), 800);
}

TEST(MimeAllowed, ExactWildcardAndEverything) {
  const std::vector<std::string> docs = {"application/pdf", "image/*"};
  EXPECT_TRUE(mime_allowed("application/pdf", docs));
  EXPECT_TRUE(mime_allowed("image/png", docs));
  EXPECT_TRUE(mime_allowed("IMAGE/JPEG", docs));
  EXPECT_FALSE(mime_allowed("application/zip", docs));
  EXPECT_FALSE(mime_allowed("application/pdfx", docs));
  EXPECT_FALSE(mime_allowed("imagex/png", docs));
  EXPECT_FALSE(mime_allowed("text/plain", docs));
  EXPECT_TRUE(mime_allowed("application/x-executable", {"*/*"}));
  EXPECT_FALSE(mime_allowed("application/pdf", {}));
}

}  // namespace
}  // namespace sp::files
