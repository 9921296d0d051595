#pragma once
// Static assets under ServerOptions::static_prefix, read from static_dir. Contents (and their gzip form)
// are cached in memory per file and re-read when the file's mtime or size changes.
#include "http/message.hpp"
#include "http/server.hpp"

namespace sp::http::detail {

// `req.path` starts with options.static_prefix. Never serves a file outside static_dir: ".." and
// backslashes are refused, and the canonical path (symlinks resolved) must stay under the canonical root.
Response serve_static(const ServerOptions& options, const Request& req);

std::string_view content_type_for(std::string_view extension);

// gzip (RFC 1952) of `data` with zlib; empty on failure.
std::string gzip_compress(std::string_view data);

}  // namespace sp::http::detail
