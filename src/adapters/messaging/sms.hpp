#pragma once
// SMS through an HTTP JSON gateway (the client side; the gateway simulator is sms_simulator.hpp).
//
// Italian SMS gateways each have their own API; this is the simulator's protocol, deliberately small,
// and the one a production adapter for a real provider must be mapped onto:
//
//   POST {base}/messages
//   Authorization: Bearer <api key>
//   Content-Type: application/json
//   Idempotency-Key: <the outbox message id>   (optional; a repeat with the same key is not sent again)
//   {"to": "+393331234567", "text": "...", "sender": "Sportello"}
//
//   202 {"id": "sms-1", "status": "accepted"}       accepted for delivery
//   400 {"error": "invalid_request", ...}          bad JSON, "to" not E.164, empty text  (no retry)
//   401 {"error": "unauthorized"}                  missing or wrong key                   (no retry)
//   429 / 5xx                                      try again later                        (retry)
//
//   GET {base}/messages   (same bearer)  →  200 [{"id","to","text","sender","received_at"}, ...]
#include <chrono>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/messaging/message.hpp"

namespace sp::messaging {

struct SmsOptions {
  std::string url = "http://127.0.0.1:8080/sim/sms/messages";  // the POST endpoint
  std::string api_key;
  std::string sender = "Sportello";  // alphanumeric sender id, at most 11 characters
  std::chrono::milliseconds timeout{10'000};
};

class SmsSender final : public Sender {
 public:
  explicit SmsSender(SmsOptions options);
  // Errors: messaging.rejected (400/401/403/404/422: no retry), messaging.sms (connection, timeout,
  // 429, 5xx: retried).
  sp::Status send(const StoredMessage& m) override;

 private:
  SmsOptions options_;
  adapters::HttpClient http_;
};

// True for "+" followed by 8 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view s);

}  // namespace sp::messaging
