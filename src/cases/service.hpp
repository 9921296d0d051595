#pragma once
// The rules of cases (pratiche, SPEC §8, L. 241/1990): submission (idempotent, registered in the protocol
// in the same transaction), routing, the legal deadline with its suspensions, the state machine of
// model.hpp, the notice of grounds before a rejection (art. 10-bis), decisions registered as outgoing
// protocol, messages, internal notes, documents, and the back-office queues.
//
// Access: staff act on their own body's cases (identity::Permission::backoffice for `tenant`); applicants
// (PrincipalKind::person) see and act on the cases they submitted, or that were submitted for whom they
// now act for (Principal::acting_for); anyone else gets not_found, so an id reveals nothing. Internal
// notes are never returned to an applicant. Every change writes its transition row and an audit entry in
// the same transaction as the change; staff reading a case leaves an audit "case.read" on the
// applicant's behalf (their "who accessed my data").
//
// Error codes (messages in web/locales/{it,en}/cases.json):
//   cases.service (404: the body does not offer this service online), cases.submission_key (400),
//   cases.answers (400), cases.attachment (400: unknown file id, or too many), cases.no_aoo (503: the body
//   has no active registry office, so it cannot register applications), cases.transition (409: not
//   allowed in the case's state), cases.conflict (409: someone else changed the case meanwhile, retry),
//   cases.text (400: an empty or too long message, reason, grounds or decision), cases.assignee (400),
//   cases.grounds_required (409: rejection without a notice of grounds), cases.grounds_pending (409: the
//   applicant's 10 days to answer the notice have not passed and they have not answered), cases.outcome
//   (400: no such decision template for the service, or not one for this action), cases.templates (500: a
//   template that does not render),
//   cases.placeholder (400: the text of a notice of grounds or a decision still holds a template's
//   "[...]" placeholder, or a "{{...}}" tag: detail names it; nothing is sent or registered),
//   cases.answer_late (409: observations after the 10 days), cases.applicant (403: this action is the
//   applicant's, or a staff member's), cases.filter (400); plus auth.required, forbidden, not_found and
//   the protocollo.* / files.* codes of a failed registration or upload (nothing is kept then).
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/service.hpp"
#include "cases/decisions.hpp"
#include "cases/model.hpp"
#include "cases/notify.hpp"
#include "cases/store.hpp"
#include "catalog/service.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "forms/definitions_service.hpp"
#include "identity/model.hpp"
#include "identity/profile_service.hpp"
#include "payments/service.hpp"
#include "protocollo/service.hpp"
#include "stamp/service.hpp"
#include "tenants/service.hpp"

namespace sp::messaging {
class MessagingService;
}

namespace sp::cases {

struct Options {
  int default_deadline_days = 30;  // art. 2 c. 2: when the rules set no other term
  int grounds_answer_days = 10;    // art. 10-bis: the applicant's time to answer the notice of grounds
  // art. 2 c. 7 allows suspending the term for additions once and for at most 30 days *(check)*: when
  // set, the days counted for one suspension for additions are capped at this; unset, every day waited
  // counts (what the issue asks).
  std::optional<int> max_additions_suspension_days;
  int max_attachments = 50;
  std::size_t max_text = 20000;  // characters of a message, note, reason, grounds or decision
  // The decision templates (data/decisions/README.md), read when the service is built: a broken file
  // stops the start. The default is the share directory the binary was built with.
  std::string decisions_dir = built_in_share_dir() + "/data/decisions";
  // The texts of the notices to applicants (notify.hpp): web/locales/<lang>/*.json under this folder.
  std::string locales_dir = built_in_share_dir() + "/web/locales";
  // The links in notices: public_url + "/area-personale/pratiche/{slug}/{id}".
  std::string public_url = "http://localhost:8080";
  // The language an applicant is told in ("it", "en"), by codice fiscale. Unset (the profile holds no
  // language yet): Italian.
  std::function<std::string(const std::string& fiscal_code)> language_of;
  // A case's fee (cases/fees.cpp): the notice's due date, days after submission, and the transfer's
  // taxonomy category (tassonomia dei servizi di incasso) by service code. The catalog has no taxonomy
  // yet: unset, every fee is "9/0101101IM/" *(check)* (diritti di segreteria/istruttoria).
  int fee_due_days = 30;
  std::function<std::string(const std::string& service_code)> fee_category_of;
};

// A line of the application summary PDF rendered when the caller gives no PDF of its own.
struct SummaryLine {
  std::string label;
  std::string value;
};

// What the submitting page (or API client) sends, after forms::submit accepted the answers.
struct Submission {
  std::string service_code;  // the catalog service (activated by the body, level >= 3)
  std::string form_code;     // usually == service_code
  int form_version = 1;
  boost::json::object answers;           // forms::submit(def, answers, ctx).data
  std::vector<std::string> attachments;  // file ids already stored for this tenant (FileService::put)
  // Chosen by the page when the form is shown (a hidden field) or by the API client: the same key from
  // the same applicant at the same body gives back the first case, never a second one.
  std::string submission_key;
  // The application as the applicant saw it (PDF bytes). When empty, a PDF is rendered from `summary`
  // (or from the answers' top-level values when `summary` is empty too).
  std::string summary_pdf;
  std::vector<SummaryLine> summary;
  std::string applicant_name;  // default: the principal's display name
};

// A program submitting an application for a named citizen through the API (channel api): a body's own
// system, or an intermediary the body gave an API key to (CAF, patronato). The key's body is the case's.
struct ApiApplicant {
  std::string key_id;      // the API key that called (audited as "api-key:<id>")
  std::string citizen_cf;  // the applicant: a valid codice fiscale of a person
  std::string citizen_name;
};

struct Submitted {
  Case c;
  bool replayed = false;  // the key had been used: this is the first submission's case
  std::string segnatura;  // of the protocol entry
};

// The queue of a body's back office. Every filter is optional; results are ordered by the deadline
// (soonest first; suspended cases by their projected due date), then by submission (then by id). The
// database filters, counts, orders and pages (CaseStore::queue), so a page costs the same with 50 or
// 10,000 open cases; deadlines are computed for the page's cases only.
struct QueueFilter {
  std::string office;
  std::optional<State> state;
  bool open_only = true;  // when no `state` is given: only open cases
  std::string service_code;
  std::string assignee;              // a staff id; "-" for unassigned cases
  bool overdue = false;              // only cases past their due date
  std::optional<int> days_left_max;  // only cases with at most this many days left (overdue included)
  bool silence_consent_only = false;
  int limit = 50;  // 1..500
  int offset = 0;
};

struct CaseSummary {
  Case c;  // answers are left empty in lists
  Deadline deadline;
};

struct QueuePage {
  std::vector<CaseSummary> items;
  int total = 0;  // matching cases before limit/offset
};

struct CaseView {
  Case c;
  Deadline deadline;
  std::vector<Transition> transitions;  // oldest first
  std::vector<Message> messages;        // oldest first
  std::vector<Document> documents;      // oldest first
  std::vector<Note> notes;              // staff only: always empty for the applicant
  bool viewer_is_staff = false;
  // What the viewer may do now (for buttons): names of model.hpp's Action values.
  std::vector<std::string> allowed_actions;
  std::optional<CaseFee> fee;  // a service with a fee: its notice, or "pay at the counter"
};

// A decision text the office may start from: one template of the case's service (or the hub's default),
// rendered with the case's data (data/decisions/README.md lists the placeholders).
struct DecisionDraft {
  std::string outcome;  // the template's code: "accept", "differ", "reject", "grounds"
  Action action = Action::accept;
  std::string title;
  std::string text;
  std::string source;  // "default" (the hub's text) or the service code
  std::string lang;    // "it" or "en"
};

// Which template a decision's (edited) text came from: the document takes its title and labels from it.
// Empty outcome: a free text, titled after the action ("Provvedimento di accoglimento della domanda"), in
// Italian; a notice of grounds without an outcome wraps the given grounds in the "grounds" template.
struct DecisionFrom {
  std::string outcome;
  std::string lang = "it";
};

struct DocumentContent {
  Document doc;
  std::string bytes;
};

// One action applied to many cases of the queue. Each case gets its own transaction: one refusal does
// not undo the others.
struct BulkAction {
  enum class Kind { assign, start, close } kind = Kind::assign;
  std::string assignee;  // assign
  std::string office;    // assign: "" keeps the case's office
  std::string reason;    // close: required
};
struct BulkResult {
  std::vector<std::string> done;
  std::vector<std::pair<std::string, Error>> failed;  // case id, why
};

class CaseService {
 public:
  // `profiles` (optional) gives the applicant's verified e-mail, mobile and preferred channel for the
  // notices through the outbox (notify.hpp); without it nobody is told.
  CaseService(db::Database& db, time::Clock& clock, protocollo::ProtocolService& protocol,
              files::FileService& files, catalog::CatalogService& catalog, tenants::TenantService& tenants,
              identity::ProfileService* profiles = nullptr, Options options = {});

  // ---- The applicant --------------------------------------------------------------------------------
  // In one write transaction: idempotency check, the application document stored, the case inserted,
  // the incoming protocol entry registered (application as primary document, attachments), the
  // transitions submitted and submitted→registered, audit, and the receipt in the outbox (notify.hpp). A
  // failure anywhere (e.g. the protocol) leaves nothing. A person submits for themselves or for whom
  // they act for; a counter operator (Permission::counter, Principal::assisting) for the citizen served.
  Result<Submitted> submit(const identity::Principal* applicant, tenants::TenantId tenant,
                           const Submission& s);
  // The same for a program with the body's API key (the caller checked the key's body and scope): the
  // case's channel is api, its actor the key ("system:api-key:<id>", audit channel api), the applicant the
  // citizen named, who is told as after any submission. The same key from the same program for the same
  // citizen gives back the first case. Errors: submit's, and cases.applicant_cf (400) for a code that is
  // not a person's valid codice fiscale.
  Result<Submitted> submit_via_api(const ApiApplicant& program, tenants::TenantId tenant,
                                   const Submission& s);
  // A case the same key submitted (submit_via_api), for the API's reading of its state; not_found for
  // any other (another key's, another body's, or one that did not come through the API).
  Result<Case> submitted_via_api(const std::string& key_id, tenants::TenantId tenant,
                                 const std::string& case_id);
  // For duplicate checks made by the platform itself (never shown as such): the standing cases of a body's
  // form whose answers mention `code` (a codice fiscale: letters and digits), newest first, at most 20,
  // whoever applied. Callers tell people only that such a case exists, never whose or what it says.
  std::vector<Case> standing_mentioning(tenants::TenantId tenant, const std::string& form_code,
                                        const std::string& code);
  // For the platform's alerts to a school's parents (src/alerts): the applicant and the answers (JSON
  // text) of every standing case of a body's form. Never shown as such.
  std::vector<std::pair<std::string, std::string>> standing_answers(tenants::TenantId tenant,
                                                                    const std::string& form_code);
  // For the statistics (src/statistics): how many open cases of the body are overdue today, as the
  // queue counts them (QueueFilter::overdue), of one service or of all (empty `service_code`). No
  // principal: the caller authorises.
  std::int64_t overdue_count(tenants::TenantId tenant, const std::string& service_code);
  // The same, by service code in one query (services with none overdue are absent).
  std::map<std::string, std::int64_t> overdue_by_service(tenants::TenantId tenant);
  // The applicant's cases at every body, newest first.
  Result<std::vector<CaseSummary>> my_cases(const identity::Principal* applicant);
  Status answer_additions(const identity::Principal* applicant, tenants::TenantId tenant,
                          const std::string& case_id, const std::string& message,
                          const std::vector<std::string>& file_ids);
  // Observations on a notice of grounds (art. 10-bis), within grounds_answer_days.
  Status answer_grounds(const identity::Principal* applicant, tenants::TenantId tenant,
                        const std::string& case_id, const std::string& message,
                        const std::vector<std::string>& file_ids);
  Status withdraw(const identity::Principal* applicant, tenants::TenantId tenant, const std::string& case_id,
                  const std::string& reason);

  // ---- Both ----------------------------------------------------------------------------------------------
  // The case with its history, messages and documents (and notes, for staff).
  Result<CaseView> get(const identity::Principal* who, tenants::TenantId tenant, const std::string& case_id);
  // Staff: a message to the applicant; the applicant: a message to the office. Files become documents.
  Status send_message(const identity::Principal* who, tenants::TenantId tenant, const std::string& case_id,
                      const std::string& body, const std::vector<std::string>& file_ids = {});
  // A document's bytes (checked against its SHA-256 by the file store).
  Result<DocumentContent> document(const identity::Principal* who, tenants::TenantId tenant,
                                   const std::string& case_id, const std::string& document_id);

  // ---- The back office -----------------------------------------------------------------------------------
  Result<QueuePage> queue(const identity::Principal* staff, tenants::TenantId tenant, const QueueFilter& f);
  // The offices that have cases at this body (for the queue's filter).
  Result<std::vector<std::string>> offices(const identity::Principal* staff, tenants::TenantId tenant);

  // `office` "" keeps the case's office.
  Status assign(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                const std::string& assignee, const std::string& office = {});
  Status start(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id);
  // The deadline is suspended from today until the applicant answers (or the office resumes).
  Status request_additions(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& message);
  // Ends a suspension for additions without an answer (the office proceeds with what it has).
  Status resume(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                const std::string& reason);
  // Preavviso di rigetto (art. 10-bis): rendered as a PDF, registered as outgoing protocol, sent to the
  // applicant; the deadline is suspended; a rejection is possible only after it. With `from.outcome`,
  // `grounds` is the whole notice as edited on the form; without, just the grounds, put into the
  // service's (or the default) "grounds" template.
  Status notice_of_grounds(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& grounds,
                           const DecisionFrom& from = {});
  // The decision: rendered as a PDF (the body's heading, the text, the references), registered as outgoing
  // protocol in the same transaction, stored as a document the applicant can download. reject() needs a
  // notice of grounds first, and then either the applicant's observations or grounds_answer_days passed
  // since the notice.
  Status accept(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                const std::string& decision, const DecisionFrom& from = {});
  Status reject(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                const std::string& decision, const DecisionFrom& from = {});
  // The texts the decide form starts from: one per template of the case's service (its own, then the hub's
  // default for the outcomes it lacks) whose action the case allows now, rendered in `lang` ("it", "en")
  // with the case's data and the officer's `reasons`. Staff of the case's body only.
  Result<std::vector<DecisionDraft>> decision_drafts(const identity::Principal* staff,
                                                     tenants::TenantId tenant, const std::string& case_id,
                                                     const std::string& lang = "it",
                                                     const std::string& reasons = {});
  Status close(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
               const std::string& reason);
  Status add_note(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                  const std::string& body);
  // The assisted counter: an internal note (what the operator checked, e.g. in the business register) on
  // a case of the citizen being served, by the counter operator; anyone else's case is not found.
  Status add_counter_note(const identity::Principal* counter, tenants::TenantId tenant,
                          const std::string& case_id, const std::string& body);
  Result<BulkResult> bulk(const identity::Principal* staff, tenants::TenantId tenant,
                          const std::vector<std::string>& case_ids, const BulkAction& action);

  [[nodiscard]] const Options& options() const { return options_; }

  // Who a staff id names in a body (their display name), or nothing when it is not one of its active
  // staff: set by the application from identity's staff accounts. When set, assign() accepts only the
  // body's staff and the history names them; unset (some tests), any id is taken as given.
  using StaffDirectory = std::function<std::optional<std::string>(tenants::TenantId, const std::string&)>;
  void set_staff_directory(StaffDirectory directory) { staff_directory_ = std::move(directory); }
  // The form definitions in force, for the labels of the answers in decisions ("Scuola primaria G.
  // Baussano", not "baussano"). Unset: decisions print the answers as stored.
  void set_form_definitions(forms::DefinitionsService* definitions) { definitions_ = definitions; }
  // Payments (issue 13): a case whose service has a fee gets its pagoPA debt position in the submission's
  // transaction (cases/fees.cpp), and moves on when the station records its receipt (a listener
  // registered on `payments` here, told inside the receipt's transaction). Unset: fees are paid at the
  // counter, as for a body that is no pagoPA creditor.
  void set_payments(payments::PaymentsService* payments);
  // The digital stamp on the office's letters (docs/stamp.md), recorded in the letter's transaction. Unset,
  // or a body without a stamp key: the letters are unstamped (logged).
  void set_stamps(stamp::StampService* stamps) { stamps_ = stamps; }
  // Called after a commit that enqueued a notice (e.g. Dispatcher::notify, so that it goes out at once).
  void set_outbox_notifier(std::function<void()> fn) { notifier_ = std::move(fn); }
  // The notices' routing, fallbacks and the body's own texts (messaging/service.hpp); unset: the
  // channels of notify.hpp and the hub's texts.
  void set_messaging(messaging::MessagingService* m) { messaging_ = m; }

  // Whether `who` may do `action` ("answer_additions", "answer_grounds", "message", "withdraw") on the
  // case now, without doing it: pages call it before they store the files that come with the answer,
  // so that a stranger's upload never reaches the body's file store. Errors as the action would give
  // (not_found for someone else's case, and that attempt is audited; cases.transition when the state
  // does not allow it).
  Status check_applicant_action(const identity::Principal* who, tenants::TenantId tenant,
                                const std::string& case_id, const std::string& action);

 private:
  Status decide(const identity::Principal* staff, tenants::TenantId tenant, const std::string& case_id,
                const std::string& decision, const DecisionFrom& from, Action action,
                std::function<Status(const Case&, time::Date)> precondition);
  struct Change;  // service.cpp: what one action does to a case inside its transaction
  // A person asked for a case that is not theirs and was told "not found": case.access_refused on the
  // body's chain (actor, case, remote address unknown here), in a transaction of its own since the
  // refused operation wrote nothing.
  void note_refused(const identity::Principal* who, tenants::TenantId tenant, const std::string& case_id);
  // The queue columns of `c` under this service's options (model.hpp).
  [[nodiscard]] QueueKeys keys_of(const Case& c) const {
    return queue_keys(c, options_.grounds_answer_days, options_.max_additions_suspension_days);
  }
  // Who the applicant of `cf` is told through (read before a change's transaction).
  Recipient recipient_of(const std::string& cf, tenants::TenantId tenant);
  NoticeContext notice_context(tenants::TenantId tenant, const Case& c, time::TimePoint at);
  // The answers of `c` with option labels in `lang` instead of codes (decisions).
  boost::json::object labelled_answers(const Case& c, std::string_view lang);
  // The same for a case read now ({} when unknown or without definitions).
  boost::json::object labelled_answers_of(tenants::TenantId tenant, const std::string& case_id,
                                          std::string_view lang);
  Status apply(const identity::Principal* who, tenants::TenantId tenant, const std::string& case_id,
               Action action, const std::string& reason, const Change& change);
  // The fee's position (or its "counter" row) for a case just registered, in the submission's transaction.
  Status open_fee(db::Conn& tx, const Case& c, time::TimePoint now);
  // The payments listener: the option paid is a case's fee → the fee is paid and the case moves on.
  void fee_paid(db::Conn& tx, const payments::Position& p, const payments::Option& o);
  // The submission keys of an API key's applications start with this (submit_via_api).
  static std::string api_key_prefix(const std::string& key_id);
  struct Applicant;  // submission.cpp: who submits, however they came (submit, submit_via_api)
  Result<Submitted> submit_as(const Applicant& applicant, tenants::TenantId tenant, const Submission& s);
  Result<Submitted> submit_once(const Applicant& applicant, tenants::TenantId tenant, const Submission& s,
                                bool& duplicate);

  db::Database& db_;
  time::Clock& clock_;
  protocollo::ProtocolService& protocol_;
  files::FileService& files_;
  catalog::CatalogService& catalog_;
  tenants::TenantService& tenants_;
  identity::ProfileService* profiles_;
  messaging::MessagingService* messaging_ = nullptr;
  Options options_;
  forms::DefinitionsService* definitions_ = nullptr;
  std::function<void()> notifier_;
  I18n i18n_;
  DecisionTemplates decisions_;
  CaseStore store_;
  audit::AuditService audit_;
  StaffDirectory staff_directory_;
  payments::PaymentsService* payments_ = nullptr;
  stamp::StampService* stamps_ = nullptr;
};

}  // namespace sp::cases
