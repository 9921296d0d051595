#pragma once
// The file store's rules: what an upload must be (a sane name, not empty, within the caller's size and
// type limits, the type read from the content), where its bytes go (the row, or a directory where each
// tenant's contents are kept once per SHA-256), and reading them back only for the owning tenant and
// only when they still match their SHA-256.
//
// Error codes: files.name (400: no usable file name), files.empty (400), files.too_large (413; detail:
// the limit, e.g. "10 MB"), files.type_not_allowed (415; detail: the detected type), files.corrupt (500:
// the stored bytes are missing or no longer match their SHA-256), files.storage (500: the storage
// directory cannot be written or read). Callers set Error::field to their form field.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/model.hpp"

namespace sp::files {

struct Options {
  // Empty: contents are kept in the database (stored_files.content). Otherwise a folder (created when
  // missing) holding <tenant>/<first two hex digits>/<sha256>; back it up with the database.
  std::string storage_dir;
};

// The name to keep for an upload: the last component of what the browser sent (old browsers send
// "C:\...\name.pdf"), control and bidirectional-override characters removed (they disguise
// "gpj.exe" as "exe.jpg"), '"' replaced, blanks and trailing dots trimmed. Error files.name when the
// name is not UTF-8, is empty afterwards, is "." or "..", or is longer than 255 bytes.
Result<std::string> sanitize_file_name(std::string_view raw);

class FileService {
 public:
  FileService(db::Database& db, time::Clock& clock, Options options = {});

  // Stores an upload inside the caller's transaction: the row exists if and only if the caller commits.
  // In directory mode the content is written (atomically, durably) before this returns, so before the
  // row can commit; a rolled-back transaction leaves at most an unreferenced content file.
  Result<StoredFile> put(db::Conn& tx, TenantId tenant, std::string_view file_name, std::string_view bytes,
                         const Limits& limits);
  // The same in a transaction of its own (the content is written to disk before the transaction opens).
  Result<StoredFile> put(TenantId tenant, std::string_view file_name, std::string_view bytes,
                         const Limits& limits);

  // The file's description; nullopt when `id` is unknown or another tenant's.
  std::optional<StoredFile> get(TenantId tenant, const std::string& id);
  static std::optional<StoredFile> get(db::Conn& c, TenantId tenant, const std::string& id);

  // The file's bytes, checked against its size and SHA-256; nullopt when `id` is unknown or another
  // tenant's; files.corrupt when the bytes are missing or do not match (never wrong bytes).
  Result<std::optional<std::string>> read_content(TenantId tenant, const std::string& id);

  [[nodiscard]] Storage storage() const {
    return options_.storage_dir.empty() ? Storage::database : Storage::directory;
  }
  // Where directory storage keeps a tenant's content with this digest.
  [[nodiscard]] std::filesystem::path content_path(TenantId tenant, const std::string& sha256) const;

 private:
  // Checks the upload and describes it; in directory mode also writes the content.
  Result<StoredFile> prepare(TenantId tenant, std::string_view file_name, std::string_view bytes,
                             const Limits& limits);
  void insert(db::Conn& tx, const StoredFile& f, std::string_view bytes) const;
  Status write_content(TenantId tenant, const std::string& sha256, std::string_view bytes) const;

  db::Database& db_;
  time::Clock& clock_;
  Options options_;
};

}  // namespace sp::files
