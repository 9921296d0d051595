#include "stamp/pdf_stamp.hpp"

#include <cairo.h>
#include <qrencode.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <stdexcept>

#include "core/crypto/encoding.hpp"

namespace sp::stamp {
namespace {

constexpr std::string_view kMarker = "%sportello-stamp/1 ";
constexpr int kQuiet = 4;             // modules of white around the code, as scanners need
constexpr int kPlaceholderScale = 4;  // pixels a module in the placeholder PNG

// The modules of `text`'s QR code (error correction M, the smallest version that holds it), quiet zone
// included: true is dark. Row-major, `size` x `size`.
struct Modules {
  int size = 0;
  std::vector<bool> dark;
};

Modules modules(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M),
                                                       QRcode_free);
  if (!code) throw std::runtime_error("stamp: cannot encode the 2D code");
  Modules m;
  const int n = code->width;
  m.size = n + 2 * kQuiet;
  m.dark.assign(static_cast<std::size_t>(m.size) * m.size, false);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c)
      m.dark[static_cast<std::size_t>(r + kQuiet) * m.size + c + kQuiet] = (code->data[r * n + c] & 1) != 0;
  return m;
}

// 1-bit DeviceGray rows (1 is white), each padded to a whole byte, `scale` pixels a module.
std::string gray_bits(const Modules& m, int scale) {
  const int w = m.size * scale;
  const int row_bytes = (w + 7) / 8;
  std::string out(static_cast<std::size_t>(row_bytes) * w, '\0');
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      bool dark = m.dark[static_cast<std::size_t>(y / scale) * m.size + x / scale];
      if (!dark) out[static_cast<std::size_t>(y) * row_bytes + x / 8] |= static_cast<char>(0x80 >> (x % 8));
    }
  }
  return out;
}

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

Error pdf_error(std::string detail) {
  return Error::make("stamp.pdf", 422, std::move(detail));
}

// The number after the last "startxref" of a PDF: the offset of its last cross-reference section.
std::optional<long long> last_startxref(const std::string& pdf) {
  auto at = pdf.rfind("startxref");
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + 9;
  while (i < pdf.size() && (pdf[i] == '\r' || pdf[i] == '\n' || pdf[i] == ' ')) ++i;
  long long v = 0;
  std::size_t digits = 0;
  while (i < pdf.size() && pdf[i] >= '0' && pdf[i] <= '9' && digits < 15) {
    v = v * 10 + (pdf[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return v;
}

std::string hex_string(const std::string& bytes) {
  return "<" + crypto::hex_encode(bytes) + ">";
}

std::string ref(const QPDFObjectHandle& h) {
  return std::to_string(h.getObjectID()) + " " + std::to_string(h.getGeneration()) + " R";
}

}  // namespace

std::string placeholder_png(const std::string& text) {
  auto m = modules(text);
  const int w = m.size * kPlaceholderScale;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, w), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  for (int r = 0; r < m.size; ++r)
    for (int c = 0; c < m.size; ++c)
      if (m.dark[static_cast<std::size_t>(r) * m.size + c])
        cairo_rectangle(cr.get(), c * kPlaceholderScale, r * kPlaceholderScale, kPlaceholderScale,
                        kPlaceholderScale);
  cairo_fill(cr.get());
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append_png, &png) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("stamp: cannot write the placeholder PNG");
  return png;
}

void add_block(pdf::Document& doc, const Block& block) {
  doc.heading(2, block.heading, 12);
  doc.paragraph(block.note, {.size = 9});
  doc.image(placeholder_png(block.placeholder_url), block.code_alt, 110);
  doc.key_values(block.rows, {.size = 9, .label_width = 150});
}

Result<std::string> append_update(const std::string& original, const std::string& payload,
                                  const std::string& placeholder_url) {
  if (original.empty() || original.back() != '\n') return pdf_error("does not end with a new line");
  if (payload.find('\n') != std::string::npos || payload.find('\r') != std::string::npos)
    return pdf_error("payload with a line break");
  auto prev = last_startxref(original);
  if (!prev) return pdf_error("no startxref");

  auto placeholder = modules(placeholder_url);
  const int pw = placeholder.size * kPlaceholderScale;
  const std::string want = gray_bits(placeholder, kPlaceholderScale);

  std::string root;
  std::string info;
  std::string id;
  long long size = 0;
  int obj = 0;  // the placeholder image's object number and generation
  int gen = 0;
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(false);
    q.processMemoryFile("stamped.pdf", original.data(), original.size());
    auto trailer = q.getTrailer();
    auto r = trailer.getKey("/Root");
    auto i = trailer.getKey("/Info");
    auto ids = trailer.getKey("/ID");
    auto s = trailer.getKey("/Size");
    if (!r.isIndirect() || !s.isInteger()) return pdf_error("trailer");
    root = ref(r);
    if (i.isIndirect()) info = ref(i);
    if (ids.isArray() && ids.getArrayNItems() == 2 && ids.getArrayItem(0).isString() &&
        ids.getArrayItem(1).isString())
      id = "[" + hex_string(ids.getArrayItem(0).getStringValue()) +
           hex_string(ids.getArrayItem(1).getStringValue()) + "]";
    size = s.getIntValue();
    int found = 0;
    for (auto& o : q.getAllObjects()) {
      if (!o.isStream()) continue;
      auto d = o.getDict();
      if (!d.getKey("/Subtype").isNameAndEquals("/Image")) continue;
      auto w = d.getKey("/Width");
      auto h = d.getKey("/Height");
      auto bpc = d.getKey("/BitsPerComponent");
      if (!w.isInteger() || !h.isInteger() || w.getIntValue() != pw || h.getIntValue() != pw) continue;
      if (!bpc.isInteger() || bpc.getIntValue() != 1) continue;
      auto data = o.getStreamData(qpdf_dl_generalized);
      if (data->getSize() != want.size() || std::memcmp(data->getBuffer(), want.data(), want.size()) != 0)
        continue;
      ++found;
      obj = o.getObjectID();
      gen = o.getGeneration();
    }
    if (found != 1 || obj <= 0)
      return Error::make("stamp.no_placeholder", 422, std::to_string(found) + " placeholders");
  } catch (const std::exception& e) {
    return pdf_error(e.what());
  }

  // The update: only text this function formats, so that it is the same whatever library reads it.
  auto code = modules(payload);
  const std::string bits = gray_bits(code, 1);
  std::string u = std::string(kMarker) + payload + "\n";
  const long long object_at = static_cast<long long>(original.size() + u.size());
  u += std::to_string(obj) + " " + std::to_string(gen) + " obj\n";
  u += "<< /Type /XObject /Subtype /Image /Width " + std::to_string(code.size) + " /Height " +
       std::to_string(code.size) +
       " /ColorSpace /DeviceGray /BitsPerComponent 1 /Interpolate false /Length " +
       std::to_string(bits.size()) + " >>\nstream\n";
  u += bits;
  u += "\nendstream\nendobj\n";
  const long long xref_at = static_cast<long long>(original.size() + u.size());
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010lld %05d n \n", object_at, gen);
  u += "xref\n" + std::to_string(obj) + " 1\n" + entry;
  u += "trailer\n<< /Size " + std::to_string(size) + " /Root " + root;
  if (!info.empty()) u += " /Info " + info;
  if (!id.empty()) u += " /ID " + id;
  u += " /Prev " + std::to_string(*prev) + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  return original + u;
}

std::optional<Split> split(const std::string& file) {
  std::string needle = "\n" + std::string(kMarker);
  auto at = file.rfind(needle);
  if (at == std::string::npos) return std::nullopt;
  auto start = at + needle.size();
  auto end = file.find('\n', start);
  if (end == std::string::npos) return std::nullopt;
  return Split{file.substr(0, at + 1), file.substr(start, end - start)};
}

}  // namespace sp::stamp
