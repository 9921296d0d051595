// Protocol messages between registry offices (docs/protocollo-interop.md): the signed segnatura checked
// against AgID's own schema (../shared/agid, by libxml2 and by xmllint), XAdES signatures made and
// verified with xmlsec, the exchange between members of the hub with its receipt confirmation, exception
// notices and annulments, the refusals (changed byte, wrong digest, unknown key), and the tenant walls.
#include "protocollo/interop.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "core/crypto/smime.hpp"
#include "core/digest.hpp"
#include "core/keys/key_ring.hpp"
#include "files/service.hpp"
#include "integration/protocollo_interop/interop_support.hpp"
#include "protocollo/segnatura.hpp"
#include "protocollo/xades.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::protocollo {
namespace {

using interop_testing::agid_dir;
using interop_testing::identity;
using interop_testing::xmllint_valid;

class InteropTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    keys_ = std::make_unique<sp::testing::TempDir>();
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = body(*hub, "asti", "Comune di Asti", "005005", "A479");
    casale_ = body(*hub, "casale-monferrato", "Comune di Casale Monferrato", "006039", "B885");
    novara_ = body(*hub, "novara", "Comune di Novara", "003106", "F952");
    files_ = std::make_unique<files::FileService>(db(), clock_);
    protocol_ = std::make_unique<ProtocolService>(db(), clock_, *files_);
    for (auto [tenant, code] : {std::pair{asti_, "c_a479"}, {casale_, "c_b885"}, {novara_, "c_f952"}}) {
      auto a = protocol_->create_aoo(tenant, code, code, std::string("Protocollo generale ") + code);
      ASSERT_TRUE(a.ok()) << a.error().code;
    }
    InteropOptions o;
    o.keys_dir = keys_->path().string();
    o.schema_dir = agid_dir();
    interop_ = std::make_unique<InteropService>(db(), clock_, sp::testing::locales(), *protocol_, *files_,
                                                *tenants_, o);
    protocol_->set_annul_listener([this](db::Conn& tx, tenants::TenantId t, const Entry& e,
                                         const Annulment& a) { interop_->on_annulled(tx, t, e, a); });
    for (const char* slug : {"asti", "casale-monferrato", "novara"}) {
      auto placed =
          keys::place_certificate(o.keys_dir, slug, identity(slug).key_pem, identity(slug).cert_pem);
      ASSERT_TRUE(placed.ok() && placed->signing(clock_.now()) != nullptr) << slug;
    }
    auto s = AgidSchemas::load(agid_dir());
    ASSERT_TRUE(s.ok()) << s.error().detail;
    schemas_ = *s;
    asti_op_ = staff(asti_, "asti-op");
    casale_op_ = staff(casale_, "casale-op");
    novara_op_ = staff(novara_, "novara-op");
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
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code);
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

  AooId aoo_of(tenants::TenantId t) { return protocol_->aoos(t).at(0).id; }

  // An entry of Asti's with its documents' bytes stored.
  std::string register_asti(Direction dir, std::vector<Correspondent> people, const std::string& subject,
                            const std::string& classification = "", bool attachment = true) {
    Registration r;
    r.entry.aoo_id = aoo_of(asti_);
    r.entry.direction = dir;
    r.entry.subject = subject;
    r.entry.correspondents = std::move(people);
    r.entry.classification = classification;
    r.entry.channel = Channel::pec;
    r.documents.push_back({DocumentRole::primary, "determina.pdf",
                           std::string("%PDF-1.4\n% determina\n%%EOF\n"), "application/pdf", "", 0,
                           "document"});
    if (attachment)
      r.documents.push_back({DocumentRole::attachment, "allegato.txt", std::string("Allegato A: elenco\n"),
                             "text/plain", "", 0, "attachments"});
    auto done = protocol_->register_with_documents(&asti_op_, asti_, r);
    EXPECT_TRUE(done.ok()) << done.error().code << " " << done.error().detail;
    return done.ok() ? done->registered.id : std::string();
  }

  static Correspondent casale_office() {
    Correspondent c{CorrespondentKind::body, "Comune di Casale Monferrato", "00633826060",
                    "protocollo@pec.comune.casale-monferrato.al.it", ""};
    c.ipa_code = "c_b885";
    c.aoo_code = "c_b885";
    return c;
  }

  std::string trusted() { return interop_->trusted_bundle(); }

  void expect_valid_segnatura(const std::string& xml) {
    auto st = schemas_->validate_segnatura(xml);
    EXPECT_TRUE(st.ok()) << st.error().detail << "\n" << xml;
    EXPECT_TRUE(xmllint_valid(xml, "segnatura_protocollo.xsd", keys_->path())) << xml;
  }
  void expect_valid_service_message(const std::string& xml) {
    auto st = schemas_->validate_service_message(xml);
    EXPECT_TRUE(st.ok()) << st.error().detail << "\n" << xml;
    EXPECT_TRUE(xmllint_valid(xml, "pec_message.xsd", keys_->path())) << xml;
  }

  std::int64_t count(const std::string& table) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM " + table)->i64(0); });
    return n;
  }

  db::Database& db() { return database_->db(); }

  time::TestClock clock_{std::chrono::floor<std::chrono::seconds>(time::system_clock().now())};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> keys_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<ProtocolService> protocol_;
  std::unique_ptr<InteropService> interop_;
  std::shared_ptr<const AgidSchemas> schemas_;
  tenants::TenantId asti_ = 0, casale_ = 0, novara_ = 0;
  identity::Principal asti_op_, casale_op_, novara_op_;
};

TEST_P(InteropTest, EverySegnaturaIsValidAgainstAgidsSchemaSignedAndTamperingShows) {
  // Full: a person with codice fiscale and PEC, classification, attachments; a business and a body with
  // their codes; minimal: a correspondent with a name only, no classification, one document.
  Correspondent person{CorrespondentKind::person, "Mario Rossi", "RSSMRA80A01H501U",
                       "mario.rossi@pec.example.it", "mario@example.it"};
  const auto full = register_asti(Direction::incoming, {person}, "Istanza di accesso agli atti", "6.3");
  Correspondent business{CorrespondentKind::business, "Edil Monferrato srl", "00743110157", "",
                         "info@edil.example"};
  const auto out =
      register_asti(Direction::outgoing, {casale_office(), business}, "Trasmissione determina", "1.2");
  const auto minimal = register_asti(Direction::incoming, {{CorrespondentKind::person, "Rossi", "", "", ""}},
                                     "Segnalazione", "", false);
  for (const auto& id : {full, out, minimal}) {
    auto xml = interop_->signed_segnatura(&asti_op_, asti_, id);
    ASSERT_TRUE(xml.ok()) << xml.error().code << " " << xml.error().detail;
    expect_valid_segnatura(*xml);
    EXPECT_NE(xml->find("Type=\"http://uri.etsi.org/01903#SignedProperties\""), std::string::npos);
    EXPECT_NE(xml->find("SigningCertificateV2"), std::string::npos);
    auto v = xades::verify_enveloped(*xml, trusted());
    ASSERT_TRUE(v.ok()) << v.error().code << " " << v.error().detail;
    EXPECT_EQ(v->signing_time, clock_.now());
    EXPECT_NE(v->signer_subject.find("Protocollo asti"), std::string::npos) << v->signer_subject;
  }

  // What the segnatura says reads back.
  auto xml = interop_->signed_segnatura(&asti_op_, asti_, full).value();
  auto read = read_segnatura(xml);
  ASSERT_TRUE(read.ok()) << read.error().detail;
  auto e = protocol_->get(&asti_op_, asti_, full).value();
  EXPECT_EQ(read->id, registration_id(e));
  EXPECT_EQ(read->subject, "Istanza di accesso agli atti");
  EXPECT_EQ(read->classification, "6.3");
  EXPECT_EQ(read->sender.name, "Mario Rossi");
  EXPECT_EQ(read->sender.fiscal_code, "RSSMRA80A01H501U");
  EXPECT_EQ(read->sender.pec, "mario.rossi@pec.example.it");
  ASSERT_EQ(read->documents.size(), 2u);
  EXPECT_EQ(read->documents[0].sha256_hex, e.documents[0].sha256);
  EXPECT_EQ(read->documents[1].sha256_hex, e.documents[1].sha256);
  auto outgoing = read_segnatura(interop_->signed_segnatura(&asti_op_, asti_, out).value()).value();
  ASSERT_EQ(outgoing.recipients.size(), 2u);
  EXPECT_EQ(outgoing.recipients[0].aoo_code, "c_b885");
  EXPECT_EQ(outgoing.sender.ipa_code, "c_a479");

  // A changed byte anywhere (the subject, the signing time) breaks the signature.
  auto tampered = xml;
  tampered.replace(tampered.find("Istanza di accesso"), 7, "Istanzo");
  EXPECT_EQ(xades::verify_enveloped(tampered, trusted()).error().code, "xades.signature");
  auto retimed = xml;
  const auto at = retimed.find("<xades:SigningTime>") + 19;
  retimed[at + 3] = retimed[at + 3] == '1' ? '2' : '1';
  EXPECT_EQ(xades::verify_enveloped(retimed, trusted()).error().code, "xades.signature");
  // A key the hub does not know.
  OwnOffice own{"Comune di Asti", "00743110157", "Protocollo generale", ""};
  auto unsigned_xml = segnatura_unsigned(e, own).value();
  auto foreign = xades::sign_enveloped(
      unsigned_xml, {identity("outsider").key_pem, identity("outsider").cert_pem}, clock_.now());
  ASSERT_TRUE(foreign.ok());
  expect_valid_segnatura(*foreign);
  EXPECT_EQ(xades::verify_enveloped(*foreign, trusted()).error().code, "xades.untrusted");
  EXPECT_EQ(xades::verify_enveloped(unsigned_xml, trusted()).error().code, "xades.missing");
  // Without the signature AgID's schema refuses it too.
  EXPECT_FALSE(schemas_->validate_segnatura(unsigned_xml).ok());

  // Another body's staff cannot have Asti's segnatura.
  EXPECT_FALSE(interop_->signed_segnatura(&novara_op_, asti_, full).ok());
  EXPECT_EQ(interop_->signed_segnatura(&novara_op_, novara_, full).error().code, "not_found");
}

TEST_P(InteropTest, HubMembersExchangeMessagesWithConfirmationAndAnnulmentOnBothSides) {
  const auto sent_id =
      register_asti(Direction::outgoing, {casale_office()}, "Trasmissione determina 12/2026", "1.2");
  auto sent = interop_->send(&asti_op_, asti_, sent_id);
  ASSERT_TRUE(sent.ok()) << sent.error().code << " " << sent.error().detail;
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_TRUE(sent->front().events.empty());  // no exception came back
  expect_valid_segnatura(sent->front().segnatura);
  // Sent once.
  EXPECT_EQ(interop_->send(&asti_op_, asti_, sent_id).error().code, "protocollo.interop_no_recipient");

  // Casale's queue: checked, with the documents stored in Casale's file store, prefilled.
  auto inbox = interop_->inbox(&casale_op_, casale_).value();
  ASSERT_EQ(inbox.size(), 1u);
  const auto& m = inbox.front();
  EXPECT_TRUE(m.check_code.empty()) << m.check_code << " " << m.check_detail;
  EXPECT_EQ(m.peer_aoo_code, "c_a479");
  ASSERT_EQ(m.files.size(), 2u);
  for (const auto& f : m.files) EXPECT_TRUE(files_->get(casale_, f.file_id).has_value());
  auto said = interop_->contents(m).value();
  EXPECT_EQ(said.subject, "Trasmissione determina 12/2026");
  EXPECT_EQ(said.sender.name, "Comune di Asti");
  EXPECT_EQ(said.sender.ipa_code, "c_a479");

  // Walls: Novara sees nothing; Asti cannot read Casale's row, nor Casale Asti's.
  EXPECT_TRUE(interop_->inbox(&novara_op_, novara_).value().empty());
  EXPECT_EQ(interop_->message(&novara_op_, novara_, m.id).error().code, "not_found");
  EXPECT_EQ(interop_->message(&asti_op_, asti_, m.id).error().code, "not_found");
  EXPECT_EQ(interop_->message(&casale_op_, casale_, sent->front().id).error().code, "not_found");
  EXPECT_FALSE(interop_->inbox(&asti_op_, casale_).ok());
  EXPECT_FALSE(interop_->register_message(&novara_op_, novara_, m.id, {"x", "", "", ""}).ok());
  EXPECT_FALSE(interop_->register_message(&asti_op_, casale_, m.id, {"x", "", "", ""}).ok());

  // Casale registers it: its own number, the sender's registration kept, the same documents.
  auto reg = interop_->register_message(&casale_op_, casale_, m.id, {said.subject, "6.1", "", "Segreteria"});
  ASSERT_TRUE(reg.ok()) << reg.error().code << " " << reg.error().detail;
  auto entry = protocol_->get(&casale_op_, casale_, reg->id).value();
  auto asti_entry = protocol_->get(&asti_op_, asti_, sent_id).value();
  EXPECT_EQ(entry.direction, Direction::incoming);
  EXPECT_EQ(entry.aoo_code, "c_b885");
  EXPECT_EQ(entry.sender_protocol_number, format_number(asti_entry.number));
  ASSERT_EQ(entry.documents.size(), 2u);
  EXPECT_EQ(entry.documents[0].sha256, asti_entry.documents[0].sha256);
  EXPECT_EQ(entry.correspondents.at(0).ipa_code, "c_a479");
  EXPECT_EQ(interop_->register_message(&casale_op_, casale_, m.id, {"x", "", "", ""}).error().code,
            "protocollo.message_state");

  // Asti sees the receipt confirmation, naming Casale's registration.
  auto ex = interop_->exchange_of(&asti_op_, asti_, sent_id).value();
  ASSERT_EQ(ex.size(), 1u);
  const auto* conf = ex.front().last(EventKind::confirmation);
  ASSERT_NE(conf, nullptr);
  EXPECT_FALSE(conf->outgoing);
  EXPECT_EQ(conf->number, format_number(entry.number));
  expect_valid_service_message(conf->xml);
  auto cr = read_service_message(conf->xml).value();
  EXPECT_EQ(cr.kind, ServiceMessageKind::conferma_ricezione);
  EXPECT_EQ(cr.received->number, format_number(asti_entry.number));

  // Asti annuls: AnnullamentoProtocollazione on both sides.
  ASSERT_TRUE(protocol_->annul(&asti_op_, asti_, sent_id, "Errore materiale", "Det. 13/2026").ok());
  auto theirs = interop_->exchange_of(&casale_op_, casale_, reg->id).value();
  ASSERT_EQ(theirs.size(), 1u);
  const auto* an = theirs.front().last(EventKind::annulment);
  ASSERT_NE(an, nullptr);
  EXPECT_FALSE(an->outgoing);
  EXPECT_EQ(an->reason, "Errore materiale");
  EXPECT_EQ(an->act, "Det. 13/2026");
  EXPECT_EQ(an->number, format_number(asti_entry.number));
  expect_valid_service_message(an->xml);
  const auto mine = interop_->exchange_of(&asti_op_, asti_, sent_id).value();
  const auto* ours = mine.front().last(EventKind::annulment);
  ASSERT_NE(ours, nullptr);
  EXPECT_TRUE(ours->outgoing);
  // An annulled entry is not sent again.
  EXPECT_EQ(interop_->send(&asti_op_, asti_, sent_id).error().code, "protocollo.interop_not_outgoing");

  // Legal records: never changed, never deleted.
  auto refused = [&](const std::string& sql) {
    EXPECT_ANY_THROW(db().write([&](db::Conn& c) { c.exec(sql); })) << sql;
  };
  refused("UPDATE protocol_messages SET subject = 'x'");
  refused("DELETE FROM protocol_messages");
  refused("UPDATE protocol_message_events SET reason = 'x'");
  refused("DELETE FROM protocol_message_events");
  refused("DELETE FROM protocol_message_files");
}

TEST_P(InteropTest, ArrivalsWithAChangedByteAWrongDigestOrAnUnknownKeyAreRefusedWithAnExceptionNotice) {
  const auto id =
      register_asti(Direction::outgoing, {casale_office()}, "Convocazione conferenza dei servizi");
  auto e = protocol_->get(&asti_op_, asti_, id).value();
  const auto good = interop_->signed_segnatura(&asti_op_, asti_, id).value();
  std::vector<WireFile> files;
  for (const auto& d : e.documents)
    files.push_back({d.file_name, d.mime_type, files_->read_content(asti_, d.file_id).value().value()});
  auto arrive = [&](const std::string& xml, std::vector<WireFile> with, const std::string& aoo = "c_b885") {
    Arrival a;
    a.admin_code = aoo;
    a.aoo_code = aoo;
    a.segnatura = xml;
    a.files = std::move(with);
    a.channel = "pec";
    auto r = interop_->receive(a);
    EXPECT_TRUE(r.ok()) << r.error().code;
    return r.ok() ? *r : Message{};
  };
  auto refused_with = [&](const Message& m, const std::string& code) {
    EXPECT_EQ(m.check_code, code) << m.check_detail;
    const auto* ex = m.last(EventKind::exception);
    ASSERT_NE(ex, nullptr) << code;
    EXPECT_TRUE(ex->outgoing);
    expect_valid_service_message(ex->xml);
    auto n = read_service_message(ex->xml).value();
    EXPECT_EQ(n.kind, ServiceMessageKind::notifica_eccezione);
    EXPECT_FALSE(n.reason.empty());
    EXPECT_TRUE(m.files.empty() || m.files.front().file_id.empty());
    // A refused message cannot be registered.
    const auto* op = m.tenant_id == casale_ ? &casale_op_ : &novara_op_;
    EXPECT_EQ(interop_->register_message(op, m.tenant_id, m.id, {"x", "", "", ""}).error().code,
              "protocollo.message_state");
  };

  // The good one is accepted (the baseline of the cases below).
  EXPECT_TRUE(arrive(good, files).check_code.empty());
  // A changed byte.
  auto tampered = good;
  tampered.replace(tampered.find("Convocazione"), 12, "Convocazioni");
  refused_with(arrive(tampered, files), "xades.signature");
  // A file whose digest differs from the segnatura's Impronta.
  auto changed = files;
  changed[0].bytes += " ";
  refused_with(arrive(good, changed), "segnatura.digest");
  auto missing = files;
  missing.pop_back();
  refused_with(arrive(good, missing), "segnatura.digest");
  // Signed by a key the hub does not know; signed by another member pretending to be Asti.
  const OwnOffice own{"Comune di Asti", "00743110157", "Protocollo generale", ""};
  const auto plain = segnatura_unsigned(e, own).value();
  auto outsider = xades::sign_enveloped(plain, {identity("outsider").key_pem, identity("outsider").cert_pem},
                                        clock_.now());
  refused_with(arrive(outsider.value(), files), "xades.untrusted");
  auto novara =
      xades::sign_enveloped(plain, {identity("novara").key_pem, identity("novara").cert_pem}, clock_.now());
  refused_with(arrive(novara.value(), files), "xades.untrusted");
  // Not AgID's schema (unsigned), not addressed to the office it reached.
  refused_with(arrive(plain, files), "segnatura.schema");
  refused_with(arrive(good, files, "c_f952"), "segnatura.not_addressed");
  EXPECT_EQ(interop_->inbox(&novara_op_, novara_).value().size(), 1u);  // Novara keeps its refusal, alone

  // An operator's refusal travels back to the sender through the hub.
  const auto second = register_asti(Direction::outgoing, {casale_office()}, "Richiesta parere");
  ASSERT_TRUE(interop_->send(&asti_op_, asti_, second).ok());
  std::string mid;
  const auto queue = interop_->inbox(&casale_op_, casale_).value();
  for (const auto& m : queue)
    if (m.subject == "Richiesta parere") mid = m.id;
  ASSERT_FALSE(mid.empty());
  EXPECT_EQ(interop_->refuse_message(&casale_op_, casale_, mid, " ").error().code,
            "protocollo.refusal_reason");
  EXPECT_FALSE(interop_->refuse_message(&novara_op_, novara_, mid, "non di competenza").ok());
  ASSERT_TRUE(interop_->refuse_message(&casale_op_, casale_, mid, "Non di competenza di questo ente").ok());
  auto back = interop_->exchange_of(&asti_op_, asti_, second).value();
  ASSERT_EQ(back.size(), 1u);
  const auto* ex = back.front().last(EventKind::exception);
  ASSERT_NE(ex, nullptr);
  EXPECT_FALSE(ex->outgoing);
  EXPECT_EQ(ex->reason, "Non di competenza di questo ente");
  expect_valid_service_message(ex->xml);
  EXPECT_EQ(count("protocol_entries WHERE tenant_id = " + std::to_string(casale_)), 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, InteropTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::protocollo
