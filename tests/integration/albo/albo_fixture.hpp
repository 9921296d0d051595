#pragma once
// The albo against real SQLite and PostgreSQL: a fresh migrated database per test, a TestClock shared by
// the service and the job runner (days pass by setting it; no sleeping), two bodies with a protocol AOO
// each, and staff of each body.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "albo/service.hpp"
#include "albo/tick_job.hpp"
#include "core/digest.hpp"
#include "core/pdf/document.hpp"
#include "files/service.hpp"
#include "jobs/runner.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"

namespace sp::albo::testing {

constexpr TenantId kBody = 7;
constexpr TenantId kOtherBody = 8;

// An instant given as a Rome wall-clock time (2026: CET until 29 March, then CEST).
inline time::TimePoint rome(int y, unsigned m, unsigned d, int h, int min = 0) {
  return time::from_rome_local(date::local_seconds{date::local_days{date::year{y} / m / d}} +
                               std::chrono::hours(h) + std::chrono::minutes(min));
}
inline time::Date day(int y, unsigned m, unsigned d) {
  return time::Date{std::chrono::year{y} / m / d};
}

// A real PDF whose text layer says `text` (rendered once per text).
inline std::string pdf_saying(const std::string& text) {
  static std::mutex mu;
  static std::map<std::string, std::string> made;
  std::lock_guard lock(mu);
  auto& pdf = made[text];
  if (pdf.empty()) {
    pdf::Document doc({.lang = "it-IT", .title = "Atto"});
    doc.paragraph(text);
    pdf = doc.finish();
  }
  return pdf;
}

class AlboTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override { make(AlboService::Options{}); }

  void make(AlboService::Options options) {
    if (!database_) database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    files_ = std::make_unique<files::FileService>(db(), clock_);
    protocol_ = std::make_unique<protocollo::ProtocolService>(db(), clock_, *files_);
    if (protocol_->aoos(kBody).empty()) {
      ASSERT_TRUE(protocol_->create_aoo(kBody, "c_a479", "c_a479", "Comune di Asti").ok());
      ASSERT_TRUE(protocol_->create_aoo(kOtherBody, "c_f952", "c_f952", "Comune di Novara").ok());
    }
    albo_ = std::make_unique<AlboService>(db(), clock_, *files_, *protocol_, sp::testing::locales(),
                                          std::move(options));
    runner_ = std::make_unique<jobs::Runner>(db(), clock_);
    register_tick_job(*runner_, *albo_);
    staff_ = staff(kBody, "op-7", {identity::Role::operator_});
    manager_ = staff(kBody, "resp-7", {identity::Role::office_manager});
    other_manager_ = staff(kOtherBody, "resp-8", {identity::Role::office_manager});
  }

  static identity::Principal staff(TenantId tenant, const std::string& id,
                                   std::set<identity::Role> roles) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = id;
    p.display_name = "Dott. " + id;
    p.tenant_id = tenant;
    p.roles = std::move(roles);
    return p;
  }

  db::Database& db() { return database_->db(); }

  static Publishing act(const std::string& subject = "Approvazione del bilancio di previsione 2026-2028",
                        const std::string& type = "delibera_consiglio") {
    Publishing p;
    p.publication.act_type = type;
    p.publication.office = "Segreteria generale";
    p.publication.responsible = "Dott.ssa Laura Bianchi";
    p.publication.subject = subject;
    p.publication.act_number = "42";
    p.publication.act_date = "2026-02-27";
    p.documents.push_back(
        {DocumentRole::act, "delibera-42.pdf", pdf_saying("Delibera n. 42: " + subject), "document"});
    return p;
  }

  Published publish(const Publishing& p, TenantId tenant = kBody) {
    auto r = albo_->publish(&staff_, tenant, p);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().detail);
    if (!r.ok() || !r->published) {
      ADD_FAILURE() << "not published";
      return {};
    }
    return *r->published;
  }

  bool on_board(const std::string& id, TenantId tenant = kBody) {
    BoardQuery q;
    q.tenant = tenant;
    for (const auto& p : albo_->board(q))
      if (p.id == id) return true;
    return false;
  }

  // The server running until `until`: the clock moves in steps shorter than the heartbeat's gap and the
  // runner does its rounds, as a live node would.
  void run_until(time::TimePoint until, std::chrono::minutes step) {
    while (clock_.now() < until) {
      clock_.set(std::min(until, clock_.now() + step));
      runner_->run_until_idle();
    }
  }

  time::TestClock clock_{rome(2026, 3, 2, 10)};  // day 1: Monday 2 March 2026, 10:00 in Rome
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<protocollo::ProtocolService> protocol_;
  std::unique_ptr<AlboService> albo_;
  std::unique_ptr<jobs::Runner> runner_;
  identity::Principal staff_;
  identity::Principal manager_;
  identity::Principal other_manager_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::albo::testing
