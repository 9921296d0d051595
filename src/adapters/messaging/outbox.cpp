#include "adapters/messaging/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/appio/wire.hpp"
#include "adapters/messaging/correlation.hpp"
#include "core/ids.hpp"
#include "jobs/store.hpp"

namespace sp::messaging {
namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, subject, body, created_at, attempts, "
    "next_attempt_at, status, fallback_recipient, options, person, message_type, status_changed_at, "
    "fallbacks, fallback_of, correlation) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7, 'queued', $8, $9, $10, "
    "$11, $7, $12, $13, $14)";
// A fan-out's messages (not their fallbacks) by channel and state, and whether a fallback stands in.
constexpr const char* kCountByCorrelation =
    "SELECT channel, status, fallback, COUNT(*) FROM (SELECT o.channel AS channel, o.status AS status, "
    "CASE WHEN EXISTS (SELECT 1 FROM outbox f WHERE f.tenant_id = o.tenant_id AND f.fallback_of = o.id) "
    "THEN 1 ELSE 0 END AS fallback FROM outbox o WHERE o.tenant_id = $1 AND o.correlation = $2) x "
    "GROUP BY channel, status, fallback";
constexpr const char* kWaitingByCorrelation =
    "SELECT id FROM outbox WHERE tenant_id = $1 AND correlation = $2 AND status IN ('queued', "
    "'temporary_failure') ORDER BY id";

constexpr const char* kColumns =
    "id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, sent_at, "
    "last_error, status, fallback_recipient, options, delivered_channel, provider_message_id, person, "
    "message_type, status_changed_at, fallbacks, fallback_of";

const std::string kById = std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1";
const std::string kList =
    std::string("SELECT ") + kColumns + " FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1";
// $1 tenant or NULL, $2 person or NULL, $3 status or NULL, $4 limit. PostgreSQL must know the types of
// parameters only compared with NULL: the casts.
const std::string kQuery =
    std::string("SELECT ") + kColumns +
    " FROM outbox WHERE ($1 IS NULL OR tenant_id = $1) AND ($2 IS NULL OR person = $2) "
    "AND ($3 IS NULL OR status = $3) ORDER BY created_at DESC, id DESC LIMIT $4";
const std::string kQueryPostgres =
    std::string("SELECT ") + kColumns +
    " FROM outbox WHERE ($1::BIGINT IS NULL OR tenant_id = $1) AND ($2::TEXT IS NULL OR person = $2) "
    "AND ($3::TEXT IS NULL OR status = $3) ORDER BY created_at DESC, id DESC LIMIT $4";
const std::string kByIdAndPerson =
    std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1 AND person = $2 AND person <> ''";

const std::string kByIdAndTenant =
    std::string("SELECT ") + kColumns + " FROM outbox WHERE id = $1 AND tenant_id = $2";
constexpr const char* kState = "SELECT status FROM outbox WHERE id = $1 AND tenant_id = $2";
// Compare-and-set: $5 the state read. $1 id, $2 tenant, $3 new state, $4 at.
constexpr const char* kSetState =
    "UPDATE outbox SET status = $3, status_changed_at = $4 WHERE id = $1 AND tenant_id = $2 AND status = $5";
// $1 id, $2 tenant, $3 sent at, $4 channel that carried it, $5 the other side's id.
constexpr const char* kMarkDelivered =
    "UPDATE outbox SET sent_at = $3, last_error = NULL, claim = NULL, delivered_channel = $4, "
    "provider_message_id = $5 WHERE id = $1 AND tenant_id = $2";
constexpr const char* kSetAttempts = "UPDATE outbox SET attempts = $3 WHERE id = $1 AND tenant_id = $2";
// $1 id, $2 tenant, $3 next attempt (NULL: unchanged), $4 error.
constexpr const char* kMarkFailure =
    "UPDATE outbox SET next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4, claim = NULL "
    "WHERE id = $1 AND tenant_id = $2";
constexpr const char* kSetError = "UPDATE outbox SET last_error = $3 WHERE id = $1 AND tenant_id = $2";

// Attempts.
constexpr const char* kNextAttempt =
    "SELECT COALESCE(MAX(attempt), 0) + 1 FROM outbox_attempts WHERE message_id = $1 AND tenant_id = $2";
constexpr const char* kInterrupt =
    "UPDATE outbox_attempts SET outcome = 'interrupted', finished_at = $3 "
    "WHERE message_id = $1 AND tenant_id = $2 AND outcome = 'sending'";
constexpr const char* kInsertAttempt =
    "INSERT INTO outbox_attempts (message_id, tenant_id, attempt, channel, started_at, outcome) "
    "VALUES ($1, $2, $3, $4, $5, 'sending')";
// The open attempt's outcome. $1 message, $2 tenant, $3 outcome, $4 finished, $5 channel or NULL,
// $6 provider id or NULL, $7 error or NULL.
constexpr const char* kFinishAttempt =
    "UPDATE outbox_attempts SET outcome = $3, finished_at = $4, channel = COALESCE($5, channel), "
    "provider_message_id = $6, error = $7 WHERE message_id = $1 AND tenant_id = $2 AND outcome = 'sending'";
// A report on an attempt already finished: the one with the provider's id, else the last one.
constexpr const char* kReportAttempt =
    "UPDATE outbox_attempts SET outcome = $3, error = COALESCE($4, error) WHERE tenant_id = $2 AND id = "
    "(SELECT id FROM outbox_attempts WHERE message_id = $1 AND tenant_id = $2 "
    "ORDER BY CASE WHEN provider_message_id IS NOT NULL AND provider_message_id = $5 THEN 0 ELSE 1 END, "
    "attempt DESC LIMIT 1)";
// The fallback queued for a message (one at most).
constexpr const char* kFallbackOf = "SELECT id FROM outbox WHERE tenant_id = $1 AND fallback_of = $2 LIMIT 1";
// Handed over to a channel that tells the delivery later (PEC): the state stays `sending`.
constexpr const char* kMarkHandedOver =
    "UPDATE outbox SET last_error = NULL, claim = NULL, delivered_channel = $3, provider_message_id = $4 "
    "WHERE id = $1 AND tenant_id = $2";
constexpr const char* kAttempts =
    "SELECT attempt, channel, started_at, finished_at, outcome, provider_message_id, error "
    "FROM outbox_attempts WHERE message_id = $1 AND tenant_id = $2 ORDER BY attempt";

std::string fallbacks_json(const std::vector<Alternative>& v) {
  if (v.empty()) return {};
  boost::json::array a;
  for (const auto& x : v)
    a.push_back(boost::json::object{{"channel", std::string(to_string(x.channel))},
                                    {"recipient", x.recipient},
                                    {"subject", x.subject},
                                    {"body", x.body}});
  return boost::json::serialize(a);
}

std::vector<Alternative> parse_fallbacks(const std::string& json) {
  std::vector<Alternative> out;
  if (json.empty()) return out;
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    auto text = [&](const char* k) {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto ch = parse_channel(text("channel"));
    if (!ch) continue;
    out.push_back(Alternative{*ch, text("recipient"), text("subject"), text("body")});
  }
  return out;
}

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
  s.message.person = r.text(16);
  s.message.type = r.text(17);
  s.status_changed_at = r.text(18);
  s.message.fallbacks = parse_fallbacks(r.text(19));
  s.message.fallback_of = r.text(20);
  return s;
}

std::string clip(std::string s, std::size_t n = 500) {
  if (s.size() > n) s.resize(n);
  return s;
}

// The one place a state is written: reads it, applies the table, writes it if it moved (compare-and-set
// on the state read, inside the caller's transaction). nullopt when the message is not the tenant's.
std::optional<Transition> transition(db::Conn& tx, std::int64_t tenant_id, const std::string& id, Event e,
                                     const std::string& at) {
  for (int i = 0; i < 3; ++i) {
    auto row = tx.query_one(kState, {id, tenant_id});
    if (!row) return std::nullopt;
    auto from = parse_state(row->text(0));
    if (!from) throw std::runtime_error("outbox: unknown state " + row->text(0));
    auto t = next(*from, e);
    if (t.change != Change::moved) return t;
    if (tx.exec(kSetState,
                {id, tenant_id, std::string(to_string(t.to)), at, std::string(to_string(*from))}) == 1)
      return t;
    // changed under us (another node's report): read again
  }
  throw std::runtime_error("outbox: state of " + id + " keeps changing");
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Failed for good on its channel: the next one stands in (same person, type and body), inside the
// transaction that recorded the failure. Once per message: a second failure record (a late receipt
// after a dead message, a staff retry that failed again) queues nothing more.
void queue_fallback(db::Conn& tx, std::int64_t tenant, const std::string& id, const time::Clock& clock) {
  if (tx.query_one(kFallbackOf, {tenant, id})) return;
  auto row = tx.query_one(kByIdAndTenant, {id, tenant});
  if (!row) return;
  const auto stored = from_row(*row);
  if (stored.message.fallbacks.empty()) return;
  Message next_one = stored.message;
  const auto& alt = stored.message.fallbacks.front();
  next_one.channel = alt.channel;
  next_one.recipient = alt.recipient;
  next_one.subject = alt.subject;
  next_one.body = alt.body;
  next_one.fallback_recipient.clear();
  next_one.options.clear();
  next_one.fallbacks.erase(next_one.fallbacks.begin());
  next_one.fallback_of = stored.id;
  auto queued = enqueue(tx, next_one, clock);
  if (!queued) {
    spdlog::warn("outbox: the fallback of {} was refused: {}", stored.id, queued.error().code);
  } else {
    spdlog::info("outbox: message {} failed on {}; {} stands in on {}", stored.id,
                 to_string(stored.message.channel), *queued, to_string(alt.channel));
  }
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

namespace {
Result<std::string> enqueue_with(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                                 const std::string& correlation, const time::Clock& clock);
}  // namespace

Result<std::string> enqueue(db::Conn& tx, const Message& m, const time::Clock& clock) {
  return enqueue_with(tx, m, EnqueueOptions{}, {}, clock);
}

Result<std::string> enqueue(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                            const time::Clock& clock) {
  return enqueue_with(tx, m, options, {}, clock);
}

Result<std::string> enqueue_correlated(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                                       const std::string& correlation, const time::Clock& clock) {
  if (correlation.size() > 200 || has_control(correlation)) return Error::make("messaging.correlation", 400);
  return enqueue_with(tx, m, options, correlation, clock);
}

namespace {
Result<std::string> enqueue_with(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                                 const std::string& correlation, const time::Clock& clock) {
  if (m.recipient.empty() || m.recipient.size() > 320 || has_control(m.recipient) ||
      m.recipient.find(' ') != std::string::npos) {
    return Error::make("messaging.recipient", 400, m.recipient);
  }
  if (has_control(m.subject) || m.subject.size() > 998) return Error::make("messaging.subject", 400);
  if (m.body.empty()) return Error::make("messaging.body", 400);
  if (has_control(m.person) || m.person.size() > 32 || has_control(m.type) || m.type.size() > 64)
    return Error::make("messaging.type", 400);
  if (has_control(m.fallback_recipient) || m.fallback_recipient.size() > 320 ||
      m.fallback_recipient.find(' ') != std::string::npos) {
    return Error::make("messaging.recipient", 400, m.fallback_recipient);
  }
  if (m.channel == Channel::appio) {  // IO's limits, checked now: the caller hears of them, not the job
    if (auto v = appio::check_message(m.recipient, m.subject, m.body, m.options); !v) return v.error();
  }
  if (options.id.size() > 64 || has_control(options.id)) return Error::make("messaging.id", 400);
  auto id = options.id.empty() ? ids::uuid_v7() : options.id;
  const auto now = clock.now();
  const auto run_at = options.not_before && *options.not_before > now ? *options.not_before : now;
  for (const auto& f : m.fallbacks) {
    if (f.recipient.empty() || has_control(f.recipient) || f.recipient.find(' ') != std::string::npos)
      return Error::make("messaging.recipient", 400, f.recipient);
    if (has_control(f.subject)) return Error::make("messaging.subject", 400);
    if (f.body.empty()) return Error::make("messaging.body", 400);
    if (f.channel == Channel::appio) return Error::make("messaging.fallback", 400, "appio");
  }
  tx.exec(kInsert, {id, std::int64_t{m.tenant_id}, std::string(to_string(m.channel)), m.recipient, m.subject,
                    m.body, time::format_iso_utc(now), m.fallback_recipient, m.options, m.person, m.type,
                    fallbacks_json(m.fallbacks), db::text_or_null(m.fallback_of),
                    m.fallback_of.empty() ? db::text_or_null(correlation) : db::Value{nullptr}});
  auto job = jobs::enqueue(tx, jobs::NewJob{kSendKind, m.tenant_id, id, id, run_at}, now);
  if (!job) return job.error();
  return id;
}
}  // namespace

std::optional<StoredMessage> find_message(db::Database& db, const std::string& id) {
  return db::read_one(db, kById, {id}, from_row);
}

std::vector<StoredMessage> list_messages(db::Database& db, int limit) {
  return db::read_all(db, kList, {std::int64_t{std::clamp(limit, 1, 1000)}}, from_row);
}

std::vector<StoredMessage> list_messages(db::Database& db, const MessageQuery& q) {
  if (!q.tenant_id && q.person.empty()) return {};  // never everything of every body
  db::Params p{db::int_or_null(q.tenant_id), db::text_or_null(q.person), db::text_or_null(q.status),
               std::int64_t{std::clamp(q.limit, 1, 500)}};
  return db::read_all(db, db.dialect() == db::Dialect::postgres ? kQueryPostgres : kQuery, p, from_row);
}

std::optional<StoredMessage> find_message(db::Database& db, std::int64_t tenant_id, const std::string& id) {
  return db::read_one(db, kByIdAndTenant, {id, tenant_id}, from_row);
}

std::optional<StoredMessage> find_message_for_person(db::Database& db, const std::string& person,
                                                     const std::string& id) {
  if (person.empty()) return std::nullopt;
  return db::read_one(db, kByIdAndPerson, {id, person}, from_row);
}

std::vector<Attempt> list_attempts(db::Database& db, std::int64_t tenant_id, const std::string& message_id) {
  return db::read_all(db, kAttempts, {message_id, tenant_id}, [](const db::Row& r) {
    Attempt a;
    a.attempt = static_cast<int>(r.i64(0));
    a.channel = r.text(1);
    a.started_at = r.text(2);
    a.finished_at = r.text(3);
    a.outcome = r.text(4);
    a.provider_message_id = r.text(5);
    a.error = r.text(6);
    return a;
  });
}

Result<Change> apply_report(db::Conn& tx, std::int64_t tenant_id, const std::string& id, Event e,
                            const std::string& detail, time::TimePoint at) {
  if (e != Event::delivered && e != Event::bounced && e != Event::permanent_failure)
    return Error::make("messaging.event", 400, std::string(to_string(e)));
  const auto now = time::format_iso_utc(at);
  auto t = transition(tx, tenant_id, id, e, now);
  if (!t) return Error::not_found("message");
  if (t->change != Change::moved) return t->change;
  if (t->to == State::delivered) {
    auto m = tx.query_one(kByIdAndTenant, {id, tenant_id});
    tx.exec(kMarkDelivered, {id, tenant_id, now, m ? db::text_or_null(m->text(14)) : db::Value{nullptr},
                             m ? db::text_or_null(m->text(15)) : db::Value{nullptr}});
    // The attempt the report is about: a PEC attempt is still open (handed over, awaiting receipts).
    tx.exec(kFinishAttempt, {id, tenant_id, std::string("delivered"), now, db::Value{nullptr},
                             m ? db::text_or_null(m->text(15)) : db::Value{nullptr}, db::Value{nullptr}});
    tx.exec(kReportAttempt,
            {id, tenant_id, std::string("delivered"), db::Value{nullptr}, m ? m->text(15) : std::string()});
  } else {
    const std::string why = clip(detail.empty() ? std::string(to_string(e)) : detail);
    tx.exec(kSetError, {id, tenant_id, why});
    const std::string outcome = e == Event::bounced ? "bounced" : "permanent_failure";
    tx.exec(kFinishAttempt, {id, tenant_id, outcome, now, db::Value{nullptr}, db::Value{nullptr}, why});
    tx.exec(kReportAttempt, {id, tenant_id, outcome, why, std::string()});
    if (t->to == State::permanent_failure) {
      const time::TestClock report_time(at);  // the fallback is due when the report was recorded
      queue_fallback(tx, tenant_id, id, report_time);
    }
  }
  return Change::moved;
}

Result<Change> apply_report(db::Database& db, std::int64_t tenant_id, const std::string& id, Event e,
                            const std::string& detail, time::TimePoint at) {
  return db::transact(
      db, [&](db::Conn& tx) -> Result<Change> { return apply_report(tx, tenant_id, id, e, detail, at); });
}

std::vector<StateCount> count_by_correlation(db::Conn& c, std::int64_t tenant_id,
                                             const std::string& correlation) {
  std::vector<StateCount> out;
  for (const auto& r : c.query(kCountByCorrelation, {tenant_id, correlation}))
    out.push_back(StateCount{r.text(0), r.text(1), r.i64(2) != 0, r.i64(3)});
  return out;
}

std::vector<std::string> waiting_by_correlation(db::Conn& c, std::int64_t tenant_id,
                                                const std::string& correlation) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kWaitingByCorrelation, {tenant_id, correlation})) out.push_back(r.text(0));
  return out;
}

std::optional<std::string> fallback_for(db::Database& db, std::int64_t tenant_id, const std::string& id) {
  return db::read_one(db, kFallbackOf, {tenant_id, id}, [](const db::Row& r) { return r.text(0); });
}

Result<Change> cancel_message(db::Database& db, std::int64_t tenant_id, const std::string& id,
                              time::TimePoint at) {
  return db::transact(db, [&](db::Conn& tx) -> Result<Change> {
    auto t = transition(tx, tenant_id, id, Event::cancel, time::format_iso_utc(at));
    if (!t) return Error::not_found("message");
    if (t->change == Change::refused)
      return Error::make("messaging.state", 409, std::string(to_string(t->to)));
    return t->change;
  });
}

Result<Change> retry_message(db::Database& db, std::int64_t tenant_id, const std::string& id,
                             time::TimePoint at) {
  return db::transact(db, [&](db::Conn& tx) -> Result<Change> {
    if (!tx.query_one(kState, {id, tenant_id})) return Error::not_found("message");
    // Its fallback went out already: the person has (or will have) it on the next channel.
    if (auto f = tx.query_one(kFallbackOf, {tenant_id, id}))
      return Error::make("messaging.fallen_back", 409, f->text(0));
    auto t = transition(tx, tenant_id, id, Event::retry, time::format_iso_utc(at));
    if (!t) return Error::not_found("message");
    if (t->change == Change::refused)
      return Error::make("messaging.state", 409, std::string(to_string(t->to)));
    // Its job, dead too, queued again (or a new one if it was pruned).
    if (!jobs::requeue_dead(tx, kSendKind, id, at)) {
      auto job = jobs::enqueue(tx, jobs::NewJob{kSendKind, tenant_id, id, id, at}, at);
      if (!job) return job.error();
    }
    return t->change;
  });
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
    return e.code == "messaging.rejected" || e.code == "messaging.not_found" ||
           e.code == "messaging.configuration";
  };
  k.on_failure = [this](db::Conn& tx, const jobs::Job& j, const jobs::Failed& f) { on_failure(tx, j, f); };
  runner.add(std::move(k));
}

Delivery::Counters Delivery::counters() const {
  return Counters{sent_.load(), retried_.load(), failed_.load()};
}

sp::Status Delivery::run(jobs::JobRun& run) {
  const auto& job = run.job();
  const std::int64_t tenant = job.tenant_id;
  // The job's tenant must be the message's: a job cannot make another body's message go out.
  auto m = db::read_one(run.db(), kByIdAndTenant, {job.payload, tenant}, from_row);
  if (!m) return Error::make("messaging.not_found", 404, job.payload);
  // Claim it (state table): a message delivered, refused for good or cancelled is never sent again,
  // and a dead one is sent again only because staff retried its job (the jobs page): retry, then claim.
  const auto started = time::format_iso_utc(run.now());
  bool go = false;
  run.db().write([&](db::Conn& tx) {
    go = false;
    auto state = tx.query_one(kState, {m->id, tenant});
    if (!state) return;
    if (state->text(0) == to_string(State::dead)) {
      // A dead message's job retried from the jobs page: not once its fallback went out (the person
      // would get it twice); it stays dead.
      if (tx.query_one(kFallbackOf, {tenant, m->id})) return;
      transition(tx, tenant, m->id, Event::retry, started);
    }
    auto t = transition(tx, tenant, m->id, Event::claim, started);
    if (!t || t->change != Change::moved) return;
    go = true;
    tx.exec(kInterrupt, {m->id, tenant, started});  // a runner that died holding it left one open
    auto n = tx.query_one(kNextAttempt, {m->id, tenant});
    tx.exec(kInsertAttempt, {m->id, tenant, n ? n->i64(0) : std::int64_t{1},
                             std::string(to_string(m->message.channel)), started});
    tx.exec(kSetAttempts, {m->id, tenant, std::int64_t{job.attempts}});
  });
  if (!go) return Ok{};  // final already (or cancelled): the job is done, nothing is sent
  m->attempts = job.attempts;
  Result<Delivered> result =
      Error::make("messaging.no_sender", 503, std::string(to_string(m->message.channel)));
  if (auto it = senders_.find(m->message.channel); it != senders_.end() && it->second) {
    try {
      result = it->second->deliver(*m);
    } catch (const jobs::LostClaim&) {
      throw;  // the runner's business: as if this runner had died here
    } catch (const std::exception& e) {
      result = Error::make("messaging.exception", 500, e.what());
    }
  }
  if (!result) return result.error();
  const std::string channel =
      result->channel.empty() ? std::string(to_string(m->message.channel)) : result->channel;
  run.commit([&](db::Conn& tx) {
    const auto now = time::format_iso_utc(run.now());
    const auto provider = db::text_or_null(result->provider_message_id);
    if (result->awaiting_receipts) {
      // Handed over (PEC): the state stays `sending` and the attempt open; the receipts tell the rest.
      tx.exec(kMarkHandedOver, {m->id, tenant, channel, provider});
      return;
    }
    // A report may have come first (a fast delivery report): the table says what is left to do.
    auto t = transition(tx, tenant, m->id, Event::delivered, now);
    tx.exec(kFinishAttempt,
            {m->id, tenant, std::string("delivered"), now, channel, provider, db::Value{nullptr}});
    if (t && t->change == Change::moved) tx.exec(kMarkDelivered, {m->id, tenant, now, channel, provider});
  });
  ++sent_;
  return Ok{};
}

void Delivery::on_failure(db::Conn& tx, const jobs::Job& job, const jobs::Failed& f) {
  const std::string what = clip(f.error);
  const bool refused = what.rfind("messaging.rejected", 0) == 0;
  const Event e = refused ? Event::permanent_failure : f.dead ? Event::give_up : Event::temporary_failure;
  const auto now = time::format_iso_utc((options_.clock ? *options_.clock : time::system_clock()).now());
  auto t = transition(tx, job.tenant_id, job.payload, e, now);
  if (!t) return;                                              // no such message (messaging.not_found)
  const bool lost = what.rfind("jobs.lease_expired", 0) == 0;  // every runner holding it died
  tx.exec(kFinishAttempt, {job.payload, std::int64_t{job.tenant_id},
                           std::string(refused ? "permanent_failure"
                                       : lost  ? "interrupted"
                                               : "temporary_failure"),
                           now, db::Value{nullptr}, db::Value{nullptr}, what});
  tx.exec(kMarkFailure,
          {job.payload, std::int64_t{job.tenant_id},
           f.retry_at ? db::Value{time::format_iso_utc(*f.retry_at)} : db::Value{nullptr}, what});
  // Failed for good on this channel: the next one stands in (same person, type and body).
  if (t->change == Change::moved && (t->to == State::permanent_failure || t->to == State::dead))
    queue_fallback(tx, job.tenant_id, job.payload, options_.clock ? *options_.clock : time::system_clock());
  if (f.dead) {
    ++failed_;
  } else {
    ++retried_;
  }
}

}  // namespace sp::messaging
