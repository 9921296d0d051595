#pragma once
// The messaging module's rules (issue 17): a person's verified contacts and channel choices per message
// type (routing.hpp), the messages they were sent and each delivery attempt; a body's staff seeing the
// body's messages, retrying a dead one and cancelling one that waits; a body's administrators writing
// the texts of each message type in Italian and English (placeholders checked when saved).
//
// Contacts (e-mail, mobile, PEC) and their verification by a code sent through the channel itself
// (expiry, attempts, rate limit) are the profile's (identity/profile_service.hpp); this module reads
// them through ProfileService::show.
//
// Errors: auth.required (401), forbidden (403), not_found (404), messaging.type (an unknown type, or
// one whose channel is not the person's to choose: field pref_<type>), messaging.channel_unusable
// (the chosen channel is not verified: field pref_<type>), messaging.state (409: retry or cancel in the
// wrong state), messaging.lang, messaging.placeholder_unknown (detail: the placeholder, field: subject,
// body or sms), messaging.placeholder_personal (personal data in a subject), messaging.placeholder_syntax
// (an unclosed brace), messaging.template_empty, messaging.template_long, messaging.template_text
// (control characters).
//
// Audit (the body's chain): messaging.retry, messaging.cancel, messaging.template.save,
// messaging.template.reset; the person's choices on the hub chain: messaging.preferences.update.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/messaging/outbox.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "identity/profile_service.hpp"
#include "messaging/model.hpp"
#include "messaging/routing.hpp"
#include "messaging/store.hpp"

namespace sp::messaging {

// The body's name and contacts, filled into every text ({body}, {body_email}, {body_pec}, {body_phone}).
struct BodyContacts {
  std::string name, email, pec, phone;
};
using BodyContactsLookup = std::function<BodyContacts(std::int64_t tenant_id)>;

struct TypeChoice {
  const MessageType* type = nullptr;
  std::string choice;  // the person's channel for it, "" for the default
  Plan plan;           // where it would go today
};

struct MessageDetail {
  StoredMessage message;
  std::vector<Attempt> attempts;
  std::vector<pec::ReceiptRow> receipts;  // PEC: the provider's receipts (staff only; empty for the person)
  std::string fallback;                   // the message that stands in for it, if one was queued
};

struct TemplateForm {
  std::string type, lang, subject, body, sms;
};

// Checks `text` against the type's placeholders: Ok, or messaging.placeholder_unknown /
// placeholder_personal (in a subject) / placeholder_syntax, naming `field`.
Status check_placeholders(const MessageType& type, std::string_view text, bool subject,
                          const std::string& field);

class MessagingService {
 public:
  MessagingService(db::Database& db, audit::AuditService& audit, identity::ProfileService& profiles,
                   const time::Clock& clock = time::system_clock());

  void set_body_contacts(BodyContactsLookup fn) { body_contacts_ = std::move(fn); }

  // --- for other modules (no principal: the caller acts for the system)
  Contacts contacts_of(const std::string& fiscal_code);
  Plan route(const std::string& fiscal_code, const std::string& type);
  // The body's texts for the type and language with the values and the body's contacts filled in, or
  // nullopt when the body has none (use the hub's).
  std::optional<Texts> texts(std::int64_t tenant_id, const std::string& type, const std::string& lang,
                             std::map<std::string, std::string> values);
  BodyContacts body_contacts(std::int64_t tenant_id);
  // The language the person is written to in ("it" when unknown).
  std::string language_of(const std::string& fiscal_code);
  // The body's messaging settings: days before an option's due date its payment reminder goes (1-30,
  // default 3). Setting it: the body's administrators (customise_forms). Errors: forbidden, auth.required,
  // messaging.due_days (not a whole number from 1 to 30; field payment_due_days). Audited
  // messaging.settings.update.
  int payment_due_days(std::int64_t tenant_id);
  Status set_payment_due_days(const identity::Principal* who, std::int64_t tenant, const std::string& days);
  // Read before a caller's write transaction (no reads inside it): the plan of each type for a person
  // (contacts and choices read once), and the body's own texts of every type in a language, unfilled.
  std::map<std::string, Plan> plans(const std::string& fiscal_code, const std::vector<std::string>& types);
  std::map<std::string, Texts> raw_texts(std::int64_t tenant_id, const std::string& lang);

  // --- the person (their own area)
  Result<std::vector<TypeChoice>> preferences(const identity::Principal* who);
  // type → channel ("" = default). Types not listed keep their choice. All or nothing.
  Status set_preferences(const identity::Principal* who, const std::map<std::string, std::string>& choices);
  Result<std::vector<StoredMessage>> my_messages(const identity::Principal* who);
  Result<MessageDetail> my_message(const identity::Principal* who, const std::string& id);

  // --- a body's staff (backoffice permission)
  Result<std::vector<StoredMessage>> body_messages(const identity::Principal* who, std::int64_t tenant,
                                                   const std::string& status);
  Result<MessageDetail> body_message(const identity::Principal* who, std::int64_t tenant,
                                     const std::string& id);
  Result<Change> retry(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Result<Change> cancel(const identity::Principal* who, std::int64_t tenant, const std::string& id);

  // --- a body's administrators (customise_forms permission)
  Result<std::vector<store::TemplateRow>> templates(const identity::Principal* who, std::int64_t tenant);
  Result<int> save_template(const identity::Principal* who, std::int64_t tenant, const TemplateForm& form);
  Status reset_template(const identity::Principal* who, std::int64_t tenant, const std::string& type,
                        const std::string& lang);

  // Called after a retry (so the job runs at once).
  void set_notifier(std::function<void()> fn) { notifier_ = std::move(fn); }

 private:
  void audit_staff(db::Conn& tx, const identity::Principal* who, std::int64_t tenant,
                   const std::string& action, const std::string& record_type, const std::string& record_id,
                   const std::string& details);

  db::Database& db_;
  audit::AuditService& audit_;
  identity::ProfileService& profiles_;
  const time::Clock& clock_;
  BodyContactsLookup body_contacts_;
  std::function<void()> notifier_;
};

}  // namespace sp::messaging
