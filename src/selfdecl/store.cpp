#include "selfdecl/store.hpp"

namespace sp::selfdecl::store {
namespace {

constexpr const char* kSdColumns =
    "id, tenant_id, token, article, kind, declarant_cf, declarant_name, subject_cf, subject_name, capacity, "
    "facts, changed, prefilled, purpose, recipient, lang, stamp_token, file_id, sha256, created_at";
constexpr const char* kSdInsert =
    "INSERT INTO self_declarations (id, tenant_id, token, article, kind, declarant_cf, declarant_name, "
    "subject_cf, subject_name, capacity, facts, changed, prefilled, purpose, recipient, lang, stamp_token, "
    "file_id, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
    "$16, $17, $18, $19, $20)";

std::string sd_select(const char* where) {
  return std::string("SELECT ") + kSdColumns + " FROM self_declarations WHERE " + where;
}

Declaration sd_read(const db::Row& r) {
  Declaration d;
  d.id = r.text(0);
  d.tenant_id = r.i64(1);
  d.token = r.text(2);
  d.article = static_cast<int>(r.i64(3));
  d.kind = r.text(4);
  d.declarant_cf = r.text(5);
  d.declarant_name = r.text(6);
  d.subject_cf = r.text(7);
  d.subject_name = r.text(8);
  d.capacity = r.text(9);
  d.facts = parse_facts(r.text(10));
  d.changed = split(r.text(11));
  d.prefilled = r.i64(12) != 0;
  d.purpose = r.text(13);
  d.recipient = r.text(14);
  d.lang = r.text(15);
  d.stamp_token = r.text(16);
  d.file_id = r.text(17);
  d.sha256 = r.text(18);
  d.created_at = r.text(19);
  return d;
}

std::vector<Declaration> sd_many(db::Conn& c, const std::string& sql, const db::Params& p) {
  std::vector<Declaration> out;
  for (const auto& r : c.query(sql, p)) out.push_back(sd_read(r));
  return out;
}

}  // namespace

void insert(db::Conn& tx, const Declaration& d) {
  tx.exec(kSdInsert, {d.id,
                      d.tenant_id,
                      d.token,
                      std::int64_t{d.article},
                      d.kind,
                      d.declarant_cf,
                      d.declarant_name,
                      d.subject_cf,
                      d.subject_name,
                      d.capacity,
                      facts_json(d.facts),
                      join(d.changed),
                      std::int64_t{d.prefilled ? 1 : 0},
                      d.purpose,
                      d.recipient,
                      d.lang,
                      d.stamp_token,
                      d.file_id,
                      d.sha256,
                      d.created_at});
}

std::optional<Declaration> by_token(db::Conn& c, std::int64_t tenant, const std::string& token) {
  auto r = c.query_one(sd_select("tenant_id = $1 AND token = $2"), {tenant, token});
  if (!r) return std::nullopt;
  return sd_read(*r);
}

std::vector<Declaration> of_declarant(db::Conn& c, std::int64_t tenant, const std::string& cf, int limit) {
  return sd_many(c,
                 sd_select("tenant_id = $1 AND declarant_cf = $2 ORDER BY created_at DESC, id DESC LIMIT $3"),
                 {tenant, cf, std::int64_t{limit}});
}

std::vector<Declaration> of_declarant_everywhere(db::Conn& c, const std::string& cf, int limit) {
  return sd_many(c, sd_select("declarant_cf = $1 ORDER BY created_at DESC, id DESC LIMIT $2"),
                 {cf, std::int64_t{limit}});
}

std::vector<Declaration> of_body(db::Conn& c, std::int64_t tenant, int limit) {
  return sd_many(c, sd_select("tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"),
                 {tenant, std::int64_t{limit}});
}

}  // namespace sp::selfdecl::store
