// Eight concurrent clients registering 5,000 entries in one AOO through the JSON API: on PostgreSQL two
// server processes on one database, as two nodes of the hub behind a load balancer (four clients on
// each); on SQLite the one process it allows. The numbers must come out 1..5000 exactly once, and
// registration times must never go back as numbers grow. The two PostgreSQL processes share nothing but
// the database, so there this is the AOO's advisory lock at work.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "stress_fixture.hpp"

namespace sp::protocollo_stress {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClients = 8;
constexpr int kEntries = 5000;

// `processes` servers on one database, kClients clients spread over them.
void register_concurrently(db::Dialect dialect, int processes) {
  sp::testing::TestDatabase database(dialect);
  const auto seeded = seed(database.url());
  ASSERT_FALSE(seeded.key.empty());
  std::vector<std::unique_ptr<sp::testing::TempDir>> dirs;
  std::vector<std::uint16_t> ports;
  std::vector<std::unique_ptr<sp::testing::ServerProcess>> nodes;
  for (int n = 0; n < processes; ++n) {
    dirs.push_back(std::make_unique<sp::testing::TempDir>());
    std::uint16_t port = sp::testing::free_port();
    while (std::find(ports.begin(), ports.end(), port) != ports.end()) port = sp::testing::free_port();
    ports.push_back(port);
    nodes.push_back(start_server(database.url(), port, dirs.back()->path()));
  }
  for (int n = 0; n < processes; ++n)
    ASSERT_TRUE(nodes[n]->wait_ready(60000)) << "node " << n << " not ready";

  struct Done {
    int client = 0;
    Ack ack;
  };
  std::mutex m;
  std::vector<Done> done;
  std::vector<std::string> failures;
  done.reserve(kEntries);
  std::vector<std::thread> threads;
  const auto started = Clock::now();
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      // Clients take the nodes in turn; half of each node's clients send an Idempotency-Key (its own
      // transaction path), half do not.
      HttpConnection conn(ports[c % processes]);
      const bool with_key = (c / processes) % 2 == 0;
      std::vector<Done> mine;
      std::int64_t previous = 0;
      for (int i = c; i < kEntries; i += kClients) {
        const std::string name = "concurrent-" + std::to_string(i);
        auto r = conn.request("POST", kRegistrations, api_headers(seeded.key, with_key ? name : ""),
                              registration_json("Istanza " + name));
        if (!r || r->status != 201) {
          std::lock_guard lk(m);
          failures.push_back(name + ": " + (r ? std::to_string(r->status) + " " + r->body : "no answer"));
          return;
        }
        auto e = parse_entry(*r);
        if (!e) return;
        // This client's requests go one after another: each commits after the previous one.
        if (e->number <= previous) {
          std::lock_guard lk(m);
          failures.push_back(name + ": number " + std::to_string(e->number) + " after " +
                             std::to_string(previous));
        }
        previous = e->number;
        mine.push_back({c, *e});
      }
      std::lock_guard lk(m);
      done.insert(done.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("[ writers  ] %s: %zu registrations by %d clients on %d process(es) in %.2f s (%.0f/s)\n",
              dialect == db::Dialect::sqlite ? "SQLite" : "PostgreSQL", done.size(), kClients, processes,
              seconds, static_cast<double>(done.size()) / seconds);
  for (const auto& f : failures) ADD_FAILURE() << f;
  ASSERT_EQ(done.size(), static_cast<std::size_t>(kEntries));

  // What the clients were told: each number once.
  std::map<int, std::set<std::int64_t>> told;
  std::map<std::string, Ack> by_id;
  for (const auto& d : done) {
    EXPECT_TRUE(told[d.ack.year].insert(d.ack.number).second) << "number " << d.ack.number << " given twice";
    EXPECT_TRUE(by_id.emplace(d.ack.id, d.ack).second) << "id " << d.ack.id << " given twice";
  }
  std::size_t total = 0;
  for (const auto& [year, numbers] : told) {
    total += numbers.size();
    EXPECT_EQ(*numbers.begin(), 1) << year;
    EXPECT_EQ(*numbers.rbegin(), static_cast<std::int64_t>(numbers.size())) << year;  // so 1..N, no gap
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kEntries));

  // What the database holds: the same entries, 1..5000, times never going back, all of them whole.
  auto& db = database.db(false);
  auto entries = expect_whole_registry(db, seeded.asti, seeded.aoo);
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(kEntries));
  for (const auto& e : entries) {
    auto it = by_id.find(e.id);
    ASSERT_NE(it, by_id.end()) << "entry " << e.number << " was not acknowledged to anyone";
    EXPECT_EQ(it->second.number, e.number);
    EXPECT_EQ(it->second.registered_at, e.registered_at);
  }
  // Every node did its share of the work.
  std::map<int, int> per_node;
  for (const auto& d : done) ++per_node[d.client % processes];
  for (int n = 0; n < processes; ++n) EXPECT_EQ(per_node[n], kEntries / processes) << "node " << n;
  // Novara's registry was not touched.
  EXPECT_EQ(count_of(db, "SELECT COUNT(*) FROM protocol_entries WHERE tenant_id = $1", {seeded.novara}), 0);

  for (auto& node : nodes) EXPECT_EQ(node->terminate(), 0) << "graceful stop";
}

TEST(ConcurrentWritersTest, EightClientsOnTwoPostgresProcessesNumberFiveThousandEntriesExactlyOnce) {
  register_concurrently(db::Dialect::postgres, 2);
}

TEST(ConcurrentWritersTest, EightClientsOnOneSqliteProcessNumberFiveThousandEntriesExactlyOnce) {
  register_concurrently(db::Dialect::sqlite, 1);
}

}  // namespace
}  // namespace sp::protocollo_stress
