// The keyed audit chain (format v2) and its anchors, byte for byte: the canonical bytes, the HMAC over
// them and the anchor line's MAC, against values computed independently (Python's hmac/hashlib), so an
// outside auditor can re-implement the check. Also the key file: its format, and that the first start
// makes it once, private, even when several processes race.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "audit/anchor.hpp"
#include "audit/body_key.hpp"
#include "audit/chain.hpp"
#include "audit/key.hpp"
#include "core/digest.hpp"
#include "support/testing.hpp"

namespace {

using sp::audit::ActorKind;
using sp::audit::Anchor;
using sp::audit::ChainKey;
using sp::audit::Channel;
using sp::audit::StoredEntry;

std::string fixed_secret() {
  std::string s;
  for (int i = 1; i <= 32; ++i) s.push_back(static_cast<char>(i));
  return s;
}

StoredEntry sample(const std::string& key_id) {
  StoredEntry s;
  s.entry.tenant_id = 3;
  s.entry.actor_kind = ActorKind::staff;
  s.entry.actor_id = "staff-17";
  s.entry.on_behalf_of = "RSSMRA85T10A562S";
  s.entry.channel = Channel::counter;
  s.entry.action = "personal_data.read";
  s.entry.record_type = "person";
  s.entry.record_id = "RSSMRA85T10A562S";
  s.entry.remote_addr = "192.0.2.7";
  s.entry.details = R"({"fields":["address"]})";
  s.seq = 42;
  s.at = "2026-11-23T19:15:00.123Z";
  s.prev_hash = std::string(sp::audit::kGenesisHash);
  s.key_id = key_id;
  return s;
}

// A body's chain key (body_key.hpp), against Python:
//   hmac.new(bytes(range(1, 33)), b"sportello-audit-body-key-v1:4", hashlib.sha256)
TEST(AuditKey, ABodysKeyIsDerivedOneWayFromTheHubsAndOnlyItsOwnImportedKeysVerifyIt) {
  const auto hub = sp::audit::make_key(fixed_secret());
  const auto body = sp::audit::derive_body_key(hub, 4);
  EXPECT_EQ(sp::digest::to_hex(body.secret),
            "3dc9197f28d4b682c746cdd435036e0034446d79edfdf654e847de69da88aee5");
  EXPECT_EQ(body.id, "b3cf830c7cd4f5eb");
  EXPECT_NE(sp::audit::derive_body_key(hub, 5).secret, body.secret);
  EXPECT_EQ(sp::audit::body_writer(hub, 4).id, body.id);
  EXPECT_EQ(sp::audit::body_writer(hub, 0).id, hub.id);  // the hub's own chain

  // What verifies body 4's chain: its key, the hub's (older entries), and the keys brought for its slug
  // only (carried as "<slug>:<kid>").
  auto ring = hub;
  const auto brought_asti = sp::audit::generate_key();
  const auto brought_other = sp::audit::generate_key();
  ring.older.push_back(brought_asti);
  ring.older.back().id = "asti:" + brought_asti.id;
  ring.older.push_back(brought_other);
  ring.older.back().id = "novara:" + brought_other.id;
  const auto asti = sp::audit::chain_key_for(ring, 4, "asti");
  EXPECT_EQ(asti.id, body.id);
  ASSERT_NE(asti.find(hub.id), nullptr);
  ASSERT_NE(asti.find(brought_asti.id), nullptr);
  EXPECT_EQ(asti.find(brought_asti.id)->secret, brought_asti.secret);
  EXPECT_EQ(asti.find(brought_other.id), nullptr);
  EXPECT_EQ(sp::audit::chain_key_for(ring, 5, "casale").find(brought_asti.id), nullptr);
  EXPECT_EQ(ring.find(brought_asti.id), nullptr);  // the hub's own chain never names them
}

TEST(AuditKey, IdOfAFixedKey) {
  const auto key = sp::audit::make_key(fixed_secret());
  EXPECT_EQ(key.id, "9b01f62b4ffcadec");
  EXPECT_EQ(key.secret, fixed_secret());
  EXPECT_EQ(sp::audit::key_file_text(key),
            "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n");
  const auto a = sp::audit::generate_key();
  const auto b = sp::audit::generate_key();
  EXPECT_EQ(a.secret.size(), 32u);
  EXPECT_NE(a.secret, b.secret);
  EXPECT_NE(a.id, b.id);
}

TEST(AuditKeyedChain, CanonicalBytesOfAFixedKeyedEntry) {
  const std::string expected =
      "sportello-audit-v2"
      "1:3;2:42;24:2026-11-23T19:15:00.123Z;5:staff;8:staff-17;16:RSSMRA85T10A562S;7:counter;"
      "18:personal_data.read;6:person;16:RSSMRA85T10A562S;9:192.0.2.7;22:{\"fields\":[\"address\"]};"
      "64:0000000000000000000000000000000000000000000000000000000000000000;16:9b01f62b4ffcadec;";
  EXPECT_EQ(sp::audit::canonical_bytes(sample("9b01f62b4ffcadec")), expected);
  // Without a key id, the version 1 bytes as before.
  EXPECT_EQ(sp::audit::canonical_bytes(sample("")).rfind("sportello-audit-v1", 0), 0u);
}

TEST(AuditKeyedChain, TheHashIsHmacSha256WithTheKey) {
  const auto key = sp::audit::make_key(fixed_secret());
  const auto s = sample(key.id);
  EXPECT_EQ(sp::audit::keyed_entry_hash(s, key),
            "e4aa845db0345879fbc92191339bd38444871072c45cde0526c99879b036fae5");
  // What someone without the key computes: plain SHA-256 of the same bytes, which is not the hash.
  EXPECT_EQ(sp::audit::entry_hash(s), "f70a7a1091d66324fcb61030a423377aec9a53eb9aac847e175d684f5503d8ea");
  // Another key gives another hash.
  auto other = sp::audit::generate_key();
  auto t = sample(other.id);
  EXPECT_NE(sp::audit::keyed_entry_hash(t, other), sp::audit::keyed_entry_hash(s, key));
}

TEST(AuditKeyedChain, EveryFieldAndTheKeyIdAreCovered) {
  const auto key = sp::audit::make_key(fixed_secret());
  const auto base = sp::audit::keyed_entry_hash(sample(key.id), key);
  std::vector<void (*)(StoredEntry&)> edits = {
      [](StoredEntry& s) { s.entry.tenant_id = 4; },
      [](StoredEntry& s) { s.seq = 43; },
      [](StoredEntry& s) { s.at = "2026-11-23T19:15:00.124Z"; },
      [](StoredEntry& s) { s.entry.actor_kind = ActorKind::person; },
      [](StoredEntry& s) { s.entry.actor_id = "staff-18"; },
      [](StoredEntry& s) { s.entry.on_behalf_of = ""; },
      [](StoredEntry& s) { s.entry.channel = Channel::web; },
      [](StoredEntry& s) { s.entry.action = "personal_data.update"; },
      [](StoredEntry& s) { s.entry.record_type = "case"; },
      [](StoredEntry& s) { s.entry.record_id = "RSSMRA85T10A562T"; },
      [](StoredEntry& s) { s.entry.remote_addr = "192.0.2.8"; },
      [](StoredEntry& s) { s.entry.details = "{}"; },
      [](StoredEntry& s) { s.prev_hash[63] = '1'; },
      [](StoredEntry& s) { s.key_id = "0000000000000000"; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto s = sample(key.id);
    edits[i](s);
    EXPECT_NE(sp::audit::keyed_entry_hash(s, key), base) << "edit " << i << " did not change the hash";
  }
  auto s = sample(key.id);
  s.hash = "anything";
  EXPECT_EQ(sp::audit::keyed_entry_hash(s, key), base);
}

TEST(AuditAnchors, BytesAndMacOfAFixedAnchor) {
  const auto key = sp::audit::make_key(fixed_secret());
  Anchor a{5, 120, std::string(64, 'a'), "2026-03-02T10:00:00.000Z", "2026-03-02T10:05:00.000Z", key.id};
  for (std::size_t i = 1; i < 64; i += 2) a.hash[i] = 'b';
  EXPECT_EQ(sp::audit::anchor_bytes(a),
            "sportello-audit-anchor-v1"
            "1:5;3:120;64:abababababababababababababababababababababababababababababababab;"
            "24:2026-03-02T10:00:00.000Z;24:2026-03-02T10:05:00.000Z;16:9b01f62b4ffcadec;");
  EXPECT_EQ(sp::audit::anchor_mac(a, key),
            "f3e880868e624df905e4312576b8d1dda838e6367bf24121300fdc9884107758");
  EXPECT_EQ(sp::audit::anchor_line(a, key),
            "{\"tenant_id\":5,\"seq\":120,\"hash\":\"" + a.hash +
                "\",\"at\":\"2026-03-02T10:00:00.000Z\",\"anchored_at\":\"2026-03-02T10:05:00.000Z\","
                "\"key_id\":\"9b01f62b4ffcadec\",\"mac\":"
                "\"f3e880868e624df905e4312576b8d1dda838e6367bf24121300fdc9884107758\"}\n");
}

TEST(AuditAnchors, ReadingChecksEveryLine) {
  sp::testing::TempDir dir;
  const auto path = (dir.path() / "anchors.jsonl").string();
  const auto key = sp::audit::make_key(fixed_secret());
  Anchor a{5, 3, std::string(64, 'c'), "2026-03-02T10:00:00.000Z", "2026-03-02T10:05:00.000Z", key.id};
  Anchor b = a;
  b.seq = 4;
  std::string forged = sp::audit::anchor_line(b, key);
  forged.replace(forged.find("\"seq\":4"), 7, "\"seq\":9");
  {
    std::ofstream out(path);
    out << sp::audit::anchor_line(a, key) << "\n" << forged << "not json\n" << sp::audit::anchor_line(b, key);
  }
  auto read = sp::audit::read_anchor_file(path, &key);
  EXPECT_TRUE(read.exists);
  EXPECT_EQ(read.lines, 4);  // the empty line is skipped
  ASSERT_EQ(read.anchors.size(), 2u);
  EXPECT_EQ(read.anchors[0].seq, 3);
  EXPECT_EQ(read.anchors[1].seq, 4);
  ASSERT_EQ(read.problems.size(), 2u);
  EXPECT_EQ(read.problems[0].line, 3);
  EXPECT_FALSE(read.problems[0].unverifiable);
  EXPECT_EQ(read.problems[1].line, 4);
  EXPECT_EQ(read.problems[1].problem, "malformed line");

  // Without the key, or with another key, nothing can be vouched for and nothing is called forged.
  auto none = sp::audit::read_anchor_file(path, nullptr);
  EXPECT_TRUE(none.anchors.empty());
  auto other_key = sp::audit::generate_key();
  auto other = sp::audit::read_anchor_file(path, &other_key);
  EXPECT_TRUE(other.anchors.empty());
  EXPECT_TRUE(other.problems[0].unverifiable);
  EXPECT_FALSE(sp::audit::read_anchor_file((dir.path() / "none.jsonl").string(), &key).exists);
}

TEST(AuditKeyFile, FormatIsCheckedAndNothingIsMadeByReading) {
  sp::testing::TempDir dir;
  const auto path = (dir.path() / "k").string();
  EXPECT_EQ(sp::audit::read_key_file(path).error().code, "audit.key_missing");
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const char* bad : {"", "abc", "zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
                          "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021"}) {
    std::ofstream(path, std::ios::trunc) << bad;
    EXPECT_EQ(sp::audit::read_key_file(path).error().code, "audit.key_format") << bad;
    EXPECT_THROW(sp::audit::load_or_create_key_file(path), std::runtime_error) << bad;
  }
  // `openssl rand -hex 32 > file` works: upper case and a trailing newline are fine.
  std::ofstream(path, std::ios::trunc)
      << "0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20\n";
  auto key = sp::audit::read_key_file(path);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->id, "9b01f62b4ffcadec");
}

TEST(AuditKeyFile, TheFirstStartMakesAPrivateKeyOnceEvenWhenProcessesRace) {
  sp::testing::TempDir dir;
  const auto path = (dir.path() / "var" / "audit-hmac.key").string();
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] { ids[i] = sp::audit::load_or_create_key_file(path).id; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(sp::audit::key_file_too_open(path));
  EXPECT_EQ(sp::audit::read_key_file(path)->id, ids[0]);
  EXPECT_EQ(sp::audit::load_or_create_key_file(path).id, ids[0]);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "var"), {}), 1);
  ::chmod(path.c_str(), 0644);
  EXPECT_TRUE(sp::audit::key_file_too_open(path));
}

}  // namespace
