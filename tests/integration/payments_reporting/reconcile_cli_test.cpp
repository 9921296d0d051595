// `sportello reconcile` as a process (issue 13, "Reconciliation"): the public samples (Milano 3 x 20.00
// totals 60.00, Venezia's duplicate row, the devportal example's one payment), --json objects per flow,
// the table, --creditor, revisions of a flow id, malformed XML named with file and line (exit 2), and
// the peak memory of the child process for flows of very different sizes (bounded by a constant).
// The command records nothing in any database, so there is no database to run it on twice.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/fdr_flow_generator.hpp"
#include "support/testing.hpp"

extern char** environ;

namespace {

struct CliRun {
  int rc = -1;
  std::string out;
  std::string err;
};

class ReconcileCli : public ::testing::Test {
 protected:
  std::string sample(const std::string& name) const {
    return (sp::testing::shared_pagopa_dir() / name).string();
  }

  CliRun reconcile(const std::string& args) const {
    const auto err_file = (dir_.path() / "stderr.txt").string();
    const std::string cmd = "'" + sp::testing::binary() + "' reconcile " + args + " 2>'" + err_file + "'";
    CliRun r;
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

  static std::vector<boost::json::object> json_lines(const std::string& out) {
    std::vector<boost::json::object> objects;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) objects.push_back(boost::json::parse(line).as_object());
    }
    return objects;
  }

  std::string write(const std::string& name, const std::string& text) const {
    const auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  sp::testing::TempDir dir_;
};

TEST_F(ReconcileCli, PublicSamplesAsJson) {
  const auto milano = sample("fdr_gpd_mock_comune_milano_3pay.xml");
  const auto venezia = sample("fdr_p4pa_test_venezia_esito9_dup.xml");
  const auto devportal = sample("fdr_devportal_docs_example_1pay.xml");
  auto r = reconcile("--json '" + milano + "' '" + venezia + "' '" + devportal + "'");
  EXPECT_EQ(r.rc, 1) << "Venezia's duplicate row is a problem: " << r.err;
  auto flows = json_lines(r.out);
  ASSERT_EQ(flows.size(), 3u) << r.out;

  const auto& m = flows[0];
  EXPECT_EQ(m.at("file").as_string(), milano);
  EXPECT_EQ(m.at("flow_id").as_string(), "2021-07-27SELBIT2B-S003014897");
  EXPECT_EQ(m.at("flow_time").as_string(), "2021-07-27T12:00:07");
  EXPECT_EQ(m.at("sender").at("id").as_string(), "SELBIT2B");
  EXPECT_EQ(m.at("receiver").at("id").as_string(), "77777777777");
  EXPECT_EQ(m.at("header").at("count").as_int64(), 3);
  EXPECT_EQ(m.at("header").at("total_cents").as_int64(), 6000);
  EXPECT_EQ(m.at("rows").at("count").as_int64(), 3);
  EXPECT_EQ(m.at("rows").at("total_cents").as_int64(), 6000);
  EXPECT_EQ(m.at("outcomes").at("executed").as_int64(), 3);
  EXPECT_EQ(m.at("duplicates").as_int64(), 0);
  EXPECT_EQ(m.at("verdict").as_string(), "ok");
  EXPECT_EQ(m.at("revision").as_string(), "new");

  const auto& v = flows[1];
  EXPECT_EQ(v.at("verdict").as_string(), "duplicate_rows");
  EXPECT_EQ(v.at("duplicates").as_int64(), 1);
  EXPECT_EQ(v.at("outcomes").at("without_rpt").as_int64(), 1);
  EXPECT_EQ(v.at("outcomes").at("duplicate_row").as_int64(), 1);
  EXPECT_EQ(v.at("rows").at("total_cents").as_int64(), 30000);

  const auto& d = flows[2];
  EXPECT_EQ(d.at("verdict").as_string(), "ok");
  EXPECT_EQ(d.at("rows").at("count").as_int64(), 1);
  EXPECT_EQ(d.at("rows").at("total_cents").as_int64(), 123456);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(ReconcileCli, OkFlowExitsZeroAndTableIsReadable) {
  auto r = reconcile("'" + sample("fdr_gpd_mock_comune_milano_3pay.xml") + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("esito"), std::string::npos) << r.out;  // Italian column heads by default
  EXPECT_NE(r.out.find("2021-07-27SELBIT2B-S003014897"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("60,00"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.substr(r.out.find('\n') + 1).starts_with("ok\t")) << r.out;
  auto en = reconcile("--lang en '" + sample("fdr_gpd_mock_comune_milano_3pay.xml") + "'");
  EXPECT_NE(en.out.find("verdict"), std::string::npos) << en.out;
  EXPECT_NE(en.out.find("60.00"), std::string::npos) << en.out;
}

TEST_F(ReconcileCli, CreditorMustBeTheReceiver) {
  const auto venezia = sample("fdr_p4pa_test_venezia_esito9_dup.xml");
  auto other =
      reconcile("--json --creditor 77777777777 '" + sample("fdr_devportal_docs_example_1pay.xml") + "'");
  EXPECT_EQ(other.rc, 0);
  auto wrong =
      reconcile("--json --creditor 00081490040 '" + sample("fdr_devportal_docs_example_1pay.xml") + "'");
  EXPECT_EQ(wrong.rc, 1);
  auto flows = json_lines(wrong.out);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].at("verdict").as_string(), "wrong_receiver");
  auto both = reconcile("--json --creditor 00081490040 '" + venezia + "'");
  flows = json_lines(both.out);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].at("problems").as_array().size(), 2u);  // wrong_receiver, duplicate_rows
  EXPECT_EQ(flows[0].at("verdict").as_string(), "wrong_receiver");
}

TEST_F(ReconcileCli, MalformedXmlNamesFileAndLineExitTwoAndOtherFilesStillRead) {
  std::string broken = read(sample("fdr_gpd_mock_comune_milano_3pay.xml"));
  broken.replace(broken.find("</singoloImportoPagato>"), 23, "</singoloImporto>");
  const auto path = write("broken flow.xml", broken);
  auto r = reconcile("--json '" + path + "' '" + sample("fdr_devportal_docs_example_1pay.xml") + "'");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("riga 28"), std::string::npos) << r.err;
  auto flows = json_lines(r.out);
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].at("verdict").as_string(), "malformed");
  EXPECT_EQ(flows[0].at("error").at("code").as_string(), "fdr.malformed");
  EXPECT_EQ(flows[0].at("error").at("line").as_int64(), 28);
  EXPECT_EQ(flows[1].at("verdict").as_string(), "ok");

  auto en = reconcile("--lang en '" + path + "'");
  EXPECT_EQ(en.rc, 2);
  EXPECT_NE(en.err.find("line 28"), std::string::npos) << en.err;

  auto invalid =
      reconcile("'" + sample("fdr_p4pa_test_venezia_esito9_dup_WITH_revisioneFlusso_nonstandard.xml") + "'");
  EXPECT_EQ(invalid.rc, 2);
  EXPECT_NE(invalid.err.find("riga 5"), std::string::npos) << invalid.err;

  auto missing = reconcile("'" + (dir_.path() / "none.xml").string() + "'");
  EXPECT_EQ(missing.rc, 2);
  EXPECT_NE(missing.err.find("none.xml"), std::string::npos) << missing.err;
}

TEST_F(ReconcileCli, LaterRevisionReplacesEqualOrEarlierIsIgnored) {
  const auto milano = sample("fdr_gpd_mock_comune_milano_3pay.xml");
  std::string later = read(milano);
  later.replace(later.find("2021-07-27T12:00:07"), 19, "2021-07-28T09:00:00");
  const auto later_path = write("later.xml", later);
  auto r = reconcile("--json '" + milano + "' '" + later_path + "' '" + milano + "'");
  EXPECT_EQ(r.rc, 1) << "an ignored revision is worth a look";
  auto flows = json_lines(r.out);
  ASSERT_EQ(flows.size(), 3u);
  EXPECT_EQ(flows[0].at("revision").as_string(), "new");
  EXPECT_EQ(flows[1].at("revision").as_string(), "replaces");
  EXPECT_EQ(flows[2].at("revision").as_string(), "ignored");
}

// Peak resident memory (KiB) of `sportello reconcile --json FILE` and its exit status.
struct Peak {
  long max_rss_kib = 0;
  int rc = -1;
  double seconds = 0;
};
Peak measure(const std::string& file) {
  std::vector<std::string> args = {sp::testing::binary(), "reconcile", "--json", file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Under AddressSanitizer the quarantine of freed blocks (256 MB by default) would grow with the work
  // done rather than with what is live: keep it small so the measure is the program's own memory.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("ASAN_OPTIONS=")) env_strings.emplace_back(*e);
  }
  const char* asan = std::getenv("ASAN_OPTIONS");
  env_strings.push_back(std::string("ASAN_OPTIONS=") + (asan != nullptr ? std::string(asan) + ":" : "") +
                        "quarantine_size_mb=1");
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  Peak p;
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) return p;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return p;
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  p.max_rss_kib = usage.ru_maxrss;
  return p;
}

TEST_F(ReconcileCli, PeakMemoryDoesNotGrowWithTheRows) {
  // 50,000 vs 500,000 rows (10x; `make bench` runs 100,000 vs 1,000,000): the staging table spills to
  // its file past a 2 MiB page cache, the reader holds one row, so peak RSS must stay within 20 %.
  sp::testing::GeneratedFlow small;
  small.rows = 50'000;
  sp::testing::GeneratedFlow large = small;
  large.rows = 500'000;
  const auto small_path = dir_.path() / "small.xml";
  const auto large_path = dir_.path() / "large.xml";
  sp::testing::write_generated_flow(small_path, small);
  sp::testing::write_generated_flow(large_path, large);
  const Peak s = measure(small_path.string());
  const Peak l = measure(large_path.string());
  ASSERT_EQ(s.rc, 0);
  ASSERT_EQ(l.rc, 0);
  std::fprintf(stderr, "peak RSS: %ld KiB for 50,000 rows (%.2f s), %ld KiB for 500,000 rows (%.2f s)\n",
               s.max_rss_kib, s.seconds, l.max_rss_kib, l.seconds);
  EXPECT_LE(static_cast<double>(l.max_rss_kib), 1.2 * static_cast<double>(s.max_rss_kib));
}

}  // namespace
