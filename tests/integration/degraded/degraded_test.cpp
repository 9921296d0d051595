// A node whose database cannot take writes (disk full, read-only after a failover) on both databases:
// the write fails with db::Unavailable, /readyz answers 503 so HAProxy stops sending traffic, pages answer
// 503 with a localised page that says the request was probably not recorded (not a 500), nothing acknowledged
// before is lost, and the node is ready again by itself once the database accepts writes. Backups (`sportello
// backup`) are taken from the same application while it writes, restored, and checked the way an operator
// would: `sportello audit verify` and the daily registers' own verification. Faults are simulated without
// mounting anything: SQLite's PRAGMA max_page_count on the writer's own connection (the file "is full"),
// PostgreSQL's ALTER DATABASE … SET default_transaction_read_only with the node's sessions terminated (what a
// node sees when its primary became a standby).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/app.hpp"
#include "core/ids.hpp"
#include "db/unavailable.hpp"
#include "jobs/store.hpp"
#include "protocollo/daily_register.hpp"
#include "support/demo_database.hpp"
#include "support/testing.hpp"

namespace {

using sp::db::Dialect;
namespace fs = std::filesystem;

// The key files of every App of this process: the demo template is seeded once with them, so its audit
// chains stay verifiable in every copy.
const fs::path& keys_folder() {
  static const sp::testing::TempDir dir;
  return dir.path();
}

std::string database_name(const std::string& url) {
  auto slash = url.rfind('/');
  auto query = url.find('?', slash);
  return url.substr(slash + 1, query == std::string::npos ? std::string::npos : query - slash - 1);
}

// Makes `db` (the node's own handle) refuse writes, and gives it back.
class Fault {
 public:
  Fault(Dialect dialect, std::string url, sp::db::Database& db)
      : dialect_(dialect), url_(std::move(url)), db_(db) {}

  void break_it() {
    if (dialect_ == Dialect::sqlite) {
      db_.write([](sp::db::Conn& c) {
        c.exec("CREATE TABLE IF NOT EXISTS test_filler (x BLOB)");
        // The file's free pages first (a full disk has none to reuse), then no page more.
        const auto free_pages = c.query_one("PRAGMA freelist_count")->i64(0);
        const auto page_size = c.query_one("PRAGMA page_size")->i64(0);
        if (free_pages > 0) c.exec("INSERT INTO test_filler VALUES (zeroblob($1))", {free_pages * page_size});
        const auto pages = c.query_one("PRAGMA page_count")->i64(0);
        c.query("PRAGMA max_page_count = " + std::to_string(pages));
        // A write that fits in a page's free space would still succeed on a full disk; make the writes
        // of the action under test need new pages (triggers of the writer's connection alone, not stored
        // in the file): the job's update, and any audit entry.
        for (const char* table : {"audit_log", "jobs"}) {
          c.exec(std::string("CREATE TEMP TRIGGER test_full_") + table + " BEFORE " +
                 (std::string(table) == "jobs" ? "UPDATE" : "INSERT") + " ON main." + table +
                 " BEGIN INSERT INTO test_filler VALUES (zeroblob(100000)); END");
        }
      });
    } else {
      on_server("ALTER DATABASE " + database_name(url_) + " SET default_transaction_read_only = on");
      on_server("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                database_name(url_) + "' AND pid <> pg_backend_pid()");
    }
  }

  void mend() {
    if (dialect_ == Dialect::sqlite) {
      db_.write([](sp::db::Conn& c) {
        c.query("PRAGMA max_page_count = 1073741823");
        c.exec("DROP TRIGGER IF EXISTS temp.test_full_audit_log");
        c.exec("DROP TRIGGER IF EXISTS temp.test_full_jobs");
      });
    } else {
      on_server("ALTER DATABASE " + database_name(url_) + " RESET default_transaction_read_only");
    }
  }

 private:
  static void on_server(const std::string& sql) {
    auto server = sp::db::open(sp::testing::postgres_server_url());
    server->read([&](sp::db::Conn& c) { c.exec_script(sql); });
    server->close();
  }

  Dialect dialect_;
  std::string url_;
  sp::db::Database& db_;
};

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class DegradedDatabaseTest : public ::testing::TestWithParam<Dialect> {};

TEST_P(DegradedDatabaseTest, TheDatabaseLayerRefusesWritesUntilTheDatabaseTakesThemAgain) {
  sp::testing::TestDatabase tdb(GetParam());
  auto& db = tdb.db(false);
  const bool pg = GetParam() == Dialect::postgres;
  db.write([&](sp::db::Conn& c) {
    c.exec_script(std::string("CREATE TABLE acked (id ") + (pg ? "BIGINT" : "INTEGER") + ", payload " +
                  (pg ? "BYTEA" : "BLOB") + ")");
  });
  // Acknowledged before the fault.
  for (int i = 1; i <= 3; ++i) {
    db.write([&](sp::db::Conn& c) { c.exec("INSERT INTO acked (id) VALUES ($1)", {std::int64_t{i}}); });
  }
  ASSERT_TRUE(db.ping());

  Fault fault(GetParam(), tdb.url(), db);
  if (pg) {
    fault.break_it();
  } else {
    db.write([](sp::db::Conn& c) {
      c.query("PRAGMA max_page_count = " + std::to_string(c.query_one("PRAGMA page_count")->i64(0)));
    });
  }
  auto big_insert = [&] {
    db.write([&](sp::db::Conn& c) {
      c.exec(pg ? "INSERT INTO acked (id, payload) VALUES (4, decode(repeat('00', 100000), 'hex'))"
                : "INSERT INTO acked (id, payload) VALUES (4, zeroblob(100000))");
    });
  };
  // PostgreSQL: the pooled sessions were terminated (a connection error), the next is read-only.
  bool refused = false;
  for (int attempt = 0; attempt < 3 && !refused; ++attempt) {
    try {
      big_insert();
      FAIL() << "a write succeeded on a database that refuses them";
    } catch (const sp::db::Unavailable&) {
      refused = true;
    } catch (const sp::db::DbError& e) {
      ASSERT_TRUE(sp::db::is_unavailable(e)) << e.what();
    }
  }
  EXPECT_TRUE(refused) << "a refused write is reported as db::Unavailable";
  EXPECT_FALSE(db.ping()) << "not ready while writes fail";
  EXPECT_FALSE(db.ping()) << "still not ready: nothing changed";
  std::int64_t n = -1;
  db.read([&](sp::db::Conn& c) { n = c.query_one("SELECT count(*) FROM acked")->i64(0); });
  EXPECT_EQ(n, 3) << "reads go on; nothing acknowledged is lost, nothing refused is half-written";

  if (pg) {
    fault.mend();
  } else {
    db.write([](sp::db::Conn& c) { c.query("PRAGMA max_page_count = 1073741823"); });
  }
  EXPECT_TRUE(db.ping()) << "ready again by itself";
  big_insert();
  db.read([&](sp::db::Conn& c) { n = c.query_one("SELECT count(*) FROM acked")->i64(0); });
  EXPECT_EQ(n, 4);
}

// The whole application without sockets: a staff action during the fault gets the 503 page in the
// visitor's language, /readyz fails; the action works again after the fault, without a restart.
class DegradedAppTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = (keys_folder() / "rp.pem").string();
    config.audit_key_file = (keys_folder() / "audit.key").string();
    config.audit_anchor_file = (files_->path() / "anchors.jsonl").string();
    config.keys_dir = (keys_folder() / "keys").string();
    config.access_log = false;
    config_ = config;
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    config_.database = config.database;
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
    sp::tenants::TenantService tenants(app_->database());
    tenants.reload();
    asti_ = tenants.by_slug("asti")->id;
    const auto now = sp::time::system_clock().now();
    app_->database().write([&](sp::db::Conn& tx) {
      dead_ = sp::jobs::enqueue(
                  tx, sp::jobs::NewJob{"messaging.send", asti_, "no-such-message", "", std::nullopt}, now)
                  .value()
                  .value();
      const std::string token = sp::ids::random_token(16);
      auto claimed = sp::jobs::claim(
          tx, sp::jobs::Claim{{"messaging.send"}, "test", token, now, now + std::chrono::minutes(5), 10});
      ASSERT_EQ(claimed.size(), 1u);
      sp::jobs::mark_dead(tx, dead_, token, now, "messaging.not_found: no-such-message");
    });
  }

  std::string token_of(const std::string& email, const std::string& password) {
    auto ns = app_->staff().sign_in(email, password, "");
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  sp::http::Response call(const std::string& method, const std::string& path, const std::string& token,
                          const std::string& csrf = "", const std::string& lang = "") {
    sp::http::Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    if (!lang.empty()) {
      req.target += "?lang=" + lang;
      req.raw_query = "lang=" + lang;
      req.query.emplace("lang", lang);
    }
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    if (!token.empty()) req.headers.emplace_back("cookie", "sp_session=" + token);
    if (method == "POST") {
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      req.body = "_csrf=" + csrf;
    }
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }

  static std::string header(const sp::http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }

  void staff_action_during_the_fault();
  void backup_taken_while_writing_restores();

  // `sportello` run on this test's database and files with `env` added.
  sp::testing::CommandRun sportello(const std::string& args, const sp::Config& c) const {
    const std::string env = "SPORTELLO_DATABASE='" + c.database + "' SPORTELLO_AUDIT_KEY_FILE='" +
                            c.audit_key_file + "' SPORTELLO_AUDIT_ANCHOR_FILE='" + c.audit_anchor_file +
                            "' SPORTELLO_KEYS_DIR='" + c.keys_dir + "' SPORTELLO_OIDC_RP_KEY_FILE='" +
                            c.oidc_rp_key_file + "' SPORTELLO_SHARE_DIR='" + sp::testing::source_dir() + "' ";
    return sp::testing::run_command(env + sp::testing::binary() + " " + args + " 2>&1");
  }

  sp::Config config_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
  sp::tenants::TenantId asti_ = 0;
  sp::jobs::JobId dead_ = 0;
};

// One application per database for both journeys (building it on the demo costs seconds): first the
// fault, then the backup.
TEST_P(DegradedAppTest, AStaffActionGets503AndWorksAfterTheFaultThenABackupRestores) {
  staff_action_during_the_fault();
  if (HasFatalFailure()) return;
  backup_taken_while_writing_restores();
}

void DegradedAppTest::staff_action_during_the_fault() {
  const auto hub = token_of("admin@pes.example", "Polo-demo-2026!");
  const auto hub_csrf = sessions_->resume(hub)->csrf_token;
  const auto asti = token_of("admin@asti.example", "Asti-admin-2026!");
  const auto asti_csrf = sessions_->resume(asti)->csrf_token;
  const std::string retry = "/backoffice/lavori/" + std::to_string(dead_) + "/riprova";
  ASSERT_EQ(call("GET", "/readyz", "").status, 200);
  // The operators' gauges (docs/deployment.md, "Monitoring"): the fixture's dead job is counted.
  const auto metrics = call("GET", "/metrics", "").body;
  EXPECT_TRUE(contains(metrics, "sportello_jobs{kind=\"messaging.send\",state=\"dead\"} 1")) << metrics;
  EXPECT_TRUE(contains(metrics, "sportello_daily_registers_missing ")) << metrics;
  EXPECT_TRUE(contains(metrics, "sportello_payment_receipts{outcome=\"unknown_position\"} 0")) << metrics;
  // A receipt for no known position (an orphan: the station records it as what it is) shows in the gauge.
  app_->database().write([&](sp::db::Conn& c) {
    c.exec(
        "INSERT INTO payment_receipts (tenant_id, iuv, psp_id, receipt_id, payment_at, amount_cents, "
        "outcome, "
        "raw_payload, received_at) VALUES ($1, '02999999999999999', 'PSP-TEST', 'R-ORPHAN-1', "
        "'2026-12-05T10:00:00.000Z', 1234, 'unknown_position', '<x/>', '2026-12-05T10:00:01.000Z')",
        {asti_});
  });
  const auto after = call("GET", "/metrics", "").body;
  EXPECT_TRUE(contains(after, "sportello_payment_receipts{outcome=\"unknown_position\"} 1")) << after;
  EXPECT_TRUE(contains(after, "sportello_payment_receipts{outcome=\"double_payment\"} 0")) << after;

  Fault fault(GetParam(), database_->url(), app_->database());
  fault.break_it();

  // PostgreSQL: the first request after the sessions were terminated may meet a dead connection; both
  // that and the read-only session that follows are answered 503.
  auto refused = call("POST", retry, hub, hub_csrf);
  EXPECT_EQ(refused.status, 503) << refused.body.substr(0, 400);
  refused = call("POST", retry, hub, hub_csrf);
  EXPECT_EQ(refused.status, 503);
  EXPECT_TRUE(contains(refused.body, "Servizio momentaneamente non disponibile"))
      << refused.body.substr(0, 400);
  EXPECT_TRUE(contains(refused.body, "la richiesta probabilmente non è stata registrata"));
  EXPECT_EQ(header(refused, "retry-after"), "30");
  auto english = call("POST", retry, hub, hub_csrf, "en");
  EXPECT_EQ(english.status, 503);
  EXPECT_TRUE(contains(english.body, "your request was probably not recorded"))
      << english.body.substr(0, 400);
  EXPECT_EQ(call("GET", "/readyz", "").status, 503);
  EXPECT_EQ(call("GET", "/healthz", "").status, 200) << "alive: systemd must not restart it";
  // Another body's administrator is still refused, never let through by the fault.
  const auto other = call("POST", retry, asti, asti_csrf);
  EXPECT_TRUE(other.status == 403 || other.status == 503) << other.status;
  EXPECT_EQ(sp::jobs::find(app_->database(), dead_)->state, sp::jobs::State::dead) << "nothing recorded";

  fault.mend();
  EXPECT_EQ(call("GET", "/readyz", "").status, 200) << "ready again without a restart";
  EXPECT_EQ(call("POST", retry, asti, asti_csrf).status, 403);
  EXPECT_EQ(call("POST", retry, hub, hub_csrf).status, 303);
  EXPECT_EQ(sp::jobs::find(app_->database(), dead_)->state, sp::jobs::State::queued);
  EXPECT_FALSE(contains(call("GET", "/metrics", "").body, "state=\"dead\"")) << "no dead job left";
}

// A backup taken while the application writes is the database as of one commit; restored on its own
// (the database file and the key files, nothing else), its audit chains verify and its daily register
// still matches the registry. On PostgreSQL the command copies the keys and leaves the database to
// pg_basebackup (scripts/pg-backup; its restore is in make test-cluster).
void DegradedAppTest::backup_taken_while_writing_restores() {
  auto& db = app_->database();
  const bool pg = GetParam() == Dialect::postgres;
  sp::protocollo::DailyRegisterService registers(db, sp::time::system_clock(), sp::testing::locales());
  std::int64_t aoo = 0;
  db.read([&](sp::db::Conn& c) {
    aoo = c.query_one("SELECT id FROM aoo WHERE tenant_id = $1 ORDER BY id", {asti_})->i64(0);
  });
  const auto yesterday = sp::time::add_calendar_days(sp::time::rome_date(sp::time::system_clock().now()), -1);
  auto reg = registers.produce(asti_, aoo, yesterday);
  ASSERT_TRUE(reg.ok()) << reg.error().code << " " << reg.error().detail;
  auto anchored = sportello("audit anchor", config_);
  ASSERT_EQ(anchored.rc, 0) << anchored.out;

  db.write([&](sp::db::Conn& c) { c.exec_script("CREATE TABLE test_ticks (n BIGINT PRIMARY KEY)"); });
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> acknowledged{0};
  std::thread writer([&] {
    for (std::int64_t n = 1; !stop; ++n) {
      db.write([&](sp::db::Conn& c) { c.exec("INSERT INTO test_ticks (n) VALUES ($1)", {n}); });
      acknowledged = n;
    }
  });
  while (acknowledged < 20) std::this_thread::yield();  // the copy starts in the middle of the writes
  const fs::path dest = files_->path() / "backup";
  const fs::path keys = files_->path() / "backup-keys";
  auto backup = sportello("backup " + dest.string() + " --keys " + keys.string(), config_);
  const std::int64_t acknowledged_after = acknowledged;
  stop = true;
  writer.join();
  ASSERT_EQ(backup.rc, 0) << backup.out;
  auto read_file = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string manifest = read_file(keys / "MANIFEST");
  // The audit chain's key is in the hub's ring in keys_dir (audit_key_file is only read from older
  // releases' installations, absent here).
  for (const char* item : {"audit_anchor_file", "keys_dir", "oidc_rp_key_file"})
    EXPECT_TRUE(contains(manifest, item)) << item << "\n" << manifest;
  EXPECT_TRUE(fs::exists(keys / "keys") && fs::exists(keys / "audit-anchors.jsonl"));
  EXPECT_FALSE(fs::exists(dest / "audit-hmac.key") || fs::exists(dest / "keys"))
      << "keys apart from the data";
  EXPECT_EQ(sportello("backup " + dest.string(), config_).rc, 1) << "never over an earlier backup";
  if (pg) {
    EXPECT_TRUE(contains(backup.out, "pg_basebackup")) << backup.out;
    EXPECT_FALSE(fs::exists(dest / "sportello.db"));
    return;
  }

  // Restore into a place of its own: the database and the key files from the backup, nothing else.
  const fs::path restored = files_->path() / "restored";
  fs::create_directories(restored);
  fs::copy(dest, restored, fs::copy_options::recursive);
  fs::copy(keys, restored, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  sp::Config r = config_;
  r.database = "sqlite:" + (restored / "sportello.db").string();
  r.audit_key_file = (restored / "audit-hmac.key").string();
  r.audit_anchor_file = (restored / "audit-anchors.jsonl").string();
  r.keys_dir = (restored / "keys").string();
  r.oidc_rp_key_file = (restored / "oidc-rp-key.pem").string();
  auto verified = sportello("audit verify", r);
  EXPECT_EQ(verified.rc, 0) << verified.out;
  EXPECT_FALSE(contains(verified.out, "BROKEN")) << verified.out;

  auto copy = sp::db::open(r.database);
  std::int64_t rows = 0, highest = 0;
  copy->read([&](sp::db::Conn& c) {
    auto row = c.query_one("SELECT count(*), coalesce(max(n), 0) FROM test_ticks");
    rows = row->i64(0);
    highest = row->i64(1);
  });
  EXPECT_GT(rows, 0);
  EXPECT_EQ(rows, highest) << "one commit's state: every write up to the last one copied, no gap";
  EXPECT_LE(highest, acknowledged_after) << "nothing the application had not committed";
  sp::protocollo::DailyRegisterService restored_registers(*copy, sp::time::system_clock(),
                                                          sp::testing::locales());
  auto check = restored_registers.verify(asti_, reg->info.id);
  ASSERT_TRUE(check.ok()) << check.error().code;
  EXPECT_TRUE(check->ok()) << "json " << check->json_ok << " pdf " << check->pdf_ok << " audit "
                           << check->audit_ok << " content " << check->content_ok;
  sp::tenants::TenantService tenants(*copy);
  tenants.reload();
  auto other = restored_registers.verify(tenants.by_slug("novara")->id, reg->info.id);
  EXPECT_FALSE(other.ok()) << "another body's register is not found through Novara";
  copy->close();
}

auto dialect_name = [](const auto& info) { return info.param == Dialect::sqlite ? "sqlite" : "postgres"; };
INSTANTIATE_TEST_SUITE_P(BothDatabases, DegradedDatabaseTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgres), dialect_name);
INSTANTIATE_TEST_SUITE_P(BothDatabases, DegradedAppTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgres), dialect_name);

}  // namespace
