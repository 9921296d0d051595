#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "cases/fee_store.hpp"
#include "cases/pdf.hpp"
#include "cases/service_detail.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
using namespace service_detail;

// ---- Reading
// -----------------------------------------------------------------------------------------------

namespace {

std::vector<std::string> allowed_actions(const Case& c, bool staff, time::Date today, const Options& o) {
  std::vector<std::string> out;
  auto add_if = [&](Action a) {
    if (next_state(c.state, a)) out.emplace_back(to_string(a));
  };
  if (staff) {
    for (auto a : {Action::assign, Action::start, Action::request_additions, Action::resume,
                   Action::notice_of_grounds, Action::accept})
      add_if(a);
    if (next_state(c.state, Action::reject) && c.grounds_notified_on) {
      const bool answered = c.grounds_answered_on && *c.grounds_answered_on >= *c.grounds_notified_on;
      if (answered || today > grounds_answer_last_day(*c.grounds_notified_on, o.grounds_answer_days))
        out.emplace_back(to_string(Action::reject));
    }
    add_if(Action::close);
  } else {
    add_if(Action::answer_additions);
    if (next_state(c.state, Action::answer_grounds) &&
        today <= grounds_answer_last_day(date_or(c.grounds_notified_on, today), o.grounds_answer_days))
      out.emplace_back(to_string(Action::answer_grounds));
    add_if(Action::withdraw);
  }
  return out;
}

}  // namespace

void CaseService::note_refused(const identity::Principal* who, tenants::TenantId tenant,
                               const std::string& case_id) {
  if (who == nullptr) return;
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = who->is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
  e.actor_id = who->subject;
  if (who->acting_for) e.on_behalf_of = who->acting_for->id;
  e.channel = audit::Channel::web;
  e.action = "case.access_refused";
  e.record_type = "case";
  e.record_id = case_id;
  if (auto st = audit_.record(e); !st) spdlog::error("audit of a refused case access: {}", st.error().code);
}

Status CaseService::check_applicant_action(const identity::Principal* who, tenants::TenantId tenant,
                                           const std::string& case_id, const std::string& action) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  bool refused = false;
  std::optional<Status> out;
  db_.read([&](db::Conn& c) {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) {
      out.emplace(Error::not_found("case " + case_id));
      return;
    }
    auto acc = access_to(who, tenant, *found);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      out.emplace(acc.error());
      return;
    }
    if (acc->staff) {
      out.emplace(Error::make("cases.applicant", 403, action));
      return;
    }
    if (action == "message") {
      const bool open = found->state != State::withdrawn && found->state != State::closed;
      out.emplace(open ? Status(Ok{})
                       : Status(Error::make("cases.transition", 409, std::string(to_string(found->state)))));
      return;
    }
    const auto allowed = allowed_actions(*found, false, time::rome_date(clock_.now()), options_);
    if (std::find(allowed.begin(), allowed.end(), action) == allowed.end()) {
      out.emplace(
          Error::make("cases.transition", 409, std::string(to_string(found->state)) + " → " + action));
      return;
    }
    out.emplace(Ok{});
  });
  if (refused) note_refused(who, tenant, case_id);
  return std::move(*out);
}

Result<CaseView> CaseService::get(const identity::Principal* who, tenants::TenantId tenant,
                                  const std::string& case_id) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  const bool staff = identity::authorize(who, identity::Permission::backoffice, tenant).ok();
  if (who->is_staff() && !staff && applicant_cf_of(who).empty()) return Error::forbidden("case");
  bool refused = false;  // a person asked for someone else's case: audited below
  auto load = [&](db::Conn& c) -> Result<CaseView> {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) return Error::not_found("case " + case_id);
    auto acc = access_to(who, tenant, *found);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      return acc.error();
    }
    CaseView v;
    const auto today = time::rome_date(clock_.now());
    v.deadline =
        deadline_at(*found, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    v.transitions = CaseStore::transitions(c, tenant, case_id);
    v.messages = CaseStore::messages(c, tenant, case_id);
    v.documents = CaseStore::documents(c, tenant, case_id);
    v.viewer_is_staff = acc->staff;
    if (acc->staff) v.notes = CaseStore::notes(c, tenant, case_id);  // never for the applicant
    v.allowed_actions = allowed_actions(*found, acc->staff, today, options_);
    v.fee = CaseFeeStore::of_case(c, tenant, case_id);
    v.c = std::move(*found);
    // Staff reading someone's application: on their "who accessed my data".
    if (acc->staff) {
      if (auto st = audit_case(audit_, c, tenant, *acc, v.c, "case.read", "{}"); !st) return st.error();
    }
    return v;
  };
  std::optional<Result<CaseView>> read;
  if (!staff) db_.read([&](db::Conn& c) { read.emplace(load(c)); });
  Result<CaseView> out = staff ? db::transact(db_, load) : std::move(*read);
  if (refused) note_refused(who, tenant, case_id);
  return out;
}

Result<std::vector<DecisionDraft>> CaseService::decision_drafts(const identity::Principal* staff,
                                                                tenants::TenantId tenant,
                                                                const std::string& case_id,
                                                                const std::string& lang,
                                                                const std::string& reasons) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (reasons.size() > options_.max_text) return invalid("cases.text", "reasons", "too long");
  const std::string language = lang == "en" ? "en" : "it";
  std::optional<Case> found;
  DecisionFacts f;
  db_.read([&](db::Conn& c) {
    found = CaseStore::find(c, tenant, case_id);
    if (!found) return;
    f.messages = CaseStore::messages(c, tenant, case_id);
    f.documents = CaseStore::documents(c, tenant, case_id);
  });
  if (!found) return Error::not_found("case " + case_id);
  f.body = body_name(tenants_, tenant);
  f.officer = staff_name(staff);
  f.reasons = reasons;
  f.answers = labelled_answers(*found, language);
  f.today = time::rome_date(clock_.now());
  f.grounds_days = options_.grounds_answer_days;
  f.max_additions_days = options_.max_additions_suspension_days;
  const auto allowed = allowed_actions(*found, true, f.today, options_);
  const auto values = decision_placeholders(*found, f, language);
  std::vector<DecisionDraft> out;
  for (const auto* t : decisions_.for_service(found->service_code)) {
    if (std::find(allowed.begin(), allowed.end(), to_string(t->action)) == allowed.end()) continue;
    auto text = render_decision_text(t->text(language), values, language);
    if (!text) return text.error();
    out.push_back({t->outcome, t->action, t->title(language), std::move(*text), t->source, language});
  }
  return out;
}

Result<DocumentContent> CaseService::document(const identity::Principal* who, tenants::TenantId tenant,
                                              const std::string& case_id, const std::string& document_id) {
  if (who == nullptr) return Error::make("auth.required", 401, "document");
  if (who->is_staff() && !identity::authorize(who, identity::Permission::backoffice, tenant) &&
      applicant_cf_of(who).empty())
    return Error::forbidden("document");
  bool refused = false;  // a person asked for someone else's case: audited below
  std::optional<Result<DocumentContent>> out;
  db_.read([&](db::Conn& c) {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) {
      out.emplace(Error::not_found("case " + case_id));
      return;
    }
    if (auto acc = access_to(who, tenant, *found); !acc) {
      out.emplace(acc.error());
      if (acc.error().http_status == 404) refused = true;
      return;
    }
    auto d = CaseStore::document(c, tenant, case_id, document_id);
    if (!d) {
      out.emplace(Error::not_found("document " + document_id));
      return;
    }
    out.emplace(DocumentContent{std::move(*d), {}});
  });
  if (refused) note_refused(who, tenant, case_id);
  if (!*out) return std::move(*out);
  auto bytes = files_.read_content(tenant, out->value().doc.file_id);
  if (!bytes) return bytes.error();
  if (!bytes->has_value()) return Error::internal("case document without its file");
  out->value().bytes = std::move(**bytes);
  return std::move(*out);
}

Result<QueuePage> CaseService::queue(const identity::Principal* staff, tenants::TenantId tenant,
                                     const QueueFilter& f) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (f.limit < 1 || f.limit > kMaxPage) return invalid("cases.filter", "limit", "1 to 500");
  if (f.offset < 0) return invalid("cases.filter", "offset", "negative");
  const auto today = time::rome_date(clock_.now());
  QueueQuery q;
  q.office = f.office;
  q.state = f.state;
  q.open_only = f.open_only;
  q.service_code = f.service_code;
  q.assignee = f.assignee;
  q.silence_consent_only = f.silence_consent_only;
  q.overdue = f.overdue;
  q.days_left_max = f.days_left_max;
  q.today_day = day_number(today);
  q.limit = f.limit;
  q.offset = f.offset;
  // The database filters, counts, orders and pages (store.hpp); deadlines are computed for the page only.
  std::vector<Case> rows;
  QueuePage page;
  db_.read([&](db::Conn& c) {
    page.total = static_cast<int>(CaseStore::queue_count(c, tenant, q));
    rows = CaseStore::queue(c, tenant, q);
  });
  page.items.reserve(rows.size());
  for (auto& c : rows) {
    auto d = deadline_at(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    page.items.push_back({std::move(c), d});
  }
  return page;
}

Result<std::vector<std::string>> CaseService::offices(const identity::Principal* staff,
                                                      tenants::TenantId tenant) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<std::string> out;
  db_.read([&](db::Conn& c) { out = CaseStore::offices(c, tenant); });
  return out;
}

std::vector<Case> CaseService::standing_mentioning(tenants::TenantId tenant, const std::string& form_code,
                                                   const std::string& code) {
  std::vector<Case> out;
  if (code.empty() || code.size() > 32 ||
      !std::all_of(code.begin(), code.end(), [](unsigned char ch) { return std::isalnum(ch) != 0; }))
    return out;
  db_.read([&](db::Conn& c) { out = CaseStore::mentioning(c, tenant, form_code, code, 20); });
  return out;
}

std::vector<std::pair<std::string, std::string>> CaseService::standing_answers(tenants::TenantId tenant,
                                                                               const std::string& form_code) {
  std::vector<std::pair<std::string, std::string>> out;
  db_.read([&](db::Conn& c) { out = CaseStore::standing_answers(c, tenant, form_code); });
  return out;
}

std::int64_t CaseService::overdue_count(tenants::TenantId tenant, const std::string& service_code) {
  QueueQuery q;
  q.overdue = true;
  q.service_code = service_code;
  q.today_day = day_number(time::rome_date(clock_.now()));
  std::int64_t n = 0;
  db_.read([&](db::Conn& c) { n = CaseStore::queue_count(c, tenant, q); });
  return n;
}

std::map<std::string, std::int64_t> CaseService::overdue_by_service(tenants::TenantId tenant) {
  QueueQuery q;
  q.overdue = true;
  q.today_day = day_number(time::rome_date(clock_.now()));
  std::map<std::string, std::int64_t> out;
  db_.read([&](db::Conn& c) { out = CaseStore::queue_count_by_service(c, tenant, q); });
  return out;
}

Result<std::vector<CaseSummary>> CaseService::my_cases(const identity::Principal* applicant) {
  if (applicant == nullptr) return Error::make("auth.required", 401, "my_cases");
  const std::string cf = applicant_cf_of(applicant);
  if (cf.empty()) return Error::make("cases.applicant", 403, "my_cases");
  std::string represented;
  if (applicant->kind == identity::PrincipalKind::person && applicant->acting_for)
    represented = applicant->acting_for->id;
  std::vector<Case> rows;
  db_.read([&](db::Conn& c) { rows = CaseStore::by_applicant(c, cf, represented, kMyCasesCap); });
  const auto today = time::rome_date(clock_.now());
  std::vector<CaseSummary> out;
  for (auto& c : rows) {
    auto d = deadline_at(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    out.push_back({std::move(c), d});
  }
  return out;
}

Result<BulkResult> CaseService::bulk(const identity::Principal* staff, tenants::TenantId tenant,
                                     const std::vector<std::string>& case_ids, const BulkAction& action) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (case_ids.size() > static_cast<std::size_t>(kMaxPage))
    return invalid("cases.filter", "ids", "at most 500");
  BulkResult out;
  std::set<std::string> seen;
  for (const auto& id : case_ids) {
    if (!seen.insert(id).second) continue;
    Status st = Ok{};
    switch (action.kind) {
      case BulkAction::Kind::assign:
        st = assign(staff, tenant, id, action.assignee, action.office);
        break;
      case BulkAction::Kind::start:
        st = start(staff, tenant, id);
        break;
      case BulkAction::Kind::close:
        st = close(staff, tenant, id, action.reason);
        break;
    }
    if (st) {
      out.done.push_back(id);
    } else {
      out.failed.emplace_back(id, st.error());
    }
  }
  return out;
}

}  // namespace sp::cases
