// The measured figure: protocol registrations through ProtocolService on one AOO, from several threads at
// once, with durable commits (SQLite: WAL + synchronous=FULL through the single grouping writer;
// PostgreSQL: the driver's pool, fsync and synchronous_commit on the server).
#include <chrono>
#include <cstdio>
#include <exception>
#include <latch>
#include <thread>

#include "bench_protocollo.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "protocollo/service.hpp"

namespace sp::bench {
namespace {

constexpr tenants::TenantId kTenant = 1;

// A typical incoming registration: one correspondent, a primary document and an attachment (what an
// application submitted online brings).
protocollo::NewEntry sample_entry(protocollo::AooId aoo, int thread) {
  using namespace protocollo;
  NewEntry e;
  e.aoo_id = aoo;
  e.direction = Direction::incoming;
  e.subject = "Istanza di accesso agli atti - pratica edilizia (scrittore " + std::to_string(thread) + ")";
  e.correspondents = {{protocollo::CorrespondentKind::person, "Mario Rossi", "RSSMRA80A01H501U",
                       "mario.rossi@pec.example.it", ""}};
  e.documents = {
      {DocumentRole::primary, "istanza.pdf", "application/pdf", 184320, digest::sha256_hex("istanza")},
      {DocumentRole::attachment, "documento-identita.pdf", "application/pdf", 90112,
       digest::sha256_hex("ci")}};
  e.sender_protocol_number = "123";
  e.sender_protocol_date = "2026-03-01";
  e.classification = "6.3";
  e.fascicolo = "2026-6.3-12";
  e.office = "Ufficio tecnico";
  e.channel = Channel::online;
  return e;
}

// What the server or the connection says about durability; refuses to measure anything weaker.
bool durability(db::Database& db, std::string& said) {
  if (db.dialect() == db::Dialect::sqlite) {
    std::int64_t sync = -1;
    std::string journal;
    // The writer's connection is the one that commits: ask it, not a reader.
    db.write([&](db::Conn& c) {
      sync = c.query_one("PRAGMA synchronous")->i64(0);
      journal = c.query_one("PRAGMA journal_mode")->text(0);
    });
    said = "journal_mode=" + journal + " synchronous=" + (sync == 2 ? "FULL" : std::to_string(sync));
    return sync >= 2 && journal == "wal";
  }
  std::string fsync, commit;
  db.read([&](db::Conn& c) {
    fsync = c.query_one("SHOW fsync")->text(0);
    commit = c.query_one("SHOW synchronous_commit")->text(0);
  });
  said = "fsync=" + fsync + " synchronous_commit=" + commit;
  return fsync == "on" && commit == "on";
}

std::vector<YearNumbers> stored_numbers(db::Database& db, protocollo::AooId aoo) {
  return db::read_all(
      db,
      "SELECT year, COUNT(*), COUNT(DISTINCT number), MIN(number), MAX(number) "
      "FROM protocol_entries WHERE tenant_id = $1 AND aoo_id = $2 GROUP BY year ORDER BY year",
      {kTenant, aoo}, [](const db::Row& r) {
        return YearNumbers{static_cast<int>(r.i64(0)), r.i64(1), r.i64(2), r.i64(3), r.i64(4)};
      });
}

struct Worker {
  std::vector<Acknowledged> warmup;   // before the clock starts: checked, not counted
  std::vector<Acknowledged> numbers;  // measured
  std::vector<std::int64_t> latency_us;
  std::int64_t failures = 0;
  std::string first_failure;
};

// One registration before the clock starts (PostgreSQL: opens this thread's pooled connection and
// prepares the statements, which pgbench's figure leaves out too), then registrations until the deadline.
void work(protocollo::ProtocolService& service, protocollo::AooId aoo, int index, std::latch& ready,
          std::latch& go, const std::chrono::steady_clock::time_point& deadline, Worker& out) {
  const protocollo::SystemActor actor{"bench-" + std::to_string(index)};
  const auto entry = sample_entry(aoo, index);
  try {
    auto r = service.register_entry(actor, kTenant, entry);
    if (r.ok()) {
      out.warmup.push_back({r->year, r->number});
    } else if (out.failures++ == 0) {
      out.first_failure = r.error().code + " " + r.error().detail;
    }
  } catch (const std::exception& e) {
    if (out.failures++ == 0) out.first_failure = e.what();
  }
  ready.count_down();
  go.wait();  // `deadline` is set before go opens
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    if (t0 >= deadline) break;
    try {
      auto r = service.register_entry(actor, kTenant, entry);
      if (r.ok()) {
        out.numbers.push_back({r->year, r->number});
        out.latency_us.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
                .count());
      } else {
        if (out.failures++ == 0) out.first_failure = r.error().code + " " + r.error().detail;
      }
    } catch (const std::exception& e) {
      if (out.failures++ == 0) out.first_failure = e.what();
    }
  }
}

}  // namespace

int run_registrations(const std::string& url, const std::string& migrations_root, const RunOptions& options) {
  db::Options o;
  o.pool_size = options.threads;  // PostgreSQL: one connection per writer thread
  o.synchronous_full = true;
  auto db = db::open(url, o);
  db::migrate(*db, migrations_root);

  std::string said;
  const bool durable = durability(*db, said);
  std::printf("durability=%s\n", said.c_str());
  if (!durable) {
    std::fprintf(stderr, "bench_protocollo: commits are not durable (%s): refusing to measure\n",
                 said.c_str());
    return 2;
  }

  protocollo::ProtocolService service(*db, time::system_clock());
  auto aoo = service.create_aoo(kTenant, "c_a479", "AOO_BENCH", "Protocollo generale");
  if (!aoo.ok()) {
    std::fprintf(stderr, "bench_protocollo: create_aoo: %s\n", aoo.error().code.c_str());
    return 2;
  }

  std::vector<Worker> workers(static_cast<std::size_t>(options.threads));
  std::vector<std::thread> threads;
  std::latch ready(options.threads);
  std::latch go(1);
  auto deadline = std::chrono::steady_clock::time_point::max();
  for (int t = 0; t < options.threads; ++t)
    threads.emplace_back(work, std::ref(service), aoo->id, t, std::ref(ready), std::ref(go),
                         std::cref(deadline), std::ref(workers[static_cast<std::size_t>(t)]));
  ready.wait();
  const auto before = db->stats();
  const auto start = std::chrono::steady_clock::now();
  deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(options.seconds));
  go.count_down();
  for (auto& th : threads) th.join();
  // Until the last registration in flight at the deadline is durable: every counted one is inside.
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto after = db->stats();

  std::vector<Acknowledged> acknowledged;
  std::vector<std::int64_t> latency;
  std::int64_t failures = 0;
  std::string first_failure;
  std::int64_t count = 0;
  for (auto& w : workers) {
    count += static_cast<std::int64_t>(w.numbers.size());
    acknowledged.insert(acknowledged.end(), w.warmup.begin(), w.warmup.end());
    acknowledged.insert(acknowledged.end(), w.numbers.begin(), w.numbers.end());
    latency.insert(latency.end(), w.latency_us.begin(), w.latency_us.end());
    failures += w.failures;
    if (first_failure.empty()) first_failure = w.first_failure;
  }
  write_latencies(options, latency);
  const auto checked = acknowledged.size();
  auto check = check_numbering(stored_numbers(*db, aoo->id), std::move(acknowledged));
  const auto commits = after.commits - before.commits;

  std::printf("dialect=%s\n", db->dialect() == db::Dialect::sqlite ? "sqlite" : "postgres");
  std::printf("threads=%d\n", options.threads);
  std::printf("seconds=%.3f\n", elapsed);
  std::printf("registrations=%lld\n", static_cast<long long>(count));
  std::printf("per_second=%.1f\n", elapsed > 0 ? static_cast<double>(count) / elapsed : 0.0);
  std::printf("commits=%lld\n", static_cast<long long>(commits));
  std::printf("per_commit=%.2f\n",
              commits > 0 ? static_cast<double>(count) / static_cast<double>(commits) : 0.0);
  std::printf("p50_ms=%.2f\n", percentile_ms(latency, 50));
  std::printf("p99_ms=%.2f\n", percentile_ms(latency, 99));
  std::printf("failures=%lld\n", static_cast<long long>(failures));
  if (failures > 0) std::printf("first_failure=%s\n", first_failure.c_str());
  std::printf("numbers_checked=%zu\n", checked);
  std::printf("gap_check=%s\n", check.ok ? "ok" : "FAILED");
  std::printf("gap_detail=%s\n", check.detail.c_str());
  std::fflush(stdout);
  db->close();
  return check.ok && failures == 0 ? 0 : 1;
}

}  // namespace sp::bench
