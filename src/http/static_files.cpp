#include "http/static_files.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "http/internal.hpp"

namespace sp::http::detail {
namespace fs = std::filesystem;
namespace {

// Files above this are served from disk each time rather than held in memory.
constexpr std::uintmax_t kMaxCachedBytes = 8 * 1024 * 1024;

struct CachedFile {
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;
  std::string etag;     // of the identity bytes
  std::string gz_etag;  // a strong ETag must differ per content-coding (RFC 9110 8.8.3)
  std::string_view content_type;
  std::string content;
  std::string gzipped;  // empty when not compressible or not smaller
};

class FileCache {
 public:
  std::shared_ptr<const CachedFile> get(const std::string& path, std::int64_t mtime_ns, std::int64_t size) {
    std::shared_lock lock(mutex_);
    auto it = files_.find(path);
    if (it != files_.end() && it->second->mtime_ns == mtime_ns && it->second->size == size) return it->second;
    return nullptr;
  }
  void put(const std::string& path, std::shared_ptr<const CachedFile> f) {
    std::unique_lock lock(mutex_);
    files_[path] = std::move(f);
  }

 private:
  std::shared_mutex mutex_;  // readers (the usual case) proceed in parallel
  std::unordered_map<std::string, std::shared_ptr<const CachedFile>> files_;
};

FileCache& cache() {
  static FileCache* c = new FileCache();
  return *c;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

bool compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/javascript") ||
         type.starts_with("application/json") || type.starts_with("image/svg+xml") ||
         type.starts_with("image/x-icon") || type.starts_with("font/ttf");
}

// True when Accept-Encoding lists gzip (or *) without q=0.
bool accepts_gzip(const Request& req) {
  const std::string* ae = req.header("accept-encoding");
  if (!ae) return false;
  std::string_view v = *ae;
  while (!v.empty()) {
    auto comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view qv = params.substr(q + 2);
    // q=0, q=0.0, q=0.00 ... mean "not acceptable"
    bool zero = !qv.empty() && qv.front() == '0';
    for (std::size_t i = 1; zero && i < qv.size() && qv[i] != ' '; ++i) zero = qv[i] == '.' || qv[i] == '0';
    return !zero;
  }
  return false;
}

bool etag_matches(const std::string& if_none_match, std::string_view etag) {
  std::string_view v = if_none_match;
  if (v.find('*') != std::string_view::npos) return true;
  while (!v.empty()) {
    auto comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);  // If-None-Match uses weak comparison
    if (item == etag) return true;
  }
  return false;
}

std::shared_ptr<const CachedFile> load(const fs::path& path, std::int64_t mtime_ns, std::int64_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  auto f = std::make_shared<CachedFile>();
  f->content.resize(static_cast<std::size_t>(size));
  in.read(f->content.data(), size);
  if (in.gcount() != size) return nullptr;  // changed under us; the next request will retry
  f->mtime_ns = mtime_ns;
  f->size = size;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(fnv1a(f->content)));
  f->etag = buf;
  f->gz_etag = f->etag.substr(0, f->etag.size() - 1) + "-gz\"";
  f->content_type = content_type_for(path.extension().string());
  if (compressible(f->content_type) && f->content.size() > 256) {
    std::string gz = gzip_compress(f->content);
    if (!gz.empty() && gz.size() < f->content.size()) f->gzipped = std::move(gz);
  }
  return f;
}

Response not_found() {
  return Response::text("Not Found\n", 404);
}

}  // namespace

std::string_view content_type_for(std::string_view ext) {
  static const std::unordered_map<std::string_view, std::string_view> types{
      {".css", "text/css; charset=utf-8"},
      {".js", "application/javascript; charset=utf-8"},
      {".mjs", "application/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".html", "text/html; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".pdf", "application/pdf"},
      {".webp", "image/webp"},
  };
  auto it = types.find(ext);
  return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: zlib writes a gzip header and trailer instead of the zlib ones.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  std::size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {};
  out.resize(produced);
  return out;
}

Response serve_static(const ServerOptions& options, const Request& req) {
  if (options.static_dir.empty()) return not_found();
  std::string_view rel = std::string_view(req.path).substr(options.static_prefix.size());
  if (rel.empty() || rel.front() == '/') return not_found();
  if (rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos)
    return Response::text("Bad Request\n", 400);
  for (std::size_t pos = 0; pos <= rel.size();) {
    auto next = rel.find('/', pos);
    if (next == std::string_view::npos) next = rel.size();
    auto seg = rel.substr(pos, next - pos);
    if (seg == "..") return Response::text("Bad Request\n", 400);
    if (seg.empty() || seg == "." || seg.front() == '.') return not_found();  // no dotfiles, no "//"
    pos = next + 1;
  }

  // Belt and braces: resolve symlinks and check we are still under the root.
  std::error_code ec;
  static thread_local std::string cached_root_for;
  static thread_local std::string cached_root;
  if (cached_root_for != options.static_dir) {
    cached_root = fs::weakly_canonical(options.static_dir, ec).string();
    if (ec) return not_found();
    if (cached_root.empty() || cached_root.back() != '/') cached_root.push_back('/');
    cached_root_for = options.static_dir;
  }
  std::string candidate = cached_root;
  candidate.append(rel);
  fs::path real = fs::canonical(candidate, ec);
  if (ec) return not_found();
  const std::string& real_str = real.native();
  if (!real_str.starts_with(cached_root)) return not_found();

  struct stat st {};
  if (::stat(real_str.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return not_found();
  std::int64_t mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  std::int64_t size = st.st_size;

  std::shared_ptr<const CachedFile> file = cache().get(real_str, mtime_ns, size);
  if (!file) {
    file = load(real, mtime_ns, size);
    if (!file) return not_found();
    if (static_cast<std::uintmax_t>(size) <= kMaxCachedBytes) cache().put(real_str, file);
  }

  const bool gzip = !file->gzipped.empty() && accepts_gzip(req);
  const std::string& etag = gzip ? file->gz_etag : file->etag;
  Response res;
  res.content_type = std::string(file->content_type);
  res.headers.emplace_back("etag", etag);
  res.headers.emplace_back("cache-control",
                           "public, max-age=" + std::to_string(options.static_max_age.count()));
  if (!file->gzipped.empty()) res.headers.emplace_back("vary", "Accept-Encoding");
  if (const std::string* inm = req.header("if-none-match"); inm && etag_matches(*inm, etag)) {
    res.status = 304;
    return res;
  }
  if (gzip) {
    res.headers.emplace_back("content-encoding", "gzip");
    res.body = file->gzipped;
  } else {
    res.body = file->content;
  }
  return res;
}

}  // namespace sp::http::detail
