#pragma once
// App IO's services API (Swagger 2.0, "IO API for Public Administration Services" 4.1.x, base path
// /api/v1; the reference copy is ../shared/appio/services-api.yaml): the bodies this hub sends and the
// answers it reads, with IO's limits checked before anything is sent. Pure functions: no HTTP here
// (client.hpp), no database.
//
//   GET  /profiles/{fiscal_code}   → 200 LimitedProfile {"sender_allowed": bool, ...}; 404: not on IO
//   POST /messages                 NewMessage {"fiscal_code", "content": {"subject", "markdown",
//                                  "due_date"?, "payment_data"?}, "time_to_live"?}
//                                  → 201 CreatedMessage {"id"}
//                                  With remote content (below): "content.third_party_data" {"id",
//                                  "has_remote_content", "has_attachments", "has_precondition",
//                                  "configuration_id"} and
//                                  "feature_level_type": "ADVANCED" when it has attachments.
// The older POST /messages/{fiscal_code} is deprecated and never used.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::appio {

// IO's limits (MessageContentBase, PaymentDataBase), in characters as IO counts them (UTF-16 units).
inline constexpr std::size_t kSubjectMin = 10, kSubjectMax = 120;
inline constexpr std::size_t kMarkdownMin = 80, kMarkdownMax = 10'000;
inline constexpr std::int64_t kAmountMax = 9'999'999'999;

// A pagoPA notice payable from the app (PaymentDataWithRequiredPayee).
struct PaymentData {
  std::int64_t amount_cents = 0;  // 1 .. 9,999,999,999
  std::string notice_number;      // 18 digits, the first 0-3 (aux digit)
  bool invalid_after_due_date = false;
  std::string payee_fiscal_code;  // the creditor body's fiscal code, 11 digits
};

// A document of the body's file store (src/files) served to IO as a PDF attachment of a remote message.
struct RemoteAttachment {
  std::string file_id;  // files.id, of the message's tenant
  std::string name;     // as the app shows it; ends in ".pdf"
};

// Remote content (IO's "third-party messages", docs/messaging.md "Remote content"): IO gets the subject
// and `teaser` (a neutral text: no personal data), and calls the hub back for the real text (the outbox
// message's body) and the attachments when the person opens the message.
struct Remote {
  std::string teaser;  // the markdown IO stores and shows in its list (80-10,000 characters)
  std::vector<RemoteAttachment> attachments;
  // IO's precondition ("has_precondition": ONCE): a text IO fetches and shows before the person opens the
  // message (GET {base}/messages/{id}/precondition → {"title", "markdown"}). The kind names the hub's
  // text (web/locales/*/messaging.json io_precondition.<kind>.title/.markdown, in `lang`); "" none.
  std::string precondition;
  std::string lang = "it";  // the person's language, for the precondition's text
};
// The kinds of precondition the hub has a text for: the person's own certificate, an act of a case.
inline constexpr std::string_view kPreconditionKinds[] = {"certificate", "act"};

// What an outbox message of channel appio carries besides subject and text (its `options` column).
struct Options {
  std::string due_date;  // ISO 8601 UTC ("2026-12-31T00:00:00.000Z"); empty: none
  std::optional<PaymentData> payment;
  std::optional<Remote> remote;
};

// {"due_date": "...", "payment_data": {"amount", "notice_number", "invalid_after_due_date", "payee":
// {"fiscal_code"}}, "remote": {"teaser", "attachments": [{"file", "name"}]}} — IO's shapes, but "remote",
// which is the hub's own. Empty text: no options. Errors: appio.options, appio.remote.
Result<Options> parse_options(std::string_view json);
std::string options_json(const Options& o);

// Length as IO counts it: UTF-16 code units of the UTF-8 text.
std::size_t utf16_length(std::string_view utf8);

// Checks a message against IO's rules before it is queued or sent. Errors (status 400):
// appio.fiscal_code, appio.subject (10-120 characters), appio.markdown (80-10,000), appio.options,
// appio.due_date, appio.amount, appio.notice_number, appio.payee.
Status check_message(std::string_view fiscal_code, std::string_view subject, std::string_view markdown,
                     std::string_view options_json);

// The remote-content link of a message: the id IO calls back with (the hub's outbox message id) and the
// body's remote configuration at IO (RCConfiguration's configuration_id).
struct ThirdParty {
  std::string id;
  std::string configuration_id;
};

// The body of POST /messages (NewMessage), after check_message. With `third_party` and options.remote,
// the markdown sent is the teaser and content.third_party_data links the message to the hub.
std::string new_message_json(std::string_view fiscal_code, std::string_view subject,
                             std::string_view markdown, const Options& options,
                             const ThirdParty* third_party = nullptr);

// What the hub answers IO's call-back GET {base}/messages/{id}/precondition (PreconditionContent of IO's
// api_remote_content.yaml): {"title", "markdown"}.
std::string precondition_json(std::string_view title, std::string_view markdown);

// What the hub answers IO's call-back GET {base}/messages/{id} (ThirdPartyMessage): {"details":
// {"subject", "markdown"}, "attachments": [{"id", "content_type", "name", "url", "category"}]}; an
// attachment's url is relative ("attachments/<n>"), fetched at {base}/messages/{id}/{url}.
std::string third_party_message_json(std::string_view subject, std::string_view markdown,
                                     const std::vector<RemoteAttachment>& attachments);
// The relative url of the attachment at `index` in that answer.
std::string attachment_url(std::size_t index);

// What GET /profiles/{fiscal_code} says of a person.
enum class Reach { on_io, not_on_io, opted_out };
// A 200's LimitedProfile: sender_allowed true → on_io, false → opted_out. Error: appio.answer.
Result<Reach> parse_profile(std::string_view json);
// A 201's CreatedMessage: IO's message id. Error: appio.answer.
Result<std::string> parse_created(std::string_view json);

}  // namespace sp::appio
