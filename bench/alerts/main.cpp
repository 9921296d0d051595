// A 100,000-recipient alert against the simulators (issue 17, "Performance"): the hub's fan-out and the
// outbox's delivery (the jobs runner, as in `sportello serve`) on a fresh SQLite database, e-mail to the
// SMTP sink and SMS to the gateway simulator over HTTP — the simulators run in a child process, so that
// the CPU measured is the hub's alone. Figures: for each channel, messages per second from its first to
// its last delivery against the rate the hub is configured to keep to that gateway (target >= 0.9), and
// the hub's CPU time per message (user + system of this process over the sending).
//
//   bench_alerts --recipients 100000 --rate-email 250 --rate-sms 250 --dir DIR
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "alerts/service.hpp"
#include "alerts/store.hpp"
#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "http/server.hpp"
#include "identity/profile_service.hpp"
#include "jobs/runner.hpp"
#include "tenants/service.hpp"

using namespace std::chrono_literals;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The simulators in a child: writes "smtp_port http_port\n" to `out`, serves until killed.
[[noreturn]] void simulators(int out) {
  sp::messaging::SmtpSink sink;
  sink.start();
  sp::messaging::SmsGatewaySimulator sms("bench-key");
  sp::http::Router router;
  sms.register_routes(router);
  sp::http::ServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.access_log = false;
  sp::http::Server server(o, router);
  server.listen();
  const std::string ports = std::to_string(sink.port()) + " " + std::to_string(server.port()) + "\n";
  (void)!write(out, ports.data(), ports.size());
  close(out);
  server.run();
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  long recipients = 100000, rate_email = 250, rate_sms = 250;
  std::string dir = "/tmp";
  std::string share = ".";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--recipients") recipients = std::stol(v);
    if (k == "--rate-email") rate_email = std::stol(v);
    if (k == "--rate-sms") rate_sms = std::stol(v);
    if (k == "--dir") dir = v;
    if (k == "--share") share = v;
  }
  int pipefd[2];
  if (pipe(pipefd) != 0) return 2;
  const pid_t child = fork();
  if (child == 0) {
    close(pipefd[0]);
    simulators(pipefd[1]);
  }
  close(pipefd[1]);
  char buf[64] = {};
  if (read(pipefd[0], buf, sizeof buf - 1) <= 0) return 2;
  int smtp_port = 0, http_port = 0;
  std::sscanf(buf, "%d %d", &smtp_port, &http_port);

  auto db = sp::db::open("sqlite:" + dir + "/alerts-bench.db");
  sp::db::migrate(*db, share + "/migrations");
  sp::I18n i18n;
  i18n.load(share + "/web/locales");
  const auto& clock = sp::time::system_clock();
  sp::tenants::TenantService tenants(*db);
  auto hub = tenants.create_hub({0, "pes", "Polo", "00743110157", "", "", ""});
  sp::tenants::Body b;
  b.hub_id = *hub;
  b.slug = "asti";
  b.name = "Comune di Asti";
  b.istat_code = "005005";
  b.fiscal_code = "00072360050";
  const auto asti = *tenants.create_body(b);
  tenants.reload();
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < recipients; i += 5000) {
    db->write([&](sp::db::Conn& tx) {
      for (long k = i; k < std::min(recipients, i + 5000); ++k) {
        sp::alerts::Subscription s;
        const bool mail = k % 2 == 0;
        s.id = "s" + std::to_string(k);
        s.tenant_id = asti;
        s.channel = mail ? "email" : "sms";
        s.address = mail ? "p" + std::to_string(k) + "@example.org" : "+39347" + std::to_string(1000000 + k);
        s.topics = {"water_cut"};
        s.state = "pending";
        s.created_at = "2026-12-01T00:00:00Z";
        sp::alerts::store::upsert_subscription(tx, s);
        sp::alerts::store::activate(tx, asti, s.id, s.created_at);
      }
    });
  }
  std::cerr << "subscribers written in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";

  sp::audit::AuditService audit(*db, clock);
  sp::identity::ProfileService profiles(*db, audit, clock);
  sp::anagrafe::AnagrafeService anagrafe(*db, audit, tenants, clock);
  sp::alerts::Options o;
  o.rates = {{"email", rate_email}, {"sms", rate_sms}, {"pec", 5}, {"appio", 12}};
  o.default_cost_cap_cents = 1'000'000'000;
  sp::alerts::AlertService alerts(
      *db, audit, profiles, anagrafe,
      [](std::int64_t, const std::string&) { return std::vector<std::pair<std::string, std::string>>{}; },
      tenants, i18n, clock, o);
  sp::jobs::RunnerOptions ro;
  ro.poll_interval = 200ms;
  ro.batch = 50;
  sp::jobs::Runner runner(*db, clock, ro);
  sp::messaging::Delivery delivery;
  delivery.set_sender(sp::messaging::Channel::email,
                      std::make_shared<sp::messaging::EmailSender>(sp::messaging::EmailOptions{
                          .smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp_port)}));
  sp::messaging::SmsOptions so;
  so.url = "http://127.0.0.1:" + std::to_string(http_port) + "/sim/sms/messages";
  so.api_key = "bench-key";
  delivery.set_sender(sp::messaging::Channel::sms, std::make_shared<sp::messaging::SmsSender>(so));
  delivery.register_with(runner);
  alerts.register_with(runner);
  alerts.set_notifier([&runner] { runner.notify(); });

  sp::identity::Principal op;
  op.kind = sp::identity::PrincipalKind::staff;
  op.subject = "bench";
  op.tenant_id = asti;
  op.roles = {sp::identity::Role::operator_};
  auto id = alerts.create(
      &op, asti,
      {"water_cut", "Acqua sospesa", "Domani dalle 8 alle 12 in tutta la città.", "topic", "", ""});
  if (!id) return 2;
  const double cpu0 = cpu_seconds();
  const auto w0 = std::chrono::steady_clock::now();
  if (!alerts.confirm(&op, asti, *id)) return 2;
  runner.start();
  std::int64_t delivered = 0;
  for (;;) {
    std::this_thread::sleep_for(1s);
    db->read([&](sp::db::Conn& c) {
      delivered = c.query_one("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'")->i64(0);
    });
    if (delivered >= recipients) break;
    if (std::chrono::steady_clock::now() - w0 >
        std::chrono::seconds(3 * recipients / (rate_email + rate_sms) + 120))
      break;
  }
  runner.stop();
  const double cpu = cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::printf("== alerts: %ld recipients (%ld e-mail, %ld SMS), delivered %lld in %.1f s\n", recipients,
              (recipients + 1) / 2, recipients / 2, static_cast<long long>(delivered), wall);
  for (const char* ch : {"email", "sms"}) {
    std::int64_t n = 0;
    std::string first, last;
    db->read([&](sp::db::Conn& c) {
      auto r = c.query_one(
          "SELECT COUNT(*), MIN(sent_at), MAX(sent_at) FROM outbox WHERE status = 'delivered' AND channel = "
          "$1",
          {std::string(ch)});
      n = r->i64(0);
      first = r->text(1);
      last = r->text(2);
    });
    auto a = sp::time::parse_iso_utc(first), z = sp::time::parse_iso_utc(last);
    const double span = a && z ? std::chrono::duration<double>(*z - *a).count() + 1.0 : 0;
    const double rate = span > 0 ? static_cast<double>(n) / span : 0;
    const double configured = static_cast<double>(std::string(ch) == "email" ? rate_email : rate_sms);
    std::printf("   %-5s %7lld messages  %8.1f msg/s  configured %6.0f/s  ratio %.2f (target >= 0.90)\n", ch,
                static_cast<long long>(n), rate, configured, rate / configured);
    std::printf("BENCH scenario=alerts channel=%s figure=rate value=%.1f unit=msg/s\n", ch, rate);
    std::printf("BENCH scenario=alerts channel=%s figure=ratio value=%.3f unit=rate/configured\n", ch,
                rate / configured);
  }
  const double per = delivered > 0 ? cpu / static_cast<double>(delivered) * 1e6 : 0;
  std::printf("   hub CPU %.1f s for %lld messages: %.0f us per message (simulators excluded)\n", cpu,
              static_cast<long long>(delivered), per);
  std::printf("BENCH scenario=alerts figure=cpu_per_message value=%.0f unit=us\n", per);
  return 0;
}
