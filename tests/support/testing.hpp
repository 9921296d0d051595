#pragma once
// Shared helpers for the test suites: temporary directories, the PostgreSQL test server's URL, fresh
// databases per test on both drivers, and the real `sportello` binary started as a child process.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "db/database.hpp"

namespace sp::testing {

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The URL of the PostgreSQL server started by the CTest fixture `postgres` (see tests/CMakeLists.txt).
// Fails the test (not skips) when absent: the suite must run its PostgreSQL tests.
std::string postgres_server_url();

// A database for one test: a fresh SQLite file, or a freshly created PostgreSQL database (dropped at
// the end). `url()` is what `sportello` accepts in SPORTELLO_DATABASE.
class TestDatabase {
 public:
  // A database made once per test process by `make` (given the template's URL; it must close every
  // connection before returning) and copied for each test that names it: a file copy on SQLite,
  // CREATE DATABASE … TEMPLATE on PostgreSQL. For set-ups that cost seconds under the sanitizers (the
  // demo hub's seeding: tests/support/demo_database.hpp). The copy is then migrated like any database.
  struct Template {
    std::string name;
    std::function<void(const std::string& url)> make;
  };

  explicit TestDatabase(db::Dialect dialect);
  TestDatabase(db::Dialect dialect, const Template& from);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // The database's URL, for `sportello` (SPORTELLO_DATABASE) or a second handle. A database first
  // reached through url() is created migrated (the binary's own migrate() finds nothing to do).
  [[nodiscard]] const std::string& url() const;
  // Opens it (once) and returns the handle; migrated when `migrated` is true (the default). Created
  // empty when the first use is db(false) (the suites that test migrations and DDL).
  db::Database& db(bool migrated = true);

 private:
  // Created lazily, so that the first use decides between an empty database and a copy of the
  // migrated template (applying ~40 migrations costs ~0.3 s per case under the sanitizers).
  void create(bool migrated) const;

  db::Dialect dialect_;
  std::optional<Template> from_;
  mutable bool created_ = false;
  mutable std::string url_;
  mutable std::string pg_name_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<db::Database> db_;
};

// Root of the source tree (for migrations/, web/).
std::string source_dir();
// One sign-in (OIDC relying-party) key file for the whole test process, in a folder removed at exit:
// the App makes it on first start. Each App given its own file made a new RSA-2048 key, about a fifth
// of an App's construction under the sanitizers, for a key no test looks at.
std::string shared_rp_key_file();
// The `sportello` binary of this build (the suites start it as a child process).
std::string binary();
// A shell command's exit status (-1 when it did not exit normally) and its standard output.
struct CommandRun {
  int rc = -1;
  std::string out;
};
CommandRun run_command(const std::string& command);
// The shipped locales (web/locales), loaded once.
const I18n& locales();
std::string migrations_dir();

// A free TCP port on 127.0.0.1 at the time of the call.
std::uint16_t free_port();

// The port `listener` ("http", "sim_idp", "smtp_sink") in a server's port file (setting port_file);
// 0 when it is not there (yet).
std::uint16_t read_port_file(const std::string& path, const std::string& listener = "http");

// The real server binary started as a child process with extra environment, stopped (SIGTERM, then
// SIGKILL after a grace period) when the object dies. `wait_ready()` polls /healthz. With
// SPORTELLO_PORT=0 the server picks a free port: it is read from the server's port file (made in the
// test temporary folder unless SPORTELLO_PORT_FILE is given), and port() is 0 until wait_ready().
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args, std::vector<std::string> env);
  ~ServerProcess();
  bool wait_ready(int timeout_ms = 15000);
  void kill_hard();                     // SIGKILL
  int terminate(int grace_ms = 10000);  // SIGTERM, waits; returns exit status
  [[nodiscard]] int pid() const { return pid_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& port_file() const { return port_file_; }

 private:
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::string port_file_;
  static inline int port_files_made_ = 0;
};

// Minimal blocking HTTP/1.1 client for tests: sends raw bytes to 127.0.0.1:port, returns what comes back
// until the server closes or `timeout_ms` passes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);
struct HttpReply {
  int status = 0;
  std::string headers;
  std::string body;
};
HttpReply http_get(std::uint16_t port, const std::string& target,
                   const std::vector<std::string>& headers = {});

}  // namespace sp::testing
