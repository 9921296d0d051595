// pagoPA Checkout's CartRequest as the hub sends it (checkout_v1.json), and where the browser may go.
#include "adapters/pagopa/checkout_client.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sp::pagopa {
namespace {

TEST(CheckoutClient, TheCartRequestHasCheckoutsFieldsAmountsInCentsAndTextsCutTo140) {
  CheckoutCartRequest r;
  r.notices = {{"301000000000000144", "00072360050", 24600, "Comune di Asti", std::string(150, 'x')},
               {"301000000000000245", "00072360050", 1, "Comune di Asti", "TARI 2026 — prima rata"}};
  r.return_ok_url = "https://hub.example/c/1?esito=ok";
  r.return_cancel_url = "https://hub.example/c/1?esito=annullato";
  r.return_error_url = "https://hub.example/c/1?esito=errore";
  r.id_cart = "1";
  auto o = boost::json::parse(cart_request_json(r)).as_object();
  auto notices = o["paymentNotices"].as_array();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].as_object()["noticeNumber"].as_string(), "301000000000000144");
  EXPECT_EQ(notices[0].as_object()["fiscalCode"].as_string(), "00072360050");
  EXPECT_EQ(notices[0].as_object()["amount"].as_int64(), 24600);
  EXPECT_EQ(notices[0].as_object()["description"].as_string().size(), 140u);
  EXPECT_EQ(notices[1].as_object()["description"].as_string(), "TARI 2026 — prima rata");
  EXPECT_EQ(o["returnUrls"].as_object()["returnCancelUrl"].as_string(),
            "https://hub.example/c/1?esito=annullato");
  EXPECT_EQ(o["idCart"].as_string(), "1");
  EXPECT_FALSE(o["allCCP"].as_bool());
  EXPECT_FALSE(o.contains("emailNotice"));  // optional, and not sent empty
}

TEST(CheckoutClient, ACutNeverSplitsAUtf8Character) {
  CheckoutCartRequest r;
  r.notices = {{"301000000000000144", "00072360050", 100, "Comune", std::string(139, 'a') + "è"}};
  auto o = boost::json::parse(cart_request_json(r)).as_object();
  EXPECT_EQ(o["paymentNotices"].as_array()[0].as_object()["description"].as_string(), std::string(139, 'a'));
}

TEST(CheckoutClient, PageOriginsAreTheApisAndPagoPasCheckoutPage) {
  EXPECT_EQ(CheckoutClient("http://127.0.0.1:8092/checkout/ec/v1", "").page_origins(),
            std::vector<std::string>{"http://127.0.0.1:8092"});
  EXPECT_EQ(CheckoutClient("https://api.platform.pagopa.it/checkout/ec/v1/", "").page_origins(),
            (std::vector<std::string>{"https://api.platform.pagopa.it", "https://checkout.pagopa.it"}));
  EXPECT_TRUE(CheckoutClient("", "").page_origins().empty());
}

TEST(CheckoutClient, WithoutAUrlNothingIsSent) {
  auto r = CheckoutClient("", "").create_cart({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "checkout.not_configured");
}

TEST(CheckoutClient, AnUnreachableCheckoutIsAnError) {
  // Port 9 (discard) on loopback: nothing listens in the test environment.
  auto r = CheckoutClient("http://127.0.0.1:9/checkout/ec/v1", "").create_cart({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "checkout.unreachable");
}

}  // namespace
}  // namespace sp::pagopa
