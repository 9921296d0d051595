// Issue 15's acceptance: "an import killed halfway leaves either the old or the new state of each
// person", with the real binary on both databases. A register holds each synthetic resident's first
// version (the old state); `sportello anagrafe import` of a file with each person's whole history plus two
// newer versions (the new state, a person's lines one after the other) runs in small batches and is killed
// with SIGKILL once a few of its batches are committed. Every person then has exactly the old versions
// or exactly the new ones (no person half-moved: a batch never ends inside a person's lines), the killed
// run stays unfinished, and running the same file again completes it with nothing doubled.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "anagrafe/synthetic.hpp"
#include "app/anagrafe_cli.hpp"
#include "core/config.hpp"
#include "integration/anagrafe/asti_body.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace std::chrono_literals;
using Versions = std::map<std::string, std::set<std::string>>;  // codice fiscale → its data_variazione

class AnagrafeCrashTest : public ::testing::TestWithParam<sp::db::Dialect> {};

TEST_P(AnagrafeCrashTest, AKilledImportLeavesEachPersonOldOrNewAndARerunCompletesIt) {
  sp::testing::TestDatabase database(GetParam());
  sp::testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(sp::testing::add_asti(database.db()));
  // Each person's lines, grouped, in the generator's order of people.
  std::vector<std::string> order;
  std::map<std::string, std::vector<boost::json::object>> lines;
  {
    sp::anagrafe::SyntheticPopulation g({{"005005", "A479", "ASTI", "14100", 1}}, 500, 15);
    std::string line;
    while (g.next(line)) {
      auto o = boost::json::parse(line).as_object();
      const std::string cf(o.at("codice_fiscale").as_string());
      if (!lines.count(cf)) order.push_back(cf);
      lines[cf].push_back(std::move(o));
    }
  }
  Versions old_state, new_state;
  const std::string old_file = (dir.path() / "anagrafe-2025.jsonl").string();
  const std::string new_file = (dir.path() / "anagrafe-2026.jsonl").string();
  {
    std::ofstream old_out(old_file), new_out(new_file);
    for (const auto& cf : order) {
      auto& versions = lines[cf];
      old_out << boost::json::serialize(versions.front()) << "\n";
      old_state[cf].insert(std::string(versions.front().at("data_variazione").as_string()));
      // The new state: the whole history, then two moves to another street (on days no version has).
      std::set<std::string> days;
      for (const auto& v : versions) days.insert(std::string(v.at("data_variazione").as_string()));
      const auto last = versions.back();
      for (std::string day : {"2026-10-30", "2026-11-30"}) {
        while (days.count(day)) day[9] = static_cast<char>(day[9] - 1);
        days.insert(day);
        auto moved = last;
        moved["specie_via"] = "VIA";
        moved["denominazione_via"] = "DEI TIGLI";
        moved["civico"] = std::to_string(new_state.size() % 90 + (day[6] == '0' ? 1 : 2));
        moved["data_variazione"] = day;
        versions.push_back(std::move(moved));
      }
      for (const auto& v : versions) {
        new_out << boost::json::serialize(v) << "\n";
        new_state[cf].insert(std::string(v.at("data_variazione").as_string()));
      }
    }
  }
  std::size_t new_versions = 0, new_lines_added = 0;
  for (const auto& [cf, days] : new_state) new_versions += days.size();
  new_lines_added = new_versions - old_state.size();

  sp::Config config = sp::load_config("").value();
  config.database = database.url();
  config.share_dir = sp::testing::source_dir();
  config.keys_dir = (dir.path() / "keys").string();
  config.audit_key_file = (dir.path() / "audit.key").string();
  sp::app::AnagrafeImportArgs args;
  args.body = "asti";
  args.file = old_file;
  {
    std::ostringstream out, err;
    ASSERT_EQ(sp::app::run_anagrafe_import(config, args, out, err), 0) << out.str() << err.str();
  }
  auto& db = database.db();
  auto kept = [&] {
    Versions v;
    db.read([&](sp::db::Conn& c) {
      for (const auto& r : c.query("SELECT codice_fiscale, data_variazione FROM anagrafe_versions"))
        v[r.text(0)].insert(r.text(1));
    });
    return v;
  };
  ASSERT_EQ(kept(), old_state);

  // The run to kill: small batches, so that it is far from done when its first batch is in.
  std::int64_t first_run = 0;
  db.read([&](sp::db::Conn& c) { first_run = c.query_one("SELECT MAX(id) FROM anagrafe_imports")->i64(0); });
  auto count_new = [&] {
    std::int64_t n = 0;
    db.read([&](sp::db::Conn& c) {
      n = c.query_one("SELECT COUNT(*) FROM anagrafe_versions WHERE import_id > $1", {first_run})->i64(0);
    });
    return n;
  };
  {
    sp::testing::ServerProcess cli(
        {sp::testing::binary(), "anagrafe", "import", "--body", "asti", "--batch", "5", new_file},
        {"SPORTELLO_DATABASE=" + database.url(), "SPORTELLO_SHARE_DIR=" + config.share_dir,
         "SPORTELLO_KEYS_DIR=" + config.keys_dir, "SPORTELLO_AUDIT_KEY_FILE=" + config.audit_key_file,
         "SPORTELLO_LOG_LEVEL=warn"});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    // A few batches in (each of five rows or a little more), far from the end (about 200 batches).
    while (count_new() < 30 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    cli.kill_hard();
  }
  const auto at_kill = count_new();
  ASSERT_GT(at_kill, 0) << "the import never committed a batch";
  EXPECT_LT(static_cast<std::size_t>(at_kill), new_lines_added) << "killed halfway, not after the import";

  const auto after_kill = kept();
  std::size_t wholly_new = 0;
  for (const auto& [cf, days] : after_kill) {
    const bool is_old = days == old_state.at(cf), is_new = days == new_state.at(cf);
    EXPECT_TRUE(is_old || is_new) << cf << " is neither its old nor its new state";
    wholly_new += is_new ? 1 : 0;
  }
  EXPECT_EQ(after_kill.size(), old_state.size());
  EXPECT_GT(wholly_new, 0u);
  EXPECT_LT(wholly_new, new_state.size());
  db.read([&](sp::db::Conn& c) {
    auto r = c.query_one("SELECT finished_at FROM anagrafe_imports ORDER BY id DESC LIMIT 1");
    EXPECT_TRUE(r->is_null(0)) << "the killed run is not marked finished";
  });

  // The same file again completes the import: the rest inserted, what the killed run brought unchanged.
  args.file = new_file;
  std::ostringstream out, err;
  EXPECT_EQ(sp::app::run_anagrafe_import(config, args, out, err), 0) << out.str() << err.str();
  EXPECT_EQ(kept(), new_state);
  db.read([&](sp::db::Conn& c) {
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM anagrafe_versions")->i64(0),
              static_cast<std::int64_t>(new_versions));
    auto r = c.query_one("SELECT inserted, unchanged, errors FROM anagrafe_imports ORDER BY id DESC LIMIT 1");
    EXPECT_EQ(r->i64(0), static_cast<std::int64_t>(new_lines_added) - at_kill);
    EXPECT_EQ(r->i64(1), static_cast<std::int64_t>(old_state.size()) + at_kill);
    EXPECT_EQ(r->i64(2), 0);
  });
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AnagrafeCrashTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
