#pragma once
// SQL for stored files. Every query filters on the tenant: an id of another tenant finds nothing.
#include <optional>
#include <string>
#include <string_view>

#include "db/database.hpp"
#include "files/model.hpp"

namespace sp::files {

struct FileRow {
  StoredFile file;
  Storage storage = Storage::database;
  std::optional<std::string> content;  // when asked for and kept in the row
};

class FileStore {
 public:
  // `content` is given for Storage::database and absent for Storage::directory.
  static void insert(db::Conn& tx, const StoredFile& f, Storage storage,
                     std::optional<std::string_view> content);
  static std::optional<FileRow> find(db::Conn& c, TenantId tenant, const std::string& id, bool with_content);
};

}  // namespace sp::files
