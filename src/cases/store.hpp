#pragma once
// SQL for cases and their transitions, messages, notes and documents. Every query filters on the tenant,
// except the applicant's own list across bodies (by codice fiscale). Transitions, messages, notes and
// documents are append-only (triggers in migrations/*/0011_cases.sql).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cases/model.hpp"
#include "db/database.hpp"

namespace sp::cases {

// A queue page as the database computes it: every filter, the order and the paging are applied in SQL on
// the queue columns (model.hpp, QueueKeys), so that only the page's rows are read.
struct QueueQuery {
  std::string office;
  std::optional<State> state;
  bool open_only = true;  // when no `state` is given
  std::string service_code;
  std::string assignee;  // "-": unassigned
  bool silence_consent_only = false;
  bool overdue = false;              // open, not suspended, due before today
  std::optional<int> days_left_max;  // open, not suspended, due at most this many days after today
  std::int64_t today_day = 0;        // day_number() of today in Rome
  int limit = 50;
  int offset = 0;
};

class CaseStore {
 public:
  explicit CaseStore(db::Database& db) : db_(db) {}

  // `keys` are queue_keys(c, ...) with the service's options: written with the case, always.
  static void insert_case(db::Conn& tx, const Case& c, const QueueKeys& keys);
  // Writes the mutable fields of `c` (state, office, assignee, protocol, deadline, decision) and its queue
  // keys, and sets version = expected_version + 1, only if the stored version is still expected_version.
  // Returns the rows changed (0: someone else changed the case meanwhile).
  static std::int64_t update_case(db::Conn& tx, const Case& c, const QueueKeys& keys,
                                  std::int64_t expected_version);
  static std::optional<Case> find(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  static std::optional<Case> find_by_key(db::Conn& c, tenants::TenantId tenant,
                                         const std::string& applicant_cf, const std::string& submission_key);

  static std::int64_t insert_transition(db::Conn& tx, tenants::TenantId tenant, const Transition& t);
  static std::vector<Transition> transitions(db::Conn& c, tenants::TenantId tenant,
                                             const std::string& case_id);
  static std::int64_t insert_message(db::Conn& tx, tenants::TenantId tenant, const Message& m);
  static std::vector<Message> messages(db::Conn& c, tenants::TenantId tenant, const std::string& case_id);
  static std::int64_t insert_note(db::Conn& tx, tenants::TenantId tenant, const Note& n);
  static std::vector<Note> notes(db::Conn& c, tenants::TenantId tenant, const std::string& case_id);
  static void insert_document(db::Conn& tx, tenants::TenantId tenant, const Document& d);
  static std::vector<Document> documents(db::Conn& c, tenants::TenantId tenant, const std::string& case_id);
  static std::optional<Document> document(db::Conn& c, tenants::TenantId tenant, const std::string& case_id,
                                          const std::string& document_id);

  // The cases matching `q`, in the queue's order (deadline_at().due, then submission time, then id), from
  // q.offset, at most q.limit (answers not loaded).
  static std::vector<Case> queue(db::Conn& c, tenants::TenantId tenant, const QueueQuery& q);
  // How many cases match `q` (limit and offset aside).
  static std::int64_t queue_count(db::Conn& c, tenants::TenantId tenant, const QueueQuery& q);
  // The same count by service code, in one statement (services with no match are absent).
  static std::map<std::string, std::int64_t> queue_count_by_service(db::Conn& c, tenants::TenantId tenant,
                                                                    const QueueQuery& q);
  // Cases submitted by `applicant_cf`, or (when `represented` is not empty) on behalf of `represented`,
  // at every body, newest first (answers not loaded).
  static std::vector<Case> by_applicant(db::Conn& c, const std::string& applicant_cf,
                                        const std::string& represented, int cap);
  // Standing cases (not rejected or withdrawn) of the body's form whose answers contain `code` (letters
  // and digits only), newest first, with their answers; at most `cap`.
  static std::vector<Case> mentioning(db::Conn& c, tenants::TenantId tenant, const std::string& form_code,
                                      const std::string& code, int cap);
  // Applicant and answers (JSON text) of every standing case of the body's form (alerts to a school's
  // parents), by applicant.
  static std::vector<std::pair<std::string, std::string>> standing_answers(db::Conn& c,
                                                                           tenants::TenantId tenant,
                                                                           const std::string& form_code);
  static std::vector<std::string> offices(db::Conn& c, tenants::TenantId tenant);
  // The codice fiscale of the case's applicant (its own read connection); nullopt when no such case.
  std::optional<std::string> applicant_of(tenants::TenantId tenant, const std::string& case_id);

 private:
  db::Database& db_;
};

}  // namespace sp::cases
