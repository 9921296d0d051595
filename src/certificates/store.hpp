#pragma once
// SQL of the certificates module (migrations/*/0034_certificates.sql). The tenant is in every WHERE.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "certificates/model.hpp"
#include "db/database.hpp"

namespace sp::certificates::store {

void insert(db::Conn& tx, const Request& r);
std::optional<Request> by_token(db::Conn& c, std::int64_t tenant, const std::string& token);
std::optional<Request> by_id(db::Conn& c, std::int64_t tenant, const std::string& id);
std::optional<Request> awaiting_by_iuv(db::Conn& c, std::int64_t tenant, const std::string& iuv);
// The person's requests at the body (as requester), newest first.
std::vector<Request> of_requester(db::Conn& c, std::int64_t tenant, const std::string& cf, int limit = 100);
// The body's requests made at the counter, newest first.
std::vector<Request> at_counter(db::Conn& c, std::int64_t tenant, int limit = 100);
// Moves awaiting_payment → queued (paid_at); false when it was not awaiting payment.
bool mark_paid(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& paid_at);
// Sets the pagoPA position of a request awaiting payment.
void set_position(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& iupd,
                  const std::string& iuv);
// queued → issued / refused; false when it was no longer queued (someone else finished it).
bool mark_issued(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& protocol,
                 const std::string& file_id, const std::string& sha256, const std::string& at);
bool mark_refused(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& code,
                  const std::string& at);
// Sets the ANPR operation id of a queued request from `old` to `fresh`; false when it no longer was `old`.
bool set_operation_id(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& old,
                      const std::string& fresh);
// Queued requests of every body (the job's sweep), oldest first.
std::vector<Request> queued(db::Conn& c, int limit = 50);

// Diritti di segreteria (migration 0040): the amounts in force per kind (latest row each), and a change.
std::map<std::string, money::Cents> fees(db::Conn& c, std::int64_t tenant);
void add_fee(db::Conn& tx, std::int64_t tenant, const std::string& kind, money::Cents amount,
             const std::string& set_by, const std::string& at);
// Refunds due (migration 0040): one per refused paid request (ON CONFLICT DO NOTHING).
void add_refund(db::Conn& tx, const Refund& r);
std::vector<Refund> refunds(db::Conn& c, std::int64_t tenant, int limit = 200);
std::optional<Refund> refund_of(db::Conn& c, std::int64_t tenant, const std::string& request_id);
// Records a refund as paid (migration 0071); false when it was already recorded.
bool add_refund_payment(db::Conn& tx, std::int64_t tenant, const std::string& request_id,
                        const std::string& paid_on, const std::string& reference, money::Cents amount,
                        const std::string& by, const std::string& at);

// Diritti di segreteria collected at the counter (migration 0078). add_counter_fee numbers the receipt
// (the body's next of `f.receipt_year`) and returns false when the request's fee was already recorded.
bool add_counter_fee(db::Conn& tx, CounterFee& f);
std::optional<CounterFee> counter_fee(db::Conn& c, std::int64_t tenant, const std::string& request_id);
// The body's takings of a day (YYYY-MM-DD, Rome), in receipt order.
std::vector<CounterFee> counter_fees_of_day(db::Conn& c, std::int64_t tenant, const std::string& day);

}  // namespace sp::certificates::store
