// API keys: shown once, stored as a hash, scoped, revocable, and only by the body's administrators.
#include "core/digest.hpp"
#include "staff_fixture.hpp"

namespace staff_test {
namespace {

using sp::db::Conn;

class ApiKeyTest : public StaffTest {};

TEST_P(ApiKeyTest, CreateAuthenticateRevoke) {
  auto created = keys_->create(asti_admin_.get(), kAsti, "Gestionale protocollo",
                               {"catalog:read", " protocollo:write", "catalog:read"});
  ASSERT_TRUE(created.ok()) << created.error().code;
  const auto secret = created->secret;
  EXPECT_EQ(secret.rfind("sp_", 0), 0u);
  EXPECT_EQ(secret.size(), 3u + 43u);
  EXPECT_EQ(created->key.prefix, secret.substr(0, 8));
  EXPECT_EQ(created->key.scopes, (std::vector<std::string>{"catalog:read", "protocollo:write"}));
  EXPECT_EQ(created->key.created_by, asti_admin_->subject);

  auto p = keys_->authenticate(secret);
  ASSERT_TRUE(p.ok()) << p.error().code;
  EXPECT_EQ(p->tenant_id, kAsti);
  EXPECT_EQ(p->key_id, created->key.id);
  EXPECT_TRUE(p->has_scope("catalog:read"));
  EXPECT_TRUE(p->has_scope("protocollo:write"));
  EXPECT_FALSE(p->has_scope("protocollo:read"));
  auto from_header = keys_->authenticate("Bearer " + secret);
  ASSERT_TRUE(from_header.ok());
  EXPECT_EQ(from_header->key_id, created->key.id);
  EXPECT_EQ(ApiKeyService::bearer_from_header("bearer  abc "), "abc");
  EXPECT_EQ(ApiKeyService::bearer_from_header("Basic abc"), "");

  auto listed = keys_->list(asti_admin_.get(), kAsti);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, created->key.id);
  EXPECT_EQ((*listed)[0].prefix, secret.substr(0, 8));
  EXPECT_TRUE((*listed)[0].last_used_at.has_value());  // authenticate recorded the use

  ASSERT_TRUE(keys_->revoke(asti_admin_.get(), kAsti, created->key.id).ok());
  auto after = keys_->authenticate(secret);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "api.key_invalid");
  EXPECT_EQ(after.error().http_status, 401);
  EXPECT_EQ(keys_->revoke(asti_admin_.get(), kAsti, created->key.id).error().code, "not_found");
  EXPECT_TRUE(keys_->list(asti_admin_.get(), kAsti)->at(0).revoked_at.has_value());
}

TEST_P(ApiKeyTest, UnknownAndMalformedKeysAreRefused) {
  auto created = keys_->create(asti_admin_.get(), kAsti, "k", {"catalog:read"});
  ASSERT_TRUE(created.ok());
  auto tampered = created->secret;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  for (const auto& bad : {std::string(), std::string("sp_"), tampered, created->secret.substr(3),
                          created->secret + "x", "Bearer " + tampered}) {
    auto r = keys_->authenticate(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "api.key_invalid");
  }
  EXPECT_TRUE(keys_->authenticate(created->secret).ok());
}

TEST_P(ApiKeyTest, TheKeyIsNeverStoredInClear) {
  auto created = keys_->create(asti_admin_.get(), kAsti, "Pagamenti", {"payments:read"});
  ASSERT_TRUE(created.ok());
  const auto& secret = created->secret;
  int rows = 0;
  db().read([&](Conn& c) {
    for (const auto& r :
         c.query("SELECT id, name, prefix, key_hash, scopes, created_by, created_at FROM api_keys")) {
      ++rows;
      for (std::size_t i = 0; i < r.size(); ++i) {
        EXPECT_EQ(r.text(i).find(secret.substr(8)), std::string::npos) << "column " << i;
      }
      EXPECT_EQ(r.text(3), sp::digest::sha256_hex(secret));
      EXPECT_EQ(r.text(2), secret.substr(0, 8));
    }
  });
  EXPECT_EQ(rows, 1);
}

TEST_P(ApiKeyTest, OnlyTheBodysAdministratorsManageItsKeys) {
  auto novara_key = keys_->create(novara_admin_.get(), kNovara, "Novara", {"catalog:read"});
  ASSERT_TRUE(novara_key.ok());
  EXPECT_EQ(keys_->create(asti_admin_.get(), kNovara, "x", {"catalog:read"}).error().http_status, 403);
  EXPECT_EQ(keys_->list(asti_admin_.get(), kNovara).error().http_status, 403);
  EXPECT_EQ(keys_->revoke(asti_admin_.get(), kNovara, novara_key->key.id).error().http_status, 403);
  // With Asti's own tenant the Novara key id is simply not found, and stays valid.
  EXPECT_EQ(keys_->revoke(asti_admin_.get(), kAsti, novara_key->key.id).error().code, "not_found");
  EXPECT_TRUE(keys_->authenticate(novara_key->secret).ok());
  EXPECT_EQ(keys_->list(nullptr, kAsti).error().http_status, 401);
  EXPECT_EQ(keys_->create(hub_admin_.get(), kAsti, "x", {"catalog:read"}).error().http_status, 403);
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  auto op = principal_for("op@asti.example");
  EXPECT_EQ(keys_->create(op.get(), kAsti, "x", {"catalog:read"}).error().http_status, 403);
  EXPECT_EQ(keys_->list(novara_admin_.get(), kNovara)->size(), 1u);
}

TEST_P(ApiKeyTest, NameAndScopesAreValidated) {
  EXPECT_EQ(keys_->create(asti_admin_.get(), kAsti, " ", {"catalog:read"}).error().code, "api.name");
  EXPECT_EQ(keys_->create(asti_admin_.get(), kAsti, "k", {}).error().code, "api.scope");
  EXPECT_EQ(keys_->create(asti_admin_.get(), kAsti, "k", {"catalog"}).error().code, "api.scope");
  EXPECT_EQ(keys_->create(asti_admin_.get(), kAsti, "k", {"catalog:delete"}).error().code, "api.scope");
  EXPECT_EQ(keys_->create(asti_admin_.get(), kAsti, "k", {"Catalog:read"}).error().code, "api.scope");
  EXPECT_EQ(ApiKeyService::parse_scopes(" a:read, ,b:write,a:read"),
            (std::vector<std::string>{"a:read", "b:write"}));
  EXPECT_EQ(keys_->list(asti_admin_.get(), kAsti)->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ApiKeyTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace staff_test
