// The streaming reporting-flow reader on the public samples (../shared/pagopa) and on broken variants:
// header fields, rows in order with exact cents, outcome codes 0/3/4/8/9, errors naming the line.
#include <gtest/gtest.h>

#include "reporting_fixture.hpp"

namespace sp::payments::reporting::test {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

TEST(FdrReader, MilanoSampleHeaderAndThreeRowsOfTwentyEuro) {
  auto r = read_all_file(sample_path("fdr_gpd_mock_comune_milano_3pay.xml"));
  ASSERT_TRUE(r.status.ok()) << r.status.error().detail;
  EXPECT_EQ(r.headers, 1);
  EXPECT_EQ(r.header.version, "1.0");
  EXPECT_EQ(r.header.flow_id, "2021-07-27SELBIT2B-S003014897");
  EXPECT_EQ(r.header.flow_time_text, "2021-07-27T12:00:07");
  // No zone: Rome's wall clock, summer time (UTC+2).
  EXPECT_EQ(time::format_iso_utc(r.header.flow_time), "2021-07-27T10:00:07Z");
  EXPECT_EQ(r.header.settlement_iur, "Bonifico SEPA-03268-A0EDT");
  EXPECT_EQ(r.header.settlement_date, time::Date(year(2021), month(7), day(27)));
  EXPECT_EQ(r.header.sender.id_type, "B");
  EXPECT_EQ(r.header.sender.id, "SELBIT2B");
  EXPECT_EQ(r.header.sender.name, "Banca Sella");
  EXPECT_EQ(r.header.receiver.id_type, "G");
  EXPECT_EQ(r.header.receiver.id, "77777777777");
  EXPECT_EQ(r.header.receiver.name, "COMUNE DI MILANO");
  EXPECT_EQ(r.header.declared_count, 3);
  EXPECT_EQ(r.header.declared_total, 6000);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].iuv, "02030267565002997");
  EXPECT_EQ(r.rows[0].iur, "63e54a6b51694167ad30dafa0cb3a3c7");
  EXPECT_EQ(r.rows[1].iuv, "02030267565002999");
  EXPECT_EQ(r.rows[2].iuv, "02030267565002998");
  money::Cents sum = 0;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_EQ(r.rows[i].ordinal, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(r.rows[i].index, 2);
    EXPECT_EQ(r.rows[i].amount, 2000);
    EXPECT_EQ(r.rows[i].outcome, Outcome::executed);
    EXPECT_EQ(r.rows[i].outcome_date, time::Date(year(2021), month(7), day(26)));
    sum += r.rows[i].amount;
  }
  EXPECT_EQ(sum, 6000);
}

TEST(FdrReader, DevportalExampleHasOnePayment) {
  auto r = read_all_file(sample_path("fdr_devportal_docs_example_1pay.xml"));
  ASSERT_TRUE(r.status.ok()) << r.status.error().detail;
  EXPECT_EQ(r.header.flow_id, "2021-11-21ABI00000-AABB648200001295");
  // 00:37:32 in Rome in November (UTC+1) is the evening before in UTC.
  EXPECT_EQ(time::format_iso_utc(r.header.flow_time), "2021-11-21T23:37:32Z");
  EXPECT_EQ(r.header.declared_total, 123456);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].iuv, "12210209926737900");
  EXPECT_EQ(r.rows[0].iur, "2130101502302932577");
  EXPECT_EQ(r.rows[0].index, 1);
  EXPECT_EQ(r.rows[0].amount, 123456);
}

TEST(FdrReader, VeneziaSampleGivesBothIdenticalOutcomeNineRows) {
  auto r = read_all_file(sample_path("fdr_p4pa_test_venezia_esito9_dup.xml"));
  ASSERT_TRUE(r.status.ok()) << r.status.error().detail;
  EXPECT_EQ(r.header.receiver.id, "00625230271");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].outcome, Outcome::without_rpt);
  EXPECT_EQ(r.rows[0].iuv, r.rows[1].iuv);
  EXPECT_EQ(r.rows[0].iur, r.rows[1].iur);
  EXPECT_EQ(r.rows[0].amount, 15000);
}

TEST(FdrReader, NonStandardRevisioneFlussoIsInvalidAtItsLine) {
  const std::string path =
      sample_path("fdr_p4pa_test_venezia_esito9_dup_WITH_revisioneFlusso_nonstandard.xml");
  auto r = read_all_file(path);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code, "fdr.invalid");
  EXPECT_EQ(r.failure.line, line_of(read_text(path), "<revisioneFlusso>"));
  EXPECT_TRUE(r.status.error().detail.starts_with("5: ")) << r.status.error().detail;
  EXPECT_EQ(r.headers, 0);
  EXPECT_TRUE(r.rows.empty());
}

TEST(FdrReader, EveryOutcomeCodeIsAccepted) {
  for (const auto& [code, outcome] :
       std::vector<std::pair<std::string, Outcome>>{{"0", Outcome::executed},
                                                    {"3", Outcome::revoked},
                                                    {"4", Outcome::stand_in},
                                                    {"8", Outcome::stand_in_without_rpt},
                                                    {"9", Outcome::without_rpt}}) {
    auto xml = replaced_nth(milano(), "<codiceEsitoSingoloPagamento>0<",
                            "<codiceEsitoSingoloPagamento>" + code + "<", 1);
    auto r = read_all_memory(xml);
    ASSERT_TRUE(r.status.ok()) << code << ": " << r.status.error().detail;
    ASSERT_EQ(r.rows.size(), 3u);
    EXPECT_EQ(r.rows[1].outcome, outcome) << code;
    EXPECT_EQ(r.rows[0].outcome, Outcome::executed);
  }
}

TEST(FdrReader, OtherOutcomeCodesAreInvalidNamingTheLine) {
  for (const std::string code : {"1", "2", "5", "7", "00", "-"}) {
    auto xml = replaced_nth(milano(), "<codiceEsitoSingoloPagamento>0<",
                            "<codiceEsitoSingoloPagamento>" + code + "<", 2);
    auto r = read_all_memory(xml);
    ASSERT_FALSE(r.status.ok()) << code;
    EXPECT_EQ(r.status.error().code, "fdr.invalid") << code;
    EXPECT_EQ(r.failure.line, line_of(xml, "<codiceEsitoSingoloPagamento>" + code + "<")) << code;
    EXPECT_EQ(r.rows.size(), 2u) << "the rows before the bad one were handed over, not the bad one";
  }
}

TEST(FdrReader, AmountsMustHaveTwoDecimalsAndNoSign) {
  for (const std::string amount : {"-20.00", "20.0", "20", "20.000", "0.00", "20,00", "1000000000.00"}) {
    auto xml = replaced(milano(), "<singoloImportoPagato>20.00<", "<singoloImportoPagato>" + amount + "<");
    auto r = read_all_memory(xml);
    ASSERT_FALSE(r.status.ok()) << amount;
    EXPECT_EQ(r.status.error().code, "fdr.invalid") << amount;
    EXPECT_EQ(r.failure.line, line_of(xml, "<singoloImportoPagato>" + amount)) << amount;
  }
}

TEST(FdrReader, BlanksAroundNumbersAndDecimalCountsReadAsTheSchemaReadsThem) {
  auto xml = replaced(milano(), "<singoloImportoPagato>20.00<", "<singoloImportoPagato>\n  20.00\n<");
  xml = replaced(xml, "<numeroTotalePagamenti>3<", "<numeroTotalePagamenti>3.0<");
  xml = replaced(xml, "<indiceDatiSingoloPagamento>2<", "<indiceDatiSingoloPagamento>+02<");
  auto r = read_all_memory(xml);
  ASSERT_TRUE(r.status.ok()) << r.status.error().detail;
  EXPECT_EQ(r.header.declared_count, 3);
  EXPECT_EQ(r.rows[0].amount, 2000);
  EXPECT_EQ(r.rows[0].index, 2);
}

TEST(FdrReader, TransferIndexOneToFiveAndOneWhenAbsent) {
  auto xml = replaced(milano(), "<indiceDatiSingoloPagamento>2</indiceDatiSingoloPagamento>", "");
  xml = replaced(xml, "<indiceDatiSingoloPagamento>2<", "<indiceDatiSingoloPagamento>5<");
  auto r = read_all_memory(xml);
  ASSERT_TRUE(r.status.ok()) << r.status.error().detail;
  EXPECT_EQ(r.rows[0].index, 1);
  EXPECT_EQ(r.rows[1].index, 5);
  for (const std::string bad : {"0", "6", "x"}) {
    auto b = read_all_memory(
        replaced(milano(), "<indiceDatiSingoloPagamento>2<", "<indiceDatiSingoloPagamento>" + bad + "<"));
    ASSERT_FALSE(b.status.ok()) << bad;
    EXPECT_EQ(b.status.error().code, "fdr.invalid");
  }
}

TEST(FdrReader, MalformedXmlNamesTheLine) {
  // The original GPD mock had a broken prolog: text before the XML declaration.
  auto prolog = read_all_memory("\n" + milano());
  ASSERT_FALSE(prolog.status.ok());
  EXPECT_EQ(prolog.status.error().code, "fdr.malformed");
  EXPECT_EQ(prolog.failure.line, 2);

  auto mismatched = replaced(milano(), "</singoloImportoPagato>", "</singoloImportoPagat>");
  auto r = read_all_memory(mismatched);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code, "fdr.malformed");
  EXPECT_EQ(r.failure.line, line_of(mismatched, "</singoloImportoPagat>"));
  EXPECT_TRUE(r.status.error().detail.starts_with(std::to_string(r.failure.line) + ": "));

  auto truncated = read_all_memory(milano().substr(0, milano().size() / 2));
  ASSERT_FALSE(truncated.status.ok());
  EXPECT_EQ(truncated.status.error().code, "fdr.malformed");

  auto empty = read_all_memory("");
  ASSERT_FALSE(empty.status.ok());
  EXPECT_EQ(empty.status.error().code, "fdr.malformed");

  auto not_xml = read_all_memory("identificativoFlusso;importo\n2021-07-27SELBIT2B-S003014897;60.00\n");
  ASSERT_FALSE(not_xml.status.ok());
  EXPECT_EQ(not_xml.status.error().code, "fdr.malformed");
}

TEST(FdrReader, OtherNamespaceOrRootIsInvalid) {
  auto other_ns = read_all_memory(
      replaced(milano(), "http://www.digitpa.gov.it/schemas/2011/Pagamenti/", "http://example.org/fdr/"));
  ASSERT_FALSE(other_ns.status.ok());
  EXPECT_EQ(other_ns.status.error().code, "fdr.invalid");
  auto no_rows = read_all_memory(milano().substr(0, milano().find("    <datiSingoliPagamenti>")) +
                                 "</FlussoRiversamento>\n");
  ASSERT_FALSE(no_rows.status.ok());
  EXPECT_EQ(no_rows.status.error().code, "fdr.invalid");
}

TEST(FdrReader, NoEntityExpansionNorExternalFetch) {
  // An internal entity is not expanded into the data (no XML_PARSE_NOENT); an external one is not
  // fetched (XML_PARSE_NONET, no DTD loading). Either way the flow is refused, never silently read.
  auto xml = replaced(milano(), "<FlussoRiversamento ",
                      "<!DOCTYPE FlussoRiversamento [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n"
                      "<FlussoRiversamento ");
  xml = replaced(xml, "Banca Sella", "&x;");
  auto r = read_all_memory(xml);
  ASSERT_FALSE(r.status.ok());
}

TEST(FdrReader, CallbackErrorStopsTheReading) {
  int rows = 0;
  FlowCallbacks cb;
  cb.on_row = [&](const FlowRow&) -> Status {
    ++rows;
    return Error::make("fdr.staging", 500, "disk full");
  };
  auto st = read_flow_memory(milano(), our_schema(), cb);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "fdr.staging");
  EXPECT_EQ(rows, 1);
}

TEST(FdrReader, MissingFileAndBadSchema) {
  auto r = read_all_file("/nonexistent/flow.xml");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code, "fdr.io");
  auto s = FlowSchema::load("/nonexistent/fdr.xsd");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "fdr.schema");
}

TEST(FdrReader, FlowTimesWithAndWithoutZone) {
  EXPECT_EQ(time::format_iso_utc(parse_flow_time("2026-01-15T10:00:00").value()), "2026-01-15T09:00:00Z");
  EXPECT_EQ(time::format_iso_utc(parse_flow_time("2026-07-15T10:00:00").value()), "2026-07-15T08:00:00Z");
  EXPECT_EQ(time::format_iso_utc(parse_flow_time("2026-07-15T10:00:00Z").value()), "2026-07-15T10:00:00Z");
  EXPECT_EQ(time::format_iso_utc(parse_flow_time("2026-07-15T10:00:00+02:00").value()),
            "2026-07-15T08:00:00Z");
  EXPECT_EQ(time::format_iso_utc_millis(parse_flow_time("2026-07-15T10:00:00.250").value()),
            "2026-07-15T08:00:00.250Z");
  EXPECT_FALSE(parse_flow_time("2026-07-15").ok());
  EXPECT_FALSE(parse_flow_time("2026-13-15T10:00:00").ok());
  EXPECT_EQ(parse_flow_date("2021-11-21").value(), time::Date(year(2021), month(11), day(21)));
  EXPECT_EQ(parse_flow_date("2021-11-21Z").value(), time::Date(year(2021), month(11), day(21)));
  EXPECT_EQ(parse_flow_date("2021-11-21+01:00").value(), time::Date(year(2021), month(11), day(21)));
  EXPECT_FALSE(parse_flow_date("2021-11-21T00:00").ok());
}

TEST(FdrReader, GeneratedFlowRoundTrips) {
  sp::testing::TempDir dir;
  const auto path = dir.path() / "gen.xml";
  sp::testing::GeneratedFlow g;
  g.rows = 1000;
  const auto total = sp::testing::write_generated_flow(path, g);
  money::Cents sum = 0;
  std::int64_t n = 0;
  FlowCallbacks cb;
  cb.on_row = [&](const FlowRow& row) -> Status {
    sum += row.amount;
    ++n;
    return Ok{};
  };
  FlowHeader header;
  cb.on_header = [&](const FlowHeader& h) -> Status {
    header = h;
    return Ok{};
  };
  ASSERT_TRUE(read_flow_file(path.string(), our_schema(), cb).ok());
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(sum, total);
  EXPECT_EQ(header.declared_total, total);
  auto elements = validate_flow_file(path.string(), our_schema());
  ASSERT_TRUE(elements.ok());
  EXPECT_EQ(*elements, 1 + 17 + 1000 * 7);  // root, 17 header elements, 7 per row
}

}  // namespace
}  // namespace sp::payments::reporting::test
