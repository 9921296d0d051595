#include "adapters/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "core/text.hpp"

namespace sp::adapters {
namespace {

// curl_global_init is not thread-safe and must run once before any other call (libcurl docs,
// "curl_global_init"); a function-local call_once does that on first use.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string* body;
  HttpHeaders* headers;
  std::size_t limit;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t len = size * n;
  if (sink->body->size() + len > sink->limit) {
    sink->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->body->append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::string_view line(data, size * n);
  // A new status line starts a new header block (e.g. after "100 Continue"): keep only the last one.
  if (line.rfind("HTTP/", 0) == 0) {
    sink->headers->clear();
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  sink->headers->emplace_back(text::to_lower_ascii(line.substr(0, colon)),
                              text::trim(line.substr(colon + 1)));
  return size * n;
}

// OpenSSL's alert texts for a refused client certificate: "tlsv13 alert certificate required", "sslv3
// alert bad certificate", "tlsv1 alert unknown ca", "sslv3 alert certificate expired", ...
bool tls_alert_about_certificate(const char* errbuf) {
  const std::string_view e(errbuf);
  if (e.find("alert") == std::string_view::npos) return false;
  for (std::string_view w : {"certificate", "unknown ca", "access denied"})
    if (e.find(w) != std::string_view::npos) return true;
  return false;
}

Error curl_error(CURLcode code, const char* errbuf, const std::string& url) {
  std::string detail = url + ": " + (errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(code));
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error::make("http_client.url", 502, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return Error::make("http_client.connect", 502, detail);
    case CURLE_OPERATION_TIMEDOUT:
      return Error::make("http_client.timeout", 504, detail);
    case CURLE_SSL_CLIENTCERT:   // TLS 1.3: the server's alert "certificate required" after the handshake
    case CURLE_SSL_CERTPROBLEM:  // our own certificate or key file cannot be used
      return Error::make("http_client.client_certificate", 502, detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      // A server that refuses our certificate says so with a TLS alert, during the handshake (TLS 1.2) or
      // on the first read (1.3): curl reports it in the message only.
      if (tls_alert_about_certificate(errbuf))
        return Error::make("http_client.client_certificate", 502, detail);
      if (code != CURLE_SSL_CONNECT_ERROR) return Error::make("http_client.failed", 502, detail);
      return Error::make("http_client.tls", 502, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return Error::make("http_client.tls", 502, detail);
    default:
      return Error::make("http_client.failed", 502, detail);
  }
}

}  // namespace

const std::string* HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return &v;
  return nullptr;
}

std::string HttpResponse::media_type() const {
  const std::string* ct = header("content-type");
  if (ct == nullptr) return {};
  std::string out = text::trim(std::string_view(*ct).substr(0, ct->find(';')));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  global_init();
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) const {
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Error::make("http_client.failed", 502, "curl_easy_init");
  CURL* h = curl.get();

  HttpResponse response;
  Sink sink{&response.body, &response.headers, options_.max_response_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Only web protocols, also after a (not followed) redirect: no file://, no gopher:// surprises.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required for timeouts in multi-threaded programs
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.client_cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, options_.client_cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(
        h, CURLOPT_SSLKEY,
        (options_.client_key_file.empty() ? options_.client_cert_file : options_.client_key_file).c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }

  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");  // no "100 Continue" round trip on larger POSTs
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, &curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

  const CURLcode rc = curl_easy_perform(h);
  if (sink.too_large)
    return Error::make(
        "http_client.too_large", 502,
        request.url + ": response over " + std::to_string(options_.max_response_bytes) + " bytes");
  if (rc != CURLE_OK) return curl_error(rc, errbuf, request.url);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

Result<HttpResponse> HttpClient::get(std::string url, HttpHeaders headers) const {
  HttpRequest r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  return send(r);
}

Result<HttpResponse> HttpClient::post_form(std::string url,
                                           const std::vector<std::pair<std::string, std::string>>& form,
                                           HttpHeaders headers) const {
  HttpRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.body = form_encode(form);
  return send(r);
}

std::string url_encode(std::string_view s) {
  return text::percent_encode(s);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k);
    out.push_back('=');
    out += url_encode(v);
  }
  return out;
}

}  // namespace sp::adapters
