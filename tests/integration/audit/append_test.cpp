// Appending against real SQLite and PostgreSQL: concurrent writers still give one gapless chain per
// tenant, an entry commits or rolls back with the caller's transaction, and tenants never share a chain.
#include <atomic>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "audit/chain_tail.hpp"
#include "audit_fixture.hpp"

namespace sp::audit::testing {
namespace {

class AuditAppendTest : public AuditTest {
 protected:
  // `threads` writers of `rounds` each at once: the even ones append single entries to tenant 5, the odd
  // ones run `batch` in a write transaction of their own (false: an append was refused). The failures.
  int concurrent_writers(int threads, int rounds, const std::function<bool(db::Conn&)>& batch) {
    std::atomic<int> failures{0};
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        for (int i = 0; i < rounds; ++i) {
          try {
            if (t % 2 == 0) {
              if (!audit().record(entry(5, "case.open")).ok()) ++failures;
            } else {
              db().write([&](db::Conn& tx) {
                if (!batch(tx)) ++failures;
              });
            }
          } catch (const std::exception&) {
            ++failures;
          }
        }
      });
    }
    for (auto& th : running) th.join();
    return failures.load();
  }
};

std::vector<std::int64_t> all_seqs(db::Database& db, tenants::TenantId tenant) {
  return db::read_all(db, "SELECT seq FROM audit_log WHERE tenant_id = $1 ORDER BY seq", {tenant},
                      [](const db::Row& r) { return r.i64(0); });
}

TEST_P(AuditAppendTest, ConcurrentWritersProduceAGaplessChain) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto e = entry(5, "case.open", "staff-" + std::to_string(t));
        e.details = R"({"i":)" + std::to_string(i) + "}";
        try {
          if (!audit().record(e).ok()) ++failures;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);

  auto seqs = all_seqs(db(), 5);
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem << " at " << report.broken_seq;
  EXPECT_EQ(report.entries, kThreads * kPerThread);
}

TEST_P(AuditAppendTest, ConcurrentWritersToDifferentTenantsKeepSeparateChains) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(audit().record(entry(1 + t % 2)).ok());
    });
  }
  for (auto& th : threads) th.join();
  for (tenants::TenantId tenant : {1, 2}) {
    auto report = audit().verify(tenant);
    EXPECT_TRUE(report.intact) << report.problem;
    EXPECT_EQ(report.entries, 100);
  }
}

TEST_P(AuditAppendTest, AnEntryRollsBackWithTheCallersTransaction) {
  append(5, 2);
  EXPECT_THROW(db().write([&](db::Conn& tx) {
    auto r = audit().record(tx, entry(5, "case.close"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->seq, 3);
    throw std::runtime_error("the action failed after it was logged");
  }),
               std::runtime_error);
  EXPECT_EQ(all_seqs(db(), 5).size(), 2u);
  EXPECT_TRUE(audit().entries(5, {.action = "case.close"}).entries.empty());

  // The next append reuses seq 3 and the chain stays intact.
  auto r = audit().record(entry(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 3);
  EXPECT_TRUE(audit().verify(5).intact);
}

TEST_P(AuditAppendTest, AnEntryCommitsWithTheCallersWork) {
  // Several entries (and the caller's own statements) in one transaction chain one after another.
  db().write([&](db::Conn& tx) {
    EXPECT_EQ(audit().record(tx, entry(5))->seq, 1);
    EXPECT_EQ(audit().record(tx, entry(5, "case.read"))->seq, 2);
    EXPECT_EQ(audit().record(tx, entry(kHubTenant))->seq, 1);
  });
  EXPECT_EQ(audit().verify(5).entries, 2);
  EXPECT_EQ(audit().verify(kHubTenant).entries, 1);
}

TEST_P(AuditAppendTest, EachTenantHasItsOwnChain) {
  append(1, 3);
  append(2, 2);
  append(1, 1);
  EXPECT_EQ(all_seqs(db(), 1), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(all_seqs(db(), 2), (std::vector<std::int64_t>{1, 2}));
  auto first_of_2 = audit().entries(2, {.before_seq = 2}).entries;
  ASSERT_EQ(first_of_2.size(), 1u);
  EXPECT_EQ(first_of_2[0].prev_hash, kGenesisHash);  // not linked to tenant 1's entries

  // Breaking tenant 2's chain leaves tenant 1's intact.
  tamper("UPDATE audit_log SET action = 'case.close' WHERE tenant_id = 2 AND seq = 1");
  EXPECT_TRUE(audit().verify(1).intact);
  EXPECT_FALSE(audit().verify(2).intact);
}

TEST_P(AuditAppendTest, SeveralEntriesInOneCallChainAsIfAppendedOneByOne) {
  ASSERT_TRUE(audit().record(entry(5, "case.open")).ok());
  std::vector<Entry> batch = {entry(5, "case.submit"), entry(6, "case.open"), entry(5, "case.close"),
                              entry(6, "case.close")};
  std::vector<Appended> appended;
  db().write([&](db::Conn& tx) {
    auto r = audit().record_all(tx, batch);
    ASSERT_TRUE(r.ok()) << r.error().code;
    appended = *r;
  });
  ASSERT_EQ(appended.size(), 4u);
  EXPECT_EQ(appended[0].seq, 2);
  EXPECT_EQ(appended[1].seq, 1);
  EXPECT_EQ(appended[2].seq, 3);
  EXPECT_EQ(appended[3].seq, 2);
  EXPECT_EQ(stored(5, 3).entry.action, "case.close");
  EXPECT_EQ(stored(5, 3).prev_hash, appended[0].hash);
  EXPECT_EQ(stored(6, 2).prev_hash, appended[1].hash);
  ASSERT_TRUE(audit().record(entry(5, "case.reopen")).ok());
  for (tenants::TenantId tenant : {5, 6}) {
    auto report = audit().verify(tenant);
    EXPECT_TRUE(report.intact) << report.problem << " at " << report.broken_seq;
  }
  EXPECT_EQ(all_seqs(db(), 5), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_P(AuditAppendTest, ConcurrentBatchesAndSingleEntriesProduceAGaplessChain) {
  constexpr int kThreads = 6;
  constexpr int kRounds = 40;
  EXPECT_EQ(concurrent_writers(
                kThreads, kRounds,
                [&](db::Conn& tx) {
                  return audit().record_all(tx, {entry(5, "case.open"), entry(5, "case.submit")}).ok();
                }),
            0);
  const std::size_t expected = kThreads / 2 * kRounds * 3;
  auto seqs = all_seqs(db(), 5);
  ASSERT_EQ(seqs.size(), expected);
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
  auto report = audit().verify(5);
  EXPECT_TRUE(report.intact) << report.problem << " at " << report.broken_seq;
}

// chain_tail.hpp: a transaction that appends twice to a chain reads its head once (the second append
// follows the first one's entry, the lock being held), and one that prefetched the lock and head has them
// sent with its next statement. Against single appends of other writers, the chain stays gapless.
TEST_P(AuditAppendTest, PrefetchedHeadsAndSecondAppendsInOneTransactionKeepTheChainGapless) {
  constexpr int kThreads = 6;
  constexpr int kRounds = 15;
  EXPECT_EQ(concurrent_writers(
                kThreads, kRounds,
                [&](db::Conn& tx) {
                  prefetch_chain_head(tx, 5);
                  tx.query("SELECT 1");  // carries the lock and the head
                  return audit().record(tx, entry(5, "case.open")).ok() &&
                         audit().record(tx, entry(6, "case.open")).ok() &&
                         audit().record_all(tx, {entry(5, "case.submit"), entry(6, "case.submit")}).ok();
                }),
            0);
  const std::size_t rounds = kThreads / 2 * kRounds;
  for (const auto& [tenant, expected] : {std::pair{5, rounds * 3}, std::pair{6, rounds * 2}}) {
    auto seqs = all_seqs(db(), tenant);
    ASSERT_EQ(seqs.size(), expected) << tenant;
    for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
    auto report = audit().verify(tenant);
    EXPECT_TRUE(report.intact) << tenant << ": " << report.problem << " at " << report.broken_seq;
  }
  // What a rolled-back transaction knew is not used by the next one on the same thread and connection.
  EXPECT_THROW(db().write([&](db::Conn& tx) {
    ASSERT_TRUE(audit().record(tx, entry(5, "case.open")).ok());
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  db().write([&](db::Conn& tx) { ASSERT_TRUE(audit().record(tx, entry(5, "case.open")).ok()); });
  EXPECT_EQ(all_seqs(db(), 5).size(), rounds * 3 + 1);
  EXPECT_TRUE(audit().verify(5).intact);
}

TEST_P(AuditAppendTest, OneInvalidEntryOfABatchRefusesTheWholeBatch) {
  auto bad = entry(5, "case.submit");
  bad.details = "not json";
  db().write([&](db::Conn& tx) {
    auto r = audit().record_all(tx, {entry(5, "case.open"), bad});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "audit.details");
  });
  EXPECT_TRUE(all_seqs(db(), 5).empty());
}

TEST_P(AuditAppendTest, InvalidEntriesAreRefusedAndNothingIsWritten) {
  auto e = entry(5);
  e.details = "not json";
  auto r = audit().record(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "audit.details");
  e = entry(5);
  e.action = "";
  EXPECT_EQ(audit().record(e).error().code, "audit.action");
  e = entry(5);
  e.actor_id = "";
  EXPECT_EQ(audit().record(e).error().code, "audit.actor");
  EXPECT_TRUE(all_seqs(db(), 5).empty());
}

TEST_P(AuditAppendTest, OptionalFieldsRoundTripAsEmptyAndStillVerify) {
  Entry e;
  e.tenant_id = kHubTenant;
  e.actor_id = "system";
  e.action = "jobs.cleanup";
  ASSERT_TRUE(audit().record(e).ok());
  auto got = audit().entries(kHubTenant, {}).entries;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].entry.actor_kind, ActorKind::system);
  EXPECT_EQ(got[0].entry.channel, Channel::system);
  EXPECT_EQ(got[0].entry.on_behalf_of, "");
  EXPECT_EQ(got[0].entry.details, "{}");
  EXPECT_TRUE(audit().verify(kHubTenant).intact);
  // Empty optional texts are stored as NULL.
  auto nulls = db::read_all(db(), "SELECT on_behalf_of, record_id, remote_addr FROM audit_log", {},
                            [](const db::Row& r) { return r.is_null(0) && r.is_null(1) && r.is_null(2); });
  EXPECT_EQ(nulls, std::vector<bool>{true});
}

TEST_P(AuditAppendTest, ServicesBuiltOnADatabaseWithABoundKeyUseIt) {
  // The application binds its key to its database; services that domain modules build for themselves
  // afterwards (AuditService(db)) then write keyed entries too, and stop doing so once it is released.
  EXPECT_EQ(AuditService(db()).key(), nullptr);
  {
    KeyBinding binding(db(), key_);
    AuditService theirs(db(), clock_);
    ASSERT_NE(theirs.key(), nullptr);
    EXPECT_EQ(theirs.key()->id, key().id);
    ASSERT_TRUE(theirs.record(entry(5)).ok());
    KeyBinding moved = std::move(binding);
    EXPECT_EQ(AuditService(db()).key(), key_);
  }
  EXPECT_EQ(AuditService(db()).key(), nullptr);
  EXPECT_EQ(audit().entries(5, {}).entries.at(0).key_id, derive_body_key(key(), 5).id);
  EXPECT_TRUE(audit().verify(5).intact);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditAppendTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
