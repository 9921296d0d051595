#include "cases/service_detail.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "cases/pdf.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
using namespace service_detail;

namespace service_detail {

Error invalid(const std::string& code, const std::string& field, const std::string& detail) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

time::TimePoint stored_instant(time::TimePoint tp) {
  return std::chrono::floor<std::chrono::milliseconds>(tp);
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

int days_between(time::Date from, time::Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

time::Date date_or(const std::optional<time::Date>& d, time::Date fallback) {
  return d.value_or(fallback);
}

// The codice fiscale an applicant-side principal acts as: a signed-in person, or a counter operator
// serving a citizen (assisted channel). "" for anyone else. The rule is identity's (applicant.hpp).
std::string applicant_cf_of(const identity::Principal* who) {
  return identity::applicant_cf(who);
}

Access applicant_access(const identity::Principal* who) {
  Access a;
  if (who->kind == identity::PrincipalKind::person) {
    a.actor = "person:" + who->subject;
    a.kind = audit::ActorKind::person;
    a.actor_id = who->subject;
  } else {  // counter operator for the citizen served
    a.actor = "staff:" + who->subject;
    a.kind = audit::ActorKind::staff;
    a.actor_id = who->subject;
    a.channel = audit::Channel::counter;
  }
  return a;
}

// Staff of the case's body see everything; the applicant (or whoever acts for the represented person or
// business) sees their own; others learn nothing (not_found), except staff of another body (forbidden).
Result<Access> access_to(const identity::Principal* who, tenants::TenantId tenant, const Case& c) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  if (identity::authorize(who, identity::Permission::backoffice, tenant)) {
    Access a;
    a.staff = true;
    a.actor = "staff:" + who->subject;
    a.kind = audit::ActorKind::staff;
    a.actor_id = who->subject;
    return a;
  }
  const std::string cf = applicant_cf_of(who);
  if (!cf.empty()) {
    const bool own = c.applicant_cf == cf;
    const bool represented = who->kind == identity::PrincipalKind::person && who->acting_for &&
                             !c.on_behalf_of.empty() && c.on_behalf_of == who->acting_for->id;
    if (own || represented) return applicant_access(who);
    return Error::not_found("case " + c.id);
  }
  return Error::forbidden("case");
}

Status check_text(const std::string& text, const std::string& field, std::size_t max) {
  if (blank(text)) return invalid("cases.text", field, "empty");
  if (text.size() > max) return invalid("cases.text", field, "longer than " + std::to_string(max));
  return Ok{};
}

std::string json_details(std::initializer_list<std::pair<const char*, std::string>> kv) {
  boost::json::object o;
  for (const auto& [k, v] : kv) o[k] = v;
  return boost::json::serialize(o);
}

// A case document for a stored file, with the protocol entry that registered it when there is one.
Document document_of(const Case& c, const files::StoredFile& f, DocumentKind kind, const std::string& who,
                     time::TimePoint at, const protocollo::Registered* reg) {
  Document d;
  d.id = ids::random_token(18);
  d.case_id = c.id;
  d.file_id = f.id;
  d.kind = kind;
  d.file_name = f.file_name;
  d.mime_type = f.mime_type;
  d.size = f.size;
  d.sha256 = f.sha256;
  if (reg != nullptr) {
    d.protocol_entry_id = reg->id;
    d.protocol_year = reg->year;
    d.protocol_number = reg->number;
  }
  d.who = who;
  d.at = at;
  return d;
}

// One line per top-level answer: the summary PDF when the page gave none.
std::vector<SummaryLine> lines_from_answers(const boost::json::object& answers) {
  std::vector<SummaryLine> out;
  for (const auto& [key, value] : answers) {
    std::string text;
    if (value.is_string()) {
      text = std::string(value.as_string());
    } else if (value.is_null()) {
      continue;
    } else {
      text = boost::json::serialize(value);
    }
    out.push_back({std::string(key), text});
  }
  return out;
}

protocollo::Correspondent applicant_party(const Case& c) {
  if (!c.on_behalf_of.empty() && c.on_behalf_of.size() == 11) {  // a partita IVA: a business
    return {protocollo::CorrespondentKind::business,
            c.on_behalf_of_name.empty() ? c.on_behalf_of : c.on_behalf_of_name, c.on_behalf_of, "", ""};
  }
  return {protocollo::CorrespondentKind::person, c.applicant_name, c.applicant_cf, "", ""};
}

// The body's registry office for cases: the first active AOO (by code). nullopt when it has none.
std::optional<protocollo::AooId> case_aoo(protocollo::ProtocolService& protocol, tenants::TenantId tenant) {
  for (const auto& a : protocol.aoos(tenant)) {
    if (a.active) return a.id;
  }
  return std::nullopt;
}

std::string body_name(tenants::TenantService& tenants, tenants::TenantId tenant) {
  auto b = tenants.by_id(tenant);
  return b ? b->name : std::string();
}

std::string body_slug(tenants::TenantService& tenants, tenants::TenantId tenant) {
  auto b = tenants.by_id(tenant);
  return b ? b->slug : std::string();
}

Status audit_case(audit::AuditService& audit, db::Conn& tx, tenants::TenantId tenant, const Access& who,
                  const Case& c, const std::string& action, const std::string& details) {
  audit::Entry a;
  a.tenant_id = tenant;
  a.actor_kind = who.kind;
  a.actor_id = who.actor_id;
  a.channel = who.channel;
  // The person whose case it is: staff actions show up in their "who accessed my data".
  if (who.staff || who.channel == audit::Channel::counter || who.channel == audit::Channel::api) {
    a.on_behalf_of = c.on_behalf_of.empty() ? c.applicant_cf : c.on_behalf_of;
  } else if (!c.on_behalf_of.empty()) {
    a.on_behalf_of = c.on_behalf_of;
  }
  a.action = action;
  a.record_type = "case";
  a.record_id = c.id;
  a.details = details;
  if (auto r = audit.record(tx, a); !r) return r.error();
  return Ok{};
}

// Ends a running suspension as of `today`, adding the days it counts to the term (model.hpp), and moves
// the due date off a Sunday or holiday.
void end_suspension(Case& c, time::Date today, int grounds_days, std::optional<int> max_additions_days,
                    bool observations_now) {
  if (!c.suspended_since) return;
  const auto since = *c.suspended_since;
  int days = std::max(0, days_between(since, today));
  if (c.state == State::grounds_notified) {
    // Art. 10-bis: the term starts again ten days after the observations, or when the applicant's days
    // to answer end without them.
    days = observations_now
               ? days + grounds_days
               : std::min(days, days_between(since, grounds_answer_last_day(since, grounds_days)));
  } else if (max_additions_days) {
    days = std::min(days, *max_additions_days);
  }
  c.suspended_days += days;
  c.due_date = legal_end(term_end(c));
  c.suspended_since.reset();
}

}  // namespace service_detail

}  // namespace sp::cases
