#include "pdf_inspect.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <random>
#include <set>

namespace sp::testing {

std::string pdf_text(const std::string& pdf) {
  const auto file =
      std::filesystem::temp_directory_path() /
      ("sp-pdf-" + std::to_string(std::random_device{}()) + "-" + std::to_string(::getpid()) + ".pdf");
  {
    std::ofstream out(file, std::ios::binary);
    out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  std::string raw;
  const std::string cmd = "pdftotext -enc UTF-8 '" + file.string() + "' - 2>/dev/null";
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) raw.append(buf, n);
    const int rc = ::pclose(p);
    EXPECT_EQ(rc, 0) << "pdftotext could not read the PDF";
  } else {
    ADD_FAILURE() << "cannot run pdftotext";
  }
  std::filesystem::remove(file);
  std::string out;
  for (char c : raw) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {
void walk(QPDFObjectHandle element, PdfFacts& facts, std::set<QPDFObjGen>& seen) {
  if (!element.isDictionary()) return;
  if (element.isIndirect() && !seen.insert(element.getObjGen()).second) return;
  auto s = element.getKey("/S");
  if (s.isName()) facts.tags.insert(s.getName().substr(1));
  auto alt = element.getKey("/Alt");
  if (alt.isString()) facts.alts.insert(alt.getUTF8Value());
  auto kids = element.getKey("/K");
  if (kids.isDictionary()) walk(kids, facts, seen);
  if (kids.isArray())
    for (auto& k : kids.aitems()) walk(k, facts, seen);
}
}  // namespace

PdfFacts pdf_facts(const std::string& pdf) {
  QPDF q;
  q.processMemoryFile("test.pdf", pdf.data(), pdf.size());
  PdfFacts f;
  f.pages = static_cast<int>(QPDFPageDocumentHelper(q).getAllPages().size());
  auto root = q.getRoot();
  if (auto lang = root.getKey("/Lang"); lang.isString()) f.lang = lang.getUTF8Value();
  if (auto mark = root.getKey("/MarkInfo"); mark.isDictionary()) {
    auto m = mark.getKey("/Marked");
    f.marked = m.isBool() && m.getBoolValue();
  }
  if (auto vp = root.getKey("/ViewerPreferences"); vp.isDictionary()) {
    auto d = vp.getKey("/DisplayDocTitle");
    f.display_title = d.isBool() && d.getBoolValue();
  }
  if (auto info = q.getTrailer().getKey("/Info"); info.isDictionary()) {
    if (auto t = info.getKey("/Title"); t.isString()) f.title = t.getUTF8Value();
  }
  if (auto meta = root.getKey("/Metadata"); meta.isStream()) {
    auto type = meta.getDict().getKey("/Subtype");
    f.xmp = type.isName() && type.getName() == "/XML";
  }
  auto tree = root.getKey("/StructTreeRoot");
  f.struct_tree = tree.isDictionary();
  std::set<QPDFObjGen> seen;
  if (f.struct_tree) walk(tree, f, seen);
  return f;
}

}  // namespace sp::testing
