#include "adapters/messaging/email.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "core/crypto/encoding.hpp"
#include "core/ids.hpp"

namespace sp::messaging {
namespace {

void ensure_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Length of the UTF-8 sequence starting with byte c (1 for stray bytes).
std::size_t utf8_len(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string mailbox(std::string_view name, std::string_view address) {
  if (name.empty()) return std::string(address);
  std::string n;
  if (printable_ascii(name)) {
    n = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') n += '\\';
      n += c;
    }
    n += "\"";
  } else {
    n = encode_header_word(name);
  }
  return n + " <" + std::string(address) + ">";
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userp) {
  auto* u = static_cast<Upload*>(userp);
  const std::size_t room = size * nitems;
  const std::size_t left = u->data->size() - u->offset;
  const std::size_t n = std::min(room, left);
  std::memcpy(buffer, u->data->data() + u->offset, n);
  u->offset += n;
  return n;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return crypto::base64_encode(bytes);
}

std::optional<std::string> base64_decode(std::string_view text) {
  return crypto::base64_decode(text);
}

std::string encode_header_word(std::string_view utf8) {
  if (printable_ascii(utf8)) return std::string(utf8);
  // "=?UTF-8?B?" + base64 + "?=" is at most 75 characters: 63 base64 characters, i.e. 45 bytes.
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t end = i;
    while (end < utf8.size()) {
      std::size_t n = utf8_len(static_cast<unsigned char>(utf8[end]));
      if (end + n - i > 45) break;
      end += std::min(n, utf8.size() - end);
    }
    if (end == i) end = std::min(utf8.size(), i + 1);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(utf8.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string decode_header_words(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool last_was_word = false;
  std::string pending_space;
  while (i < value.size()) {
    if (value.compare(i, 2, "=?") == 0) {
      auto q1 = value.find('?', i + 2);
      auto q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
      auto end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
      if (end != std::string_view::npos) {
        auto enc = value.substr(q1 + 1, q2 - q1 - 1);
        auto text = value.substr(q2 + 1, end - q2 - 1);
        std::optional<std::string> decoded;
        if (enc == "B" || enc == "b") {
          decoded = base64_decode(text);
        } else if (enc == "Q" || enc == "q") {
          std::string d;
          for (std::size_t k = 0; k < text.size(); ++k) {
            if (text[k] == '_') {
              d += ' ';
            } else if (text[k] == '=' && k + 2 < text.size()) {
              d += static_cast<char>(std::stoi(std::string(text.substr(k + 1, 2)), nullptr, 16));
              k += 2;
            } else {
              d += text[k];
            }
          }
          decoded = d;
        }
        if (decoded) {
          if (!last_was_word) out += pending_space;  // whitespace between two encoded words is dropped
          pending_space.clear();
          out += *decoded;
          last_was_word = true;
          i = end + 2;
          continue;
        }
      }
    }
    char c = value[i++];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (c == ' ' || c == '\t') pending_space += c;
      continue;
    }
    out += pending_space;
    pending_space.clear();
    out += c;
    last_was_word = false;
  }
  if (!last_was_word) out += pending_space;
  return out;
}

std::string rfc5322_date(time::TimePoint tp) {
  return date::format("%a, %d %b %Y %H:%M:%S +0000", std::chrono::floor<std::chrono::seconds>(tp));
}

std::string build_email(const EmailOptions& o, const StoredMessage& m, time::TimePoint now) {
  return build_email(o, m, now, {});
}

namespace {
std::string base64_lines(std::string_view bytes) {
  const std::string b64 = base64_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}
// A parameter value: quoted when plain printable ASCII without quotes, else RFC 2231 (UTF-8'').
std::string file_parameter(const std::string& name, const std::string& value) {
  const bool plain = std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) return name + "=\"" + value + "\"";
  std::string out = name + "*=UTF-8''";
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}
std::string safe_mime_type(const std::string& t) {
  const bool ok = !t.empty() && std::all_of(t.begin(), t.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '/' || c == '.' || c == '+' || c == '-';
  });
  return ok ? t : "application/octet-stream";
}
}  // namespace

std::string build_email(const EmailOptions& o, const StoredMessage& m, time::TimePoint now,
                        const std::vector<Attachment>& attachments) {
  std::string msg;
  msg += "Date: " + rfc5322_date(now) + "\r\n";
  msg += "From: " + mailbox(o.from_name, o.from_address) + "\r\n";
  msg += "To: <" + m.message.recipient + ">\r\n";
  msg += "Subject: " + encode_header_word(m.message.subject) + "\r\n";
  msg += "Message-ID: <" + m.id + "@" + o.message_id_domain + ">\r\n";
  msg += "MIME-Version: 1.0\r\n";
  if (attachments.empty()) {
    msg += "Content-Type: text/plain; charset=UTF-8\r\n";
    msg += "Content-Transfer-Encoding: base64\r\n";
    msg += "\r\n";
    msg += base64_lines(crlf(m.message.body));
    return msg;
  }
  const std::string boundary = "=_sportello_" + m.id;
  msg += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  msg += "--" + boundary + "\r\n";
  msg += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  msg += base64_lines(crlf(m.message.body));
  for (const auto& a : attachments) {
    msg += "--" + boundary + "\r\n";
    msg +=
        "Content-Type: " + safe_mime_type(a.mime_type) + "; " + file_parameter("name", a.file_name) + "\r\n";
    msg += "Content-Disposition: attachment; " + file_parameter("filename", a.file_name) + "\r\n";
    msg += "Content-Transfer-Encoding: base64\r\n\r\n";
    msg += base64_lines(a.bytes);
  }
  msg += "--" + boundary + "--\r\n";
  return msg;
}

sp::Status EmailSender::send(const StoredMessage& m) {
  return send(m, {});
}

sp::Status EmailSender::send(const StoredMessage& m, const std::vector<Attachment>& attachments) {
  ensure_curl();
  CURL* h = curl_easy_init();
  if (h == nullptr) return Error::make("messaging.smtp", 503, "curl_easy_init");
  const std::string payload = build_email(options_, m, clock_.now(), attachments);
  Upload upload{&payload};
  const std::string from = "<" + options_.from_address + ">";
  const std::string to = "<" + m.message.recipient + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<long>(options_.timeout.count(), 5000)));
  if (options_.require_tls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!options_.verify_tls) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(h);
  if (rc == CURLE_OK) return Ok{};
  std::string detail = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
  if (code >= 500 && code < 600) {  // a permanent SMTP reply (RFC 5321 section 4.2.1)
    return Error::make("messaging.rejected", 502, "SMTP " + std::to_string(code) + " " + detail);
  }
  return Error::make("messaging.smtp", 502, (code ? "SMTP " + std::to_string(code) + " " : "") + detail);
}

}  // namespace sp::messaging
