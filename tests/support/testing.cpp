#include "support/testing.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sp::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string random_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  std::ostringstream s;
  s << ::getpid() << '_' << counter.fetch_add(1) << '_' << std::hex << (rd() & 0xffffff);
  return s.str();
}

// Runs one SQL command on the test server's maintenance database (CREATE/DROP DATABASE cannot run
// inside a transaction, so this bypasses db::Database on purpose).
void run_on_server(const std::string& sql) {
  std::string url = postgres_server_url();
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("test PostgreSQL server at " + url + " unreachable: " + msg);
  }
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string msg = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("test PostgreSQL: '" + sql + "' failed: " + msg);
}

// postgresql://user@host:port/olddb?x=y -> postgresql://user@host:port/newdb?x=y
std::string with_database(const std::string& url, const std::string& name) {
  auto authority = url.find("://");
  auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  auto query = url.find('?');
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string params = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + params;
}

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string dechunk(const std::string& body) {
  std::string out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto eol = body.find("\r\n", pos);
    if (eol == std::string::npos) break;
    std::size_t size = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace

// ---- TempDir ---------------------------------------------------------------------------------------

// Where test files go: SPORTELLO_TEST_TMPDIR when set; else /dev/shm when it is a writable tmpfs with room
// to spare, because test databases commit hundreds of times while seeding and each commit's fsync on
// a shared CI disk costs more than the test itself (the code paths are the same; only power-loss
// durability, which no test can observe, differs); else the system's temporary directory.
namespace {
std::filesystem::path test_temp_root() {
  if (const char* env = std::getenv("SPORTELLO_TEST_TMPDIR"); env && *env) return env;
  struct statvfs st {};
  constexpr unsigned long long kRoom = 2ULL << 30;
  if (::access("/dev/shm", W_OK) == 0 && ::statvfs("/dev/shm", &st) == 0 &&
      static_cast<unsigned long long>(st.f_bavail) * st.f_frsize >= kRoom)
    return "/dev/shm";
  return std::filesystem::temp_directory_path();
}
}  // namespace

TempDir::TempDir() {
  std::string pattern = (test_temp_root() / "sportello-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed: " + std::string(strerror(errno)));
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

// ---- PostgreSQL server and per-test databases ------------------------------------------------------

std::string postgres_server_url() {
  const char* env = std::getenv("SPORTELLO_TEST_PG_URL_FILE");
#ifdef SPORTELLO_TEST_PG_URL_FILE
  std::string file = env && *env ? env : SPORTELLO_TEST_PG_URL_FILE;
#else
  std::string file = env && *env ? env : "";
#endif
  std::ifstream in(file);
  std::string url;
  if (file.empty() || !in || !std::getline(in, url) || url.empty()) {
    throw std::runtime_error(
        "no PostgreSQL test server: URL file '" + file +
        "' is missing. Run the tests through ctest (the `postgres` fixture starts the server), or "
        "run scripts/pg-test-server start DIR and set SPORTELLO_TEST_PG_URL_FILE=DIR/url. PostgreSQL "
        "tests are never skipped.");
  }
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) url.pop_back();
  return url;
}

namespace {
// The templates of this process: a SQLite file each, or a PostgreSQL database each (dropped at exit; the
// server is wiped at the end of the run anyway).
struct Templates {
  TempDir dir;
  std::map<std::string, std::string> made;  // "<dialect>/<name>" -> file path or database name
  std::vector<std::string> pg_databases;
  ~Templates() {
    for (const auto& name : pg_databases) {
      try {
        run_on_server("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (const std::exception&) {
      }
    }
  }
};

Templates& templates() {
  static Templates t;
  return t;
}

const TestDatabase::Template& migrated_template() {
  static const TestDatabase::Template t{"migrated", [](const std::string& url) {
                                          auto db = db::open(url);
                                          db::migrate(*db, migrations_dir());
                                          db->close();  // SQLite: the last close checkpoints the WAL
                                        }};
  return t;
}

// The template's file (SQLite) or database name (PostgreSQL), made on first use.
const std::string& template_of(db::Dialect dialect, const TestDatabase::Template& t) {
  auto& all = templates();
  const std::string key = std::string(dialect == db::Dialect::sqlite ? "sqlite/" : "postgres/") + t.name;
  if (auto it = all.made.find(key); it != all.made.end()) return it->second;
  std::string made;
  if (dialect == db::Dialect::sqlite) {
    made = (all.dir.path() / (t.name + ".db")).string();
    t.make("sqlite:" + made);
    // Fold what is still in the WAL into the file (the application may keep a connection of its own
    // past its handle's close), so that one file copy is the whole database.
    sqlite3* handle = nullptr;
    if (sqlite3_open(made.c_str(), &handle) == SQLITE_OK) {
      sqlite3_exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    }
    sqlite3_close(handle);
    if (std::filesystem::exists(made + "-wal") && std::filesystem::file_size(made + "-wal") > 0) {
      throw std::runtime_error("test database template '" + t.name + "' keeps a WAL: a connection is open");
    }
  } else {
    made = "sp_tpl_" + random_suffix();
    run_on_server("CREATE DATABASE " + made);
    all.pg_databases.push_back(made);
    t.make(with_database(postgres_server_url(), made));
  }
  return all.made.emplace(key, made).first->second;
}
}  // namespace

TestDatabase::TestDatabase(db::Dialect dialect) : dialect_(dialect) {
  if (dialect_ == db::Dialect::sqlite) dir_ = std::make_unique<TempDir>();
}

TestDatabase::TestDatabase(db::Dialect dialect, const Template& from) : TestDatabase(dialect) {
  from_ = from;
}

void TestDatabase::create(bool migrated) const {
  if (created_) return;
  created_ = true;
  const Template* from = from_ ? &*from_ : (migrated ? &migrated_template() : nullptr);
  if (dialect_ == db::Dialect::sqlite) {
    const auto target = dir_->path() / "test.db";
    url_ = "sqlite:" + target.string();
    if (from) std::filesystem::copy_file(template_of(dialect_, *from), target);
    return;
  }
  pg_name_ = "sp_test_" + random_suffix();
  run_on_server("CREATE DATABASE " + pg_name_ + (from ? " TEMPLATE " + template_of(dialect_, *from) : ""));
  url_ = with_database(postgres_server_url(), pg_name_);
}

const std::string& TestDatabase::url() const {
  create(true);
  return url_;
}

TestDatabase::~TestDatabase() {
  if (db_) db_->close();
  db_.reset();
  if (!pg_name_.empty()) {
    try {
      run_on_server("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
    } catch (const std::exception&) {  // the server is wiped at the end of the run anyway
    }
  }
}

db::Database& TestDatabase::db(bool migrated) {
  if (!db_) {
    create(migrated);
    db_ = db::open(url_);
    if (migrated) db::migrate(*db_, migrations_dir());
  }
  return *db_;
}

std::string source_dir() {
  if (const char* env = std::getenv("SPORTELLO_SOURCE_DIR"); env && *env) return env;
#ifdef SPORTELLO_SOURCE_DIR
  return SPORTELLO_SOURCE_DIR;
#else
  return ".";
#endif
}

std::string shared_rp_key_file() {
  // A function-local static: made on first use, its folder removed when the process exits.
  static const TempDir dir;
  return (dir.path() / "rp.pem").string();
}

std::string binary() {
  if (const char* env = std::getenv("SPORTELLO_BINARY"); env && *env) return env;
#ifdef SPORTELLO_BINARY
  return SPORTELLO_BINARY;
#else
  return "sportello";
#endif
}

CommandRun run_command(const std::string& command) {
  CommandRun r;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const I18n& locales() {
  static const I18n i18n = [] {
    I18n x;
    x.load(source_dir() + "/web/locales");
    return x;
  }();
  return i18n;
}

std::string migrations_dir() {
  return source_dir() + "/migrations";
}

// ---- Sockets and the server process ----------------------------------------------------------------

std::uint16_t free_port() {
  // Ports are drawn at random below the kernel's ephemeral range (32768+), which is where sockets bound
  // to port 0 by other tests running at the same time land: a port free now is then unlikely to be
  // taken before the server binds it.
  static std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto port = static_cast<std::uint16_t>(pick(rng));
    addr.sin_port = htons(port);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return port;
  }
  throw std::runtime_error("cannot find a free port");
}

ServerProcess::ServerProcess(std::vector<std::string> args, std::vector<std::string> env) {
  if (args.empty()) throw std::invalid_argument("ServerProcess: no program given");
  // The extra entries replace inherited ones with the same name.
  std::set<std::string> overridden;
  for (const auto& kv : env) {
    auto key = kv.substr(0, kv.find('='));
    overridden.insert(key);
    if (key == "SPORTELLO_PORT") port_ = static_cast<std::uint16_t>(std::stoi(kv.substr(kv.find('=') + 1)));
  }
  std::vector<std::string> full_env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!overridden.contains(kv.substr(0, kv.find('=')))) full_env.push_back(kv);
  }
  full_env.insert(full_env.end(), env.begin(), env.end());
  // SPORTELLO_PORT=0: the server picks a free port and writes it to its port file, read by wait_ready().
  if (overridden.contains("SPORTELLO_PORT") && port_ == 0 && !overridden.contains("SPORTELLO_PORT_FILE")) {
    port_file_ =
        (std::filesystem::path(test_temp_root()) / ("sportello-port-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(++port_files_made_) + ".json"))
            .string();
    std::filesystem::remove(port_file_);
    full_env.push_back("SPORTELLO_PORT_FILE=" + port_file_);
  }
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {  // or "--port N" / "--port=N" on the command line
    if (args[i] == "--port") port_ = static_cast<std::uint16_t>(std::stoi(args[i + 1]));
  }
  for (const auto& a : args) {
    if (a.starts_with("--port=")) port_ = static_cast<std::uint16_t>(std::stoi(a.substr(7)));
  }

  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& kv : full_env) envp.push_back(kv.data());
  envp.push_back(nullptr);

  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed: " + std::string(strerror(errno)));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test run leaves no server behind
    if (::getppid() != parent) ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
  if (!port_file_.empty()) std::filesystem::remove(port_file_);
}

std::uint16_t read_port_file(const std::string& path, const std::string& listener) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto key = "\"" + listener + "\":";
  const auto at = text.find(key);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::atoi(text.c_str() + at + key.size()));
}

bool ServerProcess::wait_ready(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited before becoming ready
      pid_ = -1;
      return false;
    }
    if (port_ == 0 && !port_file_.empty()) port_ = read_port_file(port_file_);
    if (port_ != 0 && http_get(port_, "/healthz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));  // polling interval, not a wait-and-hope
  }
  return false;
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int ServerProcess::terminate(int grace_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0) {
      pid_ = -1;
      return -1;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int fd = connect_loopback(port);
  if (fd < 0) return {};
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close early (e.g. 413); read what it said
    sent += static_cast<std::size_t>(n);
  }
  std::string out;
  char buf[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

HttpReply http_get(std::uint16_t port, const std::string& target, const std::vector<std::string>& headers) {
  bool has_host = false;
  for (const auto& h : headers) has_host = has_host || lower(h.substr(0, 5)) == "host:";
  std::string req = "GET " + target + " HTTP/1.1\r\n";
  if (!has_host) req += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  req += "Connection: close\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  req += "\r\n";
  std::string raw = raw_exchange(port, req);

  HttpReply reply;
  auto head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || !raw.starts_with("HTTP/1.") || head_end == std::string::npos) return reply;
  reply.status = std::atoi(raw.substr(9, 3).c_str());
  auto first_eol = raw.find("\r\n");
  reply.headers = raw.substr(first_eol + 2, head_end - first_eol - 2);
  reply.body = raw.substr(head_end + 4);
  if (lower(reply.headers).find("transfer-encoding: chunked") != std::string::npos) {
    reply.body = dechunk(reply.body);
  }
  return reply;
}

}  // namespace sp::testing
