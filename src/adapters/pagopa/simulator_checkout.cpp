#include "adapters/pagopa/simulator_checkout.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/ids.hpp"

namespace sp::pagopa::sim {
namespace {

namespace json = boost::json;

Error cart_error(std::string detail) {
  return Error::make("pagopa_sim.cart", 400, std::move(detail));
}

bool cart_digits(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A required string member of at most `max` characters (UTF-8 code points), or an error naming it.
Result<std::string> cart_text(const json::object& o, const char* name, const std::string& where,
                              std::size_t max = 0) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string() || v->as_string().empty()) return cart_error(where + name + " is required");
  std::string s(v->as_string());
  if (max) {
    const auto chars = std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
    if (static_cast<std::size_t>(chars) > max)
      return cart_error(where + name + " is longer than " + std::to_string(max));
  }
  return s;
}

}  // namespace

Result<Cart> parse_cart_request(std::string_view body) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return cart_error("the body is not a JSON object");
  const auto& o = doc.as_object();
  Cart cart;
  const auto* notices = o.if_contains("paymentNotices");
  if (!notices || !notices->is_array()) return cart_error("paymentNotices is required");
  const auto& list = notices->as_array();
  if (list.empty() || list.size() > 5) return cart_error("paymentNotices must hold 1 to 5 notices");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "paymentNotices[" + std::to_string(i) + "].";
    if (!list[i].is_object()) return cart_error(where + " is not an object");
    const auto& n = list[i].as_object();
    CartNotice cn;
    auto nav = cart_text(n, "noticeNumber", where);
    if (!nav) return nav.error();
    if (!cart_digits(*nav, 18)) return cart_error(where + "noticeNumber must be 18 digits");
    cn.notice_number = *nav;
    auto cf = cart_text(n, "fiscalCode", where);
    if (!cf) return cf.error();
    if (!cart_digits(*cf, 11)) return cart_error(where + "fiscalCode must be 11 digits");
    cn.fiscal_code = *cf;
    const auto* amount = n.if_contains("amount");
    if (!amount || !(amount->is_int64() || amount->is_uint64()))
      return cart_error(where + "amount must be an integer number of cents");
    if (amount->is_uint64() || amount->as_int64() < 1) return cart_error(where + "amount must be at least 1");
    cn.amount = amount->as_int64();
    auto company = cart_text(n, "companyName", where, 140);
    if (!company) return company.error();
    cn.company_name = *company;
    auto description = cart_text(n, "description", where, 140);
    if (!description) return description.error();
    cn.description = *description;
    cart.notices.push_back(std::move(cn));
  }
  const auto* urls = o.if_contains("returnUrls");
  if (!urls || !urls->is_object()) return cart_error("returnUrls is required");
  for (const auto& [name, target] :
       {std::pair{"returnOkUrl", &cart.return_ok}, std::pair{"returnCancelUrl", &cart.return_cancel},
        std::pair{"returnErrorUrl", &cart.return_error}}) {
    auto url = cart_text(urls->as_object(), name, "returnUrls.");
    if (!url) return url.error();
    *target = *url;
  }
  for (const auto& [name, target] :
       {std::pair{"idCart", &cart.id_cart}, std::pair{"emailNotice", &cart.email_notice}}) {
    if (const auto* v = o.if_contains(name)) {
      if (!v->is_string()) return cart_error(std::string(name) + " must be a string");
      *target = std::string(v->as_string());
    }
  }
  if (!cart.email_notice.empty() && cart.email_notice.find('@') == std::string::npos)
    return cart_error("emailNotice is not an e-mail address");
  if (const auto* v = o.if_contains("allCCP"); v && !v->is_bool())
    return cart_error("allCCP must be a boolean");
  return cart;
}

std::string CartBook::add(Cart cart) {
  cart.id = ids::random_token(18);
  std::lock_guard lock(mu_);
  const auto id = cart.id;
  carts_[id] = std::move(cart);
  return id;
}

std::optional<Cart> CartBook::get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = carts_.find(id);
  if (it == carts_.end()) return std::nullopt;
  return it->second;
}

bool CartBook::close(const std::string& id, CartState to) {
  std::lock_guard lock(mu_);
  auto it = carts_.find(id);
  if (it == carts_.end() || it->second.state != CartState::open) return false;
  it->second.state = to;
  return true;
}

void CartBook::reopen(const std::string& id) {
  std::lock_guard lock(mu_);
  if (auto it = carts_.find(id); it != carts_.end()) it->second.state = CartState::open;
}

}  // namespace sp::pagopa::sim
