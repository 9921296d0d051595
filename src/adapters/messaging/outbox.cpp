#include "adapters/messaging/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/ids.hpp"

namespace sp::messaging {
namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, subject, body, created_at, attempts, "
    "next_attempt_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7, 'pending')";

constexpr const char* kColumns =
    "id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, sent_at, "
    "last_error, status";

const std::string kById = std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1";
const std::string kList =
    std::string("SELECT ") + kColumns + " FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1";

// $1 now, $2 lease end, $3 claim token, $4 batch size.
constexpr const char* kClaimPostgres =
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2, claim = $3 "
    "WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 "
    "ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, "
    "sent_at, last_error, status";
constexpr const char* kClaimSqlite =
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2, claim = $3 "
    "WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 "
    "ORDER BY next_attempt_at, id LIMIT $4) "
    "RETURNING id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, "
    "sent_at, last_error, status";

constexpr const char* kMarkSent =
    "UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL, claim = NULL "
    "WHERE id = $1 AND claim = $3";
constexpr const char* kMarkRetry =
    "UPDATE outbox SET status = 'pending', next_attempt_at = $2, last_error = $4, claim = NULL "
    "WHERE id = $1 AND claim = $3";
constexpr const char* kMarkFailed =
    "UPDATE outbox SET status = 'failed', last_error = $4, next_attempt_at = $2, claim = NULL "
    "WHERE id = $1 AND claim = $3";

StoredMessage from_row(const db::Row& r) {
  StoredMessage s;
  s.id = r.text(0);
  s.message.tenant_id = r.i64(1);
  s.message.channel = parse_channel(r.text(2)).value_or(Channel::email);
  s.message.recipient = r.text(3);
  s.message.subject = r.text(4);
  s.message.body = r.text(5);
  s.created_at = r.text(6);
  s.attempts = static_cast<int>(r.i64(7));
  s.next_attempt_at = r.text(8);
  s.sent_at = r.text(9);
  s.last_error = r.text(10);
  s.status = r.text(11);
  return s;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::email:
      return "email";
    case Channel::sms:
      return "sms";
    case Channel::pec:
      return "pec";
  }
  return "email";
}

std::optional<Channel> parse_channel(std::string_view s) {
  if (s == "email") return Channel::email;
  if (s == "sms") return Channel::sms;
  if (s == "pec") return Channel::pec;
  return std::nullopt;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::pending:
      return "pending";
    case Status::sending:
      return "sending";
    case Status::sent:
      return "sent";
    case Status::failed:
      return "failed";
  }
  return "pending";
}

Result<std::string> enqueue(db::Conn& tx, const Message& m, const time::Clock& clock) {
  if (m.recipient.empty() || m.recipient.size() > 320 || has_control(m.recipient) ||
      m.recipient.find(' ') != std::string::npos) {
    return Error::make("messaging.recipient", 400, m.recipient);
  }
  if (has_control(m.subject) || m.subject.size() > 998) return Error::make("messaging.subject", 400);
  if (m.body.empty()) return Error::make("messaging.body", 400);
  auto id = ids::uuid_v7();
  tx.exec(kInsert, {id, std::int64_t{m.tenant_id}, std::string(to_string(m.channel)), m.recipient, m.subject,
                    m.body, time::format_iso_utc(clock.now())});
  return id;
}

std::optional<StoredMessage> find_message(db::Database& db, const std::string& id) {
  return db::read_one(db, kById, {id}, from_row);
}

std::vector<StoredMessage> list_messages(db::Database& db, int limit) {
  return db::read_all(db, kList, {std::int64_t{std::clamp(limit, 1, 1000)}}, from_row);
}

std::chrono::seconds backoff_after(int attempts, const DispatcherOptions& o) {
  auto d = o.base_backoff;
  for (int i = 1; i < attempts && d < o.max_backoff; ++i) d *= 2;
  return std::min(d, o.max_backoff);
}

Dispatcher::Dispatcher(db::Database& db, const time::Clock& clock, DispatcherOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {
  if (options_.worker_id.empty()) options_.worker_id = ids::request_id(4);
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.batch = std::max(1, options_.batch);
}

Dispatcher::~Dispatcher() {
  stop();
}

void Dispatcher::set_sender(Channel c, std::shared_ptr<Sender> sender) {
  senders_[c] = std::move(sender);
}

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::notify() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

Dispatcher::Counters Dispatcher::counters() const {
  return Counters{sent_.load(), retried_.load(), failed_.load()};
}

void Dispatcher::loop() {
  for (;;) {
    int claimed = 0;
    try {
      claimed = run_once();
    } catch (const std::exception& e) {
      spdlog::warn("outbox dispatcher {}: {}", options_.worker_id, e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (claimed >= options_.batch) continue;  // more may be due: go on at once
    cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

int Dispatcher::run_once() {
  const auto now = clock_.now();
  const std::string claim = ids::random_token(16);
  std::vector<StoredMessage> batch;
  db_.write([&](db::Conn& tx) {
    const char* sql = tx.dialect() == db::Dialect::postgres ? kClaimPostgres : kClaimSqlite;
    batch.clear();
    for (const auto& r : tx.query(sql, {time::format_iso_utc(now), time::format_iso_utc(now + options_.lease),
                                        claim, std::int64_t{options_.batch}})) {
      batch.push_back(from_row(r));
    }
  });
  for (const auto& m : batch) deliver(m, claim);
  return static_cast<int>(batch.size());
}

void Dispatcher::deliver(const StoredMessage& m, const std::string& claim) {
  sp::Status result = Error::make("messaging.no_sender", 503, std::string(to_string(m.message.channel)));
  if (auto it = senders_.find(m.message.channel); it != senders_.end() && it->second) {
    try {
      result = it->second->send(m);
    } catch (const std::exception& e) {
      result = Error::make("messaging.exception", 500, e.what());
    }
  }
  const auto now = clock_.now();
  if (result.ok()) {
    db_.write([&](db::Conn& tx) { tx.exec(kMarkSent, {m.id, time::format_iso_utc(now), claim}); });
    ++sent_;
    return;
  }
  const auto& err = result.error();
  std::string what = err.code + (err.detail.empty() ? "" : ": " + err.detail);
  if (what.size() > 500) what.resize(500);
  const bool permanent = err.code == "messaging.rejected" || m.attempts >= options_.max_attempts;
  if (permanent) {
    db_.write([&](db::Conn& tx) { tx.exec(kMarkFailed, {m.id, time::format_iso_utc(now), claim, what}); });
    ++failed_;
    spdlog::warn("outbox {}: message {} failed for good after {} attempt(s): {}", options_.worker_id, m.id,
                 m.attempts, what);
  } else {
    const auto next = now + backoff_after(m.attempts, options_);
    db_.write([&](db::Conn& tx) { tx.exec(kMarkRetry, {m.id, time::format_iso_utc(next), claim, what}); });
    ++retried_;
  }
}

}  // namespace sp::messaging
