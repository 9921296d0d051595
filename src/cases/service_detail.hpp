#pragma once
// Internal to the cases module: what its service files share — who acts on a case, what an action's
// record step has at hand, and the helpers the submission, the actions, the letters and the reads all
// use. CaseService is split by job across service.cpp (set-up, apply), submission.cpp, actions.cpp,
// letters.cpp and reading.cpp; nothing outside src/cases includes this.
#include <boost/json.hpp>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/decisions.hpp"
#include "cases/pdf.hpp"
#include "cases/service.hpp"
#include "stamp/service.hpp"

namespace sp::cases {
// Named, not anonymous: CaseService::Change, declared in the header, holds a RecordContext.
namespace service_detail {

// Who acts on a case, and as what.
struct Access {
  bool staff = false;
  std::string actor;  // "staff:<id>" / "person:<cf>"
  audit::ActorKind kind = audit::ActorKind::person;
  std::string actor_id;
  audit::Channel channel = audit::Channel::web;
};

// What the `record` step of an action has at hand.
struct RecordContext {
  db::Conn& tx;
  const identity::Principal* principal;
  Access who;
  protocollo::AooId aoo = 0;  // when the action needs_aoo
  time::TimePoint now;
  time::TimePoint at;  // now, in whole milliseconds (as stored)
  // Values the record step adds to the notice to the applicant (e.g. the letter's protocol number).
  std::map<std::string, std::string> notice_values;
  const I18n* i18n = nullptr;             // the letters' language tag and page label (pdf.lang, pdf.page_of)
  stamp::StampService* stamps = nullptr;  // the digital stamp on the letters (docs/stamp.md)
  // The letters the record step registered (file id, name): App IO serves them as the notice's
  // attachments (remote content, docs/messaging.md).
  std::vector<std::pair<std::string, std::string>> notice_documents;
};

inline constexpr std::size_t kMaxKey = 200;
inline constexpr std::size_t kMaxAnswersBytes = 1'000'000;
inline constexpr int kMyCasesCap = 500;
inline constexpr int kMaxPage = 500;
inline constexpr const char* kSystemActor = "cases";

Error invalid(const std::string& code, const std::string& field, const std::string& detail = {});
// `tp` in whole milliseconds: what the database keeps of an instant (db/time_values.hpp).
time::TimePoint stored_instant(time::TimePoint tp);
bool blank(const std::string& s);
bool has_control(const std::string& s);
int days_between(time::Date from, time::Date to);
time::Date date_or(const std::optional<time::Date>& d, time::Date fallback);
// The codice fiscale an applicant-side principal acts as: a signed-in person, or a counter operator
// serving a citizen (assisted channel). "" for anyone else. The rule is identity's (applicant.hpp).
std::string applicant_cf_of(const identity::Principal* who);
Access applicant_access(const identity::Principal* who);
// Staff of the case's body see everything; the applicant (or whoever acts for the represented person or
// business) sees their own; others learn nothing (not_found), except staff of another body (forbidden).
Result<Access> access_to(const identity::Principal* who, tenants::TenantId tenant, const Case& c);
Status check_text(const std::string& text, const std::string& field, std::size_t max);
std::string json_details(std::initializer_list<std::pair<const char*, std::string>> kv);
// A case document for a stored file, with the protocol entry that registered it when there is one.
Document document_of(const Case& c, const files::StoredFile& f, DocumentKind kind, const std::string& who,
                     time::TimePoint at, const protocollo::Registered* reg);
// One line per top-level answer: the summary PDF when the page gave none.
std::vector<SummaryLine> lines_from_answers(const boost::json::object& answers);
protocollo::Correspondent applicant_party(const Case& c);
// The body's registry office for cases: the first active AOO (by code). nullopt when it has none.
std::optional<protocollo::AooId> case_aoo(protocollo::ProtocolService& protocol, tenants::TenantId tenant);
std::string body_name(tenants::TenantService& tenants, tenants::TenantId tenant);
std::string body_slug(tenants::TenantService& tenants, tenants::TenantId tenant);
[[nodiscard]] Status audit_case(audit::AuditService& audit, db::Conn& tx, tenants::TenantId tenant,
                                const Access& who, const Case& c, const std::string& action,
                                const std::string& details);
// Ends a running suspension as of `today`, adding the days it counts to the term (model.hpp), and moves
// the due date off a Sunday or holiday.
void end_suspension(Case& c, time::Date today, int grounds_days, std::optional<int> max_additions_days,
                    bool observations_now);

// --- letters.cpp: what the actions record ----------------------------------------------------------

// The files a message carries (uploaded before, for this tenant), checked and de-duplicated.
Result<std::vector<files::StoredFile>> message_files(db::Conn& tx, tenants::TenantId tenant,
                                                     const std::vector<std::string>& ids, int max);
// Stores the files as case documents of `kind` and a message carrying them.
void add_message(db::Conn& tx, tenants::TenantId tenant, const Case& c, MessageDirection direction,
                 MessageKind kind, const std::string& body, const std::vector<Document>& documents,
                 const std::string& who, time::TimePoint at);
// A letter of the office registered as outgoing protocol, with its own number printed on it.
Result<Document> outgoing_letter(RecordContext& ctx, files::FileService& files,
                                 protocollo::ProtocolService& protocol, const Case& c, DocumentKind kind,
                                 const std::string& file_name, const std::string& subject,
                                 const Letter& letter, std::string_view lang);
// What the applicant sends back (additions, observations): a message, its files as documents and, when
// there are files, an incoming protocol entry holding them.
Status applicant_answer(RecordContext& ctx, protocollo::ProtocolService& protocol, const Case& c,
                        MessageKind kind, const std::string& subject, const std::string& text,
                        const std::vector<std::string>& file_ids, int max_files);
std::string staff_name(const identity::Principal* p);
// The placeholders of a decision template (data/decisions/README.md) for a case.
struct DecisionFacts {
  std::string body;
  std::string officer;
  std::string reasons;
  time::Date today;
  int grounds_days = 10;
  std::optional<int> max_additions_days;
  std::vector<Message> messages;    // the applicant's observations are among them
  std::vector<Document> documents;  // the notice of grounds is among them
  boost::json::object answers;      // the answers with labels (CaseService::labelled_answers)
};
boost::json::object decision_placeholders(const Case& c, const DecisionFacts& f, std::string_view lang);
// The subject of the protocol entry an action registers ("Richiesta di integrazioni: <service>"): the
// register is kept in Italian whatever the language of the letter.
std::string register_subject(const I18n& i18n, Action action, const std::string& title);
// The file name (without ".pdf") of the letter `action` registers: "provvedimento-accoglimento". In Italian,
// like the register's subjects: the registered document belongs to the body's records.
std::string letter_file_stem(const I18n& i18n, Action action);
// A decision's letter: the body (and office) as heading, the template's title (or the action's), the
// references, the text in paragraphs (blank lines), and the officer responsible.
Letter decision_letter(const I18n& i18n, const Case& c, const DecisionTemplate* tmpl, Action action,
                       std::string_view lang, const std::string& text, const std::string& body,
                       const std::string& officer, time::TimePoint now);
// The decision: a letter registered as outgoing protocol, and a message to the applicant carrying it.
Status record_decision(RecordContext& ctx, files::FileService& files, protocollo::ProtocolService& protocol,
                       const Case& c, Action action, const std::string& decision, const std::string& body,
                       const identity::Principal* staff, const DecisionTemplate* tmpl, std::string_view lang);

}  // namespace service_detail
using service_detail::Access;
using service_detail::RecordContext;

// What one action does, inside the transaction that applies it. `mutate` changes the case's fields (it may
// refuse, nothing written yet); `record` writes what goes with the change (messages, documents, protocol
// entries) after the case row is updated, and may refuse too (the transaction then rolls back).
struct CaseService::Change {
  enum class By { staff, applicant, either } by = By::staff;
  std::function<Status(Case&, time::Date today)> mutate;
  std::function<Status(RecordContext& ctx, const Case& c)> record;
  bool needs_aoo = false;
  // The notice to the applicant after the change (notify.hpp); none when unset.
  std::function<Notice(const Case& c)> notice;
};

}  // namespace sp::cases
