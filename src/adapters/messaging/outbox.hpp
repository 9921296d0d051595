#pragma once
// The outbox: messages written in the same transaction as the business action that causes them (so a
// rolled-back action sends nothing), each with a job of kind "messaging.send" (src/jobs/) queued in that
// same transaction. The job runner delivers it through the channel adapters, with retries and
// exponential backoff, and the job is dead (the message 'failed') after max_attempts or a permanent
// refusal; an operator can retry it (`sportello jobs retry ID`, /backoffice/lavori).
//
// The outbox rows stay the message store, kept in step with the job: attempts, next_attempt_at,
// last_error and the delivery state (state.hpp: queued → sending → delivered | temporary_failure |
// permanent_failure | dead, cancelled by staff), every change through messaging::next(), the state
// table; each attempt is a row of outbox_attempts (channel, times, outcome, the other side's id).
//
// A message is never sent twice: a job finds its message already delivered (or in any final state) and
// stops; claims are
// exclusive (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on SQLite). Only a runner that dies
// between the send and the commit leaves the job to be claimed again when its lease ends; the repeat
// carries the same idempotency key (the message id: the e-mail's Message-ID, the SMS gateway's
// Idempotency-Key header), so the receiving side can drop it.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "adapters/messaging/state.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "jobs/runner.hpp"

namespace sp::messaging {

// The job kind that delivers a message; its payload is the message id, its tenant the message's.
inline constexpr const char* kSendKind = "messaging.send";

// Writes `m` into the outbox, and the job that delivers it, inside the caller's transaction. Returns
// the message id. Errors (nothing written): messaging.recipient (empty, or contains control
// characters), messaging.subject (control characters: header injection), messaging.body (empty).
Result<std::string> enqueue(db::Conn& tx, const Message& m, const time::Clock& clock = time::system_clock());

// For fan-outs (src/alerts): the message's id chosen by the caller — an idempotency key derived from what
// the message is for, so that writing it twice is impossible (the id is the outbox's primary key) and a
// repeat to the channel carries the same key — and the earliest time its job may run (throttling to a
// gateway's rate). Empty id: a new UUIDv7; no not_before: now.
struct EnqueueOptions {
  std::string id;
  std::optional<time::TimePoint> not_before;
};
Result<std::string> enqueue(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                            const time::Clock& clock = time::system_clock());

// Read side, for the operator pages and tests.
std::optional<StoredMessage> find_message(db::Database& db, const std::string& id);
// Newest first.
std::vector<StoredMessage> list_messages(db::Database& db, int limit = 100);

// A body's messages (staff), or a person's at every body (their area). Newest first.
struct MessageQuery {
  std::optional<std::int64_t> tenant_id;  // nullopt: any body (only with a person)
  std::string person;                     // fiscal code; empty: anyone (only with a tenant)
  std::string status;                     // a state; empty: any
  int limit = 100;                        // 1..500
};
std::vector<StoredMessage> list_messages(db::Database& db, const MessageQuery& q);
// One message, only if it belongs to the tenant (staff) or to the person (their area).
std::optional<StoredMessage> find_message(db::Database& db, std::int64_t tenant_id, const std::string& id);
std::optional<StoredMessage> find_message_for_person(db::Database& db, const std::string& person,
                                                     const std::string& id);
// The attempts of a message of `tenant_id`, first first.
std::vector<Attempt> list_attempts(db::Database& db, std::int64_t tenant_id, const std::string& message_id);

// What the other side reported about a message after the attempt (an SMS delivery report, a PEC
// receipt, a bounce): Event::delivered, Event::bounced or Event::permanent_failure. Goes through the
// state table: a duplicate report, or one on a final state it cannot move, changes nothing
// (Change::unchanged). The attempt whose provider id matches (or the last one) records it too.
// Errors: not_found (no such message of the tenant), messaging.event (another event: a bug).
Result<Change> apply_report(db::Database& db, std::int64_t tenant_id, const std::string& id, Event e,
                            const std::string& detail, time::TimePoint at);
// The same inside the caller's transaction (the PEC receipts job records the receipt and its effect
// together). A report that moves the message to permanent_failure queues its first fallback, as a
// failed attempt does (never a second one for the same message).
Result<Change> apply_report(db::Conn& tx, std::int64_t tenant_id, const std::string& id, Event e,
                            const std::string& detail, time::TimePoint at);
// The message that stands in for `id` (its fallback), if one was queued.
std::optional<std::string> fallback_for(db::Database& db, std::int64_t tenant_id, const std::string& id);
// Staff: do not send a queued, failing or dead message (Change::unchanged when already cancelled).
// Errors: not_found, messaging.state (409, detail: the state: in flight or final).
Result<Change> cancel_message(db::Database& db, std::int64_t tenant_id, const std::string& id,
                              time::TimePoint at);
// Staff: send a dead message again (its job is queued again, due now, attempts from zero).
// Errors: not_found, messaging.state (409: only a dead message), messaging.fallen_back (409: its
// fallback already went out on the next channel; sending it again would reach the person twice).
Result<Change> retry_message(db::Database& db, std::int64_t tenant_id, const std::string& id,
                             time::TimePoint at);

struct DeliveryOptions {
  int max_attempts = 5;                    // then the job is dead and the message 'failed'
  std::chrono::seconds base_backoff{30};   // wait after the first failure; doubles each time
  std::chrono::seconds max_backoff{3600};  // cap
  std::chrono::seconds lease{300};         // a claimed job is re-claimable after this
  const time::Clock* clock = nullptr;      // when a failed attempt ended; null: the system clock
};

// The "messaging.send" job kind: the channel adapters and the counters. Register it with a runner.
class Delivery {
 public:
  explicit Delivery(DeliveryOptions options = {}) : options_(options) {}
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  // Registers the adapter for a channel (before the runner starts). Messages of a channel without a
  // sender fail with messaging.no_sender (transient: they wait for a configuration that has one).
  void set_sender(Channel c, std::shared_ptr<Sender> sender);
  // Adds the kind to `runner` (this object must outlive the runner's use of it).
  void register_with(jobs::Runner& runner);

  struct Counters {
    std::int64_t sent = 0, retried = 0, failed = 0;
  };
  [[nodiscard]] Counters counters() const;

 private:
  sp::Status run(jobs::JobRun& run);
  void on_failure(db::Conn& tx, const jobs::Job& job, const jobs::Failed& f);

  DeliveryOptions options_;
  std::map<Channel, std::shared_ptr<Sender>> senders_;
  std::atomic<std::int64_t> sent_{0}, retried_{0}, failed_{0};
};

}  // namespace sp::messaging
