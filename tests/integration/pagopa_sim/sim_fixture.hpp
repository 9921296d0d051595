#pragma once
// The pagoPA simulator against the real station (payments_station's fixture: Asti and Novara, both
// creditors): the station's endpoint behind the inbound guard, served on a loopback port, and the
// simulator's node calling it with each body's node credential. On SQLite and PostgreSQL.
//
// A test can make the station flaky: `flaky_receipts` paSendRTV2 calls in a row answer HTTP 500 before
// reaching the station (the node must send the receipt again until it is answered).
#include <atomic>
#include <thread>

#include "adapters/pagopa/simulator.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "identity/inbound_service.hpp"
#include "integration/payments_station/station_fixture.hpp"
#include "payments/station_routes.hpp"
#include "web/view.hpp"

namespace sp::payments::station_testing {

using namespace std::chrono_literals;

// Polls `f` until it holds or `timeout` passes.
template <class F>
bool eventually(F f, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

class SimTest : public StationTest {
 protected:
  void SetUp() override {
    StationTest::SetUp();
    if (HasFatalFailure()) return;
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ = std::make_unique<web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    inbound_ = std::make_unique<identity::InboundService>(db(), *audit_, clock_);
    deps_ = std::make_unique<StationDeps>(StationDeps{*view_, *tenants_, *inbound_, {}, station()});
    register_station(station_router_, *deps_);
    // The same endpoint under /flaky/: fails paSendRTV2 while flaky_receipts_ > 0, then passes through.
    router_.post("/flaky/{slug}/pagopa/paForNode", [this](http::Request& req) {
      if (req.body.find("paSendRTV2") != std::string::npos && flaky_receipts_.load() > 0) {
        --flaky_receipts_;
        return http::Response::text("unavailable", 500);
      }
      return forward(req, "/inbound/" + req.param("slug") + "/pagopa/paForNode");
    });
    router_.post("/inbound/{slug}/pagopa/paForNode",
                 [this](http::Request& req) { return forward(req, req.path); });
    http::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, router_);
    server_->listen();
    server_thread_ = std::thread([this] { server_->run(); });

    asti_secret_ = issue(asti_, kAstiCf, kAstiStation);
    novara_secret_ = issue(novara_, kNovaraCf, kNovaraStation);
    ASSERT_FALSE(asti_secret_.empty());
    ASSERT_FALSE(novara_secret_.empty());
    sim_ = std::make_unique<pagopa::sim::Simulator>(sim_options());
  }
  void TearDown() override {
    sim_.reset();
    if (server_) server_->stop(2000ms);
    if (server_thread_.joinable()) server_thread_.join();
  }

  std::string issue(tenants::TenantId body, const std::string& cf, const std::string& station_id) {
    const std::string ids =
        R"({"idPA":")" + cf + R"(","idBrokerPA":")" + kBroker + R"(","idStazione":")" + station_id + R"("})";
    auto issued = inbound_->add(body, kNodeSystem, "simulatore-pagopa", ids, "", false);
    EXPECT_TRUE(issued.ok());
    return issued.ok() ? issued->secret : std::string();
  }

  [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  pagopa::sim::StationDirectory stations(const std::string& prefix = "inbound") const {
    pagopa::sim::StationDirectory d;
    d[kAstiCf] = {kAstiCf, base() + "/" + prefix + "/asti/pagopa/paForNode", asti_secret_, kBroker,
                  kAstiStation};
    d[kNovaraCf] = {kNovaraCf, base() + "/" + prefix + "/novara/pagopa/paForNode", novara_secret_, kBroker,
                    kNovaraStation};
    return d;
  }

  pagopa::sim::SimulatorOptions sim_options() {
    pagopa::sim::SimulatorOptions o;
    o.stations = stations();
    o.share_dir = sp::testing::source_dir();
    o.clock = &clock_;
    o.first_backoff = 20ms;
    o.max_backoff = 200ms;
    return o;
  }

  pagopa::sim::PayOutcome pay(const std::string& nav, const std::string& cf = kAstiCf,
                              pagopa::sim::Scenario scenario = pagopa::sim::Scenario::normal,
                              const std::string& psp = {}) {
    pagopa::sim::PayOptions p;
    p.notice_number = nav;
    p.fiscal_code = cf;
    p.scenario = scenario;
    p.psp = psp;
    return sim_->pay(p);
  }

  // The receipts of an IUV as (outcome, amount) lines, oldest first.
  std::vector<std::string> receipts_of(tenants::TenantId body, const std::string& iuv) {
    std::vector<std::string> out;
    for (const auto& r : station().receipts(body, iuv))
      out.push_back(std::string(to_string(r.outcome)) + " " + std::to_string(r.amount));
    return out;
  }

  http::Response forward(http::Request& req, const std::string& path) {
    auto found = station_router_.find("POST", path);
    if (!found.match || !found.match->handler) return http::Response::text("no route", 404);
    req.ctx.locale = "it";
    req.path = path;
    req.path_params = found.match->params;
    return (*found.match->handler)(req);
  }

  I18n i18n_;
  std::unique_ptr<web::View> view_;
  std::unique_ptr<identity::InboundService> inbound_;
  std::unique_ptr<StationDeps> deps_;
  http::Router station_router_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread server_thread_;
  std::atomic<int> flaky_receipts_{0};
  std::string asti_secret_, novara_secret_;
  std::unique_ptr<pagopa::sim::Simulator> sim_;
};

}  // namespace sp::payments::station_testing
