// Protocol messages with an administration outside the hub (docs/protocollo-interop.md, "Outside the
// hub"), on both databases, against the simulated registry of another administration over the simulated
// PEC provider: an outgoing entry leaves by PEC through the outbox (Segnatura.xml and the documents,
// checked here against AgID's schema by libxml2 and by xmllint), reaches the registry, which checks it and
// answers with ConfermaRicezione, and the confirmation comes back onto the entry with the PEC delivery
// state; a message from the registry lands in Asti's queue, is registered and confirmed by PEC; a wrong
// digest, a changed byte or a signature by an unknown key are refused with a NotificaEccezione (valid
// against pec_message.xsd) that reaches the registry; the registry's annulment is recorded; nothing is
// read twice; and another body neither sees nor registers a message addressed to Asti.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/messaging/outbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "adapters/pec/sender.hpp"
#include "adapters/pec/simulator.hpp"
#include "core/crypto/smime.hpp"
#include "core/keys/key_ring.hpp"
#include "files/service.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "integration/protocollo_interop/interop_support.hpp"
#include "jobs/runner.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/interop_pec.hpp"
#include "protocollo/interop_soap.hpp"
#include "protocollo/registry_simulator.hpp"
#include "protocollo/segnatura.hpp"
#include "protocollo/wssec.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::protocollo {
namespace {

const std::string kDomain = "sportello.test";
const std::string kRegistryPec = "protocollo@pec.regione-simulata.example";

using interop_testing::agid_dir;
using interop_testing::identity;
using interop_testing::xmllint_valid;

class RegistryInteropTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    keys_ = std::make_unique<sp::testing::TempDir>();
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = body(*hub, "asti", "Comune di Asti", "005005", "A479");
    novara_ = body(*hub, "novara", "Comune di Novara", "003106", "F952");
    files_ = std::make_unique<files::FileService>(db(), clock_);
    protocol_ = std::make_unique<ProtocolService>(db(), clock_, *files_);
    for (auto [tenant, code] : {std::pair{asti_, "c_a479"}, {novara_, "c_f952"}}) {
      auto a = protocol_->create_aoo(tenant, code, code, std::string("Protocollo generale ") + code);
      ASSERT_TRUE(a.ok()) << a.error().code;
    }
    for (const char* slug : {"asti", "novara"}) {
      auto placed = keys::place_certificate(keys_->path().string(), slug, identity(slug).key_pem,
                                            identity(slug).cert_pem);
      ASSERT_TRUE(placed.ok()) << slug;
    }
    // The hub trusts the other administration's certificate as it would trust its CA.
    const auto ca_file = keys_->path() / "agid-trusted.pem";
    std::ofstream(ca_file) << identity("registry").cert_pem;
    InteropOptions o;
    o.keys_dir = keys_->path().string();
    o.schema_dir = agid_dir();
    o.trusted_ca_file = ca_file.string();
    interop_ = std::make_unique<InteropService>(db(), clock_, sp::testing::locales(), *protocol_, *files_,
                                                *tenants_, o);
    protocol_->set_annul_listener([this](db::Conn& tx, tenants::TenantId t, const Entry& e,
                                         const Annulment& a) { interop_->on_annulled(tx, t, e, a); });
    pec_.start();
    accounts_[asti_] = account("protocollo@pec.asti.example.it");
    accounts_[novara_] = account("protocollo@pec.novara.example.it");
    runner_ = std::make_unique<jobs::Runner>(db(), clock_);
    delivery_ = std::make_unique<messaging::Delivery>(messaging::DeliveryOptions{.clock = &clock_});
    auto sender = std::make_shared<pec::PecSender>(accounts_, kDomain, clock_);
    sender->set_attachments(
        [this](const messaging::StoredMessage& m) { return interop_->pec_attachments(m); });
    delivery_->set_sender(messaging::Channel::pec, sender);
    delivery_->register_with(*runner_);
    interop_->register_soap_job(*runner_);
    // The hub's SOAP endpoints, as the web layer mounts them (protocollo/interop_web.cpp).
    for (bool dest : {true, false}) {
      router_.post(
          std::string("/interop/soap/{ipa}/{aoo}/") + (dest ? "destinatario" : "mittente"),
          [this, dest](http::Request& r) {
            auto [status, body] =
                dest ? interop_->soap_destinatario(r.param("ipa"), r.param("aoo"), r.body, r.remote_addr)
                     : interop_->soap_mittente(r.param("ipa"), r.param("aoo"), r.body, r.remote_addr);
            http::Response out;
            out.status = status;
            out.content_type = "text/xml; charset=utf-8";
            out.body = std::move(body);
            return out;
          });
    }
    http::ServerOptions so;
    so.port = 0;
    so.threads = 2;
    so.access_log = false;
    hub_ = std::make_unique<http::Server>(so, router_);
    hub_->listen();
    hub_thread_ = std::thread([this] { hub_->run(); });
    // What callers sign as wsa:To; Asti lets the region's registry office call it (its certificate).
    interop_->set_soap_public_base(hub_base());
    auto peer =
        interop_->add_soap_peer(SystemActor{"test"}, asti_,
                                {"r_simul", "aoo_simul", "Regione Simulata", identity("registry").cert_pem});
    ASSERT_TRUE(peer.ok()) << peer.error().code;
    region_peer_ = peer->id;
    reader_ =
        std::make_unique<InteropPecReader>(db(), clock_, *interop_, accounts_, pec_.identity().cert_pem);
    receipts_ =
        std::make_unique<pec::ReceiptsReader>(db(), accounts_, pec_.identity().cert_pem, kDomain, clock_);
    RegistrySimulatorOptions ro;
    ro.pec_address = kRegistryPec;
    ro.smtp_url = pec_.smtp_url();
    ro.pop3_url = pec_.pop3_url();
    ro.pec_trusted_pem = pec_.identity().cert_pem;
    ro.trusted_pem = interop_->trusted_bundle();
    ro.schema_dir = agid_dir();
    ro.signer = {identity("registry").key_pem, identity("registry").cert_pem};
    ro.hub_soap_base = hub_base();
    registry_ = std::make_unique<RegistrySimulator>(ro);
    auto s = AgidSchemas::load(agid_dir());
    ASSERT_TRUE(s.ok());
    schemas_ = *s;
    asti_op_ = staff(asti_, "asti-op");
    novara_op_ = staff(novara_, "novara-op");
  }

  void TearDown() override {
    if (registry_) registry_->stop();
    if (hub_) hub_->stop(std::chrono::milliseconds(2000));
    if (hub_thread_.joinable()) hub_thread_.join();
  }

  std::string hub_base() const {
    return "http://127.0.0.1:" + std::to_string(hub_->port()) + "/interop/soap";
  }

  // The schema of a WSDL's types (importing AgID's schemas by absolute path), written once per run.
  std::string wsdl_schema(const std::string& wsdl) {
    std::ifstream in(agid_dir() + "/interfaces_SOAP/" + wsdl);
    std::stringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    const auto from = text.find("<xs:schema");
    const auto to = text.find("</xs:schema>");
    std::string schema = text.substr(from, to + 12 - from);
    schema = std::regex_replace(schema, std::regex("schemaLocation=\"\\.\\./"),
                                "schemaLocation=\"" + agid_dir() + "/");
    // The namespaces the WSDL declares on its root, which the schema's QNames use.
    schema.insert(10, " xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"");
    const auto file = keys_->path() / (wsdl + ".xsd");
    std::ofstream(file) << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" << schema;
    return file.string();
  }
  // The SOAP body's element is valid against the operation's WSDL schema (xmllint, AgID's files).
  void expect_valid_soap(const std::string& envelope, const std::string& wsdl) {
    auto body = soap::body_element(envelope);
    ASSERT_TRUE(body.ok()) << envelope;
    const auto file = keys_->path() / ("soap-" + std::to_string(std::rand()) + ".xml");
    std::ofstream(file) << *body;
    const std::string cmd =
        "xmllint --noout --schema '" + wsdl_schema(wsdl) + "' '" + file.string() + "' 2>&1";
    EXPECT_EQ(std::system((cmd + " > /dev/null").c_str()), 0) << *body;
  }

  pec::Account account(const std::string& address) {
    return pec::Account{address, pec_.smtp_url(), pec_.pop3_url(), address, "pec-sim"};
  }

  tenants::TenantId body(std::int64_t hub, const std::string& slug, const std::string& name,
                         const std::string& istat, const std::string& belfiore) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.belfiore_code = belfiore;
    b.fiscal_code = "00743110157";
    b.pec = "protocollo@pec." + slug + ".example.it";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  static identity::Principal staff(tenants::TenantId tenant, const std::string& id) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = id;
    p.display_name = id;
    p.tenant_id = tenant;
    p.roles = {identity::Role::operator_, identity::Role::office_manager};
    return p;
  }

  // Everything in flight travels: the outbox sends, the provider delivers and answers, the registry
  // answers, the provider delivers that, and both readers of Asti's and Novara's mailboxes read.
  void travel() {
    runner_->run_until_idle();
    pec_.process();
    auto answered = registry_->poll();
    ASSERT_TRUE(answered.ok()) << answered.error().code;
    pec_.process();
    reader_->read_all();
    receipts_->read_all();
  }

  std::string register_outgoing(const std::string& subject) {
    Correspondent region{CorrespondentKind::body, "Regione Simulata", "", kRegistryPec, ""};
    region.ipa_code = "r_simul";
    region.aoo_code = "aoo_simul";
    Registration r;
    r.entry.aoo_id = protocol_->aoos(asti_).at(0).id;
    r.entry.direction = Direction::outgoing;
    r.entry.subject = subject;
    r.entry.correspondents = {region};
    r.entry.channel = Channel::pec;
    r.documents.push_back({DocumentRole::primary, "determina.pdf",
                           std::string("%PDF-1.4\n% determina\n%%EOF\n"), "application/pdf", "", 0,
                           "document"});
    r.documents.push_back({DocumentRole::attachment, "allegato.txt", std::string("Allegato A: elenco\n"),
                           "text/plain", "", 0, "attachments"});
    auto done = protocol_->register_with_documents(&asti_op_, asti_, r);
    EXPECT_TRUE(done.ok()) << done.error().code << " " << done.error().detail;
    return done.ok() ? done->registered.id : std::string();
  }

  // An outgoing entry of Asti's for the region's office, reached by SOAP (its IPA codes, no PEC address).
  Result<Registered> register_for_soap(const std::string& subject) {
    Correspondent region{CorrespondentKind::body, "Regione Simulata", "", "", ""};
    region.ipa_code = "r_simul";
    region.aoo_code = "aoo_simul";
    Registration r;
    r.entry.aoo_id = protocol_->aoos(asti_).at(0).id;
    r.entry.direction = Direction::outgoing;
    r.entry.subject = subject;
    r.entry.correspondents = {region};
    r.entry.channel = Channel::pec;
    r.documents.push_back({DocumentRole::primary, "nota.pdf", std::string("%PDF-1.4\n% nota\n%%EOF\n"),
                           "application/pdf", "", 0, "document"});
    auto done = protocol_->register_with_documents(&asti_op_, asti_, r);
    if (!done) return done.error();
    return done->registered;
  }

  std::vector<WireFile> delibera() {
    return {{"delibera.pdf", "application/pdf", "%PDF-1.4\n% delibera di giunta\n%%EOF\n"},
            {"allegato-1.txt", "text/plain", "Allegato 1\n"}};
  }

  void expect_valid(const std::string& xml, const std::string& schema) {
    auto st = schema == "segnatura_protocollo.xsd" ? schemas_->validate_segnatura(xml)
                                                   : schemas_->validate_service_message(xml);
    EXPECT_TRUE(st.ok()) << st.error().detail << "\n" << xml;
    EXPECT_TRUE(xmllint_valid(xml, schema, keys_->path())) << xml;
  }

  db::Database& db() { return database_->db(); }

  time::TestClock clock_{std::chrono::floor<std::chrono::seconds>(time::system_clock().now())};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> keys_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<ProtocolService> protocol_;
  std::unique_ptr<InteropService> interop_;
  pec::PecSimulator pec_{{}};
  std::map<std::int64_t, pec::Account> accounts_;
  std::unique_ptr<jobs::Runner> runner_;
  std::unique_ptr<messaging::Delivery> delivery_;
  std::unique_ptr<InteropPecReader> reader_;
  std::unique_ptr<pec::ReceiptsReader> receipts_;
  http::Router router_;
  std::unique_ptr<http::Server> hub_;
  std::thread hub_thread_;
  std::unique_ptr<RegistrySimulator> registry_;
  std::shared_ptr<const AgidSchemas> schemas_;
  tenants::TenantId asti_ = 0, novara_ = 0;
  identity::Principal asti_op_, novara_op_;
  std::string region_peer_;
};

TEST_P(RegistryInteropTest, OutgoingByPecReachesTheRegistryAndItsConfirmationComesBackOntoTheEntry) {
  const auto entry = register_outgoing("Trasmissione determina alla Regione");
  auto sent = interop_->send(&asti_op_, asti_, entry);
  ASSERT_TRUE(sent.ok()) << sent.error().code << " " << sent.error().detail;
  ASSERT_EQ(sent->size(), 1u);
  const auto& m = sent->front();
  EXPECT_EQ(m.channel, "pec");
  EXPECT_EQ(m.peer_address, kRegistryPec);
  EXPECT_EQ(interop_->send(&asti_op_, asti_, entry).error().code, "protocollo.interop_no_recipient")
      << "sent once";

  runner_->run_until_idle();
  // What left is a PEC from Asti's address with Segnatura.xml (valid, signed) and the two documents.
  const auto submissions = pec_.submissions().messages();
  ASSERT_EQ(submissions.size(), 1u);
  EXPECT_EQ(submissions[0].mail_from, "protocollo@pec.asti.example.it");
  EXPECT_NE(submissions[0].header("Message-ID").find(m.id), std::string::npos)
      << "the outbox id: a repeat is the same";
  auto mail = pec::read_mail(submissions[0].data);
  ASSERT_TRUE(mail.ok());
  ASSERT_EQ(mail->files.size(), 3u);
  EXPECT_EQ(mail->files[0].file_name, "Segnatura.xml");
  expect_valid(mail->files[0].bytes, "segnatura_protocollo.xsd");
  EXPECT_EQ(mail->files[1].file_name, "determina.pdf");
  EXPECT_EQ(mail->files[2].bytes, "Allegato A: elenco\n");

  pec_.process();
  auto answered = registry_->poll();
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(*answered, 1);
  const auto got = registry_->received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].outcome, "registered");
  EXPECT_EQ(got[0].subject, "Trasmissione determina alla Regione");
  pec_.process();
  EXPECT_EQ(reader_->read_all().service, 1);
  receipts_->read_all();

  auto exchange = interop_->exchange_of(&asti_op_, asti_, entry);
  ASSERT_TRUE(exchange.ok());
  ASSERT_EQ(exchange->size(), 1u);
  const auto* confirmed = exchange->front().last(EventKind::confirmation);
  ASSERT_NE(confirmed, nullptr);
  EXPECT_EQ(confirmed->number, got[0].number);
  EXPECT_FALSE(confirmed->outgoing);
  expect_valid(confirmed->xml, "pec_message.xsd");
  // The PEC's own receipts: accepted and delivered to the registry's mailbox.
  EXPECT_EQ(messaging::find_message(db(), asti_, m.id)->status, "delivered");

  // Read again: nothing new is recorded; the registry got nothing twice.
  const auto again = reader_->read_all();
  EXPECT_EQ(again.fetched, 0);
  EXPECT_EQ(registry_->repeats(), 0);

  // Asti annuls the entry: AnnullamentoProtocollazione by PEC reaches the registry.
  auto annulled = protocol_->annul(&asti_op_, asti_, entry, "Errore materiale", "Determina n. 5/2026");
  ASSERT_TRUE(annulled.ok()) << annulled.error().code;
  travel();
  const auto service = registry_->service_messages();
  ASSERT_EQ(service.size(), 1u);
  EXPECT_NE(service[0].find("AnnullamentoProtocollazione"), std::string::npos);
  expect_valid(service[0], "pec_message.xsd");
}

TEST_P(RegistryInteropTest, IncomingFromTheRegistryIsRegisteredConfirmedOrRefusedWithAnException) {
  auto number = registry_->send("protocollo@pec.asti.example.it", "c_a479", "c_a479", "Trasmissione delibera",
                                delibera());
  ASSERT_TRUE(number.ok()) << number.error().code << " " << number.error().detail;
  for (auto how : {Misbehaviour::bad_digest, Misbehaviour::changed_byte, Misbehaviour::unknown_key}) {
    registry_->misbehave(how);
    ASSERT_TRUE(
        registry_
            ->send("protocollo@pec.asti.example.it", "c_a479", "c_a479", "Trasmissione delibera", delibera())
            .ok());
  }
  registry_->misbehave(Misbehaviour::none);
  // Addressed to Asti's office but delivered to Novara's mailbox: Novara refuses it, Asti never sees it.
  ASSERT_TRUE(
      registry_->send("protocollo@pec.novara.example.it", "c_a479", "c_a479", "Per Asti", delibera()).ok());
  pec_.process();
  const auto stats = reader_->read_all();
  EXPECT_EQ(stats.messages, 5);

  auto inbox = interop_->inbox(&asti_op_, asti_);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 4u);
  std::multiset<std::string> codes;
  Message good;
  for (const auto& m : *inbox) {
    EXPECT_EQ(m.channel, "pec");
    EXPECT_EQ(m.peer_address, kRegistryPec);
    codes.insert(m.check_code);
    if (m.check_code.empty()) good = m;
  }
  EXPECT_EQ(codes,
            (std::multiset<std::string>{"xades.untrusted", "xades.signature", "segnatura.digest", ""}));
  EXPECT_EQ(good.sender_number, *number);
  EXPECT_EQ(good.files.size(), 2u);

  // Novara: the one addressed to Asti is refused there; Asti's messages are not Novara's to see or register.
  auto novara_inbox = interop_->inbox(&novara_op_, novara_);
  ASSERT_TRUE(novara_inbox.ok());
  ASSERT_EQ(novara_inbox->size(), 1u);
  EXPECT_EQ(novara_inbox->front().check_code, "segnatura.not_addressed");
  EXPECT_EQ(interop_->message(&novara_op_, novara_, good.id).error().code, "not_found");
  EXPECT_EQ(interop_->message(&novara_op_, asti_, good.id).error().code, "forbidden");
  EXPECT_FALSE(interop_->register_message(&novara_op_, novara_, good.id, {"x", "", "", ""}).ok());
  EXPECT_FALSE(interop_->register_message(&novara_op_, asti_, good.id, {"x", "", "", ""}).ok());

  // Asti registers the good one (prefilled from the segnatura): ConfermaRicezione by PEC.
  auto said = interop_->contents(good);
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(said->subject, "Trasmissione delibera");
  auto reg = interop_->register_message(&asti_op_, asti_, good.id, {said->subject, "", "", ""});
  ASSERT_TRUE(reg.ok()) << reg.error().code << " " << reg.error().detail;
  travel();
  const auto service = registry_->service_messages();
  ASSERT_EQ(service.size(), 5u) << "three exceptions to the registry, Novara's, and the confirmation";
  int exceptions = 0, confirmations = 0;
  for (const auto& xml : service) {
    expect_valid(xml, "pec_message.xsd");
    exceptions += xml.find("NotificaEccezione") != std::string::npos ? 1 : 0;
    confirmations += xml.find("ConfermaRicezione") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(exceptions, 4);
  EXPECT_EQ(confirmations, 1);

  // The registry annuls its registration: recorded on Asti's message.
  ASSERT_TRUE(registry_->annul("protocollo@pec.asti.example.it", *number, "Inviato per errore").ok());
  pec_.process();
  EXPECT_EQ(reader_->read_all().service, 1);
  auto after = interop_->message(&asti_op_, asti_, good.id);
  ASSERT_TRUE(after.ok());
  const auto* annulment = after->last(EventKind::annulment);
  ASSERT_NE(annulment, nullptr);
  EXPECT_EQ(annulment->reason, "Inviato per errore");
  EXPECT_EQ(annulment->number, *number);
}

TEST_P(RegistryInteropTest, OverSoapBothWaysWithConfirmationsAnomaliesAnnulmentsAndTheTenantWalls) {
  const auto registry_base = registry_->start_soap();
  interop_->add_soap_endpoint("r_simul", "aoo_simul", registry_base);
  // Outgoing: the region's office publishes the SOAP interfaces: MessaggioInoltro by the job.
  auto done = register_for_soap("Trasmissione via SOAP");
  ASSERT_TRUE(done.ok());
  auto sent = interop_->send(&asti_op_, asti_, done->id);
  ASSERT_TRUE(sent.ok()) << sent.error().code << " " << sent.error().detail;
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ(sent->front().channel, "soap");
  runner_->run_until_idle();
  auto got = registry_->received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].channel, "soap");
  EXPECT_EQ(got[0].outcome, "registered");
  // What the hub sent, rebuilt from the message as the job builds it: valid against the WSDL's schema.
  auto request = soap::messaggio_inoltro(sent->front().segnatura, {{"nota.pdf", "application/pdf", "x"}});
  ASSERT_TRUE(request.ok());
  expect_valid_soap(*request, "protocollo-destinatario.wsdl");
  ASSERT_TRUE(registry_->poll().ok());  // sends its ConfermaMessaggioInoltro to the hub's endpoint
  auto exchange = interop_->exchange_of(&asti_op_, asti_, done->id);
  ASSERT_TRUE(exchange.ok());
  const auto* confirmed = exchange->front().last(EventKind::confirmation);
  ASSERT_NE(confirmed, nullptr);
  EXPECT_EQ(confirmed->number, got[0].number);
  expect_valid_soap(confirmed->xml, "protocollo-mittente.wsdl");

  // Incoming: the region's MessaggioInoltro to Asti's office; a wrong digest and an unknown key get the
  // WSDL's anomalies at once; addressed to Asti but posted to Novara's office, refused there.
  const auto asti_url = hub_base() + "/c_a479/c_a479/destinatario";
  auto in = registry_->send_soap(asti_url, "c_a479", "c_a479", "Delibera via SOAP", delibera());
  ASSERT_TRUE(in.ok()) << in.error().code;
  EXPECT_EQ(in->status, 200) << in->answer;
  expect_valid_soap(in->request, "protocollo-destinatario.wsdl");
  expect_valid_soap(in->answer, "protocollo-destinatario.wsdl");
  auto answer = soap::read_answer(in->answer);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->anomaly, "");
  EXPECT_EQ(answer->mittente.number, in->number);
  registry_->misbehave(Misbehaviour::bad_digest);
  auto digest = registry_->send_soap(asti_url, "c_a479", "c_a479", "Delibera via SOAP", delibera());
  registry_->misbehave(Misbehaviour::unknown_key);
  auto unknown = registry_->send_soap(asti_url, "c_a479", "c_a479", "Delibera via SOAP", delibera());
  registry_->misbehave(Misbehaviour::none);
  ASSERT_TRUE(digest.ok() && unknown.ok());
  EXPECT_EQ(soap::read_answer(digest->answer)->anomaly, "002_AnomaliaImpronte");
  EXPECT_EQ(soap::read_answer(unknown->answer)->anomaly, "001_ValidazioneFirma");
  auto wrong = registry_->send_soap(hub_base() + "/c_f952/c_f952/destinatario", "c_a479", "c_a479",
                                    "Per Asti", delibera());
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 500) << "not addressed to Novara's office: a Fault";
  auto inbox = interop_->inbox(&asti_op_, asti_);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 3u);
  Message good;
  for (const auto& m : *inbox)
    if (m.check_code.empty()) good = m;
  EXPECT_EQ(good.channel, "soap");
  EXPECT_TRUE(good.check_code.empty());
  EXPECT_EQ(interop_->message(&novara_op_, novara_, good.id).error().code, "not_found");
  // A confirmation posted to Novara's endpoint about Asti's message is refused, and changes nothing.
  const auto fake = soap::conferma_inoltro(
      {"c_a479", "c_a479", "PROTOCOLLO", sent->front().sender_number, sent->front().sender_date},
      RegistrationId{"r_simul", "aoo_simul", "PROTOCOLLO", "0009999", "2026-01-01"}, "", "");
  const auto novara_mittente = hub_base() + "/c_f952/c_f952/mittente";
  EXPECT_EQ(soap::call(novara_mittente, *registry_->sign_call(novara_mittente, fake))->status, 500);
  // Registered by Asti: ConfermaMessaggioInoltro to the region's ProtocolloMittente, by the job.
  auto reg = interop_->register_message(&asti_op_, asti_, good.id, {"Delibera via SOAP", "", "", ""});
  ASSERT_TRUE(reg.ok()) << reg.error().code;
  runner_->run_until_idle();
  const auto confirmations = registry_->soap_confirmations();
  ASSERT_EQ(confirmations.size(), 1u);
  expect_valid_soap(confirmations[0], "protocollo-mittente.wsdl");
  auto conf = soap::read_answer(confirmations[0]);
  ASSERT_TRUE(conf.ok() && conf->destinatario.has_value());
  EXPECT_EQ(conf->mittente.number, in->number);
  EXPECT_EQ(conf->destinatario->number, format_number(reg->number));

  // Annulments over SOAP, both ways. The region annuls the registration it sent (AnnullamentoInoltroMittente
  // on Asti's ProtocolloDestinatario): recorded once on the message; a repeat answers the same; the same
  // request at Novara's office is refused (Novara never registered the region's certificate) and changes
  // nothing.
  auto annul_in = registry_->annul_soap(asti_url, in->number, "Inviata per errore");
  ASSERT_TRUE(annul_in.ok()) << annul_in.error().code;
  EXPECT_EQ(annul_in->first, 200) << annul_in->second;
  expect_valid_soap(annul_in->second, "protocollo-destinatario.wsdl");
  EXPECT_EQ(soap::read_answer(annul_in->second)->anomaly, "");
  auto repeat = registry_->annul_soap(asti_url, in->number, "Inviata per errore");
  ASSERT_TRUE(repeat.ok());
  EXPECT_EQ(soap::read_answer(repeat->second)->anomaly, "");
  auto elsewhere = registry_->annul_soap(hub_base() + "/c_f952/c_f952/destinatario", in->number, "x");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->first, 500) << "Novara never registered the region's certificate";
  EXPECT_NE(elsewhere->second.find("non registrato"), std::string::npos) << elsewhere->second;
  auto annulled_in = interop_->message(&asti_op_, asti_, good.id);
  ASSERT_TRUE(annulled_in.ok());
  int annulments = 0;
  for (const auto& ev : annulled_in->events)
    if (ev.kind == EventKind::annulment) {
      ++annulments;
      EXPECT_FALSE(ev.outgoing);
      EXPECT_EQ(ev.reason, "Inviata per errore");
      EXPECT_EQ(ev.number, in->number);
    }
  EXPECT_EQ(annulments, 1) << "recorded once";
  // A receiver's annulment naming a registration other than the one it confirmed is not believed.
  const auto forged = soap::annullamento_destinatario(
      {"c_a479", "c_a479", "PROTOCOLLO", sent->front().sender_number, sent->front().sender_date},
      RegistrationId{"r_simul", "aoo_simul", "PROTOCOLLO", "0009999", "2026-01-01"}, "Atto", "Nota");
  const auto asti_mittente = hub_base() + "/c_a479/c_a479/mittente";
  EXPECT_NE(soap::call(asti_mittente, *registry_->sign_call(asti_mittente, forged))
                ->body.find("007_ErroreIdentificatoreNonTrovato"),
            std::string::npos);

  // Asti annuls the entry it sent (AnnullamentoInoltroMittente to the region's ProtocolloDestinatario) and
  // its registration of the region's message (AnnullamentoInoltroDestinatario to its ProtocolloMittente),
  // each by the job after the annulment's commit; both valid against the WSDLs and known to the region.
  ASSERT_TRUE(protocol_->annul(&asti_op_, asti_, done->id, "Errore materiale", "Determina n. 7/2026").ok());
  ASSERT_TRUE(
      protocol_->annul(&asti_op_, asti_, reg->id, "Registrata due volte", "Determina n. 8/2026").ok());
  runner_->run_until_idle();
  const auto theirs = registry_->soap_annulments();
  ASSERT_EQ(theirs.size(), 2u) << "each answered without anomaly and kept by the region";
  expect_valid_soap(theirs[0], "protocollo-destinatario.wsdl");
  expect_valid_soap(theirs[1], "protocollo-mittente.wsdl");
  auto by_asti = soap::read_answer(theirs[0]);
  ASSERT_TRUE(by_asti.ok());
  EXPECT_EQ(by_asti->operation, "RequestAnnullamentoInoltroMittente");
  EXPECT_EQ(by_asti->mittente.number, sent->front().sender_number);
  EXPECT_EQ(by_asti->destinatario->number, got[0].number);
  EXPECT_EQ(by_asti->note, "Errore materiale");
  EXPECT_EQ(by_asti->riferimento, "Determina n. 7/2026");
  auto of_reg = soap::read_answer(theirs[1]);
  ASSERT_TRUE(of_reg.ok());
  EXPECT_EQ(of_reg->operation, "RequestAnnullamentoInoltroDestinatario");
  EXPECT_EQ(of_reg->mittente.number, in->number);
  EXPECT_EQ(of_reg->destinatario->number, format_number(reg->number));
}

// ModI ID_AUTH_SOAP_02 (docs/protocollo-interop.md, "Who may call"): every call between the hub and the
// region's registry is signed by the calling office (WS-Security over Body, Timestamp, wsa:To and
// wsa:MessageID) and checked by the other side; xmlsec1's own command checks what the hub signed. A call
// unsigned, signed with a certificate Asti never registered, changed after signing, expired, addressed to
// another endpoint, repeated, or about an office the certificate is not registered for is refused with a
// Fault, records nothing, and leaves an inbound.refused entry in the body's audit chain; the certificate
// Asti trusts is not trusted by Novara. The trusted callers are kept by Asti's administrators (audited).
TEST_P(RegistryInteropTest, SoapCallsAreSignedByTheCallingOfficeAndCheckedByTheOtherSide) {
  const auto registry_base = registry_->start_soap();
  interop_->add_soap_endpoint("r_simul", "aoo_simul", registry_base);
  const auto asti_url = hub_base() + "/c_a479/c_a479/destinatario";
  const auto novara_url = hub_base() + "/c_f952/c_f952/destinatario";
  const xades::Signer region{identity("registry").key_pem, identity("registry").cert_pem};
  const auto inbox = [&](tenants::TenantId t, const identity::Principal& who) {
    auto in = interop_->inbox(&who, t);
    return in.ok() ? in->size() : 999u;
  };
  const auto refusals = [&](tenants::TenantId t) {
    std::vector<std::string> reasons;
    db().read([&](db::Conn& c) {
      for (const auto& r : c.query("SELECT details FROM audit_log WHERE tenant_id = $1 AND action = "
                                   "'inbound.refused' ORDER BY seq",
                                   {t}))
        reasons.push_back(std::string(boost::json::parse(r.text(0)).at("reason").as_string()));
    });
    return reasons;
  };
  const auto fault_says = [](const adapters::HttpResponse& r, const std::string& text) {
    return r.status == 500 && r.body.find("Fault") != std::string::npos &&
           r.body.find(text) != std::string::npos;
  };

  // The hub's own call: signed with Asti's key, accepted by the region, and valid for xmlsec1 too.
  auto done = register_for_soap("Firmata WS-Security");
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(interop_->send(&asti_op_, asti_, done->id).ok());
  runner_->run_until_idle();
  ASSERT_EQ(registry_->received().size(), 1u);
  EXPECT_EQ(registry_->received()[0].outcome, "registered");
  EXPECT_TRUE(registry_->soap_refusals().empty());
  const auto requests = registry_->soap_requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto dir = keys_->path();
  std::ofstream(dir / "asti.crt") << identity("asti").cert_pem;
  std::ofstream(dir / "signed.xml") << requests[0];
  std::string tampered = requests[0];
  tampered.replace(tampered.find("nota.pdf"), 8, "nota.PDF");
  std::ofstream(dir / "tampered.xml") << tampered;
  const auto xmlsec1 = [&](const std::string& file) {
    const std::string cmd = "xmlsec1 --verify --pubkey-cert-pem '" + (dir / "asti.crt").string() +
                            "' --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Body --id-attr:Id " +
                            wssec::kWsuNs + ":Timestamp --id-attr:Id " + wssec::kWsaNs + ":To --id-attr:Id " +
                            wssec::kWsaNs + ":MessageID '" + (dir / file).string() + "' > /dev/null 2>&1";
    return std::system(cmd.c_str());
  };
  EXPECT_EQ(xmlsec1("signed.xml"), 0) << requests[0];
  EXPECT_NE(xmlsec1("tampered.xml"), 0);
  // The region's confirmation comes back signed by it and is accepted.
  ASSERT_TRUE(registry_->poll().ok());
  auto exchange = interop_->exchange_of(&asti_op_, asti_, done->id);
  ASSERT_TRUE(exchange.ok());
  EXPECT_NE(exchange->front().last(EventKind::confirmation), nullptr);

  // A signed call from the region: accepted. The same bytes again: a replay.
  auto envelope = registry_->inoltro_envelope("c_a479", "c_a479", "Chiamata firmata", delibera());
  ASSERT_TRUE(envelope.ok());
  const auto signed_call = registry_->sign_call(asti_url, *envelope);
  ASSERT_TRUE(signed_call.ok());
  auto first = soap::call(asti_url, *signed_call);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(inbox(asti_, asti_op_), 1u);
  auto again = soap::call(asti_url, *signed_call);
  EXPECT_TRUE(fault_says(*again, "wsa:MessageID")) << again->body;

  // Refused, each recording nothing: unsigned; a certificate Asti never registered; a byte of the Body
  // changed after signing; a Timestamp expired; signed for Novara's endpoint; a confirmation about an
  // office the region's certificate is not registered for.
  auto other = registry_->inoltro_envelope("c_a479", "c_a479", "Chiamata respinta", delibera());
  ASSERT_TRUE(other.ok());
  const auto now = time::system_clock().now();
  auto unsigned_call = soap::call(asti_url, *other);
  EXPECT_TRUE(fault_says(*unsigned_call, "non firmata")) << unsigned_call->body;
  const auto& stranger = identity("stranger");
  auto wrong_cert =
      soap::call(asti_url, *wssec::sign(*other, {stranger.key_pem, stranger.cert_pem}, {asti_url, "", now}));
  EXPECT_TRUE(fault_says(*wrong_cert, "non registrato")) << wrong_cert->body;
  std::string changed = *registry_->sign_call(asti_url, *other);
  changed.replace(changed.find("Chiamata respinta"), 17, "Chiamata accolta!");
  auto tampered_call = soap::call(asti_url, changed);
  EXPECT_TRUE(fault_says(*tampered_call, "modificato dopo la firma")) << tampered_call->body;
  auto expired = soap::call(
      asti_url, *wssec::sign(*other, region,
                             {asti_url, "", now - std::chrono::minutes(20), std::chrono::seconds(300)}));
  EXPECT_TRUE(fault_says(*expired, "scaduto")) << expired->body;
  auto misdirected = soap::call(asti_url, *wssec::sign(*other, region, {novara_url, "", now}));
  EXPECT_TRUE(fault_says(*misdirected, "wsa:To")) << misdirected->body;
  const auto asti_mittente = hub_base() + "/c_a479/c_a479/mittente";
  const auto not_theirs = soap::conferma_inoltro(
      {"c_a479", "c_a479", "PROTOCOLLO", "0000001", "2026-01-01"},
      RegistrationId{"r_altra", "aoo_altra", "PROTOCOLLO", "0000007", "2026-01-01"}, "", "");
  auto impostor = soap::call(asti_mittente, *registry_->sign_call(asti_mittente, not_theirs));
  EXPECT_TRUE(fault_says(*impostor, "non è registrato per l'AOO")) << impostor->body;
  EXPECT_EQ(inbox(asti_, asti_op_), 1u) << "nothing of the refused calls is recorded";

  // Another body: the certificate Asti registered is not Novara's to trust.
  auto at_novara = registry_->send_soap(novara_url, "c_f952", "c_f952", "Per Novara", delibera());
  ASSERT_TRUE(at_novara.ok());
  EXPECT_EQ(at_novara->status, 500);
  EXPECT_NE(at_novara->answer.find("non registrato"), std::string::npos) << at_novara->answer;
  EXPECT_EQ(inbox(novara_, novara_op_), 0u);
  EXPECT_EQ(refusals(novara_), (std::vector<std::string>{"soap_auth.untrusted"}));
  EXPECT_EQ(refusals(asti_),
            (std::vector<std::string>{"soap_auth.replay", "soap_auth.unsigned", "soap_auth.untrusted",
                                      "soap_auth.signature", "soap_auth.expired", "soap_auth.to",
                                      "soap_auth.caller"}));

  // The trusted callers are the body administrators' to keep: an operator may not; Novara's
  // administrator neither sees nor removes Asti's; a member office, a bad certificate or the same one
  // twice are refused; removing the region's certificate makes its next call untrusted. All audited.
  identity::Principal asti_admin = staff(asti_, "asti-admin"), novara_admin = staff(novara_, "novara-admin");
  asti_admin.roles = {identity::Role::body_admin};
  novara_admin.roles = {identity::Role::body_admin};
  EXPECT_EQ(interop_->soap_peers(&asti_op_, asti_).error().code, "forbidden");
  EXPECT_EQ(interop_->soap_peers(&novara_admin, asti_).error().code, "forbidden");
  ASSERT_EQ(interop_->soap_peers(&asti_admin, asti_)->size(), 1u);
  EXPECT_TRUE(interop_->soap_peers(&novara_admin, novara_)->empty());
  EXPECT_EQ(interop_->remove_soap_peer(&novara_admin, novara_, region_peer_).error().code,
            "protocollo.soap_peer_gone");
  const auto& cert = identity("registry").cert_pem;
  EXPECT_EQ(interop_->add_soap_peer(&asti_admin, asti_, {"c_f952", "c_f952", "", cert}).error().code,
            "protocollo.soap_peer_member");
  EXPECT_EQ(interop_->add_soap_peer(&asti_admin, asti_, {"r_simul", "aoo simul", "", cert}).error().code,
            "protocollo.soap_peer_codes");
  EXPECT_EQ(interop_->add_soap_peer(&asti_admin, asti_, {"r_simul", "aoo_simul", "", "not a certificate"})
                .error()
                .code,
            "protocollo.soap_peer_certificate");
  EXPECT_EQ(interop_->add_soap_peer(&asti_admin, asti_, {"r_simul", "aoo_simul", "", cert}).error().code,
            "protocollo.soap_peer_exists");
  ASSERT_TRUE(interop_->remove_soap_peer(&asti_admin, asti_, region_peer_).ok());
  auto after = registry_->send_soap(asti_url, "c_a479", "c_a479", "Dopo la rimozione", delibera());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 500);
  EXPECT_EQ(inbox(asti_, asti_op_), 1u);
  std::vector<std::string> changes;
  db().read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT action FROM audit_log WHERE tenant_id = $1 AND action LIKE "
                                 "'protocollo.soap_peer_%' ORDER BY seq",
                                 {asti_}))
      changes.push_back(r.text(0));
  });
  EXPECT_EQ(changes,
            (std::vector<std::string>{"protocollo.soap_peer_added", "protocollo.soap_peer_removed"}));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, RegistryInteropTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::protocollo
