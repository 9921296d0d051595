// SQL of the continued numbering (continuation.hpp).
#include "protocollo/continuation.hpp"

namespace sp::protocollo {
namespace {

constexpr const char* kContinueSet =
    "UPDATE aoo SET start_year = $3, start_number = $4 WHERE id = $1 AND tenant_id = $2 AND NOT EXISTS "
    "(SELECT 1 FROM protocol_entries e WHERE e.aoo_id = $1 AND e.year = $3)";
constexpr const char* kContinueAooOfBody = "SELECT 1 FROM aoo WHERE id = $1 AND tenant_id = $2";
constexpr const char* kContinueGet = "SELECT start_number FROM aoo WHERE id = $1 AND start_year = $2";

}  // namespace

Status continue_numbering(db::Database& db, tenants::TenantId tenant, AooId aoo, int year,
                          std::int64_t next_number) {
  if (next_number < 1 || next_number > 9999999 || year < 2000 || year > 9999) {
    auto e = Error::make("protocollo.start_number", 400, std::to_string(next_number));
    e.field = "start_number";
    return e;
  }
  bool known = false;
  std::int64_t changed = 0;
  db.write([&](db::Conn& tx) {
    known = tx.query_one(kContinueAooOfBody, {aoo, tenant}).has_value();
    if (known) changed = tx.exec(kContinueSet, {aoo, tenant, std::int64_t{year}, next_number});
  });
  if (!known) return Error::make("protocollo.aoo", 404, std::to_string(aoo));
  if (changed == 0) {
    auto e = Error::make("protocollo.start_number", 400, std::to_string(next_number));
    e.field = "start_number";
    return e;
  }
  return Ok{};
}

std::optional<std::int64_t> continued_number(db::Conn& c, AooId aoo, int year) {
  if (auto r = c.query_one(kContinueGet, {aoo, std::int64_t{year}}); r && !r->is_null(0)) return r->i64(0);
  return std::nullopt;
}

}  // namespace sp::protocollo
