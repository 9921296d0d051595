// Issue 18, the catalog: the demo catalog (data/demo/catalog.json, as `sportello import catalog` loads it)
// has the seeds' 80 services, at least 40 for citizens and 40 for businesses (what GET /api/v1/services
// lists, through the same CatalogService::search), every business life event has services, and every
// service has a page at some demo body (data/demo/bodies.json): no service without anyone offering it.
// SQLite and PostgreSQL; a body that does not offer a service does not show it through its own slug.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "app/demo.hpp"
#include "catalog/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using sp::catalog::Audience;

class DemoCatalogTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<sp::tenants::TenantService>(database_->db());
    catalog_ = std::make_unique<sp::catalog::CatalogService>(database_->db());
    const std::string demo = sp::testing::source_dir() + "/data/demo/";
    auto c = sp::app::import_catalog(demo + "catalog.json", *catalog_);
    ASSERT_TRUE(c.ok()) << c.error().code << " " << c.error().detail;
    auto b = sp::app::import_bodies(demo + "bodies.json", *tenants_, *catalog_);
    ASSERT_TRUE(b.ok()) << b.error().code << " " << b.error().detail;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  std::unique_ptr<sp::catalog::CatalogService> catalog_;
};

TEST_P(DemoCatalogTest, FortyServicesForCitizensAndFortyForBusinessesEachOfferedBySomeBody) {
  auto citizens = catalog_->search("", Audience::citizens);
  auto businesses = catalog_->search("", Audience::businesses);
  EXPECT_GE(citizens.size(), 40u);
  EXPECT_GE(businesses.size(), 40u);
  for (const auto* hits : {&citizens, &businesses}) {
    for (const auto& h : *hits) {
      const auto& s = h.service;
      EXPECT_FALSE(s.title.it.empty() || s.title.en.empty()) << s.code;
      EXPECT_FALSE(s.summary.it.empty() || s.summary.en.empty()) << s.code;
      EXPECT_FALSE(s.description.it.empty() || s.description.en.empty()) << s.code;
      EXPECT_EQ(s.documents_it.size(), s.documents_en.size()) << s.code;
      if (s.audience == Audience::businesses) {
        EXPECT_FALSE(s.legal_basis.empty()) << s.code;
      }
      // A page at every body that offers it; and some body offers it.
      ASSERT_FALSE(h.offered_by.empty()) << s.code << ": no demo body offers it, so it has no page";
      for (auto tenant : h.offered_by) EXPECT_TRUE(catalog_->offering(tenant, s.code).ok()) << s.code;
    }
  }
}

TEST_P(DemoCatalogTest, EveryBusinessLifeEventHasBusinessServices) {
  std::set<std::string> events;
  for (const auto& e : catalog_->life_events()) events.insert(e.code);
  std::map<std::string, int> business_services;
  for (const auto& h : catalog_->search("", Audience::businesses)) ++business_services[h.service.life_event];
  // Opening, running and closing an activity, and owning property (the seed's "aprire, sviluppare,
  // terminare un'attività" and "possedere immobili").
  for (const std::string code :
       {"avviare-attivita", "sviluppare-attivita", "chiudere-attivita", "possedere-immobili"}) {
    EXPECT_TRUE(events.count(code)) << code;
    EXPECT_GE(business_services[code], 1) << code;
  }
}

TEST_P(DemoCatalogTest, ABodyShowsOnlyTheServicesItOffers) {
  // Casale Monferrato offers the AUA; Cassola does not: not through Cassola's slug, not in its catalog.
  auto casale = tenants_->by_slug("casale-monferrato");
  auto cassola = tenants_->by_slug("cassola");
  ASSERT_TRUE(casale && cassola);
  EXPECT_TRUE(catalog_->offering(casale->id, "aua").ok());
  auto other = catalog_->offering(cassola->id, "aua");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().http_status, 404);
  for (const auto& group : catalog_->body_catalog(cassola->id, Audience::businesses)) {
    for (const auto& o : group.offerings) EXPECT_NE(o.service.code, "aua");
  }
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, DemoCatalogTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
