#pragma once
// SQL of the citizen's payments area (portal_service.hpp): carts and their items, the portal's release of
// its activation leases, and the bodies' spontaneous payment services (migration 0026). A cart belongs to
// a person, not to a body (it may hold notices of several bodies); each item names its body.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::payments {

enum class CartState { open, redirected, paid, cancelled, failed };
std::string_view to_string(CartState s);
std::optional<CartState> parse_cart_state(std::string_view s);

struct CartItem {
  int ordinal = 1;  // 1..5
  tenants::TenantId tenant_id = 0;
  std::string iuv;
  std::string nav;
  money::Cents amount = 0;
  std::string creditor_fiscal_code;
  std::string company_name;
  std::string description;
};

struct Cart {
  std::string id;  // random, 32 hex characters
  std::string fiscal_code;
  std::string email;
  CartState state = CartState::open;
  std::string created_at;
  std::string updated_at;
  std::vector<CartItem> items;
};

// A spontaneous payment a body offers (canteen top-up, school fee).
struct SpontaneousService {
  tenants::TenantId tenant_id = 0;
  std::string code;
  std::string label_it;
  std::string label_en;
  money::Cents min_amount = 0;
  money::Cents max_amount = 0;
  std::string category;
  std::string iban;
  std::string remittance_prefix;
  bool active = true;
};

class PortalStore {
 public:
  static void insert_cart(db::Conn& tx, const Cart& c);
  static std::optional<Cart> cart(db::Conn& c, const std::string& id);
  static void set_cart_state(db::Conn& tx, const std::string& id, CartState s, const std::string& now);

  // Ends the portal's lease on a notice, only if it is still `channel`'s (a lease that expired and was
  // taken by the node meanwhile is not the portal's to end).
  static void end_own_activation(db::Conn& tx, tenants::TenantId tenant, const std::string& iuv,
                                 const std::string& channel);

  static void upsert_service(db::Conn& tx, const SpontaneousService& s);
  static std::vector<SpontaneousService> services(db::Conn& c, tenants::TenantId tenant);
  // Every service of a body, active or not (its staff's page).
  static std::vector<SpontaneousService> body_services(db::Conn& c, tenants::TenantId tenant);
  // Every body's active services (the citizen's area lists them all).
  static std::vector<SpontaneousService> all_services(db::Conn& c);
  static std::optional<SpontaneousService> service(db::Conn& c, tenants::TenantId tenant,
                                                   const std::string& code);
};

}  // namespace sp::payments
