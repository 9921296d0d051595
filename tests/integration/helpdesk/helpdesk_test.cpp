// The help desk (docs/helpdesk.md) on a demo database, both drivers, without sockets:
// - the SLA with a test clock: opened → the agent replies and waits (paused) → the body replies (runs
//   again) → a priority change keeps the time spent → breach, and the queue's order; notifications in the
//   outbox; internal notes never shown to the body; redaction; the retention purge; the history is
//   append-only;
// - the pages and the API: a body's staff member opens a ticket (after the matching answers), the agent
//   replies and waits, the body replies; Novara's staff cannot read Asti's ticket by page or API; the
//   agent cannot open a citizen's case.
#include "../protocollo_web/app_fixture.hpp"
#include "adapters/messaging/outbox.hpp"
#include "helpdesk/service.hpp"

namespace sp::helpdesk::test {
namespace {

using namespace std::chrono_literals;
using identity::Principal;
using identity::PrincipalKind;
using identity::Role;
using protocollo::webtest::AppTest;
namespace json = boost::json;
constexpr auto npos = std::string::npos;

time::TimePoint at(const char* iso) {
  return time::parse_iso_utc(iso).value();
}

Principal staff(const std::string& id, const std::string& name, tenants::TenantId body, Role role) {
  Principal p;
  p.kind = PrincipalKind::staff;
  p.subject = id;
  p.display_name = name;
  p.tenant_id = body;
  p.roles = {role};
  return p;
}

std::string location(const http::Response& r) {
  return AppTest::header(r, "location");
}

class HelpdeskTest : public AppTest {
 public:
  std::size_t outbox_count(const std::string& type, const std::string& to) {
    std::size_t n = 0;
    app_->database().read([&](db::Conn& c) {
      auto r =
          c.query_one("SELECT COUNT(*) FROM outbox WHERE message_type = $1 AND recipient = $2", {type, to});
      n = r ? static_cast<std::size_t>(r->i64(0)) : 0;
    });
    return n;
  }

  void sla_with_a_test_clock() {
    time::TestClock clock(at("2026-12-14T08:00:00Z"));  // Monday 14 December, 09:00 in Rome
    Directory dir;
    dir.staff = [](const std::string& id) -> std::optional<StaffContact> {
      return StaffContact{id, "Marco Bosio", "marco@asti.example"};
    };
    dir.agents = [] { return std::vector<StaffContact>{{"agent-1", "Davide Conti", "davide@pes.example"}}; };
    dir.slug = [](tenants::TenantId) { return std::string("asti"); };
    Options o;
    o.public_url = "http://hub.example";
    o.retention_months = 24;
    files::FileService files(app_->database(), clock);
    audit::AuditService audit(app_->database(), clock);
    HelpdeskService svc(app_->database(), clock, sp::testing::locales(), files, audit, dir, o);
    const auto marco = staff("asti-op-1", "Marco Bosio", asti_, Role::operator_);
    const auto luca = staff("novara-admin-1", "Luca Colombo", novara_, Role::body_admin);
    const auto agent = staff("agent-1", "Davide Conti", 0, Role::helpdesk);

    auto t =
        svc.open(&marco, asti_, {"services", "normal", "Il modulo della mensa non si apre", "Da ieri.", ""});
    ASSERT_TRUE(t.ok()) << t.error().code;
    EXPECT_EQ(t->channel, "web");
    EXPECT_EQ(outbox_count("helpdesk.new", "davide@pes.example"), 1u) << "new ticket → the agents";
    // Refusals: a body's staff for another body, an empty text (the field named), a counter operator.
    EXPECT_EQ(svc.open(&luca, asti_, {"services", "", "x", "y", ""}).error().http_status, 403);
    EXPECT_EQ(svc.open(&marco, asti_, {"services", "", "Oggetto", " ", ""}).error().field, "text");
    EXPECT_EQ(svc.open(&marco, asti_, {"nope", "", "Oggetto", "t", ""}).error().code, "helpdesk.category");

    // 10:00: the agent answers and waits for the body. First response after one business hour.
    clock.set(at("2026-12-14T09:00:00Z"));
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"reply", "Quale browser usate?", true, ""}).ok());
    EXPECT_EQ(outbox_count("helpdesk.reply", "marco@asti.example"), 1u) << "agent's reply → the opener";
    auto v = svc.view(&agent, 0, t->id);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->ticket.state, State::waiting);
    EXPECT_EQ(v->ticket.first_response_s, 3600);
    EXPECT_FALSE(v->sla.running);
    EXPECT_TRUE(v->sla.first_response_met);  // normal: 8 h
    // Two days later, still one hour spent: paused while waiting.
    clock.set(at("2026-12-16T08:00:00Z"));
    v = svc.view(&agent, 0, t->id);
    EXPECT_EQ(v->sla.resolution.left_s, 2700 * 60 - 3600);
    EXPECT_FALSE(v->sla.resolution.due.has_value());
    // The body replies: open again, the clock runs from now.
    ASSERT_TRUE(svc.body_reply(&marco, asti_, t->id, "Firefox 128.").ok());
    clock.set(at("2026-12-16T09:00:00Z"));
    v = svc.view(&agent, 0, t->id);
    EXPECT_EQ(v->ticket.state, State::open);
    EXPECT_TRUE(v->sla.running);
    EXPECT_EQ(v->sla.resolution.left_s, 2700 * 60 - 2 * 3600);
    // Urgent: the target becomes 8 h, the two hours stay spent; six business hours later it is breached.
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"priority", "", false, "urgent"}).ok());
    v = svc.view(&agent, 0, t->id);
    EXPECT_EQ(v->sla.resolution.left_s, 6 * 3600);
    EXPECT_EQ(*v->sla.resolution.due, at("2026-12-16T15:00:00Z"));  // Wednesday 16:00 in Rome
    auto other = svc.open(&marco, asti_, {"other", "low", "Una domanda", "Quando?", ""});
    ASSERT_TRUE(other.ok());
    // Thursday 09:30: 1 h on Monday, 9 h on Wednesday, 30 min today: 10.5 business hours spent.
    clock.set(at("2026-12-17T08:30:00Z"));
    v = svc.view(&agent, 0, t->id);
    EXPECT_TRUE(v->sla.resolution.breached);
    EXPECT_EQ(v->sla.resolution.left_s, -150 * 60);
    auto queue = svc.queue(&agent);
    ASSERT_TRUE(queue.ok());
    ASSERT_GE(queue->size(), 2u);
    EXPECT_EQ(queue->front().ticket.id, t->id) << "the breached ticket first";
    EXPECT_EQ(svc.queue(&marco).error().http_status, 403);

    // Internal notes are the agents' only; the body's staff never see them.
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"note", "Bug noto, ticket interno 42", false, ""}).ok());
    auto body_view = svc.view(&marco, asti_, t->id);
    ASSERT_TRUE(body_view.ok());
    for (const auto& e : body_view->events) EXPECT_NE(e.text, "Bug noto, ticket interno 42");
    // The tenant wall in the service: another body's staff get 403 on Asti, 404 under their own body.
    EXPECT_EQ(svc.view(&luca, asti_, t->id).error().http_status, 403);
    EXPECT_EQ(svc.view(&luca, novara_, t->id).error().http_status, 404);
    EXPECT_EQ(svc.body_reply(&luca, novara_, t->id, "x").error().http_status, 404);
    EXPECT_EQ(svc.view(&marco, 0, t->id).error().http_status, 403) << "the agents' view";

    // Redaction: the opening message's text is gone, a redaction event says who and when.
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"redact", "", false, "1"}).ok());
    body_view = svc.view(&marco, asti_, t->id);
    EXPECT_TRUE(body_view->events.front().redacted);
    EXPECT_EQ(body_view->events.front().text, "");
    EXPECT_EQ(body_view->events.back().kind, "redacted");
    audit::Query q;
    q.action = "helpdesk.redact";
    auto redactions = audit.entries(asti_, q);
    ASSERT_EQ(redactions.entries.size(), 1u);
    EXPECT_EQ(redactions.entries.front().entry.actor_id, "agent-1");

    // Resolved, then the body's reply reopens; closed takes no more replies.
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"state", "", false, "resolved"}).ok());
    ASSERT_TRUE(svc.body_reply(&marco, asti_, t->id, "Ancora no.").ok());
    EXPECT_EQ(svc.view(&agent, 0, t->id)->ticket.state, State::open);
    EXPECT_EQ(svc.agent_change(&agent, t->id, {"state", "", false, "new"}).error().code, "helpdesk.state");
    ASSERT_TRUE(svc.agent_change(&agent, t->id, {"state", "", false, "closed"}).ok());
    EXPECT_EQ(svc.body_reply(&marco, asti_, t->id, "?").error().code, "helpdesk.closed");

    // Retention: 24 months after closing, not a day before, the texts and the subject are purged.
    clock.set(at("2028-12-16T08:00:00Z"));
    EXPECT_EQ(svc.purge_expired(), 0);
    clock.set(at("2028-12-18T08:00:00Z"));
    EXPECT_EQ(svc.purge_expired(), 1);
    v = svc.view(&agent, 0, t->id);
    EXPECT_EQ(v->ticket.subject, "");
    EXPECT_TRUE(v->ticket.purged_at.has_value());
    for (const auto& e : v->events) EXPECT_EQ(e.text, "") << e.kind;
    EXPECT_EQ(v->events.back().kind, "purged");
    EXPECT_TRUE(audit.verify(asti_).intact);
    EXPECT_EQ(svc.view(&agent, 0, other->id)->ticket.subject, "Una domanda") << "not closed: kept";
    // The history is append-only on both engines.
    EXPECT_ANY_THROW(app_->database().write([&](db::Conn& tx) {
      tx.exec("UPDATE helpdesk_events SET kind = 'x' WHERE ticket_id = $1", {t->id});
    }));
    EXPECT_ANY_THROW(app_->database().write(
        [&](db::Conn& tx) { tx.exec("DELETE FROM helpdesk_events WHERE ticket_id = $1", {t->id}); }));
  }

  // The hub's settings change the SLA as docs/helpdesk.md says: a ticket's running stretch is counted with
  // the calendar and targets in force, the time stored at a pause stays; only the hub's administrators.
  void settings_with_a_test_clock() {
    time::TestClock clock(at("2027-01-11T08:00:00Z"));  // Monday 11 January 2027, 09:00 in Rome
    Directory dir;
    dir.agents = [] { return std::vector<StaffContact>{}; };
    files::FileService files(app_->database(), clock);
    audit::AuditService audit(app_->database(), clock);
    HelpdeskService svc(app_->database(), clock, sp::testing::locales(), files, audit, dir, Options{});
    const auto marco = staff("asti-op-1", "Marco Bosio", asti_, Role::operator_);
    const auto agent = staff("agent-1", "Davide Conti", 0, Role::helpdesk);
    const auto admin = staff("hub-admin-1", "Amministratore", 0, Role::hub_admin);
    auto running = svc.open(&marco, asti_, {"services", "normal", "Stampa", "Non stampa.", ""});
    auto paused = svc.open(&marco, asti_, {"services", "normal", "Firma", "Non firma.", ""});
    ASSERT_TRUE(running.ok() && paused.ok());
    clock.set(at("2027-01-11T10:00:00Z"));  // 11:00: two business hours, then waiting for the body
    ASSERT_TRUE(svc.agent_change(&agent, paused->id, {"reply", "Quale file?", true, ""}).ok());
    clock.set(at("2027-01-13T09:00:00Z"));  // Wednesday 10:00: 9 + 9 + 1 hours for the running one
    const auto left = [&](const std::string& id) { return svc.view(&agent, 0, id)->sla.resolution.left_s; };
    EXPECT_EQ(left(running->id), 2700 * 60 - 19 * 3600);
    // Tuesday becomes a closing day of the centre: the running stretch loses it, the paused time stays.
    EXPECT_EQ(svc.add_holiday(&agent, "2027-01-12", "Chiusura").error().http_status, 403);
    EXPECT_EQ(svc.add_holiday(&marco, "2027-01-12", "Chiusura").error().http_status, 403);
    EXPECT_EQ(svc.add_holiday(&admin, "12/01/2027", "Chiusura").error().code, "helpdesk.holiday_day");
    EXPECT_EQ(svc.add_holiday(&admin, "2027-01-12", " ").error().field, "name");
    ASSERT_TRUE(svc.add_holiday(&admin, "2027-01-12", "Chiusura straordinaria").ok());
    EXPECT_EQ(left(running->id), 2700 * 60 - 10 * 3600);
    EXPECT_EQ(left(paused->id), 2700 * 60 - 2 * 3600);
    // A shorter target applies at once, with the time spent.
    auto s = svc.settings(&agent);
    ASSERT_TRUE(s.ok()) << "agents may read the settings";
    const auto original = s->targets;
    auto targets = original;
    for (auto& t : targets)
      if (t.category == "services" && t.priority == Priority::normal) t.targets.resolution_min = 1200;
    EXPECT_EQ(svc.set_targets(&agent, targets).error().http_status, 403);
    ASSERT_TRUE(svc.set_targets(&admin, targets).ok());
    EXPECT_EQ(left(running->id), 10 * 3600);
    auto bad = targets;
    for (auto& t : bad)
      if (t.category == "access" && t.priority == Priority::high) t.targets.resolution_min = 10;
    EXPECT_EQ(svc.set_targets(&admin, bad).error().field, "res_access_high");
    // Office hours 09:00–13:00: Monday counts 4 hours, Wednesday 1.
    EXPECT_EQ(svc.set_office_hours(&admin, "18:00", "09:00").error().field, "close");
    EXPECT_EQ(svc.set_office_hours(&admin, "9", "13:00").error().field, "open");
    ASSERT_TRUE(svc.set_office_hours(&admin, "09:00", "13:00").ok());
    EXPECT_EQ(left(running->id), 20 * 3600 - 5 * 3600);
    // Back as they were (the pages below run on the same database); each change is on the hub's chain.
    ASSERT_TRUE(svc.set_office_hours(&admin, "09:00", "18:00").ok());
    ASSERT_TRUE(svc.set_targets(&admin, original).ok());
    ASSERT_TRUE(svc.remove_holiday(&admin, "2027-01-12").ok());
    EXPECT_EQ(svc.remove_holiday(&admin, "2027-01-12").error().http_status, 404);
    EXPECT_EQ(left(running->id), 2700 * 60 - 19 * 3600);
    audit::Query q;
    q.action = "helpdesk.targets";
    EXPECT_EQ(audit.entries(0, q).entries.size(), 2u);
    EXPECT_TRUE(audit.verify(0).intact);
  }

  void pages_walls_and_api() {
    const auto op = operator_session();
    const auto agent = staff_session("helpdesk@pes.example", "Polo-helpdesk-2026!");
    const auto novara = novara_session();
    ASSERT_FALSE(agent.empty());
    // The agent publishes an answer; the staff's new-ticket form shows it before sending.
    auto pub = post_form("/hub/assistenza/risposte", agent,
                         "category=services&title=Il+modulo+non+si+apre&text=Svuotare+la+cache+del+browser.");
    ASSERT_EQ(pub.status, 303) << pub.body;
    const std::string form =
        "category=services&priority=normal&subject=Il+modulo+della+mensa+non+si+apre&"
        "text=Da+ieri+il+modulo+resta+bianco.";
    auto first = post_form("/backoffice/asti/assistenza/nuova", op, form);
    ASSERT_EQ(first.status, 200);
    EXPECT_NE(first.body.find("id=\"hd-suggested\""), npos);
    EXPECT_NE(first.body.find("Svuotare la cache del browser."), npos);
    EXPECT_NE(first.body.find("Da ieri il modulo resta bianco."), npos) << "what was typed is kept";
    EXPECT_NE(first.body.find("id=\"hd-personal-data\""), npos);
    // Sent for real, with a log file attached (the form is multipart).
    auto sent = post_multipart("/backoffice/asti/assistenza/nuova", op,
                               {{"category", "services"},
                                {"priority", "normal"},
                                {"subject", "Il modulo della mensa non si apre"},
                                {"text", "Da ieri il modulo resta bianco."},
                                {"answers_seen", "1"}},
                               {{"files", "console.txt", "text/plain", "TypeError: form is undefined\n"}});
    ASSERT_EQ(sent.status, 303) << sent.body;
    const auto loc = location(sent);
    ASSERT_EQ(loc.rfind("/backoffice/asti/assistenza/", 0), 0u) << loc;
    const auto id = loc.substr(28, loc.find('?') - 28);
    const std::string body_page = "/backoffice/asti/assistenza/" + id;
    const std::string hub_page = "/hub/assistenza/" + id;
    EXPECT_NE(get("/backoffice/asti/assistenza", op).body.find(id), npos);
    // The attachment: the body's staff and the agents download it; Novara does not.
    auto file = get(body_page + "/allegati/1", op);
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(file.body, "TypeError: form is undefined\n");
    EXPECT_EQ(get(hub_page + "/allegati/1", agent).status, 200);
    EXPECT_EQ(get("/backoffice/novara/assistenza/" + id + "/allegati/1", novara).status, 404);
    EXPECT_EQ(get(body_page + "/allegati/1", novara).status, 403);
    // An error keeps what was typed and names the field.
    auto bad =
        post_form("/backoffice/asti/assistenza/nuova", op, "category=services&subject=&text=Testo+scritto");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("Testo scritto"), npos);
    EXPECT_NE(bad.body.find("data-code=\"helpdesk.subject\""), npos);

    // The agent: the queue, a reply that waits for the body (paused), an internal note.
    auto queue = get("/hub/assistenza", agent);
    ASSERT_EQ(queue.status, 200);
    EXPECT_NE(queue.body.find(id), npos);
    ASSERT_EQ(post_form(hub_page, agent, "action=reply&wait=1&text=Che+browser+usate%3F").status, 303);
    ASSERT_EQ(post_form(hub_page, agent, "action=note&text=Nota+solo+per+noi").status, 303);
    auto agent_view = get(hub_page, agent);
    EXPECT_NE(agent_view.body.find("data-sla=\"paused\""), npos);
    EXPECT_NE(agent_view.body.find("Nota solo per noi"), npos);
    auto body_view = get(body_page, op);
    ASSERT_EQ(body_view.status, 200);
    EXPECT_NE(body_view.body.find("Che browser usate?"), npos);
    EXPECT_NE(body_view.body.find("id=\"hd-waiting\""), npos);
    EXPECT_EQ(body_view.body.find("Nota solo per noi"), npos) << "internal notes stay internal";
    ASSERT_EQ(post_form(body_page, op, "text=Firefox").status, 303);
    EXPECT_NE(get(hub_page, agent).body.find("data-sla=\"running\""), npos);
    EXPECT_NE(get(hub_page, agent, "en").body.find("In progress"), npos);

    // A phone call logged by the agent for Asti: Asti's staff see it; who called is required.
    const std::string call =
        "body=asti&category=access&priority=urgent&subject=Account+bloccato&"
        "text=Il+collega+non+entra+nel+back+office.";
    auto no_caller = post_form("/hub/assistenza/nuova", agent, call);
    EXPECT_EQ(no_caller.status, 400);
    EXPECT_NE(no_caller.body.find("data-code=\"helpdesk.caller\""), npos);
    EXPECT_NE(no_caller.body.find("Il collega non entra nel back office."), npos);
    auto logged = post_form("/hub/assistenza/nuova", agent, call + "&caller=Giulia+Ferraris");
    ASSERT_EQ(logged.status, 303) << logged.body;
    EXPECT_NE(get("/backoffice/asti/assistenza", op).body.find("Account bloccato"), npos);
    EXPECT_NE(get(location(logged).substr(0, location(logged).find('?')), agent).body.find("Giulia Ferraris"),
              npos);

    // Novara's staff: Asti's ticket neither under Asti's URL (403) nor under Novara's (404).
    EXPECT_EQ(get(body_page, novara).status, 403);
    EXPECT_EQ(get("/backoffice/novara/assistenza/" + id, novara).status, 404);
    EXPECT_EQ(post_form("/backoffice/novara/assistenza/" + id, novara, "text=x").status, 404);
    EXPECT_EQ(get("/backoffice/novara/assistenza", novara).body.find(id), npos);
    EXPECT_EQ(get(hub_page, novara).status, 403);
    EXPECT_EQ(get("/hub/assistenza", op).status, 403) << "the queue is the agents'";
    // The API: Asti's key reads it (no internal note), Novara's key gets 403 on Asti and 404 on its own.
    const auto asti_key = api_key(asti_, {"helpdesk:read"});
    const auto novara_key = api_key(novara_, {"helpdesk:read"});
    auto api = this->api("GET", "/api/v1/backoffice/asti/assistenza/" + id, asti_key);
    ASSERT_EQ(api.status, 200) << api.body;
    EXPECT_NE(api.body.find("Che browser usate?"), npos);
    EXPECT_EQ(api.body.find("Nota solo per noi"), npos);
    EXPECT_EQ(this->api("GET", "/api/v1/backoffice/asti/assistenza/" + id, novara_key).status, 403);
    EXPECT_EQ(this->api("GET", "/api/v1/backoffice/novara/assistenza/" + id, novara_key).status, 404);

    // The agent never reaches a citizen's case: the case page, its queue and the API are refused.
    std::string case_id;
    app_->database().read([&](db::Conn& c) {
      auto r = c.query_one("SELECT id FROM cases WHERE tenant_id = $1 LIMIT 1", {asti_});
      if (r) case_id = r->text(0);
    });
    ASSERT_FALSE(case_id.empty());
    EXPECT_EQ(get("/backoffice/asti/pratiche/" + case_id, op).status, 200) << "the body's staff may";
    EXPECT_EQ(get("/backoffice/asti/pratiche/" + case_id, agent).status, 403);
    EXPECT_EQ(get("/backoffice/asti/pratiche", agent).status, 403);
    auto api_as_agent = request("GET", "/api/v1/backoffice/asti/protocollo/registrazioni", agent);
    EXPECT_EQ(send(api_as_agent).status, 401) << "a session is no API key";

    // The knowledge base: the agent edits the answer (a new version), then withdraws it; the staff's
    // search then no longer finds it, the agent's page keeps every version.
    std::string answer_id;
    app_->database().read([&](db::Conn& c) {
      answer_id =
          c.query_one("SELECT id FROM helpdesk_answers WHERE title = $1", {"Il modulo non si apre"})->text(0);
    });
    const std::string answer_page = "/hub/assistenza/risposte/" + answer_id;
    EXPECT_EQ(get(answer_page, op).status, 403);
    EXPECT_EQ(post_form(answer_page, op, "action=withdraw&version=1").status, 403);
    auto no_title =
        post_form(answer_page, agent, "action=edit&version=1&category=services&title=&text=Nuovo+testo");
    EXPECT_EQ(no_title.status, 400);
    EXPECT_NE(no_title.body.find("Nuovo testo"), npos) << "what was typed is kept";
    ASSERT_EQ(post_form(answer_page, agent,
                        "action=edit&version=1&category=services&title=Il+modulo+non+si+apre&"
                        "text=Aggiornare+il+browser+alla+versione+corrente.")
                  .status,
              303);
    EXPECT_NE(get("/backoffice/asti/assistenza?q=aggiornare+browser", op).body.find("versione corrente"),
              npos);
    EXPECT_EQ(post_form(answer_page, agent, "action=withdraw&version=1").status, 409) << "a stale version";
    ASSERT_EQ(post_form(answer_page, agent, "action=withdraw&version=2").status, 303);
    EXPECT_EQ(get("/backoffice/asti/assistenza?q=aggiornare+browser", op).body.find("versione corrente"),
              npos);
    EXPECT_EQ(get("/hub/assistenza/risposte?q=aggiornare+browser", agent).body.find("versione corrente"),
              npos);
    auto history = get(answer_page, agent);
    ASSERT_EQ(history.status, 200);
    EXPECT_NE(history.body.find("Svuotare la cache del browser."), npos) << "the first version";
    EXPECT_NE(history.body.find("id=\"hd-answer-withdrawn\""), npos);
    EXPECT_EQ(history.body.find("id=\"hd-answer-edit\""), npos) << "a withdrawn answer is not edited";
    EXPECT_EQ(post_form(answer_page, agent, "action=edit&version=3&category=services&title=T&text=x").status,
              409);
    EXPECT_ANY_THROW(app_->database().write([&](db::Conn& tx) {
      tx.exec("DELETE FROM helpdesk_answer_versions WHERE answer_id = $1", {answer_id});
    }));

    // The settings page: the hub's administrators only; a refused change keeps what was typed.
    const auto hub_admin = staff_session("admin@pes.example", "Polo-demo-2026!");
    EXPECT_EQ(get("/hub/assistenza/impostazioni", agent).status, 403);
    EXPECT_EQ(get("/hub/assistenza/impostazioni", op).status, 403);
    auto settings = get("/hub/assistenza/impostazioni", hub_admin);
    ASSERT_EQ(settings.status, 200);
    EXPECT_NE(settings.body.find("name=\"res_access_urgent\" value=\"480\""), npos);
    auto hours =
        post_form("/hub/assistenza/impostazioni", hub_admin, "action=hours&open=08%3A30&close=07%3A00");
    EXPECT_EQ(hours.status, 400);
    EXPECT_NE(hours.body.find("data-code=\"helpdesk.hours\""), npos);
    EXPECT_NE(hours.body.find("value=\"08:30\""), npos);
    ASSERT_EQ(post_form("/hub/assistenza/impostazioni", hub_admin,
                        "action=add_holiday&day=2026-05-05&name=San+Secondo")
                  .status,
              303);
    EXPECT_NE(get("/hub/assistenza/impostazioni", hub_admin, "en").body.find("San Secondo"), npos);
    ASSERT_EQ(
        post_form("/hub/assistenza/impostazioni", hub_admin, "action=remove_holiday&day=2026-05-05").status,
        303);
  }

  // The knowledge base's full-text search (migration 0070) on this database: case and accents do not
  // matter, an Italian word finds its other forms, the title ranks above the text, withdrawn answers
  // are gone, and "any word" (the new-ticket form) finds what one word matches.
  void knowledge_base_full_text() {
    time::TestClock clock(at("2027-02-01T08:00:00Z"));
    Directory dir;
    dir.agents = [] { return std::vector<StaffContact>{}; };
    files::FileService files(app_->database(), clock);
    audit::AuditService audit(app_->database(), clock);
    HelpdeskService svc(app_->database(), clock, sp::testing::locales(), files, audit, dir, Options{});
    const auto agent = staff("agent-1", "Davide Conti", 0, Role::helpdesk);
    const auto marco = staff("asti-op-1", "Marco Bosio", asti_, Role::operator_);
    auto in_text = svc.publish(&agent, "services", "Certificati storici",
                               "Per le residenze precedenti serve il certificato storico dell'anagrafe.");
    clock.set(at("2027-02-01T09:00:00Z"));
    auto in_title =
        svc.publish(&agent, "services", "Anagrafe: cambio di residenza",
                    "La dichiarazione si presenta online; perché sia registrata serve l'indirizzo.");
    clock.set(at("2027-02-01T10:00:00Z"));
    auto other =
        svc.publish(&agent, "access", "Località e frazioni", "Le frazioni della località nel modulo.");
    ASSERT_TRUE(in_text.ok() && in_title.ok() && other.ok());
    const auto ids = [&](const std::string& q, bool every = true) {
      std::vector<std::string> out;
      auto found = svc.search(&marco, q, every);
      EXPECT_TRUE(found.ok()) << q;
      if (found.ok())
        for (const auto& a : *found) out.push_back(a.id);
      return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(ids("anagrafe"), (V{in_title->id, in_text->id})) << "the title first, though published later";
    EXPECT_EQ(ids("ANAGRAFE residenza"), (V{in_title->id, in_text->id})) << "'residenza' finds 'residenze'";
    EXPECT_EQ(ids("perche"), V{in_title->id}) << "accents do not matter";
    EXPECT_EQ(ids("localita"), V{other->id});
    EXPECT_EQ(ids("LOCALITÀ"), V{other->id});
    EXPECT_EQ(ids("anagrafe frazioni"), V{}) << "every word";
    EXPECT_EQ(ids("anagrafe frazioni", false).size(), 3u) << "any word";
    EXPECT_EQ(ids("a' \"*) OR:"), ids("")) << "no word: the newest, operators are words' separators";
    // Withdrawn: gone from every search; an edit is found by its new words only.
    ASSERT_TRUE(svc.withdraw_answer(&agent, in_text->id, 1).ok());
    EXPECT_EQ(ids("anagrafe"), V{in_title->id});
    ASSERT_TRUE(svc.edit_answer(&agent, other->id, 1, "access", "Frazioni", "Le borgate del comune.").ok());
    EXPECT_EQ(ids("localita"), V{});
    EXPECT_EQ(ids("borgate"), V{other->id});
  }

  // Applications through the API (issue 19's API channel): Asti's key submits for a citizen with the
  // portal's form, validation, protocol and notice; a retry is the same application; Novara's key is
  // refused; the statistics count one application on the API channel.
  void applications_through_the_api() {
    const auto key = api_key(asti_, {"applications:write", "applications:read"});
    const auto caf = api_key(asti_, {"applications:write", "applications:read"});  // another intermediary
    const auto read_only = api_key(asti_, {"applications:read"});
    const auto novara_key = api_key(novara_, {"applications:write", "applications:read"});
    const std::string url = "/api/v1/backoffice/asti/applications";
    json::object answers{
        {"applicant_residence",
         json::object{
             {"street", "Corso Alfieri"}, {"number", "12"}, {"postcode", "14100"}, {"municipality", "Asti"}}},
        {"acting_as", "interessato"},
        {"records_description", "Delibera di giunta sul piano parcheggi"},
        {"reason", "Interesse diretto: abito nella via interessata."},
        {"mode", "visione"},
        {"counterparties_known", false},
        {"declaration_costs", true},
        {"declaration_truth", true},
        {"declaration_privacy", true}};
    json::object citizen{{"fiscal_code", "frrnna78s70a479x"},
                         {"given_name", "Anna"},
                         {"family_name", "Ferrero"},
                         {"birth_date", "1978-11-30"},
                         {"email", "anna.ferrero@example.it"}};
    const auto body = [&](const json::object& a) {
      return json::serialize(json::object{{"service", "accesso-atti"}, {"citizen", citizen}, {"answers", a}});
    };
    const std::pair<std::string, std::string> idem{"idempotency-key", "caf-asti-2027-0001"};
    auto no_key = api("POST", url, key, body(answers));
    EXPECT_EQ(no_key.status, 400);
    EXPECT_NE(no_key.body.find("applications.idempotency_key"), npos);
    auto sent = api("POST", url, key, body(answers), {idem});
    ASSERT_EQ(sent.status, 201) << sent.body;
    const auto first = json::parse(sent.body).as_object();
    const std::string id(first.at("id").as_string());
    EXPECT_EQ(first.at("state").as_string(), "registered");
    EXPECT_EQ(first.at("channel").as_string(), "api");
    EXPECT_EQ(first.at("protocol").as_string().size(), 12u) << "0000042/2027";
    EXPECT_EQ(header(sent, "location"), url + "/" + id);
    // The retry: the same application, nothing new.
    auto again = api("POST", url, key, body(answers), {idem});
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json::parse(again.body).at("id").as_string(), id);
    EXPECT_EQ(json::parse(again.body).at("protocol").as_string(), first.at("protocol").as_string());
    // The same key with other answers is a mistake, said as such.
    auto changed = answers;
    changed["records_reference"] = "Delibera n. 12/2027";
    EXPECT_EQ(api("POST", url, key, body(changed), {idem}).status, 409);
    // A missing answer: 422 naming the field, in the request's language; nothing sent.
    auto missing = answers;
    missing.erase("records_description");
    auto bad = api("POST", url, key, body(missing), {{"idempotency-key", "caf-asti-2027-0002"}});
    ASSERT_EQ(bad.status, 422) << bad.body;
    const auto problem = json::parse(bad.body).as_object();
    EXPECT_EQ(problem.at("error").at("field").as_string(), "records_description");
    const auto& issue = problem.at("issues").as_array().at(0).as_object();
    EXPECT_EQ(issue.at("field").as_string(), "records_description");
    EXPECT_EQ(issue.at("code").as_string(), "required");
    auto en = request("POST", url, "", "en");
    en.headers.emplace_back("authorization", "Bearer " + key);
    en.headers.emplace_back("content-type", "application/json");
    en.headers.emplace_back("idempotency-key", "caf-asti-2027-0002");
    en.body = body(missing);
    const auto bad_en = json::parse(send(en).body);
    EXPECT_NE(bad_en.at("issues").at(0).at("message"), issue.at("message")) << "in the caller's language";
    // A citizen's code that is not one; a read-only key; Novara's key on Asti (403) and its own (404).
    citizen["fiscal_code"] = "FRRNNA78S70A479Y";
    EXPECT_EQ(api("POST", url, key, body(answers), {{"idempotency-key", "x-3"}}).status, 400);
    citizen["fiscal_code"] = "FRRNNA78S70A479X";
    EXPECT_EQ(api("POST", url, read_only, body(answers), {{"idempotency-key", "x-4"}}).status, 403);
    EXPECT_EQ(api("POST", url, novara_key, body(answers), {{"idempotency-key", "x-5"}}).status, 403);
    EXPECT_EQ(api("GET", url + "/" + id, novara_key).status, 403);
    EXPECT_EQ(api("GET", "/api/v1/backoffice/novara/applications/" + id, novara_key).status, 404);
    EXPECT_EQ(api("GET", url + "/" + id, caf).status, 404) << "another key's application";
    auto state = api("GET", url + "/" + id, read_only);
    EXPECT_EQ(state.status, 404) << "the read-only key did not submit it";
    state = api("GET", url + "/" + id, key);
    ASSERT_EQ(state.status, 200) << state.body;
    EXPECT_EQ(json::parse(state.body).at("protocol").as_string(), first.at("protocol").as_string());
    const auto op = operator_session();
    EXPECT_EQ(request_as_api_with_session(url, op), 401) << "a session is no API key";

    // The case: channel api, the citizen as applicant, the key as the actor in the audit chain.
    app_->database().read([&](db::Conn& c) {
      auto r = c.query_one("SELECT channel, applicant_cf, applicant_name FROM cases WHERE id = $1", {id});
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->text(0), "api");
      EXPECT_EQ(r->text(1), "FRRNNA78S70A479X");
      EXPECT_EQ(r->text(2), "Anna Ferrero");
      EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM cases WHERE channel = 'api'")->i64(0), 1);
    });
    audit::AuditService audit(app_->database(), time::system_clock());
    audit::Query q;
    q.action = "case.submit";
    q.record_id = id;
    auto entries = audit.entries(asti_, q).entries;
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries.front().entry.channel, audit::Channel::api);
    EXPECT_EQ(entries.front().entry.on_behalf_of, "FRRNNA78S70A479X");

    // The statistics count it on the API channel.
    const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
    auto stats = get("/backoffice/asti/statistiche.json", admin);
    ASSERT_EQ(stats.status, 200);
    std::int64_t api_received = 0;
    const auto figures = json::parse(stats.body);
    for (const auto& row : figures.at("figures").as_array())
      if (row.at("figure").as_string() == "applications_received" && row.at("dimension").as_string() == "api")
        api_received += row.at("value").to_number<std::int64_t>();
    EXPECT_EQ(api_received, 1);
  }

  int request_as_api_with_session(const std::string& url, const std::string& session) {
    auto req = request("POST", url, session);
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("idempotency-key", "x-6");
    req.body = "{}";
    return send(req).status;
  }

  // The hub's staff (/hub/personale): its administrators invite, change roles and revoke, each audited on
  // the hub's chain; the last administrator stays; a body's administrator and the agents are refused.
  void hub_staff_with_roles() {
    const auto hub_admin = staff_session("admin@pes.example", "Polo-demo-2026!");
    const auto asti_admin = staff_session("admin@asti.example", "Asti-admin-2026!");
    const auto agent = staff_session("helpdesk@pes.example", "Polo-helpdesk-2026!");
    EXPECT_EQ(get("/hub/personale", asti_admin).status, 403);
    EXPECT_EQ(get("/hub/personale", agent).status, 403);
    EXPECT_EQ(post_form("/hub/personale", asti_admin,
                        "action=invite&display_name=X&email=x%40asti.example&roles=hub_admin")
                  .status,
              403);
    auto page = get("/hub/personale", hub_admin);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("helpdesk@pes.example"), npos);
    EXPECT_EQ(page.body.find("admin@asti.example"), npos) << "a body's staff are not the hub's";
    // An invitation without an e-mail keeps what was typed; then sent, with the invitation e-mail.
    auto no_email = post_form("/hub/personale", hub_admin,
                              "action=invite&display_name=Giulia+Neri&email=&roles=helpdesk");
    EXPECT_EQ(no_email.status, 400);
    EXPECT_NE(no_email.body.find("value=\"Giulia Neri\""), npos);
    EXPECT_NE(no_email.body.find("data-code=\"staff.email\""), npos);
    ASSERT_EQ(post_form("/hub/personale", hub_admin,
                        "action=invite&display_name=Giulia+Neri&email=giulia%40pes.example&roles=helpdesk&"
                        "roles=tourism_editor")
                  .status,
              303);
    auto giulia = app_->staff().account_by_email("giulia@pes.example");
    ASSERT_TRUE(giulia.has_value());
    EXPECT_EQ(giulia->tenant_id, 0);
    EXPECT_EQ(giulia->roles, (std::set<Role>{Role::helpdesk, Role::tourism_editor}));
    app_->database().read([&](db::Conn& c) {
      EXPECT_EQ(
          c.query_one("SELECT COUNT(*) FROM outbox WHERE recipient = $1", {"giulia@pes.example"})->i64(0), 1);
    });
    // Roles changed; a body's role refused; an Asti account is not found here.
    ASSERT_EQ(
        post_form("/hub/personale", hub_admin, "action=roles&id=" + giulia->id + "&roles=counter_operator")
            .status,
        303);
    EXPECT_EQ(app_->staff().account(giulia->id)->roles, std::set<Role>{Role::counter_operator});
    auto body_role =
        post_form("/hub/personale", hub_admin, "action=roles&id=" + giulia->id + "&roles=operator");
    EXPECT_EQ(body_role.status, 400);
    const auto asti_op = app_->staff().account_by_email("operatore@asti.example");
    EXPECT_EQ(
        post_form("/hub/personale", hub_admin, "action=roles&id=" + asti_op->id + "&roles=helpdesk").status,
        404);
    // The last administrator: not without the role (the page says why), not deactivated by anyone.
    const auto admin = app_->staff().account_by_email("admin@pes.example");
    auto last = post_form("/hub/personale", hub_admin, "action=roles&id=" + admin->id + "&roles=helpdesk");
    EXPECT_EQ(last.status, 409);
    EXPECT_NE(last.body.find("data-code=\"staff.last_hub_admin\""), npos);
    Principal other = staff("someone-else", "Altro amministratore", 0, Role::hub_admin);
    EXPECT_EQ(app_->staff().deactivate(&other, admin->id).error().code, "staff.last_hub_admin");
    EXPECT_EQ(app_->staff().account(admin->id)->roles, std::set<Role>{Role::hub_admin});
    // A second administrator may be revoked: the first stays.
    ASSERT_TRUE(app_->staff().set_roles(&other, giulia->id, {Role::hub_admin, Role::helpdesk}).ok());
    // Revoked: inactive, signed out.
    ASSERT_EQ(post_form("/hub/personale", hub_admin, "action=revoke&id=" + giulia->id).status, 303);
    EXPECT_FALSE(app_->staff().account(giulia->id)->active);
    audit::AuditService audit(app_->database(), time::system_clock());
    for (const char* action : {"staff.created", "staff.roles_changed", "staff.deactivated"}) {
      audit::Query q;
      q.action = action;
      q.record_id = giulia->id;
      EXPECT_GE(audit.entries(0, q).entries.size(), 1u) << action;
    }
    EXPECT_TRUE(audit.verify(0).intact);
  }
};

TEST_P(HelpdeskTest, HelpdeskSlaPagesTenantWallsAndNoCases) {
  sla_with_a_test_clock();
  settings_with_a_test_clock();
  pages_walls_and_api();
  knowledge_base_full_text();
  applications_through_the_api();
  hub_staff_with_roles();  // last: it ends sessions and changes the hub's staff
}

INSTANTIATE_TEST_SUITE_P(Databases, HelpdeskTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         protocollo::webtest::dialect_name);

}  // namespace
}  // namespace sp::helpdesk::test
