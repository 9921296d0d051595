#pragma once
// The person's profile: what the platform holds about them, and their contact preferences (e-mail,
// mobile, preferred channel). A new address is unverified until the person types the 6-digit code the
// platform sent to it through the messaging outbox (same transaction as the change). A channel can be
// preferred only once its address is verified; App IO ("io") and "none" need nothing. The language of
// communications ("it" | "en") is saved with the contacts: the notices of the person's cases are written
// in it (cases::Options::language_of).
//
// Codes: only a salted SHA-256 is stored; valid 15 minutes; 5 attempts; single use; a new code can be
// asked at most once a minute. Every change is audited on the hub chain (tenant 0) with the person as
// actor: "profile.contacts.update", "profile.contacts.verify". Audit details name the fields changed,
// never the addresses (the chain is append-only; addresses must stay erasable).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/person_store.hpp"

namespace sp::identity {

struct ProfileOptions {
  std::chrono::minutes code_ttl{15};
  int max_attempts = 5;
  std::chrono::seconds resend_interval{60};
};

// What the person typed in the contact form.
struct ContactsForm {
  std::string email;
  std::string mobile;
  std::string preferred_channel;  // email | sms | io | none
  // it | en. Empty keeps the stored language (a client that does not send it loses nothing).
  std::string preferred_language;
  // Certified e-mail (PEC), verified like the e-mail. nullopt keeps the stored one (a form without the
  // field loses nothing); "" removes it.
  std::optional<std::string> pec;
};

// Who acts and from where (for the audit log).
struct ProfileActor {
  std::string fiscal_code;
  std::string remote_addr;
  std::string on_behalf_of;  // empty unless a counter operator acts for the person
};

// A code waiting to be typed, for the page.
struct PendingVerification {
  std::string channel;  // "email" | "sms" | "pec"
  std::string address;
  std::string expires_at;  // ISO UTC
  int attempts_left = 0;
};

struct UpdateOutcome {
  Person person;
  bool email_code_sent = false;
  bool mobile_code_sent = false;
  bool pec_code_sent = false;
  bool changed = false;
};

// Normalisers, exposed for tests. E-mail: trimmed, domain lower-cased; errors profile.email_invalid.
// Mobile: "+39 333 1234567", "0039 333-1234567", "3331234567" → "+393331234567"; other countries in
// "+CC..." / "00CC..." form; errors profile.mobile_invalid.
Result<std::string> normalise_email(std::string_view text);
Result<std::string> normalise_mobile(std::string_view text);
// A fresh 6-digit code (no modulo bias), and the salted hash that is all a store keeps of it. Shared with
// the alerts' subscriptions, which verify an address the same way.
std::string six_digit_code();
std::string code_hash(const std::string& salt, const std::string& code);

class ProfileService {
 public:
  ProfileService(db::Database& db, audit::AuditService& audit,
                 const time::Clock& clock = time::system_clock(), ProfileOptions options = {});

  // Errors: not_found (404) when the person was never signed in here.
  Result<Person> show(const std::string& fiscal_code);
  std::vector<PendingVerification> pending(const std::string& fiscal_code);

  // Sets the contacts. Empty e-mail/mobile removes that address. A changed address loses its
  // verification and gets a new code. Validation is all-or-nothing. Errors (field set):
  // profile.email_invalid, profile.mobile_invalid, profile.pec_invalid, profile.channel_invalid,
  // profile.language_invalid (detail: what was sent), profile.channel_unverified (detail: the channel),
  // not_found.
  Result<UpdateOutcome> update_contacts(const ProfileActor& actor, const ContactsForm& form);

  // Sends a fresh code for the current (unverified) address of `channel` ("email" | "sms" | "pec").
  // Errors: profile.channel_invalid, profile.nothing_to_verify, profile.resend_too_soon (429, detail:
  // seconds to wait).
  sp::Status resend(const ProfileActor& actor, const std::string& channel);

  // Checks a code. Errors: profile.code_format (not 6 digits), profile.code_none (nothing pending, or
  // already used, or the address changed since), profile.code_expired, profile.code_attempts (429: too
  // many wrong codes, ask a new one), profile.code_wrong (detail: attempts left).
  sp::Status confirm(const ProfileActor& actor, const std::string& channel, const std::string& code);

  // Called after a commit that enqueued a code (e.g. Dispatcher::notify, so it goes out at once).
  void set_outbox_notifier(std::function<void()> fn) { notifier_ = std::move(fn); }

 private:
  // Creates the code row and enqueues its message inside `tx`.
  void issue_code(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
                  const std::string& address);

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  ProfileOptions options_;
  std::function<void()> notifier_;
};

}  // namespace sp::identity
