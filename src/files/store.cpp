#include "files/store.hpp"

#include <stdexcept>

namespace sp::files {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO stored_files (id, tenant_id, file_name, mime_type, size, sha256, storage, content, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kFind =
    "SELECT id, tenant_id, file_name, mime_type, size, sha256, storage, created_at FROM stored_files "
    "WHERE tenant_id = $1 AND id = $2";
constexpr std::string_view kFindWithContent =
    "SELECT id, tenant_id, file_name, mime_type, size, sha256, storage, created_at, content FROM "
    "stored_files WHERE tenant_id = $1 AND id = $2";

std::string storage_name(Storage s) {
  return s == Storage::database ? "database" : "directory";
}

Storage parse_storage(const std::string& s) {
  if (s == "database") return Storage::database;
  if (s == "directory") return Storage::directory;
  throw db::DbError(db::DbError::Kind::other, "stored_files: unknown storage '" + s + "'");
}

}  // namespace

void FileStore::insert(db::Conn& tx, const StoredFile& f, Storage storage,
                       std::optional<std::string_view> content) {
  db::Value bytes = content ? db::Value{db::Blob{std::string(*content)}} : db::Value{nullptr};
  tx.exec(kInsert, {f.id, f.tenant_id, f.file_name, f.mime_type, f.size, f.sha256, storage_name(storage),
                    std::move(bytes), time::format_iso_utc(f.created_at)});
}

std::optional<FileRow> FileStore::find(db::Conn& c, TenantId tenant, const std::string& id,
                                       bool with_content) {
  auto row = c.query_one(with_content ? kFindWithContent : kFind, {tenant, id});
  if (!row) return std::nullopt;
  FileRow out;
  out.file.id = row->text(0);
  out.file.tenant_id = row->i64(1);
  out.file.file_name = row->text(2);
  out.file.mime_type = row->text(3);
  out.file.size = row->i64(4);
  out.file.sha256 = row->text(5);
  out.storage = parse_storage(row->text(6));
  auto created = time::parse_iso_utc(row->text(7));
  if (!created)
    throw db::DbError(db::DbError::Kind::other, "stored_files: bad created_at '" + row->text(7) + "'");
  out.file.created_at = *created;
  if (with_content && !row->is_null(8)) out.content = row->blob(8);
  return out;
}

}  // namespace sp::files
