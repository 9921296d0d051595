#pragma once
// Telling the applicant (issue 11 point 2): every step that concerns them (the receipt of the application,
// a request for additions, a notice of grounds, the decision, a message from the office, their own
// withdrawal) is written into the messaging outbox inside the transaction that makes the change (a
// refused or rolled-back change sends nothing), through the person's verified channels, in their language,
// with a link to the case's page, and recorded in the case as a message of kind "notification" that the
// applicant and the office see ("Avviso inviato per e-mail a m***@example.it"): masked addresses only.
//
// Routed by the messaging module (Recipient::routed): its plan per type (messaging/routing.hpp), each
// message with its fallbacks, in the body's own texts when it wrote some (/backoffice/{slug}/modelli-
// messaggi). Otherwise, as before the module:
// Channels: nothing when the person chose "none"; otherwise their preferred channel when it is verified
// and can be served (SMS, e-mail), else e-mail (App IO is selectable but has no adapter yet); and for the
// acts that start or end a term (additions request, notice of grounds, decision: `legal`) every verified
// channel, e-mail and SMS. Nothing is sent to an unverified address.
//
// Texts: web/locales/{it,en}/case_notices.json, keys case_notice.<kind>.subject / .body / .sms, with
// {service}, {body}, {protocol}, {link} and the notice's own values; the history line is case_notice.sent
// with case_notice.via_email / via_sms.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "cases/model.hpp"
#include "core/i18n.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "messaging/model.hpp"
#include "messaging/routing.hpp"

namespace sp::cases {

// Who is told, as the profile knows them (read before the change's transaction).
struct Recipient {
  std::string email;                // verified address, or ""
  std::string mobile;               // verified E.164 mobile, or ""
  std::string preferred = "email";  // email | sms | io | none
  std::string lang = "it";          // "it" or "en"
  // Set when the messaging module routes the notices (CaseService::set_messaging), read before the
  // change's transaction: per type ("case.grounds"), where it goes and what stands in when it fails
  // (PEC for legal acts, the person's choice for the others); the body's own texts in `lang`, unfilled;
  // the body's contacts for them.
  bool routed = false;
  std::map<std::string, messaging::Plan> plans;
  std::map<std::string, messaging::Texts> texts;
  std::map<std::string, std::string> body_values;  // body_email, body_pec, body_phone
};

struct Notice {
  std::string kind;  // submitted, additions_request, grounds, accepted, rejected, message, withdrawn
  bool legal = false;
  std::map<std::string, std::string> values;  // besides service, body, protocol and link
  // The letters of the step (file id, name: the decision, the notice of grounds). By App IO the notice then
  // goes as remote content: IO gets a neutral teaser (case_notice.io_teaser) and fetches the text and
  // these PDFs from the hub when the person opens it (messaging/appio_remote_web.hpp).
  std::vector<std::pair<std::string, std::string>> documents;
};

// "m***@example.org"; "+39******4567".
std::string mask_email(const std::string& address);
std::string mask_mobile(const std::string& number);

// The channels `r` is told through for a notice (rules above); empty: nobody to tell.
std::vector<messaging::Channel> notice_channels(const Recipient& r, bool legal);

// What send_notice needs besides the case.
struct NoticeContext {
  const I18n& i18n;
  const time::Clock& clock;
  std::string body_name;  // "Comune di Asti"
  std::string link;       // the applicant's page of the case (absolute)
  time::TimePoint at;     // the change's time (whole milliseconds), for the history message
};

// Enqueues the notice on each channel and records it in the case (a "notification" message). Throws what
// messaging::enqueue refuses as std::runtime_error (a bug: the texts are ours). Returns the channels used.
std::vector<messaging::Channel> send_notice(db::Conn& tx, const NoticeContext& ctx, const Case& c,
                                            const Recipient& r, const Notice& n);

}  // namespace sp::cases
