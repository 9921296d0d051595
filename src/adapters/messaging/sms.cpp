#include "adapters/messaging/sms.hpp"

#include <boost/json.hpp>

namespace sp::messaging {

namespace json = boost::json;

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

SmsSender::SmsSender(SmsOptions options)
    : options_(std::move(options)), http_([&] {
        adapters::HttpClientOptions o;
        o.timeout = options_.timeout;
        o.connect_timeout = std::min(options_.timeout, std::chrono::milliseconds(5000));
        return o;
      }()) {}

sp::Status SmsSender::send(const StoredMessage& m) {
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
  auto res = http_.send(req);
  if (!res) return Error::make("messaging.sms", 502, res.error().code + " " + res.error().detail);
  const int s = res->status;
  if (s >= 200 && s < 300) return Ok{};
  std::string detail = "HTTP " + std::to_string(s) + " " + res->body.substr(0, 200);
  if (s == 400 || s == 401 || s == 403 || s == 404 || s == 422)
    return Error::make("messaging.rejected", 502, detail);
  return Error::make("messaging.sms", 502, detail);
}

}  // namespace sp::messaging
