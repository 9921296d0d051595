// core/keys: key rings in files (issue 12). Rotation and which key signs, validity, lookup by id,
// revocation, permissions, one first key when several processes start at once, the digital stamp's
// Ed25519 signatures, the published JWKS, and the audit key id kept for imported keys.
#include "core/keys/key_ring.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/testing.hpp"

namespace {

namespace keys = sp::keys;
using namespace std::chrono_literals;

const sp::time::TimePoint kT0{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}};

class KeyRingTest : public ::testing::Test {
 protected:
  std::string dir() const { return (tmp_.path() / "keys").string(); }
  keys::KeyRing ring(const std::string& owner, keys::Purpose p) {
    auto r = keys::load_ring(dir(), owner, p);
    EXPECT_TRUE(r.ok());
    return r ? *r : keys::KeyRing{};
  }
  sp::testing::TempDir tmp_;
};

TEST_F(KeyRingTest, AMissingFolderIsAnEmptyRingAndLoadingWritesNothing) {
  auto r = ring("asti", keys::Purpose::stamp_signing);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.signing(kT0), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir()));
}

TEST_F(KeyRingTest, RotationSignsWithTheNewestKeyAndTheOldOneKeepsVerifying) {
  auto first = keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0);
  ASSERT_TRUE(first.ok()) << first.error().code;
  auto second = keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0 + 24h);
  ASSERT_TRUE(second.ok());
  auto r = ring("asti", keys::Purpose::stamp_signing);
  ASSERT_EQ(r.keys().size(), 2u);
  ASSERT_NE(r.signing(kT0 + 25h), nullptr);
  EXPECT_EQ(r.signing(kT0 + 25h)->id, second->id);
  ASSERT_NE(r.find(first->id), nullptr);
  EXPECT_EQ(r.find(first->id)->status, keys::KeyStatus::retired);
  EXPECT_EQ(r.find(second->id)->status, keys::KeyStatus::active);
  EXPECT_EQ(r.find("0000000000000000"), nullptr);

  // A stamp made with the old key before the rotation still verifies; the new key signs now.
  const std::string doc = "certificato 42";
  const auto old_sig = keys::sign(*r.find(first->id), doc);
  EXPECT_TRUE(keys::verify(r, first->id, kT0 + 1h, doc, old_sig));
  EXPECT_FALSE(keys::verify(r, first->id, kT0 + 1h, doc + "!", old_sig));
  EXPECT_FALSE(keys::verify(r, second->id, kT0 + 1h, doc, old_sig));  // wrong key id
  const auto new_sig = keys::sign(*r.signing(kT0 + 25h), doc);
  EXPECT_TRUE(keys::verify(r, second->id, kT0 + 25h, doc, new_sig));
  // Signed before the key's validity began: refused.
  EXPECT_FALSE(keys::verify(r, second->id, kT0, doc, new_sig));
}

TEST_F(KeyRingTest, AScheduledKeySignsOnlyFromItsNotBefore) {
  auto now_key =
      keys::rotate(dir(), "hub", keys::Purpose::audit_hmac, kT0, {.validity = std::chrono::days(10)});
  ASSERT_TRUE(now_key.ok());
  keys::NewKey later;
  later.not_before = kT0 + 48h;
  later.validity = std::chrono::days(30);
  auto next = keys::rotate(dir(), "hub", keys::Purpose::audit_hmac, kT0 + 1h, later);
  ASSERT_TRUE(next.ok());
  auto r = ring("hub", keys::Purpose::audit_hmac);
  EXPECT_EQ(r.signing(kT0 + 2h)->id, now_key->id);  // the current key stays active until then
  EXPECT_EQ(r.signing(kT0 + 49h)->id, next->id);
  // After its validity nothing signs, yet both still verify (entries are kept for ever).
  EXPECT_EQ(r.signing(kT0 + std::chrono::days(40)), nullptr);
  EXPECT_NE(r.find(now_key->id), nullptr);
  EXPECT_EQ(r.verifying(next->id, kT0 + std::chrono::days(40)), nullptr);
  EXPECT_NE(r.verifying(next->id, kT0 + 49h), nullptr);
  EXPECT_EQ(keys::rotate(dir(), "hub", keys::Purpose::audit_hmac, kT0, {.validity = std::chrono::days(-1)})
                .error()
                .code,
            "keys.validity");
}

TEST_F(KeyRingTest, ARevokedKeyVerifiesNothing) {
  auto k = keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0);
  ASSERT_TRUE(k.ok());
  const auto sig = keys::sign(*ring("asti", keys::Purpose::stamp_signing).find(k->id), "x");
  ASSERT_TRUE(
      keys::set_status(dir(), "asti", keys::Purpose::stamp_signing, k->id, keys::KeyStatus::revoked).ok());
  auto r = ring("asti", keys::Purpose::stamp_signing);
  EXPECT_EQ(r.find(k->id), nullptr);
  EXPECT_EQ(r.signing(kT0 + 1h), nullptr);
  EXPECT_FALSE(keys::verify(r, k->id, kT0 + 1h, "x", sig));
  // Still published, marked revoked: a verifier then says "revoked", not "unknown key" (issue 15).
  const auto published = keys::public_jwks_json(r);
  EXPECT_NE(published.find(k->id), std::string::npos);
  EXPECT_NE(published.find("\"status\":\"revoked\""), std::string::npos) << published;
}

TEST_F(KeyRingTest, FilesAreWrittenPrivateAndLooseModesAreReported) {
  ASSERT_TRUE(keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0).ok());
  const auto ring_path = keys::ring_dir(dir(), "asti", keys::Purpose::stamp_signing);
  struct stat st {};
  ASSERT_EQ(::stat(ring_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& e : std::filesystem::directory_iterator(ring_path)) {
    if (e.path().extension() == ".key") {
      ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
      ::chmod(e.path().c_str(), 0644);
    }
  }
  EXPECT_TRUE(keys::permission_problems(dir()).size() == 1u);
  ::chmod(ring_path.c_str(), 0755);
  auto problems = keys::permission_problems(dir());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("chmod"), std::string::npos);
  EXPECT_FALSE(ring("asti", keys::Purpose::stamp_signing).problems.empty());
}

TEST_F(KeyRingTest, ProcessesStartingAtOnceMakeOneFirstKey) {
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = keys::ensure_ring(dir(), "hub", keys::Purpose::audit_hmac, kT0);
      ids[i] = r && r->signing(kT0) ? r->signing(kT0)->id : "";
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_FALSE(ids[0].empty());
  EXPECT_EQ(ring("hub", keys::Purpose::audit_hmac).keys().size(), 1u);
  // No temporary files left behind: the key, its metadata and the lock.
  const auto ring_path = keys::ring_dir(dir(), "hub", keys::Purpose::audit_hmac);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(ring_path), {}), 3);
}

TEST_F(KeyRingTest, AnEditedOrRenamedKeyFileIsSkippedAndSaidSo) {
  auto k = keys::rotate(dir(), "hub", keys::Purpose::audit_hmac, kT0);
  ASSERT_TRUE(k.ok());
  const auto path =
      std::filesystem::path(keys::ring_dir(dir(), "hub", keys::Purpose::audit_hmac)) / (k->id + ".key");
  std::ofstream(path, std::ios::trunc) << std::string(64, 'a') << "\n";
  auto r = ring("hub", keys::Purpose::audit_hmac);
  EXPECT_TRUE(r.empty());
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("does not match its id"), std::string::npos);
}

TEST_F(KeyRingTest, ImportedAuditSecretsKeepTheAuditKeyId) {
  // The key of docs/audit.md's example: 0x01..0x20 has id 9b01f62b4ffcadec.
  std::string secret;
  for (int i = 1; i <= 32; ++i) secret.push_back(static_cast<char>(i));
  EXPECT_EQ(keys::key_id(keys::Purpose::audit_hmac, secret), "9b01f62b4ffcadec");
  auto r = keys::import_secret(dir(), "hub", keys::Purpose::audit_hmac, secret, keys::KeyStatus::active, kT0);
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->signing(kT0), nullptr);
  EXPECT_EQ(r->signing(kT0)->id, "9b01f62b4ffcadec");
  EXPECT_EQ(r->signing(kT0)->secret, secret);
  // Importing again changes nothing.
  r = keys::import_secret(dir(), "hub", keys::Purpose::audit_hmac, secret, keys::KeyStatus::active, kT0);
  EXPECT_EQ(r->keys().size(), 1u);
}

TEST_F(KeyRingTest, PublishedKeysAreAJwksWithValidity) {
  auto a = keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0);
  auto b = keys::rotate(dir(), "asti", keys::Purpose::stamp_signing, kT0 + 1h);
  ASSERT_TRUE(a.ok() && b.ok());
  auto doc =
      boost::json::parse(keys::public_jwks_json(ring("asti", keys::Purpose::stamp_signing))).as_object();
  EXPECT_EQ(doc.at("owner").as_string(), "asti");
  const auto& list = doc.at("keys").as_array();
  ASSERT_EQ(list.size(), 2u);
  const auto& k = list[1].as_object();
  EXPECT_EQ(k.at("kid").as_string(), b->id);
  EXPECT_EQ(k.at("kty").as_string(), "OKP");
  EXPECT_EQ(k.at("crv").as_string(), "Ed25519");
  EXPECT_EQ(k.at("alg").as_string(), "EdDSA");
  EXPECT_EQ(k.at("status").as_string(), "active");
  EXPECT_EQ(k.at("not_before").as_string(), "2026-03-02T01:00:00Z");
  EXPECT_EQ(list[0].as_object().at("status").as_string(), "retired");
  EXPECT_EQ(k.at("x").as_string().size(), 43u);  // 32 bytes, base64url
  // Never a secret.
  EXPECT_EQ(keys::public_jwks_json(ring("asti", keys::Purpose::stamp_signing)).find("\"d\""),
            std::string::npos);
  // A revoked key stays published, marked revoked (verifiers then say "revoked", not "unknown").
  ASSERT_TRUE(
      keys::set_status(dir(), "asti", keys::Purpose::stamp_signing, a->id, keys::KeyStatus::revoked).ok());
  auto after =
      boost::json::parse(keys::public_jwks_json(ring("asti", keys::Purpose::stamp_signing))).as_object();
  ASSERT_EQ(after.at("keys").as_array().size(), 2u);
  EXPECT_EQ(after.at("keys").as_array()[0].as_object().at("kid").as_string(), a->id);
  EXPECT_EQ(after.at("keys").as_array()[0].as_object().at("status").as_string(), "revoked");
}

TEST_F(KeyRingTest, OwnersAreSlugsNeverPaths) {
  EXPECT_FALSE(keys::load_ring(dir(), "../etc", keys::Purpose::stamp_signing).ok());
  EXPECT_FALSE(keys::rotate(dir(), "Asti", keys::Purpose::stamp_signing, kT0).ok());
  EXPECT_FALSE(keys::rotate(dir(), "", keys::Purpose::stamp_signing, kT0).ok());
  EXPECT_EQ(keys::rotate(dir(), "asti", keys::Purpose::xml_signing, kT0).error().code, "keys.purpose");
  EXPECT_EQ(keys::parse_purpose("stamp-signing"), keys::Purpose::stamp_signing);
  EXPECT_FALSE(keys::parse_purpose("other"));
}

TEST_F(KeyRingTest, XmlSigningKeysAreLoadedWithTheirCertificatesValidity) {
  const auto ring_path = std::filesystem::path(keys::ring_dir(dir(), "asti", keys::Purpose::xml_signing));
  std::filesystem::create_directories(ring_path);
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "
      "/CN=asti -keyout '" +
      (ring_path / "aoo1.key").string() + "' -out '" + (ring_path / "aoo1.crt").string() +
      "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no openssl command";
  auto r = ring("asti", keys::Purpose::xml_signing);
  ASSERT_EQ(r.keys().size(), 1u) << (r.problems.empty() ? "" : r.problems[0]);
  const auto& k = r.keys()[0];
  EXPECT_EQ(k.id, "aoo1");
  EXPECT_NE(k.secret.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(k.public_key.find("CERTIFICATE"), std::string::npos);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(k.not_after - k.not_before).count(), 30 * 24);
  EXPECT_NE(r.signing(std::chrono::system_clock::now()), nullptr);
}

}  // namespace
