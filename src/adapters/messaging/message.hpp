#pragma once
// Messages to people (e-mail, SMS, PEC) and the channel adapters that deliver them. A business action
// writes its message into the outbox in its own transaction (outbox.hpp); a job of the job runner
// (src/jobs/) delivers it later through a Sender, with retries. DESIGN.md, "jobs/outbox" and "adapters".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::messaging {

// appio: App IO (src/adapters/appio); the recipient is a fiscal code, and a person not on IO (or who
// opted out of the body's service) gets the message by e-mail at fallback_recipient instead.
enum class Channel { email, sms, pec, appio };
std::string_view to_string(Channel c);
std::optional<Channel> parse_channel(std::string_view s);

// A channel to try instead when a message fails for good (fallback, issue 17).
struct Alternative {
  Channel channel = Channel::email;
  std::string recipient;
  std::string subject;
  std::string body;
};

// What a business action asks to send. tenant_id 0 is the hub.
struct Message {
  std::int64_t tenant_id = 0;
  Channel channel = Channel::email;
  std::string recipient;           // e-mail address, or an E.164 mobile number ("+393331234567")
  std::string subject;             // e-mail/PEC only; UTF-8
  std::string body;                // UTF-8 plain text (appio: Markdown, 80 to 10,000 characters)
  std::string fallback_recipient;  // appio: the e-mail address used when IO cannot carry it; may be empty
  std::string options;  // appio: JSON {"due_date", "payment_data"} (appio/client.hpp); may be empty
  std::string person;   // the recipient's fiscal code, so that they see it in their area; may be empty
  std::string type;     // what it is about: "case.submitted", "contact.code" ...; may be empty
  // Tried in order when this message ends permanent_failure or dead: the first becomes a new message
  // (same person, type and body) carrying the rest (outbox.hpp).
  std::vector<Alternative> fallbacks;
  std::string fallback_of;  // set by the outbox on a fallback: the message it stands in for
};

// A message as the outbox holds it.
struct StoredMessage {
  std::string id;  // UUIDv7
  Message message;
  std::string created_at;  // ISO 8601 UTC
  int attempts = 0;
  std::string next_attempt_at;
  std::string sent_at;
  std::string last_error;
  std::string status;               // the delivery state (state.hpp): queued, sending, delivered, ...
  std::string delivered_channel;    // once sent: the channel that carried it (appio, or email on fallback)
  std::string provider_message_id;  // once sent: the other side's id, when it gives one (IO's message id)
  std::string status_changed_at;
};

// One delivery attempt of a message (outbox_attempts).
struct Attempt {
  int attempt = 0;  // 1, 2, ... for the message
  std::string channel;
  std::string started_at, finished_at;
  std::string outcome;  // sending, delivered, temporary_failure, permanent_failure, interrupted, bounced
  std::string provider_message_id;
  std::string error;
};

// What a delivery did, recorded with the message when it is marked sent.
struct Delivered {
  std::string channel;              // empty: the message's own channel
  std::string provider_message_id;  // may be empty
  // The channel took the message but its delivery is told later by the other side's receipts (PEC: the
  // provider's acceptance, then the delivery receipt or a delivery error, read from the body's mailbox).
  // The message then stays `sending` (handed over, attempt open) until a receipt moves it (apply_report).
  bool awaiting_receipts = false;
};

// A channel adapter. Errors: code "messaging.rejected" means the other side refused the message for
// good (bad recipient, bad request: no retry); "messaging.configuration" means the hub's own set-up is
// wrong (the gateway refuses the hub's key: 401/403, a body without a PEC account): no retry either, the
// message is `dead` at once, visible to operators, who retry it once the configuration is mended; any
// other code is treated as transient and retried.
class Sender {
 public:
  virtual ~Sender() = default;
  virtual sp::Status send(const StoredMessage& m) = 0;
  // send(), telling what carried the message; adapters with a fallback or an id to record override it.
  virtual Result<Delivered> deliver(const StoredMessage& m) {
    auto s = send(m);
    if (!s) return s.error();
    return Delivered{};
  }
};

}  // namespace sp::messaging
