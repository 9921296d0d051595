// Leaving the hub (issue 18, docs/export.md), with the real `sportello` binary: the demo's Asti exported,
// imported into an empty hub on SQLite and on PostgreSQL with every digest matching (the same export made
// again from the new hub gives the same files), `audit verify` vouching for the imported chain; a changed
// byte or an extra file refused at import, naming the file; nothing of another body in the export; every
// table with a body column either exported or excluded with its reason; the retention purge leaving
// every legal record where it was (docs/privacy.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "audit/key.hpp"
#include "audit/verify_command.hpp"
#include "core/digest.hpp"
#include "export/service.hpp"
#include "export/store.hpp"
#include "export/tables.hpp"
#include "files/service.hpp"
#include "privacy/person_data.hpp"
#include "privacy/processing.hpp"
#include "privacy/retention.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using sp::testing::TempDir;
using sp::testing::TestDatabase;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One demo hub (SQLite) and one export of Asti for the whole suite: seeding the demo under the
// sanitizers costs seconds.
struct Shared {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<TestDatabase> source;
  fs::path export_dir;
  std::string export_out;
  std::unique_ptr<TestDatabase> imported;  // the export imported into an empty SQLite hub (made once)
  std::string reexport_id;                 // the export made there afterwards, when there is one
  bool ready = false;
};
Shared& shared() {
  static Shared s;
  return s;
}

std::vector<std::string> settings(const std::string& url, const fs::path& dir) {
  return {"SPORTELLO_DATABASE=" + url, "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_ACCESS_LOG=false",
          "SPORTELLO_SIM_IDP=false", "SPORTELLO_SIM_PAGOPA=false", "SPORTELLO_SIM_ANPR=false",
          "SPORTELLO_THREADS=2",
          // One hub's key ring for every database of the suite: the new hub checks the chain's HMACs.
          "SPORTELLO_KEYS_DIR=" + (dir / "keys").string(),
          "SPORTELLO_AUDIT_KEY_FILE=" + (dir / "audit-hmac.key").string(),
          "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir / "rp.pem").string()};
}

sp::testing::CommandRun sportello(const std::string& url, const std::string& args,
                                  const std::vector<std::string>& extra = {}) {
  const auto& dir = shared().dir->path();
  std::string cmd = "env";
  for (const auto& kv : settings(url, dir)) cmd += " '" + kv + "'";
  for (const auto& kv : extra) cmd += " '" + kv + "'";
  cmd += " '" + sp::testing::binary() + "' " + args + " 2>&1";
  return sp::testing::run_command(cmd);
}

class ExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& s = shared();
    if (s.ready) return;
    s.dir = std::make_unique<TempDir>();
    s.source = std::make_unique<TestDatabase>(sp::db::Dialect::sqlite);
    // The demo, with a few synthetic residents and their cases.
    auto demo = sportello(s.source->url(), "demo --scale 30 --cases 6");
    ASSERT_EQ(demo.rc, 0) << demo.out;
    // Asti's protocol: two entries registered yesterday, each with a stored document and an attachment
    // (written with the hub's audit key, as the server would), and the daily registers up to yesterday.
    auto key = sp::audit::load_chain_key((s.dir->path() / "keys").string(), "",
                                         sp::time::system_clock().now(), false);
    ASSERT_TRUE(key.ok() && *key);
    sp::audit::KeyBinding binding(s.source->db(), *key);
    std::int64_t asti = 0;
    s.source->db().read(
        [&](sp::db::Conn& c) { asti = c.query_one("SELECT id FROM bodies WHERE slug = 'asti'")->i64(0); });
    sp::time::TestClock yesterday(sp::time::system_clock().now() - std::chrono::hours(24));
    sp::protocollo::ProtocolService protocol(s.source->db(), yesterday);
    sp::files::FileService files(s.source->db(), yesterday, sp::files::Options{});
    for (int i = 0; i < 2; ++i) {
      sp::protocollo::NewEntry e;
      e.aoo_id = protocol.aoos(asti).at(0).id;
      e.subject = "Istanza " + std::to_string(i);
      e.correspondents = {{sp::protocollo::CorrespondentKind::person, "Mario Rossi", "", "", ""}};
      s.source->db().write([&](sp::db::Conn& tx) {
        auto f = files.put(tx, asti, "istanza-" + std::to_string(i) + ".txt",
                           "testo dell'istanza " + std::to_string(i), sp::files::Limits{});
        auto a = files.put(tx, asti, "allegato.txt", "un allegato " + std::to_string(i), sp::files::Limits{});
        ASSERT_TRUE(f.ok() && a.ok());
        e.documents = {
            {sp::protocollo::DocumentRole::primary, f->file_name, f->mime_type, f->size, f->sha256, f->id},
            {sp::protocollo::DocumentRole::attachment, a->file_name, a->mime_type, a->size, a->sha256,
             a->id}};
        auto r = protocol.register_entry(tx, sp::protocollo::SystemActor{"test"}, asti, e);
        ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
      });
    }
    sp::protocollo::DailyRegisterService registers(s.source->db(), sp::time::system_clock(),
                                                   sp::testing::locales());
    ASSERT_GE(registers.catch_up().produced, 1);
    s.export_dir = s.dir->path() / "asti";
    auto out = sportello(s.source->url(), "export body c_a479 --out '" + s.export_dir.string() + "'");
    ASSERT_EQ(out.rc, 0) << out.out;
    s.export_out = out.out;
    s.ready = true;
  }
  static void TearDownTestSuite() {
    auto& s = shared();
    s.imported.reset();
    s.source.reset();
    s.dir.reset();
    s.ready = false;
  }

  static json::value manifest(const fs::path& dir) { return json::parse(slurp(dir / "manifest.json")); }

  static std::map<std::string, std::string> digests(const fs::path& dir) {
    std::map<std::string, std::string> out;
    const auto m = manifest(dir);
    for (const auto& f : m.at("files").as_array())
      out[std::string(f.at("path").as_string())] = std::string(f.at("sha256").as_string());
    return out;
  }

  // Import into an empty hub of `dialect`, check the chain, export again and compare every file.
  static std::string export_id_of(const std::string& out) {
    const auto at = out.find("export id ");
    if (at == std::string::npos) return {};
    return out.substr(at + 10, out.find('\n', at) - at - 10);
  }

  // The export imported into an empty SQLite hub, shared by the tests that change it afterwards.
  static TestDatabase& imported_hub() {
    auto& s = shared();
    if (!s.imported) {
      auto target = std::make_unique<TestDatabase>(sp::db::Dialect::sqlite);
      auto imported = sportello(target->url(), "import body '" + s.export_dir.string() + "'");
      EXPECT_EQ(imported.rc, 0) << imported.out;
      s.imported = std::move(target);
    }
    return *s.imported;
  }

  static void round_trip(sp::db::Dialect dialect) {
    auto& s = shared();
    auto owned = std::make_unique<TestDatabase>(dialect);
    TestDatabase& target = *owned;
    auto imported = sportello(target.url(), "import body '" + s.export_dir.string() + "'");
    ASSERT_EQ(imported.rc, 0) << imported.out;
    EXPECT_NE(imported.out.find("imported asti"), std::string::npos) << imported.out;
    EXPECT_NE(imported.out.find("every link and every HMAC checked"), std::string::npos) << imported.out;

    // The imported chain (and the import's own entry) verifies with the hub's key once anchored.
    const std::string anchors =
        "SPORTELLO_AUDIT_ANCHOR_FILE=" +
        (s.dir->path() / ("anchors-" + target.url().substr(0, 6) + ".jsonl")).string();
    auto anchored = sportello(target.url(), "audit anchor", {anchors});
    ASSERT_EQ(anchored.rc, 0) << anchored.out;
    auto verified = sportello(target.url(), "audit verify", {anchors});
    EXPECT_EQ(verified.rc, 0) << verified.out;
    EXPECT_EQ(verified.out.find("BROKEN"), std::string::npos) << verified.out;

    // The same body exported from the new hub: every file as it was, the audit chain longer by the import
    // and the second export.
    const fs::path again = s.dir->path() / ("again-" + std::to_string(static_cast<int>(dialect)));
    auto out = sportello(target.url(), "export body asti --out '" + again.string() + "'");
    ASSERT_EQ(out.rc, 0) << out.out;
    if (dialect == sp::db::Dialect::sqlite && !s.imported) {
      s.imported = std::move(owned);
      s.reexport_id = export_id_of(out.out);
    }
    const auto before = digests(s.export_dir);
    const auto after = digests(again);
    std::size_t compared = 0;
    for (const auto& [path, sha] : before) {
      // The audit chain grows by the import and the second export (compared below); the form versions are
      // the hub's, merged: the new hub loaded its own copy of the same files at its start (compared below).
      if (path == "tables/audit_log.jsonl" || path == "tables/form_definitions.jsonl") continue;
      auto it = after.find(path);
      ASSERT_NE(it, after.end()) << path << " missing from the second export";
      EXPECT_EQ(it->second, sha) << path << " differs after the round trip";
      ++compared;
    }
    EXPECT_EQ(before.size(), after.size());
    EXPECT_GT(compared, 60u);
    const std::string chain = slurp(s.export_dir / "tables/audit_log.jsonl");
    const std::string chain_again = slurp(again / "tables/audit_log.jsonl");
    ASSERT_GT(chain.size(), 0u);
    EXPECT_EQ(chain_again.substr(0, chain.size()), chain) << "the imported chain is the exported one";
    EXPECT_NE(chain_again.find("\"action\":\"body.import\""), std::string::npos);
    auto versions = [](const fs::path& file) {
      std::set<std::string> out;
      std::ifstream in(file);
      for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        const auto v = json::parse(line);
        out.insert(std::string(v.at("code").as_string()) + "/" + std::to_string(v.at("version").as_int64()) +
                   "/" + std::string(v.at("sha256").as_string()));
      }
      return out;
    };
    EXPECT_EQ(versions(s.export_dir / "tables/form_definitions.jsonl"),
              versions(again / "tables/form_definitions.jsonl"));
  }
};

TEST_F(ExportTest, ManifestListsEveryFileWithItsDigestAndCounts) {
  const auto& s = shared();
  const auto m = manifest(s.export_dir);
  EXPECT_EQ(m.at("format").as_string(), "sportello-body-export");
  EXPECT_EQ(m.at("body").at("slug").as_string(), "asti");
  EXPECT_EQ(m.at("body").at("ipa_code").as_string(), "c_a479");
  std::map<std::string, std::int64_t> rows;
  for (const auto& t : m.at("tables").as_array())
    rows[std::string(t.at("name").as_string())] = t.at("rows").as_int64();
  // The demo gives Asti records of every kind the issue names.
  for (const char* t :
       {"protocol_entries", "protocol_documents", "protocol_daily_registers", "albo_publications",
        "albo_documents", "payment_positions", "payment_options", "payment_transfers", "cases",
        "stored_files", "anagrafe_versions", "audit_log", "bodies", "staff_accounts"})
    EXPECT_GT(rows[t], 0) << t;
  // Every file is listed with its digest, and every table's line count is the manifest's.
  std::set<std::string> on_disk;
  for (const auto& e : fs::recursive_directory_iterator(s.export_dir))
    if (e.is_regular_file()) on_disk.insert(fs::relative(e.path(), s.export_dir).generic_string());
  on_disk.erase("manifest.json");
  std::set<std::string> listed;
  for (const auto& [p, _] : digests(s.export_dir)) listed.insert(p);
  EXPECT_EQ(on_disk, listed);
  for (const auto& t : m.at("tables").as_array()) {
    std::ifstream in(s.export_dir / std::string(t.at("file").as_string()));
    std::int64_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    EXPECT_EQ(n, t.at("rows").as_int64()) << t.at("name").as_string();
  }
  // Staff secrets never leave: no password hash, no TOTP secret.
  const std::string staff = slurp(s.export_dir / "tables/staff_accounts.jsonl");
  EXPECT_EQ(staff.find("password_hash"), std::string::npos);
  EXPECT_EQ(staff.find("$argon2"), std::string::npos);
  // The export is in the chain it exports.
  EXPECT_NE(slurp(s.export_dir / "tables/audit_log.jsonl").find("\"action\":\"body.export\""),
            std::string::npos);
  // The original files as files, readable: a protocol document's bytes match the digest the entry keeps.
  const std::string docs = slurp(s.export_dir / "tables/protocol_documents.jsonl");
  const auto first = json::parse(docs.substr(0, docs.find('\n')));
  bool found = false;
  for (const auto& [p, sha] : digests(s.export_dir))
    found = found || (p.rfind("files/", 0) == 0 && sha == first.at("sha256").as_string());
  EXPECT_TRUE(found) << "the registered document is among the files";
}

TEST_F(ExportTest, ReimportsIntoAnEmptyHubOnSqlite) {
  round_trip(sp::db::Dialect::sqlite);
}

// Leaving is its own step (docs/export.md): refused without a completed export of the body, then the body
// stops being served, its staff keys end, the departure is in its chain; nothing is deleted.
TEST_F(ExportTest, LeavingNeedsACompletedExportAndDeletesNothing) {
  auto& s = shared();
  TestDatabase& hub = imported_hub();
  auto refused = sportello(hub.url(), "leave body c_a479 --export nothing-exported");
  EXPECT_NE(refused.rc, 0);
  EXPECT_NE(refused.out.find("body_export.no_export"), std::string::npos) << refused.out;
  std::string id = s.reexport_id;
  if (id.empty()) {
    auto exported = sportello(
        hub.url(), "export body c_a479 --out '" + (s.dir->path() / "before-leaving").string() + "'");
    ASSERT_EQ(exported.rc, 0) << exported.out;
    id = export_id_of(exported.out);
  }
  ASSERT_FALSE(id.empty());
  std::map<std::string, std::int64_t> before;
  hub.db().read([&](sp::db::Conn& c) {
    for (const char* t :
         {"protocol_entries", "albo_publications", "payment_positions", "cases", "stored_files"})
      before[t] = sp::body_export::store::count_rows(c, t);
  });
  auto left = sportello(hub.url(), "leave body c_a479 --export " + id + " --reason 'Delibera 1/2027'");
  ASSERT_EQ(left.rc, 0) << left.out;
  auto again = sportello(hub.url(), "leave body c_a479 --export " + id);
  EXPECT_NE(again.out.find("body_export.already_left"), std::string::npos) << again.out;
  hub.db().read([&](sp::db::Conn& c) {
    EXPECT_EQ(c.query_one("SELECT active FROM bodies WHERE slug = 'asti'")->i64(0), 0);
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL AND tenant_id = "
                          "(SELECT id FROM bodies WHERE slug = 'asti')")
                  ->i64(0),
              0);
    EXPECT_TRUE(
        c.query_one("SELECT seq FROM audit_log WHERE action = 'body.leave' AND record_id = $1", {id}));
    for (const auto& [t, n] : before) EXPECT_EQ(sp::body_export::store::count_rows(c, t), n) << t;
  });
}

// The chain moves with the body (docs/export.md): imported by a hub with a key ring of its own, it is
// verified whole (every HMAC) with the keys the export brought, and `audit verify` there vouches for it;
// nothing of the old hub's key is in the export; a chain changed in the export (its digest recomputed)
// is refused before anything is imported.
TEST_F(ExportTest, AnotherHubVerifiesTheChainWithTheKeysItBrought) {
  const auto& s = shared();
  const std::string keys_file = slurp(s.export_dir / "audit/chain-keys.json");
  const auto keys_doc = json::parse(keys_file);
  ASSERT_EQ(keys_doc.at("keys").as_array().size(), 1u) << keys_file;
  EXPECT_TRUE(keys_doc.at("verifiable_only_at_the_old_hub").as_array().empty()) << keys_file;
  std::size_t hub_keys = 0;
  for (const auto& f : fs::directory_iterator(s.dir->path() / "keys/hub/audit-hmac")) {
    if (f.path().extension() != ".key") continue;
    std::string hex = slurp(f.path());
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    ASSERT_EQ(hex.size(), 64u);
    ++hub_keys;
    EXPECT_EQ(keys_file.find(hex), std::string::npos) << "the hub's own key left with the export";
    EXPECT_EQ(keys_file.find(f.path().stem().string()), std::string::npos);
  }
  EXPECT_GE(hub_keys, 1u);

  const std::vector<std::string> other_ring = {
      "SPORTELLO_KEYS_DIR=" + (s.dir->path() / "other-hub-keys").string(),
      "SPORTELLO_AUDIT_KEY_FILE=" + (s.dir->path() / "other-hub.key").string(),
      "SPORTELLO_AUDIT_ANCHOR_FILE=" + (s.dir->path() / "other-hub-anchors.jsonl").string()};
  TestDatabase target(sp::db::Dialect::sqlite);
  auto imported = sportello(target.url(), "import body '" + s.export_dir.string() + "'", other_ring);
  ASSERT_EQ(imported.rc, 0) << imported.out;
  EXPECT_NE(imported.out.find("every link and every HMAC checked"), std::string::npos) << imported.out;
  EXPECT_TRUE(fs::exists(s.dir->path() / "other-hub-keys/asti/audit-hmac"));
  // Every link and HMAC checked; not yet anchored on the new hub (the worst finding decides the code).
  auto verified = sportello(target.url(), "audit verify", other_ring);
  EXPECT_EQ(verified.rc, sp::audit::kVerifyNotAnchored) << verified.out;
  EXPECT_NE(verified.out.find("key asti:"), std::string::npos) << verified.out;  // the keys it brought
  EXPECT_EQ(verified.out.find("not loaded"), std::string::npos) << verified.out;
  EXPECT_EQ(verified.out.find("BROKEN"), std::string::npos) << verified.out;

  // One entry's details changed, the file's digest in the manifest recomputed: the HMAC finds it.
  const fs::path copy = s.dir->path() / "changed-chain";
  fs::copy(s.export_dir, copy, fs::copy_options::recursive);
  std::string chain = slurp(copy / "tables/audit_log.jsonl");
  const auto at = chain.find("sportello-body-export");
  ASSERT_NE(at, std::string::npos);
  chain.replace(at, 21, "sportello-body-exporx");
  std::ofstream(copy / "tables/audit_log.jsonl", std::ios::binary | std::ios::trunc) << chain;
  auto m = manifest(copy);
  for (auto& f : m.at("files").as_array())
    if (f.at("path") == "tables/audit_log.jsonl") f.as_object()["sha256"] = sp::digest::sha256_hex(chain);
  std::ofstream(copy / "manifest.json", std::ios::binary | std::ios::trunc) << json::serialize(m) << "\n";
  TestDatabase refused_hub(sp::db::Dialect::sqlite);
  auto refused = sportello(refused_hub.url(), "import body '" + copy.string() + "'", other_ring);
  EXPECT_NE(refused.rc, 0) << refused.out;
  EXPECT_NE(refused.out.find("body_export.audit_chain"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("HMAC mismatch"), std::string::npos) << refused.out;
  refused_hub.db().read(
      [&](sp::db::Conn& c) { EXPECT_FALSE(c.query_one("SELECT id FROM bodies WHERE slug = 'asti'")); });
}

TEST_F(ExportTest, ReimportsIntoAnEmptyHubOnPostgres) {
  round_trip(sp::db::Dialect::postgres);
}

TEST_F(ExportTest, AChangedByteOrAnExtraFileIsRefusedNamingIt) {
  const auto& s = shared();
  const fs::path copy = s.dir->path() / "tampered";
  fs::copy(s.export_dir, copy, fs::copy_options::recursive);
  {
    const fs::path victim = copy / "tables/protocol_entries.jsonl";
    std::string bytes = slurp(victim);
    ASSERT_GT(bytes.size(), 10u);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    std::ofstream(victim, std::ios::binary | std::ios::trunc) << bytes;
  }
  TestDatabase target(sp::db::Dialect::sqlite);
  auto refused = sportello(target.url(), "import body '" + copy.string() + "'");
  EXPECT_NE(refused.rc, 0);
  EXPECT_NE(refused.out.find("body_export.digest_mismatch"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("tables/protocol_entries.jsonl"), std::string::npos) << refused.out;
  // Nothing was imported.
  std::int64_t bodies = -1;
  target.db().read([&](sp::db::Conn& c) { bodies = c.query_one("SELECT COUNT(*) FROM bodies")->i64(0); });
  EXPECT_EQ(bodies, 0);

  // The same check the import makes first, without starting the program again: an extra file.
  fs::remove_all(copy);
  fs::copy(s.export_dir, copy, fs::copy_options::recursive);
  std::ofstream(copy / "files/extra.txt") << "not part of the export";
  auto extra = sp::body_export::BodyExportService::verify_directory(copy.string());
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error().code, "body_export.unlisted_file");
  EXPECT_EQ(extra.error().detail, "files/extra.txt");
  fs::remove(copy / "files/extra.txt");
  EXPECT_TRUE(sp::body_export::BodyExportService::verify_directory(copy.string()).ok());
  fs::remove(copy / "tables/cases.jsonl");
  auto missing = sp::body_export::BodyExportService::verify_directory(copy.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "body_export.missing_file");
}

TEST_F(ExportTest, HoldsNothingOfAnotherBody) {
  const auto& s = shared();
  std::map<std::string, std::int64_t> others;  // slug -> id
  std::int64_t asti = 0;
  s.source->db().read([&](sp::db::Conn& c) {
    for (const auto& r : c.query("SELECT slug, id FROM bodies")) {
      if (r.text(0) == "asti")
        asti = r.i64(1);
      else
        others[r.text(0)] = r.i64(1);
    }
  });
  ASSERT_GT(asti, 0);
  ASSERT_GE(others.size(), 3u);
  // Other bodies' codes (fiscal codes, host names, their AOO codes) and body ids in any body column.
  std::vector<std::string> needles = {
      "00912103504", "00344663794", "00633826060", "00349106542", "servizi.comune.novara.example",
      "c_f952",      "c_b885"};
  for (const auto& [slug, id] : others) {
    needles.push_back("\"tenant_id\":" + std::to_string(id) + ",");
    needles.push_back("\"counter_tenant_id\":" + std::to_string(id) + ",");
  }
  std::size_t scanned = 0;
  for (const auto& e : fs::recursive_directory_iterator(s.export_dir)) {
    if (!e.is_regular_file() || e.path().extension() == ".pdf" || e.path().extension() == ".bin") continue;
    const std::string text = slurp(e.path());
    for (const auto& n : needles) EXPECT_EQ(text.find(n), std::string::npos) << n << " in " << e.path();
    ++scanned;
  }
  EXPECT_GT(scanned, 50u);
}

TEST_F(ExportTest, EveryTableWithABodyColumnIsExportedOrExcludedWithAReason) {
  TestDatabase& db = *shared().source;  // migrated to the latest schema
  std::set<std::string> covered;
  for (const auto& t : sp::body_export::exported_tables()) covered.insert(t.name);
  std::set<std::string> excluded;
  for (const auto& e : sp::body_export::excluded_tables()) {
    EXPECT_FALSE(e.reason.empty()) << e.name;
    excluded.insert(e.name);
  }
  std::size_t with_body = 0;
  db.db().read([&](sp::db::Conn& c) {
    std::set<std::string> live;
    for (const auto& table : sp::body_export::store::tables(c)) {
      if (table == "schema_migrations") continue;
      live.insert(table);
      bool body_column = false;
      for (const auto& col : sp::body_export::store::columns(c, table))
        body_column = body_column || sp::body_export::is_body_column(col.name);
      if (!body_column) continue;
      ++with_body;
      EXPECT_TRUE(covered.count(table) || excluded.count(table))
          << table << " has a body column but is neither exported nor excluded (src/export/tables.cpp)";
    }
    for (const auto& t : covered) EXPECT_TRUE(live.count(t)) << t << " is exported but does not exist";
    for (const auto& t : excluded) EXPECT_TRUE(live.count(t)) << t << " is excluded but does not exist";
    // Every exported table's key is a column of it.
    for (const auto& spec : sp::body_export::exported_tables()) {
      std::set<std::string> cols;
      for (const auto& col : sp::body_export::store::columns(c, spec.name)) cols.insert(col.name);
      for (const auto& k : spec.key) EXPECT_TRUE(cols.count(k)) << spec.name << "." << k;
    }
  });
  EXPECT_GT(with_body, 60u);
}

// The retention purge (docs/privacy.md) deletes old drafts, sessions and delivered messages, and leaves
// every legal record: protocol, albo, payments, audit (and cases, files, stamps, certificates).
TEST_F(ExportTest, PurgeDeletesWhatIsPastRetentionAndKeepsLegalRecords) {
  const auto& s = shared();
  const std::vector<std::string> legal = {"protocol_entries",
                                          "protocol_documents",
                                          "protocol_history",
                                          "protocol_daily_registers",
                                          "protocol_document_files",
                                          "albo_publications",
                                          "albo_documents",
                                          "albo_relate",
                                          "payment_positions",
                                          "payment_options",
                                          "payment_transfers",
                                          "payment_receipts",
                                          "payment_flows",
                                          "cases",
                                          "case_transitions",
                                          "case_documents",
                                          "stored_files",
                                          "stamped_documents",
                                          "certificate_requests",
                                          "self_declarations"};
  auto counts = [&](sp::db::Database& db) {
    std::map<std::string, std::int64_t> n;
    db.read([&](sp::db::Conn& c) {
      for (const auto& t : legal) n[t] = sp::body_export::store::count_rows(c, t);
      n["audit_log"] = sp::body_export::store::count_rows(c, "audit_log");
    });
    return n;
  };
  // The imported hub (so the suite's source stays as it was).
  TestDatabase& hub = imported_hub();
  auto& db = hub.db();
  std::int64_t tenant = 0;
  db.read(
      [&](sp::db::Conn& c) { tenant = c.query_one("SELECT id FROM bodies WHERE slug = 'asti'")->i64(0); });
  // What the purge should take, a year before "now".
  db.write([&](sp::db::Conn& c) {
    c.exec(
        "INSERT INTO application_drafts (id, tenant_id, service_code, form_code, form_version, owner_cf, "
        "answers, step, status, created_at, updated_at) VALUES ($1, $2, 'x', 'x', 1, 'FRRNNA78S70A479X', "
        "'{}', "
        "'s', 'open', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')",
        {std::string(43, 'd'), tenant});
    c.exec(
        "INSERT INTO sessions (id, token_hash, kind, subject, csrf_token, created_at, last_seen_at, "
        "expires_at) VALUES ('old-session', 'h', 'person', 'FRRNNA78S70A479X', 'c', '2030-01-01T00:00:00Z', "
        "'2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z')");
    c.exec(
        "INSERT INTO outbox (id, tenant_id, channel, recipient, body, created_at, next_attempt_at, status) "
        "VALUES ('old-message', $1, 'email', 'a@example.org', 'b', '2029-01-01T00:00:00.000Z', "
        "'2029-01-01T00:00:00.000Z', 'delivered')",
        {tenant});
  });
  // Asti keeps its drafts 365 days, its own period (the hub's is 180); another body's administrator
  // cannot set Asti's, nor can Asti go below the legal minimum or above the hub's maximum.
  sp::time::TestClock now(sp::time::system_clock().now());
  auto key =
      sp::audit::load_chain_key((s.dir->path() / "keys").string(), "", sp::time::system_clock().now(), false);
  ASSERT_TRUE(key.ok() && *key);
  sp::audit::AuditService audit(db, now, *key);
  sp::privacy::BodyRetentionService periods(db, audit, now, sp::privacy::Retention{});
  sp::identity::Principal asti_admin;
  asti_admin.kind = sp::identity::PrincipalKind::staff;
  asti_admin.subject = "asti-admin";
  asti_admin.tenant_id = tenant;
  asti_admin.roles = {sp::identity::Role::body_admin};
  auto other_admin = asti_admin;
  other_admin.subject = "other-admin";
  other_admin.tenant_id = tenant + 1;
  EXPECT_EQ(periods.save(&other_admin, tenant, {{"drafts_days", "730"}}).error().code, "forbidden");
  EXPECT_EQ(periods.save(&asti_admin, tenant, {{"drafts_days", "0"}}).error().code, "privacy.retention_days");
  EXPECT_EQ(periods.save(&asti_admin, tenant, {{"messages_days", "29"}}).error().field, "messages_days");
  EXPECT_FALSE(periods.save(&asti_admin, tenant, {{"drafts_days", "100000"}}).ok());
  EXPECT_FALSE(periods.get(tenant).drafts_days.has_value());
  ASSERT_TRUE(periods.save(&asti_admin, tenant, {{"drafts_days", "365"}, {"messages_days", ""}}).ok());
  EXPECT_EQ(periods.get(tenant).drafts_days.value_or(0), 365);
  EXPECT_FALSE(periods.get(tenant).messages_days.has_value());
  // A draft of Asti's and one of another body's, both 182 days old at the purge: past the hub's period,
  // within Asti's (the draft above, 516 days old, is past both).
  db.write([&](sp::db::Conn& c) {
    for (const auto& [id, body] :
         {std::pair{std::string(43, 'a'), tenant}, std::pair{std::string(43, 'b'), tenant + 1}})
      c.exec(
          "INSERT INTO application_drafts (id, tenant_id, service_code, form_code, form_version, owner_cf, "
          "answers, step, status, created_at, updated_at) VALUES ($1, $2, 'y', 'x', 1, 'FRRNNA78S70A479X', "
          "'{}', 's', 'open', '2030-12-01T00:00:00.000Z', '2030-12-01T00:00:00.000Z')",
          {id, body});
  });
  const auto before = counts(db);
  for (const char* t : {"protocol_entries", "protocol_daily_registers", "albo_publications",
                        "payment_positions", "cases", "stored_files"})
    EXPECT_GT(before.at(t), 0) << t << ": the demo should have some to keep";
  const fs::path clock = s.dir->path() / "clock";
  std::ofstream(clock) << "2031-06-01T00:00:00Z\n";
  auto purged = sportello(hub.url(), "privacy purge", {"SPORTELLO_FAKE_CLOCK_FILE=" + clock.string()});
  ASSERT_EQ(purged.rc, 0) << purged.out;
  const auto after = counts(db);
  for (const auto& t : legal) EXPECT_EQ(after.at(t), before.at(t)) << t << " changed by the purge";
  EXPECT_EQ(after.at("audit_log"), before.at("audit_log") + 1) << "the purge is audited on the hub's chain";
  db.read([&](sp::db::Conn& c) {
    EXPECT_FALSE(c.query_one("SELECT id FROM application_drafts WHERE id = $1", {std::string(43, 'd')}));
    EXPECT_TRUE(c.query_one("SELECT id FROM application_drafts WHERE id = $1", {std::string(43, 'a')}))
        << "Asti's own period keeps it";
    EXPECT_FALSE(c.query_one("SELECT id FROM application_drafts WHERE id = $1", {std::string(43, 'b')}))
        << "another body follows the hub's";
    EXPECT_FALSE(c.query_one("SELECT id FROM sessions WHERE id = 'old-session'"));
    EXPECT_FALSE(c.query_one("SELECT id FROM outbox WHERE id = 'old-message'"));
  });
}

}  // namespace

namespace {

// A person's own data (GDPR art. 15/20, docs/privacy.md): only rows whose person column is theirs, across
// bodies; nothing of another person.
TEST_F(ExportTest, APersonsExportHoldsOnlyTheirData) {
  auto& db = shared().source->db();
  sp::privacy::PersonDataService person(db);
  const std::string anna = "FRRNNA78S70A479X";
  const std::string davide = "GTTDVD79H14B885C";
  // Both have a profile (signing in makes it); the demo gives them register data, cases, payments.
  db.write([&](sp::db::Conn& c) {
    for (const auto& cf : {anna, davide})
      c.exec(
          "INSERT OR IGNORE INTO persons (fiscal_code, given_name, family_name, email, created_at, "
          "updated_at) "
          "VALUES ($1, 'Demo', 'Person', $2, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
          {cf, cf + "@example.org"});
  });
  const auto doc = json::parse(person.to_json(anna, "2026-12-06T00:00:00.000Z"));
  ASSERT_EQ(doc.at("fiscal_code").as_string(), anna);
  const auto& sections = doc.at("sections").as_object();
  ASSERT_FALSE(sections.at("profile").as_array().empty()) << "the demo person has a profile";
  std::size_t rows = 0;
  // Each section's person column, as the service selects it.
  const std::map<std::string, std::vector<std::string>> column = {
      {"profile", {"fiscal_code"}},
      {"message_preferences", {"fiscal_code"}},
      {"delegations", {"principal_cf"}},
      {"drafts", {"owner_cf"}},
      {"cases", {"applicant_cf"}},
      {"messages", {"person"}},
      {"alerts", {"person"}},
      {"payment_positions", {"debtor_fiscal_code"}},
      {"payment_receipts", {"payer_fiscal_code"}},
      {"payment_carts", {"fiscal_code"}},
      {"certificates", {"requester_cf"}},
      {"self_declarations", {"declarant_cf"}},
      {"register", {"codice_fiscale"}},
      {"counter_visits", {"citizen_cf"}},
      {"sessions", {"subject"}},
      {"accesses", {"on_behalf_of", "actor_id"}}};
  for (const auto& [code, arr] : sections) {
    for (const auto& row : arr.as_array()) {
      ++rows;
      auto it = column.find(std::string(code));
      if (it == column.end()) continue;  // case messages and documents: through their case (checked below)
      bool theirs = false;
      for (const auto& c : it->second)
        theirs = theirs || (row.as_object().contains(c) && row.at(c) == json::value(json::string(anna)));
      EXPECT_TRUE(theirs) << code << ": " << json::serialize(row);
    }
  }
  EXPECT_GT(rows, 1u);
  std::set<std::string> cases;
  for (const auto& c : sections.at("cases").as_array()) cases.insert(std::string(c.at("id").as_string()));
  for (const char* code : {"case_messages", "case_documents"})
    for (const auto& row : sections.at(code).as_array())
      EXPECT_TRUE(cases.count(std::string(row.at("case_id").as_string()))) << code;
  // Secrets stay out; the other demo person is nowhere.
  const std::string text = json::serialize(doc);
  EXPECT_EQ(text.find("token_hash"), std::string::npos);
  EXPECT_EQ(text.find("csrf_token"), std::string::npos);
  EXPECT_EQ(text.find(davide), std::string::npos);
  const auto other = json::parse(person.to_json(davide, "2026-12-06T00:00:00.000Z"));
  EXPECT_EQ(json::serialize(other).find(anna), std::string::npos);
}

// Records of processing (art. 30): the hub's text until a body changes it; each change a version of that
// body only, exported as CSV.
TEST_F(ExportTest, RecordsOfProcessingAreVersionedPerBody) {
  TestDatabase& db = *shared().source;  // bodies 9007 and 9008: no such bodies, no chains yet
  sp::audit::AuditService audit(db.db(), sp::time::system_clock(), nullptr);
  sp::privacy::ProcessingRecords records(db.db(), audit, sp::time::system_clock(),
                                         sp::testing::source_dir() + "/data/privacy/processing.json");
  auto before = records.for_body(9007);
  ASSERT_GE(before.size(), 8u);
  EXPECT_EQ(before.front().version, 0);
  ASSERT_TRUE(records.save(9007, "staff-1", "applications", {{"purpose_it", "Istanze e SUAP"}}).ok());
  ASSERT_TRUE(records.save(9007, "staff-1", "applications", {{"retention_it", "Dieci anni"}}).ok());
  auto after = records.for_body(9007);
  EXPECT_EQ(after.front().version, 2);
  EXPECT_EQ(after.front().text.at("retention_it"), "Dieci anni");
  EXPECT_NE(after.front().text.at("purpose_it"), "Istanze e SUAP") << "the newest version is in force";
  EXPECT_EQ(records.for_body(9008).front().version, 0) << "another body keeps the hub's text";
  EXPECT_NE(records.csv(9007, "it").find("Dieci anni"), std::string::npos);
  EXPECT_EQ(records.csv(9008, "it").find("Dieci anni"), std::string::npos);
  EXPECT_FALSE(records.save(9007, "staff-1", "nope", {}).ok());
  EXPECT_FALSE(records.save(9007, "staff-1", "applications", {{"purpose_it", std::string(5000, 'x')}}).ok());
}

}  // namespace

namespace {

// The back office's path (docs/export.md): a requested export is a run and a job in one transaction; the
// job's work (run_queued) writes it under the exports folder and marks the run done; running it again
// changes nothing.
TEST_F(ExportTest, ARequestedExportRunsAsAJob) {
  auto& s = shared();
  auto key =
      sp::audit::load_chain_key((s.dir->path() / "keys").string(), "", sp::time::system_clock().now(), false);
  ASSERT_TRUE(key.ok() && *key);
  auto& db = s.source->db();
  sp::audit::AuditService audit(db, sp::time::system_clock(), *key);
  sp::files::FileService files(db, sp::time::system_clock(), sp::files::Options{});
  sp::body_export::BodyExportService exports(db, audit, files, sp::time::system_clock());
  const auto body = exports.find_body("c_f952");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->slug, "novara");
  auto queued = exports.queue(
      body->id, sp::body_export::Actor{sp::audit::ActorKind::staff, "staff-x", sp::audit::Channel::web});
  ASSERT_TRUE(queued.ok()) << queued.error().code;
  std::int64_t jobs = 0;
  db.read([&](sp::db::Conn& c) {
    jobs = c.query_one(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'export.body' AND payload = $1 AND tenant_id = $2",
                {queued->id, body->id})
               ->i64(0);
  });
  EXPECT_EQ(jobs, 1);
  const fs::path folder = s.dir->path() / "exports";
  auto done = exports.run_queued(queued->id, body->id, folder.string());
  ASSERT_TRUE(done.ok()) << done.error().code << " " << done.error().detail;
  EXPECT_EQ(done->dir, (folder / ("novara-" + queued->id)).string());
  EXPECT_TRUE(sp::body_export::BodyExportService::verify_directory(done->dir).ok());
  auto run = exports.run(body->id, queued->id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->state, "done");
  EXPECT_EQ(run->manifest_sha256, done->manifest_sha256);
  EXPECT_FALSE(exports.run(body->id + 1, queued->id)) << "another body's runs are not its";
  auto again = exports.run_queued(queued->id, body->id, folder.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->manifest_sha256, done->manifest_sha256);

  // The archive to download: <folder>.tar next to the folder, its size and digest on the run, every
  // file of the folder in it under the folder's name (read back by tar itself).
  run = exports.run(body->id, queued->id);
  const std::string tar = done->dir + ".tar";
  ASSERT_TRUE(fs::exists(tar));
  EXPECT_EQ(run->archive_size, static_cast<std::int64_t>(fs::file_size(tar)));
  EXPECT_EQ(run->archive_sha256, sp::digest::sha256_hex(slurp(tar)));
  auto listed = sp::testing::run_command("tar -tf '" + tar + "' 2>&1");
  ASSERT_EQ(listed.rc, 0) << listed.out;
  const std::string top = "novara-" + queued->id + "/";
  EXPECT_NE(listed.out.find(top + "manifest.json\n"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(top + "audit/chain-keys.json\n"), std::string::npos);
  std::size_t in_folder = 0;
  for (const auto& e : fs::recursive_directory_iterator(done->dir)) in_folder += e.is_regular_file();
  EXPECT_EQ(static_cast<std::size_t>(std::count(listed.out.begin(), listed.out.end(), '\n')), in_folder);

  // A link works once, for staff allowed that body; another body's staff are told it does not exist
  // (and their attempt does not use it up); an expired link is refused.
  const sp::body_export::Actor staff{sp::audit::ActorKind::staff, "staff-x", sp::audit::Channel::web};
  auto novara_only = [&](std::int64_t t) { return t == body->id; };
  auto another_body = [&](std::int64_t t) { return t != body->id; };
  auto token = exports.create_link(body->id, queued->id, staff);
  ASSERT_TRUE(token.ok()) << token.error().code;
  EXPECT_EQ(exports.redeem(*token, another_body, staff).error().code, "body_export.link");
  auto got = exports.redeem(*token, novara_only, staff);
  ASSERT_TRUE(got.ok()) << got.error().code;
  auto bytes = sp::body_export::BodyExportService::read_archive(*got);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, slurp(tar));
  EXPECT_EQ(got->file_name, "novara-" + queued->id + ".tar");
  EXPECT_EQ(exports.redeem(*token, novara_only, staff).error().code, "body_export.link_used");
  EXPECT_EQ(exports.redeem(token->substr(1) + "x", novara_only, staff).error().code, "body_export.link");
  EXPECT_FALSE(exports.create_link(body->id + 1, queued->id, staff).ok()) << "another body's run";
  auto later = exports.create_link(body->id, queued->id, staff);
  ASSERT_TRUE(later.ok());
  sp::time::TestClock after(sp::time::system_clock().now() +
                            std::chrono::minutes(sp::body_export::kLinkMinutes + 1));
  sp::body_export::BodyExportService late(db, audit, files, after);
  EXPECT_EQ(late.redeem(*later, novara_only, staff).error().code, "body_export.link_expired");
  std::int64_t downloads = 0;
  db.read([&](sp::db::Conn& c) {
    downloads = c.query_one(
                     "SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = "
                     "'body.export.downloaded'",
                     {body->id})
                    ->i64(0);
  });
  EXPECT_EQ(downloads, 1);
}

}  // namespace
