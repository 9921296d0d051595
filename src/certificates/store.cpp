#include "certificates/store.hpp"

namespace sp::certificates::store {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, token, channel, requester_cf, requester_name, requester_type, operator, subject_cf, "
    "subject_name, kind, types, purpose, exemption, exemption_text, stamp_duty, fees, stamp_mode, iupd, iuv, "
    "state, anpr_operation_id, anpr_protocol, file_id, sha256, refusal_code, created_at, paid_at, issued_at, "
    "requester_surname, requester_first, subject_surname, subject_first";
constexpr const char* kInsert =
    "INSERT INTO certificate_requests (id, tenant_id, token, channel, requester_cf, requester_name, "
    "requester_type, operator, subject_cf, subject_name, kind, types, purpose, exemption, exemption_text, "
    "stamp_duty, fees, stamp_mode, iupd, iuv, state, anpr_operation_id, anpr_protocol, file_id, sha256, "
    "refusal_code, created_at, paid_at, issued_at, requester_surname, requester_first, subject_surname, "
    "subject_first) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
    "$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)";
constexpr const char* kMarkPaid =
    "UPDATE certificate_requests SET state = 'queued', paid_at = $3 WHERE tenant_id = $1 AND id = $2 AND "
    "state = 'awaiting_payment'";
constexpr const char* kSetPosition =
    "UPDATE certificate_requests SET iupd = $3, iuv = $4 WHERE tenant_id = $1 AND id = $2 AND "
    "state = 'awaiting_payment'";
constexpr const char* kMarkIssued =
    "UPDATE certificate_requests SET state = 'issued', anpr_protocol = $3, file_id = $4, sha256 = $5, "
    "issued_at = $6 WHERE tenant_id = $1 AND id = $2 AND state = 'queued'";
constexpr const char* kMarkRefused =
    "UPDATE certificate_requests SET state = 'refused', refusal_code = $3, issued_at = $4 WHERE tenant_id = "
    "$1 "
    "AND id = $2 AND state = 'queued'";

std::string select(const char* where) {
  return std::string("SELECT ") + kColumns + " FROM certificate_requests WHERE " + where;
}

Request read(const db::Row& r) {
  Request q;
  q.id = r.text(0);
  q.tenant_id = r.i64(1);
  q.token = r.text(2);
  q.channel = r.text(3) == "counter" ? Channel::counter : Channel::online;
  q.requester_cf = r.text(4);
  q.requester_name = r.text(5);
  q.requester_type = static_cast<int>(r.i64(6));
  q.operator_user = r.text(7);
  q.subject_cf = r.text(8);
  q.subject_name = r.text(9);
  q.kind = r.text(10);
  q.types = parse_types(r.text(11));
  q.purpose = r.text(12);
  q.exemption = static_cast<int>(r.i64(13));
  q.exemption_text = r.text(14);
  q.stamp_duty = r.i64(15);
  q.fees = r.i64(16);
  q.stamp_mode = static_cast<int>(r.i64(17));
  q.iupd = r.text(18);
  q.iuv = r.text(19);
  q.state = parse_state(r.text(20)).value_or(State::queued);
  q.anpr_operation_id = r.text(21);
  q.anpr_protocol = r.text(22);
  q.file_id = r.text(23);
  q.sha256 = r.text(24);
  q.refusal_code = r.text(25);
  q.created_at = r.text(26);
  q.paid_at = r.text(27);
  q.issued_at = r.text(28);
  q.requester_surname = r.text(29);
  q.requester_first = r.text(30);
  q.subject_surname = r.text(31);
  q.subject_first = r.text(32);
  return q;
}

std::optional<Request> one(db::Conn& c, const std::string& sql, const db::Params& p) {
  auto r = c.query_one(sql, p);
  if (!r) return std::nullopt;
  return read(*r);
}

std::vector<Request> many(db::Conn& c, const std::string& sql, const db::Params& p) {
  std::vector<Request> out;
  for (const auto& r : c.query(sql, p)) out.push_back(read(r));
  return out;
}

}  // namespace

void insert(db::Conn& tx, const Request& r) {
  tx.exec(kInsert, {r.id,
                    r.tenant_id,
                    r.token,
                    std::string(to_string(r.channel)),
                    r.requester_cf,
                    r.requester_name,
                    std::int64_t{r.requester_type},
                    r.operator_user,
                    r.subject_cf,
                    r.subject_name,
                    r.kind,
                    types_text(r.types),
                    r.purpose,
                    std::int64_t{r.exemption},
                    r.exemption_text,
                    r.stamp_duty,
                    r.fees,
                    std::int64_t{r.stamp_mode},
                    r.iupd,
                    r.iuv,
                    std::string(to_string(r.state)),
                    r.anpr_operation_id,
                    r.anpr_protocol,
                    r.file_id,
                    r.sha256,
                    r.refusal_code,
                    r.created_at,
                    r.paid_at,
                    r.issued_at,
                    r.requester_surname,
                    r.requester_first,
                    r.subject_surname,
                    r.subject_first});
}

std::optional<Request> by_token(db::Conn& c, std::int64_t tenant, const std::string& token) {
  return one(c, select("tenant_id = $1 AND token = $2"), {tenant, token});
}

std::optional<Request> by_id(db::Conn& c, std::int64_t tenant, const std::string& id) {
  return one(c, select("tenant_id = $1 AND id = $2"), {tenant, id});
}

std::optional<Request> awaiting_by_iuv(db::Conn& c, std::int64_t tenant, const std::string& iuv) {
  return one(c, select("tenant_id = $1 AND iuv = $2 AND state = 'awaiting_payment'"), {tenant, iuv});
}

std::vector<Request> of_requester(db::Conn& c, std::int64_t tenant, const std::string& cf, int limit) {
  return many(c,
              select("tenant_id = $1 AND requester_cf = $2 AND channel = 'online' ORDER BY created_at DESC, "
                     "id DESC LIMIT $3"),
              {tenant, cf, std::int64_t{limit}});
}

std::vector<Request> at_counter(db::Conn& c, std::int64_t tenant, int limit) {
  return many(c, select("tenant_id = $1 AND channel = 'counter' ORDER BY created_at DESC, id DESC LIMIT $2"),
              {tenant, std::int64_t{limit}});
}

bool mark_paid(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& paid_at) {
  return tx.exec(kMarkPaid, {tenant, id, paid_at}) == 1;
}

void set_position(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& iupd,
                  const std::string& iuv) {
  tx.exec(kSetPosition, {tenant, id, iupd, iuv});
}

bool mark_issued(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& protocol,
                 const std::string& file_id, const std::string& sha256, const std::string& at) {
  return tx.exec(kMarkIssued, {tenant, id, protocol, file_id, sha256, at}) == 1;
}

bool mark_refused(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& code,
                  const std::string& at) {
  return tx.exec(kMarkRefused, {tenant, id, code, at}) == 1;
}

bool set_operation_id(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& old,
                      const std::string& fresh) {
  return tx.exec(
             "UPDATE certificate_requests SET anpr_operation_id = $4 WHERE tenant_id = $1 AND id = $2 AND "
             "state = 'queued' AND anpr_operation_id = $3",
             {tenant, id, old, fresh}) == 1;
}

std::vector<Request> queued(db::Conn& c, int limit) {
  return many(c, select("state = 'queued' ORDER BY created_at LIMIT $1"), {std::int64_t{limit}});
}

std::map<std::string, money::Cents> fees(db::Conn& c, std::int64_t tenant) {
  std::map<std::string, money::Cents> out;
  // Rows in order: a later change of a kind replaces the earlier one.
  for (const auto& r :
       c.query("SELECT kind, amount_cents FROM certificate_fees WHERE tenant_id = $1 ORDER BY id", {tenant}))
    out[r.text(0)] = r.i64(1);
  return out;
}

void add_fee(db::Conn& tx, std::int64_t tenant, const std::string& kind, money::Cents amount,
             const std::string& set_by, const std::string& at) {
  tx.exec(
      "INSERT INTO certificate_fees (tenant_id, kind, amount_cents, set_by, set_at) VALUES ($1, $2, $3, $4, "
      "$5)",
      {tenant, kind, static_cast<std::int64_t>(amount), set_by, at});
}

void add_refund(db::Conn& tx, const Refund& r) {
  tx.exec(
      "INSERT INTO certificate_refunds (request_id, tenant_id, amount_cents, stamp_cents, fees_cents, iuv, "
      "reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
      {r.request_id, r.tenant_id, static_cast<std::int64_t>(r.amount), static_cast<std::int64_t>(r.stamp),
       static_cast<std::int64_t>(r.fees), r.iuv, r.reason, r.created_at});
}

namespace {
constexpr const char* kRefundSelect =
    "SELECT f.request_id, f.tenant_id, f.amount_cents, f.stamp_cents, f.fees_cents, f.iuv, f.reason, "
    "f.created_at, q.requester_cf, q.requester_name, q.kind, COALESCE(p.paid_on, ''), "
    "COALESCE(p.reference, '') FROM certificate_refunds f "
    "JOIN certificate_requests q ON q.id = f.request_id AND q.tenant_id = f.tenant_id "
    "LEFT JOIN certificate_refund_payments p ON p.request_id = f.request_id AND p.tenant_id = f.tenant_id ";
Refund read_refund(const db::Row& r) {
  return Refund{r.text(0), r.i64(1),  r.i64(2),  r.i64(3),   r.i64(4),   r.text(5), r.text(6),
                r.text(7), r.text(8), r.text(9), r.text(10), r.text(11), r.text(12)};
}
}  // namespace

std::vector<Refund> refunds(db::Conn& c, std::int64_t tenant, int limit) {
  std::vector<Refund> out;
  for (const auto& r :
       c.query(std::string(kRefundSelect) + "WHERE f.tenant_id = $1 ORDER BY f.created_at DESC LIMIT $2",
               {tenant, static_cast<std::int64_t>(limit)}))
    out.push_back(read_refund(r));
  return out;
}

std::optional<Refund> refund_of(db::Conn& c, std::int64_t tenant, const std::string& request_id) {
  auto r = c.query_one(std::string(kRefundSelect) + "WHERE f.tenant_id = $1 AND f.request_id = $2",
                       {tenant, request_id});
  if (!r) return std::nullopt;
  return read_refund(*r);
}

bool add_refund_payment(db::Conn& tx, std::int64_t tenant, const std::string& request_id,
                        const std::string& paid_on, const std::string& reference, money::Cents amount,
                        const std::string& by, const std::string& at) {
  return tx.exec(
             "INSERT INTO certificate_refund_payments (request_id, tenant_id, paid_on, reference, "
             "amount_cents, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO "
             "NOTHING",
             {request_id, tenant, paid_on, reference, static_cast<std::int64_t>(amount), by, at}) == 1;
}

namespace {
constexpr const char* kCounterFeeSelect =
    "SELECT f.request_id, f.tenant_id, f.amount_cents, f.means, f.receipt_year, f.receipt_no, f.day, "
    "f.collected_by, f.collected_at, q.token, q.kind, q.subject_cf, q.subject_name, q.requester_cf, "
    "q.requester_name, q.anpr_protocol FROM certificate_counter_fees f "
    "JOIN certificate_requests q ON q.id = f.request_id AND q.tenant_id = f.tenant_id ";
CounterFee read_counter_fee(const db::Row& r) {
  CounterFee f;
  f.request_id = r.text(0);
  f.tenant_id = r.i64(1);
  f.amount = r.i64(2);
  f.means = parse_means(r.text(3)).value_or(Means::cash);
  f.receipt_year = static_cast<int>(r.i64(4));
  f.receipt_no = static_cast<int>(r.i64(5));
  f.day = r.text(6);
  f.collected_by = r.text(7);
  f.collected_at = r.text(8);
  f.token = r.text(9);
  f.kind = r.text(10);
  f.subject_cf = r.text(11);
  f.subject_name = r.text(12);
  f.requester_cf = r.text(13);
  f.requester_name = r.text(14);
  f.anpr_protocol = r.text(15);
  return f;
}
}  // namespace

bool add_counter_fee(db::Conn& tx, CounterFee& f) {
  // The next number of the body's year: the UNIQUE (tenant, year, number) makes a concurrent twin fail
  // (its transaction is retried by the caller's database layer or reported), never a duplicate receipt.
  auto next = tx.query_one(
      "SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM certificate_counter_fees WHERE tenant_id = $1 AND "
      "receipt_year = $2",
      {f.tenant_id, static_cast<std::int64_t>(f.receipt_year)});
  f.receipt_no = next ? static_cast<int>(next->i64(0)) : 1;
  return tx.exec(
             "INSERT INTO certificate_counter_fees (request_id, tenant_id, amount_cents, means, "
             "receipt_year, "
             "receipt_no, day, collected_by, collected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
             "ON CONFLICT (request_id) DO NOTHING",
             {f.request_id, f.tenant_id, static_cast<std::int64_t>(f.amount), std::string(to_string(f.means)),
              static_cast<std::int64_t>(f.receipt_year), static_cast<std::int64_t>(f.receipt_no), f.day,
              f.collected_by, f.collected_at}) == 1;
}

std::optional<CounterFee> counter_fee(db::Conn& c, std::int64_t tenant, const std::string& request_id) {
  auto row = c.query_one(std::string(kCounterFeeSelect) + "WHERE f.tenant_id = $1 AND f.request_id = $2",
                         {tenant, request_id});
  if (!row) return std::nullopt;
  return read_counter_fee(*row);
}

std::vector<CounterFee> counter_fees_of_day(db::Conn& c, std::int64_t tenant, const std::string& day) {
  std::vector<CounterFee> out;
  for (const auto& r :
       c.query(std::string(kCounterFeeSelect) +
                   "WHERE f.tenant_id = $1 AND f.day = $2 ORDER BY f.receipt_year, f.receipt_no",
               {tenant, day}))
    out.push_back(read_counter_fee(r));
  return out;
}

}  // namespace sp::certificates::store
