#include "payments/portal_store.hpp"

namespace sp::payments {
namespace {

constexpr const char* kPortalInsertCart =
    "INSERT INTO payment_carts (id, fiscal_code, email, state, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $5)";
constexpr const char* kPortalInsertItem =
    "INSERT INTO payment_cart_items (cart_id, ordinal, tenant_id, iuv, nav, amount_cents, "
    "creditor_fiscal_code, company_name, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr const char* kPortalCart =
    "SELECT id, fiscal_code, email, state, created_at, updated_at FROM payment_carts WHERE id = $1";
constexpr const char* kPortalItems =
    "SELECT ordinal, tenant_id, iuv, nav, amount_cents, creditor_fiscal_code, company_name, description "
    "FROM payment_cart_items WHERE cart_id = $1 ORDER BY ordinal";
constexpr const char* kPortalSetState = "UPDATE payment_carts SET state = $2, updated_at = $3 WHERE id = $1";
constexpr const char* kPortalEndOwnActivation =
    "DELETE FROM payment_activations WHERE tenant_id = $1 AND iuv = $2 AND channel = $3";
constexpr const char* kPortalUpsertService =
    "INSERT INTO payment_services (tenant_id, code, label_it, label_en, min_cents, max_cents, category, "
    "iban, "
    "remittance_prefix, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (tenant_id, code) DO UPDATE SET label_it = excluded.label_it, label_en = excluded.label_en, "
    "min_cents = excluded.min_cents, max_cents = excluded.max_cents, category = excluded.category, "
    "iban = excluded.iban, remittance_prefix = excluded.remittance_prefix, active = excluded.active";
#define PORTAL_SERVICE_COLUMNS \
  "tenant_id, code, label_it, label_en, min_cents, max_cents, category, iban, remittance_prefix, active"
constexpr const char* kPortalServices = "SELECT " PORTAL_SERVICE_COLUMNS
                                        " FROM payment_services WHERE tenant_id = $1 AND active = 1 "
                                        "ORDER BY label_it";
constexpr const char* kPortalAllServices = "SELECT " PORTAL_SERVICE_COLUMNS
                                           " FROM payment_services WHERE active = 1 "
                                           "ORDER BY tenant_id, label_it";
constexpr const char* kPortalBodyServices =
    "SELECT " PORTAL_SERVICE_COLUMNS " FROM payment_services WHERE tenant_id = $1 ORDER BY code";
constexpr const char* kPortalService =
    "SELECT " PORTAL_SERVICE_COLUMNS " FROM payment_services WHERE tenant_id = $1 AND code = $2";

SpontaneousService portal_service_from(const db::Row& r) {
  SpontaneousService s;
  s.tenant_id = r.i64(0);
  s.code = r.text(1);
  s.label_it = r.text(2);
  s.label_en = r.text(3);
  s.min_amount = r.i64(4);
  s.max_amount = r.i64(5);
  s.category = r.text(6);
  s.iban = r.text(7);
  s.remittance_prefix = r.text(8);
  s.active = r.i64(9) != 0;
  return s;
}

}  // namespace

std::string_view to_string(CartState s) {
  switch (s) {
    case CartState::open:
      return "open";
    case CartState::redirected:
      return "redirected";
    case CartState::paid:
      return "paid";
    case CartState::cancelled:
      return "cancelled";
    case CartState::failed:
      return "failed";
  }
  return "open";
}

std::optional<CartState> parse_cart_state(std::string_view s) {
  for (auto v :
       {CartState::open, CartState::redirected, CartState::paid, CartState::cancelled, CartState::failed})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

void PortalStore::insert_cart(db::Conn& tx, const Cart& c) {
  tx.exec(kPortalInsertCart, {c.id, c.fiscal_code, c.email, std::string(to_string(c.state)), c.created_at});
  for (const auto& i : c.items)
    tx.exec(kPortalInsertItem, {c.id, std::int64_t{i.ordinal}, i.tenant_id, i.iuv, i.nav, i.amount,
                                i.creditor_fiscal_code, i.company_name, i.description});
}

std::optional<Cart> PortalStore::cart(db::Conn& c, const std::string& id) {
  auto r = c.query_one(kPortalCart, {id});
  if (!r) return std::nullopt;
  Cart out;
  out.id = r->text(0);
  out.fiscal_code = r->text(1);
  out.email = r->text(2);
  out.state = parse_cart_state(r->text(3)).value_or(CartState::open);
  out.created_at = r->text(4);
  out.updated_at = r->text(5);
  for (const auto& i : c.query(kPortalItems, {id}))
    out.items.push_back({static_cast<int>(i.i64(0)), i.i64(1), i.text(2), i.text(3), i.i64(4), i.text(5),
                         i.text(6), i.text(7)});
  return out;
}

void PortalStore::set_cart_state(db::Conn& tx, const std::string& id, CartState s, const std::string& now) {
  tx.exec(kPortalSetState, {id, std::string(to_string(s)), now});
}

void PortalStore::end_own_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                                     const std::string& channel) {
  tx.exec(kPortalEndOwnActivation, {tenant, iuv, channel});
}

void PortalStore::upsert_service(db::Conn& tx, const SpontaneousService& s) {
  tx.exec(kPortalUpsertService, {s.tenant_id, s.code, s.label_it, s.label_en, s.min_amount, s.max_amount,
                                 s.category, s.iban, s.remittance_prefix, std::int64_t{s.active ? 1 : 0}});
}

std::vector<SpontaneousService> PortalStore::services(db::Conn& c, tenants::TenantId tenant) {
  std::vector<SpontaneousService> out;
  for (const auto& r : c.query(kPortalServices, {tenant})) out.push_back(portal_service_from(r));
  return out;
}

std::vector<SpontaneousService> PortalStore::body_services(db::Conn& c, tenants::TenantId tenant) {
  std::vector<SpontaneousService> out;
  for (const auto& r : c.query(kPortalBodyServices, {tenant})) out.push_back(portal_service_from(r));
  return out;
}

std::vector<SpontaneousService> PortalStore::all_services(db::Conn& c) {
  std::vector<SpontaneousService> out;
  for (const auto& r : c.query(kPortalAllServices)) out.push_back(portal_service_from(r));
  return out;
}

std::optional<SpontaneousService> PortalStore::service(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& code) {
  auto r = c.query_one(kPortalService, {tenant, code});
  if (!r) return std::nullopt;
  return portal_service_from(*r);
}

}  // namespace sp::payments
