// libmagic behind a mutex. A magic cookie is not thread-safe, and loading the compiled database takes
// milliseconds and megabytes, so there is one cookie for the process, loaded once, and detections take
// turns. A detection reads at most the first few megabytes of the buffer (libmagic's bytes_max) and
// takes well under a millisecond for the documents people upload, so the lock is never held for long.
#include "files/mime.hpp"

#include <magic.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "core/text.hpp"

namespace sp::files {
namespace {

class Magic {
 public:
  Magic() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie_ == nullptr) throw std::runtime_error("libmagic: magic_open failed");
    if (magic_load(cookie_, nullptr) != 0) {
      std::string why = magic_error(cookie_) ? magic_error(cookie_) : "unknown error";
      magic_close(cookie_);
      throw std::runtime_error("libmagic: cannot load the default magic database: " + why);
    }
  }
  ~Magic() { magic_close(cookie_); }
  Magic(const Magic&) = delete;
  Magic& operator=(const Magic&) = delete;

  std::string detect(std::string_view bytes) {
    std::lock_guard lock(mu_);
    const char* type = magic_buffer(cookie_, bytes.data(), bytes.size());
    return type != nullptr && *type != '\0' ? std::string(type) : std::string("application/octet-stream");
  }

 private:
  std::mutex mu_;
  magic_t cookie_;
};

Magic& magic() {
  // Made once, thread-safely (static initialisation), and never destroyed: a request thread may still be
  // detecting while the process exits. It stays reachable, so LeakSanitizer does not report it.
  static Magic* instance = new Magic;
  return *instance;
}

}  // namespace

std::string detect_mime(std::string_view bytes) {
  return magic().detect(bytes);
}

bool mime_allowed(std::string_view mime, const std::vector<std::string>& allowed) {
  const std::string type = text::to_lower_ascii(mime);
  const std::string major = type.substr(0, type.find('/'));
  for (const auto& entry : allowed) {
    const std::string a = text::to_lower_ascii(entry);
    if (a == "*/*" || a == type) return true;
    if (a.size() > 2 && a.compare(a.size() - 2, 2, "/*") == 0 && a.substr(0, a.size() - 2) == major)
      return true;
  }
  return false;
}

namespace {

bool restricted_name(std::string_view s) {
  // RFC 6838 4.2: restricted-name-first (ALPHA / DIGIT), then up to 126 restricted-name-chars.
  if (s.empty() || s.size() > 127) return false;
  if (std::isalnum(static_cast<unsigned char>(s.front())) == 0) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
  });
}

// Declared type → what libmagic calls the same files. Kept short on purpose: each pair is a kind of file
// people really send to a registry.
constexpr std::pair<std::string_view, std::string_view> kCompatible[] = {
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    {"application/vnd.oasis.opendocument.text", "application/zip"},
    {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    {"application/vnd.oasis.opendocument.presentation", "application/zip"},
    {"application/vnd.ms-excel", "application/vnd.ms-office"},
    {"application/msword", "application/vnd.ms-office"},
    {"application/x-zip-compressed", "application/zip"},
    {"text/csv", "text/plain"},
    {"text/csv", "application/csv"},
    {"application/xml", "text/xml"},
    {"text/xml", "application/xml"},
    {"application/json", "text/plain"},
    {"application/pkcs7-mime", "application/octet-stream"},  // .p7m: libmagic often cannot tell
    {"application/pkcs7-signature", "application/octet-stream"},
    {"image/jpg", "image/jpeg"},
    {"image/pjpeg", "image/jpeg"},
};

}  // namespace

std::optional<std::string> normalize_media_type(std::string_view declared) {
  std::string_view s = declared.substr(0, declared.find(';'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  if (!restricted_name(s.substr(0, slash)) || !restricted_name(s.substr(slash + 1))) return std::nullopt;
  // Parameters may carry anything: refuse control characters there too rather than guess what was meant.
  for (char c : declared)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
  return text::to_lower_ascii(s);
}

bool media_types_compatible(std::string_view declared, std::string_view detected) {
  const std::string a = text::to_lower_ascii(declared);
  const std::string b = text::to_lower_ascii(detected);
  if (a == b) return true;
  return std::any_of(std::begin(kCompatible), std::end(kCompatible),
                     [&](const auto& pair) { return pair.first == a && pair.second == b; });
}

ResolvedType resolve_media_type(std::string_view declared, std::string_view detected) {
  auto d = normalize_media_type(declared);
  if (!d)
    return {text::to_lower_ascii(detected),
            {}};  // nothing usable declared (callers refuse an invalid one first)
  if (media_types_compatible(*d, detected)) return {*d, {}};
  return {text::to_lower_ascii(detected), *d};
}

bool is_active_media_type(std::string_view mime) {
  const std::string t = text::to_lower_ascii(mime.substr(0, mime.find(';')));
  static constexpr std::string_view kActive[] = {
      "text/html",
      "application/xhtml+xml",
      "image/svg+xml",
      "text/xml",
      "application/xml",
      "text/xsl",
      "application/xslt+xml",
      "text/javascript",
      "application/javascript",
      "application/ecmascript",
      "text/ecmascript",
      "application/x-sh",
      "text/x-shellscript",
      "application/x-shellscript",
      "text/x-php",
      "application/x-httpd-php",
      "text/x-python",
      "text/x-perl",
      "application/x-msdownload",
      "text/vbscript",
      "application/hta",
      "text/x-msdos-batch",
      "application/x-bat",
      "application/wasm",
  };
  if (std::any_of(std::begin(kActive), std::end(kActive), [&](std::string_view a) { return a == t; }))
    return true;
  // Any "+xml" suffix type (RFC 6839) can be rendered as XML by a browser.
  return t.size() > 4 && t.compare(t.size() - 4, 4, "+xml") == 0;
}

}  // namespace sp::files
