// Issue 10, point 6: an attacker with database access (the append-only triggers dropped) cuts or
// rewrites the end of a chain. The keyed chain (HMAC with a key outside the database) shows a forged or
// recomputed entry; the anchors (chain heads in a file outside the database) show a cut tail and a chain
// rewritten whole; `audit verify` never vouches for entries newer than the last anchor. Real SQLite and
// PostgreSQL.
#include <fstream>

#include "audit_fixture.hpp"

namespace sp::audit::testing {
namespace {

class AuditAnchorTest : public AuditTest {
 protected:
  // Appends n entries to `tenant` and anchors five minutes later; returns the anchor's time.
  std::string append_and_anchor(tenants::TenantId tenant, int n) {
    append(tenant, n);
    clock_.advance(std::chrono::minutes(5));
    EXPECT_GE(anchor(), 1);
    return AuditService::format_at(clock_.now());
  }

  std::vector<std::string> anchor_lines() {
    std::ifstream in(anchor_file());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  void write_anchor_lines(const std::vector<std::string>& lines) {
    std::ofstream out(anchor_file(), std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
  }
};

TEST_P(AuditAnchorTest, ADeletedLastRowIsBrokenAtThatSeq) {
  const auto anchored_at = append_and_anchor(5, 10);
  ASSERT_EQ(verify_command().rc, kVerifyOk);

  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 10");
  // The chain that is left is a valid chain: only the anchor knows it was longer.
  auto report = audit().verify(5, anchors());
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 10);
  EXPECT_EQ(report.problem, "missing seq 10, anchored at " + anchored_at + " (entries cut from the end)");
  EXPECT_EQ(report.entries, 9);

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(v.text,
            "tenant 5: BROKEN at seq 10: missing seq 10, anchored at 2026-03-02T00:05:10.000Z (entries cut "
            "from the end) (9 entries intact before it)\n");
}

TEST_P(AuditAnchorTest, SeveralDeletedLastRowsAreBrokenAtTheFirst) {
  append_and_anchor(5, 10);
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq >= 7");
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(v.text,
            "tenant 5: BROKEN at seq 7: missing seq 7-10, anchored at 2026-03-02T00:05:10.000Z (entries "
            "cut from the end) (6 entries intact before it)\n");
}

TEST_P(AuditAnchorTest, ATailRecomputedWithPlainSha256IsBroken) {
  append_and_anchor(5, 10);
  append(5, 2);  // and two entries no anchor covers yet
  // Row 8 forged, 8..12 recomputed with SHA-256 over the keyed format (key id kept): without the key,
  // the MACs cannot be made, whether the rows were anchored or not.
  rewrite(
      5, 8, 0, [](StoredEntry& s) { s.entry.details = R"({"note":"forged"})"; }, false);
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(v.text,
            "tenant 5: BROKEN at seq 8: HMAC mismatch (changed, or recomputed without the key) (7 entries "
            "intact before it)\n");

  // The same on a tail no anchor covers.
  append(6, 12);
  rewrite(
      6, 12, 0, [](StoredEntry& s) { s.entry.actor_id = "staff-7"; }, false);
  auto report = audit().verify(6);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 12);
}

TEST_P(AuditAnchorTest, ATailRecomputedInTheUnkeyedFormatIsBroken) {
  append_and_anchor(5, 10);
  // Row 8 forged, 8..10 rewritten as format v1 entries (no key id, plain SHA-256): a keyed chain does
  // not go back to unkeyed entries.
  rewrite(
      5, 8, 0, [](StoredEntry& s) { s.entry.actor_id = "staff-2"; }, true);
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(
      v.text,
      "tenant 5: BROKEN at seq 8: unkeyed entry after keyed ones (rewritten without the key) (7 entries "
      "intact before it)\n");
}

TEST_P(AuditAnchorTest, AChainRewrittenWholeInTheUnkeyedFormatIsCaughtByItsAnchor) {
  append(5, 5);
  clock_.advance(std::chrono::minutes(5));
  ASSERT_EQ(anchor(), 1);
  append_and_anchor(5, 5);
  EXPECT_EQ(anchors().size(), 2u);
  // Every entry rewritten as format v1, row 7 changed: a self-consistent unkeyed chain of 10 entries.
  rewrite(
      5, 1, 0, [](StoredEntry&) {}, true);
  rewrite(
      5, 7, 0, [](StoredEntry& s) { s.entry.actor_id = "staff-3"; }, true);
  AuditService unkeyed(db(), clock_, nullptr);
  EXPECT_TRUE(unkeyed.verify(5).intact) << "the rewritten chain is consistent by itself";

  // The first anchor (seq 5) no longer matches: every hash changed when the chain was recomputed.
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(
      v.text,
      "tenant 5: BROKEN at seq 5: differs from the anchor written at 2026-03-02T00:05:05.000Z (an entry "
      "up to here was changed and the chain recomputed) (4 entries intact before it)\n");
}

TEST_P(AuditAnchorTest, AnUnkeyedChainRecomputedAfterAnEditIsCaughtByItsAnchor) {
  // Entries from before the chain was keyed: anyone can recompute them, but not the anchor's MAC.
  AuditService unkeyed(db(), clock_, nullptr);
  for (int i = 0; i < 10; ++i) {
    clock_.advance(std::chrono::seconds(1));
    ASSERT_TRUE(unkeyed.record(entry(5)).ok());
  }
  clock_.advance(std::chrono::minutes(5));
  ASSERT_EQ(anchor(), 1);
  rewrite(
      5, 6, 0, [](StoredEntry& s) { s.entry.actor_id = "staff-2"; }, true);
  EXPECT_TRUE(unkeyed.verify(5).intact);
  auto report = audit().verify(5, anchors());
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.broken_seq, 10);
  EXPECT_EQ(verify_command().rc, kVerifyBroken);
}

TEST_P(AuditAnchorTest, EntriesAfterTheLastAnchorAreNotVouchedFor) {
  append_and_anchor(5, 10);
  append(5, 3);
  auto report = audit().verify(5, anchors());
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.anchored_seq, 10);
  EXPECT_EQ(report.last_seq, 13);

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyNotAnchored);
  EXPECT_EQ(
      v.text,
      "tenant 5: verified up to 2026-03-02T00:00:10.000Z (seq 10); not anchored after "
      "2026-03-02T00:00:10.000Z: 3 newer entries (seq 11-13, to 2026-03-02T00:05:13.000Z) chained but no "
      "anchor vouches for them\n");

  // Cutting unanchored entries cannot be seen; verify still only vouches for what the anchor covers.
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 13");
  v = verify_command();
  EXPECT_EQ(v.rc, kVerifyNotAnchored);
  EXPECT_NE(v.text.find("verified up to 2026-03-02T00:00:10.000Z (seq 10); not anchored after"),
            std::string::npos);

  // The next anchoring covers them.
  EXPECT_EQ(anchor(), 1);
  EXPECT_EQ(verify_command().rc, kVerifyOk);
}

TEST_P(AuditAnchorTest, AnEditedAnchorLineIsDetected) {
  append_and_anchor(5, 10);
  tamper("DELETE FROM audit_log WHERE tenant_id = 5 AND seq = 10");
  // The attacker also "fixes" the anchor to name seq 9 and its hash: the line's MAC no longer verifies.
  auto lines = anchor_lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto nine = stored(5, 9);
  std::string edited = lines[0];
  edited.replace(edited.find("\"seq\":10"), 8, "\"seq\":9");
  const auto hash_at = edited.find("\"hash\":\"") + 8;
  edited.replace(hash_at, 64, nine.hash);
  write_anchor_lines({edited});
  EXPECT_TRUE(anchors().empty());

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(v.text, "anchor file " + anchor_file() +
                        " line 1: BROKEN: MAC mismatch (the line was changed or made without the key)\n"
                        "tenant 5: not anchored: 9 entries (seq 1-9, 2026-03-02T00:00:01.000Z to "
                        "2026-03-02T00:00:09.000Z) chained but no anchor vouches for them\n");

  // A line that is not an anchor at all.
  write_anchor_lines({lines[0], "{\"tenant_id\":5}"});
  v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_NE(v.text.find("line 2: BROKEN: malformed line"), std::string::npos) << v.text;
  EXPECT_NE(v.text.find("tenant 5: BROKEN at seq 10: missing seq 10"), std::string::npos) << v.text;
}

TEST_P(AuditAnchorTest, AnAnchoredChainDeletedWholeIsReported) {
  append(5, 2);
  append_and_anchor(7, 3);
  tamper("DELETE FROM audit_log WHERE tenant_id = 7");
  auto reports = audit().verify_all(anchors());
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_TRUE(reports[0].intact);
  EXPECT_EQ(reports[1].tenant_id, 7);
  EXPECT_FALSE(reports[1].intact);
  EXPECT_EQ(reports[1].broken_seq, 1);

  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_EQ(
      v.text,
      "tenant 5: verified up to 2026-03-02T00:00:02.000Z (seq 2, 2 entries)\n"
      "tenant 7: BROKEN at seq 1: missing seq 1-3, anchored at 2026-03-02T00:05:05.000Z (the whole chain "
      "was deleted) (0 entries intact before it)\n");

  // Even when the whole log is gone.
  tamper("DELETE FROM audit_log");
  v = verify_command();
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_NE(v.text.find("tenant 5: BROKEN at seq 1: missing seq 1-2"), std::string::npos) << v.text;
}

TEST_P(AuditAnchorTest, WithoutTheKeyFileNothingIsVouchedFor) {
  append_and_anchor(5, 4);
  std::filesystem::remove(key_file());
  auto v = verify_command();
  EXPECT_EQ(v.rc, kVerifyCannot);
  EXPECT_EQ(v.all.find("verified up to"), std::string::npos) << v.all;
  EXPECT_EQ(v.all.find(" ok"), std::string::npos) << v.all;
  EXPECT_NE(v.all.find("key: none (" + key_file() + ": audit.key_missing)"), std::string::npos) << v.all;
  EXPECT_NE(v.text.find("CANNOT CHECK: no audit key is loaded"), std::string::npos) << v.text;
  EXPECT_NE(v.text.find("tenant 5: CANNOT VERIFY: 4 entries keyed with key " + derive_body_key(key(), 5).id),
            std::string::npos)
      << v.text;

  // Another key (a node that made its own) is no better.
  write_key_file(generate_key());
  v = verify_command();
  EXPECT_EQ(v.rc, kVerifyCannot);
  EXPECT_EQ(v.all.find("verified up to"), std::string::npos) << v.all;
  EXPECT_NE(v.text.find("line 1: CANNOT CHECK: made with key " + key().id + ", which is not loaded"),
            std::string::npos)
      << v.text;
}

TEST_P(AuditAnchorTest, TheAnchorerWritesChangedHeadsOnlyAndResumesFromItsFile) {
  append(kHubTenant, 1);
  append(5, 3);
  append(9, 2);
  EXPECT_EQ(anchor(), 3);
  EXPECT_EQ(anchor(), 0);  // nothing moved (a new Anchorer each time: it reads the file)
  append(9, 1);
  Anchorer anchorer(db(), key_, anchor_file(), clock_);
  EXPECT_EQ(anchorer.anchor_now(), 1);
  EXPECT_EQ(anchorer.anchor_now(), 0);

  auto got = anchors();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].tenant_id, 9);
  EXPECT_EQ(got[3].seq, 3);
  EXPECT_EQ(got[3].hash, stored(9, 3).hash);
  EXPECT_EQ(got[3].at, stored(9, 3).at);
  EXPECT_EQ(got[3].key_id, key().id);
  auto lines = anchor_lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], anchor_line(got[3], key()).substr(0, lines[3].size()));

  // A cut chain is never anchored at its shorter length.
  tamper("DELETE FROM audit_log WHERE tenant_id = 9 AND seq = 3");
  EXPECT_EQ(anchorer.anchor_now(), 0);
  EXPECT_EQ(Anchorer(db(), key_, anchor_file(), clock_).anchor_now(), 0);
  EXPECT_EQ(verify_command().rc, kVerifyBroken);
}

TEST_P(AuditAnchorTest, AHalfWrittenLastLineIsEndedBeforeTheNextAnchors) {
  append(5, 2);
  EXPECT_EQ(anchor(), 1);
  {
    std::ofstream out(anchor_file(), std::ios::app);
    out << "{\"tenant_id\":5,\"seq\":";  // a crash in the middle of a write
  }
  append(5, 1);
  EXPECT_EQ(anchor(), 1);
  auto lines = anchor_lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(anchors().size(), 2u);
  auto v = verify_command();
  // The torn line is reported (a crash cannot be told from an edit), the anchors around it still count.
  EXPECT_EQ(v.rc, kVerifyBroken);
  EXPECT_NE(v.text.find("line 2: BROKEN: malformed line"), std::string::npos) << v.text;
  EXPECT_NE(v.text.find("tenant 5: verified up to 2026-03-02T00:00:03.000Z (seq 3, 3 entries)"),
            std::string::npos)
      << v.text;
}

TEST_P(AuditAnchorTest, TheJobAnchorsAtStartAndAtStop) {
  append(5, 2);
  {
    AnchorJob job(db(), key_, anchor_file(), std::chrono::seconds(3600), clock_);
    job.start();
    EXPECT_EQ(anchors().size(), 1u);
    append(5, 1);
    job.stop();
    EXPECT_EQ(anchors().size(), 2u);
    job.stop();  // idempotent
  }
  EXPECT_EQ(anchors().size(), 2u);
  EXPECT_EQ(verify_command().rc, kVerifyOk);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditAnchorTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
