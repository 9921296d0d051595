#include "adapters/pec/mailbox.hpp"

#include <curl/curl.h>

#include <memory>
#include <sstream>

namespace sp::pec {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

}  // namespace

Result<std::string> Mailbox::call(const std::string& url, const char* custom_request) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
  if (!h) return Error::make("pec.mailbox", 502, "curl");
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, "pop3,pop3s");
  curl_easy_setopt(h.get(), CURLOPT_USERNAME, options_.user.c_str());
  curl_easy_setopt(h.get(), CURLOPT_PASSWORD, options_.password.c_str());
  if (custom_request) curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, custom_request);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  if (CURLcode rc = curl_easy_perform(h.get()); rc != CURLE_OK)
    return Error::make("pec.mailbox", 502, errbuf[0] ? errbuf : curl_easy_strerror(rc));
  return body;
}

Result<std::vector<MailboxEntry>> Mailbox::list() {
  auto text = call(with_slash(options_.url), "UIDL");
  if (!text) return text.error();
  std::vector<MailboxEntry> out;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::istringstream fields(line);
    MailboxEntry e;
    if (!(fields >> e.number >> e.uid) || e.number < 1)
      return Error::make("pec.mailbox", 502, "UIDL: " + line);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> Mailbox::fetch(int number) {
  return call(with_slash(options_.url) + std::to_string(number), nullptr);
}

}  // namespace sp::pec
