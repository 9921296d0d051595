// The registry under a crash, on SQLite and on PostgreSQL: the real server registers entries through the
// JSON API while clients keep it busy, and is killed with SIGKILL (no chance to clean up) at a moment
// decided by how many registrations it has acknowledged. After each restart on the same database:
//   - every acknowledged registration is there with the number and id the client was told;
//   - the AOO's numbers are exactly 1..N (N may exceed the acknowledged count: an entry can commit with
//     its answer lost), and no entry is half-written (documents, audit record, intact chain);
//   - a request whose answer was lost, sent again with its Idempotency-Key, comes back as the same entry
//     (200) when it had committed, or is registered now (201) when it had not: every request ends up
//     registered exactly once;
//   - new registrations continue at N+1.
// The first crash hits one client registering one entry after another, the second four concurrent clients.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "stress_fixture.hpp"

namespace sp::protocollo_stress {
namespace {

using Clock = std::chrono::steady_clock;

// One registration request as a client sent it, and what came back.
struct Attempt {
  std::string key;  // Idempotency-Key
  std::string body;
  int status = 0;  // 0: no (whole) answer
  std::optional<Ack> ack;
};

// Sends `bytes` on a new connection and closes it at once, reading nothing.
void send_and_hang_up(std::uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::close(fd);
}

class CrashTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    seeded_ = seed(database_->url());
    ASSERT_FALSE(seeded_.key.empty());
    port_ = sp::testing::free_port();
  }

  void start() {
    server_ = start_server(database_->url(), port_, dir_.path());
    ASSERT_TRUE(server_->wait_ready(60000)) << "server did not become ready";
  }

  // Runs `clients` clients, each registering one entry after another on its keep-alive connection, until
  // the server has acknowledged `kill_after` registrations in this round; then kills it with SIGKILL while
  // the clients are still sending, and returns every attempt made. With `abandon_every` > 0 one more
  // client sends a request each time that many more have been acknowledged and hangs up without reading
  // the answer, as a client that timed out would: its requests may or may not have committed.
  std::vector<Attempt> run_until_killed(int clients, int kill_after, const std::string& tag,
                                        int abandon_every = 0) {
    std::mutex m;
    std::condition_variable cv;
    int acked = 0;
    int running = clients;
    std::atomic<bool> killing{false};
    std::vector<std::vector<Attempt>> per_client(clients);
    std::vector<std::string> unexpected;
    std::vector<std::thread> threads;
    const auto started = Clock::now();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        HttpConnection conn(port_);
        for (int i = 0; i < 100000; ++i) {
          Attempt a;
          a.key = tag + "-" + std::to_string(c) + "-" + std::to_string(i);
          a.body = registration_json("Istanza " + a.key);
          auto r = conn.request("POST", kRegistrations, api_headers(seeded_.key, a.key), a.body);
          const bool before_kill = !killing.load();
          if (r) a.status = r->status;
          if (r && r->status == 201) a.ack = parse_entry(*r);
          const bool stop = !a.ack;
          {
            std::lock_guard lk(m);
            if (a.ack) ++acked;
            // A dead server cannot answer: any answer but 201 is wrong, and so is a lost one before the kill.
            if (r && r->status != 201)
              unexpected.push_back(a.key + ": " + std::to_string(r->status) + " " + r->body);
            else if (!r && before_kill)
              unexpected.push_back(a.key + ": no answer before the kill");
            per_client[c].push_back(std::move(a));
            if (stop) --running;
          }
          cv.notify_all();
          if (stop) return;
        }
        std::lock_guard lk(m);
        --running;
      });
    }
    std::vector<Attempt> abandoned;
    if (abandon_every > 0) {
      threads.emplace_back([&] {
        for (int i = 0;; ++i) {
          {
            std::unique_lock lk(m);
            cv.wait(lk, [&] { return killing.load() || running == 0 || acked >= (i + 1) * abandon_every; });
            if (killing || running == 0) return;
          }
          Attempt a;
          a.key = tag + "-abandoned-" + std::to_string(i);
          a.body = registration_json("Istanza " + a.key);
          std::string bytes =
              "POST " + kRegistrations + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
          for (const auto& h : api_headers(seeded_.key, a.key)) bytes += h + "\r\n";
          bytes += "Content-Length: " + std::to_string(a.body.size()) + "\r\n\r\n" + a.body;
          send_and_hang_up(port_, bytes);
          abandoned.push_back(std::move(a));
        }
      });
    }
    {
      std::unique_lock lk(m);
      cv.wait_for(lk, std::chrono::seconds(120), [&] { return acked >= kill_after || running == 0; });
      killing = true;
    }
    cv.notify_all();
    server_->kill_hard();
    for (auto& t : threads) t.join();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    for (const auto& u : unexpected) ADD_FAILURE() << u;
    std::vector<Attempt> all;
    for (auto& v : per_client)
      for (auto& a : v) all.push_back(std::move(a));
    std::size_t lost = 0;
    for (const auto& a : all) lost += a.status == 0;
    std::printf(
        "[ crash    ] %s: %d client(s), %d acknowledged, %zu without an answer, %zu abandoned, SIGKILL after "
        "%lld ms\n",
        tag.c_str(), clients, acked, lost, abandoned.size(), static_cast<long long>(ms));
    for (auto& a : abandoned) all.push_back(std::move(a));
    EXPECT_GE(acked, kill_after) << "the clients stopped before the kill";
    // Per client, requests go one after another: each later acknowledged number is larger.
    for (const auto& v : per_client) {
      std::int64_t prev = 0;
      for (const auto& a : v) {
        if (!a.ack) continue;
        EXPECT_GT(a.ack->number, prev) << a.key;
        prev = a.ack->number;
      }
    }
    return all;
  }

  // The database as the restarted server sees it, through a handle of our own (closed after `fn`).
  template <typename Fn>
  void with_db(Fn fn) {
    auto db = db::open(database_->url());
    fn(*db);
    db->close();
  }

  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  Seeded seeded_;
  std::uint16_t port_ = 0;
  std::unique_ptr<sp::testing::ServerProcess> server_;
};

TEST_P(CrashTest, AcknowledgedRegistrationsSurviveSigkillAndNumbersStayGapless) {
  const auto seed_value = std::random_device{}();
  std::printf("[ crash    ] random seed %u\n", seed_value);
  std::mt19937 rng(seed_value);
  std::uniform_int_distribution<int> first_kill(150, 300), second_kill(250, 450);

  ASSERT_NO_FATAL_FAILURE(start());
  auto attempts = run_until_killed(1, first_kill(rng), "seq");
  ASSERT_NO_FATAL_FAILURE(start());
  with_db([&](db::Database& db) { expect_whole_registry(db, seeded_.asti, seeded_.aoo); });
  auto second = run_until_killed(4, second_kill(rng), "par", 25);
  attempts.insert(attempts.end(), std::make_move_iterator(second.begin()),
                  std::make_move_iterator(second.end()));
  ASSERT_NO_FATAL_FAILURE(start());

  // Every acknowledged registration is there, with its number and id; the numbers are 1..N.
  std::vector<StoredEntry> entries;
  std::map<std::string, std::string> keys;
  with_db([&](db::Database& db) {
    entries = expect_whole_registry(db, seeded_.asti, seeded_.aoo);
    keys = idempotency_keys(db, seeded_.asti);
  });
  std::map<std::string, const StoredEntry*> by_id;
  std::map<int, std::int64_t> last_number;
  for (const auto& e : entries) {
    by_id[e.id] = &e;
    last_number[e.year] = std::max(last_number[e.year], e.number);
  }
  std::size_t acked = 0;
  std::set<std::pair<int, std::int64_t>> acked_numbers;
  for (const auto& a : attempts) {
    if (!a.ack) continue;
    ++acked;
    EXPECT_TRUE(acked_numbers.insert({a.ack->year, a.ack->number}).second) << "number given twice: " << a.key;
    auto it = by_id.find(a.ack->id);
    ASSERT_NE(it, by_id.end()) << "acknowledged entry " << a.key << " (number " << a.ack->number << ") lost";
    EXPECT_EQ(it->second->number, a.ack->number) << a.key;
    EXPECT_EQ(it->second->year, a.ack->year) << a.key;
    EXPECT_EQ(it->second->registered_at, a.ack->registered_at) << a.key;
    auto k = keys.find(a.key);
    ASSERT_NE(k, keys.end()) << "idempotency key of an acknowledged entry lost: " << a.key;
    EXPECT_EQ(k->second, a.ack->id) << a.key;
  }
  ASSERT_GT(acked, 0u);
  EXPECT_GE(entries.size(), acked);
  // Nothing but our requests registers here, and each carried a key: every entry is one of them.
  EXPECT_EQ(keys.size(), entries.size());
  std::printf("[ crash    ] after the restarts: %zu entries, %zu acknowledged\n", entries.size(), acked);

  HttpConnection conn(port_);
  // The requests whose answers were lost, sent again: the same entry if they had committed, a new one,
  // at the next number, if they had not.
  std::size_t committed_unacknowledged = 0, registered_now = 0;
  for (const auto& a : attempts) {
    if (a.status != 0) continue;
    auto r = conn.request("POST", kRegistrations, api_headers(seeded_.key, a.key), a.body);
    ASSERT_TRUE(r) << "no answer to the retry of " << a.key;
    auto committed = keys.find(a.key);
    if (committed != keys.end()) {
      ++committed_unacknowledged;
      ASSERT_EQ(r->status, 200) << a.key << " had committed: " << r->body;
      auto e = parse_entry(*r);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->id, committed->second) << a.key;
      EXPECT_EQ(e->number, by_id.at(committed->second)->number) << a.key;
    } else {
      ++registered_now;
      ASSERT_EQ(r->status, 201) << a.key << " had not committed: " << r->body;
      auto e = parse_entry(*r);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->number, last_number[e->year] + 1) << a.key;
      last_number[e->year] = e->number;
    }
  }
  std::printf("[ crash    ] answers lost: %zu had committed (replayed), %zu registered on retry\n",
              committed_unacknowledged, registered_now);

  // An acknowledged request sent again is the same entry; the same key with another request is refused.
  const Attempt* first_acked = nullptr;
  for (const auto& a : attempts)
    if (a.ack && !first_acked) first_acked = &a;
  ASSERT_NE(first_acked, nullptr);
  {
    auto r =
        conn.request("POST", kRegistrations, api_headers(seeded_.key, first_acked->key), first_acked->body);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto e = parse_entry(*r);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->id, first_acked->ack->id);
    EXPECT_EQ(e->number, first_acked->ack->number);
    auto other = conn.request("POST", kRegistrations, api_headers(seeded_.key, first_acked->key),
                              registration_json("Un'altra istanza"));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 422) << other->body;
    EXPECT_EQ(error_code_of(*other), "protocollo.idempotency_conflict");
  }

  // New registrations continue the sequence.
  std::vector<std::string> fresh_keys;
  for (int i = 0; i < 20; ++i) {
    fresh_keys.push_back("after-" + std::to_string(i));
    auto r = conn.request("POST", kRegistrations, api_headers(seeded_.key, fresh_keys.back()),
                          registration_json("Istanza dopo il riavvio " + std::to_string(i)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    auto e = parse_entry(*r);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->number, last_number[e->year] + 1);
    last_number[e->year] = e->number;
  }

  // The acknowledged entries read back through the API, with their numbers.
  for (const auto& a : attempts) {
    if (!a.ack) continue;
    auto r = conn.request("GET", kRegistrations + "/" + a.ack->id, api_headers(seeded_.key));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << a.key << " " << r->body;
    auto e = parse_entry(*r);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->number, a.ack->number);
  }

  // Another body's key reaches nothing of Asti's, and Asti's key nothing of Novara's.
  {
    auto r =
        conn.request("GET", kRegistrations + "/" + first_acked->ack->id, api_headers(seeded_.novara_key));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << r->body;
    auto post = conn.request("POST", kNovaraRegistrations, api_headers(seeded_.key, "cross-tenant"),
                             registration_json("Istanza fuori ente"));
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 403) << post->body;
    auto list = conn.request("GET", kNovaraRegistrations + "?limite=5", api_headers(seeded_.key));
    ASSERT_TRUE(list);
    EXPECT_EQ(list->status, 403) << list->body;
  }

  // In the end every request is registered exactly once: one entry per idempotency key, 1..N.
  with_db([&](db::Database& db) {
    auto final_entries = expect_whole_registry(db, seeded_.asti, seeded_.aoo);
    auto final_keys = idempotency_keys(db, seeded_.asti);
    std::set<std::string> sent;
    for (const auto& a : attempts) sent.insert(a.key);
    for (const auto& k : fresh_keys) sent.insert(k);
    EXPECT_EQ(final_entries.size(), sent.size());
    EXPECT_EQ(final_keys.size(), sent.size());
    std::set<std::string> entry_ids;
    for (const auto& k : sent) {
      auto it = final_keys.find(k);
      ASSERT_NE(it, final_keys.end()) << "request never registered: " << k;
      EXPECT_TRUE(entry_ids.insert(it->second).second) << "two keys on one entry: " << k;
    }
    EXPECT_EQ(count_of(db, "SELECT COUNT(*) FROM protocol_entries WHERE tenant_id = $1", {seeded_.novara}),
              0);
  });
}

INSTANTIATE_TEST_SUITE_P(Drivers, CrashTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::protocollo_stress
