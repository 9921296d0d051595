// ANPR's change notifications keep the mirror current (anagrafe/anpr_sync.hpp), on both databases, against
// the ANPR simulator on a loopback port (service 4005 richieste_asincrone): a move in the simulator
// becomes a new version in the body's mirror; the same notification twice changes nothing; a move to
// another comune cancels the person in the comune left and registers them in the other; a notification
// about another comune's resident is refused; a body sees only its own comune's notifications.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/anpr/client.hpp"
#include "adapters/anpr/simulator.hpp"
#include "anagrafe/anpr_sync.hpp"
#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace sp::anagrafe;
namespace sim = sp::anpr::sim;

constexpr const char* kNotifDavide = "GTTDVD79H14B885C";  // Casale Monferrato
constexpr const char* kNotifPaolo = "BOXPLA65L08A182K";   // Casale Monferrato, next door
constexpr const char* kNotifAnna = "FRRNNA78S70A479X";    // Asti

class AnprNotificationsTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<sp::tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    casale_ = body(*hub, "casale-monferrato", "Comune di Casale Monferrato", "006039");
    asti_ = body(*hub, "asti", "Comune di Asti", "005005");
    audit_ = std::make_unique<sp::audit::AuditService>(db(), clock_);
    mirror_ = std::make_unique<AnagrafeService>(db(), *audit_, *tenants_, clock_);
    // Each body's residents from the demo file (the other comune's lines are refused, as they should be).
    std::ifstream f(sp::testing::source_dir() + "/data/demo/population.jsonl");
    std::stringstream all;
    all << f.rdbuf();
    for (auto tenant : {casale_, asti_}) {
      std::istringstream in(all.str());
      ASSERT_TRUE(mirror_->import(ImportActor{nullptr, "test"}, tenant, Format::jsonl, "demo", in).ok());
    }

    sim::SimulatorOptions so;
    so.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl"};
    so.comuni_file = sp::testing::source_dir() + "/data/demo/bodies.json";
    so.credentials = {{"casale-secret", "006039"}, {"asti-secret", "005005"}};
    so.share_dir = sp::testing::source_dir();
    so.clock = &clock_;
    anpr_ = sim::start_simulator_thread(so, 0);
    sync_ = make_sync("006039=casale-secret,005005=asti-secret");
  }

  std::unique_ptr<AnprSync> make_sync(const std::string& credentials) {
    AnprSyncOptions o;
    o.anpr_url = anpr_->url() + sim::kServicePath;
    o.credentials = sp::anpr::parse_credentials(credentials);
    return std::make_unique<AnprSync>(*mirror_, *tenants_, clock_, std::move(o));
  }

  sp::tenants::TenantId body(std::int64_t hub, const std::string& slug, const std::string& name,
                             const std::string& istat) {
    sp::tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    return id.ok() ? *id : -1;
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    db().read([&](sp::db::Conn& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  sp::db::Database& db() { return database_->db(); }

  sp::time::TestClock clock_{sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value()};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<AnagrafeService> mirror_;
  std::unique_ptr<sim::RunningSimulator> anpr_;
  std::unique_ptr<AnprSync> sync_;
  sp::tenants::TenantId casale_ = 0;
  sp::tenants::TenantId asti_ = 0;
};

TEST_P(AnprNotificationsTest, AMoveInAnprBecomesANewVersionOnceAndOnlyForItsComune) {
  // Nothing happened yet: the first poll (a day back) finds nothing, and is recorded.
  auto first = sync_->sync(casale_);
  ASSERT_TRUE(first.ok()) << first.error().code << " " << first.error().detail;
  EXPECT_EQ(first->received, 0u);
  EXPECT_EQ(first->period_to, "2026-11-23T11:00:00");  // Rome time
  const auto versions_before = count("SELECT COUNT(*) FROM anagrafe_versions");

  clock_.advance(std::chrono::minutes(1));
  auto moved = anpr_->simulator().move(sim::Move{kNotifPaolo, "", "VIA", "GARIBALDI", "5", "", "", ""});
  ASSERT_TRUE(moved.ok()) << moved.error().detail;
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ(moved->front().operation, "5005");  // mutazione_residenza

  clock_.advance(std::chrono::minutes(1));
  // Asti polls first: the move is Casale's resident, so Asti's answer has nothing.
  auto asti = sync_->sync(asti_);
  ASSERT_TRUE(asti.ok()) << asti.error().code;
  EXPECT_EQ(asti->received, 0u);

  auto second = sync_->sync(casale_);
  ASSERT_TRUE(second.ok()) << second.error().code << " " << second.error().detail;
  EXPECT_EQ(second->period_from, first->period_to);  // from where the previous poll ended
  EXPECT_EQ(second->received, 1u);
  EXPECT_EQ(second->applied, 1u);
  ASSERT_EQ(second->outcomes.size(), 1u);
  EXPECT_EQ(second->outcomes[0].codice_fiscale, kNotifPaolo);
  EXPECT_EQ(second->outcomes[0].outcome, "applied");
  auto paolo = mirror_->current(casale_, kNotifPaolo);
  ASSERT_TRUE(paolo.has_value());
  EXPECT_EQ((*paolo)[F::denominazione_via], "GARIBALDI");
  EXPECT_EQ((*paolo)[F::civico], "5");
  EXPECT_EQ(mirror_->history(casale_, kNotifPaolo).size(), 2u);  // the old address is kept
  EXPECT_EQ(count("SELECT COUNT(*) FROM anagrafe_versions"), versions_before + 1);

  // The same notification again (ANPR answering an overlapping period) changes nothing.
  std::vector<AnprNotification> again{
      {moved->front().anpr_operation_id, "5005", "JSON", moved->front().content}};
  auto replay = mirror_->apply_notifications(casale_, "2026-11-23T11:00:00", "2026-11-23T11:02:00", again);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->applied, 0u);
  EXPECT_EQ(replay->known, 1u);
  // Even under another ANPR id the same version is already kept.
  again[0].anpr_operation_id = "1";
  replay = mirror_->apply_notifications(casale_, "2026-11-23T11:00:00", "2026-11-23T11:02:00", again);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->applied, 0u);
  EXPECT_EQ(replay->known, 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM anagrafe_versions"), versions_before + 1);

  // Asti cannot read Casale's notifications with its own credential, nor ask in Casale's name.
  auto wrong = make_sync("006039=asti-secret");
  auto refused = wrong->sync(casale_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "anpr.refused");  // EA002: codMittente is not the credential's comune
}

TEST_P(AnprNotificationsTest, MovingToAnotherComuneCancelsThereAndRegistersHere) {
  clock_.advance(std::chrono::minutes(1));
  auto moved =
      anpr_->simulator().move(sim::Move{kNotifDavide, "005005", "CORSO", "ALFIERI", "100", "14100", "", ""});
  ASSERT_TRUE(moved.ok()) << moved.error().detail;
  ASSERT_EQ(moved->size(), 2u);
  clock_.advance(std::chrono::minutes(1));
  auto casale = sync_->sync(casale_);
  auto asti = sync_->sync(asti_);
  ASSERT_TRUE(casale.ok() && asti.ok());
  EXPECT_EQ(casale->applied, 1u);
  EXPECT_EQ(asti->applied, 1u);
  auto left = mirror_->current(casale_, kNotifDavide);
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ((*left)[F::motivo_cancellazione], "emigrazione");
  auto arrived = mirror_->current(asti_, kNotifDavide);
  ASSERT_TRUE(arrived.has_value());
  EXPECT_EQ((*arrived)[F::denominazione_via], "ALFIERI");
  EXPECT_EQ((*arrived)[F::data_iscrizione], "2026-11-23");
  // The simulator's own answers follow: Davide is now Asti's resident.
  EXPECT_EQ(anpr_->simulator().population().find(kNotifDavide, "2026-11-23")->get("comune_istat"), "005005");
}

TEST_P(AnprNotificationsTest, ANotificationAboutAnotherComunesResidentIsRefusedAndRecorded) {
  // A faulty answer: Anna Ferraro (Asti) in Casale's notifications, and one that is not a population line.
  const auto* anna = anpr_->simulator().population().find(kNotifAnna, "2026-11-23");
  ASSERT_NE(anna, nullptr);
  sim::Resident changed = *anna;
  changed.fields["civico"] = "99";
  changed.fields["data_variazione"] = "2026-11-23";
  anpr_->simulator().notify("006039", changed, "5005");
  sim::Resident broken;
  broken.fields["codice_fiscale"] = kNotifPaolo;
  anpr_->simulator().notify("006039", broken, "5005");
  clock_.advance(std::chrono::minutes(1));
  auto r = sync_->sync(casale_);
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->received, 2u);
  EXPECT_EQ(r->applied, 0u);
  EXPECT_EQ(r->refused, 2u);
  ASSERT_EQ(r->outcomes.size(), 2u);
  EXPECT_EQ(r->outcomes[0].reason, "anagrafe.row.other_comune");
  EXPECT_EQ(r->outcomes[0].codice_fiscale, kNotifAnna);
  EXPECT_FALSE(r->outcomes[1].reason.empty());
  EXPECT_FALSE(mirror_->current(casale_, kNotifAnna).has_value());
  EXPECT_EQ(mirror_->current(asti_, kNotifAnna).value()[F::civico], "12");
  EXPECT_EQ(count("SELECT COUNT(*) FROM anagrafe_anpr_notifications WHERE outcome = 'refused'"), 2);
  // The record is append-only.
  EXPECT_THROW(
      db().write([](sp::db::Conn& c) { c.exec("UPDATE anagrafe_anpr_notifications SET reason = ''"); }),
      std::exception);
  EXPECT_THROW(db().write([](sp::db::Conn& c) { c.exec("DELETE FROM anagrafe_anpr_polls"); }),
               std::exception);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AnprNotificationsTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
