#include "support/qr_scan.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/testing.hpp"

namespace sp::testing {

namespace {

// Runs `cmd` through the shell; its standard output and exit status.
std::pair<std::string, int> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {out, -1};
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

std::vector<std::vector<std::string>> scan_qr_codes(const std::string& pdf, int dpi) {
  sp::testing::TempDir dir;
  const auto file = dir.path() / "notice.pdf";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  const int rc = run("pdftoppm -r " + std::to_string(dpi) + " -png '" + file.string() + "' '" +
                     (dir.path() / "page").string() + "' 2>&1")
                     .second;
  EXPECT_EQ(rc, 0) << "pdftoppm could not rasterise the PDF";
  std::vector<std::filesystem::path> pages;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().extension() == ".png") pages.push_back(e.path());
  // page-1.png … page-9.png, or page-01.png … when there are ten or more: the same width, so names sort.
  std::sort(pages.begin(), pages.end());
  std::vector<std::vector<std::string>> found;
  for (const auto& page : pages) {
    // --raw: the payload only, one line per symbol; exit 4 means no symbol was found on the page.
    const auto [out, code] =
        run("zbarimg --raw -q -Sdisable -Sqrcode.enable '" + page.string() + "' 2>/dev/null");
    EXPECT_TRUE(code == 0 || code == 4) << "zbarimg failed on " << page << " with status " << code;
    std::vector<std::string> codes;
    std::size_t start = 0;
    while (start < out.size()) {
      auto end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      if (end > start) codes.push_back(out.substr(start, end - start));
      start = end + 1;
    }
    found.push_back(std::move(codes));
  }
  return found;
}

void keep_pdf(const std::string& name, const std::string& pdf) {
  const char* dir = std::getenv("SPORTELLO_PAYMENTS_PDF_DIR");
  if (dir == nullptr || *dir == '\0') return;
  std::filesystem::create_directories(dir);
  std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
  out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
}

}  // namespace sp::testing
