// The hash chain against real SQLite and PostgreSQL: an untouched chain verifies; a row edited or
// deleted behind the service's back is reported as exactly the broken link; the database itself refuses
// UPDATE and DELETE while its triggers are in place.
#include "audit/chain.hpp"

#include <sstream>

#include "audit/verify_command.hpp"
#include "audit_fixture.hpp"

namespace sp::audit::testing {
namespace {

class AuditChainTest : public AuditTest {};

TEST_P(AuditChainTest, AChainOfEntriesVerifies) {
  append(5, 30);
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, 30);

  // Each entry links to the one before it, the first to the genesis hash.
  auto page = audit().entries(5, {.limit = 100});
  ASSERT_EQ(page.entries.size(), 30u);
  EXPECT_EQ(page.entries.back().seq, 1);
  EXPECT_EQ(page.entries.back().prev_hash, kGenesisHash);
  for (std::size_t i = 0; i + 1 < page.entries.size(); ++i) {
    EXPECT_EQ(page.entries[i].seq, page.entries[i + 1].seq + 1);
    EXPECT_EQ(page.entries[i].prev_hash, page.entries[i + 1].hash);
    EXPECT_EQ(page.entries[i].hash, entry_hash(page.entries[i]));
  }
  EXPECT_EQ(page.entries.back().at, "2026-03-02T00:00:01.000Z");

  std::ostringstream out;
  EXPECT_EQ(run_verify_command(db(), out), 0);
  EXPECT_EQ(out.str(), "tenant 5: ok, 30 entries\n");
}

TEST_P(AuditChainTest, AnEmptyLogVerifies) {
  EXPECT_TRUE(audit().verify(5).intact);
  EXPECT_EQ(audit().verify(5).entries, 0);
  EXPECT_TRUE(audit().verify_all().empty());
  std::ostringstream out;
  EXPECT_EQ(run_verify_command(db(), out), 0);
}

TEST_P(AuditChainTest, EditedDetailsAreReportedAtThatSeq) {
  append(5, 10);
  tamper("UPDATE audit_log SET details = '{\"note\":\"nothing to see\"}' WHERE tenant_id = 5 AND seq = 7");
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 7);
  EXPECT_EQ(report.problem, "hash mismatch");
  EXPECT_EQ(report.entries, 6);

  std::ostringstream out;
  EXPECT_EQ(run_verify_command(db(), out), 1);
  EXPECT_EQ(out.str(), "tenant 5: BROKEN at seq 7: hash mismatch (6 entries intact before it)\n");
}

TEST_P(AuditChainTest, EditedActorIsReportedAtThatSeq) {
  append(5, 10);
  tamper("UPDATE audit_log SET actor_id = 'staff-2' WHERE tenant_id = 5 AND seq = 3");
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 3);
  EXPECT_EQ(report.problem, "hash mismatch");
}

TEST_P(AuditChainTest, AnEditWithARecomputedHashBreaksTheNextLink) {
  append(5, 10);
  // A smarter attacker also rewrites the row's own hash; the next entry still points to the old one.
  auto page = audit().entries(5, {.before_seq = 5, .limit = 1});
  ASSERT_EQ(page.entries.size(), 1u);
  auto forged = page.entries[0];
  ASSERT_EQ(forged.seq, 4);
  forged.entry.actor_id = "staff-2";
  tamper("UPDATE audit_log SET actor_id = 'staff-2', hash = $1 WHERE tenant_id = 5 AND seq = 4",
         {entry_hash(forged)});
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 5);
  EXPECT_EQ(report.problem, "prev_hash mismatch");
}

TEST_P(AuditChainTest, ADeletedMiddleRowIsReportedAsMissing) {
  append(5, 10);
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 4");
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 4);
  EXPECT_EQ(report.problem, "missing seq 4");
  EXPECT_EQ(report.entries, 3);
}

TEST_P(AuditChainTest, TheDatabaseRefusesUpdateAndDelete) {
  append(5, 3);
  EXPECT_THROW(
      db().write([](db::Conn& c) { c.exec("UPDATE audit_log SET actor_id = 'x' WHERE tenant_id = 5"); }),
      db::DbError);
  EXPECT_THROW(db().write([](db::Conn& c) { c.exec("DELETE FROM audit_log WHERE seq = 2"); }), db::DbError);
  if (GetParam() == db::Dialect::postgres) {
    EXPECT_THROW(db().write([](db::Conn& c) { c.exec_script("TRUNCATE audit_log"); }), db::DbError);
  }
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, 3);
}

TEST_P(AuditChainTest, VerifyAllReportsEachTenantAndOnlyTheBrokenOneFails) {
  append(kHubTenant, 2);
  append(5, 4);
  append(9, 3);
  tamper("UPDATE audit_log SET remote_addr = '198.51.100.9' WHERE tenant_id = 9 AND seq = 2");
  auto reports = audit().verify_all();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].tenant_id, kHubTenant);
  EXPECT_TRUE(reports[0].intact);
  EXPECT_TRUE(reports[1].intact);
  EXPECT_EQ(reports[1].entries, 4);
  EXPECT_FALSE(reports[2].intact);
  EXPECT_EQ(reports[2].broken_seq, 2);

  std::ostringstream out;
  EXPECT_EQ(run_verify_command(db(), out), 1);
  EXPECT_EQ(out.str(),
            "tenant 0: ok, 2 entries\n"
            "tenant 5: ok, 4 entries\n"
            "tenant 9: BROKEN at seq 2: hash mismatch (1 entry intact before it)\n");
}

TEST_P(AuditChainTest, LongChainsAreWalkedInBatches) {
  // More than one verification batch (1000 rows), written in a few transactions to keep the test fast.
  for (int batch = 0; batch < 3; ++batch) {
    db().write([&](db::Conn& tx) {
      for (int i = 0; i < 400; ++i) ASSERT_TRUE(audit().record(tx, entry(5)).ok());
    });
  }
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, 1200);
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 1001");
  report = audit().verify(5);
  EXPECT_EQ(report.broken_seq, 1001);
  EXPECT_EQ(report.problem, "missing seq 1001");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditChainTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
