#pragma once
// The citizen's payments area and the staff pages through the whole application (both databases, the
// demo's bodies and payments), with a fake pagoPA Checkout on loopback: a real http::Server answering
// `POST /carts` with 302 + Location (or a ProblemJson 500 when told to fail), recording what it got.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/app.hpp"
#include "http/server.hpp"
#include "identity/person_store.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace sp::payments::portaltest {

inline const std::string kAnna = "FRRNNA78S70A479X";
inline const std::string kFabio = "CCCFBA85D03L219P";
inline const std::string kArea = "/area-personale/pagamenti";

// pagoPA Checkout's cart API as the hub sees it: what it received, and a switch to make it fail.
class FakeCheckout {
 public:
  FakeCheckout() {
    router_.post("/checkout/ec/v1/carts", [this](http::Request& r) {
      std::lock_guard lock(mu_);
      bodies_.push_back(r.body);
      const auto* key = r.header("ocp-apim-subscription-key");
      keys_.push_back(key ? *key : "");
      if (fail_)
        return http::Response::json(R"({"title":"down","status":500,"detail":"simulated outage"})", 500);
      auto cart = boost::json::parse(r.body).as_object();
      return http::Response::redirect("https://checkout.test/c/" + std::string(cart["idCart"].as_string()),
                                      302);
    });
    http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, router_);
    server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~FakeCheckout() {
    server_->stop(std::chrono::milliseconds(2000));
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/checkout/ec/v1";
  }
  void fail(bool f) {
    std::lock_guard lock(mu_);
    fail_ = f;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }

 private:
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::mutex mu_;
  bool fail_ = false;
  std::vector<std::string> bodies_;
  std::vector<std::string> keys_;
};

class PortalTest : public ::testing::TestWithParam<db::Dialect> {
 public:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    checkout_ = std::make_unique<FakeCheckout>();
    Config config = load_config("").value();
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    config.sim_pagopa = false;
    config.public_url = "https://sportello.test";
    config.pagopa_checkout_url = checkout_->url();
    config.pagopa_subscription_key = "sub-key-1";
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<identity::SessionService>(app_->database(), time::system_clock());
    tenants_ = std::make_unique<tenants::TenantService>(app_->database());
    tenants_->reload();
    asti_ = tenants_->by_slug("asti")->id;
    novara_ = tenants_->by_slug("novara")->id;
  }

  std::string citizen(const std::string& cf, const std::string& given, const std::string& family) {
    identity::PersonStore people(app_->database());
    identity::Person p;
    p.fiscal_code = cf;
    p.given_name = given;
    p.family_name = family;
    p.birth_date = "1980-01-01";
    app_->database().write([&](db::Conn& tx) { people.upsert_from_sign_in(tx, p, "2026-11-23T10:00:00Z"); });
    return sessions_
        ->start(identity::NewSession{
            identity::PrincipalKind::person, cf, 0, {identity::Role::citizen}, 2, given + " " + family})
        .token;
  }
  std::string anna() { return citizen(kAnna, "Anna", "Ferrero"); }
  std::string fabio() { return citizen(kFabio, "Fabio", "Caccamo"); }
  std::string staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }
  std::string asti_admin() { return staff("admin@asti.example", "Asti-admin-2026!"); }
  std::string novara_admin() { return staff("admin@novara.example", "Novara-admin-2026!"); }
  std::string csrf_of(const std::string& token) {
    auto p = sessions_->resume(token);
    return p ? p->csrf_token : std::string();
  }

  http::Response send(http::Request& req) { return http::dispatch(app_->router(), hooks_, options_, req); }
  http::Request request(const std::string& method, const std::string& target, const std::string& session,
                        const std::string& lang = "it") {
    http::Request req;
    req.method = method;
    req.target = target;
    EXPECT_TRUE(http::parse_target(req, target).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("accept-language", lang);
    if (!session.empty()) req.headers.emplace_back("cookie", "sp_session=" + session);
    return req;
  }
  http::Response get(const std::string& target, const std::string& session, const std::string& lang = "it") {
    auto req = request("GET", target, session, lang);
    return send(req);
  }
  http::Response post_form(const std::string& target, const std::string& session, const std::string& body,
                           const std::string& lang = "it") {
    auto req = request("POST", target, session, lang);
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    req.body = "_csrf=" + csrf_of(session) + (body.empty() ? "" : "&" + body);
    return send(req);
  }
  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      std::string lk = k;
      for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lk == name) return v;
    }
    return {};
  }

  // Novara as a creditor too, with a position of its own for Anna (the area spans bodies).
  Position novara_position_for_anna() {
    const SystemActor sys{"test"};
    Creditor n{novara_, "00125680033", "Comune di Novara", "Tributi", {"02"}, "IT60X0542811101000000123456",
               "",      "00743110157", "00743110157_02"};
    EXPECT_TRUE(app_->payments().set_creditor(sys, n).ok());
    NewPosition p;
    p.iupd = "NOVARA-COSAP-2026-1";
    p.debtor.fiscal_code = kAnna;
    p.debtor.full_name = "Anna Ferrero";
    NewOption o;
    o.amount = 5500;
    o.description = "COSAP 2026 passo carraio";
    o.due_date = "2099-12-31";
    NewTransfer t;
    t.amount = 5500;
    t.iban = "IT60X0542811101000000123456";
    t.remittance = "COSAP 2026";
    t.category = "9/0101100IM/";
    o.transfers = {t};
    p.options = {o};
    p.publish = true;
    auto r = app_->payments().create(sys, novara_, p);
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : Position{};
  }
  // A spontaneous canteen top-up for Anna (a position of its own, at Asti).
  Position canteen(Cents euros) {
    auto r = app_->portal().create_spontaneous({kAnna, "Anna Ferrero", ""}, asti_, "ricarica-mensa",
                                               std::to_string(euros), "Luca Ferrero");
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : Position{};
  }
  Position anna_tari() {
    auto r = app_->payments().get(SystemActor{"test"}, asti_, "ASTI-TARI-2026-FRRNNA78S70A479X");
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Position{};
  }
  // The receipt the node sends when a PSP collected option `o` of an Asti position.
  pagopa::SendReceiptRequest receipt(const Option& o, const std::string& receipt_id) {
    auto c = app_->payments().creditor(asti_).value();
    pagopa::SendReceiptRequest s;
    s.ids = {c.fiscal_code, c.broker_id, c.station_id};
    auto& x = s.receipt;
    x.receipt_id = receipt_id;
    x.notice_number = o.nav;
    x.fiscal_code = c.fiscal_code;
    x.outcome = "OK";
    x.creditor_reference_id = o.iuv;
    x.amount = o.amount;
    x.description = o.description;
    x.company_name = c.company_name;
    x.debtor.type = 'F';
    x.debtor.id = kAnna;
    x.debtor.full_name = "Anna Ferrero";
    pagopa::Transfer t;
    t.index = 1;
    t.amount = o.amount;
    t.fiscal_code_pa = c.fiscal_code;
    t.iban = o.transfers.front().iban;
    t.remittance = o.transfers.front().remittance;
    t.category = o.transfers.front().category;
    x.transfers = {t};
    x.id_psp = "BCITITMM";
    x.psp_company_name = "Intesa Sanpaolo";
    x.id_channel = "BCITITMM_01";
    x.channel_description = "app";
    x.fee = 100;
    x.payment_date_time = "2026-03-04T11:02:03";
    x.application_date = "2026-03-04";
    x.transfer_date = "2026-03-05";
    return s;
  }
  std::optional<std::string> lease(tenants::TenantId tenant, const std::string& iuv) {
    std::optional<std::string> out;
    app_->database().read([&](db::Conn& c) {
      out = ReceiptStore::active_channel(c, tenant, iuv,
                                         time::format_iso_utc_millis(time::system_clock().now()));
    });
    return out;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<FakeCheckout> checkout_;
  std::unique_ptr<app::App> app_;
  http::Hooks hooks_;
  http::ServerOptions options_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<tenants::TenantService> tenants_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace sp::payments::portaltest
