// The simulated Checkout over HTTP (simulator_routes.hpp): the CartRequest checked as checkout_v1.json
// says (400 ProblemJson), a cart page in Italian and English, and its payment through the node and the
// real station: the station's amount is paid whatever the cart says, a refused notice pays nothing.
#include <boost/json.hpp>

#include "adapters/http_client.hpp"
#include "adapters/pagopa/simulator_routes.hpp"
#include "sim_fixture.hpp"

namespace sp::payments::station_testing {
namespace {

namespace json = boost::json;

class CheckoutTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    if (HasFatalFailure()) return;
    sim_.reset();  // this test's simulator is the one behind the HTTP server
    auto o = sim_options();
    // As the FdR routes will be mounted: on the simulator's router, over its flows, faults first.
    o.mount = [](http::Router& router, pagopa::sim::Simulator& sim) {
      router.get("/fdr-test/{org}", [&sim](http::Request& req) {
        if (auto f = pagopa::sim::endpoint_fault(sim.fdr_faults())) return *f;
        return http::Response::json(std::to_string(sim.flows().published_flows(req.param("org")).size()));
      });
    };
    running_ = pagopa::sim::start_simulator_thread(o, 0);
  }
  void TearDown() override {
    running_.reset();
    SimTest::TearDown();
  }

  adapters::HttpResponse post_json(const std::string& path, const std::string& body) {
    adapters::HttpRequest r;
    r.method = "POST";
    r.url = running_->url() + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    auto out = http_.send(r);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : adapters::HttpResponse{};
  }
  adapters::HttpResponse get(const std::string& url, adapters::HttpHeaders h = {}) {
    auto out = http_.get(url, std::move(h));
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : adapters::HttpResponse{};
  }
  adapters::HttpResponse act(const std::string& cart_url, const std::string& action) {
    auto out = http_.post_form(cart_url, {{"action", action}});
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : adapters::HttpResponse{};
  }

  static json::object notice(const Option& o, const std::string& cf, std::int64_t amount) {
    return {{"noticeNumber", o.nav},
            {"fiscalCode", cf},
            {"amount", amount},
            {"companyName", "Comune"},
            {"description", o.description}};
  }
  static json::object cart(json::array notices, bool urls = true) {
    json::object c{{"paymentNotices", std::move(notices)}, {"idCart", "CART-1"}};
    if (urls)
      c["returnUrls"] = json::object{{"returnOkUrl", "http://hub.example/ok"},
                                     {"returnCancelUrl", "http://hub.example/cancel"},
                                     {"returnErrorUrl", "http://hub.example/error"}};
    return c;
  }
  // POSTs a cart; the problem's detail on 400, else the Location.
  std::pair<int, std::string> new_cart(const json::object& c) {
    auto r = post_json("/checkout/ec/v1/carts", json::serialize(c));
    if (r.status == 400) {
      EXPECT_EQ(r.media_type(), "application/problem+json");
      auto p = json::parse(r.body).as_object();
      EXPECT_EQ(p.at("status").as_int64(), 400);
      return {400, std::string(p.at("detail").as_string())};
    }
    const std::string* loc = r.header("location");
    return {r.status, loc ? *loc : std::string()};
  }

  adapters::HttpClient http_;
  std::unique_ptr<pagopa::sim::RunningSimulator> running_;
};

TEST_P(CheckoutTest, ACartRequestIsCheckedAsTheSpecSays) {
  auto p = tari(asti_, "TARI-2026-0301");
  const auto& o = p.options[0];
  json::array six;
  for (int i = 0; i < 6; ++i) six.push_back(notice(o, kAstiCf, 100));
  EXPECT_EQ(new_cart(cart(six)),
            (std::pair<int, std::string>{400, "paymentNotices must hold 1 to 5 notices"}));
  EXPECT_EQ(new_cart(cart({})).first, 400);
  EXPECT_EQ(new_cart(cart({notice(o, kAstiCf, 100)}, false)),
            (std::pair<int, std::string>{400, "returnUrls is required"}));
  auto no_cancel = cart({notice(o, kAstiCf, 100)});
  no_cancel["returnUrls"].as_object().erase("returnCancelUrl");
  EXPECT_EQ(new_cart(no_cancel).second, "returnUrls.returnCancelUrl is required");
  auto bad_nav = notice(o, kAstiCf, 100);
  bad_nav["noticeNumber"] = o.nav.substr(0, 17) + "X";
  EXPECT_EQ(new_cart(cart({bad_nav})).second, "paymentNotices[0].noticeNumber must be 18 digits");
  auto short_nav = notice(o, kAstiCf, 100);
  short_nav["noticeNumber"] = o.nav.substr(0, 17);
  EXPECT_EQ(new_cart(cart({short_nav})).first, 400);
  auto bad_cf = notice(o, "0007236005", 100);
  EXPECT_EQ(new_cart(cart({bad_cf})).second, "paymentNotices[0].fiscalCode must be 11 digits");
  EXPECT_EQ(new_cart(cart({notice(o, kAstiCf, 0)})).second, "paymentNotices[0].amount must be at least 1");
  auto long_text = notice(o, kAstiCf, 100);
  long_text["description"] = std::string(141, 'x');
  EXPECT_EQ(new_cart(cart({long_text})).second, "paymentNotices[0].description is longer than 140");
  EXPECT_EQ(post_json("/checkout/ec/v1/carts", "not json").status, 400);

  auto ok = new_cart(cart({notice(o, kAstiCf, 20000)}));
  EXPECT_EQ(ok.first, 302);
  EXPECT_EQ(ok.second.rfind(running_->url() + "/checkout/carts/", 0), 0u) << ok.second;
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 0);  // a cart alone pays nothing
}

TEST_P(CheckoutTest, TheCartPageShowsTheNoticesInItalianOrEnglish) {
  auto p = tari(asti_, "TARI-2026-0302");
  auto [status, url] =
      new_cart(cart({notice(p.options[1], kAstiCf, 10000), notice(p.options[2], kAstiCf, 10000)}));
  ASSERT_EQ(status, 302);
  auto it = get(url);
  ASSERT_EQ(it.status, 200);
  EXPECT_NE(it.body.find("<html lang=\"it\">"), std::string::npos);
  EXPECT_NE(it.body.find(p.options[1].nav), std::string::npos);
  EXPECT_NE(it.body.find(p.options[2].nav), std::string::npos);
  EXPECT_NE(it.body.find(i18n_.t("it", "ui.sim_pagopa_pay")), std::string::npos);
  EXPECT_NE(it.body.find("200,00"), std::string::npos) << "the total";
  // The browser applies form-action to the redirect after the form too: the return URLs' origin is in.
  ASSERT_TRUE(it.header("content-security-policy"));
  EXPECT_NE(it.header("content-security-policy")->find("form-action 'self' http://hub.example"),
            std::string::npos)
      << *it.header("content-security-policy");
  auto en = get(url, {{"Cookie", "lang=en"}});
  ASSERT_EQ(en.status, 200);
  EXPECT_NE(en.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.body.find(i18n_.t("en", "ui.sim_pagopa_cart_title")), std::string::npos);
  auto sw = get(running_->url() + "/lang/en?next=%2Fcheckout%2Fcarts%2Fx");
  EXPECT_EQ(sw.status, 303);
  ASSERT_TRUE(sw.header("set-cookie"));
  EXPECT_EQ(sw.header("set-cookie")->rfind("lang=en;", 0), 0u);
  EXPECT_EQ(*sw.header("location"), "/checkout/carts/x");
  EXPECT_EQ(get(running_->url() + "/checkout/carts/nope").status, 404);
}

TEST_P(CheckoutTest, PayingACartPaysWhatTheStationAsksAndGoesBack) {
  auto p = tari(asti_, "TARI-2026-0303");
  auto n = tari(novara_, "TARI-2026-0304");
  // The cart claims one cent for each: the stations' amounts are what is paid.
  auto [status, url] = new_cart(cart({notice(p.options[0], kAstiCf, 1), notice(n.options[1], kNovaraCf, 1)}));
  ASSERT_EQ(status, 302);
  auto r = act(url, "pay");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*r.header("location"), "http://hub.example/ok");
  EXPECT_EQ(receipts_of(asti_, p.options[0].iuv), std::vector<std::string>{"recorded 20000"});
  EXPECT_EQ(receipts_of(novara_, n.options[1].iuv), std::vector<std::string>{"recorded 10000"});
  auto ledger = running_->simulator().payments();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].cart_id, "CART-1");
  // The activation carried the idCart as paymentNote; the cart cannot be paid twice.
  EXPECT_EQ(act(url, "pay").status, 409);
  EXPECT_EQ(running_->simulator().payments().size(), 2u);
}

TEST_P(CheckoutTest, ARefusedNoticePaysNothingAndCancelGoesBack) {
  auto p = tari(asti_, "TARI-2026-0305");
  ASSERT_EQ(running_->simulator().pay({p.options[1].nav, kAstiCf}).kind, pagopa::sim::PayOutcome::Kind::paid);
  // The first instalment is paid; a cart with it and the second instalment: refused, nothing more paid.
  auto [status, url] =
      new_cart(cart({notice(p.options[2], kAstiCf, 10000), notice(p.options[1], kAstiCf, 10000)}));
  ASSERT_EQ(status, 302);
  auto r = act(url, "pay");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*r.header("location"), "http://hub.example/error");
  EXPECT_TRUE(receipts_of(asti_, p.options[2].iuv).empty());
  EXPECT_EQ(running_->simulator().payments().size(), 1u);

  auto [s2, cancel_url] = new_cart(cart({notice(p.options[2], kAstiCf, 10000)}));
  ASSERT_EQ(s2, 302);
  auto c = act(cancel_url, "cancel");
  EXPECT_EQ(c.status, 303);
  EXPECT_EQ(*c.header("location"), "http://hub.example/cancel");
  auto [s3, fail_url] = new_cart(cart({notice(p.options[2], kAstiCf, 10000)}));
  auto f = act(fail_url, "fail");
  EXPECT_EQ(f.status, 303);
  EXPECT_EQ(*f.header("location"), "http://hub.example/error");
  EXPECT_TRUE(receipts_of(asti_, p.options[2].iuv).empty());
}

TEST_P(CheckoutTest, CheckoutAndFdrFailOrAnswerSlowlyOnRequest) {
  auto p = tari(asti_, "TARI-2026-0306");
  const auto body = json::serialize(cart({notice(p.options[0], kAstiCf, 100)}));
  EXPECT_EQ(post_json("/sim/control/faults", R"({"endpoint":"checkout","status":500})").status, 200);
  auto r = post_json("/checkout/ec/v1/carts", body);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.media_type(), "application/problem+json");
  // Slower than the client's patience: a timeout.
  EXPECT_EQ(post_json("/sim/control/faults", R"({"endpoint":"checkout","delay_ms":400})").status, 200);
  adapters::HttpClient impatient(adapters::HttpClientOptions{std::chrono::milliseconds(100)});
  auto slow = impatient.send({"POST", running_->url() + "/checkout/ec/v1/carts", {}, body});
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, "http_client.timeout");
  EXPECT_EQ(post_json("/sim/control/faults", R"({"endpoint":"checkout"})").status, 200);
  EXPECT_EQ(new_cart(cart({notice(p.options[0], kAstiCf, 100)})).first, 302);

  ASSERT_EQ(running_->simulator().pay({p.options[0].nav, kAstiCf}).kind, pagopa::sim::PayOutcome::Kind::paid);
  EXPECT_EQ(get(running_->url() + "/fdr-test/" + kAstiCf).body, "1");
  EXPECT_EQ(post_json("/sim/control/faults", R"({"endpoint":"fdr","status":503})").status, 200);
  EXPECT_EQ(get(running_->url() + "/fdr-test/" + kAstiCf).status, 503);
  EXPECT_EQ(post_json("/sim/control/faults", R"({"endpoint":"nope"})").status, 400);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, CheckoutTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
