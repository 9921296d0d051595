// Protocol messages by PEC with another administration survive a SIGKILL (docs/protocollo-interop.md,
// "Outside the hub"): a batch of outgoing entries is sent to the simulated registry (each message written
// with its outbox row in the sending transaction), `sportello serve` starts delivering them through the
// simulated PEC provider and is killed with SIGKILL halfway; after the restart (the fake clock moves past
// the claims' lease) every message reaches the registry, which registers each exactly once (a repeat of
// the message a killed runner held between the provider's answer and its commit carries the same
// Message-ID and is recognised: at most one), and every ConfermaRicezione comes back onto its entry, read
// once from Asti's mailbox.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "adapters/pec/account.hpp"
#include "adapters/pec/simulator.hpp"
#include "core/config.hpp"
#include "core/crypto/smime.hpp"
#include "core/keys/key_ring.hpp"
#include "files/service.hpp"
#include "integration/protocollo_interop/interop_support.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/registry_simulator.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using namespace sp::protocollo;

constexpr int kMessages = 16;
const std::string kAstiPec = "protocollo@pec.asti.example.it";
const std::string kRegistryPec = "protocollo@pec.regione-simulata.example";

template <class F>
bool eventually_within(F f, std::chrono::milliseconds timeout = 90s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return f();
}

class RegistryCrashTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_file_ = dir_.path() / "clock";
    now_ = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    set_clock(now_);
    sp::pec::PecSimulatorOptions po;
    po.process_every = 100ms;
    pec_ = std::make_unique<sp::pec::PecSimulator>(po);
    pec_->start();
    keys_dir_ = (dir_.path() / "keys").string();
    const auto asti = sp::crypto::self_signed_identity("Protocollo asti", "Comune di Asti", 365);
    const auto region = sp::crypto::self_signed_identity("Protocollo regione", "Regione Simulata", 365);
    std::ofstream(dir_.path() / "pec-trusted.pem") << pec_->identity().cert_pem;
    std::ofstream(dir_.path() / "agid-trusted.pem") << region.cert_pem;
    RegistrySimulatorOptions ro;
    ro.pec_address = kRegistryPec;
    ro.smtp_url = pec_->smtp_url();
    ro.pop3_url = pec_->pop3_url();
    ro.pec_trusted_pem = pec_->identity().cert_pem;
    ro.trusted_pem = asti.cert_pem;
    ro.schema_dir = sp::protocollo::interop_testing::agid_dir();
    ro.signer = {region.key_pem, region.cert_pem};
    registry_ = std::make_unique<RegistrySimulator>(ro);
    seed(asti);
    registry_->start(100ms);
  }
  void TearDown() override {
    node_.reset();
    if (registry_) registry_->stop();
    if (db_) db_->close();
  }

  // Asti with its AOO, signing key and PEC account, and the batch sent (queued in the outbox) before the
  // server runs.
  void seed(const sp::crypto::SigningIdentity& asti_key) {
    db_ = sp::db::open(database_->url());
    sp::db::migrate(*db_, sp::testing::migrations_dir());
    sp::time::TestClock clock(now_);
    sp::tenants::TenantService tenants(*db_);
    auto hub = tenants.create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    sp::tenants::Body b;
    b.hub_id = *hub;
    b.slug = "asti";
    b.name = "Comune di Asti";
    b.fiscal_code = "00743110157";
    b.pec = kAstiPec;
    auto id = tenants.create_body(b);
    ASSERT_TRUE(id.ok());
    asti_ = *id;
    sp::files::FileService files(*db_, clock);
    ProtocolService protocol(*db_, clock, files);
    auto aoo = protocol.create_aoo(asti_, "c_a479", "c_a479", "Protocollo generale - Asti");
    ASSERT_TRUE(aoo.ok());
    ASSERT_TRUE(sp::keys::place_certificate(keys_dir_, "asti", asti_key.key_pem, asti_key.cert_pem).ok());
    ASSERT_TRUE(sp::pec::write_account(keys_dir_, "asti",
                                       {kAstiPec, pec_->smtp_url(), pec_->pop3_url(), kAstiPec, "pec-sim"})
                    .ok());
    InteropOptions o;
    o.keys_dir = keys_dir_;
    o.schema_dir = sp::protocollo::interop_testing::agid_dir();
    o.trusted_ca_file = (dir_.path() / "agid-trusted.pem").string();
    InteropService interop(*db_, clock, sp::testing::locales(), protocol, files, tenants, o);
    sp::identity::Principal op;
    op.kind = sp::identity::PrincipalKind::staff;
    op.subject = "asti-op";
    op.display_name = "asti-op";
    op.tenant_id = asti_;
    op.roles = {sp::identity::Role::operator_};
    Correspondent region{CorrespondentKind::body, "Regione Simulata", "", kRegistryPec, ""};
    region.ipa_code = "r_simul";
    region.aoo_code = "aoo_simul";
    for (int i = 0; i < kMessages; ++i) {
      Registration r;
      r.entry.aoo_id = aoo->id;
      r.entry.direction = Direction::outgoing;
      r.entry.subject = "Trasmissione n. " + std::to_string(i);
      r.entry.correspondents = {region};
      r.entry.channel = Channel::pec;
      r.documents.push_back({DocumentRole::primary, "nota.pdf",
                             "%PDF-1.4\n% nota " + std::to_string(i) + "\n%%EOF\n", "application/pdf", "", 0,
                             "document"});
      auto done = protocol.register_with_documents(&op, asti_, r);
      ASSERT_TRUE(done.ok()) << done.error().code;
      auto sent = interop.send(&op, asti_, done->registered.id);
      ASSERT_TRUE(sent.ok()) << sent.error().code << " " << sent.error().detail;
    }
  }

  void set_clock(sp::time::TimePoint t) {
    const auto tmp = dir_.path() / "clock.tmp";
    {
      std::ofstream out(tmp);
      out << sp::time::format_iso_utc(t) << "\n";
    }
    fs::rename(tmp, clock_file_);
  }

  std::unique_ptr<sp::testing::ServerProcess> start_node() {
    std::set<std::string> known;
    for (const auto& s : sp::config_settings()) known.insert(s.env);
    std::vector<std::string> env{
        "SPORTELLO_FAKE_CLOCK_FILE=" + clock_file_.string(),
        "SPORTELLO_AGID_SCHEMA_DIR=" + sp::protocollo::interop_testing::agid_dir(),
        "SPORTELLO_AGID_TRUSTED_CA_FILE=" + (dir_.path() / "agid-trusted.pem").string()};
    for (const auto& kv : std::vector<std::string>{
             "SPORTELLO_DATABASE=" + database_->url(), "SPORTELLO_PORT=0", "SPORTELLO_THREADS=2",
             "SPORTELLO_ACCESS_LOG=false", "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_DEMO=false",
             "SPORTELLO_SIM_IDP=false", "SPORTELLO_KEYS_DIR=" + keys_dir_,
             "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir_.path() / "rp.pem").string(),
             "SPORTELLO_AUDIT_KEY_FILE=" + (dir_.path() / "audit.key").string(),
             "SPORTELLO_AUDIT_ANCHOR_FILE=" + (dir_.path() / "anchors.jsonl").string(),
             "SPORTELLO_PEC_TRUSTED_CERTS=" + (dir_.path() / "pec-trusted.pem").string()}) {
      if (known.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    auto p = std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "serve"}, env);
    EXPECT_TRUE(p->wait_ready(60000)) << "the node did not become ready";
    return p;
  }

  // What Asti's account handed to the provider (the registry's answers go through it too).
  std::size_t sent_by_asti() const {
    std::size_t n = 0;
    for (const auto& m : pec_->submissions().messages()) n += m.mail_from == kAstiPec ? 1 : 0;
    return n;
  }

  std::int64_t confirmations() {
    std::int64_t n = 0;
    db_->read([&](sp::db::Conn& c) {
      n = c.query_one(
               "SELECT COUNT(*) FROM protocol_message_events WHERE tenant_id = $1 AND kind = "
               "'confirmation' AND direction = 'in'",
               {std::int64_t{asti_}})
              ->i64(0);
    });
    return n;
  }

  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::db::Database> db_;
  fs::path clock_file_;
  sp::time::TimePoint now_;
  std::string keys_dir_;
  std::unique_ptr<sp::pec::PecSimulator> pec_;
  std::unique_ptr<RegistrySimulator> registry_;
  sp::tenants::TenantId asti_ = 0;
  std::unique_ptr<sp::testing::ServerProcess> node_;
};

TEST_P(RegistryCrashTest, AfterASigkillEveryMessageIsRegisteredOnceAndEveryConfirmationComesBack) {
  node_ = start_node();
  // Killed while it sends: some messages at the provider, the rest queued or in flight.
  ASSERT_TRUE(pec_->submissions().wait_for(1, 60s));
  node_->kill_hard();
  const auto at_kill = sent_by_asti();
  EXPECT_LT(at_kill, static_cast<std::size_t>(kMessages)) << "killed halfway, not after the batch";
  // Back after the claims' lease; the periodic readers run as the clock moves a minute at a time.
  auto t = now_ + 10min;
  set_clock(t);
  node_ = start_node();
  ASSERT_TRUE(eventually_within([&] {
    if (confirmations() >= kMessages) return true;
    t += 1min;
    set_clock(t);
    return false;
  })) << "confirmed: "
      << confirmations() << ", registry received " << registry_->received().size();
  // Each message registered once by the registry; a repeat only of the one held at the kill.
  const auto got = registry_->received();
  std::set<std::string> subjects;
  for (const auto& r : got) {
    EXPECT_EQ(r.outcome, "registered") << r.subject;
    subjects.insert(r.subject);
  }
  EXPECT_EQ(got.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(subjects.size(), static_cast<std::size_t>(kMessages));
  EXPECT_LE(registry_->repeats(), 1);
  EXPECT_LE(sent_by_asti(), static_cast<std::size_t>(kMessages + 1))
      << "at most the one held at the kill again";
  // Every confirmation recorded once (the mailbox's messages are remembered with what they caused).
  EXPECT_EQ(confirmations(), kMessages);
}

// PostgreSQL only (the production database, where claims are FOR UPDATE SKIP LOCKED): a server start
// and a kill cost seconds, and the suite's time is counted (the outbox's own crash test covers SQLite).
INSTANTIATE_TEST_SUITE_P(Postgres, RegistryCrashTest, ::testing::Values(sp::db::Dialect::postgres),
                         [](const auto&) { return std::string("postgres"); });

}  // namespace
