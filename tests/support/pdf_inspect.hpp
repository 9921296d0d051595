#pragma once
// What tests read in the platform's PDFs: the text a reader gets (pdftotext, as a person's PDF reader or
// screen reader extracts it) and the accessibility facts qpdf finds in the document catalog.
#include <set>
#include <string>

namespace sp::testing {

// pdftotext's UTF-8 text (poppler-utils) with every run of white space made one space, so that a line
// wrapped in the layout reads as the sentence it is. Fails the test when pdftotext cannot read it.
std::string pdf_text(const std::string& pdf);

struct PdfFacts {
  int pages = 0;
  std::string lang;                 // the catalog's /Lang
  bool marked = false;              // /MarkInfo << /Marked true >>
  bool struct_tree = false;         // a /StructTreeRoot
  bool display_title = false;       // /ViewerPreferences << /DisplayDocTitle true >>
  std::string title;                // the document information's /Title
  bool xmp = false;                 // an XMP /Metadata stream in the catalog
  std::multiset<std::string> tags;  // the structure elements' types: "H1", "P", "Table", "TR", "TH", "TD"
  std::multiset<std::string> alts;  // the /Alt texts (figures)
};

// Throws when qpdf cannot open the bytes.
PdfFacts pdf_facts(const std::string& pdf);

}  // namespace sp::testing
