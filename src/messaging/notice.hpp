#pragma once
// One message of one type to one person, for modules that tell people about their own things
// (certificates; the payment reminders): composed **before** the caller's transaction — it reads the
// person's contacts, choices and language and the body's texts — and queued **inside** it
// (enqueue_composed), so the message exists if and only if the event that causes it commits, and is
// delivered later by the outbox (exactly its guarantee: a crash between the event and the sending never
// sends twice, a rolled-back event sends nothing).
//
//   - where: the person's plan for the type (routing.hpp), with its fallbacks on a single channel;
//   - texts: the body's own for the type in the person's language (/backoffice/{slug}/modelli-messaggi),
//     else the hub's (web/locales/*: hub_text_key(type) + .subject/.body/.sms), with the body's name and
//     contacts and the caller's values filled in;
//   - App IO: only within IO's limits (else the next channel); with `remote` the text never goes to IO —
//     IO gets the subject and a neutral teaser (io_remote.teaser) and calls the hub back for the text, the
//     attachments and the precondition (appio_remote_web.hpp); the e-mail address is its fallback.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/messaging/message.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::messaging {

class MessagingService;

struct NoticeRequest {
  std::int64_t tenant_id = 0;
  std::string person;  // the recipient's fiscal code
  std::string type;    // a message type (model.hpp)
  // The type's placeholders and the common ones (service, protocol, link); the body's are added.
  std::map<std::string, std::string> values;
  bool remote = false;       // App IO: remote content (personal content)
  std::string precondition;  // App IO: the precondition's kind (appio::kPreconditionKinds), "" none
};

struct Composed {
  std::vector<Message> messages;  // one per channel of the plan (none: nobody to tell)
  std::string lang;               // the language they are written in
};

// Reads; no transaction. `i18n` has the hub's texts.
Composed compose(MessagingService& messaging, const I18n& i18n, const NoticeRequest& request);

// Adds a PDF of the body's file store to the App IO messages that go as remote content (IO fetches it
// from /inbound/{slug}/io/messages/{id}/attachments/{n}); a file made in the caller's transaction.
void attach(Composed& composed, const std::string& file_id, const std::string& name);

// Queues every message inside `tx`. Errors: what messaging::enqueue refuses (nothing is queued then: the
// caller's transaction rolls back).
Status enqueue_composed(db::Conn& tx, const Composed& composed, const time::Clock& clock);

}  // namespace sp::messaging
