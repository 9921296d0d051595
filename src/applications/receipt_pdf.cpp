#include "applications/receipt_pdf.hpp"

#include <hpdf.h>

#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace sp::applications {
namespace {

constexpr float kMargin = 50;
constexpr float kFooter = 30;

// Windows-1252 bytes 0x80-0x9F and the code points they stand for (0 = undefined).
constexpr char32_t kCp1252High[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char winansi(char32_t cp) {
  if (cp == '\n') return '\n';
  if (cp < 0x20 || cp == 0x7F) return ' ';
  if (cp < 0x7F) return static_cast<char>(cp);
  if (cp >= 0xA0 && cp <= 0xFF) return static_cast<char>(static_cast<unsigned char>(cp));
  for (int i = 0; i < 32; ++i)
    if (kCp1252High[i] != 0 && kCp1252High[i] == cp) return static_cast<char>(0x80 + i);
  if (cp == 0x2212) return '-';
  return '?';
}

struct Failure {
  HPDF_STATUS error = HPDF_OK;
};

void on_error(HPDF_STATUS error, HPDF_STATUS, void* user) {
  auto* f = static_cast<Failure*>(user);
  if (f->error == HPDF_OK) f->error = error;
}

class Writer {
 public:
  Writer(HPDF_Doc doc, HPDF_Font regular, HPDF_Font bold) : doc_(doc), regular_(regular), bold_(bold) {
    page();
  }

  // Text wrapped to the width from `indent`; returns the height used.
  void text(const std::string& utf8, bool strong, float size, float indent = 0, float after = 2) {
    HPDF_Font font = strong ? bold_ : regular_;
    const float leading = size * 1.35F;
    for (const auto& line : wrap(to_winansi(utf8), font, size, width() - indent)) {
      if (y_ - leading < kMargin + kFooter) page();
      draw(kMargin + indent, y_ - size, line, font, size);
      y_ -= leading;
    }
    y_ -= after;
  }

  // "label: value" as two columns (label in bold, value wrapped in the right column).
  void pair(const std::string& label, const std::string& value, float indent, float size = 9.5F) {
    const float label_w = 190 - indent;
    const float leading = size * 1.35F;
    auto labels = wrap(to_winansi(label), bold_, size, label_w - 8);
    auto values = wrap(to_winansi(value), regular_, size, width() - 190);
    const std::size_t n = std::max(labels.size(), values.size());
    if (y_ - leading * static_cast<float>(std::min<std::size_t>(n, 3)) < kMargin + kFooter) page();
    for (std::size_t i = 0; i < n; ++i) {
      if (y_ - leading < kMargin + kFooter) page();
      if (i < labels.size()) draw(kMargin + indent, y_ - size, labels[i], bold_, size);
      if (i < values.size()) draw(kMargin + 190, y_ - size, values[i], regular_, size);
      y_ -= leading;
    }
    y_ -= 2;
  }

  void rule() {
    if (y_ - 8 < kMargin + kFooter) page();
    HPDF_Page_SetLineWidth(page_, 0.5F);
    HPDF_Page_MoveTo(page_, kMargin, y_ - 4);
    HPDF_Page_LineTo(page_, kMargin + width(), y_ - 4);
    HPDF_Page_Stroke(page_);
    y_ -= 10;
  }

  void footers(const std::string& utf8) {
    const std::string label = to_winansi(utf8);
    const std::string total = std::to_string(pages_.size());
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      page_ = pages_[i];
      draw(kMargin, kMargin - 14, label, regular_, 7.5F);
      const std::string n = std::to_string(i + 1) + " / " + total;
      draw(kMargin + width() - measure(n, regular_, 7.5F), kMargin - 14, n, regular_, 7.5F);
    }
  }

 private:
  void page() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    pages_.push_back(page_);
    y_ = HPDF_Page_GetHeight(page_) - kMargin;
  }
  [[nodiscard]] float width() const { return HPDF_Page_GetWidth(page_) - 2 * kMargin; }

  float measure(const std::string& s, HPDF_Font font, float size) const {
    if (s.empty()) return 0;
    auto tw = HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(s.data()),
                                  static_cast<HPDF_UINT>(s.size()));
    return static_cast<float>(tw.width) * size / 1000.0F;
  }

  std::vector<std::string> wrap(const std::string& text, HPDF_Font font, float size, float max) const {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string para = text.substr(start, end - start);
      std::string line;
      std::size_t p = 0;
      while (p < para.size()) {
        if (para[p] == ' ') {
          ++p;
          continue;
        }
        auto q = para.find(' ', p);
        if (q == std::string::npos) q = para.size();
        std::string word = para.substr(p, q - p);
        p = q;
        std::string candidate = line.empty() ? word : line + " " + word;
        if (measure(candidate, font, size) <= max) {
          line = std::move(candidate);
          continue;
        }
        if (!line.empty()) out.push_back(std::exchange(line, {}));
        while (measure(word, font, size) > max && word.size() > 1) {  // a word wider than the column
          std::size_t n = 1;
          while (n < word.size() && measure(word.substr(0, n + 1), font, size) <= max) ++n;
          out.push_back(word.substr(0, n));
          word.erase(0, n);
        }
        line = std::move(word);
      }
      out.push_back(line);
      start = end + 1;
    }
    return out;
  }

  void draw(float x, float y, const std::string& winansi_text, HPDF_Font font, float size) {
    if (winansi_text.empty()) return;
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, size);
    HPDF_Page_TextOut(page_, x, y, winansi_text.c_str());
    HPDF_Page_EndText(page_);
  }

  HPDF_Doc doc_;
  HPDF_Font regular_;
  HPDF_Font bold_;
  HPDF_Page page_ = nullptr;
  std::vector<HPDF_Page> pages_;
  float y_ = 0;
};

}  // namespace

std::string to_winansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {  // a bad lead byte, or cut short
      out += '?';
      ++i;
      continue;
    }
    char32_t cp = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
    bool valid = true;
    for (int k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((c & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (valid && ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
                  (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      valid = false;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    out += winansi(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

std::string render_receipt_pdf(const ReceiptPdf& r) {
  Failure failure;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> doc(HPDF_New(on_error, &failure),
                                                                           HPDF_Free);
  if (!doc) throw std::runtime_error("libharu: cannot create a document");
  HPDF_Doc pdf = doc.get();
  if (r.compress) HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Sportello");
  HPDF_Font regular = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
  {
    Writer w(pdf, regular, bold);
    w.text(r.body_name, true, 12, 0, 4);
    w.text(r.title, true, 16, 0, 4);
    w.text(r.service_title, false, 12, 0, 6);
    w.rule();
    for (const auto& [label, value] : r.facts) w.pair(label, value, 0, 10);
    w.rule();
    w.text(r.answers_title, true, 12, 0, 4);
    for (const auto& l : r.lines) {
      const float indent = l.level >= 2 ? 14.0F : 0.0F;
      if (l.heading) {
        w.text(l.label, true, l.level == 0 ? 11.0F : 10.0F, indent, 3);
      } else {
        w.pair(l.label, l.value.empty() ? "—" : l.value, indent);
      }
    }
    w.footers(r.footer);
  }
  if (HPDF_SaveToStream(pdf) != HPDF_OK || failure.error != HPDF_OK)
    throw std::runtime_error("libharu: error " + std::to_string(failure.error));
  std::string out(HPDF_GetStreamSize(pdf), '\0');
  auto size = static_cast<HPDF_UINT32>(out.size());
  // ReadFromStream reports HPDF_STREAM_EOF having read everything: only a recorded error is a failure.
  if (HPDF_ReadFromStream(pdf, reinterpret_cast<HPDF_BYTE*>(out.data()), &size) != HPDF_OK &&
      failure.error != HPDF_OK)
    throw std::runtime_error("libharu: cannot read the document back");
  out.resize(size);
  return out;
}

}  // namespace sp::applications
