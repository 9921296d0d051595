// pagoPA's FdR organization API: our routes (what the simulated node mounts) and our client, on a real
// server on loopback; the flows it fetches rendered as XML valid against pagoPA's own XSD and imported.
#include <cstdlib>
#include <fstream>
#include <thread>

#include "http/router.hpp"
#include "http/server.hpp"
#include "integration/payments_reconciliation/recon_fixture.hpp"
#include "payments/reconciliation_pull.hpp"
#include "support/fdr_flow_generator.hpp"

namespace sp::payments::recon_testing {
namespace {

using namespace std::chrono_literals;

// xmllint against pagoPA's develop XSD (outcome codes 0, 3, 4, 8, 9); {status, output}.
std::pair<int, std::string> validate_official(const std::string& xml) {
  sp::testing::TempDir dir;
  const auto file = std::filesystem::path(dir.path()) / "flow.xml";
  std::ofstream(file) << xml;
  const auto out = std::filesystem::path(dir.path()) / "out.txt";
  const auto xsd = sp::testing::shared_pagopa_dir() / "FlussoRiversamento_1_0_4.develop.xsd";
  const std::string cmd =
      "xmllint --noout --schema '" + xsd.string() + "' '" + file.string() + "' > '" + out.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {status, text};
}

TEST(FdrOrgXml, RenderedFlowsAreValidAgainstPagoPasXsdAndExactToTheCent) {
  auto f = make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                     {pay("02000000000000101", "iur-1", 10), pay("02000000000000102", "iur-2", 20, "REVOKED"),
                      pay("02000000000000103", "iur-3", 123456, "STAND_IN", 2),
                      pay("02000000000000104", "iur-4", 1, "STAND_IN_NO_RPT"),
                      pay("02000000000000105", "iur-5", 99999, "NO_RPT")});
  f.bic_code_pouring_bank = "BCITITMMXXX";
  const auto xml = fdr::render_fdr_xml(f);
  auto [status, out] = validate_official(xml);
  EXPECT_EQ(status, 0) << out << "\n" << xml;
  EXPECT_NE(xml.find("<importoTotalePagamenti>2234.86</importoTotalePagamenti>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<singoloImportoPagato>0.10</singoloImportoPagato>"), std::string::npos);
  EXPECT_NE(xml.find("<codiceEsitoSingoloPagamento>8</codiceEsitoSingoloPagamento>"), std::string::npos);
}

TEST(FdrOrgJson, AmountsAreNumbersWithTwoDecimalsAndComeBackAsTheSameCents) {
  auto f = make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                     {pay("02000000000000101", "iur-1", 10), pay("02000000000000102", "iur-2", 29),
                      pay("02000000000000103", "iur-3", 123456789)});
  const auto header = fdr::flow_json(f);
  EXPECT_NE(header.find("\"sumPayments\":1234568.28"), std::string::npos) << header;
  auto back = fdr::parse_flow(header);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(back->sum_payments, 123456828);
  EXPECT_EQ(back->psp_id, "BCITITMM");
  EXPECT_EQ(back->organization_id, kAstiCf);
  auto page = fdr::parse_payments(fdr::payments_json(f, 1, 2));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_pages, 2);
  ASSERT_EQ(page->payments.size(), 2u);
  EXPECT_EQ(page->payments[0].amount, 10);
  EXPECT_EQ(page->payments[1].amount, 29);
}

TEST_P(ReconTest, TheClientFetchesEveryPageFromOurRoutesAndTheFlowsImportLikeFiles) {
  const auto a = paid("TARI-1", "iur-1");
  const auto b = paid("TARI-2", "iur-2");
  TestSource source;
  source.flows.push_back(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                                   {pay(a.iuv, "iur-1", 20000), pay(b.iuv, "iur-2", 20000)}));
  source.flows.push_back(
      make_flow("2026-03-05BCITITMM-0002", "2026-03-05T07:30:00Z", {pay(a.iuv, "iur-9", 1)}));
  source.flows.push_back(
      make_flow("2026-03-05BCITITMM-0003", "2026-03-05T07:30:00Z", {pay(a.iuv, "iur-1", 1)}, kNovaraCf));
  FdrServer server(source);

  // Without the subscription key: refused.
  fdr::Client anonymous(adapters::HttpClient{}, {server.base(), "", 1, ""});
  auto refused = anonymous.list(kAstiCf);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "fdr_api.status");

  // Pages of one item: the client walks them all.
  fdr::Client client(adapters::HttpClient{}, {server.base(), "sub-key", 1, ""});
  auto refs = client.list(kAstiCf);
  ASSERT_TRUE(refs.ok()) << refs.error().code << " " << refs.error().detail;
  ASSERT_EQ(refs->size(), 2u);
  std::vector<recon::FlowImport> imports;
  for (const auto& ref : *refs) {
    auto flow = client.fetch(kAstiCf, ref);
    ASSERT_TRUE(flow.ok()) << flow.error().code << " " << flow.error().detail;
    EXPECT_EQ(flow->payments.size(), ref.fdr.ends_with("0001") ? 2u : 1u);
    const auto xml = fdr::render_fdr_xml(*flow);
    EXPECT_EQ(validate_official(xml).first, 0) << xml;
    auto imp = recon().import_flow(system_, asti_, xml, recon::FlowSource::fdr_api);
    ASSERT_TRUE(imp.ok());
    imports.push_back(*imp);
  }
  EXPECT_EQ(imports[0].outcome, recon::ImportOutcome::recorded);
  EXPECT_EQ(rows_of(imports[0], RowResult::matched), 2);
  EXPECT_EQ(rows_of(imports[1], RowResult::reported_no_receipt), 1);
  // An unknown flow: the node's 404.
  auto missing = client.fetch(kAstiCf, {"2026-03-05BCITITMM-0404", "BCITITMM", 1, "", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().detail.substr(0, 3), "404");
}

TEST_P(ReconTest, ThePullImportsEveryBodysFlowsOnceAndThenSkipsThem) {
  const auto a = paid("TARI-1", "iur-1");
  TestSource source;
  source.flows.push_back(
      make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(a.iuv, "iur-1", 20000)}));
  source.flows.push_back(
      make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z", {pay(a.iuv, "iur-1", 20000)}, kNovaraCf));
  FdrServer server(source);
  const fdr::Client client(adapters::HttpClient{}, {server.base(), "sub-key", 1000, ""});
  auto first = recon::pull_all(recon(), db(), client);
  EXPECT_TRUE(first.errors.empty()) << first.errors.front();
  EXPECT_EQ(first.listed, 2);
  EXPECT_EQ(first.recorded, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flows WHERE source = 'fdr_api'"), 2);
  // Each body got its own: Asti's row matched, Novara's names an IUV Novara does not have.
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_rows WHERE result = 'matched' AND tenant_id = " +
                  std::to_string(asti_)),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_rows WHERE result = 'unknown_iuv' AND tenant_id = " +
                  std::to_string(novara_)),
            1);
  auto second = recon::pull_all(recon(), db(), client);
  EXPECT_EQ(second.skipped, 2);
  EXPECT_EQ(second.recorded, 0);
  // A new revision published: fetched and recorded as superseding.
  source.flows[0].fdr_date = "2026-03-05T09:00:00Z";
  auto third = recon::pull_all(recon(), db(), client);
  EXPECT_EQ(third.replaced, 1);
  EXPECT_EQ(third.skipped, 1);
}

}  // namespace
}  // namespace sp::payments::recon_testing
