#pragma once
// The messaging module (issue 17): what the hub writes to people, by type. Each type has a class that
// decides how it is routed (routing.hpp), the placeholders its texts may use (templates.hpp), and
// whether the person may choose its channel (preferences).
//
//   legal     acts that start or end a term (a request for additions, the notice of grounds for refusal,
//             a decision): by PEC where the person has a verified one, and also on every other verified
//             channel; not up to the person.
//   reminder  reminders (a payment due, a position about to expire): the channel the person chose.
//   info      news about their case (received, a message from the office, withdrawn): their choice.
//   code      a verification code: to the address being verified, nothing else (not configurable).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::messaging {

enum class TypeClass { legal, reminder, info, code };
std::string_view to_string(TypeClass c);

struct MessageType {
  std::string_view name;  // "case.grounds"
  TypeClass cls;
  // Placeholders beyond the common ones (kCommonPlaceholders).
  std::vector<std::string_view> placeholders;
};

// Filled in for every type: the body's name and contacts, the case's service and protocol, the link.
inline constexpr std::string_view kCommonPlaceholders[] = {"body",    "body_email", "body_pec", "body_phone",
                                                           "service", "protocol",   "link"};
// Placeholders that carry personal data (the person's name, a fiscal code): never in a subject (the
// subject travels in clear through relays, notification previews and logs). None of the types offers
// one today; the check stays so that a type adding one cannot leak it by a template.
inline constexpr std::string_view kPersonalPlaceholders[] = {"name",        "given_name", "family_name",
                                                             "fiscal_code", "email",      "mobile"};

const std::vector<MessageType>& message_types();
const MessageType* find_type(std::string_view name);
// The types whose texts a body may write (every type but codes) and whose channel a person may choose
// (reminder and info).
bool has_template(const MessageType& t);
bool person_chooses(const MessageType& t);

// A type's texts in one language: the e-mail's (and PEC's, App IO's) subject and body, and the SMS.
struct Texts {
  std::string subject, body, sms;
};

// The locale prefix of the hub's own texts of a type (used when the body wrote none): "case.grounds" →
// "case_notice.grounds" (web/locales/*/case_notices.json), any other "a.b" → "a_b" ("payment_due",
// "certificate_issued"); the parts are ".subject", ".body", ".sms".
std::string hub_text_key(std::string_view type);

// Replaces {name} by values[name]; names without a value are left as written.
std::string fill(std::string_view text, const std::map<std::string, std::string>& values);

// Why a PEC attempt failed, as people read it: the locale key ("ui.pec_reason_…", web/locales/*/
// messaging.json) of the receipt's type and error code, read from the attempt's error as the receipts job
// writes it ("pec errore-consegna: no-dest (…)", "pec.no_acceptance: …"); "" when it is no PEC failure.
// The provider's own text stays the staff's detail.
std::string pec_reason_key(std::string_view attempt_error);

}  // namespace sp::messaging
