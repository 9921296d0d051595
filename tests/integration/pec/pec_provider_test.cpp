// The PEC channel's other side: a message sent through the hub's e-mail adapter to the simulated PEC
// provider comes back as signed receipts in the sender's mailbox, read over POP3 with libcurl and
// verified against the provider's certificate; recipients choose delivery, delivery error or virus.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/messaging/email.hpp"
#include "adapters/pec/mailbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "adapters/pec/simulator.hpp"

namespace sp::pec {
namespace {

const std::string kBody = "protocollo@pec.comune.asti.example";

messaging::StoredMessage pec_to(const std::string& id, std::vector<std::string> recipients) {
  messaging::StoredMessage m;
  m.id = id;
  m.message.channel = messaging::Channel::pec;
  m.message.recipient = recipients.front();
  m.message.subject = "Comunicazione dei motivi ostativi — pratica " + id;
  m.message.body = "Gentile cittadino, ...";
  return m;
}

std::vector<Receipt> read_all(PecSimulator& sim, const std::string& password = "pec-sim") {
  Mailbox box({sim.pop3_url(), kBody, password});
  auto entries = box.list();
  EXPECT_TRUE(entries.ok()) << (entries.ok() ? "" : entries.error().detail);
  std::vector<Receipt> out;
  if (!entries.ok()) return out;
  for (const auto& e : *entries) {
    auto raw = box.fetch(e.number);
    EXPECT_TRUE(raw.ok());
    if (!raw.ok()) continue;
    auto r = read_receipt(*raw, sim.identity().cert_pem);
    EXPECT_TRUE(r.ok()) << e.uid << ": " << (r.ok() ? "" : r.error().code);
    if (r.ok()) out.push_back(std::move(*r));
  }
  return out;
}

TEST(PecProvider, AcceptanceThenDeliveryOrTheErrorEachRecipientAsks) {
  PecSimulator sim({});
  sim.start();
  messaging::EmailOptions o;
  o.smtp_url = sim.smtp_url();
  o.from_address = kBody;
  o.message_id_domain = "sportello.example";
  messaging::EmailSender sender(o);
  ASSERT_TRUE(sender.send(pec_to("m1", {"mario.rossi@pec.example"})).ok());
  ASSERT_TRUE(sender.send(pec_to("m2", {"inesistente@pec.example"})).ok());
  ASSERT_TRUE(sender.send(pec_to("m3", {"virus@pec.example"})).ok());
  ASSERT_TRUE(sender.send(pec_to("m4", {"nonaccettato@pec.example"})).ok());
  EXPECT_EQ(sim.process(), 7) << "three acceptances with their delivery answers, one non-acceptance";
  EXPECT_EQ(sim.process(), 0) << "answered once";

  const auto receipts = read_all(sim);
  ASSERT_EQ(receipts.size(), 7u);
  const auto about = [&](const std::string& id, ReceiptKind kind) {
    return std::count_if(receipts.begin(), receipts.end(), [&](const Receipt& r) {
      return r.data.msgid == "<" + id + "@sportello.example>" && r.data.kind == kind;
    });
  };
  EXPECT_EQ(about("m1", ReceiptKind::accettazione), 1);
  EXPECT_EQ(about("m1", ReceiptKind::avvenuta_consegna), 1);
  EXPECT_EQ(about("m2", ReceiptKind::errore_consegna), 1);
  EXPECT_EQ(about("m3", ReceiptKind::rilevazione_virus), 1);
  EXPECT_EQ(about("m4", ReceiptKind::non_accettazione), 1);
  EXPECT_EQ(about("m4", ReceiptKind::avvenuta_consegna), 0);
  for (const auto& r : receipts) {
    EXPECT_EQ(r.references, r.data.msgid);
    EXPECT_NE(r.data.oggetto.find("motivi ostativi"), std::string::npos) << "the subject, decoded";
  }
}

TEST(PecProvider, AForgedReceiptInTheMailboxIsNotBelievedAndAWrongPasswordReadsNothing) {
  PecSimulator sim({});
  sim.start();
  Daticert fake;
  fake.kind = ReceiptKind::avvenuta_consegna;
  fake.mittente = kBody;
  fake.destinatari = {"mario.rossi@pec.example"};
  fake.oggetto = "Comunicazione";
  fake.gestore = "Gestore falso";
  fake.giorno = "05/12/2026";
  fake.ora = "10:00:00";
  fake.zona = "+0100";
  fake.identificativo = "forged@example";
  fake.msgid = "<m9@sportello.example>";
  const auto forger = crypto::self_signed_identity("Gestore falso", "Falso", 30);
  sim.deliver(kBody, *write_receipt(fake, "posta-certificata@falso.example", kBody, forger));

  Mailbox box({sim.pop3_url(), kBody, "pec-sim"});
  auto entries = box.list();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  auto raw = box.fetch(entries->front().number);
  ASSERT_TRUE(raw.ok());
  auto r = read_receipt(*raw, sim.identity().cert_pem);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "smime.signature");

  Mailbox wrong({sim.pop3_url(), kBody, "not-the-password"});
  auto refused = wrong.list();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "pec.mailbox");
}

}  // namespace
}  // namespace sp::pec
