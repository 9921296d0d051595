#pragma once
// Reconciliation tests (payments/reconciliation_service.hpp) on both databases: the station's fixture
// (Asti and Novara as creditors, receipts sent as the node sends them) plus flows built as pagoPA's FdR
// API describes them and rendered to FlussoRiversamento XML by fdr_org's render_fdr_xml.
#include <gtest/gtest.h>

#include <thread>

#include "adapters/pagopa/fdr_org.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "integration/payments_station/station_fixture.hpp"
#include "payments/reconciliation_service.hpp"
#include "payments/reporting_reader.hpp"

namespace sp::payments::recon_testing {

using namespace sp::payments::station_testing;
namespace fdr = sp::pagopa::fdr;
using recon::RowResult;

inline fdr::Payment pay(const std::string& iuv, const std::string& iur, money::Cents amount,
                        const std::string& status = "EXECUTED", int index = 1) {
  return fdr::Payment{iuv, iur, index, amount, status, "2026-03-04T10:02:03Z"};
}

inline fdr::Flow make_flow(const std::string& id, const std::string& time, std::vector<fdr::Payment> ps,
                           const std::string& receiver = kAstiCf) {
  fdr::Flow f;
  f.fdr = id;
  f.fdr_date = time;
  f.published = time;
  f.psp_id = "BCITITMM";
  f.psp_name = "Intesa Sanpaolo";
  f.psp_broker_id = "00799960158";
  f.channel_id = "00799960158_01";
  f.organization_id = receiver;
  f.organization_name = "Comune";
  f.regulation = "SEPA-" + id.substr(id.size() - 4);
  f.regulation_date = "2026-03-05";
  f.payments = std::move(ps);
  f.tot_payments = static_cast<std::int64_t>(f.payments.size());
  for (const auto& p : f.payments) f.sum_payments += p.amount;
  return f;
}

class ReconTest : public StationTest {
 protected:
  void SetUp() override {
    StationTest::SetUp();
    recon_ = std::make_unique<recon::ReconciliationService>(
        db(), clock_, payments(), reporting::default_schema_path(sp::testing::source_dir()));
  }
  recon::ReconciliationService& recon() { return *recon_; }

  recon::FlowImport import(const fdr::Flow& f, tenants::TenantId body = 0) {
    return import_xml(fdr::render_fdr_xml(f), body);
  }
  recon::FlowImport import_xml(const std::string& xml, tenants::TenantId body = 0) {
    auto r = recon().import_flow(system_, body ? body : asti_, xml, recon::FlowSource::file);
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : recon::FlowImport{};
  }
  static std::int64_t rows_of(const recon::FlowImport& i, RowResult r) {
    for (const auto& c : i.results)
      if (c.result == r) return c.rows;
    return 0;
  }
  // An Asti TARI position with its single payment (200,00) paid through `iur`.
  Option paid(const std::string& iupd, const std::string& iur) {
    auto p = tari(asti_, iupd);
    EXPECT_EQ(send(receipt(p.options[0], iur)), ReceiptOutcome::recorded);
    return p.options[0];
  }
  recon::DayView day_view(const std::string& psp = "") {
    auto v = recon().day(system_, asti_, day(2026, 3, 5), psp);
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : recon::DayView{};
  }

  std::unique_ptr<recon::ReconciliationService> recon_;
};

// A flow source and pagoPA's FdR organization API serving it on loopback (what the simulated node
// mounts), for the pull from the client, the command line and the page.
class TestSource final : public fdr::FlowSource {
 public:
  std::vector<fdr::Flow> flows;
  [[nodiscard]] std::vector<fdr::Flow> published_flows(std::string_view org) const override {
    std::vector<fdr::Flow> out;
    for (const auto& f : flows)
      if (f.organization_id == org) out.push_back(f);
    return out;
  }
};

struct FdrServer {
  explicit FdrServer(const fdr::FlowSource& source) {
    fdr::register_fdr_org_routes(router, source, "/fdr-org/service/v1", "sub-key");
    http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server = std::make_unique<http::Server>(o, router);
    server->listen();
    thread = std::thread([this] { server->run(); });
  }
  ~FdrServer() {
    server->stop(std::chrono::milliseconds(2000));
    thread.join();
  }
  [[nodiscard]] std::string base() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/fdr-org/service/v1";
  }
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
};

}  // namespace sp::payments::recon_testing
