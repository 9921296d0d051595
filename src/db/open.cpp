// db::open: picks the driver from the URL scheme.
#include <filesystem>
#include <stdexcept>

#include "db/database.hpp"
#include "db/postgres_driver.hpp"
#include "db/sqlite_driver.hpp"

namespace sp::db {
namespace {

std::unique_ptr<Database> open_sqlite_url(std::string_view rest, const Options& options) {
  // "sqlite:data/x.db", "sqlite:/var/lib/x.db" and the URL-ish "sqlite:///var/lib/x.db" all name a file.
  if (rest.starts_with("//")) rest.remove_prefix(2);
  if (rest.empty()) throw std::invalid_argument("database URL 'sqlite:' names no file: use sqlite:PATH");
  if (rest == ":memory:" || rest.starts_with("file::memory:")) {
    throw std::invalid_argument("database URL 'sqlite::memory:' is not supported: readers need a file");
  }
  std::filesystem::path path{std::string(rest)};
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  return open_sqlite(path.string(), options);
}

}  // namespace

std::unique_ptr<Database> open(const std::string& url, const Options& options) {
  std::string_view u = url;
  if (u.starts_with("sqlite:")) return open_sqlite_url(u.substr(7), options);
  if (u.starts_with("postgresql://") || u.starts_with("postgres://")) return open_postgres(url, options);

  // Name the scheme only: the rest of a URL may hold a password.
  auto colon = u.find(':');
  std::string scheme = colon == std::string_view::npos ? std::string() : std::string(u.substr(0, colon));
  if (scheme.empty()) {
    throw std::invalid_argument("database URL '" + url +
                                "' has no scheme: use sqlite:PATH or postgresql://USER@HOST/DB");
  }
  throw std::invalid_argument("unsupported database URL scheme '" + scheme +
                              ":': use sqlite:PATH or postgresql://USER@HOST/DB");
}

}  // namespace sp::db
