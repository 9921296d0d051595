// Tenants and catalog stores + services against real SQLite and PostgreSQL, including attempts to reach
// one body's data through another body's id.
#include <gtest/gtest.h>

#include "catalog/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using sp::catalog::Activation;
using sp::catalog::Audience;
using sp::catalog::CatalogService;
using sp::catalog::LifeEvent;
using sp::catalog::Service;
using sp::tenants::Body;
using sp::tenants::TenantService;

class CatalogTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<TenantService>(database_->db());
    catalog_ = std::make_unique<CatalogService>(database_->db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    hub_id_ = *hub;
    asti_ = make_body("asti", "Comune di Asti", "AT");
    novara_ = make_body("novara", "Comune di Novara", "NO");
    ASSERT_TRUE(catalog_->save_life_event({"studiare", 1, {"Studiare", "Studying"}, {}, ""}).ok());
    ASSERT_TRUE(catalog_->save_life_event({"abitare", 2, {"Abitare", "Housing"}, {}, ""}).ok());
    ASSERT_TRUE(catalog_->save_area({"istruzione", {"Istruzione", "Education"}}).ok());
    ASSERT_TRUE(
        catalog_->save_service(service("iscrizione-mensa", "Iscrizione alla mensa scolastica", "studiare", 3))
            .ok());
    ASSERT_TRUE(
        catalog_->save_service(service("trasporto-scolastico", "Trasporto scolastico", "studiare", 4)).ok());
    ASSERT_TRUE(
        catalog_->save_service(service("tari", "Dichiarazione TARI", "abitare", 3, Audience::businesses))
            .ok());
  }

  sp::tenants::TenantId make_body(const std::string& slug, const std::string& name,
                                  const std::string& province) {
    Body b;
    b.hub_id = hub_id_;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    b.province = province;
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code);
    return id.ok() ? *id : 0;
  }

  static Service service(std::string code, std::string title, std::string event, int level,
                         Audience audience = Audience::citizens) {
    Service s;
    s.code = std::move(code);
    s.title = {std::move(title), ""};
    s.summary = {"Riassunto", "Summary"};
    s.life_event = std::move(event);
    s.area = "istruzione";
    s.level = level;
    s.audience = audience;
    s.fee_cents = 1600;
    s.documents_it = {"Documento d'identità", "ISEE"};
    return s;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<TenantService> tenants_;
  std::unique_ptr<CatalogService> catalog_;
  std::int64_t hub_id_ = 0;
  sp::tenants::TenantId asti_ = 0, novara_ = 0;
};

TEST_P(CatalogTest, BodyCatalogShowsOnlyItsOwnActivationsGroupedByLifeEvent) {
  ASSERT_TRUE(
      catalog_->activate(asti_, {"iscrizione-mensa", 0, std::nullopt, {}, {"Solo scuole primarie", ""}})
          .ok());
  ASSERT_TRUE(catalog_->activate(asti_, {"tari", 2, 0, {"Ufficio Tributi Asti", ""}, {}}).ok());
  ASSERT_TRUE(catalog_->activate(novara_, {"trasporto-scolastico", 0, std::nullopt, {}, {}}).ok());

  auto groups = catalog_->body_catalog(asti_, std::nullopt);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].event.code, "studiare");  // catalog order
  ASSERT_EQ(groups[0].offerings.size(), 1u);
  EXPECT_EQ(groups[0].offerings[0].service.code, "iscrizione-mensa");
  EXPECT_EQ(groups[0].offerings[0].notes.it, "Solo scuole primarie");
  EXPECT_EQ(groups[1].offerings[0].service.level, 2);      // the body's lower level
  EXPECT_EQ(groups[1].offerings[0].service.fee_cents, 0);  // the body's fee override
  EXPECT_EQ(groups[1].offerings[0].service.office.it, "Ufficio Tributi Asti");
  EXPECT_EQ(groups[0].offerings[0].service.documents_it.size(), 2u);

  auto businesses = catalog_->body_catalog(asti_, Audience::businesses);
  ASSERT_EQ(businesses.size(), 1u);
  EXPECT_EQ(businesses[0].offerings[0].service.code, "tari");
}

TEST_P(CatalogTest, AnotherBodysServiceIsNotReachableThroughThisBody) {
  ASSERT_TRUE(catalog_->activate(novara_, {"trasporto-scolastico", 0, std::nullopt, {}, {}}).ok());
  auto own = catalog_->offering(novara_, "trasporto-scolastico");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->tenant_id, novara_);
  // Asti does not offer it: asking through Asti's tenant id finds nothing, whatever the code.
  auto cross = catalog_->offering(asti_, "trasporto-scolastico");
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().http_status, 404);
  EXPECT_TRUE(catalog_->body_catalog(asti_, std::nullopt).empty());
  // Deactivating through Asti cannot remove Novara's activation.
  ASSERT_TRUE(catalog_->deactivate(asti_, "trasporto-scolastico").ok());
  EXPECT_TRUE(catalog_->offering(novara_, "trasporto-scolastico").ok());
}

TEST_P(CatalogTest, ActivationNeverAboveTheCatalogLevel) {
  auto st = catalog_->activate(asti_, {"iscrizione-mensa", 4, std::nullopt, {}, {}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "catalog.activation_level");
  EXPECT_FALSE(catalog_->activate(asti_, {"no-such-service", 0, std::nullopt, {}, {}}).ok());
  EXPECT_FALSE(catalog_->activate(asti_, {"tari", 0, -5, {}, {}}).ok());
}

TEST_P(CatalogTest, SearchAcrossTheHubListsWhoOffersWhat) {
  ASSERT_TRUE(catalog_->activate(asti_, {"iscrizione-mensa", 0, std::nullopt, {}, {}}).ok());
  ASSERT_TRUE(catalog_->activate(novara_, {"iscrizione-mensa", 0, std::nullopt, {}, {}}).ok());
  auto hits = catalog_->search("MENSA scolastica", std::nullopt);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].service.code, "iscrizione-mensa");
  EXPECT_EQ(hits[0].offered_by.size(), 2u);
  EXPECT_TRUE(catalog_->search("mensa piscina", std::nullopt).empty());  // every word must match
  EXPECT_EQ(catalog_->search("", std::nullopt).size(), 3u);
  EXPECT_EQ(catalog_->search("", Audience::businesses).size(), 1u);
  EXPECT_TRUE(catalog_->search("%", std::nullopt).size() ==
              3u);  // a LIKE wildcard is folded away, not special
}

TEST_P(CatalogTest, InvalidCatalogEntriesAreRefusedWithNamedErrors) {
  auto bad_level = service("x-y", "X", "studiare", 5);
  EXPECT_EQ(catalog_->save_service(bad_level).error().code, "catalog.level");
  auto bad_code = service("Bad Code", "X", "studiare", 1);
  EXPECT_EQ(catalog_->save_service(bad_code).error().code, "catalog.code");
  auto bad_event = service("orfano", "X", "nessun-evento", 1);
  EXPECT_EQ(catalog_->save_service(bad_event).error().code, "catalog.reference");
}

TEST_P(CatalogTest, BodiesAreValidatedAndResolvedBySlugHostAndName) {
  Body dup;
  dup.hub_id = hub_id_;
  dup.slug = "asti";
  dup.name = "Altro";
  dup.fiscal_code = "00743110157";
  EXPECT_EQ(tenants_->create_body(dup).error().code, "tenants.duplicate");
  dup.slug = "api";
  EXPECT_EQ(tenants_->create_body(dup).error().code, "tenants.slug");  // would shadow /api
  dup.slug = "altro";
  dup.fiscal_code = "00743110158";
  EXPECT_EQ(tenants_->create_body(dup).error().code, "tenants.fiscal_code");
  dup.fiscal_code = "00743110157";
  dup.color_primary = "red";
  EXPECT_EQ(tenants_->create_body(dup).error().code, "tenants.color");
  dup.color_primary = "#112233";
  dup.host_name = "Servizi.Altro.Example";
  ASSERT_TRUE(tenants_->create_body(dup).ok());

  EXPECT_EQ(tenants_->by_host("servizi.altro.example:8080")->slug, "altro");
  EXPECT_EQ(tenants_->by_slug("novara")->id, novara_);
  EXPECT_EQ(tenants_->by_slug("nowhere"), nullptr);
  auto found = tenants_->search("NOVARA");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->slug, "novara");
  EXPECT_EQ(tenants_->search("").size(), 3u);
  EXPECT_EQ(tenants_->search("at").size(), 1u);  // province code
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, CatalogTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
