// Alerts to the population on both databases (issue 17): segments and their counts per channel, never
// another body's residents; one alert = one fan-out even when confirmed twice, one message per recipient
// and channel with the derived idempotency key; throttled windows, pause, resume and cancel; the cost
// cap; subscriptions verified by a code with the consent recorded; the stop link and STOP by SMS; the
// person's area; another body's staff refused.
#include "integration/alerts/alerts_fixture.hpp"

namespace sp::alerts_test {
namespace {

TEST_P(AlertsFixture, AlertSegmentsCountEachChannelAndNeverReachAnotherBody) {
  auto who = staff(asti_);
  // Every resident: Anna by e-mail, Fabio by SMS, Luca (never signed in) by App IO.
  auto all = service_->preview(&who, asti_, draft(asti_, "all"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->recipients, 3);
  EXPECT_EQ(all->by_channel.at("email"), 1);
  EXPECT_EQ(all->by_channel.at("sms"), 1);
  EXPECT_EQ(all->by_channel.at("appio"), 1);
  EXPECT_EQ(all->sms_cost_cents, service_->options().sms_cost_cents);
  // One street: VIA ROMA has Anna and Luca (Novara's VIA ROMA is Novara's).
  auto street = service_->preview(&who, asti_, draft(asti_, "streets", "VIA ROMA"));
  ASSERT_TRUE(street.ok());
  EXPECT_EQ(street->recipients, 2);
  EXPECT_EQ(street->by_channel.at("sms"), 0);
  // A school's parents: Anna and Fabio (Mario's child at Novara's "rodari" is not Asti's pupil).
  auto school = service_->preview(&who, asti_, draft(asti_, "school", "rodari"));
  ASSERT_TRUE(school.ok());
  EXPECT_EQ(school->recipients, 2);
  EXPECT_EQ(school->by_channel.at("appio"), 0);
  auto a = service_->get(&who, asti_, draft(asti_, "all"));
  ASSERT_TRUE(a.ok());
  for (const auto& t : service_->resolve(*a)) EXPECT_NE(t.person, kMario) << "another body's resident";
  // What the form may name is checked against the body's own lists.
  EXPECT_EQ(
      service_->create(&who, asti_, {"school_closure", "Titolo", "Testo", "streets", "VIA INVENTATA", ""})
          .error()
          .code,
      "alerts.streets");
  EXPECT_EQ(service_->create(&who, asti_, {"school_closure", "Titolo", "Testo", "school", "", "baussano"})
                .error()
                .code,
            "alerts.school");
  EXPECT_EQ(service_->create(&who, asti_, {"meteor", "Titolo", "Testo", "all", "", ""}).error().code,
            "alerts.category");
}

TEST_P(AlertsFixture, AlertConfirmedTwiceIsOneFanOutWithOneMessagePerRecipientAndChannel) {
  auto who = staff(asti_);
  const auto id = draft(asti_, "all");
  ASSERT_TRUE(service_->confirm(&who, asti_, id).ok());
  ASSERT_TRUE(service_->confirm(&who, asti_, id).ok()) << "a second press is not an error";
  drain(5);
  ASSERT_TRUE(service_->confirm(&who, asti_, id).ok()) << "nor a third, after it was sent";
  drain(5);
  EXPECT_EQ(sink_.count(), 1u);
  EXPECT_EQ(sms_.sim.count(), 1u);
  EXPECT_EQ(io_->count(), 1u);
  // The messages' ids are the keys derived from the alert, the channel and the address.
  EXPECT_EQ(sms_.sim.count_for_key(alerts::message_key(id, "sms", "+393331112222")), 1);
  EXPECT_EQ(io_->by_key[alerts::message_key(id, "appio", kLuca)], 1);
  const auto mail = sink_.messages().at(0);
  EXPECT_NE(mail.header("Message-ID").find(alerts::message_key(id, "email", "anna@example.org")),
            std::string::npos);
  // Every alert says how to stop: a link with a token; by SMS, STOP.
  EXPECT_NE(mail.body().find("http://hub.example/asti/avvisi/stop?t="), std::string::npos);
  EXPECT_NE(sms_.sim.messages().at(0).text.find("STOP"), std::string::npos);
  auto s = service_->stats(&who, asti_, id);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->finished);
  EXPECT_EQ(s->all.total, 3);
  EXPECT_EQ(s->all.delivered, 3);
  EXPECT_EQ(s->by_channel.at("sms").delivered, 1);
  std::int64_t jobs = 0;
  db().read([&](db::Conn& c) {
    jobs = c.query_one("SELECT COUNT(*) FROM jobs WHERE kind = 'alerts.fanout'")->i64(0);
  });
  EXPECT_EQ(jobs, 1) << "one fan-out";
  // The parent sees it in their area.
  Principal anna;
  anna.kind = PrincipalKind::person;
  anna.subject = kAnna;
  anna.roles = {Role::citizen};
  auto got = service_->received(&anna);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).title, "Scuola chiusa domani");
}

TEST_P(AlertsFixture, AlertIsThrottledPausedResumedAndCancelled) {
  // 40 subscribers by SMS at 2 per second with a 4-second window: each round hands ~8 to the outbox.
  alerts::Options o = service_->options();
  o.rates["sms"] = 2;
  o.window = 4s;
  o.batch = 5;
  rebuild(o);
  db().write([&](db::Conn& tx) {
    for (int i = 0; i < 40; ++i) {
      alerts::Subscription s;
      s.id = "sub" + std::to_string(i);
      s.tenant_id = asti_;
      s.channel = "sms";
      s.address = "+3933300000" + std::string(i < 10 ? "0" : "") + std::to_string(i);
      s.topics = {"water_cut"};
      s.state = "pending";
      s.created_at = "2026-11-23T09:00:00Z";
      alerts::store::upsert_subscription(tx, s);
      alerts::store::activate(tx, asti_, s.id, s.created_at);
    }
  });
  auto who = staff(asti_);
  const auto id = draft(asti_, "topic", "", "water_cut");
  ASSERT_EQ(service_->preview(&who, asti_, id)->by_channel.at("sms"), 40);
  ASSERT_TRUE(service_->confirm(&who, asti_, id).ok());
  runner_->run_until_idle();
  const auto first_window = sms_.sim.count();
  EXPECT_GE(first_window, 1u);
  EXPECT_LE(first_window, 3u) << "only what is due at this second";
  auto s = service_->stats(&who, asti_, id);
  EXPECT_GE(s->handed, 8);
  EXPECT_LE(s->handed, 10) << "the window, not the whole alert";
  ASSERT_TRUE(service_->pause(&who, asti_, id).ok());
  EXPECT_EQ(service_->pause(&who, asti_, id).error().code, "alerts.state");
  drain(20);
  const auto after_pause = sms_.sim.count();
  EXPECT_EQ(static_cast<std::int64_t>(after_pause), service_->stats(&who, asti_, id)->handed)
      << "what was handed goes out, nothing more";
  ASSERT_TRUE(service_->resume(&who, asti_, id).ok());
  runner_->run_until_idle();
  clock_->advance(1s);
  runner_->run_until_idle();
  EXPECT_GT(sms_.sim.count(), after_pause);
  ASSERT_TRUE(service_->cancel(&who, asti_, id).ok());
  const auto at_cancel = sms_.sim.count();
  drain(30);
  EXPECT_EQ(sms_.sim.count(), at_cancel) << "cancelled: the waiting messages do not go";
  auto end = service_->stats(&who, asti_, id);
  EXPECT_LT(end->handed, 40);
  EXPECT_GT(end->all.cancelled, 0);
  EXPECT_TRUE(end->finished);
  EXPECT_EQ(service_->resume(&who, asti_, id).error().code, "alerts.state");
}

TEST_P(AlertsFixture, AlertsSentAtOnceShareTheGatewaysRate) {
  // 10 subscribers by SMS at 2 per second with a 4-second window, two alerts to them at once: together
  // they hand the gateway what one would (~8 in the window), each message at its own half second.
  alerts::Options o = service_->options();
  o.rates["sms"] = 2;
  o.window = 4s;
  o.batch = 5;
  rebuild(o);
  db().write([&](db::Conn& tx) {
    for (int i = 0; i < 10; ++i) {
      alerts::Subscription s;
      s.id = "sub" + std::to_string(i);
      s.tenant_id = asti_;
      s.channel = "sms";
      s.address = "+39333000001" + std::to_string(i);
      s.topics = {"water_cut"};
      s.state = "pending";
      s.created_at = "2026-11-23T09:00:00Z";
      alerts::store::upsert_subscription(tx, s);
      alerts::store::activate(tx, asti_, s.id, s.created_at);
    }
  });
  auto who = staff(asti_);
  const auto first = draft(asti_, "topic", "", "water_cut");
  const auto second = draft(asti_, "topic", "", "water_cut");
  ASSERT_TRUE(service_->confirm(&who, asti_, first).ok());
  ASSERT_TRUE(service_->confirm(&who, asti_, second).ok());
  runner_->run_until_idle();
  const auto handed =
      service_->stats(&who, asti_, first)->handed + service_->stats(&who, asti_, second)->handed;
  EXPECT_GE(handed, 8);
  EXPECT_LE(handed, 9) << "the two alerts share the gateway's 2 per second";
  // The SMS handed are due at most two in any second (the jobs' due times, to the second), not four.
  std::map<std::string, int> per_second;
  std::int64_t jobs = 0;
  db().read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT j.run_at FROM jobs j JOIN outbox o ON o.id = j.payload "
                                 "WHERE j.kind = 'messaging.send' AND o.channel = 'sms' AND o.message_type = "
                                 "'alert'",
                                 {})) {
      ++per_second[r.text(0)];
      ++jobs;
    }
  });
  EXPECT_EQ(jobs, handed);
  for (const auto& [second, n] : per_second) EXPECT_LE(n, 2) << second;
}

// "12,34" for 1234 cents, as an administrator types it.
std::string euros_text(std::int64_t cents) {
  const auto c = std::to_string(cents % 100);
  return std::to_string(cents / 100) + "," + (c.size() < 2 ? "0" + c : c);
}

TEST_P(AlertsFixture, AlertOverTheCostCapIsRefusedAndOnlyAdministratorsSetTheCap) {
  alerts::Options o = service_->options();
  o.default_cost_cap_cents = 0;
  rebuild(o);
  auto op = staff(asti_);
  const auto id = draft(asti_, "all");
  auto p = service_->preview(&op, asti_, id);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->over_cap);
  EXPECT_EQ(service_->confirm(&op, asti_, id).error().code, "alerts.cost_cap");
  EXPECT_EQ(service_->set_cost_cap(&op, asti_, "10").error().code, "forbidden");
  auto admin = staff(asti_, Role::body_admin);
  EXPECT_EQ(service_->set_cost_cap(&admin, asti_, "dieci").error().code, "alerts.cap_invalid");
  ASSERT_TRUE(service_->set_cost_cap(&admin, asti_, "0,50").ok());
  EXPECT_EQ(service_->cost_cap(asti_), 50);
  auto novara_admin = staff(novara_, Role::body_admin);
  EXPECT_EQ(service_->set_cost_cap(&novara_admin, asti_, "99").error().code, "forbidden");
  ASSERT_TRUE(service_->confirm(&op, asti_, id).ok());

  // The cap is per month: what this alert costs is spent, a second one would go over it.
  const auto cost = p->sms_cost_cents;
  ASSERT_GT(cost, 0);
  EXPECT_EQ(service_->spent_this_month(asti_), cost);
  EXPECT_EQ(service_->spent_this_month(novara_), 0) << "Asti's spending is not Novara's";
  ASSERT_TRUE(service_->set_cost_cap(&admin, asti_, euros_text(cost * 2 - 1)).ok());
  const auto second = draft(asti_, "all");
  auto p2 = service_->preview(&op, asti_, second);
  EXPECT_EQ(p2->spent_cents, cost);
  EXPECT_TRUE(p2->over_cap);
  EXPECT_EQ(service_->confirm(&op, asti_, second).error().code, "alerts.cost_cap");
  // Novara's own month is untouched by Asti's alerts.
  auto novara_op = staff(novara_);
  EXPECT_FALSE(service_->preview(&novara_op, novara_, draft(novara_, "all"))->over_cap);
  // A new month (Europe/Rome: 1 December 00:00 is 30 November 23:00 UTC) starts from nothing.
  clock_->set(time::parse_iso_utc("2026-11-30T23:00:00Z").value());
  EXPECT_EQ(service_->spent_this_month(asti_), 0);
  EXPECT_FALSE(service_->preview(&op, asti_, second)->over_cap);
  ASSERT_TRUE(service_->confirm(&op, asti_, second).ok());
}

TEST_P(AlertsFixture, AlertSubscriptionIsVerifiedByACodeRecordsTheConsentAndStops) {
  alerts::SubscribeForm f{"email", "Mia@Example.org", {"road_works"}, {"VIA CAVOUR"}, "it", false};
  EXPECT_EQ(service_->subscribe(asti_, f, "10.0.0.1").error().code, "alerts.consent_required");
  f.consent = true;
  f.streets = {"VIA INESISTENTE"};
  EXPECT_EQ(service_->subscribe(asti_, f, "10.0.0.1").error().code, "alerts.streets");
  f.streets = {"VIA CAVOUR"};
  auto id = service_->subscribe(asti_, f, "10.0.0.1");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(service_->subscribe(asti_, f, "10.0.0.1").error().code, "alerts.resend_too_soon");
  auto codes = messaging::list_messages(db(), messaging::MessageQuery{.tenant_id = asti_});
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].message.recipient, "Mia@example.org");
  const auto code = code_in(codes[0].message.body);
  EXPECT_EQ(service_->verify(asti_, *id, code == "000000" ? "111111" : "000000", "10.0.0.1").error().code,
            "alerts.code_wrong");
  EXPECT_EQ(service_->verify(novara_, *id, code, "10.0.0.1").error().code, "not_found")
      << "Asti's, not Novara's";
  ASSERT_TRUE(service_->verify(asti_, *id, code, "10.0.0.1").ok());
  EXPECT_EQ(service_->subscription(asti_, *id)->state, "active");
  std::string how;
  db().read([&](db::Conn& c) {
    auto r = c.query_one("SELECT action, how, what FROM alert_consents WHERE tenant_id = $1", {asti_});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->text(0), "given");
    EXPECT_NE(r->text(2).find("road_works"), std::string::npos);
    how = r->text(1);
  });
  EXPECT_EQ(how, "web_code_email");
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("DELETE FROM alert_consents"); }), std::exception)
      << "consents are append-only";

  // Road works on VIA CAVOUR: Fabio lives there, the subscriber follows it there; an alert on VIA ROMA
  // does not reach the subscriber.
  auto who = staff(asti_);
  auto cavour = service_->preview(&who, asti_, draft(asti_, "streets", "VIA CAVOUR", "road_works"));
  EXPECT_EQ(cavour->by_channel.at("email"), 1);
  EXPECT_EQ(cavour->by_channel.at("sms"), 1);
  EXPECT_EQ(service_->preview(&who, asti_, draft(asti_, "streets", "VIA ROMA", "road_works"))
                ->by_channel.at("email"),
            1)
      << "Anna only";
  const auto alert = draft(asti_, "topic", "", "road_works");
  ASSERT_TRUE(service_->confirm(&who, asti_, alert).ok());
  drain(3);
  std::string link;
  for (const auto& m : sink_.messages())
    if (m.rcpt_to.at(0).find("Mia@") != std::string::npos) link = m.body();
  std::smatch mt;
  ASSERT_TRUE(std::regex_search(link, mt, std::regex(R"(avvisi/stop\?t=([A-Za-z0-9_-]+))")));
  const auto token = mt[1].str();
  EXPECT_EQ(service_->stop_target(novara_, token).error().code, "alerts.stop_unknown")
      << "another body's link";
  ASSERT_TRUE(service_->stop(asti_, token, "10.0.0.2").ok());
  ASSERT_TRUE(service_->stop(asti_, token, "10.0.0.2").ok()) << "twice is fine";
  EXPECT_EQ(service_->subscription(asti_, *id)->state, "stopped");
  EXPECT_EQ(service_->preview(&who, asti_, draft(asti_, "topic", "", "road_works"))->recipients, 0);

  // STOP by SMS: Fabio's number gets no more alerts of Asti (Novara's are Novara's business).
  EXPECT_FALSE(*service_->stop_by_sms(asti_, "+393331112222", "ciao"));
  EXPECT_TRUE(*service_->stop_by_sms(asti_, "+39 333 111 2222", " stop "));
  auto after = service_->preview(&who, asti_, draft(asti_, "all"));
  EXPECT_EQ(after->by_channel.at("sms"), 0);
  std::int64_t withdrawn = 0;
  db().read([&](db::Conn& c) {
    withdrawn =
        c.query_one("SELECT COUNT(*) FROM alert_consents WHERE action = 'withdrawn' AND tenant_id = $1",
                    {asti_})
            ->i64(0);
  });
  EXPECT_EQ(withdrawn, 2);
}

TEST_P(AlertsFixture, AlertOfAnotherBodyCannotBeSeenOrSentByItsStaff) {
  auto asti_op = staff(asti_);
  auto novara_op = staff(novara_);
  const auto id = draft(asti_, "all");
  EXPECT_EQ(service_->get(&novara_op, asti_, id).error().code, "forbidden");
  EXPECT_EQ(service_->confirm(&novara_op, asti_, id).error().code, "forbidden");
  EXPECT_EQ(service_->cancel(&novara_op, asti_, id).error().code, "forbidden");
  EXPECT_EQ(service_->list(&novara_op, asti_).error().code, "forbidden");
  EXPECT_EQ(service_->get(&novara_op, novara_, id).error().code, "not_found") << "through one's own body";
  EXPECT_EQ(service_->confirm(&novara_op, novara_, id).error().code, "not_found");
  EXPECT_TRUE(service_->list(&novara_op, novara_)->empty());
  ASSERT_EQ(service_->list(&asti_op, asti_)->size(), 1u);
  EXPECT_EQ(service_->create(&novara_op, asti_, {"water_cut", "Titolo", "Testo", "all", "", ""}).error().code,
            "forbidden");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AlertsFixture,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::alerts_test
