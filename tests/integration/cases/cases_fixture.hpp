#pragma once
// Shared fixture for the cases tests: a fresh migrated database per test on both drivers, a controllable
// clock, three bodies (two with a registry office, one without), a small catalog activated at each, two
// citizens and staff of the first two bodies.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "cases/service.hpp"
#include "catalog/service.hpp"
#include "files/service.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::cases::testing {

// 2026-03-02 10:00 UTC (11:00 in Rome).
inline time::TimePoint utc(int y, unsigned m, unsigned d, int h = 10, int min = 0) {
  return time::TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}} + std::chrono::hours(h) +
         std::chrono::minutes(min);
}

constexpr const char* kSchool = "iscrizione-scuola-primaria";  // 30 days (the default), no fee
constexpr const char* kLand = "occupazione-suolo-pubblico";    // 60 days, fee, silence-consent
constexpr const char* kInfo = "informazioni-tributi";          // information only: no online application

class CasesTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    catalog_ = std::make_unique<catalog::CatalogService>(db());
    protocol_ = std::make_unique<protocollo::ProtocolService>(db(), clock_);
    files_ = std::make_unique<files::FileService>(db(), clock_);
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    hub_id_ = *hub;
    body_ = make_body("asti", "Comune di Asti");
    other_body_ = make_body("novara", "Comune di Novara");
    no_aoo_body_ = make_body("moncalvo", "Comune di Moncalvo");
    ASSERT_TRUE(catalog_->save_life_event({"studiare", 1, {"Studiare", "Studying"}, {}, ""}).ok());
    ASSERT_TRUE(catalog_->save_area({"istruzione", {"Istruzione", "Education"}}).ok());
    catalog::Service school = service(kSchool, "Iscrizione alla scuola primaria", 3);
    school.office = {"Ufficio scuola", "School office"};
    ASSERT_TRUE(catalog_->save_service(school).ok());
    catalog::Service land = service(kLand, "Occupazione di suolo pubblico", 4);
    land.deadline_days = 60;
    land.fee_cents = 1600;
    land.silence_consent = true;
    land.office = {"Ufficio tecnico", "Technical office"};
    ASSERT_TRUE(catalog_->save_service(land).ok());
    ASSERT_TRUE(catalog_->save_service(service(kInfo, "Informazioni sui tributi", 1)).ok());
    for (auto b : {body_, other_body_, no_aoo_body_}) {
      for (const char* code : {kSchool, kLand, kInfo}) {
        ASSERT_TRUE(catalog_->activate(b, {code, 0, std::nullopt, {}, {}}).ok()) << code;
      }
    }
    auto a = protocol_->create_aoo(body_, "c_a479", "AOO_ASTI", "Protocollo generale");
    ASSERT_TRUE(a.ok());
    auto b = protocol_->create_aoo(other_body_, "c_f952", "AOO_NOVARA", "Protocollo generale");
    ASSERT_TRUE(b.ok());
    cases_ = std::make_unique<CaseService>(db(), clock_, *protocol_, *files_, *catalog_, *tenants_);

    mario_ = person("RSSMRA80A01A479X", "Mario Rossi");
    anna_ = person("BNCNNA85M41F952Y", "Anna Bianchi");
    staff_ = staff(body_, "op-asti");
    other_staff_ = staff(other_body_, "op-novara");
  }

  tenants::TenantId make_body(const std::string& slug, const std::string& name) {
    tenants::Body b;
    b.hub_id = hub_id_;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    b.province = "AT";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code);
    return id.ok() ? *id : 0;
  }

  static catalog::Service service(const std::string& code, const std::string& title, int level) {
    catalog::Service s;
    s.code = code;
    s.title = {title, ""};
    s.summary = {"Riassunto", "Summary"};
    s.life_event = "studiare";
    s.area = "istruzione";
    s.level = level;
    return s;
  }

  static identity::Principal person(const std::string& cf, const std::string& name) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::person;
    p.subject = cf;
    p.display_name = name;
    p.roles = {identity::Role::citizen};
    p.auth_level = 2;
    return p;
  }

  static identity::Principal staff(tenants::TenantId tenant, const std::string& id) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = id;
    p.display_name = "Operatore " + id;
    p.tenant_id = tenant;
    p.roles = {identity::Role::operator_};
    return p;
  }

  static Submission submission(const std::string& key, const std::string& service = kSchool) {
    Submission s;
    s.service_code = service;
    s.form_code = service;
    s.form_version = 1;
    s.answers = boost::json::parse(R"({"school": "Scuola Rio Crosio", "children": [{"given_name": "Luca"}]})")
                    .as_object();
    s.submission_key = key;
    s.summary = {{"Scuola", "Scuola Rio Crosio"}, {"Figlio", "Luca Rossi"}};
    return s;
  }

  // Submits and expects success.
  Case submit_ok(const identity::Principal& who, const std::string& key, const std::string& service = kSchool,
                 tenants::TenantId tenant = 0) {
    auto r = cases().submit(&who, tenant == 0 ? body_ : tenant, submission(key, service));
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? r->c : Case{};
  }

  // A case of Mario's at body_, taken in charge by staff_.
  Case in_progress_case(const std::string& key = "k-progress") {
    Case c = submit_ok(mario_, key);
    EXPECT_TRUE(cases().start(&staff_, body_, c.id).ok());
    return c;
  }

  Case load(const std::string& id, tenants::TenantId tenant = 0) {
    auto v = cases().get(&staff_, tenant == 0 ? body_ : tenant, id);
    EXPECT_TRUE(v.ok()) << v.error().code;
    return v.ok() ? v->c : Case{};
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  db::Database& db() { return database_->db(); }
  CaseService& cases() { return *cases_; }

  time::TestClock clock_{utc(2026, 3, 2)};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<protocollo::ProtocolService> protocol_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<CaseService> cases_;
  std::int64_t hub_id_ = 0;
  tenants::TenantId body_ = 0, other_body_ = 0, no_aoo_body_ = 0;
  identity::Principal mario_, anna_, staff_, other_staff_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::cases::testing
