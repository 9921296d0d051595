// Importing debt positions from CSV and JSON files (payments/import_run.hpp; docs/payments.md,
// "Importing positions"): the documented layout, all or nothing, dry runs, the per-position report in
// both languages, tenants as walls, and 50,000 positions in bounded memory.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/service.hpp"
#include "integration/payments/payments_fixture.hpp"
#include "payments/import_json.hpp"
#include "payments/import_run.hpp"
#include "support/testing.hpp"

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer the quarantine of freed blocks (256 MB by default) grows with the work done, not
// with what is live: keep it small in this executable so that the peak below measures the import's own
// memory (as reconcile_cli_test does for its child process).
extern "C" const char* __asan_default_options() {  // NOLINT: the sanitizer runtime's hook
  return "quarantine_size_mb=1";
}
#endif

namespace sp::payments::testing {
namespace {

const std::string kHeader =
    "iupd;debtor_type;debtor_fiscal_code;debtor_name;debtor_email;iuv;amount;description;due_date;"
    "instalment;iban;category;remittance\n";

class ImportTest : public PaymentsTest {
 protected:
  void SetUp() override {
    PaymentsTest::SetUp();
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    import_ = std::make_unique<PositionImport>(db(), clock_, payments());
  }

  ImportReport run(const std::string& text, ImportFormat f = ImportFormat::csv, bool dry = false,
                   tenants::TenantId body = kBody) {
    ImportOptions o;
    o.format = f;
    o.dry_run = dry;
    o.publish = true;
    auto r = import_->run(system_, body, o, [&text] { return std::make_unique<std::istringstream>(text); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code);
    return r.ok() ? *r : ImportReport{};
  }

  I18n i18n_;
  std::unique_ptr<PositionImport> import_;
};

TEST(EuroAmounts, DecimalCommaAtMostTwoDecimalsNoThousandsSeparator) {
  EXPECT_EQ(parse_euro_amount("12,50"), 1250);
  EXPECT_EQ(parse_euro_amount("12,5"), 1250);
  EXPECT_EQ(parse_euro_amount("12"), 1200);
  EXPECT_EQ(parse_euro_amount("0,99"), 99);
  EXPECT_EQ(parse_euro_amount("1250,00"), 125000);
  EXPECT_FALSE(parse_euro_amount("12.50"));
  EXPECT_FALSE(parse_euro_amount("1.250,00"));
  EXPECT_FALSE(parse_euro_amount("12,505"));
  EXPECT_FALSE(parse_euro_amount("12,"));
  EXPECT_FALSE(parse_euro_amount(",50"));
  EXPECT_FALSE(parse_euro_amount("-5"));
  EXPECT_FALSE(parse_euro_amount("€ 5"));
  EXPECT_FALSE(parse_euro_amount(""));
}

TEST_P(ImportTest, ACsvFileWithInstalmentsQuotesAndItalianDatesIsImported) {
  const std::string csv = "\xEF\xBB\xBF" + kHeader +
                          "TARI-2026-001;F;FRRNNA78S70A479X;Anna Ferrero;anna@example.it;;200,00;TARI 2026 "
                          "unica soluzione;16/06/2026;0;;9/0101108TS/;\r\n"
                          "TARI-2026-001;F;FRRNNA78S70A479X;Anna Ferrero;anna@example.it;;100;TARI 2026 rata "
                          "1;2026-06-16;si;;9/0101108TS/;\r\n"
                          "TARI-2026-001;F;FRRNNA78S70A479X;Anna Ferrero;anna@example.it;;100,00;TARI 2026 "
                          "rata 2;16/12/2026;1;;9/0101108TS/;\r\n"
                          "COSAP-7;G;00743110157;\"Edilizia Monferrato; Srl\";;;12,5;\"Canone \"\"dehors\"\" "
                          "2026\";2026-12-31;no;"
                          "IT60X0542811101000000123456;9/0101100IM/;Canone 2026\n";
  auto r = run(csv);
  ASSERT_FALSE(r.file_error) << r.file_error->code << " " << r.file_error->field;
  ASSERT_TRUE(r.imported) << (r.rows.empty() || !r.rows[0].error ? "" : r.rows[0].error->code);
  EXPECT_EQ(r.positions, 2u);
  EXPECT_EQ(r.options, 4u);
  EXPECT_EQ(r.total, 20000 + 10000 + 10000 + 1250);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].row, 2u);  // the header is line 1
  EXPECT_EQ(r.rows[1].row, 5u);
  EXPECT_EQ(r.rows[0].outcome, ImportOutcome::imported);

  auto tari = payments().get(system_, kBody, "TARI-2026-001");
  ASSERT_TRUE(tari.ok());
  EXPECT_EQ(tari->status, PositionStatus::valid);
  ASSERT_EQ(tari->options.size(), 3u);
  EXPECT_EQ(tari->options[0].due_date, day(2026, 6, 16));
  EXPECT_FALSE(tari->options[0].is_partial_payment);
  EXPECT_TRUE(tari->options[1].is_partial_payment);
  EXPECT_EQ(tari->options[2].due_date, day(2026, 12, 16));
  EXPECT_EQ(tari->options[0].transfers[0].iban, kIban);  // the creditor's, the column being empty
  EXPECT_EQ(tari->options[0].transfers[0].remittance, "TARI 2026 unica soluzione");
  auto cosap = payments().get(system_, kBody, "COSAP-7");
  ASSERT_TRUE(cosap.ok());
  EXPECT_EQ(cosap->debtor.type, DebtorType::legal);
  EXPECT_EQ(cosap->debtor.full_name, "Edilizia Monferrato; Srl");
  EXPECT_EQ(cosap->options[0].description, "Canone \"dehors\" 2026");
  EXPECT_EQ(cosap->options[0].amount, 1250);
  audit::AuditService audit(db(), clock_);
  int created = 0;
  for (const auto& s : audit.entries(kBody, {.limit = 50}).entries)
    created += s.entry.action == "payment_position.create" ? 1 : 0;
  EXPECT_EQ(created, 2);
}

TEST_P(ImportTest, OneBadRowAndNothingIsRecordedWithALocalizedReport) {
  const std::string csv = kHeader +
                          "A-1;F;FRRNNA78S70A479X;Anna Ferrero;;;10,00;Uno;2026-06-16;0;;9/0101108TS/;\n"
                          "A-2;F;FRRNNA78S70A479X;Anna Ferrero;;;10.00;Due;2026-06-16;0;;9/0101108TS/;\n"
                          "A-3;F;FRRNNA78S70A479Y;Anna Ferrero;;;10,00;Tre;2026-06-16;0;;9/0101108TS/;\n"
                          "A-4;F;FRRNNA78S70A479X;Anna Ferrero;;;10,00;Quattro;2026-06-16;0;;9/0101108TS/;\n";
  auto r = run(csv);
  EXPECT_FALSE(r.imported);
  EXPECT_EQ(r.refused, 2u);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].outcome, ImportOutcome::not_imported);
  EXPECT_EQ(r.rows[1].outcome, ImportOutcome::invalid);
  EXPECT_EQ(r.rows[1].error->code, "import.amount");
  EXPECT_EQ(r.rows[1].error_row, 3u);
  EXPECT_EQ(r.rows[2].error->code, "payments.debtor_fiscal_code");
  EXPECT_EQ(r.rows[2].error_row, 4u);
  EXPECT_EQ(r.rows[3].outcome, ImportOutcome::not_imported);
  EXPECT_EQ(count("payment_positions"), 0);
  EXPECT_EQ(count("payment_options"), 0);

  auto it = import_report_json(r, i18n_, "it");
  auto& row = it["rows"].as_array()[1].as_object();
  EXPECT_EQ(row["outcome"].as_string(), "invalid");
  EXPECT_NE(std::string(row["message"].as_string()).find("Riga 3"), std::string::npos) << row["message"];
  auto en = import_report_json(r, i18n_, "en");
  EXPECT_NE(std::string(en["rows"].as_array()[1].as_object()["message"].as_string()).find("Line 3"),
            std::string::npos);
  std::ostringstream csv_report;
  write_import_report_csv(csv_report, r, i18n_, "it");
  EXPECT_EQ(csv_report.str().substr(0, csv_report.str().find('\n')),
            "row;iupd;options;outcome;error;field;message");
  EXPECT_NE(csv_report.str().find("\n3;A-2;1;invalid;import.amount;amount;"), std::string::npos)
      << csv_report.str();
  std::ostringstream text;
  write_import_report_text(text, r, i18n_, "it");
  EXPECT_EQ(text.str().rfind("Nulla è stato importato: 2 posizioni su 4", 0), 0u) << text.str();
}

TEST_P(ImportTest, ADryRunChecksAndRecordsNothing) {
  const std::string csv =
      kHeader + "D-1;F;FRRNNA78S70A479X;Anna Ferrero;;;10,00;Uno;2026-06-16;0;;9/0101108TS/;\n";
  const auto audited = count("audit_log");
  auto r = run(csv, ImportFormat::csv, /*dry=*/true);
  EXPECT_FALSE(r.imported);
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.rows.at(0).outcome, ImportOutcome::valid);
  EXPECT_EQ(count("payment_positions"), 0);
  EXPECT_EQ(count("audit_log"), audited);
}

TEST_P(ImportTest, FileErrorsHeaderRepeatsAndMismatches) {
  EXPECT_EQ(run("").file_error->code, "import.empty");
  EXPECT_EQ(run("iupd;colore\n").file_error->code, "import.column_unknown");
  auto missing = run("iupd;amount\n");
  EXPECT_EQ(missing.file_error->code, "import.column_missing");
  EXPECT_EQ(missing.file_error->field, "debtor_fiscal_code");
  auto repeated = run(kHeader +
                      "R-1;F;FRRNNA78S70A479X;Anna;;;1;a;2026-06-16;0;;9/0101108TS/;\n"
                      "R-2;F;FRRNNA78S70A479X;Anna;;;1;b;2026-06-16;0;;9/0101108TS/;\n"
                      "R-1;F;FRRNNA78S70A479X;Anna;;;1;c;2026-06-16;1;;9/0101108TS/;\n");
  ASSERT_EQ(repeated.rows.size(), 3u);
  EXPECT_EQ(repeated.rows[2].error->code, "import.iupd_repeated");
  auto mismatch = run(kHeader +
                      "M-1;F;FRRNNA78S70A479X;Anna;;;1;a;2026-06-16;0;;9/0101108TS/;\n"
                      "M-1;F;CCCFBA85D03L219P;Anna;;;1;b;2026-06-16;1;;9/0101108TS/;\n");
  ASSERT_EQ(mismatch.rows.size(), 1u);
  EXPECT_EQ(mismatch.rows[0].error->code, "import.position_mismatch");
  EXPECT_EQ(mismatch.rows[0].error->field, "debtor_fiscal_code");
  EXPECT_EQ(mismatch.rows[0].error_row, 3u);
  EXPECT_EQ(run(kHeader + "Q-1;F;\"FRRNNA78S70A479X;Anna\n").file_error->code, "import.quote");
  EXPECT_EQ(count("payment_positions"), 0);
}

TEST_P(ImportTest, AnIupdTheBodyAlreadyHasRefusesTheFileButAnotherBodysDoesNot) {
  ASSERT_TRUE(payments().create(system_, kBody, tari("TARI-2026-X")).ok());
  const std::string csv =
      kHeader + "TARI-2026-X;F;FRRNNA78S70A479X;Anna Ferrero;;;10,00;Uno;2026-06-16;0;;9/0101108TS/;\n";
  auto mine = run(csv);
  EXPECT_FALSE(mine.imported);
  EXPECT_EQ(mine.rows.at(0).error->code, "payments.iupd_exists");
  auto other = run(csv, ImportFormat::csv, false, kOtherBody);
  EXPECT_TRUE(other.imported);
  EXPECT_EQ(count("payment_positions"), 2);
}

TEST_P(ImportTest, JsonAsTheBulkCallsBodyOrABareArray) {
  const std::string position = R"({"iupd": "J-%", "type": "F", "fiscalCode": "FRRNNA78S70A479X",
    "fullName": "Anna Ferrero", "paymentOption": [{"amount": 5000, "description": "Retta mensa \"marzo\"",
    "isPartialPayment": false, "dueDate": "2026-06-30T23:59:59", "transfer": [
      {"idTransfer": "1", "amount": 3000, "iban": "IT60X0542811101000000123456", "remittanceInformation": "Mensa",
       "category": "9/0101100IM/"},
      {"idTransfer": "2", "amount": 2000, "iban": "IT60X0542811101000000123456", "remittanceInformation": "Trasporto",
       "category": "9/0101100IM/"}]}]})";
  auto with = [&](const std::string& id) {
    std::string s = position;
    s.replace(s.find('%'), 1, id);
    return s;
  };
  auto wrapped = run("{\"note\": [1, {\"x\": \"]\"}], \"paymentPositions\": [" + with("1") + ", " +
                         with("2") + "], \"count\": 2}",
                     ImportFormat::json);
  ASSERT_TRUE(wrapped.imported) << (wrapped.file_error ? wrapped.file_error->detail : "");
  EXPECT_EQ(wrapped.positions, 2u);
  auto bare = run("[" + with("3") + "]", ImportFormat::json);
  ASSERT_TRUE(bare.imported);
  auto p = payments().get(system_, kBody, "J-3");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->options[0].transfers.size(), 2u);
  EXPECT_EQ(p->options[0].description, "Retta mensa \"marzo\"");

  auto fine = run(R"([{"iupd": "V-1", "type": "F", "fiscalCode": "FRRNNA78S70A479X", "fullName": "A",
                     "fine": {"notificationDate": "2026-03-03", "sanctionAmount": 4200}}])",
                  ImportFormat::json);
  EXPECT_EQ(fine.rows.at(0).error->code, "payments.fine");
  EXPECT_EQ(run("[" + with("4") + ", 7]", ImportFormat::json).file_error->code, "import.json");
  EXPECT_EQ(run("{\"paymentPositions\": [" + with("5"), ImportFormat::json).file_error->code, "import.json");
  EXPECT_EQ(run("{\"other\": []}", ImportFormat::json).file_error->code, "import.json");
  EXPECT_EQ(count("payment_positions"), 3);
}

// The process's peak resident memory (VmHWM), in KiB.
long peak_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

TEST_P(ImportTest, FiftyThousandPositionsStreamInBoundedMemory) {
  // The file is read and checked as a stream by the same code on both databases: 50,000 positions on
  // SQLite show the memory bound; PostgreSQL gets 10,000 (its write path per batch is the same service,
  // and 50,000 there cost about a minute of the sanitized suite). `make bench` imports at scale.
  const int n = GetParam() == db::Dialect::sqlite ? 50000 : 10000;
  const auto path =
      std::filesystem::temp_directory_path() /
      ("sportello-import-" + std::to_string(::getpid()) + "-" + dialect_name({GetParam(), 0}) + ".csv");
  {
    std::ofstream out(path);
    out << kHeader;
    for (int i = 0; i < n; ++i)
      out << "TARI-BIG-" << i << ";F;FRRNNA78S70A479X;Anna Ferrero;;;" << (100 + i % 900)
          << ",50;TARI 2026;2026-06-16;0;;9/0101108TS/;\n";
  }
  ImportOptions o;
  o.publish = true;
  const long before = peak_kib();
  auto r = import_->run(system_, kBody, o, [&path] { return std::make_unique<std::ifstream>(path); });
  const long after = peak_kib();
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->imported) << (r->rows.empty() || !r->rows[0].error ? "" : r->rows[0].error->code);
  EXPECT_EQ(count("payment_positions"), n);
  std::cout << "[ rate     ] " << dialect_name({GetParam(), 0}) << ": checked " << n << " in "
            << r->check_seconds << " s (" << static_cast<long>(n / r->check_seconds) << "/s), imported in "
            << r->import_seconds << " s (" << static_cast<long>(n / r->import_seconds) << "/s); peak RSS +"
            << (after - before) / 1024 << " MiB\n";
  // The report and the set of keys grow with the file (about 100 bytes a position), the positions do not.
  EXPECT_LT(after - before, 200 * 1024);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ImportTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::testing
