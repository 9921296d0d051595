#include "adapters/messaging/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/appio/wire.hpp"
#include "core/ids.hpp"
#include "jobs/store.hpp"

namespace sp::messaging {
namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, subject, body, created_at, attempts, "
    "next_attempt_at, status, fallback_recipient, options) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7, "
    "'pending', $8, $9)";

constexpr const char* kColumns =
    "id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, sent_at, "
    "last_error, status, fallback_recipient, options, delivered_channel, provider_message_id";

const std::string kById = std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1";
const std::string kList =
    std::string("SELECT ") + kColumns + " FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1";

const std::string kByIdAndTenant =
    std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1 AND tenant_id = $2";
// $1 id, $2 tenant, $3 sent at, $4 attempts, $5 channel that carried it, $6 the other side's id.
constexpr const char* kMarkSent =
    "UPDATE outbox SET status = 'sent', sent_at = $3, attempts = $4, last_error = NULL, claim = NULL, "
    "delivered_channel = $5, provider_message_id = $6 WHERE id = $1 AND tenant_id = $2";
// $1 id, $2 tenant, $3 status, $4 attempts, $5 next attempt (NULL: unchanged), $6 error.
constexpr const char* kMarkFailure =
    "UPDATE outbox SET status = $3, attempts = $4, next_attempt_at = COALESCE($5, next_attempt_at), "
    "last_error = $6, claim = NULL WHERE id = $1 AND tenant_id = $2";

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
  s.message.fallback_recipient = r.text(12);
  s.message.options = r.text(13);
  s.delivered_channel = r.text(14);
  s.provider_message_id = r.text(15);
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
    case Channel::appio:
      return "appio";
  }
  return "email";
}

std::optional<Channel> parse_channel(std::string_view s) {
  if (s == "email") return Channel::email;
  if (s == "sms") return Channel::sms;
  if (s == "pec") return Channel::pec;
  if (s == "appio") return Channel::appio;
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
  if (has_control(m.fallback_recipient) || m.fallback_recipient.size() > 320 ||
      m.fallback_recipient.find(' ') != std::string::npos) {
    return Error::make("messaging.recipient", 400, m.fallback_recipient);
  }
  if (m.channel == Channel::appio) {  // IO's limits, checked now: the caller hears of them, not the job
    if (auto v = appio::check_message(m.recipient, m.subject, m.body, m.options); !v) return v.error();
  }
  auto id = ids::uuid_v7();
  const auto now = clock.now();
  tx.exec(kInsert, {id, std::int64_t{m.tenant_id}, std::string(to_string(m.channel)), m.recipient, m.subject,
                    m.body, time::format_iso_utc(now), m.fallback_recipient, m.options});
  auto job = jobs::enqueue(tx, jobs::NewJob{kSendKind, m.tenant_id, id, id, now}, now);
  if (!job) return job.error();
  return id;
}

std::optional<StoredMessage> find_message(db::Database& db, const std::string& id) {
  return db::read_one(db, kById, {id}, from_row);
}

std::vector<StoredMessage> list_messages(db::Database& db, int limit) {
  return db::read_all(db, kList, {std::int64_t{std::clamp(limit, 1, 1000)}}, from_row);
}

void Delivery::set_sender(Channel c, std::shared_ptr<Sender> sender) {
  senders_[c] = std::move(sender);
}

void Delivery::register_with(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kSendKind;
  k.retry =
      jobs::RetryPolicy{options_.max_attempts, options_.base_backoff, options_.max_backoff, options_.lease};
  k.run = [this](jobs::JobRun& r) { return run(r); };
  k.permanent = [](const Error& e) {
    return e.code == "messaging.rejected" || e.code == "messaging.not_found";
  };
  k.on_failure = [this](db::Conn& tx, const jobs::Job& j, const jobs::Failed& f) { on_failure(tx, j, f); };
  runner.add(std::move(k));
}

Delivery::Counters Delivery::counters() const {
  return Counters{sent_.load(), retried_.load(), failed_.load()};
}

sp::Status Delivery::run(jobs::JobRun& run) {
  const auto& job = run.job();
  // The job's tenant must be the message's: a job cannot make another body's message go out.
  auto m = db::read_one(run.db(), kByIdAndTenant, {job.payload, std::int64_t{job.tenant_id}}, from_row);
  if (!m) return Error::make("messaging.not_found", 404, job.payload);
  if (m->status == "sent") return Ok{};  // sent by an earlier attempt whose job was retried by hand
  m->attempts = job.attempts;
  Result<Delivered> result =
      Error::make("messaging.no_sender", 503, std::string(to_string(m->message.channel)));
  if (auto it = senders_.find(m->message.channel); it != senders_.end() && it->second) {
    try {
      result = it->second->deliver(*m);
    } catch (const std::exception& e) {
      result = Error::make("messaging.exception", 500, e.what());
    }
  }
  if (!result) return result.error();
  const std::string channel =
      result->channel.empty() ? std::string(to_string(m->message.channel)) : result->channel;
  run.commit([&](db::Conn& tx) {
    tx.exec(kMarkSent, {m->id, std::int64_t{job.tenant_id}, time::format_iso_utc(run.now()),
                        std::int64_t{job.attempts}, channel,
                        result->provider_message_id.empty() ? db::Value{nullptr}
                                                            : db::Value{result->provider_message_id}});
  });
  ++sent_;
  return Ok{};
}

void Delivery::on_failure(db::Conn& tx, const jobs::Job& job, const jobs::Failed& f) {
  std::string what = f.error;
  if (what.size() > 500) what.resize(500);
  tx.exec(kMarkFailure,
          {job.payload, std::int64_t{job.tenant_id}, std::string(f.dead ? "failed" : "pending"),
           std::int64_t{job.attempts},
           f.retry_at ? db::Value{time::format_iso_utc(*f.retry_at)} : db::Value{nullptr}, what});
  if (f.dead) {
    ++failed_;
  } else {
    ++retried_;
  }
}

}  // namespace sp::messaging
