// Delegations on both databases: declare → pending → confirmed by the right body → acting for, with
// every step audited; other bodies' staff refused (403, "access.denied" on the record's body); rejected
// and pending delegations cannot be used; adults and bad partite IVA refused.
#include "delegations_fixture.hpp"

namespace delegations_test {
namespace {

MinorDeclaration minor(const std::string& cf, sp::tenants::TenantId body = kAsti) {
  return MinorDeclaration{body, cf, "Luca Caccamo", "parent"};
}

TEST_P(DelegationsTest, DeclaredConfirmedByItsBodyThenActingForIsAudited) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto novara_op = staff("op@novara.example");

  auto d = delegations_->declare_minor(parent.p.get(), minor(child_cf_), "192.0.2.1");
  ASSERT_TRUE(d.ok()) << d.error().code;
  EXPECT_EQ(d->state, "pending");
  EXPECT_EQ(d->principal_cf, parent_cf_);
  EXPECT_EQ(d->represented_id, child_cf_);
  auto declared = audit_of(kAsti, "delegation.declare");
  ASSERT_EQ(declared.size(), 1u);
  EXPECT_EQ(declared[0].entry.actor_id, parent_cf_);
  EXPECT_EQ(declared[0].entry.record_id, d->id);

  // Another body's operator can neither confirm nor see it; each refusal lands on Asti's chain.
  auto refused = delegations_->confirm(novara_op.p.get(), d->id, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 403);
  auto seen = delegations_->get_for_staff(novara_op.p.get(), d->id);
  ASSERT_FALSE(seen.ok());
  EXPECT_EQ(seen.error().http_status, 403);
  auto denied = audit_of(kAsti, "access.denied");
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].entry.actor_id, novara_op.p->subject);
  EXPECT_EQ(denied[0].entry.record_type, "delegation");
  EXPECT_EQ(denied[0].entry.record_id, d->id);
  EXPECT_TRUE(audit_of(kNovara, "access.denied").empty());
  EXPECT_EQ(delegations_->by_id(d->id)->state, "pending");
  auto pending = delegations_->pending_for(novara_op.p.get(), kAsti);
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().http_status, 403);

  // Not confirmed yet: cannot act for the child.
  auto early = delegations_->switch_to(parent.p.get(), d->id);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "delegation.not_confirmed");
  EXPECT_FALSE(again(parent)->acting_for.has_value());

  auto queue = delegations_->pending_for(asti_op.p.get(), kAsti);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  clock_->advance(std::chrono::minutes(5));
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d->id, "Verificato in anagrafe").ok());
  auto after = delegations_->by_id(d->id);
  EXPECT_EQ(after->state, "confirmed");
  EXPECT_EQ(after->decided_by.value_or(""), asti_op.p->subject);
  EXPECT_EQ(after->decided_at.value_or(""), "2026-11-23T10:05:00.000Z");
  auto history = delegations_->history(d->id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].event, "declared");
  EXPECT_EQ(history[0].actor_id, parent_cf_);
  EXPECT_EQ(history[1].event, "confirmed");
  EXPECT_EQ(history[1].actor_kind, "staff");
  EXPECT_EQ(history[1].reason.value_or(""), "Verificato in anagrafe");
  EXPECT_EQ(audit_of(kAsti, "delegation.confirm").size(), 1u);
  // Confirming twice is a state error, not a second decision.
  EXPECT_EQ(delegations_->confirm(asti_op.p.get(), d->id, "").error().code, "delegation.state");

  auto switched = delegations_->switch_to(parent.p.get(), d->id, "192.0.2.1");
  ASSERT_TRUE(switched.ok()) << switched.error().code;
  auto now = again(parent);
  ASSERT_TRUE(now->acting_for.has_value());
  EXPECT_EQ(now->acting_for->id, child_cf_);
  EXPECT_EQ(now->acting_for->kind, "person");
  auto acts = audit_of(kAsti, "delegation.act_for");
  ASSERT_EQ(acts.size(), 1u);
  EXPECT_EQ(acts[0].entry.actor_id, parent_cf_);
  EXPECT_EQ(acts[0].entry.on_behalf_of, child_cf_);
  // Anything the parent does now carries the child as on_behalf_of.
  auto entry = audit_entry_for(*now, kAsti, "case.read");
  EXPECT_EQ(entry.on_behalf_of, child_cf_);
  EXPECT_EQ(entry.actor_id, parent_cf_);
  EXPECT_TRUE(delegations_->may_act_for(parent_cf_, *now->acting_for));

  // Back to themself.
  ASSERT_TRUE(delegations_->switch_to(now.get(), "").ok());
  EXPECT_FALSE(again(parent)->acting_for.has_value());
  auto back = audit_of(kAsti, "delegation.act_as_self");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].entry.on_behalf_of, "");
  EXPECT_TRUE(audit_->verify(kAsti).intact);

  // Someone else cannot use the parent's delegation.
  auto stranger = person(adult_cf_, "Marta Caccamo");
  EXPECT_EQ(delegations_->switch_to(stranger.p.get(), d->id).error().http_status, 404);
}

TEST_P(DelegationsTest, RejectedAndRevokedDelegationsCannotBeUsed) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto d = delegations_->declare_minor(parent.p.get(), minor(child_cf_));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(delegations_->declare_minor(parent.p.get(), minor(child_cf_)).error().code,
            "delegation.duplicate");
  auto no_reason = delegations_->reject(asti_op.p.get(), d->id, "  ");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().code, "delegation.reason");
  ASSERT_TRUE(delegations_->reject(asti_op.p.get(), d->id, "Nessun legame risulta in anagrafe").ok());
  EXPECT_EQ(delegations_->by_id(d->id)->reason.value_or(""), "Nessun legame risulta in anagrafe");
  auto sw = delegations_->switch_to(parent.p.get(), d->id);
  ASSERT_FALSE(sw.ok());
  EXPECT_EQ(sw.error().code, "delegation.not_confirmed");
  EXPECT_FALSE(again(parent)->acting_for.has_value());
  EXPECT_EQ(audit_of(kAsti, "delegation.reject").size(), 1u);
  EXPECT_TRUE(audit_of(kAsti, "delegation.act_for").empty());

  // A correction: a new declaration, confirmed, then revoked by staff.
  auto d2 = delegations_->declare_minor(parent.p.get(), minor(child_cf_));
  ASSERT_TRUE(d2.ok()) << d2.error().code;
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d2->id, "").ok());
  ASSERT_TRUE(delegations_->revoke(asti_op.p.get(), d2->id, "Decadenza della potestà").ok());
  EXPECT_EQ(delegations_->by_id(d2->id)->state, "revoked");
  EXPECT_EQ(delegations_->switch_to(parent.p.get(), d2->id).error().code, "delegation.not_confirmed");
  EXPECT_EQ(delegations_->history(d2->id).size(), 3u);
  auto mine = delegations_->list_mine(parent.p.get());
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->size(), 2u);
}

TEST_P(DelegationsTest, AdultsAndBadPartiteIvaAreRefused) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto adult = delegations_->declare_minor(parent.p.get(), minor(adult_cf_));
  ASSERT_FALSE(adult.ok());
  EXPECT_EQ(adult.error().code, "delegation.not_minor");
  EXPECT_EQ(delegations_->declare_minor(parent.p.get(), minor("CCCFBA85D03L219X")).error().code,
            "delegation.cf");
  EXPECT_EQ(delegations_->declare_minor(parent.p.get(), minor(parent_cf_)).error().code, "delegation.self");
  EXPECT_EQ(delegations_->declare_minor(parent.p.get(), minor(child_cf_, 999)).error().code,
            "delegation.body");
  EXPECT_EQ(delegations_->declare_minor(parent.p.get(), MinorDeclaration{kAsti, child_cf_, "Luca", "zio"})
                .error()
                .code,
            "delegation.relation");

  auto bad = delegations_->declare_business(
      parent.p.get(), BusinessDeclaration{kAsti, "00743110158", "Acme srl", "legale_rappresentante"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "delegation.piva");
  auto good = delegations_->declare_business(
      parent.p.get(), BusinessDeclaration{kNovara, "00743110157", "Acme srl", "legale_rappresentante"});
  ASSERT_TRUE(good.ok()) << good.error().code;
  EXPECT_EQ(good->kind, "business");
  EXPECT_EQ(good->state, "pending");
  EXPECT_EQ(good->tenant_id, kNovara);
  std::vector<sp::audit::StoredEntry> none = audit_of(kAsti, "delegation.declare");
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(audit_of(kNovara, "delegation.declare").size(), 1u);
  // Staff and anonymous callers do not declare for themselves.
  auto asti_op = staff("op@asti.example");
  EXPECT_EQ(delegations_->declare_minor(asti_op.p.get(), minor(child_cf_)).error().http_status, 403);
  EXPECT_EQ(delegations_->declare_minor(nullptr, minor(child_cf_)).error().http_status, 401);
}

TEST_P(DelegationsTest, AMinorWhoTurns18CanNoLongerBeRepresented) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto d = delegations_->declare_minor(parent.p.get(), minor(almost_adult_cf_));
  ASSERT_TRUE(d.ok()) << d.error().code;  // 17 on 2026-11-23
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d->id, "").ok());
  ASSERT_TRUE(delegations_->switch_to(parent.p.get(), d->id).ok());
  clock_->set(sp::time::parse_iso_utc("2026-12-01T09:00:00Z").value());  // 18th birthday
  auto sw = delegations_->switch_to(parent.p.get(), d->id);
  ASSERT_FALSE(sw.ok());
  EXPECT_EQ(sw.error().code, "delegation.now_adult");
  EXPECT_FALSE(delegations_->may_act_for(parent_cf_, Represented{"person", almost_adult_cf_, ""}));
  EXPECT_EQ(audit_of(kAsti, "delegation.act_for").size(), 1u);
}

// --- acting for someone is checked on every request ------------------------------------------------

// What the session row itself says it acts for (before any request re-checks it).
std::string stored_data(sp::db::Database& db, const std::string& cookie) {
  auto row = SessionStore(db).by_token_hash(SessionService::hash_token(cookie.substr(11)));
  return row ? row->data : std::string("<no session>");
}

TEST_P(DelegationsTest, RevokingADelegationEndsActingForInEverySessionAtOnce) {
  auto phone = person(parent_cf_, "Fabio Caccamo");
  auto laptop = person(parent_cf_, "Fabio Caccamo");
  auto office = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto child = delegations_->declare_minor(phone.p.get(), minor(child_cf_));
  auto business = delegations_->declare_business(
      phone.p.get(), BusinessDeclaration{kAsti, "00743110157", "Acme srl", "legale_rappresentante"});
  ASSERT_TRUE(child.ok() && business.ok());
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), child->id, "").ok());
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), business->id, "").ok());
  ASSERT_TRUE(delegations_->switch_to(again(phone).get(), child->id).ok());
  ASSERT_TRUE(delegations_->switch_to(again(laptop).get(), child->id).ok());
  ASSERT_TRUE(delegations_->switch_to(again(office).get(), business->id).ok());
  ASSERT_EQ(again(phone)->acting_for->id, child_cf_);
  ASSERT_EQ(again(laptop)->acting_for->id, child_cf_);
  auto page = call("GET", "/area-personale/deleghe", {}, phone.cookie);
  ASSERT_NE(page.r.body.find("Stai agendo per conto di"), std::string::npos);

  ASSERT_TRUE(delegations_->revoke(asti_op.p.get(), child->id, "Decadenza della potestà").ok());
  // In the revoking transaction: both sessions that acted for the child are back to the parent...
  EXPECT_EQ(stored_data(db(), phone.cookie).find(child_cf_), std::string::npos)
      << stored_data(db(), phone.cookie);
  EXPECT_EQ(stored_data(db(), laptop.cookie).find(child_cf_), std::string::npos);
  // ... and the one acting for the business (still confirmed) is untouched.
  EXPECT_NE(stored_data(db(), office.cookie).find("00743110157"), std::string::npos);

  // The next request of the open session acts as the parent: no acting_for, pages say so.
  EXPECT_FALSE(again(phone)->acting_for.has_value());
  EXPECT_FALSE(again(laptop)->acting_for.has_value());
  ASSERT_TRUE(again(office)->acting_for.has_value());
  EXPECT_EQ(again(office)->acting_for->id, "00743110157");
  auto after = call("GET", "/area-personale/deleghe", {}, phone.cookie);
  ASSERT_EQ(after.r.status, 200);
  EXPECT_EQ(after.r.body.find("Stai agendo per conto di"), std::string::npos);
  // Anything the parent does now is their own, not on the child's behalf.
  EXPECT_EQ(audit_entry_for(*again(phone), kAsti, "case.read").on_behalf_of, "");
}

TEST_P(DelegationsTest, WithdrawingADelegationEndsActingForOnTheOtherDevicesToo) {
  auto phone = person(parent_cf_, "Fabio Caccamo");
  auto laptop = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto d = delegations_->declare_minor(phone.p.get(), minor(child_cf_));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d->id, "").ok());
  ASSERT_TRUE(delegations_->switch_to(again(laptop).get(), d->id).ok());
  ASSERT_TRUE(again(laptop)->acting_for.has_value());
  ASSERT_TRUE(delegations_->withdraw(again(phone).get(), d->id).ok());  // from the phone
  EXPECT_EQ(stored_data(db(), laptop.cookie).find(child_cf_), std::string::npos);
  EXPECT_FALSE(again(laptop)->acting_for.has_value());
}

// The per-request check, on its own: a delegation that stopped being usable without going through this
// node's revoke (another node, an operator's SQL) or that lapsed (the minor came of age).
TEST_P(DelegationsTest, ASessionActingForADelegationNoLongerValidActsAsThePersonThemself) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto d = delegations_->declare_minor(parent.p.get(), minor(child_cf_));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d->id, "").ok());
  ASSERT_TRUE(delegations_->switch_to(parent.p.get(), d->id).ok());
  ASSERT_TRUE(again(parent)->acting_for.has_value());
  db().write([&](sp::db::Conn& tx) {
    tx.exec("UPDATE delegations SET state = 'revoked', revoked_at = '2026-11-23T10:01:00.000Z' WHERE id = $1",
            {d->id});
  });
  ASSERT_NE(stored_data(db(), parent.cookie).find(child_cf_), std::string::npos);
  auto page = call("GET", "/area-personale/deleghe", {}, parent.cookie);  // through resolve_principal
  ASSERT_EQ(page.r.status, 200);
  EXPECT_EQ(page.r.body.find("Stai agendo per conto di"), std::string::npos);
  EXPECT_FALSE(again(parent)->acting_for.has_value());
  EXPECT_EQ(stored_data(db(), parent.cookie).find(child_cf_), std::string::npos);  // cleared in the row too
}

TEST_P(DelegationsTest, ActingForAMinorLapsesOnTheir18thBirthday) {
  clock_->set(sp::time::parse_iso_utc("2026-11-30T22:50:00Z").value());  // 23:50 in Rome
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto d = delegations_->declare_minor(parent.p.get(), minor(almost_adult_cf_));
  ASSERT_TRUE(d.ok()) << d.error().code;  // 17 until the end of today, 18 on 2026-12-01
  ASSERT_TRUE(delegations_->confirm(asti_op.p.get(), d->id, "").ok());
  ASSERT_TRUE(delegations_->switch_to(parent.p.get(), d->id).ok());
  auto before = again(parent);
  ASSERT_NE(before, nullptr);
  ASSERT_TRUE(before->acting_for.has_value());
  clock_->set(sp::time::parse_iso_utc("2026-11-30T23:10:00Z").value());  // 00:10 on 1 December in Rome
  auto after = again(parent);
  ASSERT_NE(after, nullptr);                    // the session goes on...
  EXPECT_FALSE(after->acting_for.has_value());  // ... for the parent themself
  EXPECT_EQ(stored_data(db(), parent.cookie).find(almost_adult_cf_), std::string::npos);
}

// --- pages and API -------------------------------------------------------------------------------

TEST_P(DelegationsTest, PagesEnforceBodiesAndCsrf) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto asti_op = staff("op@asti.example");
  auto novara_op = staff("op@novara.example");
  EXPECT_EQ(call("GET", "/area-personale/deleghe").r.status, 303);
  auto page = call("GET", "/area-personale/deleghe", {}, parent.cookie);
  ASSERT_EQ(page.r.status, 200);
  EXPECT_NE(page.r.body.find("Comune di Novara"), std::string::npos);
  EXPECT_NE(page.r.body.find("visura camerale"), std::string::npos);

  const std::string declare =
      "action=declare_minor&tenant_id=1&child_cf=" + child_cf_ + "&child_name=Luca+Caccamo&relation=parent";
  EXPECT_EQ(call("POST", "/area-personale/deleghe", "_csrf=wrong&" + declare, parent.cookie).r.status, 403);
  EXPECT_TRUE(delegations_->list_mine(parent.p.get())->empty());
  auto adult =
      call("POST", "/area-personale/deleghe",
           "_csrf=" + parent.p->csrf_token + "&action=declare_minor&tenant_id=1&child_cf=" + adult_cf_ +
               "&child_name=Marta&relation=parent",
           parent.cookie);
  EXPECT_EQ(adult.r.status, 400);
  EXPECT_NE(adult.r.body.find("già compiuto 18 anni"), std::string::npos);
  auto made =
      call("POST", "/area-personale/deleghe", "_csrf=" + parent.p->csrf_token + "&" + declare, parent.cookie);
  ASSERT_EQ(made.r.status, 303) << made.r.body;
  auto mine = delegations_->list_mine(parent.p.get());
  ASSERT_EQ(mine->size(), 1u);
  const auto id = mine->front().id;

  auto queue = call("GET", "/backoffice/asti/deleghe", {}, asti_op.cookie);
  ASSERT_EQ(queue.r.status, 200);
  EXPECT_NE(queue.r.body.find(id), std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/asti/deleghe", {}, novara_op.cookie).r.status, 403);
  EXPECT_EQ(call("GET", "/backoffice/asti/deleghe").r.status, 303);
  EXPECT_EQ(call("GET", "/backoffice/asti/deleghe/" + id, {}, asti_op.cookie).r.status, 200);

  // Novara's operator opening Asti's record, by either URL: 403, logged on Asti's chain.
  const auto denied_before = audit_of(kAsti, "access.denied").size();
  EXPECT_EQ(call("GET", "/backoffice/asti/deleghe/" + id, {}, novara_op.cookie).r.status, 403);
  EXPECT_EQ(call("GET", "/backoffice/novara/deleghe/" + id, {}, novara_op.cookie).r.status, 403);
  EXPECT_EQ(call("POST", "/backoffice/asti/deleghe/" + id,
                 "_csrf=" + novara_op.p->csrf_token + "&action=confirm&reason=", novara_op.cookie)
                .r.status,
            403);
  auto denied = audit_of(kAsti, "access.denied");
  ASSERT_EQ(denied.size(), denied_before + 3);
  EXPECT_EQ(denied[0].entry.record_id, id);
  EXPECT_EQ(denied[0].entry.actor_id, novara_op.p->subject);
  EXPECT_EQ(delegations_->by_id(id)->state, "pending");

  EXPECT_EQ(
      call("POST", "/backoffice/asti/deleghe/" + id, "_csrf=wrong&action=confirm&reason=", asti_op.cookie)
          .r.status,
      403);
  auto ok = call("POST", "/backoffice/asti/deleghe/" + id,
                 "_csrf=" + asti_op.p->csrf_token + "&action=confirm&reason=ok", asti_op.cookie);
  EXPECT_EQ(ok.r.status, 303);
  EXPECT_EQ(delegations_->by_id(id)->state, "confirmed");

  auto sw = call("POST", "/area-personale/deleghe",
                 "_csrf=" + parent.p->csrf_token + "&action=switch&id=" + id, parent.cookie);
  EXPECT_EQ(sw.r.status, 303);
  auto acting = call("GET", "/area-personale/deleghe", {}, parent.cookie);
  EXPECT_NE(acting.r.body.find("Stai agendo per conto di"), std::string::npos);
  EXPECT_EQ(again(parent)->acting_for->id, child_cf_);
}

TEST_P(DelegationsTest, ApiNeedsAKeyOfTheRecordsBody) {
  auto parent = person(parent_cf_, "Fabio Caccamo");
  auto d = delegations_->declare_minor(parent.p.get(), minor(child_cf_));
  ASSERT_TRUE(d.ok());
  auto asti_key = keys_->create(asti_admin_.get(), kAsti, "Gestionale", {"deleghe:read"});
  auto novara_key = keys_->create(novara_admin_.get(), kNovara, "Gestionale", {"deleghe:read"});
  ASSERT_TRUE(asti_key.ok() && novara_key.ok());
  auto as_key = [&](const std::string& secret) {
    auto k = keys_->authenticate(secret);
    EXPECT_TRUE(k.ok());
    return std::make_shared<ApiKeyIdentity>(*k);
  };
  const auto url = "/api/v1/backoffice/asti/deleghe/" + d->id;
  auto anonymous = call("GET", url);
  EXPECT_EQ(anonymous.r.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  auto other = call("GET", url, {}, {}, as_key(novara_key->secret));
  EXPECT_EQ(other.r.status, 403);
  EXPECT_EQ(other.r.body.find(child_cf_), std::string::npos);
  auto denied = audit_of(kAsti, "access.denied");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].entry.actor_id, "api-key:" + novara_key->key.id);
  EXPECT_EQ(denied[0].entry.channel, sp::audit::Channel::api);
  auto good = call("GET", url, {}, {}, as_key(asti_key->secret));
  ASSERT_EQ(good.r.status, 200);
  EXPECT_NE(good.r.body.find("\"state\":\"pending\""), std::string::npos);
  EXPECT_NE(good.r.body.find(child_cf_), std::string::npos);
  EXPECT_EQ(audit_of(kAsti, "delegation.read").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Db, DelegationsTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace delegations_test
