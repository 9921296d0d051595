// A business's form (audience "businesses") is filled by someone acting for a business: a citizen acting
// for themselves is sent to their delegations page, told why, and no draft is made in their name; acting
// for a business the body confirmed, the same link opens the form. Another body's URL for the draft is 404.
#include <gtest/gtest.h>

#include "app_fixture.hpp"
#include "identity/delegation_service.hpp"

namespace sp::applications::webtest::business_audience {
namespace {

constexpr const char* kBusinessForm = "/asti/servizi/occupazione-suolo-pubblico/domanda";

class BusinessAudienceTest : public AppTest {};

TEST_P(BusinessAudienceTest, ABusinessFormNeedsSomeoneActingForABusiness) {
  const auto asti = asti_;
  const auto drafts_of_fabio = [&] {
    return count("SELECT COUNT(*) FROM application_drafts WHERE owner_cf = $1 AND service_code = $2",
                 {std::string(kFabio), std::string("occupazione-suolo-pubblico")});
  };
  // For himself: sent where a business is declared or chosen, with the reason on the page.
  const auto self = fabio();
  auto r = get(kBusinessForm, self);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(location(r), "/area-personale/deleghe?per=impresa");
  EXPECT_EQ(drafts_of_fabio(), 0);
  auto page = get("/area-personale/deleghe?per=impresa", self);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"business-needed\""), std::string::npos);
  EXPECT_NE(page.body.find("riservato alle imprese"), std::string::npos);
  // A citizen's form still opens for him.
  EXPECT_NE(location(get("/asti/servizi/accesso-atti/domanda", self)).find("/asti/domande/"),
            std::string::npos);

  // Acting for a business Asti confirmed, the same link opens the form.
  const auto acting = fabio();
  auto fabio_p = sessions_->resume(acting);
  ASSERT_TRUE(fabio_p);
  auto declared = app_->delegations().declare_business(
      fabio_p.get(), {asti, "01234567897", "Caccamo Costruzioni srl", "legale_rappresentante"});
  ASSERT_TRUE(declared.ok()) << declared.error().code;
  identity::Principal admin;
  admin.kind = identity::PrincipalKind::staff;
  admin.subject = "asti-admin-test";
  admin.display_name = "Giulia Ferraris";
  admin.tenant_id = asti;
  admin.roles = {identity::Role::body_admin};
  ASSERT_TRUE(app_->delegations().confirm(&admin, declared->id, "Visura camerale verificata").ok());
  ASSERT_TRUE(app_->delegations().switch_to(fabio_p.get(), declared->id).ok());
  r = get(kBusinessForm, acting);
  ASSERT_EQ(r.status, 303);
  const auto to = location(r);
  ASSERT_EQ(to.rfind("/asti/domande/", 0), 0u) << to;
  EXPECT_EQ(drafts_of_fabio(), 1);
  // The draft is his at Asti only.
  const auto id = to.substr(std::string("/asti/domande/").size(), 43);
  EXPECT_EQ(get("/asti/domande/" + id + "/passo/1", acting).status, 200);
  EXPECT_EQ(get("/novara/domande/" + id + "/passo/1", acting).status, 404);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, BusinessAudienceTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::applications::webtest::business_audience
