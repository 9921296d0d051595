// The file store on real SQLite and PostgreSQL, with contents in the database and in a directory: round
// trips, limits, dedup on disk, tenancy, corruption, transactions, append-only rows.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "core/digest.hpp"
#include "files/service.hpp"
#include "support/testing.hpp"
#include "unit/files/samples.hpp"

namespace sp::files {
namespace {

namespace fs = std::filesystem;
using namespace sp::files::testing;

constexpr TenantId kBody = 7;
constexpr TenantId kOtherBody = 8;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xFF);
  return s;
}

// Regular files under `dir`, temporaries included (none should be left).
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

void overwrite(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class FileServiceTest : public ::testing::TestWithParam<std::tuple<db::Dialect, Storage>> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(std::get<0>(GetParam()));
    service_ = make_service(std::get<1>(GetParam()));
  }

  std::unique_ptr<FileService> make_service(Storage storage) {
    Options o;
    if (storage == Storage::directory) o.storage_dir = (dir_.path() / "files").string();
    return std::make_unique<FileService>(db(), clock_, o);
  }

  db::Database& db() { return database_->db(); }
  FileService& files() { return *service_; }
  bool on_disk() const { return std::get<1>(GetParam()) == Storage::directory; }
  fs::path storage_dir() const { return dir_.path() / "files"; }

  StoredFile put_ok(TenantId tenant, const std::string& name, const std::string& bytes,
                    const Limits& limits = {}) {
    auto r = files().put(tenant, name, bytes, limits);
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : StoredFile{};
  }

  std::int64_t rows() {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM stored_files")->i64(0); });
    return n;
  }

  void expect_refused(const std::string& name, const std::string& bytes, const Limits& limits,
                      const std::string& code, int status) {
    auto r = files().put(kBody, name, bytes, limits);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(r.error().http_status, status) << code;
  }

  // 2026-03-02 10:00:00 UTC: whole seconds, as created_at is stored.
  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} +
                         std::chrono::hours(10)};
  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<FileService> service_;
};

TEST_P(FileServiceTest, RoundTripKeepsTheBytesAndDescribesThemByContent) {
  // A PDF uploaded under a .txt name is a PDF.
  const StoredFile f = put_ok(kBody, "C:\\Documenti\\domanda.txt", pdf());
  EXPECT_TRUE(std::regex_match(f.id, std::regex("[A-Za-z0-9_-]{43}"))) << f.id;
  EXPECT_EQ(f.tenant_id, kBody);
  EXPECT_EQ(f.file_name, "domanda.txt");
  EXPECT_EQ(f.mime_type, "application/pdf");
  EXPECT_EQ(f.size, static_cast<std::int64_t>(pdf().size()));
  EXPECT_EQ(f.sha256, digest::sha256_hex(pdf()));
  EXPECT_EQ(f.created_at, clock_.now());

  auto got = files().get(kBody, f.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, f.id);
  EXPECT_EQ(got->file_name, f.file_name);
  EXPECT_EQ(got->mime_type, f.mime_type);
  EXPECT_EQ(got->size, f.size);
  EXPECT_EQ(got->sha256, f.sha256);
  EXPECT_EQ(got->created_at, f.created_at);

  auto content = files().read_content(kBody, f.id);
  ASSERT_TRUE(content.ok()) << content.error().detail;
  ASSERT_TRUE(content->has_value());
  EXPECT_EQ(**content, pdf());

  // Where the bytes went.
  EXPECT_EQ(files().storage(), std::get<1>(GetParam()));
  if (on_disk()) {
    EXPECT_TRUE(fs::is_regular_file(files().content_path(kBody, f.sha256)));
    db().read([&](db::Conn& c) {
      EXPECT_TRUE(c.query_one("SELECT content FROM stored_files WHERE id = $1", {f.id})->is_null(0));
    });
  } else {
    EXPECT_FALSE(fs::exists(storage_dir()));
  }
}

TEST_P(FileServiceTest, BinaryContentOfSeveralMegabytesRoundTrips) {
  // Every byte value, NULs included, through BLOB/BYTEA or the disk.
  const std::string big = png() + random_bytes(5 * 1024 * 1024, 11);
  const StoredFile f = put_ok(kBody, "foto.png", big, Limits{8 * 1024 * 1024, {"image/*"}});
  EXPECT_EQ(f.mime_type, "image/png");
  auto content = files().read_content(kBody, f.id);
  ASSERT_TRUE(content.ok() && content->has_value());
  EXPECT_TRUE(**content == big);
}

TEST_P(FileServiceTest, EveryPutGetsItsOwnUnguessableId) {
  std::set<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.insert(put_ok(kBody, "a.txt", text()).id);
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(rows(), 40);
}

TEST_P(FileServiceTest, LimitsAreEnforcedWithTheRightCodesAndLeaveNothingBehind) {
  const Limits pdf_only{1024, {"application/pdf"}};
  expect_refused("a.pdf", std::string(1025, 'x'), pdf_only, "files.too_large", 413);
  auto big = files().put(kBody, "a.pdf", pdf() + std::string(2000, ' '), pdf_only);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().detail, "1 KB");
  // A ZIP or a program named .pdf is refused as what it is.
  expect_refused("domanda.pdf", zip(), pdf_only, "files.type_not_allowed", 415);
  auto exe = files().put(kBody, "domanda.pdf", elf(), pdf_only);
  ASSERT_FALSE(exe.ok());
  EXPECT_EQ(exe.error().code, "files.type_not_allowed");
  EXPECT_EQ(exe.error().detail, "application/x-executable");
  expect_refused("a.pdf", "", pdf_only, "files.empty", 400);
  expect_refused("", pdf(), pdf_only, "files.name", 400);
  expect_refused("..", pdf(), pdf_only, "files.name", 400);
  expect_refused("a.pdf", pdf(), Limits{1024, {}}, "files.type_not_allowed", 415);  // empty list: nothing
  EXPECT_EQ(rows(), 0);
  EXPECT_TRUE(files_under(storage_dir()).empty());

  // At the limit is within it.
  std::string exact = pdf();
  exact.resize(1024, ' ');
  EXPECT_EQ(put_ok(kBody, "a.pdf", exact, pdf_only).size, 1024);
  EXPECT_EQ(put_ok(kBody, "a.png", png(), Limits{1024, {"application/pdf", "image/*"}}).mime_type,
            "image/png");
}

TEST_P(FileServiceTest, ActiveContentIsRefusedUnlessTheCallerKeepsIt) {
  // An "image/*" field must not let an SVG with a script in (citizens upload PDFs and images).
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>\n";
  const std::string html = "<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n";
  expect_refused("foto.svg", svg, Limits{1024, {"application/pdf", "image/*"}}, "files.type_not_allowed",
                 415);
  expect_refused("foto.png", svg, Limits{1024, {"*/*"}}, "files.type_not_allowed", 415);
  expect_refused("nota.txt", html, Limits{1024, {"text/*"}}, "files.type_not_allowed", 415);
  EXPECT_EQ(rows(), 0);
  // A registry keeps what arrives, when it says so.
  Limits registry{1024, {"*/*"}};
  registry.keep_active_content = true;
  EXPECT_EQ(put_ok(kBody, "foto.svg", svg, registry).mime_type, "image/svg+xml");
}

TEST_P(FileServiceTest, IdenticalContentIsStoredOncePerBodyOnDisk) {
  const StoredFile a = put_ok(kBody, "uno.pdf", pdf());
  const StoredFile b = put_ok(kBody, "due.pdf", pdf());
  const StoredFile c = put_ok(kOtherBody, "tre.pdf", pdf());
  const StoredFile d = put_ok(kBody, "altro.txt", text());
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(rows(), 4);
  if (on_disk()) {
    auto stored = files_under(storage_dir());
    std::set<fs::path> expected = {files().content_path(kBody, a.sha256),
                                   files().content_path(kOtherBody, c.sha256),
                                   files().content_path(kBody, d.sha256)};
    EXPECT_EQ(std::set<fs::path>(stored.begin(), stored.end()), expected);  // no temporaries left either
    EXPECT_EQ(files().content_path(kBody, a.sha256), storage_dir() / "7" / a.sha256.substr(0, 2) / a.sha256);
  }
  for (const auto& [tenant, f] : {std::pair{kBody, a}, {kBody, b}, {kOtherBody, c}, {kBody, d}}) {
    auto content = files().read_content(tenant, f.id);
    ASSERT_TRUE(content.ok() && content->has_value()) << f.file_name;
  }
}

TEST_P(FileServiceTest, AnotherBodysIdFindsNothing) {
  const StoredFile f = put_ok(kBody, "riservato.pdf", pdf());
  EXPECT_FALSE(files().get(kOtherBody, f.id));
  auto other = files().read_content(kOtherBody, f.id);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  // Unknown and malformed ids find nothing either (and never reach a path).
  EXPECT_FALSE(files().get(kBody, std::string(43, 'A')));
  EXPECT_FALSE(files().get(kBody, "../../etc/passwd"));
  EXPECT_FALSE(files().get(kBody, f.id + "x"));
  auto junk = files().read_content(kBody, "' OR 1=1 --");
  ASSERT_TRUE(junk.ok());
  EXPECT_FALSE(junk->has_value());
  EXPECT_TRUE(files().get(kBody, f.id));
}

TEST_P(FileServiceTest, DamagedContentIsAnErrorNeverWrongBytes) {
  const StoredFile f = put_ok(kBody, "atto.pdf", pdf());
  auto expect_corrupt = [&](const std::string& why) {
    auto r = files().read_content(kBody, f.id);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.error().code, "files.corrupt") << why;
    EXPECT_EQ(r.error().http_status, 500) << why;
  };
  std::string flipped = pdf();
  flipped[10] ^= 0x01;  // same size, one bit different
  if (on_disk()) {
    const fs::path p = files().content_path(kBody, f.sha256);
    overwrite(p, flipped);
    expect_corrupt("one bit flipped");
    overwrite(p, pdf().substr(0, 20));
    expect_corrupt("truncated");
    fs::remove(p);
    expect_corrupt("missing");
    // Storing the same content again puts back an intact copy.
    overwrite(p, flipped);
    put_ok(kBody, "di nuovo.pdf", pdf());
    auto repaired = files().read_content(kBody, f.id);
    ASSERT_TRUE(repaired.ok() && repaired->has_value());
    EXPECT_EQ(**repaired, pdf());
  } else {
    // Rows are append-only, so damage them the way a disk fault would: behind the triggers' back.
    db().write([&](db::Conn& c) {
      if (c.dialect() == db::Dialect::sqlite) {
        c.exec_script("DROP TRIGGER stored_files_no_update");
      } else {
        c.exec_script("ALTER TABLE stored_files DISABLE TRIGGER stored_files_append_only");
      }
      c.exec("UPDATE stored_files SET content = $1 WHERE id = $2", {db::Blob{flipped}, f.id});
    });
    expect_corrupt("one bit flipped in the row");
  }
}

TEST_P(FileServiceTest, APutInARolledBackTransactionLeavesNoRow) {
  std::string id;
  EXPECT_THROW(db().write([&](db::Conn& tx) {
    auto r = files().put(tx, kBody, "bozza.pdf", pdf(), Limits{});
    ASSERT_TRUE(r.ok());
    id = r->id;
    throw std::runtime_error("the caller's next step failed");
  }),
               std::runtime_error);
  ASSERT_FALSE(id.empty());
  EXPECT_FALSE(files().get(kBody, id));
  EXPECT_EQ(rows(), 0);

  // The same in a transaction that commits: the row is there, with the caller's other writes.
  db().write([&](db::Conn& tx) {
    auto r = files().put(tx, kBody, "domanda.pdf", pdf(), Limits{});
    ASSERT_TRUE(r.ok());
    id = r->id;
  });
  EXPECT_TRUE(files().get(kBody, id));
  auto content = files().read_content(kBody, id);
  ASSERT_TRUE(content.ok() && content->has_value());
  EXPECT_EQ(**content, pdf());
}

TEST_P(FileServiceTest, RowsCannotBeChangedOrDeleted) {
  const StoredFile f = put_ok(kBody, "atto.pdf", pdf());
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("UPDATE stored_files SET file_name = 'x.pdf' WHERE id = $1", {f.id});
  }),
               db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& c) { c.exec("DELETE FROM stored_files WHERE id = $1", {f.id}); }),
               db::DbError);
  EXPECT_EQ(files().get(kBody, f.id)->file_name, "atto.pdf");
}

TEST_P(FileServiceTest, ConcurrentUploadsOfTheSameContentAllSucceed) {
  const std::string bytes = pdf() + random_bytes(200'000, 5);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = files().put(kBody, "stesso.pdf", bytes, Limits{});
        if (r.ok()) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 30);
  EXPECT_EQ(rows(), 30);
  if (on_disk()) {
    EXPECT_EQ(files_under(storage_dir()).size(), 1u);
  }
}

TEST_P(FileServiceTest, FilesStayReadableWhenTheStorageSettingChanges) {
  const StoredFile f = put_ok(kBody, "prima.pdf", pdf());
  // Rows say where their bytes are: switching to directory storage still reads rows kept in the database;
  // switching back to the database cannot find bytes kept on disk and says so.
  auto other = make_service(on_disk() ? Storage::database : Storage::directory);
  auto r = other->read_content(kBody, f.id);
  if (on_disk()) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "files.storage");
  } else {
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ(**r, pdf());
  }
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<db::Dialect, Storage>>& info) {
  return std::string(std::get<0>(info.param) == db::Dialect::sqlite ? "sqlite" : "postgres") + "_" +
         (std::get<1>(info.param) == Storage::database ? "in_database" : "in_directory");
}

INSTANTIATE_TEST_SUITE_P(BothDatabasesBothStorages, FileServiceTest,
                         ::testing::Combine(::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                                            ::testing::Values(Storage::database, Storage::directory)),
                         param_name);

}  // namespace
}  // namespace sp::files
