// PEC receipts: what the simulator writes is what a provider sends (daticert.xml valid against the rules'
// DTD, S/MIME signed), and the reader accepts only a receipt whose signature holds and whose headers agree
// with the signed data.
#include "adapters/pec/receipt.hpp"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/valid.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/pec/account.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "support/testing.hpp"

namespace sp::pec {
namespace {

const crypto::SigningIdentity& provider() {
  static const auto id = crypto::self_signed_identity("Gestore PEC di prova", "Sportello simulatore", 30);
  return id;
}

Daticert delivery() {
  Daticert d;
  d.kind = ReceiptKind::avvenuta_consegna;
  d.mittente = "protocollo@pec.comune.asti.example";
  d.destinatari = {"mario.rossi@pec.example"};
  d.oggetto = "Comunicazione dei motivi ostativi — pratica 42";
  d.gestore = "Gestore PEC di prova";
  d.giorno = "05/12/2026";
  d.ora = "10:15:02";
  d.zona = "+0100";
  d.identificativo = "opec-20261205-0001@pec.sim.example";
  d.msgid = "<outbox-0193a@sportello.example>";
  d.ricevuta = "completa";
  d.consegna = "mario.rossi@pec.example";
  return d;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool valid_against_dtd(const std::string& xml) {
  xmlDtdPtr dtd = xmlParseDTD(nullptr, reinterpret_cast<const xmlChar*>(
                                           (sp::testing::source_dir() + "/data/pec/daticert.dtd").c_str()));
  xmlDocPtr doc =
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "daticert.xml", nullptr, XML_PARSE_NONET);
  xmlValidCtxtPtr ctx = xmlNewValidCtxt();
  const bool ok = dtd && doc && xmlValidateDtd(ctx, doc, dtd) == 1;
  xmlFreeValidCtxt(ctx);
  if (doc) xmlFreeDoc(doc);
  if (dtd) xmlFreeDtd(dtd);
  return ok;
}

TEST(PecReceipt, DaticertWrittenByTheSimulatorIsValidAgainstTheRulesDtdAndReadsBack) {
  for (auto kind :
       {ReceiptKind::accettazione, ReceiptKind::avvenuta_consegna, ReceiptKind::errore_consegna}) {
    auto d = delivery();
    d.kind = kind;
    if (kind == ReceiptKind::errore_consegna) {
      d.errore = "no-dest";
      d.errore_esteso = "5.1.1 - Utente non esistente";
    }
    const auto xml = daticert_xml(d);
    EXPECT_TRUE(valid_against_dtd(xml)) << xml;
    auto back = parse_daticert(xml);
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_EQ(back->kind, kind);
    EXPECT_EQ(back->msgid, d.msgid);
    EXPECT_EQ(back->oggetto, d.oggetto);
    EXPECT_EQ(back->errore, d.errore);
  }
  EXPECT_FALSE(parse_daticert("<postacert tipo=\"consegnata\"><intestazione/><dati/></postacert>").ok());
  EXPECT_FALSE(parse_daticert("<postacert tipo=\"avvenuta-consegna\" errore=\"boh\"/>").ok());
  EXPECT_FALSE(parse_daticert("not xml").ok());
}

TEST(PecReceipt, ASignedReceiptIsReadOnlyWhenTheSignatureHoldsAndTheHeadersAgree) {
  auto eml = write_receipt(delivery(), "posta-certificata@pec.sim.example",
                           "protocollo@pec.comune.asti.example", provider());
  ASSERT_TRUE(eml.ok());
  EXPECT_NE(eml->find("X-Ricevuta: avvenuta-consegna\r\n"), std::string::npos);
  EXPECT_NE(eml->find("multipart/signed"), std::string::npos);
  EXPECT_NE(eml->find("Subject: =?"), std::string::npos) << "the non-ASCII subject is RFC 2047 encoded";

  auto r = read_receipt(*eml, provider().cert_pem);
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->data.kind, ReceiptKind::avvenuta_consegna);
  EXPECT_EQ(outcome_of(r->data.kind), Outcome::delivered);
  EXPECT_EQ(r->references, "<outbox-0193a@sportello.example>");
  EXPECT_NE(r->signer_subject.find("Gestore PEC di prova"), std::string::npos);

  // Another provider's certificate is not trusted.
  const auto other = crypto::self_signed_identity("Altro gestore", "Altro", 30);
  auto untrusted = read_receipt(*eml, other.cert_pem);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code, "smime.signature");

  // One character of the signed part changed (inside the base64 of daticert.xml): the signature fails.
  std::string altered = *eml;
  const auto at = altered.find("filename=\"daticert.xml\"");
  ASSERT_NE(at, std::string::npos);
  const auto body = altered.find("\r\n\r\n", at) + 4;
  altered[body + 10] = altered[body + 10] == 'A' ? 'B' : 'A';
  auto bad = read_receipt(altered, provider().cert_pem);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "smime.signature");

  // The headers sit outside the signature: one that disagrees with daticert.xml is refused.
  std::string lying = *eml;
  lying.replace(lying.find("X-Ricevuta: avvenuta-consegna"), 29, "X-Ricevuta: accettazione     ");
  auto mismatch = read_receipt(lying, provider().cert_pem);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, "pec.mismatch");

  EXPECT_EQ(read_receipt("From: a@b\r\n\r\nhello\r\n", provider().cert_pem).error().code, "smime.format");
}

TEST(PecReceipt, EveryKindMapsToWhatItMeansForTheMessage) {
  EXPECT_EQ(outcome_of(ReceiptKind::accettazione), Outcome::accepted);
  EXPECT_EQ(outcome_of(ReceiptKind::non_accettazione), Outcome::not_accepted);
  EXPECT_EQ(outcome_of(ReceiptKind::errore_consegna), Outcome::delivery_failed);
  EXPECT_EQ(outcome_of(ReceiptKind::rilevazione_virus), Outcome::delivery_failed);
  EXPECT_EQ(outcome_of(ReceiptKind::preavviso_errore_consegna), Outcome::delivery_warning);
  EXPECT_EQ(outcome_of(ReceiptKind::posta_certificata), Outcome::none);
  for (auto name : {"accettazione", "non-accettazione", "presa-in-carico", "avvenuta-consegna",
                    "posta-certificata", "errore-consegna", "preavviso-errore-consegna", "rilevazione-virus"})
    EXPECT_EQ(to_string(*parse_receipt_kind(name)), name);
}

// A receipt names the hub's message by its Message-ID: only "<uuid@the hub's domain>" maps to an outbox id.
TEST(PecReceipt, OnlyTheHubsOwnMessageIdsMapToAnOutboxMessage) {
  const std::string id = "0193a6f0-1c2d-7e3f-8a9b-0c1d2e3f4a5b";
  EXPECT_EQ(outbox_id_of("<" + id + "@sportello.example>", "sportello.example"), id);
  EXPECT_EQ(outbox_id_of("<" + id + "@other.example>", "sportello.example"), "");
  EXPECT_EQ(outbox_id_of(id + "@sportello.example", "sportello.example"), "") << "without <>";
  EXPECT_EQ(outbox_id_of("<x' OR 1=1@sportello.example>", "sportello.example"), "");
  EXPECT_EQ(outbox_id_of("<@sportello.example>", "sportello.example"), "");
}

// A body's PEC account: read from its key folder, refused when readable by others or incomplete.
TEST(PecAccount, IsReadFromTheBodysKeyFolderAndCheckedFirst) {
  sp::testing::TempDir dir;
  const auto keys = dir.path().string();
  EXPECT_FALSE(read_account(keys, "asti")->has_value()) << "no file: no PEC";
  Account a{"protocollo@pec.asti.example", "smtps://smtp.pec.example:465", "pop3s://pop3.pec.example:995", "",
            "s3cret"};
  ASSERT_TRUE(write_account(keys, "asti", a).ok());
  auto read = read_account(keys, "asti");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->user, "protocollo@pec.asti.example") << "the address when no user is given";
  EXPECT_EQ((*read)->pop3_url, "pop3s://pop3.pec.example:995");
  std::filesystem::permissions(account_path(keys, "asti"), std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_NE(read_account(keys, "asti").error().detail.find("chmod 600"), std::string::npos);
  {
    std::ofstream out(account_path(keys, "asti"), std::ios::trunc);
    out << "address=protocollo@pec.asti.example\nsmtp=http://x\npop3=pop3s://p\npassword=x\n";
  }
  std::filesystem::permissions(account_path(keys, "asti"),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  EXPECT_NE(read_account(keys, "asti").error().detail.find("smtp"), std::string::npos);
  {
    std::ofstream out(account_path(keys, "asti"), std::ios::trunc);
    out << "adress=x\n";
  }
  EXPECT_NE(read_account(keys, "asti").error().detail.find("unknown setting 'adress'"), std::string::npos);
  EXPECT_EQ(read_account(keys, "../etc").error().code, "pec.account");
}

}  // namespace
}  // namespace sp::pec
