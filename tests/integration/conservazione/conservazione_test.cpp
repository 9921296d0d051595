// Digital preservation (issue 21, docs/conservazione.md) on both databases, with the jobs on a test clock
// and the simulated conservator on loopback: every day's register of every AOO reaches the conservator by
// the next working day, also across a downtime; a refused package and one whose answer was lost are sent
// again, and the conservator preserves each package once; each package's index names the files with the
// digests it carries; `sportello audit verify` reports every chain (the hub's own included) anchored at the
// conservator.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "adapters/conservazione/simulator.hpp"
#include "audit/service.hpp"
#include "audit/verify_command.hpp"
#include "conservazione/send_job.hpp"
#include "conservazione/service.hpp"
#include "conservazione/sincro.hpp"
#include "conservazione/store.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/holidays.hpp"
#include "files/service.hpp"
#include "jobs/runner.hpp"
#include "protocollo/register_job.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::conservazione {
namespace {

time::TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return time::TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}} + std::chrono::hours(h) +
         std::chrono::minutes(min);
}

std::string crypto_b64_of(const std::string& bytes) {
  return crypto::base64_encode(digest::sha256_raw(bytes));
}

class ConservazioneTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = make_body(*hub, "asti", "Comune di Asti", "005005", "00072360050");
    casale_ = make_body(*hub, "casale-monferrato", "Comune di Casale Monferrato", "006039", "00743110157");
    tenants_->reload();
    protocol_ = std::make_unique<protocollo::ProtocolService>(db(), clock_);
    asti_aoo_ = protocol_->create_aoo(asti_, "c_a479", "AOO_ASTI", "Protocollo generale")->id;
    casale_aoo_ = protocol_->create_aoo(casale_, "c_b885", "AOO_CASALE", "Protocollo generale")->id;
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    files_ = std::make_unique<files::FileService>(db(), clock_);
    registers_ = std::make_unique<protocollo::DailyRegisterService>(db(), clock_, sp::testing::locales());
    sim_ = conservazione_sim::start_simulator_thread("hub-secret", 0);
    conservazione_wire::ClientOptions co;
    co.url = sim_->url();
    co.token = "hub-secret";
    service_ = std::make_unique<ConservazioneService>(db(), clock_, *registers_, *protocol_, *tenants_,
                                                      *files_, *audit_, conservazione_wire::Client(co));
    runner_ = std::make_unique<jobs::Runner>(db(), clock_);
    protocollo::register_daily_register_job(*runner_, *registers_);
    register_send_job(*runner_, *service_);
  }

  tenants::TenantId make_body(std::int64_t hub, const std::string& slug, const std::string& name,
                              const std::string& istat, const std::string& fiscal_code) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.fiscal_code = fiscal_code;
    b.province = "AT";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  static identity::Principal staff(tenants::TenantId tenant, identity::Role role) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = "staff-" + std::to_string(tenant);
    p.tenant_id = tenant;
    p.roles = {identity::Role::operator_, role};
    return p;
  }

  void register_entry(tenants::TenantId tenant, protocollo::AooId aoo, const std::string& subject) {
    protocollo::NewEntry e;
    e.aoo_id = aoo;
    e.direction = protocollo::Direction::incoming;
    e.subject = subject;
    e.correspondents = {{protocollo::CorrespondentKind::person, "Mario Rossi", "", "", ""}};
    e.documents = {{protocollo::DocumentRole::primary, "istanza.pdf", "application/pdf", 5,
                    digest::sha256_hex("hello")}};
    auto who = staff(tenant, identity::Role::office_manager);
    auto r = protocol_->register_entry(&who, tenant, e);
    ASSERT_TRUE(r.ok()) << r.error().code;
  }

  // The server runs at `at`: the runner does what is due, then once more a quarter of an hour later.
  void run_at(time::TimePoint at) {
    clock_.set(at);
    runner_->run_until_idle();
    clock_.advance(std::chrono::minutes(15));
    runner_->run_until_idle();
  }

  std::int64_t store_overdue(tenants::TenantId tenant, const std::string& today) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = store::overdue_count(c, tenant, today); });
    return n;
  }

  std::vector<Package> packages(tenants::TenantId tenant) {
    std::vector<Package> out;
    db().read([&](db::Conn& c) { out = store::packages(c, tenant, 1000); });
    return out;
  }

  db::Database& db() { return database_->db(); }

  time::TestClock clock_{utc(2026, 12, 4, 9)};  // Friday 4 December 2026, 10:00 in Rome
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<protocollo::ProtocolService> protocol_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<protocollo::DailyRegisterService> registers_;
  std::unique_ptr<conservazione_sim::RunningSimulator> sim_;
  std::unique_ptr<ConservazioneService> service_;
  std::unique_ptr<jobs::Runner> runner_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId casale_ = 0;
  protocollo::AooId asti_aoo_ = 0;
  protocollo::AooId casale_aoo_ = 0;
};

TEST_P(ConservazioneTest,
       conservazione_EveryDaysRegisterReachesTheConservatorByTheNextWorkingDayAcrossADowntime) {
  register_entry(asti_, asti_aoo_, "Istanza del venerdì");
  register_entry(casale_, casale_aoo_, "Determinazione del venerdì");
  run_at(utc(2026, 12, 4, 9));  // Friday: nothing is over yet
  EXPECT_TRUE(packages(asti_).empty());
  run_at(utc(2026, 12, 5, 6));  // Saturday 07:00: Friday's registers
  ASSERT_EQ(packages(asti_).size(), 1u);
  ASSERT_EQ(packages(casale_).size(), 1u);
  // Down from Saturday 08:00 to Monday 09:00: the registers of Saturday and Sunday were due at 00:05 of
  // Sunday and Monday; they are made and sent when the server is back, still on their due day (Sunday is
  // no working day: both are due Monday).
  run_at(utc(2026, 12, 7, 8));
  // Tuesday 8 December is a holiday (Immacolata): Monday's register is due Wednesday.
  run_at(utc(2026, 12, 8, 9));

  for (auto body : {asti_, casale_}) {
    auto list = packages(body);
    ASSERT_EQ(list.size(), 4u) << "Friday to Monday, one register a day";
    std::map<std::string, std::string> due_by_day;
    for (const auto& p : list) {
      EXPECT_EQ(p.klass, kDailyRegister);
      EXPECT_EQ(p.state, State::accepted) << p.title << " " << p.last_error;
      EXPECT_EQ(p.attempts, 1);
      ASSERT_FALSE(p.accepted_at.empty());
      const auto accepted_day = time::format_iso_date(time::rome_date(*time::parse_iso_utc(p.accepted_at)));
      EXPECT_LE(accepted_day, p.due_day) << p.title << " reached the conservator late";
      EXPECT_TRUE(time::is_working_day(*time::parse_iso_date(p.due_day)));
      due_by_day[p.title.substr(p.title.size() - 10)] = p.due_day;
      EXPECT_EQ(sim_->simulator().preserved_count(p.idempotency_key), 1);
      EXPECT_EQ(sim_->simulator().submissions(p.idempotency_key), 1);
    }
    EXPECT_EQ(due_by_day["2026-12-04"], "2026-12-05");  // Saturday is a working day
    EXPECT_EQ(due_by_day["2026-12-05"], "2026-12-07");  // over Sunday
    EXPECT_EQ(due_by_day["2026-12-06"], "2026-12-07");
    EXPECT_EQ(due_by_day["2026-12-07"], "2026-12-09");  // over the Immacolata
  }
  EXPECT_EQ(sim_->simulator().preserved().size(), 8u) << "two AOOs, four days, each once";

  // Down across a deadline: from Wednesday 09:00 to Friday 08:00. Wednesday's register was due Thursday;
  // it is made and sent at the first run after the restart (with Thursday's, due Friday: on time), once,
  // and stays marked as reached late (accepted after its due day), not lost.
  run_at(utc(2026, 12, 9, 8));
  run_at(utc(2026, 12, 11, 7));
  for (auto body : {asti_, casale_}) {
    std::map<std::string, Package> by_day;
    for (const auto& p : packages(body)) by_day[p.title.substr(p.title.size() - 10)] = p;
    ASSERT_EQ(by_day.size(), 7u) << "Friday to Thursday, one register a day";
    for (const auto& day : {"2026-12-09", "2026-12-10"}) {
      const auto& p = by_day[day];
      EXPECT_EQ(p.state, State::accepted) << day << " " << p.last_error;
      EXPECT_EQ(p.attempts, 1);
      EXPECT_EQ(sim_->simulator().submissions(p.idempotency_key), 1) << "sent once";
    }
    const auto accepted_day = [](const Package& p) {
      return time::format_iso_date(time::rome_date(*time::parse_iso_utc(p.accepted_at)));
    };
    EXPECT_EQ(by_day["2026-12-09"].due_day, "2026-12-10");
    EXPECT_GT(accepted_day(by_day["2026-12-09"]), by_day["2026-12-09"].due_day) << "late, and shown so";
    EXPECT_EQ(by_day["2026-12-10"].due_day, "2026-12-11");
    EXPECT_LE(accepted_day(by_day["2026-12-10"]), by_day["2026-12-10"].due_day) << "on time";
    EXPECT_EQ(store_overdue(body, "2026-12-11"), 0);
  }
  EXPECT_EQ(sim_->simulator().preserved().size(), 14u) << "two AOOs, seven days, each once";

  // The index names the register's two files with the digests of the stored bytes.
  const auto p = packages(asti_).back();
  auto reg = registers_->get_for(asti_, std::stoll(p.object_id));
  ASSERT_TRUE(reg.ok());
  EXPECT_NE(p.index_xml.find("<sincro:IdC xmlns:sincro=\"http://www.uni.com/U3011/sincro/\""),
            std::string::npos);
  EXPECT_NE(p.index_xml.find(crypto_b64_of(reg->json)), std::string::npos);
  EXPECT_NE(p.index_xml.find(crypto_b64_of(reg->pdf)), std::string::npos);
  EXPECT_NE(p.index_xml.find("seq=\"" + std::to_string(p.audit_head_seq) + "\""), std::string::npos);
}

TEST_P(ConservazioneTest, conservazione_ARefusedPackageAndALostAnswerAreSentAgainAndPreservedOnce) {
  register_entry(asti_, asti_aoo_, "Istanza");
  clock_.set(utc(2026, 12, 4, 9));
  runner_->run_until_idle();
  // Saturday 00:10: Asti's and Casale's Friday registers; the conservator refuses the first package and
  // preserves the second without its answer reaching the hub (a crash between sending and recording).
  sim_->simulator().set_modes(/*reject*/ 1, /*fail*/ 0, /*lose_answer*/ 1);
  clock_.set(utc(2026, 12, 4, 23, 10));
  runner_->run_until_idle();  // the registers (and the send job of 00:00, before or after them)
  service_->send_due();       // what the next run of the send job does, unless it was done already
  auto all = packages(asti_);
  for (const auto& p : packages(casale_)) all.push_back(p);
  ASSERT_EQ(all.size(), 2u);
  int rejected = 0;
  int failed = 0;
  std::string lost_key;
  for (const auto& p : all) {
    if (p.state == State::rejected) {
      ++rejected;
      EXPECT_NE(p.last_error.find("SIM-REJECT"), std::string::npos);
    }
    if (p.state == State::failed) {
      ++failed;
      lost_key = p.idempotency_key;
    }
  }
  ASSERT_EQ(rejected, 1);
  ASSERT_EQ(failed, 1);
  EXPECT_EQ(sim_->simulator().preserved_count(lost_key), 1) << "preserved, though the hub does not know it";

  // The refused package is visible to the body's registry managers, with the conservator's answer.
  const auto refused = all[0].state == State::rejected ? all[0] : all[1];
  auto manager = staff(refused.tenant_id, identity::Role::office_manager);
  auto listed = service_->list(&manager, refused.tenant_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, State::rejected);
  auto answers = service_->receipts(&manager, refused.tenant_id, refused.id);
  ASSERT_TRUE(answers.ok());
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ(answers->front().outcome, "rejected");
  EXPECT_NE(answers->front().body.find("esito=\"RIFIUTATO\""), std::string::npos);
  // ...and not to the other body's.
  const auto other = refused.tenant_id == asti_ ? casale_ : asti_;
  auto stranger = staff(other, identity::Role::office_manager);
  EXPECT_FALSE(service_->list(&stranger, refused.tenant_id).ok());
  EXPECT_EQ(service_->get(&stranger, other, refused.id).error().code, "conservazione.not_found");
  EXPECT_FALSE(service_->retry(&stranger, other, refused.id).ok());

  // Nothing is sent again before the backoff...
  clock_.advance(std::chrono::minutes(1));
  EXPECT_EQ(service_->send_due().accepted, 0);
  // ...and after it both are: the refused one is accepted, the lost one gets its first receipt again.
  clock_.advance(ConservazioneService::backoff(1));
  auto report = service_->send_due();
  EXPECT_EQ(report.accepted, 2);
  for (auto body : {asti_, casale_}) {
    for (const auto& p : packages(body)) {
      EXPECT_EQ(p.state, State::accepted);
      EXPECT_EQ(p.attempts, 2);
      EXPECT_EQ(sim_->simulator().preserved_count(p.idempotency_key), 1) << "nothing preserved twice";
      EXPECT_EQ(sim_->simulator().submissions(p.idempotency_key), 2);
      EXPECT_FALSE(p.receipt_id.empty());
    }
  }
  EXPECT_EQ(sim_->simulator().preserved().size(), 2u);
  // Receipts are a legal record: no update, no delete.
  EXPECT_ANY_THROW(
      db().write([&](db::Conn& c) { c.exec("UPDATE conservazione_receipts SET detail = 'x'"); }));
  EXPECT_ANY_THROW(db().write([&](db::Conn& c) { c.exec("DELETE FROM conservazione_receipts"); }));
  // A manager's "send again" of an accepted package is refused.
  EXPECT_EQ(service_->retry(&manager, refused.tenant_id, refused.id).error().code, "conservazione.accepted");
}

TEST_P(ConservazioneTest, conservazione_AuditVerifyReportsTheChainAnchoredAtTheConservator) {
  register_entry(asti_, asti_aoo_, "Istanza");
  register_entry(casale_, casale_aoo_, "Istanza");
  // The hub's own chain (tenant 0) has an entry too: every package carries its head as well.
  audit::Entry hub_entry;
  hub_entry.actor_id = "system";
  hub_entry.action = "hub.test";
  hub_entry.record_type = "hub";
  hub_entry.record_id = "1";
  ASSERT_TRUE(audit_->record(hub_entry).ok());
  run_at(utc(2026, 12, 5, 6));
  auto list = packages(asti_);
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].state, State::accepted);
  ASSERT_GE(list[0].audit_head_seq, 1);
  ASSERT_GE(list[0].hub_head_seq, 1);
  EXPECT_NE(list[0].index_xml.find("<CatenaAuditPolo seq=\"" + std::to_string(list[0].hub_head_seq) +
                                   "\" hash=\"" + list[0].hub_head_hash + "\""),
            std::string::npos)
      << list[0].index_xml;
  // The hub's preserved head is the highest any accepted package carries (Casale's is made in the same run).
  std::int64_t hub_seq = 0;
  for (auto body : {asti_, casale_})
    for (const auto& p : packages(body)) hub_seq = std::max(hub_seq, p.hub_head_seq);
  // The real command, against this database.
  sp::testing::TempDir dir;
  std::string cmd = "env 'SPORTELLO_DATABASE=" + database_->url() +
                    "' 'SPORTELLO_KEYS_DIR=" + (dir.path() / "keys").string() +
                    "' 'SPORTELLO_AUDIT_KEY_FILE=" + (dir.path() / "none.key").string() +
                    "' 'SPORTELLO_AUDIT_ANCHOR_FILE=" + (dir.path() / "anchors.jsonl").string() +
                    "' 'SPORTELLO_LOG_LEVEL=warn' '" + sp::testing::binary() + "' audit verify 2>&1";
  auto run = sp::testing::run_command(cmd);
  const std::string line = "tenant " + std::to_string(asti_) + ": anchored at the conservator up to seq " +
                           std::to_string(list[0].audit_head_seq) + " (receipt " + list[0].receipt_id;
  EXPECT_NE(run.out.find(line), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("tenant " + std::to_string(asti_) + ": verified up to"), std::string::npos)
      << run.out;
  // Every chain, the hub's included, is reported anchored up to the last head the conservator holds.
  EXPECT_NE(run.out.find("tenant 0: anchored at the conservator up to seq " + std::to_string(hub_seq) + " ("),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("tenant " + std::to_string(casale_) + ": anchored at the conservator up to seq "),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("no head preserved"), std::string::npos) << run.out;
  EXPECT_NE(run.rc, audit::kVerifyBroken) << run.out;
}

TEST_P(ConservazioneTest, conservazione_TheProtocolsDocumentsArePreservedWhenTheBodyChoseThem) {
  auto manager = staff(asti_, identity::Role::office_manager);
  EXPECT_FALSE(service_->save_settings(&manager, asti_, {kProtocolDocuments}).ok()) << "administrators only";
  auto admin = staff(asti_, identity::Role::body_admin);
  auto other_admin = staff(casale_, identity::Role::body_admin);
  EXPECT_FALSE(service_->save_settings(&other_admin, asti_, {kProtocolDocuments}).ok())
      << "not another body's";
  EXPECT_EQ(service_->save_settings(&admin, asti_, {"tutto"}).error().code, "conservazione.class");
  ASSERT_TRUE(service_->save_settings(&admin, asti_, {kProtocolDocuments}).ok());
  EXPECT_EQ(service_->settings(&admin, asti_)->classes, std::vector<std::string>{kProtocolDocuments});

  const std::string bytes = "%PDF-1.4 istanza di accesso agli atti";
  auto stored = files_->put(asti_, "istanza.pdf", bytes, files::Limits{});
  ASSERT_TRUE(stored.ok());
  for (auto [tenant, aoo] : {std::pair{asti_, asti_aoo_}, std::pair{casale_, casale_aoo_}}) {
    protocollo::NewEntry e;
    e.aoo_id = aoo;
    e.direction = protocollo::Direction::incoming;
    e.subject = "Istanza di accesso agli atti";
    e.correspondents = {{protocollo::CorrespondentKind::person, "Mario Rossi", "", "", ""}};
    e.documents = {{protocollo::DocumentRole::primary, "istanza.pdf", "application/pdf",
                    static_cast<std::int64_t>(bytes.size()), digest::sha256_hex(bytes),
                    tenant == asti_ ? stored->id : std::string()}};
    auto who = staff(tenant, identity::Role::office_manager);
    ASSERT_TRUE(protocol_->register_entry(&who, tenant, e).ok());
  }
  run_at(utc(2026, 12, 5, 6));
  auto asti = packages(asti_);
  ASSERT_EQ(asti.size(), 2u) << "the register and the document";
  EXPECT_EQ(packages(casale_).size(), 1u) << "Casale preserves its register only";
  bool document = false;
  for (const auto& p : asti) {
    EXPECT_EQ(p.state, State::accepted) << p.last_error;
    if (p.klass != kProtocolDocuments) continue;
    document = true;
    EXPECT_EQ(p.object_id, stored->id);
    EXPECT_EQ(p.due_day, "2026-12-05");
    EXPECT_NE(p.index_xml.find(crypto_b64_of(bytes)), std::string::npos);
  }
  EXPECT_TRUE(document);
  bool sent = false;
  for (const auto& p : sim_->simulator().preserved())
    if (p.files == std::vector<std::string>{"istanza.pdf"}) sent = true;
  EXPECT_TRUE(sent);
}

// Decisions, the albo's relate and payment receipts are preserved when the body chose them (one package
// each, from the modules' own records as they leave them): only final decisions, confirmed relate and
// receipts that counted; nothing twice; another body's records never enter Asti's packages.
TEST_P(ConservazioneTest, conservazione_DecisionsRelateAndReceiptsArePreservedWhenTheBodyChoseThem) {
  auto admin = staff(asti_, identity::Role::body_admin);
  ASSERT_TRUE(service_->save_settings(&admin, asti_, {kDecisions, kRelate, kPaymentReceipts}).ok());
  const std::string decision = "%PDF-1.4 provvedimento di accoglimento";
  const std::string relata = "%PDF-1.4 relata di pubblicazione";
  auto decision_file = files_->put(asti_, "provvedimento.pdf", decision, files::Limits{});
  auto application_file = files_->put(asti_, "domanda.pdf", "%PDF-1.4 domanda", files::Limits{});
  auto relata_file = files_->put(asti_, "relata.pdf", relata, files::Limits{});
  ASSERT_TRUE(decision_file.ok() && application_file.ok() && relata_file.ok());
  const std::string receipt =
      "<paSendRTV2Request><receipt><receiptId>R-1</receiptId></receipt></paSendRTV2Request>";
  db().write([&](db::Conn& c) {
    for (auto tenant : {asti_, casale_}) {
      const std::string t = std::to_string(tenant);
      c.exec(
          "INSERT INTO cases (id, tenant_id, service_code, title, form_code, form_version, applicant_cf, "
          "applicant_name, channel, answers, state, submitted_at, deadline_days, due_date, due_day, "
          "queue_due_day, "
          "submission_key) "
          "VALUES ($1, $2, 'accesso-atti', 'Accesso agli atti', 'accesso', 1, 'FRRNNA78S70A479X', 'Anna', "
          "'online', '{}', 'accepted', '2026-12-01T09:00:00Z', 30, '2026-12-31', 20818, 20818, $1)",
          {"case-" + t, tenant});
      c.exec(
          "INSERT INTO albo_publications (id, tenant_id, year, number, registered_at, act_type, issuer, "
          "office, responsible, subject, start_day, days, start_at, base_end_at, end_at, forget_on, "
          "created_by, channel) VALUES ($1, $2, 2026, 1, '2026-11-01T09:00:00.000Z', 'avviso', 'Comune', "
          "'Segreteria', 'Rossi', 'Avviso', '2026-11-01', 15, '2026-10-31T23:00:00.000Z', "
          "'2026-11-15T23:00:00.000Z', '2026-11-15T23:00:00.000Z', '2031-11-16', 'staff', 'web')",
          {"pub-" + t, tenant});
      c.exec(
          "INSERT INTO albo_publications (id, tenant_id, year, number, registered_at, act_type, issuer, "
          "office, responsible, subject, start_day, days, start_at, base_end_at, end_at, forget_on, "
          "created_by, channel) VALUES ($1, $2, 2026, 2, '2026-11-01T09:00:00.000Z', 'avviso', 'Comune', "
          "'Segreteria', 'Rossi', 'Avviso', '2026-11-01', 15, '2026-10-31T23:00:00.000Z', "
          "'2026-11-15T23:00:00.000Z', '2026-11-15T23:00:00.000Z', '2031-11-16', 'staff', 'web')",
          {"pub2-" + t, tenant});
    }
    const auto doc = [&](const std::string& id, tenants::TenantId tenant, const std::string& file_id,
                         const std::string& kind, const std::string& name, const std::string& bytes) {
      c.exec(
          "INSERT INTO case_documents (id, tenant_id, case_id, file_id, kind, file_name, mime_type, size, "
          "sha256, who, at) VALUES ($1, $2, $3, $4, $5, $6, 'application/pdf', $7, $8, 'staff', "
          "'2026-12-04T10:00:00Z')",
          {id, tenant, "case-" + std::to_string(tenant), file_id, kind, name,
           static_cast<std::int64_t>(bytes.size()), digest::sha256_hex(bytes)});
    };
    doc("d1", asti_, decision_file->id, "decision", "provvedimento.pdf", decision);
    doc("d2", asti_, application_file->id, "application", "domanda.pdf", "%PDF-1.4 domanda");
    doc("d3", casale_, "casale-file", "decision", "provvedimento.pdf", "%PDF-1.4 di Casale");
    c.exec(
        "INSERT INTO albo_relate (publication_id, tenant_id, prepared_at, status, confirmed_at, "
        "confirmed_by, "
        "file_id, sha256) VALUES ($1, $2, '2026-12-04T08:00:00Z', 'confirmed', '2026-12-04T10:00:00Z', "
        "'staff', $3, $4)",
        {"pub-" + std::to_string(asti_), asti_, relata_file->id, digest::sha256_hex(relata)});
    c.exec(
        "INSERT INTO albo_relate (publication_id, tenant_id, prepared_at, status) VALUES ($1, $2, "
        "'2026-12-04T08:00:00Z', 'waiting')",
        {"pub2-" + std::to_string(asti_), asti_});
    const auto rt = [&](tenants::TenantId tenant, const std::string& iuv, const std::string& rid,
                        const std::string& outcome) {
      c.exec(
          "INSERT INTO payment_receipts (tenant_id, iuv, psp_id, receipt_id, payment_at, amount_cents, "
          "outcome, raw_payload, received_at) VALUES ($1, $2, 'PSP1', $3, '2026-12-04T09:00:00.000Z', 1600, "
          "$4, $5, '2026-12-04T09:00:01.000Z')",
          {tenant, iuv, rid, outcome, receipt});
    };
    rt(asti_, "01000000000000001", "R-1", "recorded");
    rt(asti_, "01000000000000001", "R-1", "duplicate");
    rt(casale_, "02000000000000001", "R-9", "recorded");
  });

  run_at(utc(2026, 12, 4, 11));
  std::map<std::string, Package> by_class;
  for (const auto& p : packages(asti_)) {
    EXPECT_TRUE(by_class.emplace(p.klass, p).second)
        << "one package per class: " << p.klass << " " << p.title;
    EXPECT_EQ(p.state, State::accepted) << p.klass << ": " << p.last_error;
    EXPECT_EQ(p.due_day, "2026-12-05") << "by the next working day, like a register";
  }
  ASSERT_EQ(by_class.size(), 3u) << "the final decision, the confirmed relata, the counted receipt";
  EXPECT_EQ(by_class[kDecisions].object_id, decision_file->id);
  EXPECT_NE(by_class[kDecisions].index_xml.find(crypto_b64_of(decision)), std::string::npos);
  EXPECT_EQ(by_class[kRelate].object_id, relata_file->id);
  EXPECT_NE(by_class[kRelate].index_xml.find("relata-2026-1.pdf"), std::string::npos);
  EXPECT_NE(by_class[kPaymentReceipts].index_xml.find(crypto_b64_of(receipt)), std::string::npos);
  std::set<std::string> sent;
  for (const auto& p : sim_->simulator().preserved())
    for (const auto& f : p.files) sent.insert(f);
  EXPECT_TRUE(sent.count("provvedimento.pdf"));
  EXPECT_TRUE(sent.count("relata-2026-1.pdf"));
  EXPECT_EQ(std::count_if(sent.begin(), sent.end(),
                          [](const std::string& f) { return f.starts_with("ricevuta-"); }),
            1);
  EXPECT_TRUE(packages(casale_).empty()) << "Casale chose nothing: its decision and receipt stay home";

  // Nothing twice: another run makes no package; a class chosen by Casale takes Casale's records only.
  EXPECT_EQ(service_->plan(), 0);
  auto casale_admin = staff(casale_, identity::Role::body_admin);
  ASSERT_TRUE(service_->save_settings(&casale_admin, casale_, {kPaymentReceipts}).ok());
  EXPECT_EQ(service_->plan(), 1);
  auto casale = packages(casale_);
  ASSERT_EQ(casale.size(), 1u);
  EXPECT_NE(casale[0].title.find("R-9"), std::string::npos) << casale[0].title;
  EXPECT_EQ(packages(asti_).size(), 3u);
  auto stranger = staff(casale_, identity::Role::office_manager);
  EXPECT_EQ(service_->get(&stranger, casale_, by_class[kDecisions].id).error().code,
            "conservazione.not_found");
}

// The simulated conservator checks what it receives, as a conservator's acceptance does: a changed byte,
// a file the index does not name, a missing file or a wrong credential is refused, and nothing is preserved.
TEST(ConservazioneSimulator, conservazione_RefusesAChangedByteAnUnnamedFileAndAWrongCredential) {
  auto sim = conservazione_sim::start_simulator_thread("secret", 0);
  const std::string bytes = "%PDF-1.4 registro";
  IndexInput in;
  in.package_id = "p1";
  in.volume_id = "v1";
  in.klass = kDailyRegister;
  in.made_at = "2026-12-05T06:00:00Z";
  in.files = {IndexFile{"registro.pdf", digest::sha256_raw(bytes)}};
  conservazione_wire::Submission s{"key-1", build_index(in), {{"registro.pdf", "application/pdf", bytes}}};
  auto client = [&](const std::string& token) {
    return conservazione_wire::Client(conservazione_wire::ClientOptions{sim->url(), token, {}});
  };

  auto changed = s;
  changed.files[0].bytes.back() = 'X';
  auto a = client("secret").submit(changed);
  ASSERT_TRUE(a.ok()) << a.error().code;
  EXPECT_EQ(a->outcome, conservazione_wire::Outcome::rejected);
  EXPECT_NE(a->detail.find("VERS-012"), std::string::npos) << a->detail;

  auto extra = s;
  extra.idempotency_key = "key-2";
  extra.files.push_back({"altro.pdf", "application/pdf", "x"});
  auto b = client("secret").submit(extra);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->detail.find("VERS-014"), std::string::npos) << b->detail;

  auto missing = s;
  missing.idempotency_key = "key-3";
  missing.files.clear();
  auto c = client("secret").submit(missing);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->detail.find("VERS-010"), std::string::npos) << c->detail;

  EXPECT_EQ(client("wrong").submit(s).error().code, "conservazione.unavailable") << "401: not taken";
  EXPECT_TRUE(sim->simulator().preserved().empty());

  // The original is accepted once; the same key again gets the same receipt, marked as a repeat.
  auto ok = client("secret").submit(s);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->outcome, conservazione_wire::Outcome::accepted);
  auto again = client("secret").submit(s);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat);
  EXPECT_EQ(again->receipt_id, ok->receipt_id);
  EXPECT_EQ(sim->simulator().preserved_count("key-1"), 1);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ConservazioneTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::conservazione
