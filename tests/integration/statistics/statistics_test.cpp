// Statistics (issue 19; docs/statistics.md) through the whole application without sockets, on both
// databases: known records of two bodies (Asti, Novara; no demo) seeded in 2024, each figure
// of both dashboards checked against them — Rome's months, the legal deadline's last hour in winter and
// summer, withdrawals that are not decisions, counted and reconciled receipts, certificates, the albo,
// messages — the CSV and the JSON carrying the same figures, and the tenant walls: Novara's administrator
// gets neither Asti's page nor its exports, a body's administrator not the hub's.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>

#include "app/app.hpp"
#include "cases/model.hpp"
#include "statistics/service.hpp"
#include "support/testing.hpp"

namespace {

namespace json = boost::json;
using sp::db::Dialect;

struct Env {
  std::unique_ptr<sp::testing::TempDir> files;
  std::unique_ptr<sp::testing::TestDatabase> database;
  std::unique_ptr<sp::app::App> app;
  sp::http::Hooks hooks;
  sp::http::ServerOptions options;
  std::unique_ptr<sp::identity::SessionService> sessions;
  std::map<std::string, std::string> tokens;
  std::int64_t asti = 0;
  std::int64_t novara = 0;
};
std::map<Dialect, std::unique_ptr<Env>>& envs() {
  static std::map<Dialect, std::unique_ptr<Env>> all;
  return all;
}

std::int64_t day(int y, unsigned m, unsigned d) {
  return sp::cases::day_number(
      sp::time::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}});
}

int seq = 0;

void insert_case(sp::db::Conn& tx, std::int64_t tenant, const std::string& channel, const std::string& state,
                 const std::string& submitted, const std::string& due, std::int64_t due_n,
                 const std::string& decided) {
  const std::string id = "stat-case-" + std::to_string(++seq);
  tx.exec(
      "INSERT INTO cases (id, tenant_id, service_code, title, form_code, form_version, applicant_cf, "
      "applicant_name, channel, answers, state, submitted_at, deadline_days, due_date, submission_key, "
      "decided_at, due_day, queue_due_day) VALUES ($1, $2, 'statistiche-prova', 'Prova', "
      "'statistiche-prova', "
      "1, 'RSSMRA80A01A479X', 'Mario Rossi', $3, '{}', $4, $5, 30, $6, $1, $7, $8, $8)",
      {id, tenant, channel, state, submitted, due,
       decided.empty() ? sp::db::Value{nullptr} : sp::db::Value{decided}, due_n});
}

void insert_receipt(sp::db::Conn& tx, std::int64_t tenant, const std::string& iuv, const std::string& at,
                    std::int64_t cents, const std::string& outcome) {
  tx.exec(
      "INSERT INTO payment_receipts (tenant_id, iuv, psp_id, receipt_id, payment_at, amount_cents, outcome, "
      "raw_payload, received_at) VALUES ($1, $2, 'PSPTEST', $3, $4, $5, $6, '<x/>', $4)",
      {tenant, iuv, "IUR-" + iuv, at, cents, outcome});
}

void seed(Env& e) {
  e.app->database().write([&](sp::db::Conn& tx) {
    const auto A = e.asti;
    const auto N = e.novara;
    // Asti's cases. Received: Jan 1 web; Feb 1 web + 1 counter (23:30 UTC on 31 January is February in
    // Rome); Mar 2 web; May 1 web. Decided: Feb 2 on time (one at 23:30 Rome on its due date, winter);
    // Mar 1 late; Jun 1 late (00:30 Rome the day after, summer). The withdrawal is not a decision.
    insert_case(tx, A, "online", "accepted", "2024-01-10T09:00:00.000Z", "2024-02-09", day(2024, 2, 9),
                "2024-02-01T10:00:00.000Z");
    insert_case(tx, A, "counter", "rejected", "2024-01-31T23:30:00.000Z", "2024-03-01", day(2024, 3, 1),
                "2024-03-05T10:00:00.000Z");
    insert_case(tx, A, "online", "accepted", "2024-02-10T10:00:00.000Z", "2024-02-20", day(2024, 2, 20),
                "2024-02-20T22:30:00.000Z");
    insert_case(tx, A, "online", "accepted", "2024-05-01T10:00:00.000Z", "2024-06-10", day(2024, 6, 10),
                "2024-06-10T22:30:00.000Z");
    insert_case(tx, A, "online", "in_progress", "2024-03-01T10:00:00.000Z", "2024-04-01", day(2024, 4, 1),
                "");
    insert_case(tx, A, "online", "withdrawn", "2024-03-02T10:00:00.000Z", "2024-04-02", day(2024, 4, 2),
                "2024-03-10T10:00:00.000Z");
    // Novara's: one received and decided in January, on time. (No case here has the channel "api":
    // integration_helpdesk submits one through the API and reads it in the export.)
    insert_case(tx, N, "online", "accepted", "2024-01-15T10:00:00.000Z", "2024-02-15", day(2024, 2, 15),
                "2024-01-20T10:00:00.000Z");

    // Help-desk tickets (category access, normal: first response within 480 business minutes, resolution
    // within 2700). Asti: January one answered and closed in time, one answered and resolved late;
    // February one answered in time, waiting for the body (resolution still running); March one never
    // answered, long breached by now. Novara: one in January, all in time.
    auto ticket = [&](std::int64_t t, int number, const std::string& state, const std::string& at,
                      std::optional<std::int64_t> first_response_s, std::int64_t elapsed, bool running) {
      tx.exec(
          "INSERT INTO helpdesk_tickets (id, number, tenant_id, category, priority, subject, state, channel, "
          "opened_by, opened_by_name, created_at, updated_at, first_response_at, first_response_s, "
          "sla_elapsed_s, sla_running, sla_since) VALUES ($1, $2, $3, 'access', 'normal', 'Prova', $4, "
          "'web', 'staff-1', 'Mario Rossi', $5, $5, $6, $7, $8, $9, $5)",
          {"stat-ticket-" + std::to_string(number), std::int64_t{number}, t, state, at,
           first_response_s ? sp::db::Value{at} : sp::db::Value{nullptr},
           first_response_s ? sp::db::Value{*first_response_s} : sp::db::Value{nullptr}, elapsed,
           std::int64_t{running ? 1 : 0}});
    };
    ticket(A, 9001, "closed", "2024-01-08T09:00:00.000Z", 3600, 10000, false);
    ticket(A, 9002, "resolved", "2024-01-09T09:00:00.000Z", 40000, 200000, false);
    ticket(A, 9003, "waiting", "2024-02-12T09:00:00.000Z", 100, 500, false);
    ticket(A, 9004, "new", "2024-03-04T08:00:00.000Z", std::nullopt, 0, true);
    ticket(N, 9005, "closed", "2024-01-10T09:00:00.000Z", 60, 7200, false);

    // Asti's receipts: January 10,00 reported + 25,50 not; a duplicate never counts; February's double
    // payment reported before its receipt arrived. Novara: 5,00 in March.
    insert_receipt(tx, A, "01000000000000001", "2024-01-05T10:00:00.000Z", 1000, "recorded");
    insert_receipt(tx, A, "01000000000000002", "2024-01-20T10:00:00.000Z", 2550, "recorded");
    insert_receipt(tx, A, "01000000000000003", "2024-01-21T10:00:00.000Z", 999, "duplicate");
    insert_receipt(tx, A, "01000000000000004", "2024-02-02T10:00:00.000Z", 700, "double_payment");
    insert_receipt(tx, N, "01000000000000005", "2024-03-02T10:00:00.000Z", 500, "recorded");
    tx.exec(
        "INSERT INTO payment_flows (tenant_id, flow_id, psp_id, psp_name, flow_time, flow_time_text, "
        "settlement_iur, settlement_date, receiver_id, declared_count, declared_total_cents, revoked_cents, "
        "source, xml, xml_sha256, imported_by, imported_at) VALUES ($1, 'FLOW-STAT', 'PSPTEST', 'PSP', "
        "'2024-02-03T10:00:00Z', '2024-02-03T10:00:00', 'SETTLE', '2024-02-03', '00000000000', 2, 1700, 0, "
        "'file', '<x/>', '" +
            std::string(64, 'a') + "', 'test', '2024-02-03T10:00:00.000Z')",
        {A});
    const auto flow = tx.query_one("SELECT id FROM payment_flows WHERE flow_id = 'FLOW-STAT'")->i64(0);
    tx.exec(
        "INSERT INTO payment_flow_rows (flow_pk, tenant_id, ordinal, iuv, iur, transfer_index, amount_cents, "
        "outcome, outcome_date, result) VALUES ($1, $2, 1, '01000000000000001', 'IUR-01000000000000001', 1, "
        "1000, 0, '2024-02-01', 'matched'), ($1, $2, 2, '01000000000000004', 'IUR-01000000000000004', 1, "
        "700, "
        "0, '2024-02-02', 'reported_no_receipt')",
        {flow, A});

    // Certificates: Asti 2 online in January, 1 counter in February, 1 refused; Novara 1 online in June.
    int n = 0;
    auto cert = [&](std::int64_t t, const std::string& channel, const std::string& state,
                    const std::string& at) {
      const std::string id = "stat-cert-" + std::to_string(++n);
      tx.exec(
          "INSERT INTO certificate_requests (id, tenant_id, token, channel, requester_cf, requester_name, "
          "requester_surname, requester_first, requester_type, subject_cf, subject_name, subject_surname, "
          "subject_first, kind, types, stamp_duty, fees, state, created_at, issued_at) VALUES ($1, $2, $1, "
          "$3, "
          "'RSSMRA80A01A479X', 'Mario Rossi', 'ROSSI', 'MARIO', 2, 'RSSMRA80A01A479X', 'Mario Rossi', "
          "'ROSSI', "
          "'MARIO', 'residenza', '1', 0, 0, $4, $5, $5)",
          {id, t, channel, state, at});
    };
    cert(A, "online", "issued", "2024-01-03T10:00:00.000Z");
    cert(A, "online", "issued", "2024-01-04T10:00:00.000Z");
    cert(A, "counter", "issued", "2024-02-04T10:00:00.000Z");
    cert(A, "online", "refused", "2024-02-05T10:00:00.000Z");
    cert(N, "online", "issued", "2024-06-05T10:00:00.000Z");

    // Albo: Asti 1 from the back office in January, 2 through the API in March.
    auto albo = [&](std::int64_t t, std::int64_t number, const std::string& channel, const std::string& at) {
      tx.exec(
          "INSERT INTO albo_publications (id, tenant_id, year, number, registered_at, act_type, issuer, "
          "office, "
          "responsible, subject, start_day, days, start_at, base_end_at, end_at, forget_on, created_by, "
          "channel) "
          "VALUES ($1, $2, 1990, $3, $4, 'avviso', 'Comune', 'Segreteria', 'Rossi', 'Avviso', '2024-01-01', "
          "15, "
          "$4, $4, $4, '2029-01-01', 'test', $5)",
          {"stat-albo-" + std::to_string(t) + "-" + std::to_string(number), t, number, at, channel});
    };
    albo(A, 1, "web", "2024-01-08T10:00:00.000Z");
    albo(A, 2, "api", "2024-03-08T10:00:00.000Z");
    albo(A, 3, "api", "2024-03-09T10:00:00.000Z");

    // Messages: Asti 2 e-mails (1 delivered) and 1 SMS in January; Novara 1 PEC in January.
    auto msg = [&](std::int64_t t, const std::string& channel, const std::string& status,
                   const std::string& at) {
      tx.exec(
          "INSERT INTO outbox (id, tenant_id, channel, recipient, body, created_at, next_attempt_at, status) "
          "VALUES ($1, $2, $3, 'x@example.org', 'testo', $4, $4, $5)",
          {"stat-msg-" + std::to_string(++n), t, channel, at, status});
    };
    msg(A, "email", "delivered", "2024-01-11T10:00:00.000Z");
    msg(A, "email", "queued", "2024-01-12T10:00:00.000Z");
    msg(A, "sms", "delivered", "2024-01-13T10:00:00.000Z");
    msg(N, "pec", "delivered", "2024-01-14T10:00:00.000Z");
  });
}

class StatisticsTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    auto& slot = envs()[GetParam()];
    if (!slot) {
      auto e = std::make_unique<Env>();
      e->files = std::make_unique<sp::testing::TempDir>();
      // Two bodies and sessions of their staff, no demo: seeding the demo cost most of this suite's time.
      e->database = std::make_unique<sp::testing::TestDatabase>(GetParam());
      {
        sp::tenants::TenantService tenants(e->database->db());
        auto hub = tenants.create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
        ASSERT_TRUE(hub.ok());
        for (auto [slug, name, istat, cf] : {std::tuple{"asti", "Comune di Asti", "005005", "00072360050"},
                                             {"novara", "Comune di Novara", "003106", "00912103504"}}) {
          sp::tenants::Body b;
          b.hub_id = *hub;
          b.slug = slug;
          b.name = name;
          b.istat_code = istat;
          b.fiscal_code = cf;
          auto id = tenants.create_body(b);
          ASSERT_TRUE(id.ok()) << slug << " " << id.error().code;
          (std::string(slug) == "asti" ? e->asti : e->novara) = *id;
        }
      }
      sp::Config config = sp::load_config("").value();
      config.share_dir = sp::testing::source_dir();
      config.oidc_rp_key_file = (e->files->path() / "rp.pem").string();
      config.audit_key_file = (e->files->path() / "audit.key").string();
      config.keys_dir = (e->files->path() / "keys").string();
      config.access_log = false;
      config.sim_idp = false;
      config.sim_pagopa = false;
      config.sim_anpr = false;
      config.database = e->database->url();
      e->app = std::make_unique<sp::app::App>(config);
      e->hooks = e->app->hooks();
      e->options = e->app->server_options();
      e->options.static_dir.clear();
      e->sessions =
          std::make_unique<sp::identity::SessionService>(e->app->database(), sp::time::system_clock());
      using sp::identity::Role;
      const std::vector<std::tuple<std::string, std::int64_t, Role>> staff = {
          {"hub", 0, Role::hub_admin},
          {"asti_admin", e->asti, Role::body_admin},
          {"asti_manager", e->asti, Role::office_manager},
          {"asti_operator", e->asti, Role::operator_},
          {"novara_admin", e->novara, Role::body_admin}};
      for (const auto& [who, body, role] : staff)
        e->tokens[who] =
            e->sessions
                ->start(sp::identity::NewSession{
                    sp::identity::PrincipalKind::staff, who + "@example.org", body, {role}, 2, who})
                .token;
      seed(*e);
      slot = std::move(e);
    }
    env_ = slot.get();
  }
  static void TearDownTestSuite() { envs().clear(); }

  sp::http::Response get(const std::string& target, const std::string& who) {
    sp::http::Request req;
    req.method = "GET";
    EXPECT_TRUE(sp::http::parse_target(req, target).ok()) << target;
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + env_->tokens.at(who));
    return sp::http::dispatch(env_->app->router(), env_->hooks, env_->options, req);
  }

  sp::statistics::Figures figures(std::int64_t tenant) {
    auto& s = env_->app->statistics();
    return s.compute(tenant, *sp::statistics::parse_window("2024-01", "2024-06", s.today()));
  }

  Env* env_ = nullptr;
};

const sp::statistics::MonthFigures& month(const sp::statistics::Figures& f, const std::string& m) {
  for (const auto& x : f.months)
    if (x.month == m) return x;
  throw std::runtime_error("no month " + m);
}

TEST_P(StatisticsTest, BodyFiguresMatchTheRecords) {
  const auto f = figures(env_->asti);
  ASSERT_EQ(f.months.size(), 6u);
  EXPECT_EQ(month(f, "2024-01").received_online, 1);
  EXPECT_EQ(month(f, "2024-01").received_counter, 0);
  EXPECT_EQ(month(f, "2024-02").received_online, 1);
  EXPECT_EQ(month(f, "2024-02").received_counter, 1);  // 23:30 UTC on 31 January: February in Rome
  EXPECT_EQ(month(f, "2024-03").received_online, 2);
  EXPECT_EQ(month(f, "2024-04").received_online, 0);
  EXPECT_EQ(month(f, "2024-05").received_online, 1);
  EXPECT_EQ(month(f, "2024-02").decided, 2);
  EXPECT_EQ(month(f, "2024-02").decided_on_time, 2);  // 23:30 in Rome on the due date, winter: on time
  EXPECT_EQ(month(f, "2024-03").decided, 1);          // the withdrawal is not a decision
  EXPECT_EQ(month(f, "2024-03").decided_on_time, 0);
  EXPECT_EQ(month(f, "2024-06").decided, 1);
  EXPECT_EQ(month(f, "2024-06").decided_on_time, 0);  // 00:30 the day after in Rome, summer: late
  EXPECT_EQ(month(f, "2024-01").payments, 2);
  EXPECT_EQ(month(f, "2024-01").payments_cents, 3550);
  EXPECT_EQ(month(f, "2024-01").reconciled, 1);
  EXPECT_EQ(month(f, "2024-01").reconciled_cents, 1000);
  EXPECT_EQ(month(f, "2024-02").payments_cents, 700);
  EXPECT_EQ(month(f, "2024-02").reconciled_cents, 700);
  EXPECT_EQ(month(f, "2024-03").payments, 0);  // Novara's
  EXPECT_EQ(month(f, "2024-01").certificates_online, 2);
  EXPECT_EQ(month(f, "2024-02").certificates_counter, 1);
  EXPECT_EQ(month(f, "2024-02").certificates_online, 0);  // the refused one
  EXPECT_EQ(month(f, "2024-06").certificates_online, 0);  // Novara's
  EXPECT_EQ(month(f, "2024-01").albo_web, 1);
  EXPECT_EQ(month(f, "2024-03").albo_api, 2);
  EXPECT_EQ(month(f, "2024-01").messages.at("email"), 2);
  EXPECT_EQ(month(f, "2024-01").messages.at("sms"), 1);
  EXPECT_EQ(month(f, "2024-01").messages.at("pec"), 0);  // Novara's
  EXPECT_EQ(month(f, "2024-01").messages_delivered, 2);
  // Days to decision and the legal term (to 23:00 UTC of the due date), summed over February's two
  // decisions: 22 days 1 hour and 10 days 12½ hours; 30 days 14 hours and 10 days 13 hours.
  EXPECT_EQ(month(f, "2024-02").decision_seconds, (22 * 86400 + 3600) + (10 * 86400 + 45000));
  EXPECT_EQ(month(f, "2024-02").legal_seconds, (30 * 86400 + 14 * 3600) + (10 * 86400 + 13 * 3600));
  EXPECT_EQ(sp::statistics::average_tenths_of_day(month(f, "2024-02").decision_seconds, 2), 163);
  // The help desk's series (from HelpdeskService::outcomes).
  std::map<std::string, const sp::statistics::ExtraSeries*> hd;
  for (const auto& x : f.extra) hd[x.figure + ":" + x.dimension] = &x;
  ASSERT_EQ(hd.size(), 5u);
  EXPECT_EQ(hd["helpdesk_tickets:"]->by_month.at("2024-01"), 2);
  EXPECT_EQ(hd["helpdesk_tickets:"]->by_month.at("2024-02"), 1);
  EXPECT_EQ(hd["helpdesk_tickets:"]->by_month.at("2024-03"), 1);
  EXPECT_EQ(hd["helpdesk_first_response:met"]->by_month.at("2024-01"), 1);
  EXPECT_EQ(hd["helpdesk_first_response:missed"]->by_month.at("2024-01"), 1);
  EXPECT_EQ(hd["helpdesk_first_response:met"]->by_month.at("2024-02"), 1);
  EXPECT_EQ(hd["helpdesk_first_response:missed"]->by_month.at("2024-03"), 1);  // never answered
  EXPECT_EQ(hd["helpdesk_resolution:met"]->by_month.at("2024-01"), 1);
  EXPECT_EQ(hd["helpdesk_resolution:missed"]->by_month.at("2024-01"), 1);
  EXPECT_EQ(hd["helpdesk_resolution:met"]->by_month.at("2024-02") +
                hd["helpdesk_resolution:missed"]->by_month.at("2024-02"),
            0);  // waiting for the body: the clock stands still within its target
  EXPECT_EQ(hd["helpdesk_resolution:missed"]->by_month.at("2024-03"), 1);
  EXPECT_TRUE(hd["helpdesk_tickets:"]->by_body.empty());  // a body's figures: no per-body totals
  // By service, over the window; the open case of March is overdue today (the queue's own count).
  const auto it = std::find_if(f.services.begin(), f.services.end(),
                               [](const auto& s) { return s.code == "statistiche-prova"; });
  ASSERT_NE(it, f.services.end());
  EXPECT_EQ(it->received, 6);
  EXPECT_EQ(it->decided, 4);
  EXPECT_EQ(it->decided_on_time, 2);
  EXPECT_EQ(it->decision_seconds, month(f, "2024-02").decision_seconds +
                                      month(f, "2024-03").decision_seconds +
                                      month(f, "2024-06").decision_seconds);
  EXPECT_EQ(it->overdue, 1);
  EXPECT_TRUE(f.bodies.empty());
}

TEST_P(StatisticsTest, HubFiguresAddEveryBody) {
  const auto f = figures(0);
  const auto t = f.totals();
  EXPECT_EQ(t.received_online + t.received_counter, 7);
  EXPECT_EQ(t.received_api, 0);
  EXPECT_EQ(t.decided, 5);
  EXPECT_EQ(t.decided_on_time, 3);
  EXPECT_EQ(t.payments_cents, 3550 + 700 + 500);
  EXPECT_EQ(t.reconciled_cents, 1700);
  EXPECT_EQ(t.certificates_online + t.certificates_counter, 4);
  EXPECT_EQ(t.albo_web + t.albo_api, 3);
  EXPECT_EQ(t.messages.at("pec"), 1);
  std::map<std::string, sp::statistics::BodyFigures> by;
  for (const auto& b : f.bodies) by[b.slug] = b;
  ASSERT_TRUE(by.count("asti") && by.count("novara"));
  EXPECT_EQ(by["asti"].received, 6);
  EXPECT_EQ(by["novara"].received, 1);
  EXPECT_EQ(by["novara"].decision_seconds, 5 * 86400);
  EXPECT_EQ(by["novara"].decided_on_time, 1);
  EXPECT_EQ(by["novara"].payments_cents, 500);
  EXPECT_EQ(by["novara"].certificates, 1);
  EXPECT_EQ(by["novara"].messages, 1);
  EXPECT_EQ(by["asti"].albo, 3);
  EXPECT_GE(by["asti"].overdue, 1);
  for (const auto& x : f.extra)
    if (x.figure == "helpdesk_tickets") {
      EXPECT_EQ(x.by_body.at(env_->asti), 4);
      EXPECT_EQ(x.by_body.at(env_->novara), 1);
      EXPECT_EQ(x.by_month.at("2024-01"), 3);
    }
}

TEST_P(StatisticsTest, PagesAndExportsCarryTheSameFigures) {
  const std::string q = "?da=2024-01&a=2024-06";
  auto page = get("/backoffice/asti/statistiche" + q, "asti_manager");
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 400);
  EXPECT_NE(page.body.find("<figure"), std::string::npos);
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  EXPECT_NE(page.body.find("id=\"st-freshness\""), std::string::npos);
  EXPECT_NE(page.body.find("<table"), std::string::npos);
  EXPECT_EQ(page.body.find("ui.st_"), std::string::npos);  // no raw locale key

  auto csv = get("/backoffice/asti/statistiche.csv" + q, "asti_admin");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("scope,period,figure,dimension,value\r\n", 0), 0u);
  for (const char* line :
       {"asti,2024-02,applications_received,counter,1\r\n",
        "asti,2024-02,applications_decided_on_time,,2\r\n", "asti,2024-01,payments_collected,cents,3550\r\n",
        "asti,2024-01,payments_reconciled,cents,1000\r\n", "asti,2024-03,albo_publications,api,2\r\n",
        "asti,2024-01,messages,sms,1\r\n",
        "asti,2024-01/2024-06,applications_received,service:statistiche-prova,6\r\n",
        "asti,now,cases_overdue,service:statistiche-prova,1\r\n",
        "asti,2024-02,days_to_decision_tenths,,163\r\n", "asti,2024-02,legal_term_days_tenths,,206\r\n",
        "asti,2024-04,days_to_decision_tenths,,-1\r\n", "asti,2024-04,applications_received,api,0\r\n",
        "asti,2024-01,helpdesk_tickets,,2\r\n", "asti,2024-03,helpdesk_first_response,missed,1\r\n",
        "asti,2024-01,helpdesk_resolution,met,1\r\n"})
    EXPECT_NE(csv.body.find(line), std::string::npos) << line;

  auto js = get("/backoffice/asti/statistiche.json" + q, "asti_admin");
  ASSERT_EQ(js.status, 200);
  const auto doc = json::parse(js.body).as_object();
  EXPECT_EQ(doc.at("scope").as_string(), "asti");
  EXPECT_EQ(doc.at("from").as_string(), "2024-01");
  std::map<std::string, std::int64_t> values;
  for (const auto& r : doc.at("figures").as_array()) {
    const auto& o = r.as_object();
    values[std::string(o.at("period").as_string()) + " " + std::string(o.at("figure").as_string()) + " " +
           std::string(o.at("dimension").as_string())] = o.at("value").as_int64();
  }
  EXPECT_EQ(values["2024-01 certificates_issued web"], 2);
  EXPECT_EQ(values["2024-06 applications_decided_late "], 1);
  EXPECT_EQ(values["2024-02 payments_reconciled count"], 1);
  EXPECT_EQ(values["2024-01 helpdesk_first_response missed"], 1);
  EXPECT_EQ(values["2024-02 legal_term_days_tenths "], 206);
  // As many rows as the CSV (its header aside).
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.body.begin(), csv.body.end(), '\n')) - 1,
            doc.at("figures").as_array().size());

  auto hub = get("/backoffice/statistiche.csv" + q, "hub");
  ASSERT_EQ(hub.status, 200);
  EXPECT_NE(hub.body.find("hub,2024-01/2024-06,applications_received,body:novara,1\r\n"), std::string::npos);
  EXPECT_NE(hub.body.find("hub,2024-04,applications_received,api,0\r\n"), std::string::npos);
  EXPECT_NE(hub.body.find("hub,2024-01/2024-06,helpdesk_tickets,body:asti,4\r\n"), std::string::npos);
  EXPECT_NE(hub.body.find("hub,2024-01/2024-06,helpdesk_resolution,body:asti:missed,2\r\n"),
            std::string::npos);
  auto hub_page = get("/backoffice/statistiche" + q, "hub");
  ASSERT_EQ(hub_page.status, 200);
  EXPECT_NE(hub_page.body.find("/backoffice/novara/statistiche"), std::string::npos);
  EXPECT_NE(hub_page.body.find("id=\"st-extra-bodies\""), std::string::npos);
  for (const char* id : {"id=\"st-helpdesk\"", "id=\"st-helpdesk-sla\"", "id=\"st-days\""})
    EXPECT_NE(page.body.find(id), std::string::npos) << id;

  // A window that does not parse: the page says so, keeps what was typed, shows the default window.
  auto bad = get("/backoffice/asti/statistiche?da=2024-13&a=2024-06", "asti_admin");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("value=\"2024-13\""), std::string::npos);
  EXPECT_NE(bad.body.find("id=\"error-summary\""), std::string::npos);
}

TEST_P(StatisticsTest, ABodysStaffCannotSeeAnotherBodysStatistics) {
  const std::string q = "?da=2024-01&a=2024-06";
  for (const char* path : {"/backoffice/asti/statistiche", "/backoffice/asti/statistiche.csv",
                           "/backoffice/asti/statistiche.json"}) {
    auto r = get(path + q, "novara_admin");
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body.find("statistiche-prova"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("3550"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("helpdesk"), std::string::npos) << path;
    EXPECT_EQ(get(path + q, "asti_operator").status, 403) << path;  // operators: not their role
  }
  for (const char* path :
       {"/backoffice/statistiche", "/backoffice/statistiche.csv", "/backoffice/statistiche.json"})
    EXPECT_EQ(get(path + q, "asti_admin").status, 403) << path;
  // Novara's own export holds only Novara's records.
  auto own = get("/backoffice/novara/statistiche.csv" + q, "novara_admin");
  ASSERT_EQ(own.status, 200);
  EXPECT_NE(own.body.find("novara,2024-01,applications_received,web,1\r\n"), std::string::npos);
  EXPECT_EQ(own.body.find("\nasti,"), std::string::npos);
  EXPECT_NE(own.body.find("novara,2024-01/2024-06,applications_received,service:statistiche-prova,1\r\n"),
            std::string::npos);  // Asti's 6 are not there
  // Novara's help desk: its one ticket, none of Asti's four.
  EXPECT_NE(own.body.find("novara,2024-01,helpdesk_tickets,,1\r\n"), std::string::npos);
  EXPECT_NE(own.body.find("novara,2024-03,helpdesk_tickets,,0\r\n"), std::string::npos);
  EXPECT_NE(own.body.find("novara,2024-01,helpdesk_first_response,missed,0\r\n"), std::string::npos);
  EXPECT_EQ(own.body.find("body:asti"), std::string::npos);
  EXPECT_NE(own.body.find("novara,2024-01,payments_collected,cents,0\r\n"), std::string::npos);
}

// The kept aggregates of closed months are rebuilt from the records and equal them; a record of a closed
// month that arrives late shows after the next rebuild (never counted up).
TEST_P(StatisticsTest, KeptAggregatesAreRebuiltFromTheRecordsAndMatchThem) {
  auto& s = env_->app->statistics();
  const auto w = *sp::statistics::parse_window("2024-01", "2024-06", s.today());
  EXPECT_EQ(s.rebuild(w), 6);
  for (const auto t : {env_->asti, env_->novara, std::int64_t{0}}) {
    const auto live = s.compute(t, w, false);
    const auto kept = s.compute(t, w, true);
    EXPECT_TRUE(live.rebuilt_at.empty());
    EXPECT_FALSE(kept.rebuilt_at.empty()) << t;
    EXPECT_TRUE(live.months == kept.months) << t;
    EXPECT_TRUE(live.services == kept.services) << t;
    EXPECT_TRUE(live.bodies == kept.bodies) << t;
    EXPECT_EQ(live.overdue, kept.overdue);
  }
  EXPECT_EQ(month(s.compute(env_->asti, w), "2024-01").payments_cents, 3550);

  const auto july = *sp::statistics::parse_window("2024-07", "2024-07", s.today());
  env_->app->database().write([&](sp::db::Conn& tx) {
    insert_receipt(tx, env_->asti, "01000000000000007", "2024-07-10T10:00:00.000Z", 1234, "recorded");
  });
  EXPECT_EQ(s.rebuild(july), 1);
  EXPECT_EQ(s.compute(env_->asti, july).months.at(0).payments_cents, 1234);
  env_->app->database().write([&](sp::db::Conn& tx) {
    insert_receipt(tx, env_->asti, "01000000000000008", "2024-07-11T10:00:00.000Z", 4321, "recorded");
  });
  EXPECT_EQ(s.compute(env_->asti, july).months.at(0).payments_cents, 1234);  // until the next rebuild
  EXPECT_EQ(s.compute(env_->asti, july, false).months.at(0).payments_cents, 5555);
  EXPECT_EQ(s.rebuild(july), 1);
  EXPECT_EQ(s.compute(env_->asti, july).months.at(0).payments_cents, 5555);
  // The current month is never kept.
  EXPECT_EQ(s.rebuild(*sp::statistics::parse_window("", "", s.today())), 11);
  const auto w12 = s.rebuild_window();
  EXPECT_EQ(sp::statistics::month_bounds(w12).size(), 13u);
}

// The current month's closed days are kept too, so a dashboard reads only today from the records: equal to
// the records, a late record of a kept day shows after the next rebuild, today's at once. On a clock of
// 20 August 2024, 12:00 in Rome.
TEST_P(StatisticsTest, KeptDaysOfTheCurrentMonthMatchTheRecords) {
  sp::tenants::TenantService tenants(env_->app->database());
  tenants.reload();
  sp::time::TestClock clock(*sp::time::parse_iso_utc("2024-08-20T10:00:00Z"));
  sp::statistics::StatisticsService s(env_->app->database(), tenants, clock,
                                      [](std::int64_t, const std::string&) { return std::int64_t{0}; });
  env_->app->database().write([&](sp::db::Conn& tx) {
    insert_receipt(tx, env_->asti, "01000000000000011", "2024-08-05T10:00:00.000Z", 100, "recorded");
    insert_case(tx, env_->asti, "counter", "accepted", "2024-08-01T10:00:00.000Z", "2024-08-30",
                day(2024, 8, 30), "2024-08-06T10:00:00.000Z");
  });
  EXPECT_EQ(s.rebuild_days(), 19);  // 1 to 19 August
  const auto w = *sp::statistics::parse_window("2024-08", "2024-08", s.today());
  for (const auto t : {env_->asti, std::int64_t{0}}) {
    const auto live = s.compute(t, w, false);
    const auto kept = s.compute(t, w, true);
    EXPECT_FALSE(kept.rebuilt_at.empty());
    EXPECT_TRUE(live.months == kept.months) << t;
    EXPECT_TRUE(live.services == kept.services) << t;
    EXPECT_TRUE(live.bodies == kept.bodies) << t;
  }
  EXPECT_EQ(s.compute(env_->asti, w).months.at(0).received_counter, 1);
  EXPECT_EQ(s.compute(env_->asti, w).months.at(0).decision_seconds, 5 * 86400);
  env_->app->database().write([&](sp::db::Conn& tx) {
    insert_receipt(tx, env_->asti, "01000000000000012", "2024-08-06T10:00:00.000Z", 20, "recorded");  // late
    insert_receipt(tx, env_->asti, "01000000000000013", "2024-08-20T08:00:00.000Z", 3, "recorded");   // today
  });
  EXPECT_EQ(s.compute(env_->asti, w).months.at(0).payments_cents, 103);
  EXPECT_EQ(s.compute(env_->asti, w, false).months.at(0).payments_cents, 123);
  EXPECT_EQ(s.rebuild_days(), 19);
  EXPECT_EQ(s.compute(env_->asti, w).months.at(0).payments_cents, 123);
  // A month later the days of August go (August is then a closed month, kept as a month).
  clock.set(*sp::time::parse_iso_utc("2024-09-02T10:00:00Z"));
  EXPECT_EQ(s.rebuild_days(), 1);
  EXPECT_EQ(s.rebuild(*sp::statistics::parse_window("2024-08", "2024-08", s.today())), 1);
  EXPECT_EQ(s.compute(env_->asti, w).months.at(0).payments_cents, 123);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StatisticsTest, ::testing::Values(Dialect::sqlite, Dialect::postgres),
                         [](const auto& info) {
                           return info.param == Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
