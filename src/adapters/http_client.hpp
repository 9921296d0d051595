#pragma once
// A small blocking HTTP client on libcurl, for adapters that call other systems (OpenID providers, the
// simulators, pagoPA, App IO). One easy handle per call, so it is safe to use from many threads at once.
// Redirects are never followed: a protocol client must see a 302/303 itself (an OpenID provider's
// redirect carries the authorization code, and following it blindly would leak it).
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sp::adapters {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10'000};  // whole exchange, connection included
  std::chrono::milliseconds connect_timeout{5'000};
  bool verify_tls = true;  // peer certificate and host name
  std::string ca_file;     // empty: the system trust store
  // A TLS client certificate (mutual TLS, e.g. ANPR's accredited systems): PEM certificate (its chain
  // after it) and its PEM private key, unencrypted. Empty: none sent.
  std::string client_cert_file;
  std::string client_key_file;
  std::size_t max_response_bytes = 4 * 1024 * 1024;  // larger bodies fail with http_client.too_large
  std::string user_agent = "Sportello/0.1";
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;  // e.g. {"Authorization", "Bearer ..."}
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower-case, in arrival order (only the last response's headers)
  std::string body;

  // The first header with that (lower-case) name, or nullptr.
  [[nodiscard]] const std::string* header(std::string_view lower_name) const;
  // The media type without parameters, lower-case: "application/json" for "application/json; charset=utf-8".
  [[nodiscard]] std::string media_type() const;
};

// Errors (status 502, detail says what): http_client.url (malformed or not http/https),
// http_client.connect (DNS, refused), http_client.timeout, http_client.tls (handshake or certificate),
// http_client.client_certificate (the server asked for a client certificate and refused the one sent, or
// none was sent; or the local certificate/key files cannot be used), http_client.too_large,
// http_client.failed (anything else). An HTTP error status is NOT an error here: the caller reads `status`.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request) const;
  [[nodiscard]] Result<HttpResponse> get(std::string url, HttpHeaders headers = {}) const;
  // POST with an application/x-www-form-urlencoded body built from `form`.
  [[nodiscard]] Result<HttpResponse> post_form(std::string url,
                                               const std::vector<std::pair<std::string, std::string>>& form,
                                               HttpHeaders headers = {}) const;

  [[nodiscard]] const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view s);
// "a=1&b=x%20y" from pairs (each name and value url_encode'd).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace sp::adapters
