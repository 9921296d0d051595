// `sportello reconcile --import --body SLUG` and `sportello reconcile statement`: the real binary against a
// migrated database (both drivers) with Asti and Novara as creditors.
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "integration/payments_reconciliation/recon_fixture.hpp"
#include "support/testing.hpp"

namespace sp::payments::recon_testing {
namespace {

struct ReconCliRun {
  int rc = -1;
  std::string out;
  std::string err;
};

class ReconCliTest : public ReconTest {
 protected:
  ReconCliRun run(const std::string& args) {
    const auto err_file = (dir_.path() / "stderr.txt").string();
    const std::string cmd = "SPORTELLO_DATABASE='" + database_->url() + "' SPORTELLO_KEYS_DIR='" +
                            (dir_.path() / "keys").string() + "' SPORTELLO_AUDIT_KEY_FILE='" +
                            (dir_.path() / "audit.key").string() + "' SPORTELLO_SHARE_DIR='" +
                            sp::testing::source_dir() + "' '" + sp::testing::binary() + "' reconcile " +
                            args + " 2>'" + err_file + "'";
    ReconCliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    while (auto n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static boost::json::object json_of(const ReconCliRun& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "not JSON: " << r.out << " / " << r.err;
      return {};
    }
    return v.as_object();
  }
  sp::testing::TempDir dir_;
};

TEST_P(ReconCliTest, ImportsFlowsAndAStatementForABodyWithExitStatuses) {
  const auto a = paid("TARI-1", "iur-1");
  const auto ok =
      write("ok.xml", fdr::render_fdr_xml(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                                                    {pay(a.iuv, "iur-1", 20000)})));
  auto first = run("--import --body asti --json '" + ok + "'");
  ASSERT_EQ(first.rc, 0) << first.out << first.err;
  auto o = json_of(first);
  EXPECT_EQ(o["outcome"], "recorded");
  EXPECT_NE(boost::json::serialize(o).find("\"matched\":{\"rows\":1"), std::string::npos) << first.out;
  auto again = run("--import --body asti --json '" + ok + "'");
  EXPECT_EQ(again.rc, 0);
  EXPECT_EQ(json_of(again)["outcome"], "unchanged");

  const auto other =
      write("novara.xml", fdr::render_fdr_xml(make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z",
                                                        {pay(a.iuv, "iur-1", 20000)}, kNovaraCf)));
  auto refused = run("--import --body asti --json '" + other + "'");
  EXPECT_EQ(refused.rc, 1);
  EXPECT_EQ(json_of(refused)["verdict"], "wrong_receiver");
  auto broken = run("--import --body asti '" + write("bad.xml", "<FlussoRiversamento") + "'");
  EXPECT_EQ(broken.rc, 2);
  EXPECT_NE(broken.err.find("riga"), std::string::npos) << broken.err;
  EXPECT_EQ(run("--import --body nowhere '" + ok + "'").rc, 2);

  const auto csv =
      write("st.csv",
            "Data contabile;Data valuta;Importo;Segno;Descrizione;Riferimento banca\n"
            "05/03/2026;05/03/2026;200,00;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0001;R1\n");
  auto st = run("statement --body asti '" + csv + "'");
  ASSERT_EQ(st.rc, 0) << st.err;
  EXPECT_EQ(json_of(st)["matched"], 1);
  EXPECT_EQ(run("statement --body asti '" + csv + "'").rc, 1);  // the same file again
  EXPECT_EQ(run("statement --body asti '" + write("bad.csv", "x;y\n") + "'").rc, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_bank_movements"), 1);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ReconCliTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::recon_testing
