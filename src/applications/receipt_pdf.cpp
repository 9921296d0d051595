#include "applications/receipt_pdf.hpp"

#include <hpdf.h>

#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "protocollo/daily_register_pdf.hpp"

namespace sp::applications {
namespace {

constexpr float kMargin = 50;
constexpr float kFooter = 30;

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
    for (const auto& line :
         protocollo::pdf_wrap(protocollo::utf8_to_winansi(utf8), font, size, width() - indent)) {
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
    auto labels = protocollo::pdf_wrap(protocollo::utf8_to_winansi(label), bold_, size, label_w - 8);
    auto values = protocollo::pdf_wrap(protocollo::utf8_to_winansi(value), regular_, size, width() - 190);
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
    const std::string label = protocollo::utf8_to_winansi(utf8);
    const std::string total = std::to_string(pages_.size());
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      page_ = pages_[i];
      draw(kMargin, kMargin - 14, label, regular_, 7.5F);
      const std::string n = std::to_string(i + 1) + " / " + total;
      draw(kMargin + width() - protocollo::pdf_text_width(n, regular_, 7.5F), kMargin - 14, n, regular_,
           7.5F);
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
