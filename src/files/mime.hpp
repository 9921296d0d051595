#pragma once
// File types by content (libmagic), never by the name or the type a client declares: a ".pdf" that is
// really a ZIP or a program is what it really is.
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

}  // namespace sp::files
