// Per-flow checks (count and total against the header in exact cents, duplicate rows through the
// staging table, counts per outcome, the receiving body), the revoked-amount policy and the flow-id
// revision rule, on the public samples and on generated flows.
#include <gtest/gtest.h>

#include "payments/reporting_reconcile.hpp"
#include "reporting_fixture.hpp"

namespace sp::payments::reporting::test {
namespace {

class FdrChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = open_sqlite_staging((dir_.path() / "staging.db").string());
    ASSERT_TRUE(s.ok()) << s.error().detail;
    staging_ = std::move(*s);
  }

  FlowReport reconcile(const std::string& path, ReconcileOptions options = {},
                       std::vector<RowStatus>* statuses = nullptr) {
    auto r = reconcile_flow_file(path, our_schema(), options, *staging_, [&](const FlowRow&, RowStatus s) {
      if (statuses != nullptr) statuses->push_back(s);
    });
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.ok() ? *r : FlowReport{};
  }

  std::string write(const std::string& name, const std::string& xml) {
    const auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << xml;
    return path;
  }

  std::int64_t outcome(const FlowReport& r, Outcome o) { return r.per_outcome[outcome_slot(o)]; }

  sp::testing::TempDir dir_;
  std::unique_ptr<RowStaging> staging_;
};

TEST_F(FdrChecks, MilanoIsOkAndTotalsSixtyEuro) {
  auto r = reconcile(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"));
  EXPECT_EQ(r.verdict(), "ok");
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.rows, 3);
  EXPECT_EQ(r.rows_total, 6000);
  EXPECT_EQ(r.header.declared_total, 6000);
  EXPECT_EQ(outcome(r, Outcome::executed), 3);
  EXPECT_EQ(r.duplicates, 0);
}

TEST_F(FdrChecks, VeneziaHasADuplicateRowCountedOnce) {
  std::vector<RowStatus> statuses;
  auto r = reconcile(sample_path("fdr_p4pa_test_venezia_esito9_dup.xml"), {}, &statuses);
  EXPECT_EQ(r.verdict(), "duplicate_rows");
  EXPECT_EQ(r.problems, std::vector<FlowProblem>{FlowProblem::duplicate_rows});
  EXPECT_EQ(r.rows, 2);
  EXPECT_EQ(r.rows_total, 30000);  // the header counts both rows as written: 300.00
  EXPECT_EQ(r.duplicates, 1);
  EXPECT_EQ(outcome(r, Outcome::without_rpt), 1);
  EXPECT_EQ(statuses, (std::vector<RowStatus>{RowStatus::without_rpt, RowStatus::duplicate_row}));
}

TEST_F(FdrChecks, SameIuvAndIurWithAnotherIndexIsNotADuplicate) {
  const auto xml = replaced_nth(read_text(sample_path("fdr_p4pa_test_venezia_esito9_dup.xml")),
                                "<indiceDatiSingoloPagamento>1<", "<indiceDatiSingoloPagamento>2<", 1);
  auto r = reconcile(write("two-transfers.xml", xml));
  EXPECT_EQ(r.verdict(), "ok");
  EXPECT_EQ(r.duplicates, 0);
  EXPECT_EQ(outcome(r, Outcome::without_rpt), 2);
}

TEST_F(FdrChecks, HeaderCountAndTotalWrong) {
  // The original GPD mock declared 100 payments for its 3 rows.
  auto count = reconcile(
      write("count.xml", replaced(milano(), "<numeroTotalePagamenti>3<", "<numeroTotalePagamenti>100<")));
  EXPECT_EQ(count.verdict(), "header_count_wrong");
  EXPECT_EQ(count.header.declared_count, 100);
  EXPECT_EQ(count.rows, 3);

  auto total = reconcile(write(
      "total.xml", replaced(milano(), "<importoTotalePagamenti>60.00<", "<importoTotalePagamenti>60.01<")));
  EXPECT_EQ(total.verdict(), "header_total_wrong");
  EXPECT_EQ(total.rows_total, 6000);
  EXPECT_EQ(total.header.declared_total, 6001);

  auto both = reconcile(
      write("both.xml", replaced(replaced(milano(), "<numeroTotalePagamenti>3<", "<numeroTotalePagamenti>4<"),
                                 "<importoTotalePagamenti>60.00<", "<importoTotalePagamenti>80.00<")));
  EXPECT_EQ(both.problems,
            (std::vector<FlowProblem>{FlowProblem::header_count_wrong, FlowProblem::header_total_wrong}));
}

TEST_F(FdrChecks, ReceiverMustBeTheExpectedCreditor) {
  ReconcileOptions asti;
  asti.expected_receiver = "00081490040";
  auto wrong = reconcile(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"), asti);
  EXPECT_EQ(wrong.verdict(), "wrong_receiver");
  ReconcileOptions milan;
  milan.expected_receiver = "77777777777";
  EXPECT_EQ(reconcile(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"), milan).verdict(), "ok");
}

TEST_F(FdrChecks, RevokedAmountsGrossByDefaultNetWhenAsked) {
  // Row 2 revoked: 20.00 as written (the XSD forbids a minus sign).
  const auto xml =
      replaced_nth(milano(), "<codiceEsitoSingoloPagamento>0<", "<codiceEsitoSingoloPagamento>3<", 1);
  auto gross = reconcile(write("revoked.xml", xml));
  EXPECT_EQ(gross.verdict(), "ok");  // the header's 60.00 is every row as written
  EXPECT_EQ(gross.rows_total, 6000);
  EXPECT_EQ(gross.revoked_total, 2000);
  EXPECT_EQ(outcome(gross, Outcome::revoked), 1);
  EXPECT_EQ(outcome(gross, Outcome::executed), 2);

  ReconcileOptions net;
  net.revoked = RevokedPolicy::net;
  auto as_net = reconcile(write("revoked.xml", xml), net);
  EXPECT_EQ(as_net.rows_total, 2000);  // 20 + 20 - 20
  EXPECT_EQ(as_net.verdict(), "header_total_wrong");
  const auto net_header = replaced(xml, "<importoTotalePagamenti>60.00<", "<importoTotalePagamenti>20.00<");
  EXPECT_EQ(reconcile(write("revoked-net.xml", net_header), net).verdict(), "ok");
}

TEST_F(FdrChecks, MalformedFlowReportsOnlyThat) {
  const auto xml = replaced(milano(), "</singoloImportoPagato>", "</singoloImporto>");
  auto r = reconcile(write("broken.xml", xml));
  EXPECT_EQ(r.verdict(), "malformed");
  EXPECT_EQ(r.problems, std::vector<FlowProblem>{FlowProblem::malformed});
  EXPECT_EQ(r.error_code, "fdr.malformed");
  EXPECT_EQ(r.error_line, line_of(xml, "</singoloImporto>"));
  EXPECT_EQ(r.error_line, 28);
}

TEST_F(FdrChecks, StagingIsEmptiedBetweenFlows) {
  // The same flow twice through one staging table: no duplicates across flows.
  for (int i = 0; i < 2; ++i) {
    auto r = reconcile(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"));
    EXPECT_EQ(r.duplicates, 0) << i;
    EXPECT_EQ(r.verdict(), "ok") << i;
  }
}

TEST_F(FdrChecks, GeneratedFlowExactCentsAndDuplicates) {
  sp::testing::GeneratedFlow g;
  g.rows = 20000;
  g.duplicate_every = 1000;
  g.revoked_every = 7;
  const auto path = dir_.path() / "gen.xml";
  const auto total = sp::testing::write_generated_flow(path, g);
  auto r = reconcile(path.string());
  EXPECT_EQ(r.rows, 20000);
  EXPECT_EQ(r.rows_total, total);
  EXPECT_EQ(r.duplicates, 19);
  EXPECT_EQ(r.verdict(), "duplicate_rows");
  std::int64_t distinct = 0;
  for (auto n : r.per_outcome) distinct += n;
  EXPECT_EQ(distinct, 20000 - 19);
  EXPECT_GT(outcome(r, Outcome::revoked), 0);

  g.duplicate_every = 0;
  g.declared_total_delta = 1;  // one cent off over 20,000 rows
  sp::testing::write_generated_flow(path, g);
  EXPECT_EQ(reconcile(path.string()).verdict(), "header_total_wrong");
}

TEST(FdrRevision, LaterReplacesEqualOrEarlierIsIgnored) {
  const auto t = time::parse_iso_utc("2026-12-05T06:30:00Z").value();
  EXPECT_EQ(decide_revision(std::nullopt, t), Revision::new_flow);
  EXPECT_EQ(decide_revision(t, t + std::chrono::seconds(1)), Revision::replaces);
  EXPECT_EQ(decide_revision(t, t + std::chrono::milliseconds(1)), Revision::replaces);
  EXPECT_EQ(decide_revision(t, t), Revision::ignored);
  EXPECT_EQ(decide_revision(t, t - std::chrono::hours(24)), Revision::ignored);
  EXPECT_EQ(to_string(Revision::replaces), "replaces");
}

TEST(FdrVocabulary, NamesAreStable) {
  EXPECT_EQ(to_string(FlowProblem::header_count_wrong), "header_count_wrong");
  EXPECT_EQ(to_string(FlowProblem::header_total_wrong), "header_total_wrong");
  EXPECT_EQ(to_string(FlowProblem::duplicate_rows), "duplicate_rows");
  EXPECT_EQ(to_string(FlowProblem::wrong_receiver), "wrong_receiver");
  EXPECT_EQ(to_string(FlowProblem::malformed), "malformed");
  EXPECT_EQ(to_string(RowStatus::duplicate_row), "duplicate_row");
  EXPECT_EQ(to_string(RowStatus::stand_in), "stand_in");
  EXPECT_EQ(to_string(RowStatus::without_rpt), "without_rpt");
  EXPECT_EQ(parse_outcome_code("8"), Outcome::stand_in_without_rpt);
  EXPECT_FALSE(parse_outcome_code("1").has_value());
  FlowReport ok;
  EXPECT_EQ(ok.verdict(), "ok");
}

}  // namespace
}  // namespace sp::payments::reporting::test
