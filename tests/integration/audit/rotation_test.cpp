// The audit key moved onto the key ring (core/keys, issue 12): an audit_key_file of an older deployment
// becomes the ring's first key (same id, so its entries verify), a rotation mid-chain makes new entries
// use the new key, and `audit verify` checks the whole chain — old entries with the old key, new ones with
// the new key, anchors written before and after — on both databases. Without the old key (a ring that
// lost it) the old entries cannot be vouched for.
#include <filesystem>

#include "audit_fixture.hpp"
#include "core/keys/key_ring.hpp"

namespace sp::audit::testing {
namespace {

class AuditRotationTest : public AuditTest {
 protected:
  std::string keys_dir() const { return (files_.path() / "keys").string(); }

  // The ring as the server loads it at start (create = true imports the key file).
  std::shared_ptr<const ChainKey> server_key() {
    auto k = load_chain_key(keys_dir(), key_file(), clock_.now(), true);
    EXPECT_TRUE(k.ok()) << (k ? "" : k.error().code + " " + k.error().detail);
    return k ? *k : nullptr;
  }

  Verified verify_with_ring(const std::string& legacy_file) {
    std::ostringstream out;
    Verified v;
    v.rc = run_verify_command(db(), VerifyOptions{legacy_file, {anchor_file()}, keys_dir()}, out);
    v.all = out.str();
    return v;
  }

  void append_with(const std::shared_ptr<const ChainKey>& key, tenants::TenantId tenant, int n) {
    AuditService with(db(), clock_, key);
    for (int i = 0; i < n; ++i) {
      clock_.advance(std::chrono::seconds(1));
      auto r = with.record(entry(tenant));
      ASSERT_TRUE(r.ok()) << r.error().code;
    }
  }

  void anchor_with(const std::shared_ptr<const ChainKey>& key) {
    Anchorer anchorer(db(), key, anchor_file(), clock_);
    anchorer.anchor_now();
  }
};

TEST_P(AuditRotationTest, RotatingMidChainKeepsTheWholeChainVerifiable) {
  // An older deployment: entries and an anchor made with the key of audit_key_file.
  append(5, 3);
  append(0, 1);
  anchor();

  // The first start with the ring imports that key as the ring's signing key: same id.
  auto first = server_key();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->id, key().id);
  EXPECT_TRUE(first->older.empty());
  append_with(first, 5, 2);

  // Rotation; the next start signs with the new key and keeps the old one for verification.
  clock_.advance(std::chrono::hours(1));
  auto rotated = keys::rotate(keys_dir(), keys::kHub, keys::Purpose::audit_hmac, clock_.now());
  ASSERT_TRUE(rotated.ok()) << rotated.error().code;
  auto second = server_key();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->id, rotated->id);
  EXPECT_NE(second->id, key().id);
  ASSERT_NE(second->find(key().id), nullptr);
  append_with(second, 5, 3);
  append_with(second, 0, 1);
  anchor_with(second);

  // The chain mixes both keys.
  EXPECT_EQ(stored(5, 5).key_id, derive_body_key(key(), 5).id);
  EXPECT_EQ(stored(5, 6).key_id, derive_body_key(*second, 5).id);
  EXPECT_EQ(audit().entries(0, {}).entries.at(0).key_id, rotated->id);  // the hub's own chain: the hub's key

  // verify with the ring (and the old key file still there): everything vouched for.
  auto v = verify_with_ring(key_file());
  EXPECT_EQ(v.rc, kVerifyOk) << v.all;
  EXPECT_NE(v.all.find("tenant 5: verified up to"), std::string::npos) << v.all;
  EXPECT_NE(v.all.find("key " + key().id), std::string::npos) << v.all;
  EXPECT_NE(v.all.find("key " + rotated->id), std::string::npos) << v.all;

  // The key file can go once imported: the ring alone verifies.
  std::filesystem::remove(key_file());
  v = verify_with_ring(key_file());
  EXPECT_EQ(v.rc, kVerifyOk) << v.all;

  // A changed old entry is still found (the old key really checks it).
  tamper("UPDATE audit_log SET actor_id = 'someone-else' WHERE tenant_id = 5 AND seq = 2");
  v = verify_with_ring(key_file());
  EXPECT_EQ(v.rc, kVerifyBroken) << v.all;
  EXPECT_NE(v.all.find("tenant 5: BROKEN at seq 2: HMAC mismatch"), std::string::npos) << v.all;
}

TEST_P(AuditRotationTest, ARingThatLostTheOldKeyCannotVouchForItsEntries) {
  append(5, 2);
  auto first = server_key();  // imports key()
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(keys::rotate(keys_dir(), keys::kHub, keys::Purpose::audit_hmac, clock_.now()).ok());
  append_with(server_key(), 5, 2);
  // The old key's files are lost, and so is the legacy key file.
  const auto dir = std::filesystem::path(keys::ring_dir(keys_dir(), keys::kHub, keys::Purpose::audit_hmac));
  std::filesystem::remove(dir / (key().id + ".key"));
  std::filesystem::remove(dir / (key().id + ".json"));
  std::filesystem::remove(key_file());
  auto v = verify_with_ring(key_file());
  EXPECT_EQ(v.rc, kVerifyCannot) << v.all;
  EXPECT_NE(v.all.find("CANNOT VERIFY: 2 entries keyed with key " + derive_body_key(key(), 5).id),
            std::string::npos)
      << v.all;
}

TEST_P(AuditRotationTest, AFreshDeploymentMakesItsFirstKeyInTheRingAndNoneInTheKeyFile) {
  std::filesystem::remove(key_file());
  auto k = server_key();
  ASSERT_NE(k, nullptr);
  EXPECT_FALSE(std::filesystem::exists(key_file()));
  auto ring = keys::load_ring(keys_dir(), keys::kHub, keys::Purpose::audit_hmac);
  ASSERT_TRUE(ring.ok());
  ASSERT_EQ(ring->keys().size(), 1u);
  EXPECT_EQ(ring->keys()[0].id, k->id);
  EXPECT_TRUE(keys::permission_problems(keys_dir()).empty());
  // verify never makes one.
  std::filesystem::remove_all(keys_dir());
  auto none = load_chain_key(keys_dir(), key_file(), clock_.now(), false);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  EXPECT_FALSE(std::filesystem::exists(keys_dir()));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditRotationTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
