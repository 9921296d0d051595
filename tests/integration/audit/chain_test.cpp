// The hash chain against real SQLite and PostgreSQL: an untouched chain verifies; a row edited or
// deleted behind the service's back is reported as exactly the broken link; the database itself refuses
// UPDATE and DELETE while its triggers are in place. The chain is keyed (HMAC) as a deployment's is;
// the unkeyed format v1 of older entries has tests of its own at the end.
#include "audit/chain.hpp"

#include <sstream>

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
    // A body's chain is keyed with its own key, derived from the hub's (key.hpp, "Per body").
    const ChainKey body_key = derive_body_key(key(), 5);
    EXPECT_NE(body_key.id, key().id);
    EXPECT_NE(body_key.secret, derive_body_key(key(), 6).secret);
    EXPECT_EQ(page.entries[i].key_id, body_key.id);
    EXPECT_EQ(page.entries[i].hash, keyed_entry_hash(page.entries[i], body_key));
    EXPECT_NE(page.entries[i].hash, entry_hash(page.entries[i]));  // not plain SHA-256
  }
  EXPECT_EQ(page.entries.back().at, "2026-03-02T00:00:01.000Z");

  // Chained but not anchored yet: verify does not vouch for it.
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyNotAnchored);
  EXPECT_EQ(v.text,
            "tenant 5: not anchored: 30 entries (seq 1-30, 2026-03-02T00:00:01.000Z to "
            "2026-03-02T00:00:30.000Z) chained but no anchor vouches for them\n");

  EXPECT_EQ(anchor(), 1);
  v = verify_command();
  EXPECT_EQ(v.rc, kVerifyOk);
  EXPECT_EQ(v.all, "key " + key().id + " (" + key_file() + ")\n" + "anchors: 1 of 1 lines verified in " +
                       anchor_file() + "\n" +
                       "tenant 5: verified up to 2026-03-02T00:00:30.000Z (seq 30, 30 entries)\n");
}

TEST_P(AuditChainTest, AnEmptyLogVerifies) {
  EXPECT_TRUE(audit().verify(5).intact);
  EXPECT_EQ(audit().verify(5).entries, 0);
  EXPECT_TRUE(audit().verify_all().empty());
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyOk);
  EXPECT_EQ(v.text, "audit log is empty\n");
}

TEST_P(AuditChainTest, EditedDetailsAreReportedAtThatSeq) {
  append(5, 10);
  tamper("UPDATE audit_log SET details = '{\"note\":\"nothing to see\"}' WHERE tenant_id = 5 AND seq = 7");
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 7);
  EXPECT_EQ(report.problem, "HMAC mismatch (changed, or recomputed without the key)");
  EXPECT_EQ(report.entries, 6);

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(v.text,
            "tenant 5: BROKEN at seq 7: HMAC mismatch (changed, or recomputed without the key) (6 entries "
            "intact before it)\n");
}

TEST_P(AuditChainTest, EditedActorIsReportedAtThatSeq) {
  append(5, 10);
  tamper("UPDATE audit_log SET actor_id = 'staff-2' WHERE tenant_id = 5 AND seq = 3");
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 3);
  EXPECT_EQ(report.problem, "HMAC mismatch (changed, or recomputed without the key)");
}

TEST_P(AuditChainTest, AnEditWithARecomputedPlainHashIsAnHmacMismatchAtThatSeq) {
  append(5, 10);
  // An attacker without the key file rewrites the row's own hash with plain SHA-256: it does not verify.
  auto forged = stored(5, 4);
  forged.entry.actor_id = "staff-2";
  tamper("UPDATE audit_log SET actor_id = 'staff-2', hash = $1 WHERE tenant_id = 5 AND seq = 4",
         {entry_hash(forged)});
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 4);
  EXPECT_EQ(report.problem, "HMAC mismatch (changed, or recomputed without the key)");
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
  // The key id column added by migration 0017 is covered too.
  EXPECT_THROW(
      db().write([](db::Conn& c) { c.exec("UPDATE audit_log SET key_id = NULL WHERE tenant_id = 5"); }),
      db::DbError);
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

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(
      v.text,
      "tenant 0: not anchored: 2 entries (seq 1-2, 2026-03-02T00:00:01.000Z to 2026-03-02T00:00:02.000Z) "
      "chained but no anchor vouches for them\n"
      "tenant 5: not anchored: 4 entries (seq 1-4, 2026-03-02T00:00:03.000Z to 2026-03-02T00:00:06.000Z) "
      "chained but no anchor vouches for them\n"
      "tenant 9: BROKEN at seq 2: HMAC mismatch (changed, or recomputed without the key) (1 entry intact "
      "before it)\n");
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

// Format v1: entries written before the chain was keyed (or by a process without a key) are plain
// SHA-256 links. They still verify, an edit still shows, and verify says what they are.
TEST_P(AuditChainTest, AnUnkeyedChainVerifiesAsHashChainedOnly) {
  AuditService unkeyed(db(), clock_, nullptr);
  for (int i = 0; i < 4; ++i) {
    clock_.advance(std::chrono::seconds(1));
    ASSERT_TRUE(unkeyed.record(entry(5)).ok());
  }
  auto first = stored(5, 1);
  EXPECT_EQ(first.key_id, "");
  EXPECT_EQ(first.hash, entry_hash(first));
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.unkeyed_entries, 4);

  EXPECT_EQ(anchor(), 1);
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyOk);
  EXPECT_EQ(v.text,
            "tenant 5: verified up to 2026-03-02T00:00:04.000Z (seq 4, 4 entries)\n"
            "tenant 5: note: seq 1-4 were written before the chain was keyed: only hash-chained (plain "
            "SHA-256)\n");
}

TEST_P(AuditChainTest, InAnUnkeyedChainAnEditWithARecomputedHashBreaksTheNextLink) {
  AuditService unkeyed(db(), clock_, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(unkeyed.record(entry(5)).ok());
  // The attacker also rewrites the row's own hash; the next entry still points to the old one.
  auto forged = stored(5, 4);
  forged.entry.actor_id = "staff-2";
  tamper("UPDATE audit_log SET actor_id = 'staff-2', hash = $1 WHERE tenant_id = 5 AND seq = 4",
         {entry_hash(forged)});
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 5);
  EXPECT_EQ(report.problem, "prev_hash mismatch");
}

TEST_P(AuditChainTest, KeyedEntriesFollowUnkeyedOnesAndAKeyedChainStaysKeyed) {
  AuditService unkeyed(db(), clock_, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(unkeyed.record(entry(5)).ok());
  append(5, 3);  // the deployment got its key: the chain goes on, keyed
  EXPECT_EQ(stored(5, 3).key_id, "");
  EXPECT_EQ(stored(5, 4).key_id, derive_body_key(key(), 5).id);
  EXPECT_EQ(stored(5, 4).prev_hash, stored(5, 3).hash);
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.unkeyed_entries, 3);
  EXPECT_EQ(report.entries, 6);

  // A process without the key may not add an unkeyed link after keyed ones: refused, nothing written.
  auto refused = unkeyed.record(entry(5));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "audit.key");
  EXPECT_EQ(audit().verify(5).entries, 6);

  EXPECT_EQ(anchor(), 1);
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyOk);
  EXPECT_NE(v.text.find("tenant 5: verified up to"), std::string::npos) << v.text;
  EXPECT_NE(v.text.find("tenant 5: note: seq 1-3 were written before the chain was keyed: only hash-chained"),
            std::string::npos)
      << v.text;
}

TEST_P(AuditChainTest, ARecomputedUnkeyedPrefixBreaksAtTheFirstKeyedEntry) {
  AuditService unkeyed(db(), clock_, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(unkeyed.record(entry(5)).ok());
  append(5, 3);
  // Anyone can recompute the v1 part, but the first keyed entry's HMAC covers the old link.
  rewrite(
      5, 2, 3, [](StoredEntry& s) { s.entry.actor_id = "staff-9"; }, true);
  auto report = audit().verify(5);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 4);
  EXPECT_EQ(report.problem, "prev_hash mismatch");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditChainTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
