#include "cases/pdf.hpp"

#include <hpdf.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocollo/daily_register_pdf.hpp"  // utf8_to_winansi

namespace sp::cases {
namespace {

constexpr float kMargin = 56;  // about 2 cm
constexpr float kFooterSpace = 28;

struct HpdfFailure {
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void on_hpdf_error(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
  auto* f = static_cast<HpdfFailure*>(user);
  if (f->error == HPDF_OK) {
    f->error = error;
    f->detail = detail;
  }
}

class Writer {
 public:
  Writer(HPDF_Doc doc, HPDF_Font regular, HPDF_Font bold) : doc_(doc), regular_(regular), bold_(bold) {
    new_page();
  }

  // Word-wrapped WinAnsi text; '\n' starts a new line; a word wider than the line is cut.
  void paragraph(const std::string& utf8, bool bold, float size, float space_after = 8) {
    HPDF_Font font = bold ? bold_ : regular_;
    const float leading = size * 1.3F;
    for (const auto& line :
         protocollo::pdf_wrap(protocollo::utf8_to_winansi(utf8), font, size, width() - 2 * kMargin)) {
      if (y_ - leading < kMargin + kFooterSpace) new_page();
      y_ -= leading;
      if (!line.empty()) {
        HPDF_Page_BeginText(page_);
        HPDF_Page_SetFontAndSize(page_, font, size);
        HPDF_Page_TextOut(page_, kMargin, y_, line.c_str());
        HPDF_Page_EndText(page_);
      }
    }
    y_ -= space_after;
  }

  void footers(const std::string& utf8) {
    const std::string text = protocollo::utf8_to_winansi(utf8);
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      const std::string line =
          text + "  -  Pagina " + std::to_string(i + 1) + " di " + std::to_string(pages_.size());
      HPDF_Page_BeginText(pages_[i]);
      HPDF_Page_SetFontAndSize(pages_[i], regular_, 8);
      HPDF_Page_TextOut(pages_[i], kMargin, kMargin - 8, line.c_str());
      HPDF_Page_EndText(pages_[i]);
    }
  }

 private:
  float width() const { return HPDF_Page_GetWidth(page_); }

  void new_page() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    pages_.push_back(page_);
    y_ = HPDF_Page_GetHeight(page_) - kMargin;
  }

  HPDF_Doc doc_;
  HPDF_Font regular_;
  HPDF_Font bold_;
  HPDF_Page page_ = nullptr;
  std::vector<HPDF_Page> pages_;
  float y_ = 0;
};

}  // namespace

std::string render_letter(const Letter& letter) {
  HpdfFailure failure;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> doc(HPDF_New(on_hpdf_error, &failure),
                                                                           HPDF_Free);
  if (!doc) throw std::runtime_error("libharu: cannot create a document");
  HPDF_Doc pdf = doc.get();
  HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Sportello");
  HPDF_Font regular = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
  if (failure.error != HPDF_OK || regular == nullptr || bold == nullptr) {
    throw std::runtime_error("libharu: cannot load the standard fonts");
  }
  Writer w(pdf, regular, bold);
  if (!letter.heading.empty()) w.paragraph(letter.heading, true, 13, 14);
  w.paragraph(letter.title, true, 15, 12);
  for (const auto& [label, value] : letter.facts) w.paragraph(label + ": " + value, false, 10, 2);
  if (!letter.facts.empty()) w.paragraph("", false, 6);
  for (const auto& p : letter.paragraphs) w.paragraph(p, false, 11);
  w.footers(letter.footer.empty() ? letter.heading : letter.footer);

  if (HPDF_SaveToStream(pdf) != HPDF_OK || failure.error != HPDF_OK) {
    throw std::runtime_error("libharu: error " + std::to_string(failure.error) + " (detail " +
                             std::to_string(failure.detail) + ")");
  }
  std::string out(HPDF_GetStreamSize(pdf), '\0');
  auto size = static_cast<HPDF_UINT32>(out.size());
  if (HPDF_ReadFromStream(pdf, reinterpret_cast<HPDF_BYTE*>(out.data()), &size) != HPDF_OK &&
      failure.error != HPDF_OK) {
    throw std::runtime_error("libharu: cannot read the document back");
  }
  out.resize(size);
  return out;
}

}  // namespace sp::cases
