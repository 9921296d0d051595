#include "stamp/pdf_stamp.hpp"

#include <cairo.h>
#include <qrencode.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/crypto/encoding.hpp"

// libqrencode's encoder with a given mask (0-7; -1 tries all eight and keeps the one ISO 18004's penalty
// rule prefers, which is what QRcode_encodeString8bit does). Exported by libqrencode.so.4 (Debian's
// symbols file lists it) but declared only in its internal header, qrencode_inner.h.
extern "C" QRcode* QRcode_encodeMask(QRinput* input, int mask);

namespace sp::stamp {
namespace {

constexpr std::string_view kMarker = "%sportello-stamp/1 ";
constexpr int kQuiet = 4;                // modules of white around the code, as scanners need
constexpr int kPlaceholderScale = 1;     // pixels a module in the placeholder (drawn without smoothing)
constexpr int kOldPlaceholderScale = 4;  // in copies made before 2026-12-06 (and in placeholder_png)

// The modules of `text`'s QR code (error correction M, the smallest version that holds it), quiet zone
// included: true is dark. Row-major, `size` x `size`.
struct Modules {
  int size = 0;
  std::vector<bool> dark;
};

Modules modules(const std::string& text, int mask = kBestMask) {
  // QRcode_encodeString8bit(text, 0, M) is QRinput_new2(0, M) + QRinput_append(8 bit) + encodeMask(-1).
  std::unique_ptr<QRinput, decltype(&QRinput_free)> input(QRinput_new2(0, QR_ECLEVEL_M), QRinput_free);
  if (!input || QRinput_append(input.get(), QR_MODE_8, static_cast<int>(text.size()),
                               reinterpret_cast<const unsigned char*>(text.data())) != 0)
    throw std::runtime_error("stamp: cannot encode the 2D code");
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeMask(input.get(), mask), QRcode_free);
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

// 1-bit DeviceGray rows (1 is white), each padded to a whole byte, `scale` pixels a module: one row of
// pixels per row of modules, copied `scale` times.
std::string gray_bits(const Modules& m, int scale) {
  const int w = m.size * scale;
  const auto row_bytes = static_cast<std::size_t>((w + 7) / 8);
  std::string out(row_bytes * static_cast<std::size_t>(w), '\0');
  std::string row(row_bytes, '\0');
  for (int r = 0; r < m.size; ++r) {
    std::fill(row.begin(), row.end(), '\0');
    for (int c = 0; c < m.size; ++c) {
      if (m.dark[static_cast<std::size_t>(r) * m.size + c]) continue;
      for (int x = c * scale; x < (c + 1) * scale; ++x) row[x / 8] |= static_cast<char>(0x80 >> (x % 8));
    }
    for (int k = 0; k < scale; ++k)
      std::memcpy(out.data() + static_cast<std::size_t>(r * scale + k) * row_bytes, row.data(), row_bytes);
  }
  return out;
}

// The placeholder's rows for `url` with QR mask `mask`: add_block draws them and locate looks for them,
// so the same URL comes twice in a row on a thread; the last one is kept.
const std::string& placeholder_bits(const std::string& url, int mask, int scale, int& pixels) {
  thread_local std::string last_url;
  thread_local std::string last_bits;
  thread_local int last_mask = 0;
  thread_local int last_scale = 0;
  thread_local int last_pixels = 0;
  if (last_pixels == 0 || url != last_url || mask != last_mask || scale != last_scale) {
    auto m = modules(url, mask);
    last_pixels = m.size * scale;
    last_bits = gray_bits(m, scale);
    last_url = url;
    last_mask = mask;
    last_scale = scale;
  }
  pixels = last_pixels;
  return last_bits;
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

// With qpdf: any PDF qpdf reads (the general case, and the reference the fast path agrees with).
Result<Target> locate_qpdf(const std::string& original, long long prev, int pw, const std::string& want) {
  Target t;
  t.prev = prev;
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
    t.root = ref(r);
    if (i.isIndirect()) t.info = ref(i);
    if (ids.isArray() && ids.getArrayNItems() == 2 && ids.getArrayItem(0).isString() &&
        ids.getArrayItem(1).isString())
      t.id = "[" + hex_string(ids.getArrayItem(0).getStringValue()) +
             hex_string(ids.getArrayItem(1).getStringValue()) + "]";
    t.size = s.getIntValue();
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
      t.obj = o.getObjectID();
      t.gen = o.getGeneration();
    }
    if (found != 1 || t.obj <= 0)
      return Error::make("stamp.no_placeholder", 422, std::to_string(found) + " placeholders");
  } catch (const std::exception& e) {
    return pdf_error(e.what());
  }
  return t;
}

// ---- the fast path: a file as pdf::Document writes it (qpdf's writer: one classic cross-reference
// table, every object plain, no object streams, direct stream lengths). Reads the trailer and the
// objects' dictionaries where the table says they are, without building qpdf's object model. Anything
// it does not expect (an xref stream, a /Prev, a filter other than Flate, an indirect /Length or
// /Width, a number that does not add up) returns nullopt and qpdf reads the file instead; so for any
// file both give the same answer (tests/integration/stamp compares them).

// PDF's white-space characters (ISO 32000 table 1) and delimiters.
bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}
bool is_delimiter(char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' ||
         c == '/' || c == '%';
}

// A PDF value as the fast path understands it: a name, an integer, a reference, a hex string, or an
// array/dictionary it skips (kind other) or reads (the trailer's /ID).
struct Lexer {
  std::string_view s;
  std::size_t at = 0;
  bool bad = false;

  void skip_space() {
    while (at < s.size() && is_space(s[at])) ++at;
    if (at < s.size() && s[at] == '%') bad = true;  // qpdf writes no comments inside objects
  }
  bool eat(std::string_view word) {
    skip_space();
    if (s.substr(at, word.size()) != word) return false;
    at += word.size();
    return true;
  }
  // A regular token (a number, a keyword, or a name without its '/').
  std::string_view token() {
    const std::size_t from = at;
    while (at < s.size() && !is_space(s[at]) && !is_delimiter(s[at])) ++at;
    return s.substr(from, at - from);
  }
  std::optional<long long> integer() {
    skip_space();
    auto t = token();
    if (t.empty() || t.size() > 15) return std::nullopt;
    long long v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  // Skips one value of any kind; false when it cannot.
  bool skip_value(int depth = 0) {
    skip_space();
    if (bad || at >= s.size() || depth > 32) return false;
    const char c = s[at];
    if (c == '/') {
      ++at;
      token();
      return true;
    }
    if (c == '(') {  // a literal string: balanced parentheses, backslash escapes
      int open = 0;
      for (; at < s.size(); ++at) {
        if (s[at] == '\\') {
          ++at;
        } else if (s[at] == '(') {
          ++open;
        } else if (s[at] == ')' && --open == 0) {
          ++at;
          return true;
        }
      }
      return false;
    }
    if (c == '<' && at + 1 < s.size() && s[at + 1] == '<') {
      at += 2;
      for (;;) {
        if (eat(">>")) return true;
        if (!eat("/")) return false;
        token();
        if (!skip_value(depth + 1)) return false;
      }
    }
    if (c == '<') {
      auto end = s.find('>', at);
      if (end == std::string_view::npos) return false;
      at = end + 1;
      return true;
    }
    if (c == '[') {
      ++at;
      for (;;) {
        if (eat("]")) return true;
        if (!skip_value(depth + 1)) return false;
      }
    }
    if (is_delimiter(c)) return false;
    // A number, true/false/null, or a reference "N G R".
    auto first = token();
    if (first.empty()) return false;
    const std::size_t after = at;
    if (auto g = integer(); g && eat("R")) return true;
    at = after;
    return true;
  }
};

// The dictionary at `lx.at` ("<< ... >>"): its direct integers, names and references by key; other
// values are skipped and recorded as "?" (so a key that matters and is not plain makes the caller give up).
using Dict = std::map<std::string, std::string, std::less<>>;
std::optional<Dict> read_dict(Lexer& lx) {
  if (!lx.eat("<<")) return std::nullopt;
  Dict d;
  for (;;) {
    if (lx.eat(">>")) return d;
    if (!lx.eat("/")) return std::nullopt;
    std::string key = "/" + std::string(lx.token());
    lx.skip_space();
    if (lx.bad || lx.at >= lx.s.size()) return std::nullopt;
    const std::size_t from = lx.at;
    const char c = lx.s[from];
    if (c == '/') {
      ++lx.at;
      d[key] = "/" + std::string(lx.token());
      continue;
    }
    if (c == '<' && lx.s.substr(from, 2) != "<<") {  // a hex string, kept as written
      if (!lx.skip_value()) return std::nullopt;
      d[key] = std::string(lx.s.substr(from, lx.at - from));
      continue;
    }
    if (c == '[' || c == '(' || c == '<') {
      if (!lx.skip_value()) return std::nullopt;
      d[key] = std::string(lx.s.substr(from, lx.at - from));
      continue;
    }
    auto word = lx.token();
    if (word.empty()) return std::nullopt;
    const bool digits = word.size() <= 15 &&
                        std::all_of(word.begin(), word.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits) {  // true, false, null, a real or negative number: kept, never read as an integer
      d[key] = "#" + std::string(word);
      continue;
    }
    const std::size_t after = lx.at;
    if (auto g = lx.integer(); g && lx.eat("R")) {
      d[key] = "R " + std::string(word) + " " + std::to_string(*g);
      continue;
    }
    lx.at = after;
    d[key] = std::string(word);
  }
}

std::optional<long long> dict_int(const Dict& d, std::string_view key) {
  auto it = d.find(key);
  if (it == d.end() || it->second.empty() || it->second[0] < '0' || it->second[0] > '9') return std::nullopt;
  return std::stoll(it->second);
}

// "R n g" (read_dict's reference) → "n g R".
std::optional<std::string> dict_ref(const Dict& d, std::string_view key) {
  auto it = d.find(key);
  if (it == d.end() || it->second.rfind("R ", 0) != 0) return std::nullopt;
  return it->second.substr(2) + " R";
}

// "[<hex><hex>]" as qpdf writes the file identifier → the same, lower-case (as locate_qpdf formats it).
std::optional<std::string> id_text(std::string_view v) {
  Lexer lx{v};
  if (!lx.eat("[")) return std::nullopt;
  std::string out = "[";
  for (int i = 0; i < 2; ++i) {
    lx.skip_space();
    if (lx.at >= v.size() || v[lx.at] != '<') return std::nullopt;
    auto end = v.find('>', lx.at);
    if (end == std::string_view::npos) return std::nullopt;
    std::string hex;
    for (char c : v.substr(lx.at + 1, end - lx.at - 1)) {
      if (is_space(c)) continue;
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (hex.size() % 2 != 0) return std::nullopt;  // qpdf would pad an odd digit: leave that to it
    out += "<" + hex + ">";
    lx.at = end + 1;
  }
  if (!lx.eat("]")) return std::nullopt;
  return out + "]";
}

std::optional<std::string> inflated(std::string_view data, std::size_t limit) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return std::nullopt;
  std::string out(limit + 1, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = ::inflate(&z, Z_FINISH);
  const std::size_t n = out.size() - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(n);
  return out;
}

std::optional<Result<Target>> locate_plain(const std::string& original, long long prev, int pw,
                                           const std::string& want) {
  const std::string_view file(original);
  if (prev <= 0 || static_cast<std::size_t>(prev) >= file.size()) return std::nullopt;
  Lexer lx{file, static_cast<std::size_t>(prev)};
  if (!lx.eat("xref")) return std::nullopt;
  // The table: subsections "first count", then 20-byte entries.
  std::vector<std::pair<long long, long long>> objects;  // (number, offset) of the objects in use
  std::map<long long, long long> generation;
  for (;;) {
    lx.skip_space();
    if (lx.eat("trailer")) break;
    auto first = lx.integer();
    auto count = lx.integer();
    if (!first || !count || *count > 1000000) return std::nullopt;
    lx.skip_space();
    for (long long k = 0; k < *count; ++k) {
      if (lx.at + 20 > file.size()) return std::nullopt;
      const auto e = file.substr(lx.at, 20);
      if (e[10] != ' ' || e[16] != ' ' || (e[17] != 'n' && e[17] != 'f')) return std::nullopt;
      long long off = 0;
      long long gen = 0;
      for (int i = 0; i < 10; ++i) {
        if (e[i] < '0' || e[i] > '9') return std::nullopt;
        off = off * 10 + (e[i] - '0');
      }
      for (int i = 11; i < 16; ++i) {
        if (e[i] < '0' || e[i] > '9') return std::nullopt;
        gen = gen * 10 + (e[i] - '0');
      }
      if (e[17] == 'n') {
        objects.emplace_back(*first + k, off);
        generation[*first + k] = gen;
      }
      lx.at += 20;
    }
  }
  auto trailer = read_dict(lx);
  if (!trailer || trailer->count("/Prev") != 0 || trailer->count("/XRefStm") != 0 ||
      trailer->count("/Encrypt") != 0)
    return std::nullopt;
  Target t;
  t.prev = prev;
  auto root = dict_ref(*trailer, "/Root");
  auto size = dict_int(*trailer, "/Size");
  if (!root || !size) return std::nullopt;
  t.root = *root;
  t.size = *size;
  if (trailer->count("/Info") != 0) {
    auto info = dict_ref(*trailer, "/Info");
    if (!info) return std::nullopt;
    t.info = *info;
  }
  if (auto it = trailer->find("/ID"); it != trailer->end()) {
    auto id = id_text(it->second);
    if (!id) return std::nullopt;
    t.id = *id;
  }
  // Every object the table lists: the image streams of the placeholder's size.
  int found = 0;
  for (const auto& [number, offset] : objects) {
    if (offset <= 0 || static_cast<std::size_t>(offset) >= file.size()) return std::nullopt;
    Lexer o{file, static_cast<std::size_t>(offset)};
    auto n = o.integer();
    auto g = o.integer();
    if (!n || !g || *n != number || *g != generation[number] || !o.eat("obj")) return std::nullopt;
    o.skip_space();
    if (o.at >= file.size() || file.substr(o.at, 2) != "<<") continue;  // not a stream
    const std::size_t dict_at = o.at;
    if (!o.skip_value()) return std::nullopt;
    const std::size_t dict_end = o.at;
    if (!o.eat("stream")) continue;
    if (o.at < file.size() && file[o.at] == '\r') ++o.at;
    if (o.at >= file.size() || file[o.at] != '\n') return std::nullopt;
    const std::size_t data_at = o.at + 1;
    Lexer dl{file.substr(0, dict_end), dict_at};
    auto d = read_dict(dl);
    if (!d) return std::nullopt;
    auto subtype = d->find("/Subtype");
    if (subtype == d->end()) continue;
    if (subtype->second != "/Image") {
      if (subtype->second[0] != '/') return std::nullopt;
      continue;
    }
    auto w = dict_int(*d, "/Width");
    auto h = dict_int(*d, "/Height");
    if (!w || !h) return std::nullopt;
    if (*w != pw || *h != pw) continue;
    auto bpc = d->find("/BitsPerComponent");
    if (bpc == d->end() || !dict_int(*d, "/BitsPerComponent")) return std::nullopt;
    if (bpc->second != "1") continue;
    auto length = dict_int(*d, "/Length");
    if (!length || data_at + static_cast<std::size_t>(*length) > file.size()) return std::nullopt;
    if (d->count("/DecodeParms") != 0) return std::nullopt;
    const auto raw = file.substr(data_at, static_cast<std::size_t>(*length));
    std::string data;
    if (auto f = d->find("/Filter"); f == d->end()) {
      data = std::string(raw);
    } else if (f->second == "/FlateDecode") {
      auto z = inflated(raw, want.size());
      if (!z) return std::nullopt;
      data = std::move(*z);
    } else {
      return std::nullopt;
    }
    if (data != want) continue;
    ++found;
    t.obj = static_cast<int>(number);
    t.gen = static_cast<int>(*g);
  }
  if (found != 1 || t.obj <= 0)
    return Result<Target>(Error::make("stamp.no_placeholder", 422, std::to_string(found) + " placeholders"));
  return Result<Target>(std::move(t));
}

}  // namespace

std::string placeholder_png(const std::string& text) {
  auto m = modules(text);
  const int w = m.size * kOldPlaceholderScale;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, w), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  for (int r = 0; r < m.size; ++r)
    for (int c = 0; c < m.size; ++c)
      if (m.dark[static_cast<std::size_t>(r) * m.size + c])
        cairo_rectangle(cr.get(), c * kOldPlaceholderScale, r * kOldPlaceholderScale, kOldPlaceholderScale,
                        kOldPlaceholderScale);
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
  // The placeholder's pixels as they are (no PNG written and read back): the same 1-bit image in the PDF.
  int w = 0;
  const std::string& bits = placeholder_bits(block.placeholder_url, kCodeMask, kPlaceholderScale, w);
  doc.bitmap(bits, w, w, block.code_alt, 110);
  doc.key_values(block.rows, {.size = 9, .label_width = 150});
}

Result<Target> locate(const std::string& original, const std::string& placeholder_url, bool qpdf_only) {
  if (original.empty() || original.back() != '\n') return pdf_error("does not end with a new line");
  auto prev = last_startxref(original);
  if (!prev) return pdf_error("no startxref");
  // The placeholder has the code's fixed mask, a pixel a module; in copies made before, libqrencode's
  // choice of mask and four pixels a module.
  Result<Target> found = Error::make("stamp.no_placeholder", 422);
  for (auto [mask, scale] :
       {std::pair{kCodeMask, kPlaceholderScale}, std::pair{kBestMask, kOldPlaceholderScale}}) {
    int pw = 0;
    const std::string want = placeholder_bits(placeholder_url, mask, scale, pw);
    std::optional<Result<Target>> fast;
    if (!qpdf_only) fast = locate_plain(original, *prev, pw, want);
    found = fast ? std::move(*fast) : locate_qpdf(original, *prev, pw, want);
    if (found || found.error().code != "stamp.no_placeholder") return found;
  }
  return found;
}

std::string update(const Target& t, std::size_t original_size, const std::string& payload, int mask) {
  // Only text this function formats, so that it is the same whatever library read the document.
  auto code = modules(payload, mask);
  const std::string bits = gray_bits(code, 1);
  std::string u = std::string(kMarker) + payload + "\n";
  const long long object_at = static_cast<long long>(original_size + u.size());
  u += std::to_string(t.obj) + " " + std::to_string(t.gen) + " obj\n";
  u += "<< /Type /XObject /Subtype /Image /Width " + std::to_string(code.size) + " /Height " +
       std::to_string(code.size) +
       " /ColorSpace /DeviceGray /BitsPerComponent 1 /Interpolate false /Length " +
       std::to_string(bits.size()) + " >>\nstream\n";
  u += bits;
  u += "\nendstream\nendobj\n";
  const long long xref_at = static_cast<long long>(original_size + u.size());
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010lld %05d n \n", object_at, t.gen);
  u += "xref\n" + std::to_string(t.obj) + " 1\n" + entry;
  u += "trailer\n<< /Size " + std::to_string(t.size) + " /Root " + t.root;
  if (!t.info.empty()) u += " /Info " + t.info;
  if (!t.id.empty()) u += " /ID " + t.id;
  u += " /Prev " + std::to_string(t.prev) + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  return u;
}

Result<std::string> append_update(const std::string& original, const std::string& payload,
                                  const std::string& placeholder_url, int mask) {
  if (payload.find('\n') != std::string::npos || payload.find('\r') != std::string::npos)
    return pdf_error("payload with a line break");
  auto t = locate(original, placeholder_url);
  if (!t) return t.error();
  return original + update(*t, original.size(), payload, mask);
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
