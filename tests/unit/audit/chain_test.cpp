// The canonical serialisation behind the audit hash chain: its bytes are injective (different field
// lists never give the same bytes) and the hash is plain SHA-256 of them.
#include "audit/chain.hpp"

#include <gtest/gtest.h>

#include "audit/service.hpp"
#include "core/digest.hpp"

namespace {

using sp::audit::ActorKind;
using sp::audit::canonical_bytes;
using sp::audit::Channel;
using sp::audit::entry_hash;
using sp::audit::length_prefixed;
using sp::audit::StoredEntry;

StoredEntry sample() {
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
  return s;
}

TEST(AuditChain, Sha256OfAKnownString) {
  EXPECT_EQ(sp::digest::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sp::digest::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AuditChain, LengthPrefixedFormatIsExactlyAsDocumented) {
  EXPECT_EQ(length_prefixed({"abc", "", "x:y;"}), "3:abc;0:;4:x:y;;");
}

TEST(AuditChain, CanonicalBytesOfAFixedEntry) {
  const std::string expected =
      "sportello-audit-v1"
      "1:3;2:42;24:2026-11-23T19:15:00.123Z;5:staff;8:staff-17;16:RSSMRA85T10A562S;7:counter;"
      "18:personal_data.read;6:person;16:RSSMRA85T10A562S;9:192.0.2.7;22:{\"fields\":[\"address\"]};"
      "64:0000000000000000000000000000000000000000000000000000000000000000;";
  EXPECT_EQ(canonical_bytes(sample()), expected);
  // The hash is SHA-256 of exactly those bytes, nothing added.
  EXPECT_EQ(entry_hash(sample()), sp::digest::sha256_hex(expected));
  EXPECT_EQ(entry_hash(sample()).size(), 64u);
}

TEST(AuditChain, DifferentFieldSplitsGiveDifferentBytes) {
  // Moving characters from one field to the next must change the bytes, even when the plain
  // concatenation is the same (the attack a naive separator-joined format allows).
  EXPECT_NE(length_prefixed({"ab", "c"}), length_prefixed({"a", "bc"}));
  EXPECT_NE(length_prefixed({"a;", "b"}), length_prefixed({"a", ";b"}));
  EXPECT_NE(length_prefixed({"1:a;", ""}), length_prefixed({"", "1:a;"}));
  EXPECT_NE(length_prefixed({"", ""}), length_prefixed({""}));

  auto a = sample();
  auto b = sample();
  a.entry.record_type = "person";
  a.entry.record_id = "X";
  b.entry.record_type = "personX";
  b.entry.record_id = "";
  EXPECT_NE(canonical_bytes(a), canonical_bytes(b));
  EXPECT_NE(entry_hash(a), entry_hash(b));

  auto c = sample();
  auto d = sample();
  c.entry.actor_id = "RSSMRA85T10A562S";
  c.entry.on_behalf_of = "";
  d.entry.actor_id = "";
  d.entry.on_behalf_of = "RSSMRA85T10A562S";
  EXPECT_NE(canonical_bytes(c), canonical_bytes(d));

  // tenant 1, seq 23 vs tenant 12, seq 3
  auto e = sample();
  auto f = sample();
  e.entry.tenant_id = 1;
  e.seq = 23;
  f.entry.tenant_id = 12;
  f.seq = 3;
  EXPECT_NE(canonical_bytes(e), canonical_bytes(f));
}

TEST(AuditChain, EveryFieldIsCovered) {
  const auto base = entry_hash(sample());
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
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto s = sample();
    edits[i](s);
    EXPECT_NE(entry_hash(s), base) << "edit " << i << " did not change the hash";
  }
  // The stored hash itself is not an input.
  auto s = sample();
  s.hash = "anything";
  EXPECT_EQ(entry_hash(s), base);
}

TEST(AuditEntry, ValidationNamesTheField) {
  sp::audit::Entry e;
  e.actor_id = "system";
  e.action = "case.open";
  EXPECT_TRUE(sp::audit::AuditService::validate(e).ok());

  auto bad = e;
  bad.actor_id.clear();
  EXPECT_EQ(sp::audit::AuditService::validate(bad).error().code, "audit.actor");
  bad = e;
  bad.action = "Case Open";
  EXPECT_EQ(sp::audit::AuditService::validate(bad).error().code, "audit.action");
  bad = e;
  bad.details = "[1,2]";
  EXPECT_EQ(sp::audit::AuditService::validate(bad).error().code, "audit.details");
  bad.details = "{not json";
  EXPECT_EQ(sp::audit::AuditService::validate(bad).error().field, "details");
  bad = e;
  bad.tenant_id = -1;
  EXPECT_EQ(sp::audit::AuditService::validate(bad).error().message_key, "error.audit.tenant");
}

TEST(AuditEntry, TimestampsAreUtcWithMilliseconds) {
  using namespace std::chrono;
  sp::time::TimePoint tp =
      sys_days{year{2026} / 11 / 23} + hours{19} + minutes{15} + milliseconds{123} + microseconds{456};
  EXPECT_EQ(sp::audit::AuditService::format_at(tp), "2026-11-23T19:15:00.123Z");
  EXPECT_EQ(sp::audit::AuditService::format_at(sys_days{year{2026} / 1 / 2}), "2026-01-02T00:00:00.000Z");
}

TEST(AuditModel, NamesRoundTripAndReadActions) {
  for (auto k : {ActorKind::person, ActorKind::staff, ActorKind::system})
    EXPECT_EQ(sp::audit::parse_actor_kind(sp::audit::to_string(k)), k);
  for (auto c : {Channel::web, Channel::api, Channel::counter, Channel::system})
    EXPECT_EQ(sp::audit::parse_channel(sp::audit::to_string(c)), c);
  EXPECT_FALSE(sp::audit::parse_actor_kind("admin"));
  EXPECT_TRUE(sp::audit::is_read_action("personal_data.read"));
  EXPECT_FALSE(sp::audit::is_read_action("case.open"));
  EXPECT_FALSE(sp::audit::is_read_action(".read"));
}

}  // namespace
