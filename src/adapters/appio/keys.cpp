#include "adapters/appio/keys.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/keys/key_ring.hpp"

namespace sp::appio {

namespace fs = std::filesystem;

std::string key_path(const std::string& keys_dir, const std::string& slug, std::string_view file) {
  return (fs::path(keys_dir) / slug / "appio" / file).string();
}

Result<std::optional<std::string>> read_key(const std::string& keys_dir, const std::string& slug,
                                            std::string_view file) {
  if (!keys::valid_owner(slug)) return Error::make("appio.key", 400, "bad body slug");
  const auto path = key_path(keys_dir, slug, file);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<std::string>{};
  if ((st.st_mode & 077) != 0)
    return Error::make("appio.key", 500, path + ": readable by others (chmod 600)");
  std::ifstream in(path);
  if (!in) return Error::make("appio.key", 500, path + ": unreadable");
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.empty()) return std::optional<std::string>{};
  return std::optional<std::string>{key};
}

Status write_key(const std::string& keys_dir, const std::string& slug, const std::string& key,
                 std::string_view file) {
  if (!keys::valid_owner(slug)) return Error::make("appio.key", 400, "bad body slug");
  if (key.find_first_of("\r\n") != std::string::npos) return Error::make("appio.key", 400, "one line");
  const fs::path path = key_path(keys_dir, slug, file);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Error::make("appio.key", 500, ec.message());
  for (const auto& dir : {fs::path(keys_dir), fs::path(keys_dir) / slug, path.parent_path()})
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  const auto temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Error::make("appio.key", 500, temp);
    out << key << "\n";
  }
  fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  fs::rename(temp, path, ec);
  if (ec) return Error::make("appio.key", 500, ec.message());
  return Ok{};
}

std::map<std::int64_t, std::string> load_keys(const std::string& keys_dir,
                                              const std::vector<std::pair<std::int64_t, std::string>>& bodies,
                                              std::vector<std::string>& problems, std::string_view file) {
  std::map<std::int64_t, std::string> out;
  for (const auto& [tenant, slug] : bodies) {
    auto k = read_key(keys_dir, slug, file);
    if (!k) {
      problems.push_back(slug + ": " + k.error().detail);
    } else if (*k) {
      out[tenant] = **k;
    }
  }
  return out;
}

}  // namespace sp::appio
