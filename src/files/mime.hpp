#pragma once
// File types by content (libmagic), never by the name or the type a client declares: a ".pdf" that is
// really a ZIP or a program is what it really is.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::files {

// The media type of `bytes` as libmagic reads it: "application/pdf", "image/png", "image/jpeg",
// "text/plain", "application/zip", "application/x-executable", ... "application/octet-stream" when
// libmagic cannot tell. Thread-safe. The magic database is loaded on first use; a missing database is a
// broken installation and throws std::runtime_error.
std::string detect_mime(std::string_view bytes);

// True when `mime` matches an entry of `allowed`: the exact type, "type/*", or "*/*" for anything.
// Case-insensitive. An empty list allows nothing.
bool mime_allowed(std::string_view mime, const std::vector<std::string>& allowed);

// A declared media type (RFC 6838 `type/subtype`, each a restricted-name of letters, digits and
// "!#$&-^_.+", at most 127 characters, no parameters beyond an optional "; ..." that is dropped),
// lower-cased; nullopt when it is not one. What a caller declares can reach a Content-Type header and
// a segnatura: "text/html\r\nContent-Length: ..." is not a type.
std::optional<std::string> normalize_media_type(std::string_view declared);

// True when a declared type and the type libmagic read from the bytes name the same kind of file:
// equal, or a known pair where libmagic reads a container or a plainer form (a .docx or .odt is
// "application/zip", a CSV or a signed-XML text is "text/plain", XML is "text/xml" or "application/xml").
bool media_types_compatible(std::string_view declared, std::string_view detected);

// The type a stored document is kept and served as, from what the caller declared and what was read
// from the bytes. The bytes win; a compatible declared type is kept because it is the more precise one
// (libmagic cannot tell a .docx from any ZIP). `declared_mismatch` holds the declared type when it
// disagrees, so the record can say so; empty otherwise.
struct ResolvedType {
  std::string mime_type;
  std::string declared_mismatch;
};
ResolvedType resolve_media_type(std::string_view declared, std::string_view detected);

// True when a browser could run something in content of this type if it rendered it (HTML, XHTML, SVG,
// XML that can carry XSLT or XHTML, JavaScript, shell and other scripts): such bytes are kept, since a
// registry registers what arrives, but never served as their own type.
bool is_active_media_type(std::string_view mime);

}  // namespace sp::files
