// `sportello anagrafe import` in-process on both databases: the per-row report on stdout (line and
// Italian reason), the exit status, the body found by its IPA code, and a second run changing nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/anagrafe_cli.hpp"
#include "core/config.hpp"
#include "integration/anagrafe/asti_body.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

class AnagrafeCliTest : public ::testing::TestWithParam<sp::db::Dialect> {};

TEST_P(AnagrafeCliTest, ImportsReportsEachRefusedRowAndIsIdempotent) {
  sp::testing::TestDatabase database(GetParam());
  sp::testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(sp::testing::add_asti(database.db()));
  const std::string file = (dir.path() / "residenti.jsonl").string();
  {
    std::ifstream demo(sp::testing::source_dir() + "/data/demo/population.jsonl");
    std::string first;
    std::getline(demo, first);  // Anna Ferraro, of Asti
    std::ofstream out(file);
    out << first << "\n{\"codice_fiscale\": \"NOTACODE\"}\n";
  }
  sp::Config config = sp::load_config("").value();
  config.database = database.url();
  config.share_dir = sp::testing::source_dir();
  config.keys_dir = (dir.path() / "keys").string();
  sp::app::AnagrafeImportArgs args;
  args.body = "c_a479";
  args.file = file;
  std::ostringstream out, err;
  EXPECT_EQ(sp::app::run_anagrafe_import(config, args, out, err), 1) << err.str();
  EXPECT_NE(out.str().find("riga 2, NOTACODE: Il codice fiscale non è valido"), std::string::npos)
      << out.str();
  EXPECT_NE(err.str().find("1 versioni nuove"), std::string::npos) << err.str();
  std::ostringstream out2, err2;
  args.lang = "en";
  args.body = "asti";
  EXPECT_EQ(sp::app::run_anagrafe_import(config, args, out2, err2), 1);
  EXPECT_NE(err2.str().find("0 new versions, 1 already there, 1 refused"), std::string::npos) << err2.str();
  args.body = "novara";
  std::ostringstream out3, err3;
  EXPECT_EQ(sp::app::run_anagrafe_import(config, args, out3, err3), 2);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AnagrafeCliTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
