#pragma once
// The citizen's payments area (issue 13, "Paying → On the portal"): every body's positions of the signed-in
// person, the cart paid through pagoPA Checkout, the cart's outcome, and spontaneous payments.
//
// Cart rules:
//   - 1 to kMaxCartNotices notices (Checkout's limit), each an unpaid option of a payable position whose
//     debtor is the person; two options of one position are refused (a fine's two notices, or a plan's
//     single payment with its instalments, would pay the same debt twice).
//   - Paying takes the station's activation lease of every notice for the channel "portal:<cart id>"
//     (StationService::activate; payments.in_progress names the notice someone else is paying), checks
//     again that none was paid meanwhile, then sends the cart to Checkout. If Checkout cannot be reached
//     or refuses, the leases are released and the cart is marked failed: the debt is untouched.
//   - The outcome is never taken from the return URL: a notice is paid when the station recorded a
//     receipt for it after the cart was made (payment_receipts). The return URL's outcome only says
//     whether to give up: cancel/error, with notices still unpaid, release the leases (cancelled).
// Errors: payments.cart_empty, payments.cart_limit, payments.cart_same_position, payments.in_progress,
// payments.not_payable (detail: the notice number), checkout.* (checkout_client.hpp), not_found
// (another person's notice, cart or receipt: the same answer as a missing one).
#include <optional>
#include <string>
#include <vector>

#include "adapters/pagopa/checkout_client.hpp"
#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "payments/portal_store.hpp"
#include "payments/receipt_store.hpp"
#include "payments/service.hpp"
#include "payments/station.hpp"

namespace sp::payments {

inline constexpr std::size_t kMaxCartNotices = 5;

// The signed-in person (from their session).
struct PortalPerson {
  std::string fiscal_code;
  std::string name;
  std::string email;
};

// A notice the person ticked: its body and notice number.
struct NoticeRef {
  tenants::TenantId tenant = 0;
  std::string nav;
};

struct CheckoutStart {
  std::string cart_id;
  std::string location;  // Checkout's page
};

// What the return URL said; only ever used to decide whether to give up, never as proof.
enum class ReturnHint { none, ok, cancel, error };

struct CartItemStatus {
  CartItem item;
  std::optional<ReceiptRow> receipt;  // the receipt that paid it
};
struct CartStatus {
  Cart cart;
  std::vector<CartItemStatus> items;
  bool all_paid = false;
};

class PortalService {
 public:
  // `public_url`: the hub's, for Checkout's return URLs.
  PortalService(db::Database& db, time::Clock& clock, PaymentsService& payments, StationService& station,
                const pagopa::CheckoutClient& checkout, std::string public_url)
      : db_(db),
        clock_(clock),
        payments_(payments),
        station_(station),
        checkout_(checkout),
        public_url_(std::move(public_url)),
        audit_(db, clock) {}

  // Today in Rome, by the service's clock (the amount due today of a fine depends on it).
  time::Date today() const { return time::rome_date(clock_.now()); }
  // Every body's positions of the person, newest first.
  std::vector<Position> positions(const std::string& fiscal_code);
  // The person's position holding the option with `iuv` at `tenant`; not_found when it is someone else's.
  Result<Position> own_position(const std::string& fiscal_code, tenants::TenantId tenant,
                                const std::string& iuv);
  // The receipt that paid the person's option `iuv` (recorded by the station).
  Result<ReceiptRow> own_receipt(const std::string& fiscal_code, tenants::TenantId tenant,
                                 const std::string& iuv);
  // Any receipt that paid option `iuv` of the body (staff pages; the guard checked the body).
  std::optional<ReceiptRow> paying_receipt(tenants::TenantId tenant, const std::string& iuv);
  std::vector<ReceiptRow> receipts(tenants::TenantId tenant, const std::string& iuv);
  // A position's changes in the body's audit chain (created, published, invalidated, paid), oldest first
  // (staff pages; the guard checked the body).
  std::vector<audit::StoredEntry> history(tenants::TenantId tenant, const std::string& position_id);

  // Records the cart, takes the leases, sends it to Checkout.
  Result<CheckoutStart> pay(const PortalPerson& who, const std::vector<NoticeRef>& notices);
  // The cart with what the receipts say; `hint` cancel/error gives the unpaid cart up (leases released).
  Result<CartStatus> cart_status(const std::string& fiscal_code, const std::string& cart_id, ReturnHint hint);

  // Spontaneous payments: the bodies' services, and a position for one (debtor = the person, published),
  // amount typed in euros. Errors: not_found, payments.spontaneous_amount (field amount: detail the range),
  // payments.spontaneous_pupil (field pupil), the creation's.
  std::vector<SpontaneousService> spontaneous_services();
  Result<SpontaneousService> spontaneous_service(tenants::TenantId tenant, const std::string& code);
  Result<Position> create_spontaneous(const PortalPerson& who, tenants::TenantId tenant,
                                      const std::string& code, const std::string& amount,
                                      const std::string& pupil);
  // Demo and set-up: adds or changes a body's service.
  void set_spontaneous_service(const SpontaneousService& s);
  // The body's own page of its services: every one, active or not (staff of the body), and adding or
  // changing one (the same code changes it; office managers and administrators, Permission::
  // manage_payments), audited (payments.service_save). Errors: forbidden, payments.service_code (1-40 of
  // a-z 0-9 -), payments.service_label (1-140 characters), payments.service_amounts (0 < min <= max <=
  // 1,000,000.00 euro), iban.*, payments.category, payments.service_prefix (at most 60 characters).
  Result<std::vector<SpontaneousService>> body_services(const identity::Principal* who,
                                                        tenants::TenantId tenant);
  Status save_spontaneous_service(const identity::Principal* who, tenants::TenantId tenant,
                                  SpontaneousService s);

 private:
  std::string channel_of(const std::string& cart_id) const { return "portal:" + cart_id; }
  void release(const Cart& cart, CartState next);

  db::Database& db_;
  time::Clock& clock_;
  PaymentsService& payments_;
  StationService& station_;
  const pagopa::CheckoutClient& checkout_;
  std::string public_url_;
  audit::AuditService audit_;
};

}  // namespace sp::payments
