// PEC receipts into the delivery states, on both databases: messages leave through each body's account at
// the simulated provider, stay `sending` until the receipts, and the pec.receipts reader (the job's work)
// records every receipt once (by the provider's identificativo) and moves the message: delivered, a
// delivery error / virus / non-acceptance a permanent failure followed by the fallback, a warning only
// recorded. A forged receipt, a duplicate and another body's message named in a body's mailbox change
// nothing; a body without a PEC account is a configuration error (dead, its fallback stands in) and a
// staff retry after that fallback is refused, the job's retry sends nothing twice.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "adapters/pec/mailbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "adapters/pec/sender.hpp"
#include "adapters/pec/simulator.hpp"
#include "jobs/store.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::messaging;
using namespace std::chrono_literals;
using sp::pec::Account;

constexpr std::int64_t kAsti = 1, kNovara = 2, kNoPec = 3;
const std::string kDomain = "sportello.test";

class PecReceiptsTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    sim_.start();
    sink_.start();
    accounts_[kAsti] = account("protocollo@pec.asti.example");
    accounts_[kNovara] = account("protocollo@pec.novara.example");
    runner_ = std::make_unique<sp::jobs::Runner>(db(), *clock_);
    delivery_ = std::make_unique<Delivery>(DeliveryOptions{.clock = clock_.get()});
    delivery_->set_sender(Channel::pec, std::make_shared<sp::pec::PecSender>(accounts_, kDomain, *clock_));
    delivery_->set_sender(Channel::email,
                          std::make_shared<EmailSender>(EmailOptions{.smtp_url = sink_.url()}, *clock_));
    delivery_->register_with(*runner_);
    reader_ = std::make_unique<sp::pec::ReceiptsReader>(db(), accounts_, sim_.identity().cert_pem, kDomain,
                                                        *clock_);
  }
  sp::db::Database& db() { return database_->db(); }
  Account account(const std::string& address) {
    return Account{address, sim_.smtp_url(), sim_.pop3_url(), address, "pec-sim"};
  }
  std::string send_pec(std::int64_t tenant, const std::string& to, bool with_fallback = false) {
    Message m{tenant, Channel::pec, to, "Comunicazione dei motivi ostativi", "Gentile cittadino, ..."};
    m.type = "case.grounds";
    if (with_fallback) m.fallbacks = {{Channel::email, "mario@example.org", "Comunicazione", "Testo"}};
    std::string id;
    db().write([&](sp::db::Conn& tx) {
      auto r = enqueue(tx, m, *clock_);
      ASSERT_TRUE(r.ok()) << r.error().code;
      id = *r;
    });
    return id;
  }
  std::string state(const std::string& id) { return find_message(db(), id)->status; }
  std::vector<std::string> kinds(std::int64_t tenant, const std::string& id) {
    std::vector<std::string> out;
    for (const auto& r : sp::pec::list_receipts(db(), tenant, id)) out.push_back(r.kind);
    return out;
  }
  // The raw messages of a mailbox, as the provider keeps them.
  std::vector<std::string> mailbox(const std::string& address) {
    sp::pec::Mailbox box({sim_.pop3_url(), address, "pec-sim"});
    std::vector<std::string> out;
    auto entries = box.list();
    EXPECT_TRUE(entries.ok());
    if (!entries.ok()) return out;
    for (const auto& e : *entries) out.push_back(*box.fetch(e.number));
    return out;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  sp::pec::PecSimulator sim_{{}};
  SmtpSink sink_;
  std::map<std::int64_t, Account> accounts_;
  std::unique_ptr<sp::jobs::Runner> runner_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<sp::pec::ReceiptsReader> reader_;
};

TEST_P(PecReceiptsTest, ReceiptsMoveEachMessageOnceAndAFailureFallsBack) {
  const auto delivered = send_pec(kAsti, "mario.rossi@pec.example");
  const auto no_dest = send_pec(kAsti, "inesistente@pec.example", /*with_fallback=*/true);
  const auto late = send_pec(kAsti, "ritardo@pec.example");
  const auto refused = send_pec(kAsti, "nonaccettato@pec.example");
  const auto virus = send_pec(kAsti, "virus@pec.example");
  const auto novara = send_pec(kNovara, "anna.bianchi@pec.example");
  runner_->run_until_idle();
  // Handed over: the provider's SMTP took them, the receipts will tell.
  for (const auto& id : {delivered, no_dest, late, refused, virus, novara}) {
    auto m = find_message(db(), id);
    EXPECT_EQ(m->status, "sending") << id;
    EXPECT_EQ(m->delivered_channel, "pec");
    auto attempts = list_attempts(db(), m->message.tenant_id, id);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0].outcome, "sending") << "open until a receipt closes it";
  }
  EXPECT_EQ(sink_.messages().size(), 0u) << "no fallback before a receipt says so";

  EXPECT_EQ(sim_.process(), 12) << "6 acceptances (one a non-acceptance), 5 delivery answers, 1 warning";
  auto stats = reader_->read_all();
  EXPECT_EQ(stats.fetched, 12);
  EXPECT_EQ(stats.recorded, 12);
  EXPECT_EQ(stats.refused, 0);
  EXPECT_EQ(stats.moved, 6);

  EXPECT_EQ(state(delivered), "delivered");
  EXPECT_EQ(kinds(kAsti, delivered), (std::vector<std::string>{"accettazione", "avvenuta-consegna"}));
  EXPECT_EQ(list_attempts(db(), kAsti, delivered)[0].outcome, "delivered");
  EXPECT_EQ(state(no_dest), "permanent_failure");
  EXPECT_NE(find_message(db(), no_dest)->last_error.find("no-dest"), std::string::npos);
  EXPECT_EQ(list_attempts(db(), kAsti, no_dest)[0].outcome, "bounced");
  EXPECT_EQ(state(late), "permanent_failure");
  EXPECT_EQ(kinds(kAsti, late),
            (std::vector<std::string>{"accettazione", "preavviso-errore-consegna", "errore-consegna"}));
  EXPECT_EQ(state(refused), "permanent_failure");
  EXPECT_EQ(kinds(kAsti, refused), (std::vector<std::string>{"non-accettazione"}));
  EXPECT_EQ(state(virus), "permanent_failure");
  EXPECT_EQ(state(novara), "delivered");
  EXPECT_EQ(kinds(kNovara, novara).size(), 2u);
  EXPECT_TRUE(kinds(kAsti, novara).empty()) << "one body's receipts are not listed for another";

  // The non-delivery's fallback is queued in the transaction of the receipt, and goes out by e-mail.
  const auto stand_in = fallback_for(db(), kAsti, no_dest);
  ASSERT_TRUE(stand_in.has_value());
  runner_->run_until_idle();
  EXPECT_EQ(state(*stand_in), "delivered");
  ASSERT_EQ(sink_.messages().size(), 1u);
  EXPECT_EQ(sink_.messages()[0].rcpt_to.at(0), "mario@example.org");

  // Read again: nothing new. The same receipt a second time in the mailbox (another UIDL): recorded once.
  stats = reader_->read_all();
  EXPECT_EQ(stats.fetched, 0);
  const auto asti_box = mailbox("protocollo@pec.asti.example");
  ASSERT_EQ(asti_box.size(), 10u);
  sim_.deliver("protocollo@pec.asti.example", asti_box[1]);
  stats = reader_->read_all();
  EXPECT_EQ(stats.fetched, 1);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.recorded, 0);
  EXPECT_EQ(kinds(kAsti, delivered).size(), 2u);

  // A receipt signed by someone else ("delivered" for the refused message) is not believed.
  sp::pec::Daticert fake;
  fake.kind = sp::pec::ReceiptKind::avvenuta_consegna;
  fake.mittente = "protocollo@pec.asti.example";
  fake.destinatari = {"nonaccettato@pec.example"};
  fake.oggetto = "Comunicazione";
  fake.gestore = "Gestore falso";
  fake.giorno = "23/11/2026";
  fake.ora = "11:00:00";
  fake.zona = "+0100";
  fake.identificativo = "forged-1@falso.example";
  fake.msgid = "<" + refused + "@" + kDomain + ">";
  const auto forger = sp::crypto::self_signed_identity("Gestore falso", "Falso", 30);
  sim_.deliver("protocollo@pec.asti.example",
               *sp::pec::write_receipt(fake, "posta-certificata@falso.example", fake.mittente, forger));
  // A genuine receipt naming Novara's message, in Asti's mailbox: recorded there, Novara's untouched.
  const auto novara_pending = send_pec(kNovara, "carla.verdi@pec.example");
  runner_->run_until_idle();
  auto cross = fake;
  cross.kind = sp::pec::ReceiptKind::errore_consegna;
  cross.errore = "no-dest";
  cross.identificativo = "opec-cross@pec.sim.example";
  cross.msgid = "<" + novara_pending + "@" + kDomain + ">";
  sim_.deliver(
      "protocollo@pec.asti.example",
      *sp::pec::write_receipt(cross, "posta-certificata@pec.sim.example", fake.mittente, sim_.identity()));
  stats = reader_->read_all();
  EXPECT_EQ(stats.refused, 1) << "the forged one";
  EXPECT_EQ(stats.recorded, 1) << "the cross-body one, about no message of Asti";
  EXPECT_EQ(stats.moved, 0);
  EXPECT_EQ(state(refused), "permanent_failure");
  EXPECT_EQ(state(novara_pending), "sending");
  EXPECT_TRUE(kinds(kNovara, novara_pending).empty());
  // Append-only: the database refuses to change or remove a receipt.
  EXPECT_ANY_THROW(
      db().write([&](sp::db::Conn& tx) { tx.exec("UPDATE pec_receipts SET kind = 'accettazione'"); }));
  EXPECT_ANY_THROW(db().write([&](sp::db::Conn& tx) { tx.exec("DELETE FROM pec_receipts"); }));
}

TEST_P(PecReceiptsTest, ABodyWithoutAnAccountIsAConfigurationErrorAndItsFallbackIsNeverDoubled) {
  const auto id = send_pec(kNoPec, "mario.rossi@pec.example", /*with_fallback=*/true);
  runner_->run_until_idle();
  auto m = find_message(db(), id);
  EXPECT_EQ(m->status, "dead") << "not the message's fault: waits for the operators, not retried";
  EXPECT_EQ(m->attempts, 1);
  EXPECT_NE(m->last_error.find("messaging.configuration"), std::string::npos) << m->last_error;
  const auto stand_in = fallback_for(db(), kNoPec, id);
  ASSERT_TRUE(stand_in.has_value());
  EXPECT_EQ(state(*stand_in), "delivered");
  ASSERT_EQ(sink_.messages().size(), 1u);

  // Staff cannot retry it: the e-mail went out. The jobs page's retry sends nothing either.
  auto retried = retry_message(db(), kNoPec, id, clock_->now());
  ASSERT_FALSE(retried.ok());
  EXPECT_EQ(retried.error().code, "messaging.fallen_back");
  EXPECT_EQ(retried.error().http_status, 409);
  db().write(
      [&](sp::db::Conn& tx) { EXPECT_TRUE(sp::jobs::requeue_dead(tx, kSendKind, id, clock_->now())); });
  runner_->run_until_idle();
  EXPECT_EQ(state(id), "dead");
  EXPECT_EQ(sink_.messages().size(), 1u);
  auto all = list_messages(db(), MessageQuery{.tenant_id = kNoPec});
  EXPECT_EQ(all.size(), 2u) << "one fallback, never a second";
}

// The provider never answers (its simulator is not told to process): after the acceptance timeout the
// message fails with its reason and its fallback goes out; one with an acceptance receipt keeps waiting, a
// body whose mailbox cannot be read fails nothing, and one body's sweep never touches another's message.
TEST_P(PecReceiptsTest, AMessageWithoutAcceptanceReceiptFailsAfterTheTimeoutAndFallsBack) {
  reader_->set_acceptance_timeout(30min);
  const auto answered = send_pec(kAsti, "mario@example.org");  // an ordinary mailbox: acceptance only
  runner_->run_until_idle();
  EXPECT_EQ(sim_.process(), 1);
  const auto silent = send_pec(kAsti, "silenzio@pec.example", /*with_fallback=*/true);
  const auto novara = send_pec(kNovara, "silenzio@pec.example", /*with_fallback=*/true);
  runner_->run_until_idle();

  clock_->advance(29min);
  EXPECT_EQ(reader_->read_all().expired, 0) << "not yet";
  EXPECT_EQ(state(silent), "sending");

  clock_->advance(2min);
  // A mailbox that cannot be read may hold the receipts: nothing of that body is failed.
  std::map<std::int64_t, Account> locked{{kNovara, accounts_[kNovara]}};
  locked[kNovara].password = "wrong";
  sp::pec::ReceiptsReader blind(db(), locked, sim_.identity().cert_pem, kDomain, *clock_);
  blind.set_acceptance_timeout(30min);
  const auto blind_stats = blind.read_all();
  EXPECT_EQ(blind_stats.failed_mailboxes, 1);
  EXPECT_EQ(blind_stats.expired, 0);
  EXPECT_EQ(state(novara), "sending");
  // Novara's sweep fails Novara's message only.
  EXPECT_EQ(reader_->expire_unanswered(kNovara), 1);
  EXPECT_EQ(state(novara), "permanent_failure");
  EXPECT_EQ(state(silent), "sending") << "another body's message is not touched";

  const auto stats = reader_->read_all();
  EXPECT_EQ(stats.expired, 1);
  EXPECT_EQ(state(silent), "permanent_failure");
  EXPECT_NE(find_message(db(), silent)->last_error.find("pec.no_acceptance"), std::string::npos);
  EXPECT_EQ(list_attempts(db(), kAsti, silent)[0].outcome, "permanent_failure");
  EXPECT_EQ(state(answered), "sending") << "accepted by the provider: it waits for the delivery receipt";
  const auto stand_in = fallback_for(db(), kAsti, silent);
  ASSERT_TRUE(stand_in.has_value());
  runner_->run_until_idle();
  EXPECT_EQ(state(*stand_in), "delivered");
  EXPECT_EQ(sink_.messages().size(), 2u) << "the two fallbacks, by e-mail";

  // The provider wakes up late: its receipts are recorded, the failure and its one fallback stand.
  sim_.process();
  reader_->read_all();
  EXPECT_EQ(state(silent), "permanent_failure");
  EXPECT_EQ(reader_->read_all().expired, 0);
  runner_->run_until_idle();
  EXPECT_EQ(sink_.messages().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PecReceiptsTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
