// The real `sportello` binary against a database an attacker changed (issue 10, point 6), on SQLite and
// PostgreSQL: `serve` anchors the chain heads in its anchor file at start and at a clean stop, `audit
// anchor` does it on demand, and `audit verify` says per body what it can vouch for, with its exit code:
// a deleted last row and a tail recomputed with plain SHA-256 are both BROKEN (exit 1) once the
// append-only triggers are out of the way.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "audit/chain.hpp"
#include "audit/key.hpp"
#include "audit/service.hpp"
#include "support/testing.hpp"

namespace {

namespace audit = sp::audit;

class AuditBinaryTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    key_ = std::make_shared<const audit::ChainKey>(audit::generate_key());
    std::ofstream(key_file()) << audit::key_file_text(*key_);
    std::filesystem::permissions(key_file(),
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    service_ = std::make_unique<audit::AuditService>(database_->db(), sp::time::system_clock(), key_);
  }

  std::string key_file() const { return (files_.path() / "audit-hmac.key").string(); }
  std::string anchor_file() const { return (files_.path() / "audit-anchors.jsonl").string(); }

  std::vector<std::string> settings() const {
    return {"SPORTELLO_DATABASE=" + database_->url(),
            "SPORTELLO_AUDIT_KEY_FILE=" + key_file(),
            "SPORTELLO_AUDIT_ANCHOR_FILE=" + anchor_file(),
            "SPORTELLO_AUDIT_ANCHOR_INTERVAL_S=3600",
            "SPORTELLO_LOG_LEVEL=warn",
            "SPORTELLO_ACCESS_LOG=false",
            "SPORTELLO_SIM_IDP=false",
            "SPORTELLO_KEYS_DIR=" + (files_.path() / "keys").string(),
            "SPORTELLO_THREADS=2",
            "SPORTELLO_OIDC_RP_KEY_FILE=" + (files_.path() / "rp.pem").string()};
  }

  // `sportello <args>` with settings(), its exit code and what it printed.
  sp::testing::CommandRun sportello(const std::string& args) const {
    std::string cmd = "env";
    for (const auto& kv : settings()) cmd += " '" + kv + "'";
    cmd += " '" + sp::testing::binary() + "' " + args + " 2>&1";
    return sp::testing::run_command(cmd);
  }

  void record(sp::tenants::TenantId tenant, int n) {
    for (int i = 0; i < n; ++i) {
      audit::Entry e;
      e.tenant_id = tenant;
      e.actor_kind = audit::ActorKind::staff;
      e.actor_id = "staff-" + std::to_string(i);
      e.channel = audit::Channel::web;
      e.action = "case.read";
      e.record_type = "case";
      e.record_id = "C-" + std::to_string(i);
      ASSERT_TRUE(service_->record(e).ok());
    }
  }

  std::size_t anchor_lines() const {
    std::ifstream in(anchor_file());
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    return n;
  }

  // A database-level attacker: the append-only triggers out of the way for one statement.
  void tamper(const std::string& sql, const sp::db::Params& params = {}) {
    database_->db().write([&](sp::db::Conn& c) {
      if (c.dialect() == sp::db::Dialect::postgres) {
        c.exec_script("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
        c.exec(sql, params);
        c.exec_script("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      } else {
        c.exec_script(
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete");
        c.exec(sql, params);
      }
    });
  }

  audit::StoredEntry stored(sp::tenants::TenantId tenant, std::int64_t seq) {
    auto page = service_->entries(tenant, {.before_seq = seq + 1, .limit = 1});
    EXPECT_EQ(page.entries.size(), 1u);
    return page.entries.at(0);
  }

  sp::testing::TempDir files_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::shared_ptr<const audit::ChainKey> key_;
  std::unique_ptr<audit::AuditService> service_;
};

TEST_P(AuditBinaryTest, ServeAnchorsAndVerifyFindsACutAndARecomputedTail) {
  record(5, 5);
  record(0, 2);
  {
    const auto port = sp::testing::free_port();
    auto env = settings();
    env.push_back("SPORTELLO_PORT=" + std::to_string(port));
    sp::testing::ServerProcess server({sp::testing::binary(), "serve"}, env);
    ASSERT_TRUE(server.wait_ready(60000)) << "server did not become ready";
    EXPECT_EQ(anchor_lines(), 2u) << "anchored at start";
    record(5, 1);  // written while it runs: anchored at its clean stop
    EXPECT_EQ(server.terminate(), 0);
  }
  EXPECT_EQ(anchor_lines(), 3u) << "anchored again at stop";

  auto v = sportello("audit verify");
  EXPECT_EQ(v.rc, 0) << v.out;
  EXPECT_NE(v.out.find("key " + key_->id), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tenant 0: verified up to"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("(seq 2, 2 entries)"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tenant 5: verified up to"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("(seq 6, 6 entries)"), std::string::npos) << v.out;

  // The last row of body 5 deleted: what is left is a valid chain, but the anchor says it was longer.
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 6");
  v = sportello("audit verify");
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_NE(v.out.find("tenant 5: BROKEN at seq 6: missing seq 6, anchored at "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tenant 0: verified up to"), std::string::npos) << v.out;

  // The hub's row 2 forged and its hash recomputed with plain SHA-256, as the chain used to be made.
  auto forged = stored(0, 2);
  forged.entry.actor_id = "staff-9";
  tamper("UPDATE audit_log SET actor_id = 'staff-9', hash = $1 WHERE tenant_id = 0 AND seq = 2",
         {audit::entry_hash(forged)});
  v = sportello("audit verify");
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_NE(v.out.find("tenant 0: BROKEN at seq 2: HMAC mismatch"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("verified up to"), std::string::npos) << v.out;
}

TEST_P(AuditBinaryTest, AnchorCommandAndTheExitCodes) {
  record(5, 3);
  auto v = sportello("audit verify");
  EXPECT_EQ(v.rc, 3) << v.out;  // chained, but nothing anchored yet
  EXPECT_NE(v.out.find("anchors: " + anchor_file() + " does not exist"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tenant 5: not anchored: 3 entries"), std::string::npos) << v.out;

  auto a = sportello("audit anchor");
  EXPECT_EQ(a.rc, 0) << a.out;
  EXPECT_NE(a.out.find("anchored 1 chain head(s) in " + anchor_file()), std::string::npos) << a.out;
  EXPECT_EQ(sportello("audit verify").rc, 0);

  record(5, 1);
  v = sportello("audit verify");
  EXPECT_EQ(v.rc, 3) << v.out;
  EXPECT_NE(v.out.find("(seq 3); not anchored after"), std::string::npos) << v.out;

  // Another node's file passed explicitly instead of the configured one: nothing in it, nothing vouched.
  v = sportello("audit verify --anchor-file " + (files_.path() / "node2.jsonl").string());
  EXPECT_EQ(v.rc, 3) << v.out;

  // Without the key file nothing is vouched for, and `audit anchor` refuses to make a new key.
  std::filesystem::remove(key_file());
  v = sportello("audit verify");
  EXPECT_EQ(v.rc, 2) << v.out;
  EXPECT_EQ(v.out.find("verified up to"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("tenant 5: CANNOT VERIFY"), std::string::npos) << v.out;
  a = sportello("audit anchor");
  EXPECT_EQ(a.rc, 2) << a.out;
  EXPECT_NE(a.out.find("audit.key_missing"), std::string::npos) << a.out;
  EXPECT_FALSE(std::filesystem::exists(key_file()));
}

std::string dialect_name(const ::testing::TestParamInfo<sp::db::Dialect>& info) {
  return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditBinaryTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
