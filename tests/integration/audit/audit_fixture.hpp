#pragma once
// Shared fixture for the audit integration tests: a fresh migrated database per test on both drivers,
// a controllable clock, a chain key (also written to a key file, as a deployment keeps it) and an anchor
// file in a temporary folder, and a way to change rows behind the service's back the way an attacker
// with database access would (switching off the append-only triggers first).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "audit/anchor.hpp"
#include "audit/body_key.hpp"
#include "audit/chain.hpp"
#include "audit/key.hpp"
#include "audit/service.hpp"
#include "audit/verify_command.hpp"
#include "support/testing.hpp"

namespace sp::audit::testing {

class AuditTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    key_ = std::make_shared<const ChainKey>(generate_key());
    write_key_file(*key_);
    service_ = std::make_unique<AuditService>(database_->db(), clock_, key_);
  }

  db::Database& db() { return database_->db(); }
  AuditService& audit() { return *service_; }
  const ChainKey& key() const { return *key_; }

  std::string key_file() const { return (files_.path() / "audit-hmac.key").string(); }
  std::string anchor_file() const { return (files_.path() / "audit-anchors.jsonl").string(); }
  void write_key_file(const ChainKey& k) {
    std::filesystem::remove(key_file());
    std::ofstream(key_file()) << key_file_text(k);
    std::filesystem::permissions(key_file(),
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  // Anchors every chain's head in anchor_file() at the test clock's time; returns the lines written.
  int anchor() {
    Anchorer anchorer(db(), key_, anchor_file(), clock_);
    return anchorer.anchor_now();
  }
  // The valid anchors in anchor_file().
  std::vector<Anchor> anchors() { return read_anchor_file(anchor_file(), key_.get()).anchors; }

  // `sportello audit verify` on this database with the key file and anchor file: its exit code and the
  // lines about tenants and anchor lines (without the first lines saying what was loaded).
  struct Verified {
    int rc = -1;
    std::string text;  // tenant and anchor-problem lines
    std::string all;   // everything printed
  };
  Verified verify_command() {
    std::ostringstream out;
    Verified v;
    v.rc = run_verify_command(db(), VerifyOptions{key_file(), {anchor_file()}}, out);
    v.all = out.str();
    std::istringstream lines(v.all);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("key ", 0) == 0 || line.rfind("key: ", 0) == 0 || line.rfind("anchors: ", 0) == 0) {
        continue;
      }
      v.text += line + "\n";
    }
    return v;
  }

  // The stored entry `seq` of `tenant`.
  StoredEntry stored(tenants::TenantId tenant, std::int64_t seq) {
    auto page = audit().entries(tenant, {.before_seq = seq + 1, .limit = 1});
    EXPECT_EQ(page.entries.size(), 1u);
    EXPECT_EQ(page.entries.empty() ? 0 : page.entries[0].seq, seq);
    return page.entries.empty() ? StoredEntry{} : page.entries[0];
  }

  // Rewrites `tenant`'s entries from `from_seq` to `to_seq` (0: to its end) the way an attacker without
  // the key would: `change` edits the first of them, then every hash from there on is recomputed with
  // plain SHA-256 (format v2 bytes with the key id kept, or format v1 with the key id removed when
  // `as_v1`) and the links follow.
  void rewrite(tenants::TenantId tenant, std::int64_t from_seq, std::int64_t to_seq,
               const std::function<void(StoredEntry&)>& change, bool as_v1) {
    auto page = audit().entries(tenant, {.limit = 500});
    std::vector<StoredEntry> chain(page.entries.rbegin(), page.entries.rend());  // oldest first
    std::string prev = from_seq == 1 ? std::string(kGenesisHash) : chain.at(from_seq - 2).hash;
    for (auto& s : chain) {
      if (s.seq < from_seq || (to_seq > 0 && s.seq > to_seq)) continue;
      if (s.seq == from_seq) change(s);
      if (as_v1) s.key_id.clear();
      s.prev_hash = prev;
      s.hash = entry_hash(s);
      prev = s.hash;
      tamper(
          "UPDATE audit_log SET actor_id = $1, details = $2, prev_hash = $3, hash = $4, key_id = $5 "
          "WHERE tenant_id = $6 AND seq = $7",
          {s.entry.actor_id, s.entry.details, s.prev_hash, s.hash, db::text_or_null(s.key_id), tenant,
           s.seq});
    }
  }

  // A valid entry; the clock moves one second per entry so `at` differs.
  Entry entry(tenants::TenantId tenant, const std::string& action = "case.open",
              const std::string& actor = "staff-1") {
    Entry e;
    e.tenant_id = tenant;
    e.actor_kind = ActorKind::staff;
    e.actor_id = actor;
    e.channel = Channel::web;
    e.action = action;
    e.record_type = "case";
    e.record_id = "C-1";
    e.remote_addr = "192.0.2.1";
    e.details = R"({"note":"test"})";
    return e;
  }

  void append(tenants::TenantId tenant, int n, const std::string& action = "case.open") {
    for (int i = 0; i < n; ++i) {
      clock_.advance(std::chrono::seconds(1));
      auto r = audit().record(entry(tenant, action));
      ASSERT_TRUE(r.ok()) << r.error().code;
    }
  }

  // Runs `sql` with the append-only triggers out of the way (PostgreSQL: disabled for the statement's
  // transaction, as the table owner may; SQLite: dropped).
  void tamper(const std::string& sql, const db::Params& params = {}) {
    db().write([&](db::Conn& c) {
      if (c.dialect() == db::Dialect::postgres) {
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

  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}}};
  sp::testing::TempDir files_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::shared_ptr<const ChainKey> key_;
  std::unique_ptr<AuditService> service_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::audit::testing
