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
//   202 {"id": "sms-1", "status": "accepted"}       accepted for delivery (the id is recorded)
//   400 {"error": "invalid_request", ...}          bad JSON, "to" not E.164, empty text  (no retry)
//   401 / 403 {"error": "unauthorized"}            the hub's key refused: a configuration error, not
//                                                  the message's (no retry: dead, shown to operators)
//   429 (Retry-After: s)                           throttled: waited out within the attempt (bounded),
//                                                  then retried by the job with backoff
//   5xx                                            try again later                        (retry)
//
// Delivery reports: the gateway POSTs each message's outcome, possibly late and possibly twice, to the
// hub's `POST /inbound/sms/reports` (Authorization: Bearer <sms_report_token>):
//   {"id": "sms-1", "reference": "<the Idempotency-Key>", "status": "delivered" | "failed" | "expired",
//    "error": "..."}
// applied through the delivery states (a duplicate or a report on a final state changes nothing; a
// failure after "delivered" is the late-bounce rule). sms_reports_web.hpp.
//
//   GET {base}/messages   (same bearer)  →  200 [{"id","to","text","sender","received_at"}, ...]
#include <chrono>
#include <functional>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/messaging/message.hpp"
#include "adapters/messaging/state.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::messaging {

struct SmsOptions {
  std::string url = "http://127.0.0.1:8080/sim/sms/messages";  // the POST endpoint
  std::string api_key;
  std::string sender = "Sportello";  // the alias (AGCOM): checked where configured (sms_sender_problem)
  std::chrono::milliseconds timeout{10'000};
  int retries_on_429 = 2;                            // within one attempt, after waiting Retry-After
  std::chrono::milliseconds max_retry_after{5'000};  // a longer Retry-After ends the attempt (transient)
  // Waits `d` (null: the real sleep; tests pass a fake that records it).
  std::function<void(std::chrono::milliseconds)> sleep;
};

class SmsSender final : public Sender {
 public:
  explicit SmsSender(SmsOptions options);
  // Errors: messaging.rejected (400/404/422: no retry), messaging.configuration (401/403: the hub's key,
  // no retry), messaging.sms (connection, timeout, 429 still after the waits, 5xx: retried).
  sp::Status send(const StoredMessage& m) override;
  // send(), with the gateway's id of the message (delivery reports name it).
  Result<Delivered> deliver(const StoredMessage& m) override;

 private:
  SmsOptions options_;
  adapters::HttpClient http_;
};

// True for "+" followed by 8 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view s);

// A delivery report of the gateway (the protocol above).
struct SmsReport {
  std::string id;         // the gateway's id of the message
  std::string reference;  // the Idempotency-Key it was sent with: the outbox message id
  std::string status;     // delivered | failed | expired
  std::string error;
};
// Applies a report to its message through the delivery states (outbox.hpp apply_report): delivered →
// delivered; failed, expired → bounced (a failure after "delivered" is the late-bounce rule). Only an SMS
// message whose recorded gateway id is the report's is touched: a report naming another message, another
// channel or another id changes nothing (not_found). A duplicate, or a report on a final state it
// cannot move, is Change::unchanged. Errors: sms.report (400: an unknown status, no id or reference),
// not_found.
Result<Change> apply_sms_report(db::Database& db, const SmsReport& report, time::TimePoint at);

}  // namespace sp::messaging
