#pragma once
// Tagged, accessible PDF documents for everything the platform prints (receipts, letters, the daily
// register, and next payment notices, certificates, the albo's relata). One small builder: blocks are
// added top to bottom and finish() lays them out on A4 pages, breaking pages where needed, and returns
// the bytes. docs/pdf.md explains the choice of cairo (it writes the structure tree: H1..H6, P, Table,
// TR, TH, TD, L, LI, Figure) and qpdf (it adds what cairo does not write: /Lang, /MarkInfo,
// /ViewerPreferences /DisplayDocTitle, the title in the document information and XMP metadata, /Alt on
// figures, /Scope on table headers).
//
//   pdf::Document doc({.lang = "it-IT", .title = "Ricevuta", .author = body, .footer = body,
//                      .page_label = i18n.t(lang, "pdf.page_of")});
//   doc.letterhead(body);
//   doc.heading(1, "Ricevuta di presentazione della domanda");
//   doc.key_values({{"Protocollo", "0000042/2026"}});
//   doc.table({{"Numero", 1}, {"Oggetto", 4}}, rows);
//   std::string bytes = doc.finish();
//
// Text is UTF-8 and is written with a real TrueType font (DejaVu Sans from fonts-dejavu-core, found with
// fontconfig, or the files named in Options), so any Italian text (à è é ì ò ù, €, ’ “ ” – …) is kept
// and extracts as written. '\n' in a text breaks the line. No text is written here: every word a reader
// sees (including the page label) comes from the caller, which takes it from the locales.
#include <string>
#include <utility>
#include <vector>

namespace sp::pdf {

struct Options {
  std::string lang = "it-IT";  // the document's natural language (/Lang, dc:language)
  std::string title;           // shown by readers instead of the file name
  std::string author;          // the body's name
  std::string subject;
  std::string creator = "Sportello";
  std::string footer;      // at the foot of every page, on the left
  std::string page_label;  // at the foot of every page, on the right: "Pagina {page} di {pages}"
  // At the top of every page but the first, in bold (what the document is, for a page read on its own);
  // like the footer, it stays out of the structure tree.
  std::string running_header;
  bool landscape = false;  // A4 landscape (wide tables) instead of portrait
  double margin = 50;      // points on every side; the footer sits inside the bottom margin
  bool compress = true;    // false writes the content streams uncompressed (to read them while debugging)
  // TrueType files; empty: fontconfig's "DejaVu Sans" and "DejaVu Sans:bold".
  std::string font_regular;
  std::string font_bold;
};

struct TextStyle {
  double size = 10;
  bool bold = false;
  double indent = 0;  // from the left margin
  double space_after = 4;
};

// A table column: its header and its width as a share of the table's width (any positive numbers; a
// column of weight 2 is twice as wide as one of weight 1).
struct Column {
  std::string title;
  double weight = 1;
};

struct TableStyle {
  double size = 7;  // body text; the header row is bold at the same size
  double padding = 2.5;
  // A cell longer than this many lines is cut and ends with `cut_note`: it keeps every row shorter than
  // a page (the header row is repeated on every page the table spans).
  std::size_t max_cell_lines = 45;
  std::string cut_note;
};

struct KeyValueStyle {
  double size = 9.5;
  double label_width = 190;  // the label column, from the indent
  double indent = 0;
};

// A framed section kept whole on one page: a heading (with an optional bold text at its right, such as an
// amount) on a shaded band, then a QR code at the left with label/value rows beside it, then an optional
// note across the frame. A payment notice prints one per payment option (docs/pdf.md). Tagged as the
// heading, a P for the aside, a Table for the rows, a Figure (with `qr_alt`) and a P for the note.
struct QrPanel {
  int heading_level = 2;
  std::string heading;
  std::string aside;  // drawn bold at the right of the heading line; empty: none
  std::vector<std::pair<std::string, std::string>> rows;
  std::string qr_payload;
  std::string qr_alt;
  std::string note;
  double qr_size = 90;       // points, quiet zone included
  double size = 9.5;         // the rows' text
  double heading_size = 11;  // the heading's and the aside's text
  double label_width = 150;  // the label column, from the right of the QR code
};

class Document {
 public:
  explicit Document(Options options);
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;

  // The body's name, in bold, after its logo (PNG bytes, drawn 40 points high, a Figure with `logo_alt`)
  // when there is one.
  Document& letterhead(std::string body_name, std::string logo_png = {}, std::string logo_alt = {});
  // H1..H6. A heading is never the last thing on a page: it moves to the next page with what follows.
  Document& heading(int level, std::string text, double size = 0);  // 0: the level's default size
  Document& paragraph(std::string text, TextStyle style = {});
  // Labels and values as a two-column table without borders, labels in bold (the labels are row headers).
  Document& key_values(std::vector<std::pair<std::string, std::string>> rows, KeyValueStyle style = {});
  // A table across the page width with its header row shaded, cells wrapped, rows never split.
  Document& table(std::vector<Column> columns, std::vector<std::vector<std::string>> rows,
                  TableStyle style = {});
  // A bulleted list (L, LI).
  Document& list(std::vector<std::string> items, TextStyle style = {});
  // A QR code of `payload` (libqrencode, error correction M), `size` points wide, a Figure with `alt`.
  Document& qr(std::string payload, std::string alt, double size = 90);
  // A PNG image `width` points wide (its height follows), a Figure with `alt`.
  Document& image(std::string png, std::string alt, double width);
  // A black-and-white image given as its pixels, `width` points wide (its height follows), a Figure with
  // `alt`: `bits` holds `pixels_high` rows of `pixels_wide` pixels, 1 bit a pixel, most significant bit
  // first, 1 white and 0 black (PDF's 1-bit DeviceGray), each row padded to a whole byte. The PDF holds
  // the same 1-bit grey image a PNG of those pixels would, drawn without smoothing (/Interpolate false:
  // a pixel may be a 2D code's module, as in the stamp's placeholder). Throws std::invalid_argument.
  Document& bitmap(std::string bits, int pixels_wide, int pixels_high, std::string alt, double width);
  // See QrPanel. Moves to the next page when it does not fit on this one.
  Document& qr_panel(QrPanel panel);
  Document& rule();
  Document& space(double points);
  // The next block starts a new page (nothing when the page is still empty).
  Document& page_break();

  // Lays the document out and returns the PDF bytes. Throws std::runtime_error when a library fails (no
  // font, an invalid PNG, a cairo or qpdf error): that is a bug or a broken installation, not user input.
  [[nodiscard]] std::string finish() const;

  struct Block;  // one thing added, kept until finish()

 private:
  Options options_;
  std::vector<Block> blocks_;
};

}  // namespace sp::pdf
