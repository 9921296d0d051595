#pragma once
// E-mail (and PEC, which is e-mail over a certified provider's SMTP) through libcurl's SMTP support:
// MAIL FROM / RCPT TO / DATA with an RFC 5322 message: Date, From, To, Subject (RFC 2047 encoded-words
// when not plain ASCII), Message-ID, MIME-Version, a text/plain UTF-8 body in base64 (RFC 2045), so the
// message passes any relay, 8BITMIME or not.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "core/time.hpp"

namespace sp::messaging {

// A file sent with an e-mail or PEC message (multipart/mixed). The outbox keeps no bytes: a channel asks
// the module that wrote the message for them when it sends (pec/sender.hpp set_attachments).
struct Attachment {
  std::string file_name;
  std::string mime_type;
  std::string bytes;
};

struct EmailOptions {
  std::string smtp_url = "smtp://127.0.0.1:2525";  // smtp:// or smtps://
  std::string from_address = "noreply@sportello.local";
  std::string from_name = "Sportello";
  std::string username;  // empty: no AUTH
  std::string password;
  bool require_tls = false;  // STARTTLS required (smtp://) — on for real relays
  bool verify_tls = true;
  std::chrono::milliseconds timeout{15'000};
  std::string message_id_domain = "sportello.local";
};

// Standard base64 (RFC 4648 section 4) with '=' padding; decode ignores CR/LF, nullopt on bad input.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// A header value as RFC 2047 "B" encoded-words (=?UTF-8?B?...?=), each at most 75 characters, never
// splitting a UTF-8 sequence, joined by CRLF SP (folding); the text itself when it is printable ASCII.
std::string encode_header_word(std::string_view utf8);
// Decodes the =?charset?B|Q?...?= words of a header value (UTF-8/US-ASCII only); other text is kept.
std::string decode_header_words(std::string_view value);
// "Mon, 23 Nov 2026 10:00:00 +0000" (RFC 5322 section 3.3).
std::string rfc5322_date(time::TimePoint tp);

// The complete message (CRLF line endings) as sent in DATA.
std::string build_email(const EmailOptions& o, const StoredMessage& m, time::TimePoint now);
// With files: multipart/mixed, the text first, then each file base64 with its name (RFC 2183, RFC 2231
// for a name that is not plain ASCII).
std::string build_email(const EmailOptions& o, const StoredMessage& m, time::TimePoint now,
                        const std::vector<Attachment>& attachments);

class EmailSender final : public Sender {
 public:
  explicit EmailSender(EmailOptions options, const time::Clock& clock = time::system_clock())
      : options_(std::move(options)), clock_(clock) {}
  // Errors: messaging.rejected (the server refused sender or recipient: 5xx), messaging.smtp (anything
  // else: connection, timeout, 4xx — retried).
  sp::Status send(const StoredMessage& m) override;
  sp::Status send(const StoredMessage& m, const std::vector<Attachment>& attachments);

 private:
  EmailOptions options_;
  const time::Clock& clock_;
};

}  // namespace sp::messaging
