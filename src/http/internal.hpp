#pragma once
// Pieces shared by dispatch.cpp and the socket layer; not part of the public http API.
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace sp::http::detail {

// CSP without 'unsafe-inline' and friends. Applied to every response, errors and static files included.
void add_security_headers(Response& res);

// RFC 9110 field names are tokens; values here carry no control character at all (CR, LF, NUL, HTAB,
// DEL...): a handler's header is never trusted to be clean, since it may hold a caller's text.
bool header_name_ok(std::string_view name);
bool header_value_ok(std::string_view value);
// Drops every extra header whose name or value is not ok, and replaces a Content-Type that is not ok with
// application/octet-stream (never sniffed: nosniff goes out with it). Returns the names it dropped.
std::vector<std::string> sanitize_headers(Response& res);

// 16 random hex digits. Unique enough to correlate logs; not a secret.
std::string new_request_id();

std::string_view reason_phrase(int status);

// Plain-text error with security headers, for failures before we have a usable Request (bad request
// line, oversized headers, ...).
Response plain_error(int status);

// Bounded label set for metrics: known methods or "OTHER".
std::string_view method_label(std::string_view method);

}  // namespace sp::http::detail
