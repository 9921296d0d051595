#include "albo/pdf_text.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sp::albo {

std::string pdf_text(std::string_view pdf) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "albo-pdf-XXXXXX").string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return {};
  ::close(fd);
  {
    std::ofstream out(tmpl, std::ios::binary | std::ios::trunc);
    out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  std::string text;
  // The path is ours (mkstemp: letters and digits only), so it needs no quoting beyond the quotes.
  const std::string cmd = "pdftotext -q -enc UTF-8 -l 50 '" + tmpl + "' - 2>/dev/null";
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0 && text.size() < 4 * 1024 * 1024) text.append(buf, n);
    ::pclose(p);
  }
  std::error_code ec;
  std::filesystem::remove(tmpl, ec);
  return text;
}

}  // namespace sp::albo
