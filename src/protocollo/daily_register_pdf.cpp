#include "protocollo/daily_register_pdf.hpp"

#include <hpdf.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace sp::protocollo {
namespace {

// A4 landscape, in points: the tables need the width.
constexpr float kMargin = 36;
constexpr float kFooterSpace = 22;  // below the last row, for "Pagina i di n"
constexpr float kCellPad = 2.5F;
constexpr float kCellSize = 7;
constexpr float kCellLeading = 8.5F;
// A cell longer than this (a subject of 2000 characters in a narrow column) is cut, saying so: the JSON
// register always has the full text. It keeps every row shorter than a page.
constexpr std::size_t kMaxCellLines = 45;

// ---- UTF-8 to WinAnsi ------------------------------------------------------------------------------

// Windows-1252 bytes 0x80-0x9F and the code points they stand for (0 = undefined in 1252).
constexpr char32_t kCp1252High[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char winansi_byte(char32_t cp) {
  if (cp == '\n') return '\n';  // a line break, for the layout's wrap()
  if (cp < 0x20 || cp == 0x7F) return ' ';
  if (cp < 0x7F) return static_cast<char>(cp);
  if (cp >= 0xA0 && cp <= 0xFF) return static_cast<char>(static_cast<unsigned char>(cp));
  for (int i = 0; i < 32; ++i) {
    if (kCp1252High[i] != 0 && kCp1252High[i] == cp) return static_cast<char>(0x80 + i);
  }
  if (cp == 0x2212) return '-';  // minus sign
  return '?';
}

// ---- libharu plumbing --------------------------------------------------------------------------------

struct HpdfFailure {
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void on_hpdf_error(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
  auto* f = static_cast<HpdfFailure*>(user);
  if (f->error == HPDF_OK) {  // keep the first: later ones are usually consequences
    f->error = error;
    f->detail = detail;
  }
}

struct Column {
  const char* title;
  float width;
};

// Lays text and tables out top to bottom, adding pages as needed.
class Layout {
 public:
  Layout(HPDF_Doc doc, HPDF_Font regular, HPDF_Font bold) : doc_(doc), regular_(regular), bold_(bold) {
    new_page();
  }

  float width(const std::string& s, HPDF_Font font, float size) const {
    return pdf_text_width(s, font, size);
  }

  std::vector<std::string> wrap(const std::string& text, HPDF_Font font, float size, float max_width) const {
    return pdf_wrap(text, font, size, max_width);
  }

  // A line of text at the cursor, wrapped to the page width.
  void paragraph(const std::string& utf8, bool strong, float size, float space_after = 2) {
    auto font = strong ? bold_ : regular_;
    const float leading = size * 1.3F;
    for (const auto& l : wrap(utf8_to_winansi(utf8), font, size, content_width())) {
      if (y_ - leading < bottom()) new_page();
      text(kMargin, y_ - size, l, font, size);
      y_ -= leading;
    }
    y_ -= space_after;
  }

  // A section title kept together with the table header and at least a couple of rows.
  void section(const std::string& utf8, const std::vector<Column>& columns) {
    if (y_ - 60 < bottom()) new_page();
    y_ -= 6;
    paragraph(utf8, true, 11, 3);
    columns_ = columns;
    table_header();
  }

  void row(const std::vector<std::string>& cells_utf8) {
    std::vector<std::vector<std::string>> lines;
    std::size_t n = 1;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      auto cell = wrap(utf8_to_winansi(i < cells_utf8.size() ? cells_utf8[i] : std::string()), regular_,
                       kCellSize, columns_[i].width - 2 * kCellPad);
      if (cell.size() > kMaxCellLines) {
        cell.resize(kMaxCellLines - 1);
        cell.emplace_back(utf8_to_winansi("[… testo completo nel registro JSON]"));
      }
      n = std::max(n, cell.size());
      lines.push_back(std::move(cell));
    }
    const float h = static_cast<float>(n) * kCellLeading + 2 * kCellPad;
    if (y_ - h < bottom()) {
      new_page();
      table_header();
    }
    draw_cells(lines, regular_, h);
  }

  // Writes "Pagina i di n" and `label` at the foot of every page (the total is known only now).
  void footers(const std::string& label_utf8) {
    const auto label = utf8_to_winansi(label_utf8);
    const auto total = std::to_string(pages_.size());
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      page_ = pages_[i];
      text(kMargin, kMargin - 12, label, regular_, 7);
      const auto number = "Pagina " + std::to_string(i + 1) + " di " + total;
      text(page_width() - kMargin - width(number, regular_, 7), kMargin - 12, number, regular_, 7);
    }
  }

  [[nodiscard]] std::size_t pages() const { return pages_.size(); }

 private:
  void new_page() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    pages_.push_back(page_);
    y_ = HPDF_Page_GetHeight(page_) - kMargin;
  }
  [[nodiscard]] float page_width() const { return HPDF_Page_GetWidth(page_); }
  [[nodiscard]] float content_width() const { return page_width() - 2 * kMargin; }
  [[nodiscard]] static float bottom() { return kMargin + kFooterSpace - 12; }

  void text(float x, float y, const std::string& winansi, HPDF_Font font, float size) {
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, size);
    HPDF_Page_TextOut(page_, x, y, winansi.c_str());
    HPDF_Page_EndText(page_);
  }

  void table_header() {
    std::vector<std::vector<std::string>> lines;
    std::size_t n = 1;
    for (const auto& c : columns_) {
      lines.push_back(wrap(utf8_to_winansi(c.title), bold_, kCellSize, c.width - 2 * kCellPad));
      n = std::max(n, lines.back().size());
    }
    const float h = static_cast<float>(n) * kCellLeading + 2 * kCellPad;
    HPDF_Page_SetRGBFill(page_, 0.88F, 0.88F, 0.88F);
    HPDF_Page_Rectangle(page_, kMargin, y_ - h, table_width(), h);
    HPDF_Page_Fill(page_);
    HPDF_Page_SetRGBFill(page_, 0, 0, 0);
    draw_cells(lines, bold_, h);
  }

  [[nodiscard]] float table_width() const {
    float w = 0;
    for (const auto& c : columns_) w += c.width;
    return w;
  }

  void draw_cells(const std::vector<std::vector<std::string>>& lines, HPDF_Font font, float h) {
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, kCellSize);
    float x = kMargin;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      float y = y_ - kCellPad - kCellSize;
      for (const auto& l : lines[i]) {
        if (!l.empty()) HPDF_Page_TextOut(page_, x + kCellPad, y, l.c_str());
        y -= kCellLeading;
      }
      x += columns_[i].width;
    }
    HPDF_Page_EndText(page_);
    y_ -= h;
    HPDF_Page_SetLineWidth(page_, 0.3F);
    HPDF_Page_MoveTo(page_, kMargin, y_);
    HPDF_Page_LineTo(page_, kMargin + table_width(), y_);
    HPDF_Page_Stroke(page_);
  }

  HPDF_Doc doc_;
  HPDF_Font regular_;
  HPDF_Font bold_;
  HPDF_Page page_ = nullptr;
  std::vector<HPDF_Page> pages_;
  std::vector<Column> columns_;
  float y_ = 0;
};

// ---- Italian labels ----------------------------------------------------------------------------------

std::string direction_it(Direction d) {
  switch (d) {
    case Direction::incoming:
      return "Entrata";
    case Direction::outgoing:
      return "Uscita";
    case Direction::internal:
      return "Interno";
  }
  return {};
}

std::string channel_it(Channel c) {
  switch (c) {
    case Channel::online:
      return "online";
    case Channel::counter:
      return "sportello";
    case Channel::pec:
      return "PEC";
    case Channel::post:
      return "posta";
    case Channel::email:
      return "e-mail";
  }
  return {};
}

std::string field_it(const std::string& field) {
  if (field == "classification") return "Classificazione";
  if (field == "fascicolo") return "Fascicolo";
  if (field == "office") return "Ufficio";
  if (field == "annulment_reason") return "Motivo dell'annullamento";
  if (field == "annulment_authorisation") return "Provvedimento di autorizzazione";
  return field;
}

// "20:15:03" in Rome, or the text as stored when it is not a valid instant.
std::string rome_time(const std::string& iso) {
  auto tp = time::parse_iso_utc(iso);
  if (!tp) return iso;
  return date::format("%H:%M:%S", time::to_rome_local(*tp));
}

std::string rome_datetime_seconds(const std::string& iso) {
  auto tp = time::parse_iso_utc(iso);
  if (!tp) return iso;
  return date::format("%d/%m/%Y %H:%M:%S", time::to_rome_local(*tp));
}

std::string it_date(const std::string& iso_day) {
  auto d = time::parse_iso_date(iso_day);
  return d ? time::format_it_date(*d) : iso_day;
}

std::string entry_cells_correspondents(const Entry& e) {
  std::string out;
  for (const auto& c : e.correspondents) {
    if (!out.empty()) out += "\n";
    out += c.name;
    if (!c.fiscal_code.empty()) out += " (" + c.fiscal_code + ")";
  }
  return out;
}

std::string entry_cells_subject(const Entry& e) {
  std::string out = e.subject;
  if (!e.sender_protocol_number.empty()) {
    out += "\nProt. mittente n. " + e.sender_protocol_number;
    if (!e.sender_protocol_date.empty()) out += " del " + it_date(e.sender_protocol_date);
  }
  return out;
}

std::string entry_cells_classification(const Entry& e) {
  std::string out = e.classification;
  if (!e.fascicolo.empty()) out += (out.empty() ? "" : "\n") + std::string("Fasc. ") + e.fascicolo;
  if (!e.office.empty()) out += (out.empty() ? "" : "\n") + std::string("Uff. ") + e.office;
  return out;
}

std::string entry_cells_documents(const Entry& e) {
  std::string out;
  for (const auto& d : e.documents) {
    if (!out.empty()) out += "\n";
    out += (d.role == DocumentRole::primary ? "Principale: " : "Allegato: ") + d.file_name + " (" +
           std::to_string(d.size) + " byte)\nSHA-256 " + d.sha256;
  }
  return out;
}

std::string entry_cells_annulment(const Entry& e) {
  if (!e.annulment) return {};
  const auto& a = *e.annulment;
  return "ANNULLATA il " + rome_datetime_seconds(a.at) + " da " + a.by + "\nMotivo: " + a.reason +
         "\nProvvedimento: " + a.authorisation;
}

}  // namespace

float pdf_text_width(const std::string& s, HPDF_Font font, float size) {
  if (s.empty()) return 0;
  auto tw = HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(s.data()),
                                static_cast<HPDF_UINT>(s.size()));
  return static_cast<float>(tw.width) * size / 1000.0F;
}

std::vector<std::string> pdf_wrap(const std::string& text, HPDF_Font font, float size, float max_width) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string paragraph = text.substr(start, end - start);
    std::string line;
    std::size_t p = 0;
    while (p < paragraph.size()) {
      if (paragraph[p] == ' ') {
        ++p;
        continue;
      }
      auto q = paragraph.find(' ', p);
      if (q == std::string::npos) q = paragraph.size();
      std::string word = paragraph.substr(p, q - p);
      p = q;
      std::string candidate = line.empty() ? word : line + " " + word;
      if (pdf_text_width(candidate, font, size) <= max_width) {
        line = std::move(candidate);
        continue;
      }
      if (!line.empty()) out.push_back(std::exchange(line, {}));
      while (pdf_text_width(word, font, size) > max_width && word.size() > 1) {
        std::size_t n = 1;
        while (n < word.size() && pdf_text_width(word.substr(0, n + 1), font, size) <= max_width) ++n;
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

std::string utf8_to_winansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {  // bad lead byte or cut short
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
    // Overlong forms and surrogates are invalid UTF-8.
    if (valid && ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
                  (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)) {
      valid = false;
    }
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    out += winansi_byte(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

namespace {
// Who made a change, by name: the register is read by people (and kept for good), not by programs.
std::string who_it(const std::string& who, const PdfOptions& options) {
  if (options.actor_name) {
    auto name = options.actor_name(who);
    if (!name.empty()) return name;
  }
  return who.rfind("staff:", 0) == 0 ? "Operatore dell'ente" : "Sistema";
}
}  // namespace

std::string render_daily_register_pdf(const RegisterContent& content, const DailyRegisterInfo& info,
                                      const PdfOptions& options) {
  HpdfFailure failure;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> doc(HPDF_New(on_hpdf_error, &failure),
                                                                           HPDF_Free);
  if (!doc) throw std::runtime_error("libharu: cannot create a document");
  HPDF_Doc pdf = doc.get();
  if (options.compress) HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  const auto& aoo = content.aoo.aoo;
  const std::string day_it = it_date(info.day);
  // Document information is PDFDocEncoding: keep it ASCII.
  const std::string title = std::string(info.provisional ? "Registro provvisorio di protocollo "
                                                         : "Registro giornaliero di protocollo ") +
                            aoo.code + " " + info.day;
  HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, title.c_str());
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Sportello");
  HPDF_Font regular = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
  if (failure.error != HPDF_OK || regular == nullptr || bold == nullptr) {
    throw std::runtime_error("libharu: cannot load the standard fonts");
  }

  Layout l(pdf, regular, bold);
  l.paragraph("REGISTRO GIORNALIERO DI PROTOCOLLO", true, 15, 6);
  l.paragraph("Amministrazione: " + aoo.admin_code + "    Area organizzativa omogenea: " + aoo.code + " — " +
                  aoo.name,
              false, 10);
  l.paragraph("Giornata: " + day_it + " (ora italiana, dalle 00:00 alle 24:00)", true, 10);
  std::string counts = "Registrazioni della giornata: " + std::to_string(info.entry_count);
  if (info.first_number && info.last_number) {
    counts += " (dal n. " + format_number(*info.first_number) + " al n. " + format_number(*info.last_number) +
              " dell'anno " + info.day.substr(0, 4) + ")";
  }
  l.paragraph(counts, false, 10);
  l.paragraph("Modifiche e annullamenti registrati nella giornata: " + std::to_string(info.changes_count),
              false, 10);
  l.paragraph("Prodotto il: " + rome_datetime_seconds(info.produced_at), false, 10);
  if (info.provisional) {
    l.paragraph(
        "PROVVISORIO: registrazioni della giornata fino a quel momento. Non è il registro giornaliero, "
        "che si produce dopo la mezzanotte e va in conservazione.",
        true, 10);
  }
  l.paragraph("Impronta SHA-256 del registro in formato JSON: " + info.json_sha256, false, 10);
  l.paragraph("Registro di audit dell'ente alla produzione: ultima voce n. " +
                  std::to_string(info.audit_head_seq) + ", impronta " + info.audit_head_hash,
              false, 10, 6);

  const std::vector<Column> entry_columns = {{"Numero", 50},
                                             {"Ora", 38},
                                             {"Tipo", 46},
                                             {"Corrispondenti", 128},
                                             {"Oggetto", 200},
                                             {"Classificazione", 76},
                                             {"Documenti e impronte", 150},
                                             {"Annullamento", 81}};
  l.section("Registrazioni della giornata", entry_columns);
  if (content.entries.empty()) l.row({"", "", "", "", "Nessuna registrazione in questa giornata."});
  for (const auto& e : content.entries) {
    l.row({format_number(e.number), rome_time(e.registered_at),
           direction_it(e.direction) + "\n" + channel_it(e.channel), entry_cells_correspondents(e),
           entry_cells_subject(e), entry_cells_classification(e), entry_cells_documents(e),
           entry_cells_annulment(e)});
  }

  const std::vector<Column> change_columns = {
      {"Data e ora", 80},         {"Registrazione", 70}, {"Tipo", 62},      {"Campo", 100},
      {"Valore precedente", 170}, {"Nuovo valore", 170}, {"Operatore", 117}};
  l.section("Modifiche e annullamenti registrati nella giornata", change_columns);
  if (content.changes.empty()) l.row({"", "", "", "", "Nessuna modifica o annullamento in questa giornata."});
  for (const auto& c : content.changes) {
    l.row({rome_datetime_seconds(c.at), format_number(c.number) + "/" + std::to_string(c.year),
           c.kind == HistoryKind::annulment ? "Annullamento" : "Modifica", field_it(c.field), c.old_value,
           c.new_value, who_it(c.who, options)});
  }

  l.footers("Registro giornaliero di protocollo — " + aoo.admin_code + " " + aoo.code + " — " + day_it);

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

}  // namespace sp::protocollo
