// Request helpers, Response factories and the text utilities every handler relies on: percent-decoding,
// strict UTF-8 validation and HTML escaping. No Boost here, so web/ code linking this stays light.
#include "http/message.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace sp::http {

const std::string* Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

std::string Request::query_param(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

std::string Request::param(std::string_view name) const {
  auto it = path_params.find(std::string(name));
  return it == path_params.end() ? std::string() : it->second;
}

Result<Params> Request::form() const {
  return parse_urlencoded(body, "http.bad_form");
}

Result<MultipartForm> Request::multipart() const {
  const std::string* type = header("content-type");
  if (type == nullptr) return Error::make("http.multipart", 400, "no Content-Type");
  return parse_multipart(*type, body);
}

Result<Params> parse_urlencoded(std::string_view in, std::string_view error_code) {
  Params out;
  while (!in.empty()) {
    auto amp = in.find('&');
    std::string_view pair = in.substr(0, amp);
    in = amp == std::string_view::npos ? std::string_view{} : in.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" is common enough to tolerate
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) return Error::make(std::string(error_code), 400, "bad percent-encoding");
    if (!valid_utf8(*key) || !valid_utf8(*value))
      return Error::make(std::string(error_code), 400, "invalid UTF-8");
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

Status parse_target(Request& req, std::string_view target_in) {
  // `target_in` may view req.target itself, so work on a copy and assign req.target last.
  const std::string owned(target_in);
  std::string_view target = owned;
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  req.raw_query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  req.target = owned;
  if (raw_path.empty() || raw_path.front() != '/') return Error::make("http.bad_target", 400, "target");
  auto path = percent_decode(raw_path, false);
  if (!path) return Error::make("http.bad_target", 400, "bad percent-encoding in path");
  if (!valid_utf8(*path)) return Error::make("http.bad_target", 400, "invalid UTF-8 in path");
  if (path->find('\0') != std::string::npos) return Error::make("http.bad_target", 400, "NUL in path");
  // No ".." segment anywhere, decoded or not: nothing below us should ever have to think about it.
  std::string_view p = *path;
  for (std::size_t pos = 0; pos <= p.size();) {
    auto next = p.find('/', pos);
    if (next == std::string_view::npos) next = p.size();
    if (p.substr(pos, next - pos) == "..") return Error::make("http.bad_target", 400, "dot-dot segment");
    pos = next + 1;
  }
  auto query = parse_urlencoded(req.raw_query, "http.bad_target");
  if (!query) return query.error();
  req.path = std::move(*path);
  req.query = std::move(*query);
  return Ok{};
}

Response Response::html(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::json(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::text(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::redirect(std::string location, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("location", std::move(location));
  return r;
}

const std::string* Response::find_header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return &v;
  return nullptr;
}

Response& Response::header(std::string name, std::string value) {
  headers.emplace_back(text::to_lower_ascii(name), std::move(value));
  return *this;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t cp;
    std::uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;  // continuation byte in lead position, or 0xF8..0xFF
    }
    if (end - p <= extra) return false;  // truncated sequence
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min) return false;                      // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogate
    if (cp > 0x10FFFF) return false;
    p += extra + 1;
  }
  return true;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace sp::http
