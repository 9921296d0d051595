#include "payments/portal_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <stdexcept>

#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "payments/iban.hpp"
#include "payments/notice_number.hpp"

namespace sp::payments {
namespace {

// The portal reads positions as a trusted program: the person's ownership is checked here, by debtor.
const SystemActor kPortalActor{"portal"};

// A receipt that means money arrived for the notice (the station stores refusals and repeats too).
bool portal_counts(const ReceiptRow& r) {
  return r.outcome == ReceiptOutcome::recorded || r.outcome == ReceiptOutcome::double_payment;
}

const Option* portal_option(const Position& p, const std::string& iuv) {
  for (const auto& o : p.options)
    if (o.iuv == iuv) return &o;
  return nullptr;
}

// "3" + IUV: the hub issues aux 3 only, and reads any aux the API accepted.
std::optional<std::string> portal_iuv_of(const std::string& nav) {
  auto parsed = parse_notice_number(nav);
  if (!parsed) return std::nullopt;
  return parsed->iuv;
}

// UTF-8 safe cut to `max` bytes.
std::string portal_cut(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

}  // namespace

std::vector<Position> PortalService::positions(const std::string& fiscal_code) {
  return payments_.positions_of(fiscal_code);
}

Result<Position> PortalService::own_position(const std::string& fiscal_code, tenants::TenantId tenant,
                                             const std::string& iuv) {
  auto p = payments_.by_iuv(kPortalActor, tenant, iuv);
  if (!p || p->debtor.fiscal_code != cf::normalize(fiscal_code)) return Error::not_found(iuv);
  return p;
}

std::vector<ReceiptRow> PortalService::receipts(tenants::TenantId tenant, const std::string& iuv) {
  return station_.receipts(tenant, iuv);
}

std::vector<audit::StoredEntry> PortalService::history(tenants::TenantId tenant,
                                                       const std::string& position_id) {
  audit::Query q;
  q.record_type = "payment_position";
  q.record_id = position_id;
  q.limit = 100;
  auto entries = audit_.entries(tenant, q).entries;
  std::reverse(entries.begin(), entries.end());  // the log pages newest first
  return entries;
}

std::optional<ReceiptRow> PortalService::paying_receipt(tenants::TenantId tenant, const std::string& iuv) {
  for (auto& r : station_.receipts(tenant, iuv))
    if (r.outcome == ReceiptOutcome::recorded) return std::move(r);
  return std::nullopt;
}

Result<ReceiptRow> PortalService::own_receipt(const std::string& fiscal_code, tenants::TenantId tenant,
                                              const std::string& iuv) {
  if (auto p = own_position(fiscal_code, tenant, iuv); !p) return p.error();
  auto r = paying_receipt(tenant, iuv);
  if (!r) return Error::not_found(iuv);
  return *r;
}

Result<CheckoutStart> PortalService::pay(const PortalPerson& who, const std::vector<NoticeRef>& notices) {
  if (notices.empty()) return Error::make("payments.cart_empty", 400);
  if (notices.size() > kMaxCartNotices)
    return Error::make("payments.cart_limit", 400, std::to_string(kMaxCartNotices));
  const auto person = cf::normalize(who.fiscal_code);
  const auto today = time::rome_date(clock_.now());
  Cart cart;
  cart.id = ids::request_id(16);
  cart.fiscal_code = person;
  cart.email = who.email;
  cart.state = CartState::open;
  cart.created_at = time::format_iso_utc_millis(clock_.now());
  std::set<std::pair<tenants::TenantId, std::string>> seen_positions;
  bool all_ccp = true;
  for (const auto& n : notices) {
    auto iuv = portal_iuv_of(n.nav);
    if (!iuv) return Error::not_found(n.nav);
    auto p = own_position(person, n.tenant, *iuv);
    if (!p) return p.error();
    const Option* o = portal_option(*p, *iuv);
    if (!o || !payable(p->status) || o->status != OptionStatus::unpaid)
      return Error::make("payments.not_payable", 409, o ? o->nav : n.nav);
    if (!seen_positions.insert({n.tenant, p->id}).second)
      return Error::make("payments.cart_same_position", 409, o->nav);
    auto creditor = payments_.creditor(n.tenant);
    if (!creditor) return creditor.error();
    for (const auto& t : o->transfers) all_ccp = all_ccp && !t.postal_iban.empty();
    cart.items.push_back(CartItem{static_cast<int>(cart.items.size() + 1), n.tenant, o->iuv, o->nav,
                                  amount_due(*p, *o, today), creditor->fiscal_code, p->company_name,
                                  o->description});
  }
  db_.write([&](db::Conn& tx) { PortalStore::insert_cart(tx, cart); });

  // The leases, then a second look: a receipt that arrived between the check above and the lease must
  // not be sent to Checkout (the citizen would pay it twice).
  std::vector<const CartItem*> taken;
  auto give_up = [&](Error e) -> Result<CheckoutStart> {
    const auto now = time::format_iso_utc_millis(clock_.now());
    db_.write([&](db::Conn& tx) {
      for (const auto* i : taken)
        PortalStore::end_own_activation(tx, i->tenant_id, i->iuv, channel_of(cart.id));
      PortalStore::set_cart_state(tx, cart.id, CartState::failed, now);
    });
    return e;
  };
  for (const auto& i : cart.items) {
    if (auto st = station_.activate(i.tenant_id, i.iuv, channel_of(cart.id)); !st)
      return give_up(Error::make("payments.in_progress", 409, i.nav));
    taken.push_back(&i);
  }
  for (const auto& i : cart.items) {
    auto p = payments_.by_iuv(kPortalActor, i.tenant_id, i.iuv);
    const Option* o = p ? portal_option(*p, i.iuv) : nullptr;
    if (!o || !payable(p->status) || o->status != OptionStatus::unpaid)
      return give_up(Error::make("payments.not_payable", 409, i.nav));
  }

  pagopa::CheckoutCartRequest req;
  const std::string back = public_url_ + "/area-personale/pagamenti/carrello/" + cart.id + "?esito=";
  req.return_ok_url = back + "ok";
  req.return_cancel_url = back + "annullato";
  req.return_error_url = back + "errore";
  req.id_cart = cart.id;
  req.email_notice = who.email;
  req.all_ccp = all_ccp;
  for (const auto& i : cart.items)
    req.notices.push_back({i.nav, i.creditor_fiscal_code, i.amount, i.company_name, i.description});
  auto location = checkout_.create_cart(req);
  if (!location) return give_up(location.error());
  db_.write([&](db::Conn& tx) {
    PortalStore::set_cart_state(tx, cart.id, CartState::redirected,
                                time::format_iso_utc_millis(clock_.now()));
  });
  return CheckoutStart{cart.id, *location};
}

void PortalService::release(const Cart& cart, CartState next) {
  db_.write([&](db::Conn& tx) {
    for (const auto& i : cart.items)
      PortalStore::end_own_activation(tx, i.tenant_id, i.iuv, channel_of(cart.id));
    PortalStore::set_cart_state(tx, cart.id, next, time::format_iso_utc_millis(clock_.now()));
  });
}

Result<CartStatus> PortalService::cart_status(const std::string& fiscal_code, const std::string& cart_id,
                                              ReturnHint hint) {
  std::optional<Cart> cart;
  db_.read([&](db::Conn& c) { cart = PortalStore::cart(c, cart_id); });
  if (!cart || cart->fiscal_code != cf::normalize(fiscal_code)) return Error::not_found(cart_id);
  CartStatus out;
  out.all_paid = true;
  for (const auto& i : cart->items) {
    CartItemStatus s{i, std::nullopt};
    // Only receipts received since the cart was made, recorded by the station: the proof of payment.
    for (auto& r : station_.receipts(i.tenant_id, i.iuv))
      if (portal_counts(r) && r.received_at >= cart->created_at) s.receipt = std::move(r);
    out.all_paid = out.all_paid && s.receipt.has_value();
    out.items.push_back(std::move(s));
  }
  if (out.all_paid && cart->state != CartState::paid) {
    release(*cart, CartState::paid);
    cart->state = CartState::paid;
  } else if (!out.all_paid && (hint == ReturnHint::cancel || hint == ReturnHint::error) &&
             (cart->state == CartState::redirected || cart->state == CartState::open)) {
    release(*cart, CartState::cancelled);
    cart->state = CartState::cancelled;
  }
  out.cart = std::move(*cart);
  return out;
}

std::vector<SpontaneousService> PortalService::spontaneous_services() {
  std::vector<SpontaneousService> out;
  db_.read([&](db::Conn& c) { out = PortalStore::all_services(c); });
  return out;
}

Result<SpontaneousService> PortalService::spontaneous_service(tenants::TenantId tenant,
                                                              const std::string& code) {
  std::optional<SpontaneousService> s;
  db_.read([&](db::Conn& c) { s = PortalStore::service(c, tenant, code); });
  if (!s || !s->active) return Error::not_found(code);
  return *s;
}

void PortalService::set_spontaneous_service(const SpontaneousService& s) {
  db_.write([&](db::Conn& tx) { PortalStore::upsert_service(tx, s); });
}

Result<std::vector<SpontaneousService>> PortalService::body_services(const identity::Principal* who,
                                                                     tenants::TenantId tenant) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<SpontaneousService> out;
  db_.read([&](db::Conn& c) { out = PortalStore::body_services(c, tenant); });
  return out;
}

Status PortalService::save_spontaneous_service(const identity::Principal* who, tenants::TenantId tenant,
                                               SpontaneousService s) {
  if (who == nullptr) return Error::make("auth.required", 401);
  if (auto st = payments_.may_manage(who, tenant); !st) return st;
  s.tenant_id = tenant;
  s.code = std::string(text::trim(s.code));
  s.label_it = std::string(text::trim(s.label_it));
  s.label_en = std::string(text::trim(s.label_en));
  s.category = std::string(text::trim(s.category));
  s.remittance_prefix = std::string(text::trim(s.remittance_prefix));
  const bool code_ok =
      !s.code.empty() && s.code.size() <= 40 && std::all_of(s.code.begin(), s.code.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
      });
  if (!code_ok) return Error::for_field("payments.service_code", "code", 400, s.code);
  if (s.label_it.empty() || s.label_it.size() > 140 || s.label_en.size() > 140)
    return Error::for_field("payments.service_label", s.label_it.empty() ? "label_it" : "label_en", 400);
  constexpr money::Cents kMaxServiceAmount = 100'000'000;  // 1,000,000.00 euro
  if (s.min_amount < 1 || s.max_amount < s.min_amount || s.max_amount > kMaxServiceAmount)
    return Error::for_field("payments.service_amounts", "min_amount", 400);
  auto iban = validate_iban(s.iban);
  if (!iban) {
    auto e = iban.error();
    e.field = "iban";
    return e;
  }
  s.iban = *iban;
  if (s.category.empty() || s.category.size() > 140)
    return Error::for_field("payments.category", "category", 400);
  if (s.remittance_prefix.size() > 60)
    return Error::for_field("payments.service_prefix", "remittance_prefix", 400);
  boost::json::object details{
      {"code", s.code}, {"label_it", s.label_it}, {"min_cents", s.min_amount}, {"max_cents", s.max_amount},
      {"iban", s.iban}, {"category", s.category}, {"active", s.active}};
  db_.write([&](db::Conn& tx) {
    PortalStore::upsert_service(tx, s);
    auto e = identity::entry_by(*who, tenant, "payments.service_save", "payment_service", s.code,
                                boost::json::serialize(details));
    if (auto st = audit_.record(tx, e); !st) throw std::runtime_error("audit: " + st.error().code);
  });
  return Ok{};
}

Result<Position> PortalService::create_spontaneous(const PortalPerson& who, tenants::TenantId tenant,
                                                   const std::string& code, const std::string& amount,
                                                   const std::string& pupil) {
  auto s = spontaneous_service(tenant, code);
  if (!s) return s.error();
  const auto range = money::format(s->min_amount) + " - " + money::format(s->max_amount);
  auto cents = money::parse(text::trim(amount));
  if (!cents || *cents < s->min_amount || *cents > s->max_amount)
    return Error::for_field("payments.spontaneous_amount", "amount", 400, range);
  const auto name = text::trim(pupil);
  if (name.empty() || name.size() > 70) return Error::for_field("payments.spontaneous_pupil", "pupil", 400);
  NewPosition in;
  in.debtor.type = DebtorType::person;
  in.debtor.fiscal_code = cf::normalize(who.fiscal_code);
  in.debtor.full_name = who.name.empty() ? in.debtor.fiscal_code : who.name;
  in.debtor.email = who.email;
  in.publish = true;
  NewOption o;
  o.amount = *cents;
  o.description = portal_cut(s->label_it + " - " + name, 140);
  // A spontaneous payment is meant to be paid now; a month leaves room for a cart abandoned and retried.
  o.due_date = time::format_iso_date(time::add_calendar_days(time::rome_date(clock_.now()), 30));
  NewTransfer t;
  t.amount = *cents;
  t.iban = s->iban;
  t.remittance = portal_cut(s->remittance_prefix + " " + name, 140);
  t.category = s->category;
  o.transfers.push_back(std::move(t));
  in.options.push_back(std::move(o));
  return payments_.create(SystemActor{"portal"}, tenant, in);
}

}  // namespace sp::payments
