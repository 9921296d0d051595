// bench_station: the creditor bodies' station under load, as the pagoPA node would put it (issue 13,
// "Performance"): PSPs pay notices of 20 bodies at once, each payment the node's three calls —
// paVerifyPaymentNotice, paGetPaymentV2 (activation), paSendRTV2 (receipt) — as SOAP over HTTP to the
// real station routes behind the inbound guard, on a freshly migrated PostgreSQL (or SQLite) database
// with durable commits. bench/run-station drives it and measures pgbench's TPC-B on the same server as
// the anchor. Results are `key=value` lines on stdout; diagnostics on stderr.
//
//   bench_station URL --share ROOT [--bodies 20] [--positions N] [--psps 32] [--server-threads 8]
//                 [--seconds 10] [--latencies FILE] [--pg-pid PID] [--credentials-fresh-ms MS]
//
// Before the clock starts it creates the hub, the bodies (each a creditor with its station and the node's
// credential) and N published single-payment positions per body, spread round-robin over the PSPs, and
// each PSP pays 3 of them (warm-up: the pool's connections opened, their statements prepared). After
// the deadline it checks the database: every receipt a PSP was answered OK for is stored once and its
// option is paid, and nothing else was paid.
//
// CPU per payment (load-insensitive, unlike payments/s on a shared machine): the CPU this process spent
// in the measured window (the PSP threads, curl, the HTTP server and the station: getrusage) plus, with
// --pg-pid (the postmaster's pid), the PostgreSQL server's (the postmaster, its live children — the
// backends, the WAL writer, the checkpointer... — and the children it reaped meanwhile: /proc/PID/stat),
// divided by the payments. bench/run-station measures pgbench's TPC-B transactions the same way.
#include <curl/curl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/pagopa/node_soap.hpp"
#include "core/i18n.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "identity/inbound_service.hpp"
#include "payments/service.hpp"
#include "payments/station.hpp"
#include "payments/station_routes.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace {

using namespace sp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  std::string share;
  int bodies = 20;
  int positions = 400;  // per body
  int psps = 32;
  int server_threads = 8;
  double seconds = 10;
  std::string latencies_file;
  long pg_pid = 0;                // the postmaster: its server's CPU is counted with ours
  int credentials_fresh_ms = -1;  // InboundPolicy::credentials_fresh_for; -1: the default
};

const std::string kBroker = "00743110157";
const std::string kIban = "IT60X0542811101000000123456";

// An 11-digit fiscal code of a legal person (partita IVA shape) with a right check digit.
std::string body_fiscal_code(int n) {
  std::string digits = "0" + std::to_string(1000000 + n) + "00";  // 10 digits
  int sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    int d = digits[i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits + std::to_string((10 - sum % 10) % 10);
}

struct Notice {
  std::string slug;
  pagopa::StationIds ids;
  std::string secret;
  std::string nav;
  std::string iuv;
  payments::Cents amount = 0;
  std::string description;
};

struct Fixture {
  std::vector<Notice> notices;
};

bool fail(const std::string& what) {
  std::fprintf(stderr, "bench_station: %s\n", what.c_str());
  return false;
}

bool build_fixture(const Options& o, tenants::TenantService& tenants, payments::PaymentsService& pay,
                   identity::InboundService& inbound, Fixture& out) {
  auto hub = tenants.create_hub({0, "pes", "Polo di prova", kBroker, "", "", ""});
  if (!hub.ok()) return fail("create_hub: " + hub.error().code);
  const payments::SystemActor actor{"bench"};
  std::vector<std::vector<Notice>> per_body;
  for (int b = 0; b < o.bodies; ++b) {
    tenants::Body body;
    body.hub_id = *hub;
    body.slug = "ente" + std::to_string(b + 1);
    body.name = "Comune di prova " + std::to_string(b + 1);
    body.fiscal_code = body_fiscal_code(b + 1);
    auto id = tenants.create_body(body);
    if (!id.ok()) return fail("create_body: " + id.error().code + " " + id.error().detail);
    char station[32];
    std::snprintf(station, sizeof station, "%s_%02d", kBroker.c_str(), (b % 99) + 1);
    payments::Creditor c{*id, body.fiscal_code, body.name, "Tributi", {"01"}, kIban, "", kBroker, station};
    if (auto st = pay.set_creditor(actor, c); !st.ok()) return fail("set_creditor: " + st.error().code);
    const std::string ids_json = R"({"idPA":")" + body.fiscal_code + R"(","idBrokerPA":")" + kBroker +
                                 R"(","idStazione":")" + station + R"("})";
    auto cred = inbound.add(*id, payments::kNodeSystem, "nodo-pagopa", ids_json, "", false);
    if (!cred.ok()) return fail("inbound add: " + cred.error().code);
    std::vector<Notice> notices;
    for (int start = 0; start < o.positions; start += 1000) {
      std::vector<payments::NewPosition> batch;
      for (int i = start; i < std::min(o.positions, start + 1000); ++i) {
        payments::NewPosition p;
        p.debtor.type = payments::DebtorType::person;
        p.debtor.fiscal_code = "FRRNNA78S70A479X";
        p.debtor.full_name = "Anna Ferrero";
        payments::NewOption opt;
        opt.amount = 1000 + (i % 97) * 113;
        opt.description = "Canone unico 2026 - posizione " + std::to_string(i + 1);
        opt.due_date = "2099-12-31";
        payments::NewTransfer t;
        t.amount = opt.amount;
        t.iban = kIban;
        t.remittance = "Canone unico 2026";
        t.category = "9/0101108TS/";
        opt.transfers = {t};
        p.options = {opt};
        p.publish = true;
        batch.push_back(std::move(p));
      }
      auto made = pay.create_bulk(actor, *id, batch);
      if (!made.ok() || !made->errors.empty())
        return fail("create_bulk: " +
                    (made.ok() ? made->errors.front().error.code + " " + made->errors.front().error.detail
                               : made.error().code));
      for (const auto& pos : made->created)
        for (const auto& opt : pos.options)
          notices.push_back({body.slug,
                             {body.fiscal_code, kBroker, station},
                             cred->secret,
                             opt.nav,
                             opt.iuv,
                             opt.amount,
                             opt.description});
    }
    per_body.push_back(std::move(notices));
  }
  // Interleave the bodies so that consecutive payments hit different bodies, as the node's traffic does.
  for (int i = 0; i < o.positions; ++i)
    for (auto& v : per_body) out.notices.push_back(std::move(v[static_cast<std::size_t>(i)]));
  return true;
}

pagopa::SendReceiptRequest receipt_for(const Notice& n, const std::string& psp, std::int64_t seq) {
  pagopa::SendReceiptRequest s;
  s.ids = n.ids;
  auto& x = s.receipt;
  x.receipt_id = psp + "-" + std::to_string(seq);
  x.notice_number = n.nav;
  x.fiscal_code = n.ids.id_pa;
  x.outcome = "OK";
  x.creditor_reference_id = n.iuv;
  x.amount = n.amount;
  x.description = n.description;
  x.company_name = "Comune";
  x.debtor.type = 'F';
  x.debtor.id = "FRRNNA78S70A479X";
  x.debtor.full_name = "Anna Ferrero";
  pagopa::Transfer t;
  t.index = 1;
  t.amount = n.amount;
  t.fiscal_code_pa = n.ids.id_pa;
  t.iban = kIban;
  t.remittance = "Canone unico 2026";
  t.category = "9/0101108TS/";
  x.transfers = {t};
  x.id_psp = psp;
  x.psp_company_name = "PSP di prova";
  x.id_channel = psp + "_01";
  x.channel_description = "app";
  x.fee = 100;
  x.payment_date_time = "2026-03-04T11:02:03";
  x.application_date = "2026-03-04";
  x.transfer_date = "2026-03-05";
  return s;
}

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One PSP: a kept-alive connection, like the node's to a station.
class Psp {
 public:
  explicit Psp(std::string base) : base_(std::move(base)), curl_(curl_easy_init()) {}
  Psp(const Psp&) = delete;
  Psp& operator=(const Psp&) = delete;
  ~Psp() {
    if (headers_) curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  // POSTs the envelope to the body's station; the answer's body, or "" on a transport error / non-200.
  std::string call(const Notice& n, const std::string& envelope) {
    if (headers_) curl_slist_free_all(headers_);
    headers_ = curl_slist_append(nullptr, "Content-Type: text/xml; charset=utf-8");
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + n.secret).c_str());
    const std::string url = base_ + "/inbound/" + n.slug + "/pagopa/paForNode";
    std::string body;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, envelope.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(envelope.size()));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30'000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(curl_) != CURLE_OK) return {};
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status == 200 ? body : std::string{};
  }

 private:
  std::string base_;
  CURL* curl_;
  curl_slist* headers_ = nullptr;
};

constexpr int kWarmupPayments = 3;  // per PSP, before the clock starts

struct Worker {
  std::int64_t triples = 0;
  std::int64_t failures = 0;
  std::string first_failure;
  std::vector<std::int64_t> verify_us;
  std::vector<std::int64_t> triple_us;
  std::vector<std::string> paid_iuvs;  // "slug/iuv" answered OK for the receipt
};

// CPU microseconds (user + system) of this process so far, every thread.
std::int64_t own_cpu_us() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

// /proc/PID/stat's utime, stime, cutime and cstime (clock ticks), with its parent's pid; false when the
// process is gone. The command name may hold spaces and parentheses: fields are counted from the last ')'.
bool proc_times(const std::string& pid, long& ppid, std::int64_t& own, std::int64_t& reaped) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<std::string> f;  // f[0] is field 3 (state)
  std::string cur;
  for (char c : line.substr(close + 2)) {
    if (c == ' ') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  f.push_back(cur);
  if (f.size() < 15) return false;
  ppid = std::atol(f[1].c_str());
  own = std::atoll(f[11].c_str()) + std::atoll(f[12].c_str());
  reaped = std::atoll(f[13].c_str()) + std::atoll(f[14].c_str());
  return true;
}

// CPU microseconds of the PostgreSQL server whose postmaster is `pm`: the postmaster's own and its
// reaped children's, and every live child's. 0 when pm is 0 or gone.
std::int64_t server_cpu_us(long pm) {
  if (pm <= 0) return 0;
  long ppid = 0;
  std::int64_t own = 0, reaped = 0;
  if (!proc_times(std::to_string(pm), ppid, own, reaped)) return 0;
  std::int64_t ticks = own + reaped;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      std::int64_t child = 0, grand = 0;
      if (proc_times(e->d_name, ppid, child, grand) && ppid == pm) ticks += child;
    }
    closedir(d);
  }
  return ticks * 1'000'000LL / sysconf(_SC_CLK_TCK);
}

std::int64_t us_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
}

// One payment: verify → get payment → receipt. False (and why) when any step is not an OK.
bool pay_one(Psp& psp, const Notice& n, const std::string& psp_id, std::int64_t seq, Worker& w,
             std::string& why) {
  const auto t0 = Clock::now();
  auto v = pagopa::parse_verify_response(
      psp.call(n, pagopa::render_request(pagopa::VerifyRequest{n.ids, n.ids.id_pa, n.nav})));
  const auto verify_us = us_since(t0);
  if (!v.ok() || v->fault || v->amount != n.amount) {
    why = "verify " + n.nav + ": " + (v.ok() && v->fault ? v->fault->code : std::string("no answer"));
    return false;
  }
  pagopa::GetPaymentRequest g;
  g.ids = n.ids;
  g.fiscal_code = n.ids.id_pa;
  g.notice_number = n.nav;
  auto got = pagopa::parse_get_payment_response(psp.call(n, pagopa::render_request(g)));
  if (!got.ok() || got->fault) {
    why = "get payment " + n.nav + ": " +
          (got.ok() && got->fault ? got->fault->code : std::string("no answer"));
    return false;
  }
  auto sent =
      pagopa::parse_send_receipt_response(psp.call(n, pagopa::render_request(receipt_for(n, psp_id, seq))));
  if (!sent.ok() || sent->fault) {
    why =
        "receipt " + n.nav + ": " + (sent.ok() && sent->fault ? sent->fault->code : std::string("no answer"));
    return false;
  }
  w.verify_us.push_back(verify_us);
  w.triple_us.push_back(us_since(t0));
  w.paid_iuvs.push_back(n.slug + "/" + n.iuv);
  return true;
}

double percentile_ms(std::vector<std::int64_t> us, double pct) {
  if (us.empty()) return 0;
  std::sort(us.begin(), us.end());
  auto rank = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(us.size())));
  rank = std::clamp<std::size_t>(rank, 1, us.size());
  return static_cast<double>(us[rank - 1]) / 1000.0;
}

bool parse_args(int argc, char** argv, Options& o) {
  if (argc < 2) return false;
  o.url = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--share")
      o.share = v;
    else if (k == "--bodies")
      o.bodies = std::atoi(v.c_str());
    else if (k == "--positions")
      o.positions = std::atoi(v.c_str());
    else if (k == "--psps")
      o.psps = std::atoi(v.c_str());
    else if (k == "--server-threads")
      o.server_threads = std::atoi(v.c_str());
    else if (k == "--seconds")
      o.seconds = std::atof(v.c_str());
    else if (k == "--latencies")
      o.latencies_file = v;
    else if (k == "--pg-pid")
      o.pg_pid = std::atol(v.c_str());
    else if (k == "--credentials-fresh-ms")
      o.credentials_fresh_ms = std::atoi(v.c_str());
    else
      return false;
  }
  return !o.share.empty() && o.bodies > 0 && o.positions > 0 && o.psps > 0 && o.seconds > 0;
}

int run(const Options& o) {
  db::Options dbo;
  dbo.pool_size = o.server_threads + 2;
  dbo.synchronous_full = true;
  auto database = db::open(o.url, dbo);
  db::migrate(*database, o.share + "/migrations");
  auto& clock = time::system_clock();
  tenants::TenantService tenants(*database);
  payments::PaymentsService pay(*database, clock);
  payments::StationService station(*database, clock, pay);
  audit::AuditService audit(*database, clock);
  identity::InboundPolicy policy;
  if (o.credentials_fresh_ms >= 0)
    policy.credentials_fresh_for = std::chrono::milliseconds(o.credentials_fresh_ms);
  identity::InboundService inbound(*database, audit, clock, policy);
  I18n i18n;
  i18n.load(o.share + "/web/locales");
  web::View view(o.share + "/web/templates", i18n, "Polo di prova");

  Fixture fx;
  const auto setup0 = Clock::now();
  if (!build_fixture(o, tenants, pay, inbound, fx)) return 2;
  std::printf("setup_seconds=%.1f\n", static_cast<double>(us_since(setup0)) / 1e6);
  std::fflush(stdout);

  http::Router router;
  payments::StationDeps deps{view, tenants, inbound, {}, station};
  payments::register_station(router, deps);
  http::ServerOptions so;
  so.port = 0;
  so.threads = o.server_threads;
  so.access_log = false;
  http::Server server(so, router);
  server.listen();
  std::thread serving([&] { server.run(); });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  std::atomic<std::size_t> next{0};
  std::vector<Worker> workers(static_cast<std::size_t>(o.psps));
  std::latch ready(o.psps);
  std::latch go(1);
  auto deadline = Clock::time_point::max();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.psps; ++t) {
    threads.emplace_back([&, t] {
      auto& w = workers[static_cast<std::size_t>(t)];
      Psp psp(base);
      char id[16];
      std::snprintf(id, sizeof id, "PSPBENCH%02d", t);
      // Warm-up, before the clock: the pool's connections opened and their statements prepared, as on a
      // server that has been running (their CPU is not a payment's). Checked with the others at the end.
      std::int64_t seq = 1;
      for (int k = 0; k < kWarmupPayments; ++k, ++seq) {
        const auto i = next.fetch_add(1);
        if (i >= fx.notices.size()) break;
        Worker warm;
        std::string why;
        if (pay_one(psp, fx.notices[i], id, seq, warm, why)) {
          w.paid_iuvs.push_back(warm.paid_iuvs.front());
        } else if (w.failures++ == 0) {
          w.first_failure = why;
        }
      }
      ready.count_down();
      go.wait();
      for (;; ++seq) {
        if (Clock::now() >= deadline) break;
        const auto i = next.fetch_add(1);
        if (i >= fx.notices.size()) break;
        std::string why;
        if (pay_one(psp, fx.notices[i], id, seq, w, why)) {
          ++w.triples;
        } else if (w.failures++ == 0) {
          w.first_failure = why;
        }
      }
    });
  }
  ready.wait();
  const auto before = database->stats();
  const std::int64_t own_cpu0 = own_cpu_us();
  const std::int64_t pg_cpu0 = server_cpu_us(o.pg_pid);
  const auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  go.count_down();
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const std::int64_t own_cpu = own_cpu_us() - own_cpu0;
  const std::int64_t pg_cpu = server_cpu_us(o.pg_pid) - pg_cpu0;
  const auto after = database->stats();
  server.stop(std::chrono::milliseconds(2000));
  serving.join();

  std::int64_t triples = 0, failures = 0;
  std::string first_failure;
  std::vector<std::int64_t> verify_us, triple_us;
  std::vector<std::string> paid;
  for (auto& w : workers) {
    triples += w.triples;
    failures += w.failures;
    if (first_failure.empty()) first_failure = w.first_failure;
    verify_us.insert(verify_us.end(), w.verify_us.begin(), w.verify_us.end());
    triple_us.insert(triple_us.end(), w.triple_us.begin(), w.triple_us.end());
    paid.insert(paid.end(), w.paid_iuvs.begin(), w.paid_iuvs.end());
  }
  if (!o.latencies_file.empty()) {
    std::ofstream out(o.latencies_file, std::ios::trunc);
    for (auto v : verify_us) out << v << '\n';
  }
  // What the database holds must be exactly what the PSPs were told: each OK receipt stored once, its
  // option paid, nothing else paid.
  std::int64_t receipts = 0, distinct = 0, options_paid = 0;
  database->read([&](db::Conn& c) {
    receipts = c.query_one("SELECT COUNT(*) FROM payment_receipts")->i64(0);
    // IUVs are unique per creditor: the same IUV is another payment at another body.
    distinct =
        c.query_one("SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, iuv FROM payment_receipts) d")->i64(0);
    options_paid = c.query_one("SELECT COUNT(*) FROM payment_options WHERE status = 'paid'")->i64(0);
  });
  std::sort(paid.begin(), paid.end());
  const bool unique_paid = std::adjacent_find(paid.begin(), paid.end()) == paid.end();
  const auto n = static_cast<std::int64_t>(paid.size());
  const bool consistent = unique_paid && receipts == n && distinct == n && options_paid == n;

  std::printf("dialect=%s\n", database->dialect() == db::Dialect::sqlite ? "sqlite" : "postgres");
  std::printf("bodies=%d\npsps=%d\nserver_threads=%d\n", o.bodies, o.psps, o.server_threads);
  std::printf("seconds=%.3f\n", elapsed);
  std::printf("triples=%lld\n", static_cast<long long>(triples));
  std::printf("per_second=%.1f\n", elapsed > 0 ? static_cast<double>(triples) / elapsed : 0.0);
  std::printf("verify_p50_ms=%.2f\nverify_p99_ms=%.2f\n", percentile_ms(verify_us, 50),
              percentile_ms(verify_us, 99));
  std::printf("triple_p50_ms=%.2f\ntriple_p99_ms=%.2f\n", percentile_ms(triple_us, 50),
              percentile_ms(triple_us, 99));
  const auto commits = after.commits - before.commits;
  std::printf("commits_per_payment=%.2f\n",
              triples > 0 ? static_cast<double>(commits) / static_cast<double>(triples) : 0.0);
  // CPU per payment, in milliseconds: this process (PSPs + server + station) and the PostgreSQL server.
  const double per = triples > 0 ? 1000.0 * static_cast<double>(triples) : 0.0;
  std::printf("cpu_process_ms_per_payment=%.3f\n", per > 0 ? static_cast<double>(own_cpu) / per : 0.0);
  if (o.pg_pid > 0)
    std::printf("cpu_postgres_ms_per_payment=%.3f\n", per > 0 ? static_cast<double>(pg_cpu) / per : 0.0);
  std::printf("cpu_ms_per_payment=%.3f\n", per > 0 ? static_cast<double>(own_cpu + pg_cpu) / per : 0.0);
  std::printf("cpu_seconds=%.3f\n", static_cast<double>(own_cpu + pg_cpu) / 1e6);
  std::printf("failures=%lld\n", static_cast<long long>(failures));
  if (failures > 0) std::printf("first_failure=%s\n", first_failure.c_str());
  std::printf("exhausted=%s\n", next.load() >= fx.notices.size() ? "yes" : "no");
  std::printf("consistency=%s\n", consistent ? "ok" : "FAILED");
  std::printf("consistency_detail=%lld answered OK, %lld receipts (%lld IUVs), %lld options paid\n",
              static_cast<long long>(n), static_cast<long long>(receipts), static_cast<long long>(distinct),
              static_cast<long long>(options_paid));
  std::fflush(stdout);
  database->close();
  return consistent && failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: bench_station URL --share ROOT [--bodies N] [--positions N] [--psps N] "
                 "[--server-threads N] [--seconds S] [--latencies FILE] [--pg-pid PID] "
                 "[--credentials-fresh-ms MS]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  try {
    const int rc = run(o);
    curl_global_cleanup();
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_station: %s\n", e.what());
    return 2;
  }
}
