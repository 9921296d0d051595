#pragma once
// Plain request/response types of our own. Domain and web code see only these; Boost.Beast and Asio stay
// inside src/http/*.cpp so a change to a page recompiles only that page (DESIGN.md, "Build speed").
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/text.hpp"
#include "http/multipart.hpp"

namespace sp::http {

// Per-request context, filled by the server (request id, remote address) and by the application's
// `before` hook (tenant, user, locale). Stores take the tenant from here, never from user input.
// Who makes a request, as the application's session layer decided. The HTTP layer only carries it;
// the application derives its own type from it (see identity::Principal).
struct Identity {
  virtual ~Identity() = default;
};

struct Context {
  std::string request_id;
  std::string locale = "it";
  std::int64_t tenant_id = 0;  // 0: hub level (no member body)
  std::string tenant_slug;
  std::string user;                          // signed-in subject, empty when anonymous
  std::string route;                         // route pattern that matched, for metrics and logs
  std::shared_ptr<const Identity> identity;  // null when anonymous
};

using Headers = std::vector<std::pair<std::string, std::string>>;  // names lower-case
using Params = std::multimap<std::string, std::string>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/asti/?q=x"
  std::string path;    // percent-decoded path, validated UTF-8, no query
  std::string raw_query;
  Params query;  // decoded query parameters
  Headers headers;
  std::string body;
  std::map<std::string, std::string> path_params;  // from the router pattern, e.g. {slug}
  std::string remote_addr;
  Context ctx;

  [[nodiscard]] const std::string* header(std::string_view lower_name) const;
  [[nodiscard]] std::string query_param(std::string_view name, std::string_view fallback = {}) const;
  [[nodiscard]] std::string param(std::string_view name) const;  // path parameter or ""
  // Parses an application/x-www-form-urlencoded body. Invalid percent-encoding or invalid UTF-8 is an
  // error (code "http.bad_form", status 400), never a crash.
  [[nodiscard]] Result<Params> form() const;
  // Parses a multipart/form-data body (forms with file inputs); see http/multipart.hpp. Error code
  // "http.multipart", status 400, when the Content-Type is not multipart/form-data with a boundary or
  // the body is malformed. At most 200 parts.
  [[nodiscard]] Result<MultipartForm> multipart() const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  Headers headers;  // extra headers (Location, Set-Cookie, Cache-Control, ...)
  std::string body;

  static Response html(std::string body, int status = 200);
  static Response json(std::string body, int status = 200);
  static Response text(std::string body, int status = 200);
  static Response redirect(std::string location, int status = 303);
  Response& header(std::string name, std::string value);
  // The first value of a header, by its lower-case name; nullptr when absent.
  [[nodiscard]] const std::string* find_header(std::string_view lower_name) const;
};

using Handler = std::function<Response(Request&)>;

// Decodes %XX sequences; '+' becomes space when `plus_as_space`. Returns nullopt on a bad escape.
using text::percent_decode;  // core/text.hpp
// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, no code points past U+10FFFF).
bool valid_utf8(std::string_view s);
// Escapes text for inclusion in HTML text or attribute values.
std::string html_escape(std::string_view s);

// Parses "a=1&b=x+y" (percent-decoding, '+' as space, strict UTF-8). Errors carry `error_code`, status 400.
Result<Params> parse_urlencoded(std::string_view in, std::string_view error_code);
// Fills target, path (decoded, valid UTF-8, no NUL, no ".." segment), raw_query and query from a raw
// request target. Error code "http.bad_target", status 400. The server calls it; tests may too.
Status parse_target(Request& req, std::string_view target);

}  // namespace sp::http
