#include "adapters/messaging/sms.hpp"

#include <strings.h>

#include <boost/json.hpp>
#include <thread>

#include "adapters/messaging/outbox.hpp"

namespace sp::messaging {

namespace json = boost::json;

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

Result<Change> apply_sms_report(db::Database& db, const SmsReport& r, time::TimePoint at) {
  Event e;
  if (r.status == "delivered") {
    e = Event::delivered;
  } else if (r.status == "failed" || r.status == "expired") {
    e = Event::bounced;
  } else {
    return Error::make("sms.report", 400, "status");
  }
  if (r.id.empty() || r.reference.empty() || r.reference.size() > 64)
    return Error::make("sms.report", 400, "id");
  auto m = find_message(db, r.reference);
  if (!m) return Error::not_found("message");
  const bool sms = m->message.channel == Channel::sms || m->delivered_channel == "sms";
  // The gateway's id is recorded when the message is marked sent; before that (a report faster than the
  // hub's commit) the reference alone names it.
  if (!sms || (!m->provider_message_id.empty() && m->provider_message_id != r.id))
    return Error::not_found("message");
  std::string detail = "sms " + r.status;
  if (!r.error.empty()) detail += ": " + r.error.substr(0, 200);
  return apply_report(db, m->message.tenant_id, m->id, e, detail, at);
}

SmsSender::SmsSender(SmsOptions options)
    : options_(std::move(options)), http_([&] {
        adapters::HttpClientOptions o;
        o.timeout = options_.timeout;
        o.connect_timeout = std::min(options_.timeout, std::chrono::milliseconds(5000));
        return o;
      }()) {}

sp::Status SmsSender::send(const StoredMessage& m) {
  auto d = deliver(m);
  if (!d) return d.error();
  return Ok{};
}

Result<Delivered> SmsSender::deliver(const StoredMessage& m) {
  json::object body;
  body["to"] = m.message.recipient;
  body["text"] = m.message.body;
  body["sender"] = options_.sender;
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = options_.url;
  req.headers = {{"Authorization", "Bearer " + options_.api_key},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json"},
                 // A repeat of this message (a runner died after the send, before recording it) carries
                 // the same key, and the gateway accepts it without sending it again.
                 {"Idempotency-Key", m.id}};
  req.body = json::serialize(body);
  for (int round = 0;; ++round) {
    auto res = http_.send(req);
    if (!res) return Error::make("messaging.sms", 502, res.error().code + " " + res.error().detail);
    const int s = res->status;
    std::string detail = "HTTP " + std::to_string(s) + " " + res->body.substr(0, 200);
    if (s >= 200 && s < 300) {
      Delivered d;
      boost::system::error_code ec;
      auto v = json::parse(res->body, ec);
      if (!ec && v.is_object())
        if (auto* id = v.as_object().if_contains("id"); id != nullptr && id->is_string())
          d.provider_message_id = std::string(id->as_string()).substr(0, 200);
      return d;
    }
    if (s == 401 || s == 403)
      return Error::make("messaging.configuration", 502, "sms gateway refused the hub's key: " + detail);
    if (s == 400 || s == 404 || s == 422) return Error::make("messaging.rejected", 502, detail);
    if (s == 429 && round < options_.retries_on_429) {
      // Throttled: wait what the gateway asks (bounded), then try again within this attempt.
      std::chrono::milliseconds wait{1000};
      for (const auto& [name, value] : res->headers) {
        if (name.size() == 11 && strcasecmp(name.c_str(), "retry-after") == 0) {
          try {
            wait = std::chrono::seconds(std::stoi(value));
          } catch (...) {
          }
        }
      }
      if (wait > options_.max_retry_after)
        return Error::make("messaging.sms", 502, detail + " (Retry-After too long)");
      if (options_.sleep) {
        options_.sleep(wait);
      } else {
        std::this_thread::sleep_for(wait);
      }
      continue;
    }
    return Error::make("messaging.sms", 502, detail);
  }
}

}  // namespace sp::messaging
