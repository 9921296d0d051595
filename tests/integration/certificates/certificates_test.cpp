// Registry certificates from ANPR (src/certificates) on SQLite and PostgreSQL, against the ANPR simulator
// on a loopback port: paid online through a pagoPA position whose receipt (whenever it comes) issues the
// certificate once; exemptions as dated data; household-only online, anyone at the counter; ANPR's
// refusals before anything is paid; the PDF kept byte for byte; another body sees nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/anpr/simulator.hpp"
#include "adapters/appio/wire.hpp"
#include "adapters/messaging/outbox.hpp"
#include "audit/service.hpp"
#include "certificates/service.hpp"
#include "core/config.hpp"
#include "core/digest.hpp"
#include "files/service.hpp"
#include "identity/model.hpp"
#include "identity/person_store.hpp"
#include "identity/profile_service.hpp"
#include "jobs/runner.hpp"
#include "messaging/service.hpp"
#include "payments/service.hpp"
#include "support/test_pki.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::certificates {
namespace {

constexpr const char* kDavide = "GTTDVD79H14B885C";
constexpr const char* kTommaso = "GTTTMS16A22B885C";
constexpr const char* kRosa = "GTTRSO38D57B885U";
constexpr const char* kPaolo = "BOXPLA65L08A182K";
constexpr const char* kElisa = "RNLLSE81R43A182A";
const std::string kIban = "IT60X0542811101000000123456";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CertificatesTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    casale_ = make_body(*hub, "casale-monferrato", "Comune di Casale Monferrato", "006039", "AL");
    asti_ = make_body(*hub, "asti", "Comune di Asti", "005005", "AT");
    payments_ = std::make_unique<payments::PaymentsService>(db(), clock_);
    payments::Creditor c{casale_,    "00633826060", "Comune di Casale Monferrato",
                         "Anagrafe", {"01"},        kIban,
                         "",         "00633826060", "00633826060_01"};
    ASSERT_TRUE(payments_->set_creditor(system_, c).ok());
    files_ = std::make_unique<files::FileService>(db(), clock_);

    anpr::sim::SimulatorOptions so;
    so.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl"};
    so.comuni_file = sp::testing::source_dir() + "/data/demo/bodies.json";
    so.credentials = {{"casale-secret", "006039"}, {"asti-secret", "005005"}};
    so.share_dir = sp::testing::source_dir();
    anpr_ = anpr::sim::start_simulator_thread(so, 0);

    Options o;
    o.anpr_url = anpr_->url() + anpr::sim::kServicePath;
    o.anpr_credentials = parse_credentials("006039=casale-secret,005005=asti-secret");
    auto table =
        parse_exemptions(read_file(sp::testing::source_dir() + "/data/certificates/esenzioni_bollo.csv"));
    ASSERT_TRUE(table.ok());
    o.exemptions = *table;
    o.fees[casale_] = 52;  // € 0,52 of diritti di segreteria
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    service_ = std::make_unique<CertificateService>(db(), clock_, *tenants_, *payments_, *files_, *audit_, o);
    runner_ = std::make_unique<jobs::Runner>(db(), clock_);
    service_->attach(*runner_);
    // The people who ask are told through the messaging module: Davide chose App IO (e-mail verified,
    // the fallback); Elisa, of his household, signed in too.
    profiles_ = std::make_unique<identity::ProfileService>(db(), *audit_, clock_);
    messaging_ = std::make_unique<messaging::MessagingService>(db(), *audit_, *profiles_, clock_);
    messaging_->set_body_contacts([](std::int64_t) {
      return messaging::BodyContacts{"Comune di Casale Monferrato", "anagrafe@comune.example", "", "0142 1"};
    });
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    service_->set_messaging(messaging_.get(), &i18n_, "https://sportello.example");
    identity::PersonStore people(db());
    for (const char* cf : {kDavide, kElisa}) {
      identity::Person p;
      p.fiscal_code = cf;
      p.given_name = "X";
      p.family_name = "GATTI";
      db().write([&](db::Conn& tx) {
        people.upsert_from_sign_in(tx, p, "2026-11-01T00:00:00Z");
        tx.exec(
            "UPDATE persons SET email = $2, email_verified_at = '2026-11-01T00:00:00Z', "
            "preferred_channel = 'io' WHERE fiscal_code = $1",
            {std::string(cf), std::string(cf) + "@example.it"});
      });
    }
  }

  // The messages of `type` the outbox holds at a body, for anyone.
  std::vector<messaging::StoredMessage> told(tenants::TenantId body, const std::string& type) {
    std::vector<messaging::StoredMessage> out;
    for (const auto& m : messaging::list_messages(db(), messaging::MessageQuery{.tenant_id = body}))
      if (m.message.type == type) out.push_back(m);
    return out;
  }

  tenants::TenantId make_body(std::int64_t hub, const std::string& slug, const std::string& name,
                              const std::string& istat, const std::string& province) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.fiscal_code = "00743110157";
    b.province = province;
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code);
    return id.ok() ? *id : 0;
  }

  db::Database& db() { return database_->db(); }
  std::int64_t count(const std::string& table) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM " + table)->i64(0); });
    return n;
  }
  static Person davide() { return {kDavide, "GATTI", "DAVIDE"}; }
  // A staff member of `tenant` with one role (the subject "staff-casale" whatever the body, as before).
  static identity::Principal staff(tenants::TenantId tenant, identity::Role role) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = "staff-casale";
    p.tenant_id = tenant;
    p.roles = {role};
    return p;
  }
  static Choice choice(const std::string& subject, const std::string& kind, int exemption = 0) {
    return Choice{subject, kind, "", exemption, ""};
  }

  // The parts, run in pairs by the test cases below (each a process under the sanitizers).
  void PaidOnlineTheReceiptIssuesTheCertificateOnceAndThePdfIsAnprsBytes();
  void TwoAttemptsAtOnceMakeOneCertificate();
  void OnlineOnlyTheHouseholdAndWhatAnprRefusesIsRefusedBeforePaying();
  void ExemptionsAreTheTableInForceThatDayForTheChannel();
  void TheCounterIssuesForAThirdPartyRecordedAsSuch();
  void AnotherBodyOrPersonSeesNothing();
  void AnprOverMutualTlsNeedsTheHubsCertificate();
  void RefusedAfterPaymentIsARefundDueAndEveryStepIsAudited();

  // 2026-12-05 10:00 UTC.
  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 12 / 5}} +
                         std::chrono::hours(10)};
  payments::SystemActor system_{"test"};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<payments::PaymentsService> payments_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<anpr::sim::RunningSimulator> anpr_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<CertificateService> service_;
  std::unique_ptr<jobs::Runner> runner_;
  std::unique_ptr<identity::ProfileService> profiles_;
  std::unique_ptr<messaging::MessagingService> messaging_;
  I18n i18n_;
  tenants::TenantId casale_ = 0;
  tenants::TenantId asti_ = 0;
};

void CertificatesTest::PaidOnlineTheReceiptIssuesTheCertificateOnceAndThePdfIsAnprsBytes() {
  auto r = service_->request_online(casale_, davide(), choice(kDavide, "stato-famiglia"));
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->state, State::awaiting_payment);
  EXPECT_EQ(r->stamp_duty, 1600);
  EXPECT_EQ(r->fees, 52);
  // The marca da bollo digitale (the State's) and the comune's fees: one notice, two transfers.
  auto pos = payments_->get(system_, casale_, r->iupd);
  ASSERT_TRUE(pos.ok());
  ASSERT_EQ(pos->options.size(), 1u);
  ASSERT_EQ(pos->options[0].transfers.size(), 2u);
  EXPECT_TRUE(pos->options[0].transfers[0].stamp.has_value());
  EXPECT_EQ(pos->options[0].transfers[0].amount, 1600);
  EXPECT_EQ(pos->options[0].transfers[1].iban, kIban);
  EXPECT_EQ(pos->options[0].amount, 1652);
  // Nothing is asked of ANPR before the receipt.
  EXPECT_TRUE(anpr_->simulator().issued().empty());
  EXPECT_EQ(service_->issue(casale_, r->id)->state, State::awaiting_payment);

  // The receipt arrives (the station's transaction): the request is queued, the job issues it.
  ASSERT_TRUE(payments_->record_option_paid(system_, casale_, r->iuv, clock_.now()).ok());
  EXPECT_EQ(service_->own(casale_, kDavide, r->token)->state, State::queued);
  EXPECT_EQ(runner_->run_until_idle(), 1);
  auto done = service_->own(casale_, kDavide, r->token);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->state, State::issued);
  auto bytes = service_->pdf(*done);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->rfind("%PDF-", 0), 0u);
  EXPECT_EQ(digest::sha256_hex(*bytes), done->sha256);
  ASSERT_EQ(anpr_->simulator().issued().size(), 1u);
  const auto issued = anpr_->simulator().issued().front();
  EXPECT_EQ(issued.sha256_hex, done->sha256);  // byte for byte what ANPR produced
  EXPECT_EQ(anpr_->simulator().verify(issued.code, done->sha256), anpr::sim::Verdict::valid);
  EXPECT_EQ(done->anpr_protocol, issued.protocol);

  // Davide is told once, on App IO as remote content: IO gets the teaser, the text stays in the outbox,
  // the certificate's PDF (the stored file) is its attachment; the precondition is the certificate's.
  auto ready = told(casale_, "certificate.issued");
  ASSERT_EQ(ready.size(), 1u);
  const auto& m = ready.front().message;
  EXPECT_EQ(m.person, kDavide);
  EXPECT_EQ(m.channel, messaging::Channel::appio);
  EXPECT_EQ(m.recipient, kDavide);
  EXPECT_EQ(m.fallback_recipient, std::string(kDavide) + "@example.it");
  EXPECT_NE(m.body.find("https://sportello.example/casale-monferrato/certificati/" + r->token),
            std::string::npos);
  EXPECT_NE(m.body.find(done->anpr_protocol), std::string::npos);
  EXPECT_EQ(m.subject.find("GATTI"), std::string::npos) << "no personal data in a subject";
  auto io = appio::parse_options(m.options);
  ASSERT_TRUE(io.ok() && io->remote.has_value());
  ASSERT_EQ(io->remote->attachments.size(), 1u);
  EXPECT_EQ(io->remote->attachments[0].file_id, done->file_id);
  EXPECT_EQ(io->remote->precondition, "certificate");
  EXPECT_TRUE(appio::check_message(m.recipient, m.subject, m.body, m.options).ok());
  ASSERT_EQ(m.fallbacks.size(), 1u);
  EXPECT_EQ(m.fallbacks[0].channel, messaging::Channel::email);

  // Issuing again, or a second receipt, changes nothing and asks ANPR for nothing new.
  EXPECT_EQ(service_->issue(casale_, r->id)->state, State::issued);
  EXPECT_FALSE(payments_->record_option_paid(system_, casale_, r->iuv, clock_.now()).ok());
  EXPECT_EQ(anpr_->simulator().issued().size(), 1u);
  EXPECT_EQ(service_->mine(casale_, kDavide).size(), 1u);
  EXPECT_EQ(told(casale_, "certificate.issued").size(), 1u) << "once per event";
}

void CertificatesTest::TwoAttemptsAtOnceMakeOneCertificate() {
  const auto before = anpr_->simulator().issued().size();
  auto r = service_->request_online(casale_, davide(), choice(kTommaso, "residenza-cittadinanza-famiglia"));
  ASSERT_TRUE(r.ok()) << r.error().code;
  ASSERT_TRUE(payments_->record_option_paid(system_, casale_, r->iuv, clock_.now()).ok());
  Result<Request> a = Error::make("x"), b = Error::make("x");
  std::thread t1([&] { a = service_->issue(casale_, r->id); });
  std::thread t2([&] { b = service_->issue(casale_, r->id); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->state, State::issued);
  EXPECT_EQ(b->state, State::issued);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(anpr_->simulator().issued().size(), before + 1);  // ANPR answered the same id with the same one
  EXPECT_EQ(runner_->run_until_idle(), 1);                    // the job finds it done
  EXPECT_EQ(anpr_->simulator().issued().size(), before + 1);
  // One message for the one certificate, to Davide who asked (not Tommaso, whom it is about).
  int about = 0;
  for (const auto& m : told(casale_, "certificate.issued")) {
    EXPECT_EQ(m.message.person, kDavide);
    if (m.message.body.find(r->token) != std::string::npos) ++about;
  }
  EXPECT_EQ(about, 1);
  EXPECT_TRUE(messaging::list_messages(db(), messaging::MessageQuery{.person = kTommaso}).empty());
}

void CertificatesTest::OnlineOnlyTheHouseholdAndWhatAnprRefusesIsRefusedBeforePaying() {
  EXPECT_EQ(service_->request_online(casale_, davide(), choice(kPaolo, "residenza")).error().code,
            "certificates.third_party");
  EXPECT_EQ(service_->request_online(casale_, davide(), choice(kRosa, "stato-famiglia")).error().code,
            "certificates.not_certifiable");
  EXPECT_EQ(service_->request_online(casale_, davide(), choice(kDavide, "nessuno")).error().code,
            "certificates.kind");
  EXPECT_EQ(count("certificate_requests"), 0);
  EXPECT_EQ(count("payment_positions"), 0);
  auto preview = service_->preview(casale_, davide(), choice(kDavide, "stato-famiglia"));
  ASSERT_TRUE(preview.ok()) << preview.error().code;
  EXPECT_EQ(preview->subject.surname, "GATTI");
  EXPECT_EQ(preview->members.size(), 3u);  // Elisa, Tommaso, Rosa
  EXPECT_TRUE(anpr_->simulator().issued().empty());
}

void CertificatesTest::ExemptionsAreTheTableInForceThatDayForTheChannel() {
  // Code 3 (proceedings): no stamp duty; the comune's diritti di segreteria are still due, alone.
  auto r = service_->request_online(casale_, davide(), choice(kDavide, "residenza", 3));
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->state, State::awaiting_payment);
  EXPECT_EQ(r->stamp_duty, 0);
  EXPECT_EQ(r->exemption, 3);
  auto pos = payments_->get(system_, casale_, r->iupd);
  ASSERT_TRUE(pos.ok());
  ASSERT_EQ(pos->options.at(0).transfers.size(), 1u);
  EXPECT_EQ(pos->options.at(0).amount, 52);
  EXPECT_FALSE(pos->options.at(0).transfers.at(0).stamp.has_value());
  ASSERT_TRUE(payments_->record_option_paid(system_, casale_, r->iuv, clock_.now()).ok());
  runner_->run_until_idle();
  EXPECT_EQ(service_->own(casale_, kDavide, r->token)->state, State::issued);
  // Code 10: no longer online (data/certificates/esenzioni_bollo.csv); still at the counter.
  EXPECT_EQ(service_->request_online(casale_, davide(), choice(kDavide, "residenza", 10)).error().code,
            "certificates.exemption");
  auto exempt_at_counter = choice(kDavide, "residenza", 10);
  exempt_at_counter.means = "pos";  // the stamp is exempt, the comune's diritti are not
  auto counter = service_->issue_at_counter(casale_, "op-casale", davide(), 2, exempt_at_counter);
  ASSERT_TRUE(counter.ok()) << counter.error().code;
  EXPECT_EQ(counter->state, State::issued);
  // 99 needs its text.
  EXPECT_EQ(service_->request_online(casale_, davide(), choice(kDavide, "residenza", 99)).error().code,
            "certificates.exemption_text");
  // Stato civile is exempt by law: no stamp duty without an exemption code (the fees alone are due).
  auto civil = service_->request_online(casale_, davide(), choice(kDavide, "stato-civile"));
  ASSERT_TRUE(civil.ok()) << civil.error().code;
  EXPECT_EQ(civil->stamp_duty, 0);
  EXPECT_EQ(civil->exemption, 0);
  // The table itself: code 1 cites DPR 642/1972 until 2025 and D.Lgs. 123/2025 from 2026.
  EXPECT_NE(exemption_on(service_->options().exemptions, 1, "2025-12-31", true)->legal_basis.find("642/1972"),
            std::string::npos);
  EXPECT_NE(exemption_on(service_->options().exemptions, 1, "2026-01-01", true)->legal_basis.find("123/2025"),
            std::string::npos);
  EXPECT_TRUE(exemption_on(service_->options().exemptions, 10, "2022-12-31", true));
  EXPECT_FALSE(exemption_on(service_->options().exemptions, 10, "2023-01-01", true));
}

void CertificatesTest::TheCounterIssuesForAThirdPartyRecordedAsSuch() {
  // Casale charges € 0,52 of diritti: the operator must say how they are paid, before ANPR is asked.
  auto no_means = service_->issue_at_counter(casale_, "op-casale", davide(), 1, choice(kPaolo, "residenza"));
  ASSERT_FALSE(no_means.ok());
  EXPECT_EQ(no_means.error().code, "certificates.means");
  EXPECT_EQ(no_means.error().field, "means");
  EXPECT_TRUE(anpr_->simulator().issued().empty());
  auto paid_cash = choice(kPaolo, "residenza");
  paid_cash.means = "cash";
  auto r = service_->issue_at_counter(casale_, "op-casale", davide(), 1, paid_cash);
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->state, State::issued);
  EXPECT_EQ(r->channel, Channel::counter);
  EXPECT_EQ(r->operator_user, "op-casale");
  EXPECT_EQ(r->requester_cf, kDavide);
  EXPECT_EQ(r->requester_type, 1);
  EXPECT_EQ(r->subject_cf, kPaolo);
  EXPECT_EQ(r->stamp_duty, 1600);
  EXPECT_EQ(r->stamp_mode, 9);  // paid at the counter
  EXPECT_FALSE(r->paid_at.empty());
  EXPECT_EQ(service_->counter_list(casale_).size(), 1u);
  EXPECT_TRUE(service_->mine(casale_, kDavide).empty());  // not an online request of his
  // The diritti, collected with the certificate: the request's amount, cash, receipt 1 of the year.
  EXPECT_EQ(r->fees, 52);
  auto fee = service_->counter_fee(*r);
  ASSERT_TRUE(fee.has_value());
  EXPECT_EQ(fee->amount, 52);
  EXPECT_EQ(fee->means, Means::cash);
  EXPECT_EQ(fee->receipt_no, 1);
  EXPECT_EQ(fee->receipt_year, 2026);
  EXPECT_EQ(fee->day, "2026-12-05");
  EXPECT_EQ(fee->collected_by, "op-casale");
  EXPECT_EQ(service_->collect_at_counter(casale_, "op-casale", r->id, Means::pos).error().code,
            "certificates.fee_collected");
  // Another body's counter cannot collect (nor see) Casale's request.
  EXPECT_EQ(service_->collect_at_counter(asti_, "op-asti", r->id, Means::cash).error().code, "not_found");
  // A second one paid by POS: receipt 2.
  auto by_pos = choice(kPaolo, "stato-famiglia");
  by_pos.means = "pos";
  auto r2 = service_->issue_at_counter(casale_, "op-casale-2", davide(), 1, by_pos);
  ASSERT_TRUE(r2.ok()) << r2.error().code;
  ASSERT_EQ(r2->state, State::issued);
  EXPECT_EQ(service_->counter_fee(*r2)->receipt_no, 2);
  // The day's takings: Casale's office managers only.
  const auto manager = staff(casale_, identity::Role::office_manager);
  const auto asti_manager = staff(asti_, identity::Role::office_manager);
  const auto op = staff(casale_, identity::Role::operator_);
  auto day = service_->takings(&manager, casale_, "2026-12-05");
  ASSERT_TRUE(day.ok());
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].means, Means::cash);
  EXPECT_EQ((*day)[1].means, Means::pos);
  EXPECT_EQ((*day)[1].requester_cf, kDavide);
  EXPECT_TRUE(service_->takings(&manager, casale_, "2026-12-04")->empty());
  EXPECT_EQ(service_->takings(&manager, casale_, "5/12/2026").error().field, "giorno");
  EXPECT_EQ(service_->takings(&asti_manager, casale_, "2026-12-05").error().http_status, 403);
  EXPECT_EQ(service_->takings(&op, casale_, "2026-12-05").error().http_status, 403);
  EXPECT_TRUE(service_->takings(&asti_manager, asti_, "2026-12-05")->empty());
  // Append-only, and audited with the operator who collected.
  EXPECT_THROW(
      db().write([](db::Conn& c) { c.exec("UPDATE certificate_counter_fees SET amount_cents = 1"); }),
      std::exception);
  EXPECT_THROW(db().write([](db::Conn& c) { c.exec("DELETE FROM certificate_counter_fees"); }),
               std::exception);
  std::int64_t audited = 0;
  db().read([&](db::Conn& c) {
    audited = c.query_one(
                   "SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = "
                   "'certificate.counter_fee' AND actor_id = 'op-casale-2'",
                   {casale_})
                  ->i64(0);
  });
  EXPECT_EQ(audited, 1);
  // Not certifiable is refused at the counter too, and nothing is collected.
  auto rosa_choice = choice(kRosa, "residenza");
  rosa_choice.means = "cash";
  auto rosa = service_->issue_at_counter(casale_, "op-casale", davide(), 1, rosa_choice);
  ASSERT_TRUE(rosa.ok());
  EXPECT_EQ(rosa->state, State::refused);
  EXPECT_EQ(rosa->refusal_code, "EC001");
  // Handed over at the counter: nobody is sent a message.
  EXPECT_EQ(count("outbox"), 0);
  EXPECT_FALSE(service_->counter_fee(*rosa).has_value());
  EXPECT_EQ(count("certificate_counter_fees"), 2);
}

// ANPR reached over https with the hub's client certificate (mutual TLS): the simulator behind a TLS front
// that asks for one, the PKI made now. With the right certificate the counter issues; with none or one of
// another CA, staff get the certificate's own error and citizens the usual "ANPR is not answering"; no
// request is recorded. `config check` says when the files do not belong together.
void CertificatesTest::AnprOverMutualTlsNeedsTheHubsCertificate() {
  sp::testing::TempDir dir;
  const auto pki = sp::testing::make_test_pki((dir.path() / "pki").string());
  anpr::sim::SimulatorOptions so;
  so.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl"};
  so.credentials = {{"casale-secret", "006039"}};
  so.share_dir = sp::testing::source_dir();
  so.tls_cert_file = pki.server_cert;
  so.tls_key_file = pki.server_key;
  so.tls_client_ca_file = pki.ca_cert;
  auto tls_anpr = anpr::sim::start_simulator_thread(so, 0);
  ASSERT_EQ(tls_anpr->url().rfind("https://localhost:", 0), 0u) << tls_anpr->url();

  auto service_with = [&](anpr::Tls tls) {
    Options o;
    o.anpr_url = tls_anpr->url() + anpr::sim::kServicePath;
    o.anpr_credentials = parse_credentials("006039=casale-secret");
    o.anpr_tls = std::move(tls);
    return std::make_unique<CertificateService>(db(), clock_, *tenants_, *payments_, *files_, *audit_, o);
  };
  const auto before = count("certificate_requests");
  auto none = service_with({"", "", pki.ca_cert});
  auto r = none->issue_at_counter(casale_, "op-casale", davide(), 1, choice(kPaolo, "residenza"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "certificates.anpr_certificate") << r.error().detail;
  // Online, the person is told ANPR is not answering: nothing about the hub's certificates.
  auto online = none->household(casale_, kDavide);
  ASSERT_FALSE(online.ok());
  EXPECT_EQ(online.error().code, "certificates.anpr_unavailable");
  auto other = service_with({pki.other_client_cert, pki.other_client_key, pki.ca_cert});
  r = other->issue_at_counter(casale_, "op-casale", davide(), 1, choice(kPaolo, "residenza"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "certificates.anpr_certificate") << r.error().detail;
  EXPECT_EQ(count("certificate_requests"), before);

  auto hub = service_with({pki.client_cert, pki.client_key, pki.ca_cert});
  r = hub->issue_at_counter(casale_, "op-casale", davide(), 1, choice(kPaolo, "residenza"));
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->state, State::issued);
  EXPECT_EQ(tls_anpr->simulator().issued().size(), 1u);

  // config check: a certificate with another's key, a key alone, and the pair that belongs together.
  Config c;
  c.share_dir = sp::testing::source_dir();
  auto anpr_problems = [&] {
    std::vector<std::string> out;
    for (const auto& p : check_config(c))
      if (p.rfind("anpr_", 0) == 0) out.push_back(p);
    return out;
  };
  c.anpr_client_cert = pki.client_cert;
  c.anpr_client_key = pki.other_client_key;
  auto problems = anpr_problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("is not the key of the certificate"), std::string::npos) << problems[0];
  c.anpr_client_cert.clear();
  EXPECT_EQ(anpr_problems().size(), 1u);  // a key without its certificate
  c.anpr_client_cert = pki.client_cert;
  c.anpr_client_key = pki.client_key;
  c.anpr_ca_file = pki.ca_cert;
  EXPECT_TRUE(anpr_problems().empty());
  c.anpr_client_key = (dir.path() / "missing.pem").string();
  EXPECT_EQ(anpr_problems().size(), 1u);
}

void CertificatesTest::AnotherBodyOrPersonSeesNothing() {
  auto r = service_->request_online(casale_, davide(), choice(kDavide, "residenza", 3));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(service_->own(asti_, kDavide, r->token).error().code, "not_found");
  EXPECT_EQ(service_->own(casale_, kElisa, r->token).error().code, "not_found");
  EXPECT_TRUE(service_->mine(asti_, kDavide).empty());
  EXPECT_EQ(service_->of_body(asti_, r->token).error().code, "not_found");
  // Asti has no creditor settings: a paid certificate cannot be offered there.
  EXPECT_EQ(service_
                ->request_online(asti_, Person{"FRRNNA78S70A479X", "FERRARO", "ANNA"},
                                 choice("FRRNNA78S70A479X", "residenza"))
                .error()
                .code,
            "certificates.not_payable");
}

void CertificatesTest::RefusedAfterPaymentIsARefundDueAndEveryStepIsAudited() {
  // The body's diritti di segreteria per kind: set by an office manager (audited), not by an operator nor
  // by another body's staff; 0 for a kind means none.
  const auto manager = staff(casale_, identity::Role::office_manager);
  const auto op = staff(casale_, identity::Role::operator_);
  const auto asti_manager = staff(asti_, identity::Role::office_manager);
  EXPECT_EQ(service_->set_fees(&op, casale_, {{"stato-famiglia", 77}}).error().http_status, 403);
  EXPECT_EQ(service_->set_fees(&asti_manager, casale_, {{"stato-famiglia", 77}}).error().http_status, 403);
  ASSERT_TRUE(service_->set_fees(&manager, casale_, {{"stato-famiglia", 77}, {"residenza", 0}}).ok());
  EXPECT_EQ(service_->fee_for(casale_, "stato-famiglia"), 77);
  EXPECT_EQ(service_->fee_for(casale_, "residenza"), 0);
  EXPECT_EQ(service_->fee_for(casale_, "cittadinanza"), 52);  // never set: the default
  EXPECT_EQ(service_->fee_for(asti_, "stato-famiglia"), 0);

  auto r = service_->request_online(casale_, davide(), choice(kDavide, "stato-famiglia"));
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->fees, 77);
  auto pos = payments_->get(system_, casale_, r->iupd);
  ASSERT_TRUE(pos.ok());
  ASSERT_EQ(pos->options[0].transfers.size(), 2u);  // the stamp, then the comune's fee
  EXPECT_EQ(pos->options[0].transfers[1].amount, 77);
  // ANPR's data change after the preview: Davide is no longer certifiable when the receipt arrives.
  auto now = anpr_->simulator().population().find(kDavide, "2026-12-05");
  ASSERT_NE(now, nullptr);
  anpr::sim::Resident changed = *now;
  changed.fields["certificabilita"] = "0";
  changed.fields["data_variazione"] = "2026-12-05";
  anpr_->simulator().add_version(changed);
  ASSERT_TRUE(payments_->record_option_paid(system_, casale_, r->iuv, clock_.now()).ok());
  EXPECT_EQ(runner_->run_until_idle(), 1);
  auto done = service_->own(casale_, kDavide, r->token);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, State::refused);
  // Davide is told once: refused, and the amount the comune refunds (no "refused" message besides).
  auto due = told(casale_, "certificate.refund_due");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].message.person, kDavide);
  EXPECT_NE(due[0].message.body.find("16,77"), std::string::npos) << due[0].message.body;
  EXPECT_NE(due[0].message.body.find("non è certificabile"), std::string::npos) << "ANPR's reason, in words";
  EXPECT_TRUE(told(casale_, "certificate.refused").empty());
  EXPECT_TRUE(told(casale_, "certificate.issued").empty());
  // Another body's staff and another person do not reach it.
  EXPECT_FALSE(messaging::find_message(db(), asti_, due[0].id).has_value());
  EXPECT_FALSE(messaging::find_message_for_person(db(), kElisa, due[0].id).has_value());
  EXPECT_TRUE(messaging::find_message_for_person(db(), kDavide, due[0].id).has_value());
  EXPECT_TRUE(told(asti_, "certificate.refund_due").empty());
  auto refund = service_->refund_of(*done);
  ASSERT_TRUE(refund.has_value());
  EXPECT_EQ(refund->amount, 1677);
  EXPECT_EQ(refund->stamp, 1600);
  EXPECT_EQ(refund->fees, 77);
  EXPECT_EQ(refund->reason, "EC001");
  auto list = service_->refunds(&manager, casale_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().requester_cf, kDavide);
  EXPECT_EQ(service_->refunds(&asti_manager, casale_).error().http_status, 403);
  EXPECT_TRUE(service_->refunds(&manager, asti_).ok() == false);
  // Running the job again refunds nothing twice; the record is append-only.
  EXPECT_EQ(service_->issue(casale_, r->id)->state, State::refused);
  EXPECT_EQ(count("certificate_refunds"), 1);
  EXPECT_THROW(db().write([](db::Conn& c) { c.exec("UPDATE certificate_refunds SET amount_cents = 0"); }),
               std::exception);
  // The treasury pays it back: recorded once by the body's staff, with a value date and a reference.
  const std::string today = time::format_iso_date(time::rome_date(clock_.now()));
  EXPECT_EQ(service_->record_refund_paid(&op, casale_, r->id, today, "TRN 123").error().http_status, 403);
  EXPECT_EQ(service_->record_refund_paid(&asti_manager, casale_, r->id, today, "TRN 123").error().http_status,
            403);
  // Another body's staff under their own body: no such refund there (the wall, not a disclosure).
  EXPECT_EQ(service_->record_refund_paid(&asti_manager, asti_, r->id, today, "TRN 123").error().http_status,
            404);
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, today, "").error().field, "reference");
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, today, "TRN\n<b>").error().field,
            "reference");
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, "2026-13-01", "TRN 1").error().field,
            "paid_on");
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, "2099-01-01", "TRN 1").error().field,
            "paid_on");
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, "2020-01-01", "TRN 1").error().field,
            "paid_on");
  EXPECT_EQ(count("certificate_refund_payments"), 0);
  auto paid = service_->record_refund_paid(&manager, casale_, r->id, today, "  TRN 0306-9012/A  ");
  ASSERT_TRUE(paid.ok()) << paid.error().code;
  EXPECT_EQ(paid->paid_on, today);
  EXPECT_EQ(paid->paid_reference, "TRN 0306-9012/A");
  EXPECT_EQ(service_->refund_of(*done)->paid_on, today);
  EXPECT_EQ(service_->record_refund_paid(&manager, casale_, r->id, today, "TRN 2").error().http_status, 409);
  EXPECT_EQ(count("certificate_refund_payments"), 1);
  // Told once that it was paid, with the reference; refused attempts told nothing.
  auto refunded = told(casale_, "certificate.refund_paid");
  ASSERT_EQ(refunded.size(), 1u);
  EXPECT_EQ(refunded[0].message.person, kDavide);
  EXPECT_NE(refunded[0].message.body.find("TRN 0306-9012/A"), std::string::npos);
  EXPECT_NE(refunded[0].message.body.find("16,77"), std::string::npos);
  EXPECT_THROW(
      db().write([](db::Conn& c) { c.exec("UPDATE certificate_refund_payments SET reference = 'x'"); }),
      std::exception);
  // The body's chain has the request, the refusal, the fee change and the refund, in order.
  std::vector<std::string> actions;
  db().read([&](db::Conn& c) {
    for (const auto& row :
         c.query("SELECT action FROM audit_log WHERE tenant_id = $1 ORDER BY seq", {casale_}))
      if (row.text(0).starts_with("certificate.")) actions.push_back(row.text(0));
  });
  EXPECT_EQ(actions, (std::vector<std::string>{"certificate.fees", "certificate.request",
                                               "certificate.refuse", "certificate.refund_paid"}));
}

TEST_P(CertificatesTest, RefundsFeesAndAudit) {
  RefusedAfterPaymentIsARefundDueAndEveryStepIsAudited();
}

TEST_P(CertificatesTest, PaidOnlineAndTwoAttemptsAtOnce) {
  PaidOnlineTheReceiptIssuesTheCertificateOnceAndThePdfIsAnprsBytes();
  TwoAttemptsAtOnceMakeOneCertificate();
}

TEST_P(CertificatesTest, OnlineRulesAndExemptions) {
  OnlineOnlyTheHouseholdAndWhatAnprRefusesIsRefusedBeforePaying();
  ExemptionsAreTheTableInForceThatDayForTheChannel();
}

TEST_P(CertificatesTest, CounterAndOtherBodies) {
  TheCounterIssuesForAThirdPartyRecordedAsSuch();
  AnotherBodyOrPersonSeesNothing();
  AnprOverMutualTlsNeedsTheHubsCertificate();
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, CertificatesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         [](const ::testing::TestParamInfo<db::Dialect>& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::certificates
