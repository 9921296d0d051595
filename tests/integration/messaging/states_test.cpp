// The outbox's delivery states on both databases: each attempt recorded (channel, times, outcome, the
// other side's id), temporary failures back to sending, delivery reports (duplicates change nothing,
// the late bounce after "delivered"), staff cancelling and retrying, a runner dying mid-send, and every
// read and staff action scoped to the body (cross-tenant) or to the person.
#include <gtest/gtest.h>

#include <deque>

#include "adapters/messaging/outbox.hpp"
#include "jobs/store.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::messaging;
using namespace std::chrono_literals;

// A channel whose answers the test scripts: ok (with a provider id), a transient error, a refusal, or a
// "crash" (LostClaim: the runner stops as if killed, writing nothing).
class ScriptedSender final : public Sender {
 public:
  enum class Answer { ok, transient, refuse, crash };
  std::deque<Answer> script;
  int calls = 0;
  std::map<std::string, int> per_message;
  sp::Status send(const StoredMessage&) override { return sp::Ok{}; }
  sp::Result<Delivered> deliver(const StoredMessage& m) override {
    ++calls;
    ++per_message[m.id];
    auto a = script.empty() ? Answer::ok : script.front();
    if (!script.empty()) script.pop_front();
    switch (a) {
      case Answer::ok:
        return Delivered{"", "prov-" + std::to_string(calls)};
      case Answer::transient:
        return sp::Error::make("messaging.sms", 503, "gateway 503");
      case Answer::refuse:
        return sp::Error::make("messaging.rejected", 502, "400 invalid number");
      case Answer::crash:
        throw sp::jobs::LostClaim(0);
    }
    return Delivered{};
  }
};

class MessagingStatesTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    DeliveryOptions o;
    o.max_attempts = 3;
    o.base_backoff = 30s;
    o.lease = 60s;
    o.clock = clock_.get();
    delivery_ = std::make_unique<Delivery>(o);
    sender_ = std::make_shared<ScriptedSender>();
    delivery_->set_sender(Channel::sms, sender_);
    delivery_->set_sender(Channel::email, sender_);
    runner_ = std::make_unique<sp::jobs::Runner>(db(), *clock_);
    delivery_->register_with(*runner_);
  }
  sp::db::Database& db() { return database_->db(); }
  std::string enqueue_one(std::int64_t tenant, const std::string& person = "RSSMRA80A01H501U") {
    Message m{tenant, Channel::sms, "+393331234567", "", "Promemoria: la pratica attende un documento"};
    m.person = person;
    m.type = "case.additions_request";
    std::string id;
    db().write([&](sp::db::Conn& tx) {
      auto r = enqueue(tx, m, *clock_);
      ASSERT_TRUE(r.ok()) << r.error().code;
      id = *r;
    });
    return id;
  }
  std::string state(const std::string& id) { return find_message(db(), id)->status; }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<Delivery> delivery_;
  std::shared_ptr<ScriptedSender> sender_;
  std::unique_ptr<sp::jobs::Runner> runner_;
};

TEST_P(MessagingStatesTest, EachAttemptIsRecordedAndATemporaryFailureGoesBackToSending) {
  sender_->script = {ScriptedSender::Answer::transient, ScriptedSender::Answer::ok};
  const auto id = enqueue_one(1);
  EXPECT_EQ(state(id), "queued");
  EXPECT_TRUE(list_attempts(db(), 1, id).empty());
  EXPECT_EQ(runner_->run_once(), 1);
  EXPECT_EQ(state(id), "temporary_failure");
  clock_->advance(30s);
  EXPECT_EQ(runner_->run_once(), 1);
  EXPECT_EQ(state(id), "delivered");
  auto m = find_message(db(), id);
  EXPECT_EQ(m->provider_message_id, "prov-2");
  EXPECT_EQ(m->delivered_channel, "sms");
  EXPECT_EQ(m->message.person, "RSSMRA80A01H501U");
  EXPECT_EQ(m->message.type, "case.additions_request");

  auto attempts = list_attempts(db(), 1, id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].channel, "sms");
  EXPECT_EQ(attempts[0].outcome, "temporary_failure");
  EXPECT_EQ(attempts[0].started_at, "2026-11-23T10:00:00Z");
  EXPECT_EQ(attempts[0].finished_at, "2026-11-23T10:00:00Z");
  EXPECT_NE(attempts[0].error.find("503"), std::string::npos) << attempts[0].error;
  EXPECT_TRUE(attempts[0].provider_message_id.empty());
  EXPECT_EQ(attempts[1].attempt, 2);
  EXPECT_EQ(attempts[1].outcome, "delivered");
  EXPECT_EQ(attempts[1].started_at, "2026-11-23T10:00:30Z");
  EXPECT_EQ(attempts[1].provider_message_id, "prov-2");
  EXPECT_TRUE(attempts[1].error.empty());

  clock_->advance(24h);
  EXPECT_EQ(runner_->run_once(), 0);
  EXPECT_EQ(sender_->calls, 2);
}

TEST_P(MessagingStatesTest, ARefusalIsAFinalPermanentFailureAndGivingUpIsDead) {
  sender_->script = {ScriptedSender::Answer::refuse};
  const auto refused = enqueue_one(1);
  runner_->run_until_idle();
  EXPECT_EQ(state(refused), "permanent_failure");
  EXPECT_EQ(list_attempts(db(), 1, refused).at(0).outcome, "permanent_failure");

  sender_->script = {ScriptedSender::Answer::transient, ScriptedSender::Answer::transient,
                     ScriptedSender::Answer::transient};
  const auto failing = enqueue_one(1);
  for (int i = 0; i < 3; ++i) {
    runner_->run_once();
    clock_->advance(10min);
  }
  EXPECT_EQ(state(failing), "dead");
  auto attempts = list_attempts(db(), 1, failing);
  ASSERT_EQ(attempts.size(), 3u);
  for (const auto& a : attempts) EXPECT_EQ(a.outcome, "temporary_failure");
  // A permanent failure is final: staff cannot retry it (a dead one they can).
  EXPECT_EQ(retry_message(db(), 1, refused, clock_->now()).error().code, "messaging.state");
  EXPECT_EQ(sender_->calls, 4);
}

TEST_P(MessagingStatesTest, DuplicateReportsChangeNothingAndALateBounceFailsADeliveredMessage) {
  const auto id = enqueue_one(1);
  runner_->run_until_idle();
  ASSERT_EQ(state(id), "delivered");
  const auto delivered_at = find_message(db(), id)->status_changed_at;
  clock_->advance(5min);
  auto dup = apply_report(db(), 1, id, Event::delivered, "", clock_->now());
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(*dup, Change::unchanged);
  EXPECT_EQ(find_message(db(), id)->status_changed_at, delivered_at) << "a duplicate report writes nothing";

  clock_->advance(2h);
  auto bounce = apply_report(db(), 1, id, Event::bounced, "550 mailbox full", clock_->now());
  ASSERT_TRUE(bounce.ok());
  EXPECT_EQ(*bounce, Change::moved);
  EXPECT_EQ(state(id), "permanent_failure");
  EXPECT_EQ(find_message(db(), id)->last_error, "550 mailbox full");
  EXPECT_EQ(list_attempts(db(), 1, id).at(0).outcome, "bounced");
  EXPECT_EQ(*apply_report(db(), 1, id, Event::bounced, "again", clock_->now()), Change::unchanged);
  EXPECT_EQ(*apply_report(db(), 1, id, Event::delivered, "", clock_->now()), Change::unchanged)
      << "final: never back to delivered";
  EXPECT_EQ(state(id), "permanent_failure");
  EXPECT_EQ(apply_report(db(), 1, id, Event::cancel, "", clock_->now()).error().code, "messaging.event");
}

TEST_P(MessagingStatesTest, StaffCancelAWaitingMessageAndRetryADeadOneOnce) {
  const auto id = enqueue_one(1);
  auto c = cancel_message(db(), 1, id, clock_->now());
  ASSERT_TRUE(c.ok()) << c.error().code;
  EXPECT_EQ(*c, Change::moved);
  EXPECT_EQ(*cancel_message(db(), 1, id, clock_->now()), Change::unchanged);
  runner_->run_until_idle();
  EXPECT_EQ(state(id), "cancelled");
  EXPECT_EQ(sender_->calls, 0) << "a cancelled message is never sent";
  EXPECT_TRUE(list_attempts(db(), 1, id).empty());

  sender_->script = {ScriptedSender::Answer::transient, ScriptedSender::Answer::transient,
                     ScriptedSender::Answer::transient};
  const auto dead = enqueue_one(1);
  for (int i = 0; i < 3; ++i) {
    runner_->run_once();
    clock_->advance(10min);
  }
  ASSERT_EQ(state(dead), "dead");
  auto r = retry_message(db(), 1, dead, clock_->now());
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(state(dead), "queued");
  runner_->run_until_idle();
  EXPECT_EQ(state(dead), "delivered");
  EXPECT_EQ(sender_->per_message[dead], 4);
  EXPECT_EQ(list_attempts(db(), 1, dead).size(), 4u) << "attempts go on counting after a retry";
  EXPECT_EQ(retry_message(db(), 1, dead, clock_->now()).error().code, "messaging.state");
  EXPECT_EQ(cancel_message(db(), 1, dead, clock_->now()).error().code, "messaging.state")
      << "a delivered message cannot be cancelled";
  clock_->advance(24h);
  EXPECT_EQ(runner_->run_until_idle(), 0);
  EXPECT_EQ(sender_->per_message[dead], 4);
}

TEST_P(MessagingStatesTest, ARunnerThatDiesMidSendLeavesAnInterruptedAttemptAndTheNextOneSends) {
  sender_->script = {ScriptedSender::Answer::crash, ScriptedSender::Answer::ok};
  const auto id = enqueue_one(1);
  EXPECT_EQ(runner_->run_once(), 1);
  EXPECT_EQ(state(id), "sending") << "the runner died holding it";
  clock_->advance(61s);  // the lease ends; another runner claims the job
  EXPECT_EQ(runner_->run_once(), 1);
  EXPECT_EQ(state(id), "delivered");
  auto attempts = list_attempts(db(), 1, id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "interrupted");
  EXPECT_EQ(attempts[1].outcome, "delivered");
}

TEST_P(MessagingStatesTest, AnotherBodyNeitherSeesNorTouchesTheMessages) {
  const auto asti = enqueue_one(1, "RSSMRA80A01H501U");
  const auto cassola = enqueue_one(2, "RSSMRA80A01H501U");
  const auto other_person = enqueue_one(1, "VRDLGU70B02L219X");
  runner_->run_until_idle();

  auto asti_list = list_messages(db(), MessageQuery{.tenant_id = 1});
  ASSERT_EQ(asti_list.size(), 2u);
  for (const auto& m : asti_list) EXPECT_EQ(m.message.tenant_id, 1);
  EXPECT_FALSE(find_message(db(), 2, asti).has_value());
  EXPECT_TRUE(find_message(db(), 1, asti).has_value());
  EXPECT_TRUE(list_attempts(db(), 2, asti).empty());
  EXPECT_EQ(list_attempts(db(), 1, asti).size(), 1u);
  EXPECT_EQ(cancel_message(db(), 2, asti, clock_->now()).error().code, "not_found");
  EXPECT_EQ(retry_message(db(), 2, asti, clock_->now()).error().code, "not_found");
  EXPECT_EQ(apply_report(db(), 2, asti, Event::bounced, "x", clock_->now()).error().code, "not_found");
  EXPECT_EQ(state(asti), "delivered");
  EXPECT_EQ(list_messages(db(), MessageQuery{.tenant_id = 2, .status = "delivered"}).size(), 1u);
  EXPECT_TRUE(list_messages(db(), MessageQuery{.tenant_id = 2, .status = "dead"}).empty());

  // The person sees theirs at every body, and nobody else's.
  auto mine = list_messages(db(), MessageQuery{.person = "RSSMRA80A01H501U"});
  ASSERT_EQ(mine.size(), 2u);
  for (const auto& m : mine) EXPECT_NE(m.id, other_person);
  EXPECT_TRUE(find_message_for_person(db(), "RSSMRA80A01H501U", cassola).has_value());
  EXPECT_FALSE(find_message_for_person(db(), "RSSMRA80A01H501U", other_person).has_value());
  EXPECT_FALSE(find_message_for_person(db(), "", other_person).has_value());
  EXPECT_TRUE(list_messages(db(), MessageQuery{}).empty()) << "never every body's messages at once";
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, MessagingStatesTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
