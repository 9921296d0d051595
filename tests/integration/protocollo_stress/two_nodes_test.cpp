// Two server processes on one PostgreSQL database, as two nodes of the hub behind a load balancer, and
// eight clients (four on each) registering 5,000 entries in one AOO through the JSON API. The numbers
// must come out 1..5000 exactly once, and registration times must never go back as numbers grow: the
// two processes share nothing but the database, so this is the AOO's advisory lock at work.
#include <gtest/gtest.h>

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

TEST(TwoNodesTest, EightClientsOnTwoProcessesNumberFiveThousandEntriesWithoutGapsOrRepeats) {
  sp::testing::TestDatabase database(db::Dialect::postgres);
  const auto seeded = seed(database.url());
  ASSERT_FALSE(seeded.key.empty());
  sp::testing::TempDir dir_a, dir_b;
  const std::uint16_t port_a = sp::testing::free_port();
  std::uint16_t port_b = sp::testing::free_port();
  while (port_b == port_a) port_b = sp::testing::free_port();
  auto node_a = start_server(database.url(), port_a, dir_a.path());
  auto node_b = start_server(database.url(), port_b, dir_b.path());
  ASSERT_TRUE(node_a->wait_ready(60000)) << "node A did not become ready";
  ASSERT_TRUE(node_b->wait_ready(60000)) << "node B did not become ready";

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
      // Even clients on node A, odd on node B; half of each send an Idempotency-Key (its own
      // transaction path), half do not.
      HttpConnection conn(c % 2 == 0 ? port_a : port_b);
      const bool with_key = (c / 2) % 2 == 0;
      std::vector<Done> mine;
      std::int64_t previous = 0;
      for (int i = c; i < kEntries; i += kClients) {
        const std::string name = "two-nodes-" + std::to_string(i);
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
  std::printf("[ two nodes] %zu registrations by %d clients on 2 processes in %.2f s (%.0f/s)\n", done.size(),
              kClients, seconds, static_cast<double>(done.size()) / seconds);
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
  // Both nodes did their share of the work.
  std::map<int, int> per_client;
  for (const auto& d : done) ++per_client[d.client % 2];
  EXPECT_EQ(per_client[0], kEntries / 2);
  EXPECT_EQ(per_client[1], kEntries / 2);
  // Novara's registry was not touched.
  EXPECT_EQ(count_of(db, "SELECT COUNT(*) FROM protocol_entries WHERE tenant_id = $1", {seeded.novara}), 0);

  EXPECT_EQ(node_a->terminate(), 0);
  EXPECT_EQ(node_b->terminate(), 0);
}

}  // namespace
}  // namespace sp::protocollo_stress
