#include "adapters/pec/account.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/keys/key_ring.hpp"

namespace sp::pec {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

bool starts_with(const std::string& s, std::string_view p) {
  return s.rfind(p, 0) == 0;
}

}  // namespace

std::string account_path(const std::string& keys_dir, const std::string& slug) {
  return (fs::path(keys_dir) / slug / "pec" / "account").string();
}

Result<std::optional<Account>> read_account(const std::string& keys_dir, const std::string& slug) {
  if (!keys::valid_owner(slug)) return Error::make("pec.account", 400, "bad body slug");
  const auto path = account_path(keys_dir, slug);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<Account>{};
  if ((st.st_mode & 077) != 0)
    return Error::make("pec.account", 500, path + ": readable by others (chmod 600)");
  std::ifstream in(path);
  if (!in) return Error::make("pec.account", 500, path + ": unreadable");
  Account a;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      return Error::make("pec.account", 500, path + ":" + std::to_string(n) + ": expected name=value");
    const std::string name = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (name == "address") {
      a.address = value;
    } else if (name == "smtp") {
      a.smtp_url = value;
    } else if (name == "pop3") {
      a.pop3_url = value;
    } else if (name == "user") {
      a.user = value;
    } else if (name == "password") {
      a.password = value;
    } else {
      return Error::make("pec.account", 500,
                         path + ":" + std::to_string(n) + ": unknown setting '" + name +
                             "' (address, smtp, pop3, user, password)");
    }
  }
  if (a.user.empty()) a.user = a.address;
  const auto missing = [&](const char* what) {
    return Error::make("pec.account", 500, path + ": no " + what);
  };
  if (a.address.empty() || a.address.find('@') == std::string::npos) return missing("address");
  if (!starts_with(a.smtp_url, "smtp://") && !starts_with(a.smtp_url, "smtps://"))
    return missing("smtp(s):// URL");
  if (!starts_with(a.pop3_url, "pop3://") && !starts_with(a.pop3_url, "pop3s://"))
    return missing("pop3(s):// URL");
  if (a.password.empty()) return missing("password");
  return std::optional<Account>{std::move(a)};
}

Status write_account(const std::string& keys_dir, const std::string& slug, const Account& a) {
  if (!keys::valid_owner(slug)) return Error::make("pec.account", 400, "bad body slug");
  const fs::path path = account_path(keys_dir, slug);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Error::make("pec.account", 500, ec.message());
  for (const auto& dir : {fs::path(keys_dir), fs::path(keys_dir) / slug, path.parent_path()})
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  const auto temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Error::make("pec.account", 500, temp);
    fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    out << "address=" << a.address << "\nsmtp=" << a.smtp_url << "\npop3=" << a.pop3_url
        << "\nuser=" << (a.user.empty() ? a.address : a.user) << "\npassword=" << a.password << "\n";
  }
  fs::rename(temp, path, ec);
  if (ec) return Error::make("pec.account", 500, ec.message());
  return Ok{};
}

std::map<std::int64_t, Account> load_accounts(const std::string& keys_dir,
                                              const std::vector<std::pair<std::int64_t, std::string>>& bodies,
                                              std::vector<std::string>& problems) {
  std::map<std::int64_t, Account> out;
  for (const auto& [tenant, slug] : bodies) {
    auto a = read_account(keys_dir, slug);
    if (!a) {
      problems.push_back(slug + ": " + a.error().detail);
    } else if (*a) {
      out[tenant] = **a;
    }
  }
  return out;
}

}  // namespace sp::pec
