#pragma once
// The outbox: messages written in the same transaction as the business action that causes them (so a
// rolled-back action sends nothing), delivered by a Dispatcher thread through the channel adapters, with
// retries and exponential backoff, and marked failed after max_attempts.
//
// Claiming: a dispatcher takes a batch of due messages in one short write transaction, bumping
// `attempts`, setting status 'sending' with a lease (next_attempt_at = now + lease) and a fresh claim
// token; on PostgreSQL the batch is selected FOR UPDATE SKIP LOCKED, so dispatchers on several nodes
// never take the same row; on SQLite the single writer serialises claims. The outcome is written only
// if the claim token still matches. A dispatcher that dies mid-send leaves its rows to be claimed again
// when the lease ends (at-least-once delivery in that case only).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::messaging {

// Writes `m` into the outbox inside the caller's transaction. Returns the message id.
// Errors (nothing written): messaging.recipient (empty, or contains control characters),
// messaging.subject (control characters: header injection), messaging.body (empty).
Result<std::string> enqueue(db::Conn& tx, const Message& m, const time::Clock& clock = time::system_clock());

// Read side, for the operator pages and tests.
std::optional<StoredMessage> find_message(db::Database& db, const std::string& id);
// Newest first.
std::vector<StoredMessage> list_messages(db::Database& db, int limit = 100);

struct DispatcherOptions {
  int max_attempts = 5;                          // then status 'failed'
  std::chrono::seconds base_backoff{30};         // wait after the first failure; doubles each time
  std::chrono::seconds max_backoff{3600};        // cap
  std::chrono::seconds lease{300};               // a claimed row is re-claimable after this
  std::chrono::milliseconds poll_interval{1000};  // how often the thread looks for due messages
  int batch = 20;                                // rows per claim
  std::string worker_id;                         // for logs; random when empty
};

// The delay before the next attempt after `attempts` failed ones (1 → base, 2 → 2·base, ...), capped.
std::chrono::seconds backoff_after(int attempts, const DispatcherOptions& o);

class Dispatcher {
 public:
  Dispatcher(db::Database& db, const time::Clock& clock = time::system_clock(), DispatcherOptions options = {});
  ~Dispatcher();  // stops the thread
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Registers the adapter for a channel (before start()). Messages of a channel without a sender fail
  // with messaging.no_sender (transient: they wait for a configuration that has one).
  void set_sender(Channel c, std::shared_ptr<Sender> sender);

  // Starts / stops the background thread. stop() waits for the batch in hand to finish.
  void start();
  void stop();
  // Wakes the thread now (e.g. after enqueuing something urgent).
  void notify();

  // Claims one batch of due messages and delivers it on the calling thread. Returns how many were
  // claimed. What the thread does in a loop; tests call it directly for determinism.
  int run_once();

  struct Counters {
    std::int64_t sent = 0, retried = 0, failed = 0;
  };
  [[nodiscard]] Counters counters() const;

 private:
  void loop();
  void deliver(const StoredMessage& m, const std::string& claim);

  db::Database& db_;
  const time::Clock& clock_;
  DispatcherOptions options_;
  std::map<Channel, std::shared_ptr<Sender>> senders_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::atomic<std::int64_t> sent_{0}, retried_{0}, failed_{0};
};

}  // namespace sp::messaging
