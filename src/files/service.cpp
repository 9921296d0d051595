#include "files/service.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "core/digest.hpp"
#include "core/ids.hpp"
#include "files/mime.hpp"
#include "files/store.hpp"

namespace sp::files {
namespace {

constexpr std::size_t kMaxNameBytes = 255;
constexpr std::size_t kIdLength = 43;  // 32 random bytes in URL-safe base64 without padding

// Decodes one UTF-8 sequence at `s[i]`; returns the code point and advances `i`, or -1 when the bytes
// are not well-formed UTF-8 (overlongs, surrogates and values past U+10FFFF included).
long next_code_point(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int extra = 0;
  long cp = 0;
  long min = 0;
  if (c < 0x80) {
    ++i;
    return c;
  }
  if ((c & 0xE0) == 0xC0) {
    extra = 1, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, cp = c & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (s.size() - i <= static_cast<std::size_t>(extra)) return -1;
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return -1;
  i += extra + 1;
  return cp;
}

bool invisible_or_control(long cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)          // C0, DEL, C1
         || cp == 0x061C || cp == 0x200E || cp == 0x200F  // Arabic letter mark, LRM, RLM
         || (cp >= 0x202A && cp <= 0x202E)                // embeddings and overrides
         || (cp >= 0x2066 && cp <= 0x2069);               // isolates
}

std::string human_size(std::int64_t bytes) {
  constexpr std::int64_t kMB = 1024 * 1024;
  if (bytes >= kMB && bytes % kMB == 0) return std::to_string(bytes / kMB) + " MB";
  if (bytes >= 1024) return std::to_string(bytes / 1024) + " KB";
  return std::to_string(bytes) + " B";
}

bool looks_like_id(const std::string& id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

Error storage_error(const std::string& what, int err) {
  return Error::make("files.storage", 500, what + ": " + std::strerror(err));
}

// Closes a file descriptor on every path.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

// The whole file, nullopt when it does not exist.
Result<std::optional<std::string>> read_file(const std::filesystem::path& path) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return storage_error("open " + path.string(), errno);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return storage_error("stat " + path.string(), errno);
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("read " + path.string(), errno);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>{std::move(out)};
}

Status write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("write " + path.string(), errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

// Makes a directory entry (a new file's name, a new folder) durable: fsync of the folder holding it.
Status sync_dir(const std::filesystem::path& dir) {
  Fd f(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (f.fd < 0) return storage_error("open " + dir.string(), errno);
  if (::fsync(f.fd) != 0) return storage_error("fsync " + dir.string(), errno);
  return Ok{};
}

// mkdir that tolerates an existing folder; `created` tells whether this call made it.
Status make_dir(const std::filesystem::path& dir, bool& created) {
  created = false;
  if (::mkdir(dir.c_str(), 0750) == 0) {
    created = true;
    return Ok{};
  }
  if (errno == EEXIST) return Ok{};
  return storage_error("mkdir " + dir.string(), errno);
}

bool intact(const std::string& bytes, std::int64_t size, const std::string& sha256) {
  return static_cast<std::int64_t>(bytes.size()) == size && digest::sha256_hex(bytes) == sha256;
}

}  // namespace

Result<std::string> sanitize_file_name(std::string_view raw) {
  auto slash = raw.find_last_of("/\\");
  std::string_view base = slash == std::string_view::npos ? raw : raw.substr(slash + 1);
  std::string out;
  out.reserve(base.size());
  for (std::size_t i = 0; i < base.size();) {
    const std::size_t start = i;
    const long cp = next_code_point(base, i);
    if (cp < 0) return Error::make("files.name", 400, "not UTF-8");
    if (invisible_or_control(cp)) continue;
    if (cp == '"') {
      out += '_';
      continue;
    }
    out.append(base.substr(start, i - start));
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  std::size_t lead = 0;
  while (lead < out.size() && out[lead] == ' ') ++lead;
  out.erase(0, lead);
  if (out.empty()) return Error::make("files.name", 400, "empty");
  if (out.size() > kMaxNameBytes) return Error::make("files.name", 400, "longer than 255 bytes");
  return out;
}

FileService::FileService(db::Database& db, time::Clock& clock, Options options)
    : db_(db), clock_(clock), options_(std::move(options)) {}

std::filesystem::path FileService::content_path(TenantId tenant, const std::string& sha256) const {
  return std::filesystem::path(options_.storage_dir) / std::to_string(tenant) / sha256.substr(0, 2) / sha256;
}

Result<StoredFile> FileService::prepare(TenantId tenant, std::string_view file_name, std::string_view bytes,
                                        const Limits& limits) {
  auto name = sanitize_file_name(file_name);
  if (!name) return name.error();
  if (bytes.empty()) return Error::make("files.empty", 400, *name);
  if (static_cast<std::int64_t>(bytes.size()) > limits.max_size) {
    return Error::make("files.too_large", 413, human_size(limits.max_size));
  }
  StoredFile f;
  f.mime_type = detect_mime(bytes);
  if (!mime_allowed(f.mime_type, limits.allowed_types) ||
      (!limits.keep_active_content && is_active_media_type(f.mime_type))) {
    return Error::make("files.type_not_allowed", 415, f.mime_type);
  }
  f.id = ids::random_token(32);
  f.tenant_id = tenant;
  f.file_name = std::move(*name);
  f.size = static_cast<std::int64_t>(bytes.size());
  f.sha256 = digest::sha256_hex(bytes);
  f.created_at = clock_.now();
  if (storage() == Storage::directory) {
    if (auto st = write_content(tenant, f.sha256, bytes); !st) return st.error();
  }
  return f;
}

void FileService::insert(db::Conn& tx, const StoredFile& f, std::string_view bytes) const {
  if (storage() == Storage::database) {
    FileStore::insert(tx, f, Storage::database, bytes);
  } else {
    FileStore::insert(tx, f, Storage::directory, std::nullopt);
  }
}

Result<StoredFile> FileService::put(db::Conn& tx, TenantId tenant, std::string_view file_name,
                                    std::string_view bytes, const Limits& limits) {
  auto f = prepare(tenant, file_name, bytes, limits);
  if (!f) return f;
  insert(tx, *f, bytes);
  return f;
}

Result<StoredFile> FileService::put(TenantId tenant, std::string_view file_name, std::string_view bytes,
                                    const Limits& limits) {
  // The disk work happens before the transaction: on SQLite the single writer is not held up by it.
  auto f = prepare(tenant, file_name, bytes, limits);
  if (!f) return f;
  db_.write([&](db::Conn& tx) { insert(tx, *f, bytes); });
  return f;
}

std::optional<StoredFile> FileService::get(db::Conn& c, TenantId tenant, const std::string& id) {
  if (!looks_like_id(id)) return std::nullopt;
  auto row = FileStore::find(c, tenant, id, false);
  if (!row) return std::nullopt;
  return std::move(row->file);
}

std::optional<StoredFile> FileService::get(TenantId tenant, const std::string& id) {
  std::optional<StoredFile> out;
  if (!looks_like_id(id)) return out;
  db_.read([&](db::Conn& c) { out = get(c, tenant, id); });
  return out;
}

Result<std::optional<std::string>> FileService::read_content(TenantId tenant, const std::string& id) {
  if (!looks_like_id(id)) return std::optional<std::string>{};
  std::optional<FileRow> row;
  db_.read([&](db::Conn& c) { row = FileStore::find(c, tenant, id, true); });
  if (!row) return std::optional<std::string>{};

  std::string bytes;
  if (row->storage == Storage::database) {
    if (!row->content) return Error::make("files.corrupt", 500, id + ": no content in the row");
    bytes = std::move(*row->content);
  } else {
    if (options_.storage_dir.empty()) {
      return Error::make("files.storage", 500, id + ": kept in a directory but no files_dir is set");
    }
    const auto path = content_path(tenant, row->file.sha256);
    auto read = read_file(path);
    if (!read) return read.error();
    if (!*read) {
      spdlog::error("stored file {} of tenant {}: {} is missing", id, tenant, path.string());
      return Error::make("files.corrupt", 500, id + ": content missing");
    }
    bytes = std::move(**read);
  }
  if (!intact(bytes, row->file.size, row->file.sha256)) {
    spdlog::error("stored file {} of tenant {}: content does not match its SHA-256", id, tenant);
    return Error::make("files.corrupt", 500, id + ": content does not match its SHA-256");
  }
  return std::optional<std::string>{std::move(bytes)};
}

// Content-addressed and written once: <dir>/<tenant>/<2 hex>/<sha256>, through a temporary file that is
// fsync'ed and renamed into place, then the folder fsync'ed, so a crash leaves either no file or the
// whole file. An existing file is reused only when it still matches its digest; a damaged one is
// replaced, so storing the same content again repairs it.
Status FileService::write_content(TenantId tenant, const std::string& sha256, std::string_view bytes) const {
  namespace fs = std::filesystem;
  const fs::path target = content_path(tenant, sha256);
  const fs::path leaf_dir = target.parent_path();
  const fs::path tenant_dir = leaf_dir.parent_path();
  const fs::path root(options_.storage_dir);

  auto existing = read_file(target);
  if (existing && *existing && intact(**existing, static_cast<std::int64_t>(bytes.size()), sha256))
    return Ok{};
  if (existing && *existing)
    spdlog::warn("stored content {} of tenant {} was damaged: rewriting it", sha256, tenant);

  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Error::make("files.storage", 500, "mkdir " + root.string() + ": " + ec.message());
  bool made_tenant_dir = false;
  bool made_leaf_dir = false;
  if (auto st = make_dir(tenant_dir, made_tenant_dir); !st) return st;
  if (auto st = make_dir(leaf_dir, made_leaf_dir); !st) return st;

  const fs::path temp = leaf_dir / (".tmp-" + ids::request_id(8));
  {
    Fd f(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (f.fd < 0) return storage_error("create " + temp.string(), errno);
    Status st = write_all(f.fd, bytes, temp);
    if (st && ::fsync(f.fd) != 0) st = storage_error("fsync " + temp.string(), errno);
    if (st && ::close(f.release()) != 0) st = storage_error("close " + temp.string(), errno);
    if (!st) {
      ::unlink(temp.c_str());
      return st;
    }
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return storage_error("rename to " + target.string(), err);
  }
  if (auto st = sync_dir(leaf_dir); !st) return st;
  if (made_leaf_dir) {
    if (auto st = sync_dir(tenant_dir); !st) return st;
  }
  if (made_tenant_dir) {
    if (auto st = sync_dir(root); !st) return st;
  }
  return Ok{};
}

}  // namespace sp::files
