#pragma once
// The digital stamp inside a PDF (docs/stamp.md, "Order of operations"). A document cannot hold its own
// digest, so a stamp is made in two steps:
//   1. the producer renders the document with the stamp's block (add_block: heading, the identifier,
//      the verification address, the essential data, and a placeholder 2D code holding only the
//      verification URL with the token) and finishes it: bytes B;
//   2. the stamper digests B (SHA-256), signs the seal (model.hpp), and appends one incremental update U
//      to B: a comment line "%sportello-stamp/1 <payload>", a new version of the placeholder's image
//      object holding the 2D code of the full payload, its xref section and trailer (/Prev).
// Verification splits the file at the last "\n%sportello-stamp/1 ", digests what comes before it, and
// rebuilds U from that prefix and the payload: the file is the stamped one only when U is byte for
// byte what the stamper makes, so a change anywhere — content, code or trailer — shows. Readers show
// the update (the final QR code); the structure tree (the Figure and its /Alt) is untouched.
#include <optional>
#include <string>
#include <vector>

#include "core/pdf/document.hpp"
#include "core/result.hpp"

namespace sp::stamp {

// What the producer prints (texts already in the document's language) and the placeholder code.
struct Block {
  std::string heading;                                    // "Contrassegno elettronico"
  std::string note;                                       // how to verify
  std::vector<std::pair<std::string, std::string>> rows;  // identifier, body, date, protocol, address
  std::string placeholder_url;                            // verification_url(base, token)
  std::string code_alt;                                   // the 2D code's text alternative
};

// Adds the stamp's block to a document being built (step 1).
void add_block(pdf::Document& doc, const Block& block);

// The PNG (1 bit black on white, 4 pixels a module, quiet zone of 4 modules) of `text`'s QR code (the
// placeholder's image as add_block draws it, for whoever wants to look at it).
std::string placeholder_png(const std::string& text);

// The QR mask of the codes (the placeholder and the final one; ISO 18004 §7.8: a decoder reads any of
// the eight). Fixed since 2026-12-06: choosing the best of the eight is most of the time spent encoding
// a code (issue 15, "the stamp's cost"). kBestMask is libqrencode's choice, how copies stamped before were
// made: locate and verification try kCodeMask, then kBestMask.
inline constexpr int kCodeMask = 0;
inline constexpr int kBestMask = -1;

// What the update needs from B: the placeholder image's object, the trailer's entries, the last xref.
struct Target {
  std::string root;  // "N G R"
  std::string info;  // "N G R", or empty
  std::string id;    // "[<hex><hex>]", or empty
  long long size = 0;
  long long prev = 0;  // B's last startxref
  int obj = 0;         // the placeholder image's object number and generation
  int gen = 0;
};
// Reads B (`original`, ending with '\n'). Errors: stamp.no_placeholder (B holds no image of the
// placeholder code of `placeholder_url`, or more than one), stamp.pdf (B is not a PDF qpdf reads). A
// file as pdf::Document writes it is read directly; anything else through qpdf (same answer; `qpdf_only`
// always asks qpdf, for the tests that compare the two).
Result<Target> locate(const std::string& original, const std::string& placeholder_url,
                      bool qpdf_only = false);
// The update U for B of `original_size` bytes: only text formatted here, from `t` and the payload.
std::string update(const Target& t, std::size_t original_size, const std::string& payload, int mask);

// Step 2: B + U. `original` must end with '\n' (a finished PDF does). Errors: as locate, and stamp.pdf
// for a payload with a line break.
Result<std::string> append_update(const std::string& original, const std::string& payload,
                                  const std::string& placeholder_url, int mask = kCodeMask);

// A stamped file cut at its stamp: the bytes digested and the code's text. nullopt: no stamp.
struct Split {
  std::string original;
  std::string payload;
};
std::optional<Split> split(const std::string& file);

}  // namespace sp::stamp
