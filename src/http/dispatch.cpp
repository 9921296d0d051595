// Request → response, without sockets: built-in endpoints, static files, the `before` hook, routing,
// error pages and the headers every response carries. The socket layer (server.cpp) only moves bytes.
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <random>

#include "http/internal.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

namespace sp::http {
namespace detail {

void add_security_headers(Response& res) {
  // Pages ship no inline script or style, so the policy needs no 'unsafe-inline'. A handler that set one
  // of these itself (say, a stricter CSP on one page) keeps its own value.
  static constexpr std::pair<std::string_view, std::string_view> kHeaders[] = {
      {"content-security-policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' "
       "data:; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
      {"x-content-type-options", "nosniff"},
      {"referrer-policy", "strict-origin-when-cross-origin"},
      {"x-frame-options", "DENY"},
      {"permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
  };
  // A page meant to be framed by named sites (a widget) says so in its own CSP's frame-ancestors, which
  // X-Frame-Options cannot express: it gets no "DENY" then (browsers that know CSP ignore X-Frame-Options
  // anyway when frame-ancestors is present; the others would refuse the widget everywhere).
  bool own_ancestors = false;
  for (const auto& [name, value] : res.headers)
    if (name == "content-security-policy" && value.find("frame-ancestors") != std::string::npos &&
        value.find("frame-ancestors 'none'") == std::string::npos)
      own_ancestors = true;
  const std::size_t existing = res.headers.size();
  for (const auto& [name, value] : kHeaders) {
    if (own_ancestors && name == "x-frame-options") continue;
    bool present = false;
    for (std::size_t i = 0; i < existing && !present; ++i) present = res.headers[i].first == name;
    if (!present) res.headers.emplace_back(name, value);
  }
}

bool header_name_ok(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

bool header_value_ok(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::vector<std::string> sanitize_headers(Response& res) {
  std::vector<std::string> dropped;
  if (!header_value_ok(res.content_type)) {
    res.content_type = "application/octet-stream";
    dropped.emplace_back("content-type");
  }
  std::erase_if(res.headers, [&](const std::pair<std::string, std::string>& h) {
    if (header_name_ok(h.first) && header_value_ok(h.second)) return false;
    dropped.push_back(header_name_ok(h.first) ? h.first : std::string("(invalid name)"));
    return true;
  });
  return dropped;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[static_cast<std::size_t>(i)] = kHex[v & 0xF];
  return id;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

Response plain_error(int status) {
  Response res = Response::text(std::string(reason_phrase(status)) + "\n", status);
  add_security_headers(res);
  return res;
}

std::string_view method_label(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "OTHER";
}

}  // namespace detail

namespace {

// The site's error page when the application has one; plain text otherwise (or when it throws).
Response error_response(const Hooks& hooks, Request& req, int status) {
  if (hooks.error_page) {
    try {
      Response r = hooks.error_page(req, status);
      r.status = status;
      return r;
    } catch (const std::exception& e) {
      spdlog::error("request_id={} error_page({}) threw: {}", req.ctx.request_id, status, e.what());
    } catch (...) {
      spdlog::error("request_id={} error_page({}) threw", req.ctx.request_id, status);
    }
  }
  return Response::text(std::string(detail::reason_phrase(status)) + "\n", status);
}

Response route(const Router& router, const Hooks& hooks, Request& req) {
  if (hooks.before) {
    if (auto early = hooks.before(req)) return std::move(*early);
  }
  auto found = router.find(req.method, req.path);
  // HEAD falls back to the GET handler; the server sends the headers only.
  if (req.method == "HEAD" && (!found.match || !found.match->handler)) {
    auto as_get = router.find("GET", req.path);
    if (as_get.match && as_get.match->handler) found = std::move(as_get);
  }
  if (!found.match) {
    req.ctx.route = "unmatched";
    return error_response(hooks, req, 404);
  }
  if (!found.match->handler) {
    req.ctx.route = "unmatched";
    std::string allow;
    for (const auto& m : found.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += m;
      if (m == "GET") allow += ", HEAD";
    }
    Response r = error_response(hooks, req, 405);
    r.headers.emplace_back("allow", std::move(allow));
    return r;
  }
  req.ctx.route = std::move(found.match->pattern);
  req.path_params = std::move(found.match->params);
  return (*found.match->handler)(req);
}

Response dispatch_inner(const Router& router, const Hooks& hooks, const ServerOptions& options,
                        Request& req) {
  if (req.path.empty()) {
    auto parsed =
        parse_target(req, req.target.empty() ? std::string_view("/") : std::string_view(req.target));
    if (!parsed) {
      req.ctx.route = "unmatched";
      return error_response(hooks, req, 400);
    }
  }
  const bool get_like = req.method == "GET" || req.method == "HEAD";
  if (get_like) {
    if (req.path == "/healthz") {
      req.ctx.route = "/healthz";
      return Response::text("ok\n");
    }
    if (req.path == "/readyz") {
      req.ctx.route = "/readyz";
      bool ready = !hooks.ready || hooks.ready();
      return ready ? Response::text("ready\n") : Response::text("not ready\n", 503);
    }
    if (req.path == "/metrics") {
      req.ctx.route = "/metrics";
      std::string body = detail::render_metrics();
      if (hooks.extra_metrics) body += hooks.extra_metrics();
      Response r = Response::text(std::move(body));
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return r;
    }
  }
  if (!options.static_dir.empty() && !options.static_prefix.empty() &&
      req.path.starts_with(options.static_prefix)) {
    req.ctx.route = options.static_prefix;
    if (!get_like) {
      Response r = error_response(hooks, req, 405);
      r.headers.emplace_back("allow", "GET, HEAD");
      return r;
    }
    Response r = detail::serve_static(options, req);
    if (r.status == 404 || r.status == 400) return error_response(hooks, req, r.status);
    return r;
  }
  Response r = route(router, hooks, req);
  if (hooks.after) hooks.after(req, r);
  return r;
}

}  // namespace

Response dispatch(const Router& router, const Hooks& hooks, const ServerOptions& options, Request& req) {
  const auto started = std::chrono::steady_clock::now();
  if (req.ctx.request_id.empty()) req.ctx.request_id = detail::new_request_id();
  Response res;
  try {
    res = dispatch_inner(router, hooks, options, req);
  } catch (const std::exception& e) {
    int status = 500;
    if (hooks.exception_status) {
      try {
        status = hooks.exception_status(e);
      } catch (...) {
      }
    }
    spdlog::error("request_id={} {} {} failed ({}): {}", req.ctx.request_id, req.method, req.path, status,
                  e.what());
    res = error_response(hooks, req, status);
    if (status == 503) res.headers.emplace_back("retry-after", "30");
  } catch (...) {
    spdlog::error("request_id={} {} {} failed with a non-standard exception", req.ctx.request_id, req.method,
                  req.path);
    res = error_response(hooks, req, 500);
  }
  if (req.ctx.route.empty()) req.ctx.route = "unmatched";
  // Whatever a handler set, no header line with a control character leaves the server (response
  // splitting, a Location with a tab that browsers strip). A redirect that lost its Location is a bug
  // in a handler: answer 500 rather than a 3xx to nowhere.
  if (auto dropped = detail::sanitize_headers(res); !dropped.empty()) {
    spdlog::warn("request_id={} dropped unsafe response headers: {}", req.ctx.request_id,
                 fmt::join(dropped, ","));
    if (std::find(dropped.begin(), dropped.end(), "location") != dropped.end()) {
      res = error_response(hooks, req, 500);
      detail::sanitize_headers(res);
    }
  }
  detail::add_security_headers(res);
  if (options.hsts) res.headers.emplace_back("strict-transport-security", "max-age=31536000");
  res.headers.emplace_back("x-request-id", req.ctx.request_id);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  detail::record_request(req.ctx.route, detail::method_label(req.method), res.status, seconds);
  return res;
}

}  // namespace sp::http
