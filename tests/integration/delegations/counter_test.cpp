// The assisted counter on both databases: only counter operators open sessions; the session records the
// document; what the operator does meanwhile is audited with channel=counter on the citizen's behalf;
// the receipt lists it and is shown to the operator and the citizen only.
#include "delegations_fixture.hpp"

namespace delegations_test {
namespace {

class CounterTest : public DelegationsTest {};

// Fabio Caccamo, born in Turin on 3 April 1985 (CCCFBA85D03L219P), with an identity card valid until 2030.
CounterIdentity citizen(const std::string& cf) {
  return CounterIdentity{cf,           "Caccamo",        "Fabio",     "M",
                         "1985-04-03", "carta_identita", "CA12345AB", "2030-12-31"};
}

TEST_P(CounterTest, OnlyCounterOperatorsOpenSessionsWithAValidDocument) {
  auto op = staff("op@asti.example");
  auto refused = counter_->start(op.p.get(), citizen(parent_cf_));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_FALSE(again(op)->assisting.has_value());
  EXPECT_EQ(call("GET", "/sportello-assistito/", {}, op.cookie).r.status, 403);
  EXPECT_EQ(call("POST", "/sportello-assistito/avvia",
                 "_csrf=" + op.p->csrf_token + "&fiscal_code=" + parent_cf_ +
                     "&name=Fabio&document_type=cie&document_number=CA12345AB",
                 op.cookie)
                .r.status,
            403);
  EXPECT_EQ(call("GET", "/sportello-assistito/").r.status, 303);
  auto citizen_session = person(parent_cf_, "Fabio Caccamo");
  EXPECT_EQ(counter_->start(citizen_session.p.get(), citizen(parent_cf_)).error().http_status, 403);

  auto counter = staff("sportello@novara.example");
  auto no_doc = citizen(parent_cf_);
  no_doc.document_number = " ";
  EXPECT_EQ(counter_->start(counter.p.get(), no_doc).error().code, "counter.document_number");
  auto bad_type = citizen(parent_cf_);
  bad_type.document_type = "tessera_sanitaria";
  EXPECT_EQ(counter_->start(counter.p.get(), bad_type).error().code, "counter.document_type");
  EXPECT_EQ(counter_->start(counter.p.get(), citizen("CCCFBA85D03L219X")).error().code, "counter.cf");
  auto form = call("POST", "/sportello-assistito/avvia",
                   "_csrf=" + counter.p->csrf_token + "&fiscal_code=" + parent_cf_ +
                       "&family_name=Caccamo&given_name=Fabio&sex=M&birth_date=03%2F04%2F1985&document_"
                       "expiry=2030-12-31&document_type=cie&document_number=",
                   counter.cookie);
  EXPECT_EQ(form.r.status, 400);
  EXPECT_NE(form.r.body.find("numero del documento"), std::string::npos);
  EXPECT_FALSE(again(counter)->assisting.has_value());
  EXPECT_TRUE(counter_->sessions_for_citizen(parent_cf_).empty());
}

TEST_P(CounterTest, ActionsAtTheCounterAreAuditedAndListedOnTheReceipt) {
  auto counter = staff("sportello@novara.example");
  auto csrf = counter.p->csrf_token;
  EXPECT_EQ(call("POST", "/sportello-assistito/avvia",
                 "_csrf=wrong&fiscal_code=" + parent_cf_ +
                     "&family_name=Caccamo&given_name=Fabio&sex=M&birth_date=03%2F04%2F1985&document_expiry="
                     "2030-12-31&document_type=passaporto&document_number=YA1234567",
                 counter.cookie)
                .r.status,
            403);
  auto opened = call("POST", "/sportello-assistito/avvia",
                     "_csrf=" + csrf + "&fiscal_code=" + parent_cf_ +
                         "&family_name=Caccamo&given_name=Fabio&sex=M&birth_date=03%2F04%2F1985&document_"
                         "expiry=2030-12-31&document_type=passaporto&document_number=ya1234567",
                     counter.cookie);
  ASSERT_EQ(opened.r.status, 303) << opened.r.body;
  auto assisting = again(counter);
  ASSERT_TRUE(assisting->assisting.has_value());
  EXPECT_EQ(assisting->assisting->fiscal_code, parent_cf_);
  auto open = counter_->open_session(*assisting);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->document_type, "passaporto");
  EXPECT_EQ(open->document_number, "YA1234567");
  EXPECT_EQ(open->counter_tenant_id, kNovara);
  EXPECT_EQ(counter_->start(assisting.get(), citizen(parent_cf_)).error().code, "counter.already_open");
  auto home = call("GET", "/sportello-assistito/", {}, counter.cookie);
  EXPECT_NE(home.r.body.find("YA1234567"), std::string::npos);

  // At the counter the operator declares the citizen's child, to be checked by Asti.
  clock_->advance(std::chrono::minutes(3));
  auto d = delegations_->declare_minor(
      assisting.get(), MinorDeclaration{kAsti, child_cf_, "Luca Caccamo", "parent"}, "192.0.2.9");
  ASSERT_TRUE(d.ok()) << d.error().code;
  EXPECT_EQ(d->principal_cf, parent_cf_);  // the citizen declares, through the operator
  auto declared = audit_of(kAsti, "delegation.declare");
  ASSERT_EQ(declared.size(), 1u);
  EXPECT_EQ(declared[0].entry.channel, sp::audit::Channel::counter);
  EXPECT_EQ(declared[0].entry.actor_kind, sp::audit::ActorKind::staff);
  EXPECT_EQ(declared[0].entry.actor_id, counter.p->subject);
  EXPECT_EQ(declared[0].entry.on_behalf_of, parent_cf_);
  EXPECT_EQ(delegations_->history(d->id).front().channel, "counter");

  clock_->advance(std::chrono::minutes(3));
  auto closed = call("POST", "/sportello-assistito/chiudi", "_csrf=" + csrf, counter.cookie);
  ASSERT_EQ(closed.r.status, 303);
  const auto location = closed.header("location");
  ASSERT_EQ(location.rfind("/sportello-assistito/ricevuta/", 0), 0u) << location;
  const auto id = location.substr(std::string("/sportello-assistito/ricevuta/").size());
  EXPECT_FALSE(again(counter)->assisting.has_value());
  EXPECT_EQ(audit_of(kNovara, "counter.session_open").size(), 1u);
  EXPECT_EQ(audit_of(kNovara, "counter.session_close").size(), 1u);
  // Once the session is closed the operator no longer declares for the citizen.
  clock_->advance(std::chrono::minutes(1));
  ASSERT_TRUE(delegations_
                  ->declare_business(again(counter).get(),
                                     BusinessDeclaration{kAsti, "00743110157", "Acme srl", "titolare"})
                  .error()
                  .http_status == 403);

  auto receipt = counter_->receipt(again(counter).get(), id);
  ASSERT_TRUE(receipt.ok());
  ASSERT_EQ(receipt->actions.size(), 1u);
  EXPECT_EQ(receipt->actions[0].action, "delegation.declare");
  EXPECT_EQ(receipt->actions[0].tenant_id, kAsti);
  EXPECT_EQ(receipt->actions[0].record_id, d->id);
  EXPECT_EQ(receipt->session.started_at, "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(receipt->session.ended_at.value_or(""), "2026-11-23T10:06:00.000Z");

  auto page = call("GET", location, {}, counter.cookie);
  ASSERT_EQ(page.r.status, 200);
  EXPECT_NE(page.r.body.find("Comune di Novara"), std::string::npos);
  EXPECT_NE(page.r.body.find("YA1234567"), std::string::npos);
  EXPECT_NE(page.r.body.find("Passaporto"), std::string::npos);
  EXPECT_NE(page.r.body.find("Dichiarazione di delega"), std::string::npos);
  EXPECT_NE(page.r.body.find("Comune di Asti"), std::string::npos);
  EXPECT_NE(page.r.body.find("23/11/2026 11:06"), std::string::npos);  // Rome time

  // The citizen sees it; anybody else gets 404.
  auto me = person(parent_cf_, "Fabio Caccamo");
  auto mine = counter_->sessions_for_citizen(parent_cf_);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].id, id);
  EXPECT_EQ(mine[0].body_name, "Comune di Novara");
  EXPECT_EQ(mine[0].actions, 1u);
  EXPECT_EQ(mine[0].receipt_href, location);
  auto own = call("GET", location, {}, me.cookie);
  EXPECT_EQ(own.r.status, 200);
  EXPECT_NE(own.r.body.find("Dichiarazione di delega"), std::string::npos);
  auto other = person(adult_cf_, "Marta Caccamo");
  EXPECT_EQ(call("GET", location, {}, other.cookie).r.status, 404);
  EXPECT_EQ(call("GET", location, {}, staff("op@novara.example").cookie).r.status, 404);
  EXPECT_EQ(call("GET", "/sportello-assistito/ricevuta/nessuna", {}, me.cookie).r.status, 404);
  EXPECT_EQ(call("GET", location).r.status, 303);  // anonymous: sign in first
  EXPECT_TRUE(counter_->sessions_for_citizen(adult_cf_).empty());
  EXPECT_TRUE(audit_->verify(kNovara).intact);
  EXPECT_TRUE(audit_->verify(kAsti).intact);
}

INSTANTIATE_TEST_SUITE_P(Db, CounterTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace delegations_test
