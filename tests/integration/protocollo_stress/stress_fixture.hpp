#pragma once
// Set-up and checks shared by the registry's stress tests: a database with two bodies (Asti, the one under
// load, and Novara, for cross-tenant attempts), one AOO each and an API key each, made in-process before
// the real `sportello serve` starts on it; the JSON body of a registration; and the whole-registry checks
// run after every crash (gapless numbers, no half-written entry, intact audit chain).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/config.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "http_connection.hpp"
#include "identity/api_keys.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::protocollo_stress {

inline const std::string kRegistrations = "/api/v1/backoffice/asti/protocollo/registrazioni";
inline const std::string kNovaraRegistrations = "/api/v1/backoffice/novara/protocollo/registrazioni";
// Every registration the tests send carries a primary document and one attachment.
inline constexpr std::int64_t kDocumentsPerEntry = 2;

struct Seeded {
  tenants::TenantId asti = 0;
  tenants::TenantId novara = 0;
  protocollo::AooId aoo = 0;         // Asti's only AOO
  protocollo::AooId novara_aoo = 0;  // Novara's
  std::string key;                   // Asti's API key, protocollo:read + protocollo:write
  std::string novara_key;            // Novara's, same scopes
};

// A body administrator as the API-key service wants one; nothing is signed in, this is set-up.
inline identity::Principal body_admin(tenants::TenantId tenant) {
  identity::Principal p;
  p.kind = identity::PrincipalKind::staff;
  p.subject = "stress-admin-" + std::to_string(tenant);
  p.display_name = p.subject;
  p.tenant_id = tenant;
  p.roles = {identity::Role::body_admin};
  return p;
}

// Migrates the database at `url` and creates the hub, the two bodies, their AOOs and API keys. The handle
// is closed again before returning, so the server is the only process holding the database.
inline Seeded seed(const std::string& url) {
  Seeded s;
  auto db = db::open(url);
  db::migrate(*db, sp::testing::migrations_dir());
  tenants::TenantService tenants(*db);
  auto hub = tenants.create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
  EXPECT_TRUE(hub.ok());
  auto body = [&](const std::string& slug, const std::string& name) {
    tenants::Body b;
    b.hub_id = hub.ok() ? *hub : 0;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    auto id = tenants.create_body(b);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code);
    return id.ok() ? *id : 0;
  };
  s.asti = body("asti", "Comune di Asti");
  s.novara = body("novara", "Comune di Novara");
  protocollo::ProtocolService protocol(*db, time::system_clock());
  auto aoo = protocol.create_aoo(s.asti, "c_a479", "AOO_ASTI", "Protocollo generale - Asti");
  auto novara_aoo = protocol.create_aoo(s.novara, "c_f952", "AOO_NOVARA", "Protocollo generale - Novara");
  EXPECT_TRUE(aoo.ok() && novara_aoo.ok());
  if (aoo.ok()) s.aoo = aoo->id;
  if (novara_aoo.ok()) s.novara_aoo = novara_aoo->id;
  identity::ApiKeyService keys(*db, time::system_clock());
  auto key_of = [&](tenants::TenantId tenant) {
    const auto admin = body_admin(tenant);
    auto k = keys.create(&admin, tenant, "Gestionale documentale", {"protocollo:read", "protocollo:write"});
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().code);
    return k.ok() ? k->secret : std::string();
  };
  s.key = key_of(s.asti);
  s.novara_key = key_of(s.novara);
  db->close();
  return s;
}

// `sportello serve` on `url` and `port`, its files in `dir`. Settings this build does not know are left
// out (an unknown SPORTELLO_* variable stops the server).
inline std::unique_ptr<sp::testing::ServerProcess> start_server(const std::string& url, std::uint16_t port,
                                                                const std::filesystem::path& dir,
                                                                int threads = 4) {
  std::set<std::string> known;
  for (const auto& s : config_settings()) known.insert(s.env);
  std::vector<std::string> env;
  for (const auto& kv : std::vector<std::string>{
           "SPORTELLO_DATABASE=" + url, "SPORTELLO_PORT=" + std::to_string(port),
           "SPORTELLO_THREADS=" + std::to_string(threads), "SPORTELLO_ACCESS_LOG=false",
           "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_DEMO=false",
           // No SPID/CIE simulator (demo only, and its port would clash with parallel tests).
           "SPORTELLO_SIM_IDP=false", "SPORTELLO_KEYS_DIR=" + (dir / "keys").string(),
           "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir / "rp.pem").string(),
           "SPORTELLO_FILES_DIR=" + (dir / "files").string()}) {
    if (known.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
  }
  return std::make_unique<sp::testing::ServerProcess>(
      std::vector<std::string>{sp::testing::binary(), "serve"}, env);
}

// A registration whose subject names it: incoming by PEC from one person, a primary document and an
// attachment registered by their digests.
inline std::string registration_json(const std::string& subject) {
  namespace json = boost::json;
  json::array docs{json::object{{"role", "primary"},
                                {"file_name", "istanza.pdf"},
                                {"mime_type", "application/pdf"},
                                {"size", 5},
                                {"sha256", digest::sha256_hex("hello")}},
                   json::object{{"role", "attachment"},
                                {"file_name", "allegato.pdf"},
                                {"mime_type", "application/pdf"},
                                {"size", 3},
                                {"sha256", digest::sha256_hex("abc")}}};
  json::object o{{"aoo", "AOO_ASTI"},
                 {"subject", subject},
                 {"direction", "incoming"},
                 {"channel", "pec"},
                 {"correspondents",
                  json::array{json::object{
                      {"kind", "person"}, {"name", "Mario Rossi"}, {"fiscal_code", "RSSMRA80A01H501U"}}}},
                 {"documents", docs}};
  return json::serialize(o);
}

inline std::vector<std::string> api_headers(const std::string& key, const std::string& idempotency_key = {}) {
  std::vector<std::string> h{"Authorization: Bearer " + key, "Content-Type: application/json",
                             "Accept: application/json"};
  if (!idempotency_key.empty()) h.push_back("Idempotency-Key: " + idempotency_key);
  return h;
}

// What the server acknowledged for a registration.
struct Ack {
  std::string id;
  int year = 0;
  std::int64_t number = 0;
  std::string registered_at;
};

// The entry in a 200/201 answer; nullopt (and a test failure) when the body is not one.
inline std::optional<Ack> parse_entry(const Reply& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("id") || !v.as_object().contains("number")) {
    ADD_FAILURE() << "not an entry: " << r.status << " " << r.body;
    return std::nullopt;
  }
  const auto& o = v.as_object();
  return Ack{std::string(o.at("id").as_string()), static_cast<int>(o.at("year").to_number<std::int64_t>()),
             o.at("number").to_number<std::int64_t>(), std::string(o.at("registered_at").as_string())};
}

inline std::string error_code_of(const Reply& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) return {};
  const auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object()) return {};
  const auto* code = e->as_object().if_contains("error");
  return code && code->is_string() ? std::string(code->as_string()) : std::string();
}

struct StoredEntry {
  std::string id;
  int year = 0;
  std::int64_t number = 0;
  std::string registered_at;
};

// The AOO's entries as the database holds them, by year and number.
inline std::vector<StoredEntry> stored_entries(db::Database& db, tenants::TenantId tenant,
                                               protocollo::AooId aoo) {
  std::vector<StoredEntry> out;
  db.read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT id, year, number, registered_at FROM protocol_entries "
                                 "WHERE tenant_id = $1 AND aoo_id = $2 ORDER BY year, number",
                                 {tenant, aoo}))
      out.push_back({r.text(0), static_cast<int>(r.i64(1)), r.i64(2), r.text(3)});
  });
  return out;
}

inline std::int64_t count_of(db::Database& db, const std::string& sql, const db::Params& params) {
  std::int64_t n = -1;
  db.read([&](db::Conn& c) { n = c.query_one(sql, params)->i64(0); });
  return n;
}

// Idempotency key -> entry id, for the body.
inline std::map<std::string, std::string> idempotency_keys(db::Database& db, tenants::TenantId tenant) {
  std::map<std::string, std::string> out;
  db.read([&](db::Conn& c) {
    for (const auto& r :
         c.query("SELECT idem_key, entry_id FROM protocol_idempotency WHERE tenant_id = $1", {tenant}))
      out.emplace(r.text(0), r.text(1));
  });
  return out;
}

// The checks that hold after any crash: for each year the numbers are exactly 1..N (no gap, no
// duplicate), registration times never go back as numbers grow, and no entry is half-written (each has
// its documents, its primary document first, and exactly one audit record of its registration, and the
// body's audit chain is intact). Returns the entries.
inline std::vector<StoredEntry> expect_whole_registry(db::Database& db, tenants::TenantId tenant,
                                                      protocollo::AooId aoo) {
  auto entries = stored_entries(db, tenant, aoo);
  std::map<int, std::int64_t> last;
  std::string previous_at;
  std::set<std::string> ids;
  for (const auto& e : entries) {
    EXPECT_EQ(e.number, last[e.year] + 1) << "year " << e.year << ": after " << last[e.year];
    last[e.year] = e.number;
    EXPECT_GE(e.registered_at, previous_at) << "number " << e.number << " registered before its predecessor";
    previous_at = e.registered_at;
    EXPECT_TRUE(ids.insert(e.id).second) << e.id;
  }
  const auto n = static_cast<std::int64_t>(entries.size());
  const db::Params p{tenant, aoo};
  EXPECT_EQ(count_of(db,
                     "SELECT COUNT(*) FROM protocol_entries e WHERE e.tenant_id = $1 AND e.aoo_id = $2 AND "
                     "NOT EXISTS (SELECT 1 FROM protocol_documents d WHERE d.entry_id = e.id "
                     "AND d.position = 0 AND d.role = 'primary')",
                     p),
            0)
      << "entries without their primary document";
  EXPECT_EQ(count_of(db,
                     "SELECT COUNT(*) FROM protocol_documents d JOIN protocol_entries e ON e.id = d.entry_id "
                     "WHERE e.tenant_id = $1 AND e.aoo_id = $2",
                     p),
            n * kDocumentsPerEntry)
      << "documents rows";
  EXPECT_EQ(count_of(db,
                     "SELECT COUNT(*) FROM protocol_entries e WHERE e.tenant_id = $1 AND e.aoo_id = $2 AND "
                     "NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.tenant_id = e.tenant_id AND "
                     "a.action = 'protocollo.register' AND a.record_type = 'protocol_entry' "
                     "AND a.record_id = e.id)",
                     p),
            0)
      << "entries without the audit record of their registration";
  EXPECT_EQ(
      count_of(db, "SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = 'protocollo.register'",
               {tenant}),
      n)
      << "registration audit records (one per entry, none for an entry that does not exist)";
  audit::AuditService audit(db);
  const auto report = audit.verify(tenant);
  EXPECT_TRUE(report.intact) << "audit chain broken at seq " << report.broken_seq << ": " << report.problem;
  EXPECT_GE(report.entries, n);
  return entries;
}

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::protocollo_stress
