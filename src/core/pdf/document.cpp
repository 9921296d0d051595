#include "core/pdf/document.hpp"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <qrencode.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <pugixml.hpp>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <variant>

namespace sp::pdf {

// ---- blocks --------------------------------------------------------------------------------------------

namespace blocks {
struct Letterhead {
  std::string name, logo_png, logo_alt;
};
struct Heading {
  int level;
  std::string text;
  double size;
};
struct Paragraph {
  std::string text;
  TextStyle style;
};
struct KeyValues {
  std::vector<std::pair<std::string, std::string>> rows;
  KeyValueStyle style;
};
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
  TableStyle style;
};
struct List {
  std::vector<std::string> items;
  TextStyle style;
};
struct Qr {
  std::string payload, alt;
  double size;
};
struct Image {
  std::string png, alt;
  double width;
};
struct Bitmap {
  std::string bits;
  int pixels_wide, pixels_high;
  std::string alt;
  double width;
};
struct Rule {};
struct PageBreak {};
struct Space {
  double points;
};
}  // namespace blocks

struct Document::Block {
  std::variant<blocks::Letterhead, blocks::Heading, blocks::Paragraph, blocks::KeyValues, blocks::Table,
               blocks::List, blocks::Qr, blocks::Image, blocks::Bitmap, QrPanel, blocks::Rule,
               blocks::PageBreak, blocks::Space>
      v;
};

namespace {

constexpr double kA4Width = 595.276;
constexpr double kA4Height = 841.89;
constexpr double kFooterSize = 7.5;
constexpr double kFooterSpace = 16;  // between the last line of content and the bottom margin
constexpr double kLogoHeight = 40;

// ---- fonts -----------------------------------------------------------------------------------------------

// fontconfig's file for a pattern ("DejaVu Sans:bold"), looked up once per process.
std::string match_font_file(const char* pattern) {
  static std::mutex mutex;
  static std::map<std::string, std::string, std::less<>> found;
  std::lock_guard lock(mutex);
  if (auto it = found.find(pattern); it != found.end()) return it->second;
  std::string file;
  FcPattern* p = FcNameParse(reinterpret_cast<const FcChar8*>(pattern));
  if (p != nullptr) {
    FcConfigSubstitute(nullptr, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult result = FcResultNoMatch;
    FcPattern* m = FcFontMatch(nullptr, p, &result);
    FcChar8* f = nullptr;
    if (m != nullptr && FcPatternGetString(m, FC_FILE, 0, &f) == FcResultMatch && f != nullptr)
      file = reinterpret_cast<const char*>(f);
    if (m != nullptr) FcPatternDestroy(m);
    FcPatternDestroy(p);
  }
  if (file.empty()) throw std::runtime_error(std::string("pdf: no font found for '") + pattern + "'");
  found.emplace(pattern, file);
  return file;
}

// A cairo font face for a TrueType file, made once per file and kept for the life of the process (cairo
// font faces are reference counted and safe to share between threads).
cairo_font_face_t* font_face(const std::string& file) {
  static std::mutex mutex;
  static std::map<std::string, cairo_font_face_t*, std::less<>> faces;
  std::lock_guard lock(mutex);
  if (auto it = faces.find(file); it != faces.end()) return it->second;
  FcPattern* p = FcPatternCreate();
  FcPatternAddString(p, FC_FILE, reinterpret_cast<const FcChar8*>(file.c_str()));
  FcPatternAddInteger(p, FC_INDEX, 0);
  cairo_font_face_t* face = cairo_ft_font_face_create_for_pattern(p);
  FcPatternDestroy(p);
  if (face == nullptr || cairo_font_face_status(face) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("pdf: cannot load the font " + file);
  faces.emplace(file, face);
  return face;
}

// ---- UTF-8 -----------------------------------------------------------------------------------------------

// The length of the UTF-8 sequence starting at s[i] (1 for a stray byte: cairo replaces what is invalid).
std::size_t lead_len(unsigned char b) {
  return b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
}
std::size_t utf8_len(std::string_view s, std::size_t i) {
  return std::min(lead_len(static_cast<unsigned char>(s[i])), s.size() - i);
}

// What cairo may be given: valid UTF-8 (an invalid sequence would put the whole context in an error
// state), so invalid bytes become '?'; control characters other than '\n' become spaces (they have no
// glyph).
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += (b < 0x20 && b != '\n') || b == 0x7F ? ' ' : static_cast<char>(b);
      ++i;
      continue;
    }
    const std::size_t n = lead_len(b);
    char32_t cp = n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    bool valid = n > 1 && i + n <= s.size();
    for (std::size_t k = 1; valid && k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and code points past Unicode are invalid too.
    if (valid && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
                  (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      valid = false;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// ---- post-processing (qpdf) ------------------------------------------------------------------------------

// The XMP packet repeats the document information (PDF/A asks that they agree).
std::string xmp_packet(const Options& o, const std::string& producer) {
  pugi::xml_document x;
  auto meta = x.append_child("x:xmpmeta");
  meta.append_attribute("xmlns:x") = "adobe:ns:meta/";
  auto rdf = meta.append_child("rdf:RDF");
  rdf.append_attribute("xmlns:rdf") = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  auto d = rdf.append_child("rdf:Description");
  d.append_attribute("rdf:about") = "";
  d.append_attribute("xmlns:dc") = "http://purl.org/dc/elements/1.1/";
  d.append_attribute("xmlns:pdf") = "http://ns.adobe.com/pdf/1.3/";
  d.append_attribute("xmlns:xmp") = "http://ns.adobe.com/xap/1.0/";
  d.append_child("dc:format").text() = "application/pdf";
  auto li = [](pugi::xml_node parent, const char* container, const std::string& text, bool x_default) {
    auto item = parent.append_child(container).append_child("rdf:li");
    if (x_default) item.append_attribute("xml:lang") = "x-default";
    item.text() = text.c_str();
  };
  if (!o.title.empty()) li(d.append_child("dc:title"), "rdf:Alt", o.title, true);
  if (!o.author.empty()) li(d.append_child("dc:creator"), "rdf:Seq", o.author, false);
  if (!o.subject.empty()) li(d.append_child("dc:description"), "rdf:Alt", o.subject, true);
  li(d.append_child("dc:language"), "rdf:Bag", o.lang, false);
  d.append_child("xmp:CreatorTool").text() = o.creator.c_str();
  if (!producer.empty()) d.append_child("pdf:Producer").text() = producer.c_str();
  std::ostringstream out;
  out << "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n";
  x.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
  out << "<?xpacket end=\"w\"?>";
  return out.str();
}

// Figures get their text alternative (in document order: the order they were drawn), table headers
// their scope: a header in a row of headers heads a column, one beside data cells heads its row.
void annotate_structure(QPDFObjectHandle element, QPDFObjectHandle parent_kids,
                        const std::vector<std::string>& alts, std::size_t& next_alt) {
  if (!element.isDictionary()) return;
  auto s = element.getKey("/S");
  if (s.isName() && s.getName() == "/Figure" && next_alt < alts.size()) {
    element.replaceKey("/Alt", QPDFObjectHandle::newUnicodeString(alts[next_alt++]));
  }
  if (s.isName() && s.getName() == "/TH" && parent_kids.isArray()) {
    bool all_headers = true;
    for (auto& sibling : parent_kids.aitems()) {
      auto ss = sibling.isDictionary() ? sibling.getKey("/S") : QPDFObjectHandle::newNull();
      if (ss.isName() && ss.getName() != "/TH") all_headers = false;
    }
    element.replaceKey("/A", QPDFObjectHandle::parse(all_headers ? "<< /O /Table /Scope /Column >>"
                                                                 : "<< /O /Table /Scope /Row >>"));
  }
  auto kids = element.getKey("/K");
  if (kids.isDictionary()) kids = QPDFObjectHandle::newArray({kids});
  if (!kids.isArray()) return;
  for (auto& kid : kids.aitems()) annotate_structure(kid, kids, alts, next_alt);
}

std::string postprocess(const std::string& raw, const Options& o, const std::vector<std::string>& alts) {
  QPDF q;
  q.processMemoryFile("sportello.pdf", raw.data(), raw.size());
  auto root = q.getRoot();
  root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(o.lang));
  auto mark = root.getKey("/MarkInfo");
  if (!mark.isDictionary()) {
    root.replaceKey("/MarkInfo", QPDFObjectHandle::parse("<< /Marked true >>"));
  } else {
    mark.replaceKey("/Marked", QPDFObjectHandle::newBool(true));
  }
  root.replaceKey("/ViewerPreferences", QPDFObjectHandle::parse("<< /DisplayDocTitle true >>"));

  auto trailer = q.getTrailer();
  auto info = trailer.getKey("/Info");
  if (!info.isDictionary()) {
    info = q.makeIndirectObject(QPDFObjectHandle::newDictionary());
    trailer.replaceKey("/Info", info);
  }
  auto set = [&](const char* key, const std::string& value) {
    if (!value.empty()) info.replaceKey(key, QPDFObjectHandle::newUnicodeString(value));
  };
  set("/Title", o.title);
  set("/Author", o.author);
  set("/Subject", o.subject);
  set("/Creator", o.creator);

  auto producer = info.getKey("/Producer");
  auto xmp = q.newStream(xmp_packet(o, producer.isString() ? producer.getUTF8Value() : std::string()));
  xmp.getDict().replaceKey("/Type", QPDFObjectHandle::newName("/Metadata"));
  xmp.getDict().replaceKey("/Subtype", QPDFObjectHandle::newName("/XML"));
  root.replaceKey("/Metadata", xmp);

  auto tree = root.getKey("/StructTreeRoot");
  if (tree.isDictionary()) {
    std::size_t next_alt = 0;
    annotate_structure(tree, QPDFObjectHandle::newNull(), alts, next_alt);
  }

  QPDFWriter w(q);
  w.setOutputMemory();
  w.setDeterministicID(true);             // the same document gives the same bytes
  w.setObjectStreamMode(qpdf_o_disable);  // plain objects: any tool (and grep) reads them
  w.setCompressStreams(o.compress);
  w.setDecodeLevel(qpdf_dl_generalized);
  w.write();
  auto buffer = w.getBufferSharedPointer();
  return {reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize()};
}

// ---- layout (cairo) --------------------------------------------------------------------------------------

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  if (closure != nullptr)
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct PngReader {
  const std::string* data;
  std::size_t at = 0;
};

cairo_status_t read_png(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->data->size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, r->data->data() + r->at, length);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

SurfacePtr png_surface(const std::string& png) {
  PngReader reader{&png};
  SurfacePtr s(cairo_image_surface_create_from_png_stream(read_png, &reader), cairo_surface_destroy);
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("pdf: an invalid PNG image");
  return s;
}

// The RGB24 surface of a 1-bit image (what png_surface gives for a black-and-white PNG of the same pixels).
SurfacePtr bitmap_surface(const blocks::Bitmap& b) {
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, b.pixels_wide, b.pixels_high),
               cairo_surface_destroy);
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS) throw std::runtime_error("pdf: bitmap surface");
  cairo_surface_flush(s.get());
  unsigned char* data = cairo_image_surface_get_data(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  const std::size_t row_bytes = (static_cast<std::size_t>(b.pixels_wide) + 7) / 8;
  for (int y = 0; y < b.pixels_high; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    const auto* in = reinterpret_cast<const unsigned char*>(b.bits.data()) + y * row_bytes;
    for (int x = 0; x < b.pixels_wide; ++x)
      row[x] = (in[x / 8] & (0x80 >> (x % 8))) != 0 ? 0x00FFFFFFu : 0x00000000u;
  }
  cairo_surface_mark_dirty(s.get());
  return s;
}

// One pass over the blocks onto a PDF surface. finish() runs it twice: the first pass counts the pages
// (its output is discarded), the second knows the total for "Pagina i di n".
class Renderer {
 public:
  Renderer(const Options& o, std::string* out, int total_pages)
      : o_(o),
        total_(total_pages),
        width_(o.landscape ? kA4Height : kA4Width),
        height_(o.landscape ? kA4Width : kA4Height),
        surface_(cairo_pdf_surface_create_for_stream(append_to_string, out, width_, height_),
                 cairo_surface_destroy),
        regular_(font_face(o.font_regular.empty() ? match_font_file("DejaVu Sans") : o.font_regular)),
        bold_(font_face(o.font_bold.empty() ? match_font_file("DejaVu Sans:bold") : o.font_bold)) {
    cairo_pdf_surface_restrict_to_version(surface_.get(), CAIRO_PDF_VERSION_1_5);
    cr_ = cairo_create(surface_.get());
    // Unhinted metrics: what is measured is what a reader's viewer shows at any zoom.
    cairo_font_options_t* fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr_, fo);
    cairo_font_options_destroy(fo);
    y_ = o_.margin;
    top_ = y_;
    page_ = 1;
    tag_begin("Document");
  }
  ~Renderer() { cairo_destroy(cr_); }
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  void run(const std::vector<Document::Block>& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      std::visit([&](const auto& b) { draw(b, i + 1 < blocks.size() ? &blocks[i + 1] : nullptr); },
                 blocks[i].v);
    }
    tag_end("Document");
    footer();
    cairo_show_page(cr_);
    cairo_surface_finish(surface_.get());
    if (auto st = cairo_status(cr_); st != CAIRO_STATUS_SUCCESS)
      throw std::runtime_error(std::string("pdf: cairo: ") + cairo_status_to_string(st));
    if (auto st = cairo_surface_status(surface_.get()); st != CAIRO_STATUS_SUCCESS)
      throw std::runtime_error(std::string("pdf: cairo: ") + cairo_status_to_string(st));
  }

  [[nodiscard]] int pages() const { return page_; }
  // The first pass (finish() runs two): it lays out to count the pages; its output is thrown away.
  [[nodiscard]] bool counting() const { return total_ == 0; }
  [[nodiscard]] const std::vector<std::string>& figure_alts() const { return alts_; }

 private:
  // ---- primitives
  void tag_begin(const char* name) { cairo_tag_begin(cr_, name, nullptr); }
  void tag_end(const char* name) { cairo_tag_end(cr_, name); }

  [[nodiscard]] double content_width() const { return width_ - 2 * o_.margin; }
  [[nodiscard]] double bottom() const { return height_ - o_.margin - kFooterSpace; }
  [[nodiscard]] bool at_top() const { return y_ <= top_ + 0.01; }

  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = o_.margin;
    running_header();
    top_ = y_;
  }

  void running_header() {
    if (o_.running_header.empty()) return;
    const double size = 8.5;
    font(true, size);
    cairo_set_source_rgb(cr_, 0.25, 0.25, 0.25);
    for (const auto& l : wrap(o_.running_header, content_width())) {
      show(o_.margin, y_ + size, l);
      y_ += size * 1.3;
    }
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, o_.margin, y_ + 3);
    cairo_line_to(cr_, width_ - o_.margin, y_ + 3);
    cairo_stroke(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ += 12;
  }
  // Room for `h` more points on this page, or a new page (unless this one is still empty: a block taller
  // than a page is drawn across pages by its own code).
  void need(double h) {
    if (y_ + h > bottom() && !at_top()) new_page();
  }

  void font(bool bold, double size) {
    cairo_set_font_face(cr_, bold ? bold_ : regular_);
    cairo_set_font_size(cr_, size);
  }
  double width_of(std::string_view text) {
    if (text.empty()) return 0;
    cairo_text_extents_t e;
    const std::string s(text);
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }
  // The current font's text at (x, baseline).
  void show(double x, double baseline, const std::string& text) {
    if (text.empty()) return;
    cairo_move_to(cr_, x, baseline);
    cairo_show_text(cr_, text.c_str());
  }

  // Word wrap in the current font: '\n' starts a new line, a word wider than the line is cut between
  // characters.
  std::vector<std::string> wrap(const std::string& text, double max_width) {
    std::vector<std::string> out;
    const std::string t = printable(text);
    std::size_t start = 0;
    while (start <= t.size()) {
      auto end = t.find('\n', start);
      if (end == std::string::npos) end = t.size();
      const std::string_view para(t.data() + start, end - start);
      std::string line;
      std::size_t p = 0;
      while (p < para.size()) {
        if (para[p] == ' ') {
          ++p;
          continue;
        }
        auto q = para.find(' ', p);
        if (q == std::string_view::npos) q = para.size();
        std::string word(para.substr(p, q - p));
        p = q;
        std::string candidate = line.empty() ? word : line + " " + word;
        if (width_of(candidate) <= max_width) {
          line = std::move(candidate);
          continue;
        }
        if (!line.empty()) out.push_back(std::exchange(line, {}));
        while (word.size() > 1 && width_of(word) > max_width) {
          std::size_t n = utf8_len(word, 0);
          while (n < word.size()) {
            const std::size_t next = n + utf8_len(word, n);
            if (width_of(std::string_view(word).substr(0, next)) > max_width) break;
            n = next;
          }
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

  // Lines at x from the cursor down, each on the page where it fits.
  void lines(const std::vector<std::string>& ls, double x, double size, double leading) {
    for (const auto& l : ls) {
      need(leading);
      show(x, y_ + size, l);
      y_ += leading;
    }
  }

  void footer() {
    if (o_.footer.empty() && o_.page_label.empty()) return;
    font(false, kFooterSize);
    cairo_set_source_rgb(cr_, 0.25, 0.25, 0.25);
    const double baseline = height_ - o_.margin + 14;
    // Pagination is not content: it stays out of the structure tree (a screen reader skips it).
    std::string label = printable(o_.page_label.empty() ? "{page} / {pages}" : o_.page_label);
    auto replace = [&](std::string_view key, const std::string& value) {
      if (auto at = label.find(key); at != std::string::npos) label.replace(at, key.size(), value);
    };
    replace("{page}", std::to_string(page_));
    replace("{pages}", total_ > 0 ? std::to_string(total_) : std::string("000"));
    const double label_width = width_of(label);
    std::string left = o_.footer;
    const double room = content_width() - label_width - 12;
    auto wrapped = wrap(left, std::max(room, 10.0));
    if (!wrapped.empty()) left = wrapped.front();  // one line: a longer footer is cut
    show(o_.margin, baseline, left);
    show(width_ - o_.margin - label_width, baseline, label);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }

  // `crisp`: each pixel drawn as a sharp square at any size (a bitmap such as a 2D code, one pixel a
  // module): nearest-neighbour filtering, which PDF readers get as /Interpolate false.
  void figure(cairo_surface_t* image, double x, double w, const std::string& alt, bool crisp = false) {
    const double iw = cairo_image_surface_get_width(image);
    const double ih = cairo_image_surface_get_height(image);
    const double h = w * ih / iw;
    // The first pass only counts pages: an image changes no layout, so it is not painted (cairo would
    // analyse and compress it for output that is thrown away).
    if (counting()) return;
    tag_begin("Figure");
    alts_.push_back(alt);
    cairo_save(cr_);
    cairo_translate(cr_, x, y_);
    cairo_scale(cr_, w / iw, h / ih);
    cairo_set_source_surface(cr_, image, 0, 0);
    if (crisp) cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
    // A filled rectangle, not cairo_paint: cairo 1.16 fails to finish a tagged document holding an
    // unbounded paint inside a structure element.
    cairo_rectangle(cr_, 0, 0, iw, ih);
    cairo_fill(cr_);
    cairo_restore(cr_);
    tag_end("Figure");
  }

  // ---- blocks
  void draw(const blocks::Letterhead& b, const Document::Block*) {
    const double size = 13;
    double x = o_.margin;
    need(kLogoHeight);
    const double top = y_;
    if (!b.logo_png.empty()) {
      auto img = png_surface(b.logo_png);
      const double w = kLogoHeight * cairo_image_surface_get_width(img.get()) /
                       std::max(1, cairo_image_surface_get_height(img.get()));
      figure(img.get(), x, w, b.logo_alt.empty() ? b.name : b.logo_alt);
      x += w + 10;
    }
    font(true, size);
    auto ls = wrap(b.name, width_ - o_.margin - x);
    const double text_h = static_cast<double>(ls.size()) * size * 1.3;
    if (!b.logo_png.empty()) y_ = top + std::max(0.0, (kLogoHeight - text_h) / 2);
    tag_begin("P");
    lines(ls, x, size, size * 1.3);
    tag_end("P");
    y_ = std::max(y_, b.logo_png.empty() ? y_ : top + kLogoHeight) + 10;
  }

  void draw(const blocks::Heading& b, const Document::Block* next) {
    static constexpr double kSizes[] = {16, 13, 11.5, 10.5, 10, 10};
    const int level = std::clamp(b.level, 1, 6);
    const double size = b.size > 0 ? b.size : kSizes[level - 1];
    const double leading = size * 1.3;
    font(true, size);
    auto ls = wrap(b.text, content_width());
    // Keep the heading with the start of what follows (a table's header and first rows, a few lines).
    const double keep = next != nullptr ? 45 : 0;
    need(static_cast<double>(ls.size()) * leading + keep);
    if (!at_top()) y_ += size * 0.4;
    const std::string tag = "H" + std::to_string(level);
    tag_begin(tag.c_str());
    lines(ls, o_.margin, size, leading);
    tag_end(tag.c_str());
    y_ += size * 0.3;
  }

  void draw(const blocks::Paragraph& b, const Document::Block*) {
    const double leading = b.style.size * 1.3;
    font(b.style.bold, b.style.size);
    auto ls = wrap(b.text, content_width() - b.style.indent);
    tag_begin("P");
    lines(ls, o_.margin + b.style.indent, b.style.size, leading);
    tag_end("P");
    y_ += b.style.space_after;
  }

  void draw(const blocks::List& b, const Document::Block*) {
    const double size = b.style.size;
    const double leading = size * 1.3;
    const double bullet = 12;
    tag_begin("L");
    for (const auto& item : b.items) {
      font(b.style.bold, size);
      auto ls = wrap(item, content_width() - b.style.indent - bullet);
      need(leading);
      tag_begin("LI");
      tag_begin("Lbl");
      show(o_.margin + b.style.indent, y_ + size, "•");
      tag_end("Lbl");
      tag_begin("LBody");
      lines(ls, o_.margin + b.style.indent + bullet, size, leading);
      tag_end("LBody");
      tag_end("LI");
      y_ += 2;
    }
    tag_end("L");
    y_ += b.style.space_after;
  }

  void draw(const blocks::KeyValues& b, const Document::Block*) {
    const double size = b.style.size;
    const double leading = size * 1.35;
    const double label_x = o_.margin + b.style.indent;
    const double value_x = o_.margin + b.style.label_width;
    const double label_w = b.style.label_width - b.style.indent - 8;
    const double value_w = width_ - o_.margin - value_x;
    tag_begin("Table");
    for (const auto& [label, value] : b.rows) {
      font(true, size);
      auto ls = wrap(label, label_w);
      font(false, size);
      auto vs = wrap(value, value_w);
      const double h = static_cast<double>(std::max(ls.size(), vs.size())) * leading;
      // Keep a row together when it fits on a page; a longer one (a long answer) runs across pages.
      if (h <= bottom() - o_.margin) need(h);
      need(leading);
      const double top = y_;
      tag_begin("TR");
      tag_begin("TH");
      font(true, size);
      lines(ls, label_x, size, leading);
      tag_end("TH");
      const int label_page = page_;
      const double after_label = y_;
      if (page_ == label_page) y_ = top;
      tag_begin("TD");
      font(false, size);
      lines(vs, value_x, size, leading);
      tag_end("TD");
      tag_end("TR");
      if (page_ == label_page) y_ = std::max(y_, after_label);
      y_ += 2;
    }
    tag_end("Table");
    y_ += 2;
  }

  struct RowLines {
    std::vector<std::vector<std::string>> cells;
    double height = 0;
  };

  RowLines row_lines(const std::vector<std::string>& cells, const std::vector<double>& widths, bool bold,
                     const TableStyle& s) {
    RowLines r;
    font(bold, s.size);
    const double leading = s.size * 1.25;
    std::size_t n = 1;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      auto ls = wrap(i < cells.size() ? cells[i] : std::string(), widths[i] - 2 * s.padding);
      if (ls.size() > s.max_cell_lines && s.max_cell_lines > 1) {
        ls.resize(s.max_cell_lines - 1);
        for (auto& l : wrap(s.cut_note, widths[i] - 2 * s.padding)) ls.push_back(l);
      }
      n = std::max(n, ls.size());
      r.cells.push_back(std::move(ls));
    }
    r.height = static_cast<double>(n) * leading + 2 * s.padding;
    return r;
  }

  // A row's cells side by side at the cursor, then a thin line under it. `tagged` false draws the repeated
  // header of a continued table, which is not content a second time.
  void draw_row(const RowLines& r, const std::vector<double>& widths, bool header, bool tagged,
                const TableStyle& s) {
    const double leading = s.size * 1.25;
    double total = 0;
    for (double w : widths) total += w;
    if (header) {
      cairo_set_source_rgb(cr_, 0.88, 0.88, 0.88);
      cairo_rectangle(cr_, o_.margin, y_, total, r.height);
      cairo_fill(cr_);
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    font(header, s.size);
    if (tagged) tag_begin("TR");
    double x = o_.margin;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const char* cell = header ? "TH" : "TD";
      if (tagged) tag_begin(cell);
      double baseline = y_ + s.padding + s.size;
      for (const auto& l : r.cells[i]) {
        show(x + s.padding, baseline, l);
        baseline += leading;
      }
      if (tagged) tag_end(cell);
      x += widths[i];
    }
    if (tagged) tag_end("TR");
    y_ += r.height;
    cairo_set_line_width(cr_, 0.3);
    cairo_move_to(cr_, o_.margin, y_);
    cairo_line_to(cr_, o_.margin + total, y_);
    cairo_stroke(cr_);
  }

  void draw(const blocks::Table& b, const Document::Block*) {
    double weights = 0;
    for (const auto& c : b.columns) weights += std::max(c.weight, 0.0);
    std::vector<double> widths;
    std::vector<std::string> titles;
    for (const auto& c : b.columns) {
      widths.push_back(content_width() * std::max(c.weight, 0.0) / std::max(weights, 1e-9));
      titles.push_back(c.title);
    }
    const auto header = row_lines(titles, widths, true, b.style);
    const RowLines first = b.rows.empty() ? RowLines{} : row_lines(b.rows.front(), widths, false, b.style);
    need(header.height + first.height);
    tag_begin("Table");
    draw_row(header, widths, true, true, b.style);
    for (const auto& row : b.rows) {
      const auto r = row_lines(row, widths, false, b.style);
      if (y_ + r.height > bottom()) {
        new_page();
        draw_row(header, widths, true, false, b.style);
      }
      draw_row(r, widths, false, true, b.style);
    }
    tag_end("Table");
    y_ += 6;
  }

  // A QR code of `payload` (error correction M) `size` points wide, quiet zone included, with its top left
  // corner at (x, y): a Figure with `alt`.
  void qr_code(const std::string& payload, const std::string& alt, double x, double y, double size) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(payload.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
    if (!code) throw std::runtime_error("pdf: cannot encode the QR code");
    const int n = code->width;
    const int quiet = 4;  // the quiet zone a scanner needs, in modules
    const double module = size / (n + 2 * quiet);
    tag_begin("Figure");
    alts_.push_back(alt);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < n; ++c) {
        if ((code->data[r * n + c] & 1) != 0)
          cairo_rectangle(cr_, x + (c + quiet) * module, y + (r + quiet) * module, module, module);
      }
    }
    cairo_fill(cr_);
    tag_end("Figure");
  }

  void draw(const blocks::Qr& b, const Document::Block*) {
    need(b.size);
    qr_code(b.payload, b.alt, o_.margin, y_, b.size);
    y_ += b.size + 4;
  }

  void draw(const QrPanel& b, const Document::Block*) {
    const double pad = 8;
    const double gap = 12;  // between the QR code and the rows
    const double x0 = o_.margin;
    const double w = content_width();
    const double inner_x = x0 + pad;
    const double inner_w = w - 2 * pad;
    const double hs = b.heading_size;
    const double hlead = hs * 1.3;
    const double lead = b.size * 1.35;

    font(true, hs);
    const std::string aside = printable(b.aside);
    const double aside_w = width_of(aside);
    auto heading = wrap(b.heading, std::max(inner_w - aside_w - (aside.empty() ? 0 : gap), 40.0));
    const double band_h = pad + static_cast<double>(heading.size()) * hlead + pad / 2;

    const double rows_x = inner_x + b.qr_size + gap;
    const double value_x = rows_x + b.label_width;
    const double label_w = b.label_width - 8;
    const double value_w = std::max(x0 + w - pad - value_x, 40.0);
    std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> rows;
    double rows_h = 0;
    for (const auto& [label, value] : b.rows) {
      font(true, b.size);
      auto ls = wrap(label, label_w);
      font(false, b.size);
      auto vs = wrap(value, value_w);
      rows_h += static_cast<double>(std::max(ls.size(), vs.size())) * lead + 2;
      rows.emplace_back(std::move(ls), std::move(vs));
    }
    const double body_h = std::max(b.qr_size, rows_h);
    font(false, b.size);
    const auto note = b.note.empty() ? std::vector<std::string>{} : wrap(b.note, inner_w);
    const double note_h = static_cast<double>(note.size()) * b.size * 1.3;
    const double total = band_h + pad / 2 + body_h + (note.empty() ? 0 : note_h + pad / 2) + pad;
    need(total);
    const double top = y_;

    cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
    cairo_rectangle(cr_, x0, top, w, band_h);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_set_line_width(cr_, 0.8);
    cairo_rectangle(cr_, x0, top, w, total);
    cairo_stroke(cr_);

    const std::string htag = "H" + std::to_string(std::clamp(b.heading_level, 1, 6));
    font(true, hs);
    tag_begin(htag.c_str());
    double baseline = top + pad + hs;
    for (const auto& l : heading) {
      show(inner_x, baseline, l);
      baseline += hlead;
    }
    tag_end(htag.c_str());
    if (!aside.empty()) {
      tag_begin("P");
      show(x0 + w - pad - aside_w, top + pad + hs, aside);
      tag_end("P");
    }

    y_ = top + band_h + pad / 2;
    const double body_top = y_;
    if (!rows.empty()) {
      tag_begin("Table");
      double row_top = body_top + (body_h - rows_h) / 2;  // the rows centred beside the code
      for (const auto& [ls, vs] : rows) {
        tag_begin("TR");
        tag_begin("TH");
        font(true, b.size);
        double bl = row_top + b.size;
        for (const auto& l : ls) {
          show(rows_x, bl, l);
          bl += lead;
        }
        tag_end("TH");
        tag_begin("TD");
        font(false, b.size);
        bl = row_top + b.size;
        for (const auto& v : vs) {
          show(value_x, bl, v);
          bl += lead;
        }
        tag_end("TD");
        tag_end("TR");
        row_top += static_cast<double>(std::max(ls.size(), vs.size())) * lead + 2;
      }
      tag_end("Table");
    }
    qr_code(b.qr_payload, b.qr_alt, inner_x, body_top + (body_h - b.qr_size) / 2, b.qr_size);
    y_ = body_top + body_h;
    if (!note.empty()) {
      y_ += pad / 2;
      font(false, b.size);
      tag_begin("P");
      for (const auto& l : note) {
        show(inner_x, y_ + b.size, l);
        y_ += b.size * 1.3;
      }
      tag_end("P");
    }
    y_ = top + total + 8;
  }

  void draw(const blocks::Image& b, const Document::Block*) {
    auto img = png_surface(b.png);
    const double h = b.width * cairo_image_surface_get_height(img.get()) /
                     std::max(1, cairo_image_surface_get_width(img.get()));
    need(h);
    figure(img.get(), o_.margin, b.width, b.alt);
    y_ += h + 4;
  }

  void draw(const blocks::Bitmap& b, const Document::Block*) {
    const double h = b.width * b.pixels_high / std::max(1, b.pixels_wide);
    need(h);
    if (!counting()) {
      auto img = bitmap_surface(b);
      figure(img.get(), o_.margin, b.width, b.alt, true);
    }
    y_ += h + 4;
  }

  void draw(const blocks::Rule&, const Document::Block*) {
    need(10);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, o_.margin, y_ + 4);
    cairo_line_to(cr_, width_ - o_.margin, y_ + 4);
    cairo_stroke(cr_);
    y_ += 10;
  }

  void draw(const blocks::PageBreak&, const Document::Block*) {
    if (!at_top()) new_page();
  }

  void draw(const blocks::Space& b, const Document::Block*) {
    if (!at_top()) y_ += b.points;
  }

  const Options& o_;
  int total_;
  double width_;
  double height_;
  SurfacePtr surface_;
  cairo_font_face_t* regular_;
  cairo_font_face_t* bold_;
  cairo_t* cr_ = nullptr;
  double y_ = 0;
  double top_ = 0;  // where the content of the current page starts (below a running header)
  int page_ = 1;
  std::vector<std::string> alts_;
};

}  // namespace

Document::Document(Options options) : options_(std::move(options)) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

Document& Document::letterhead(std::string body_name, std::string logo_png, std::string logo_alt) {
  blocks_.push_back({blocks::Letterhead{std::move(body_name), std::move(logo_png), std::move(logo_alt)}});
  return *this;
}
Document& Document::heading(int level, std::string text, double size) {
  blocks_.push_back({blocks::Heading{level, std::move(text), size}});
  return *this;
}
Document& Document::paragraph(std::string text, TextStyle style) {
  blocks_.push_back({blocks::Paragraph{std::move(text), style}});
  return *this;
}
Document& Document::key_values(std::vector<std::pair<std::string, std::string>> rows, KeyValueStyle style) {
  if (!rows.empty()) blocks_.push_back({blocks::KeyValues{std::move(rows), style}});
  return *this;
}
Document& Document::table(std::vector<Column> columns, std::vector<std::vector<std::string>> rows,
                          TableStyle style) {
  if (!columns.empty())
    blocks_.push_back({blocks::Table{std::move(columns), std::move(rows), std::move(style)}});
  return *this;
}
Document& Document::list(std::vector<std::string> items, TextStyle style) {
  if (!items.empty()) blocks_.push_back({blocks::List{std::move(items), style}});
  return *this;
}
Document& Document::qr(std::string payload, std::string alt, double size) {
  blocks_.push_back({blocks::Qr{std::move(payload), std::move(alt), size}});
  return *this;
}
Document& Document::image(std::string png, std::string alt, double width) {
  blocks_.push_back({blocks::Image{std::move(png), std::move(alt), width}});
  return *this;
}
Document& Document::bitmap(std::string bits, int pixels_wide, int pixels_high, std::string alt,
                           double width) {
  if (pixels_wide <= 0 || pixels_high <= 0 ||
      bits.size() != (static_cast<std::size_t>(pixels_wide) + 7) / 8 * static_cast<std::size_t>(pixels_high))
    throw std::invalid_argument("pdf: bitmap size");
  blocks_.push_back({blocks::Bitmap{std::move(bits), pixels_wide, pixels_high, std::move(alt), width}});
  return *this;
}
Document& Document::qr_panel(QrPanel panel) {
  blocks_.push_back({std::move(panel)});
  return *this;
}
Document& Document::page_break() {
  blocks_.push_back({blocks::PageBreak{}});
  return *this;
}
Document& Document::rule() {
  blocks_.push_back({blocks::Rule{}});
  return *this;
}
Document& Document::space(double points) {
  blocks_.push_back({blocks::Space{points}});
  return *this;
}

std::string Document::finish() const {
  int pages = 0;
  {
    Renderer count(options_, nullptr, 0);
    count.run(blocks_);
    pages = count.pages();
  }
  std::string raw;
  Renderer r(options_, &raw, pages);
  r.run(blocks_);
  return postprocess(raw, options_, r.figure_alts());
}

}  // namespace sp::pdf
