// libmagic behind a mutex. A magic cookie is not thread-safe, and loading the compiled database takes
// milliseconds and megabytes, so there is one cookie for the process, loaded once, and detections take
// turns. A detection reads at most the first few megabytes of the buffer (libmagic's bytes_max) and
// takes well under a millisecond for the documents people upload, so the lock is never held for long.
#include "files/mime.hpp"

#include <magic.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

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

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string detect_mime(std::string_view bytes) {
  return magic().detect(bytes);
}

bool mime_allowed(std::string_view mime, const std::vector<std::string>& allowed) {
  const std::string type = lower(mime);
  const std::string major = type.substr(0, type.find('/'));
  for (const auto& entry : allowed) {
    const std::string a = lower(entry);
    if (a == "*/*" || a == type) return true;
    if (a.size() > 2 && a.compare(a.size() - 2, 2, "/*") == 0 && a.substr(0, a.size() - 2) == major)
      return true;
  }
  return false;
}

}  // namespace sp::files
