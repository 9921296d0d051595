#pragma once
// Alerts to the population (issue 17; docs/alerts.md): the rules.
//
// - A body's operators (backoffice) write an alert (category, title, text, segment), see before sending
//   how many people each channel will reach and what the SMS cost against the body's cap, and confirm.
//   The cap is set by the body's administrators (customise_forms); an alert whose SMS would cost more is
//   refused (alerts.cost_cap).
// - One alert = one fan-out: confirming moves the draft to "sending" with a compare-and-set and queues
//   the fan-out job (unique key): a second press finds it sending and does nothing. The job freezes the
//   recipients (alert_targets) and hands them to the outbox a window at a time (`window`, at each
//   channel's rate: run_at spread by 1/rate), one message per recipient and channel whose id is
//   message_key(alert, channel, address): written once, and the same idempotency key on a repeat.
// - Pause stops the fan-out (what is already in the outbox's window goes out); resume goes on from the
//   cursor; cancel stops it and cancels the messages still waiting in the outbox.
// - People follow topics and streets without signing in, with an e-mail or a mobile number verified by
//   a 6-digit code (the profile's rules: 15 minutes, 5 attempts, a new code once a minute, only a salted
//   hash kept); the consent is recorded (what, when, how) when the code is confirmed. Every alert carries
//   a stop link (a token per address) and, by SMS, "reply STOP"; a stopped address gets no more alerts.
//
// Errors: auth.required, forbidden, not_found, alerts.category, alerts.title, alerts.body, alerts.segment,
// alerts.streets, alerts.school, alerts.state (409), alerts.cost_cap (422), alerts.cap_invalid,
// alerts.channel, alerts.topics, alerts.consent_required, alerts.resend_too_soon (429), alerts.code_format,
// alerts.code_none, alerts.code_expired, alerts.code_attempts (429), alerts.code_wrong, alerts.stop_unknown;
// profile.email_invalid, profile.mobile_invalid (the profile's normalisers).
// Audit (the body's chain): alert.create, alert.confirm, alert.pause, alert.resume, alert.cancel,
// alert.cost_cap, alert.subscribe, alert.stop.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "alerts/model.hpp"
#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "identity/profile_service.hpp"
#include "jobs/runner.hpp"
#include "tenants/service.hpp"

namespace sp::alerts {

inline constexpr const char* kFanoutKind = "alerts.fanout";
// The demo's monthly SMS cap per body (50 euro: about 800 SMS at 6 cents).
inline constexpr std::int64_t kDemoMonthlyCapCents = 5000;

struct Options {
  std::map<std::string, std::int64_t> rates{{"email", 50}, {"sms", 20}, {"pec", 5}, {"appio", 12}};  // per s
  std::int64_t sms_cost_cents = 6;
  // The SMS cost cap is per body and calendar month (Europe/Rome): the alerts confirmed in the month and
  // the one being confirmed together. A body that never set one gets this (0: no SMS until it does; the
  // demo gives every body kDemoMonthlyCapCents).
  std::int64_t default_cost_cap_cents = 0;
  std::string public_url = "http://localhost:8080";
  std::chrono::seconds window{10};  // how far ahead the fan-out fills the outbox
  int batch = 500;                  // targets per transaction
  std::vector<std::string> categories{"school_closure", "water_cut", "road_works", "civil_protection"};
  // The school services' forms whose standing applications name a pupil's school ("school" answers).
  std::vector<std::string> school_forms{"iscrizione-mensa-scolastica", "iscrizione-scuola-primaria",
                                        "iscrizione-scuola-secondaria", "iscrizione-trasporto-scolastico"};
};

// The applicant and the answers (JSON text) of each standing case of a body's form: the cases module's
// CaseService::standing_answers (a function, so that the rules are tested without the whole case machinery).
using CaseAnswers = std::function<std::vector<std::pair<std::string, std::string>>(std::int64_t tenant,
                                                                                   const std::string& form)>;

// A school's name as the body lists it (the "schools" option list of its school forms), in `lang`; ""
// when the body does not list that code. A function, so that the rules are tested without the forms.
using SchoolName =
    std::function<std::string(std::int64_t tenant, const std::string& code, const std::string& lang)>;

struct AlertForm {
  std::string category, title, body, segment, streets, school;
};

struct SubscribeForm {
  std::string channel;  // email | sms
  std::string address;
  std::vector<std::string> topics;
  std::vector<std::string> streets;
  std::string lang = "it";
  bool consent = false;
};

class AlertService {
 public:
  AlertService(db::Database& db, audit::AuditService& audit, identity::ProfileService& profiles,
               anagrafe::AnagrafeService& anagrafe, CaseAnswers cases, const tenants::TenantService& tenants,
               const I18n& i18n, const time::Clock& clock, Options options);

  [[nodiscard]] const Options& options() const { return options_; }
  // Called after a commit that queued work (the runner picks it up at once).
  void set_notifier(std::function<void()> fn) { notifier_ = std::move(fn); }
  void set_school_names(SchoolName fn) { school_name_ = std::move(fn); }
  void register_with(jobs::Runner& runner);

  // --- a body's staff
  Result<std::vector<Alert>> list(const identity::Principal* who, std::int64_t tenant);
  Result<Alert> get(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Result<std::string> create(const identity::Principal* who, std::int64_t tenant, const AlertForm& form);
  Result<Preview> preview(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  // Ok also when it was confirmed already (a second press): nothing more is sent.
  Status confirm(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Status pause(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Status resume(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Status cancel(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Result<Stats> stats(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  std::int64_t cost_cap(std::int64_t tenant);
  // The SMS cost of the body's alerts confirmed this calendar month (Europe/Rome).
  std::int64_t spent_this_month(std::int64_t tenant);
  Status set_cost_cap(const identity::Principal* who, std::int64_t tenant, const std::string& euros);
  // The schools named by the body's standing school applications (codes), for the segment's choice.
  std::vector<std::string> schools(std::int64_t tenant);
  // The school's name for people (the body's list), or its code when the body lists no name for it.
  std::string school_name(std::int64_t tenant, const std::string& code, const std::string& lang) const;
  std::vector<std::string> street_names(std::int64_t tenant);  // "VIA ROMA"

  // --- the public (no sign-in)
  std::vector<Alert> published(std::int64_t tenant, int limit = 20);
  Result<std::string> subscribe(std::int64_t tenant, const SubscribeForm& form,
                                const std::string& remote_addr);
  Result<Subscription> subscription(std::int64_t tenant, const std::string& id);
  Status verify(std::int64_t tenant, const std::string& id, const std::string& code,
                const std::string& remote_addr);
  Status resend(std::int64_t tenant, const std::string& id);
  // The address a stop token stands for (channel, address masked by the page), or alerts.stop_unknown.
  Result<std::pair<std::string, std::string>> stop_target(std::int64_t tenant, const std::string& token);
  // Stops by the link's token. Ok also when it was stopped already.
  Status stop(std::int64_t tenant, const std::string& token, const std::string& remote_addr);
  // An SMS received from `from` with `text`: "STOP" (any case, surrounding spaces) stops that number.
  // Returns whether it was a stop.
  Result<bool> stop_by_sms(std::int64_t tenant, const std::string& from, const std::string& text);

  // --- the person (their area)
  Result<std::vector<Received>> received(const identity::Principal* who);

  // --- the job
  Status run_fanout(jobs::JobRun& run);
  // The recipients of an alert as they would be now (exposed for tests and the bench).
  std::vector<Target> resolve(const Alert& a);

 private:
  Status staff(const identity::Principal* who, std::int64_t tenant) const;
  std::optional<Alert> load(std::int64_t tenant, const std::string& id);
  Preview count(std::int64_t tenant, const std::vector<Target>& targets);
  void materialise(const Alert& a);
  void add_person(std::vector<Target>& out, const std::string& cf);
  std::string stop_link(db::Conn& tx, std::int64_t tenant, const std::string& slug,
                        const std::string& channel, const std::string& address, const std::string& at);
  void notify() const {
    if (notifier_) notifier_();
  }

  db::Database& db_;
  audit::AuditService& audit_;
  identity::ProfileService& profiles_;
  anagrafe::AnagrafeService& anagrafe_;
  CaseAnswers cases_;
  const tenants::TenantService& tenants_;
  const I18n& i18n_;
  const time::Clock& clock_;
  Options options_;
  std::function<void()> notifier_;
  SchoolName school_name_;
  // The next free instant (ms since the epoch) of each gateway on this node, shared by every alert's
  // fan-out: two alerts at once together keep to the gateway's rate.
  std::mutex pace_mutex_;
  std::map<std::string, std::int64_t> pace_;
};

}  // namespace sp::alerts
