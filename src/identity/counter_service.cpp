#include "identity/counter_service.hpp"

#include <algorithm>
#include <cctype>

#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace {

#define SESSION_COLUMNS                                                                             \
  "id, counter_tenant_id, operator_id, operator_name, staff_session_id, citizen_cf, citizen_name, " \
  "document_type, document_number, started_at, ended_at"

constexpr const char* kInsertAssisted =
    "INSERT INTO assisted_sessions (id, counter_tenant_id, operator_id, operator_name, staff_session_id, "
    "citizen_cf, citizen_name, document_type, document_number, started_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr const char* kAssistedById = "SELECT " SESSION_COLUMNS " FROM assisted_sessions WHERE id = $1";
constexpr const char* kOpen = "SELECT " SESSION_COLUMNS
                              " FROM assisted_sessions WHERE operator_id = $1 AND staff_session_id = $2 "
                              "AND ended_at IS NULL ORDER BY started_at DESC";
constexpr const char* kClose =
    "UPDATE assisted_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";
constexpr const char* kByCitizen =
    "SELECT " SESSION_COLUMNS " FROM assisted_sessions WHERE citizen_cf = $1 ORDER BY started_at DESC, id";
// What the operator did for the citizen at the counter while the session was open, in every body.
constexpr const char* kActions =
    "SELECT at, tenant_id, action, record_type, record_id FROM audit_log "
    "WHERE actor_kind = 'staff' AND actor_id = $1 AND on_behalf_of = $2 AND channel = 'counter' "
    "AND at >= $3 AND at <= $4 "
    "AND action NOT IN ('counter.session_open', 'counter.session_close', 'counter.receipt.read') "
    "ORDER BY at, tenant_id, seq";

AssistedSession assisted_from(const db::Row& r) {
  AssistedSession s;
  s.id = r.text(0);
  s.counter_tenant_id = r.i64(1);
  s.operator_id = r.text(2);
  s.operator_name = r.text(3);
  s.staff_session_id = r.text(4);
  s.citizen_cf = r.text(5);
  s.citizen_name = r.text(6);
  s.document_type = r.text(7);
  s.document_number = r.text(8);
  s.started_at = r.text(9);
  s.ended_at = r.opt_text(10);
  return s;
}

Status check_operator(const Principal* op) {
  if (auto st = authorize(op, Permission::counter, op ? op->tenant_id : 0); !st) return st;
  return Ok{};
}

}  // namespace

audit::Entry audit_entry_for(const Principal& p, tenants::TenantId tenant, std::string action,
                             audit::Channel channel) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = p.is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
  e.actor_id = p.subject;
  e.channel = channel;
  e.action = std::move(action);
  if (p.acting_for) e.on_behalf_of = p.acting_for->id;
  if (p.assisting) {
    e.on_behalf_of = p.assisting->fiscal_code;
    e.channel = audit::Channel::counter;
  }
  return e;
}

Result<AssistedSession> CounterService::start(const Principal* op, const AssistedCitizen& in,
                                              const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  AssistedCitizen c;
  auto cf = cf::validate_person(in.fiscal_code);
  if (!cf) return Error::for_field("counter.cf", "fiscal_code");
  c.fiscal_code = cf::normalize(in.fiscal_code);
  c.name = text::trim(in.name);
  if (c.name.empty() || c.name.size() > 200) return Error::for_field("counter.name", "name");
  c.document_type = text::trim(in.document_type);
  if (std::find_if(std::begin(kDocumentTypes), std::end(kDocumentTypes),
                   [&](const char* t) { return c.document_type == t; }) == std::end(kDocumentTypes)) {
    return Error::for_field("counter.document_type", "document_type");
  }
  for (char ch : text::trim(in.document_number)) {
    if (ch == ' ' || ch == '-') continue;  // as printed on some documents
    if (!std::isalnum(static_cast<unsigned char>(ch)))
      return Error::for_field("counter.document_number", "document_number");
    c.document_number += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (c.document_number.size() < 5 || c.document_number.size() > 30) {
    return Error::for_field("counter.document_number", "document_number");
  }
  if (op->assisting || open_session(*op)) return Error::make("counter.already_open", 409);

  AssistedSession s;
  s.id = ids::random_token(16);
  s.counter_tenant_id = op->tenant_id;
  s.operator_id = op->subject;
  s.operator_name = op->display_name;
  s.staff_session_id = op->session_id;
  s.citizen_cf = c.fiscal_code;
  s.citizen_name = c.name;
  s.document_type = c.document_type;
  s.document_number = c.document_number;
  s.started_at = audit::AuditService::format_at(clock_.now());
  Status recorded = Ok{};
  db_.write([&](db::Conn& tx) {
    tx.exec(kInsertAssisted,
            {s.id, s.counter_tenant_id, s.operator_id, s.operator_name, s.staff_session_id, s.citizen_cf,
             s.citizen_name, s.document_type, s.document_number, s.started_at});
    audit::Entry e;
    e.tenant_id = s.counter_tenant_id;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = op->subject;
    e.on_behalf_of = s.citizen_cf;
    e.channel = audit::Channel::counter;
    e.action = "counter.session_open";
    e.record_type = "assisted_session";
    e.record_id = s.id;
    e.remote_addr = remote_addr;
    e.details = "{\"document_type\":\"" + s.document_type + "\"}";
    auto a = audit_.record(tx, e);
    if (!a) throw std::runtime_error("audit: " + a.error().code);
  });
  sessions_.set_assisting(*op, c);
  return s;
}

std::optional<AssistedSession> CounterService::open_session(const Principal& op) {
  return db::read_one(db_, kOpen, {op.subject, op.session_id}, assisted_from);
}

Result<AssistedSession> CounterService::finish(const Principal* op, const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  auto s = open_session(*op);
  if (!s) {
    if (op->assisting) sessions_.set_assisting(*op, std::nullopt);  // a stale mark: clear it
    return Error::make("counter.none_open", 409);
  }
  const auto now = audit::AuditService::format_at(clock_.now());
  bool closed = false;
  db_.write([&](db::Conn& tx) {
    closed = tx.exec(kClose, {s->id, now}) == 1;
    if (!closed) return;
    audit::Entry e;
    e.tenant_id = s->counter_tenant_id;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = op->subject;
    e.on_behalf_of = s->citizen_cf;
    e.channel = audit::Channel::counter;
    e.action = "counter.session_close";
    e.record_type = "assisted_session";
    e.record_id = s->id;
    e.remote_addr = remote_addr;
    auto a = audit_.record(tx, e);
    if (!a) throw std::runtime_error("audit: " + a.error().code);
  });
  if (!closed) return Error::make("counter.none_open", 409);
  sessions_.set_assisting(*op, std::nullopt);
  s->ended_at = now;
  return *s;
}

std::optional<AssistedSession> CounterService::by_id(const std::string& id) {
  return db::read_one(db_, kAssistedById, {id}, assisted_from);
}

std::vector<CounterAction> CounterService::actions_of(const AssistedSession& s) {
  const auto until = s.ended_at.value_or(audit::AuditService::format_at(clock_.now()));
  return db::read_all(db_, kActions, {s.operator_id, s.citizen_cf, s.started_at, until},
                      [](const db::Row& r) {
                        return CounterAction{r.text(0), r.i64(1), r.text(2), r.text(3), r.text(4)};
                      });
}

Result<Receipt> CounterService::receipt(const Principal* viewer, const std::string& id,
                                        const std::string& remote_addr) {
  if (!viewer) return Error::make("auth.required", 401, "counter");
  auto s = by_id(id);
  if (!s) return Error::not_found("assisted_session");
  const bool is_operator = viewer->is_staff() && viewer->subject == s->operator_id;
  const bool is_citizen = viewer->kind == PrincipalKind::person && viewer->subject == s->citizen_cf;
  if (!is_operator && !is_citizen) return Error::not_found("assisted_session");
  Receipt r;
  r.session = *s;
  if (auto body = tenants_.by_id(s->counter_tenant_id)) r.body_name = body->name;
  r.actions = actions_of(*s);
  if (is_operator) {  // personal data read by staff: on the citizen's "who accessed my data"
    audit::Entry e;
    e.tenant_id = s->counter_tenant_id;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = viewer->subject;
    e.on_behalf_of = s->citizen_cf;
    e.channel = audit::Channel::counter;
    e.action = "counter.receipt.read";
    e.record_type = "assisted_session";
    e.record_id = s->id;
    e.remote_addr = remote_addr;
    if (auto a = audit_.record(e); !a) return a.error();
  }
  return r;
}

std::vector<AssistedSessionSummary> CounterService::sessions_for_citizen(const std::string& cf) {
  std::vector<AssistedSessionSummary> out;
  for (const auto& s : db::read_all(db_, kByCitizen, {cf::normalize(cf)}, assisted_from)) {
    AssistedSessionSummary sum;
    sum.id = s.id;
    sum.counter_tenant_id = s.counter_tenant_id;
    if (auto body = tenants_.by_id(s.counter_tenant_id)) sum.body_name = body->name;
    sum.operator_name = s.operator_name;
    sum.started_at = s.started_at;
    sum.ended_at = s.ended_at;
    sum.actions = actions_of(s).size();
    sum.receipt_href = "/sportello-assistito/ricevuta/" + s.id;
    out.push_back(std::move(sum));
  }
  return out;
}

}  // namespace sp::identity
