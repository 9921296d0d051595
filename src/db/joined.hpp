#pragma once
// A Database that is one connection inside a caller's write transaction: services built on it take part
// in that transaction, so work spread over several services (each with its own write()) commits or rolls
// back as one. read() runs on the same connection (it sees the transaction's own writes); each write()
// is a savepoint, rolled back alone when its callback throws (then the exception goes on to the caller,
// as with a real write()). Nothing is committed here: the caller's write() commits or rolls back all.
// For a bounded piece of work inside one write() callback (bulk onboarding, hub/onboarding.cpp); the
// object must not outlive the callback's connection.
#include <atomic>
#include <functional>
#include <string>

#include "db/database.hpp"

namespace sp::db {

class Joined final : public Database {
 public:
  explicit Joined(Conn& tx) : tx_(tx) {}

  [[nodiscard]] Dialect dialect() const override { return tx_.dialect(); }
  void read(const std::function<void(Conn&)>& fn) override { fn(tx_); }
  void write(const std::function<void(Conn&)>& fn) override {
    const std::string name = "joined_" + std::to_string(++savepoints_);
    tx_.exec("SAVEPOINT " + name);
    try {
      fn(tx_);
    } catch (...) {
      tx_.exec("ROLLBACK TO SAVEPOINT " + name);
      tx_.exec("RELEASE SAVEPOINT " + name);
      throw;
    }
    tx_.exec("RELEASE SAVEPOINT " + name);
  }
  bool ping() override { return true; }
  PoolStats stats() override { return {}; }
  void close() override {}

 private:
  Conn& tx_;
  std::atomic<long> savepoints_{0};
};

}  // namespace sp::db
