#pragma once
// The simulated Checkout's carts (internal to adapters/pagopa): the CartRequest of checkout_v1.json read
// and checked as the spec says, and the carts waiting for the payer.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::pagopa::sim {

struct CartNotice {
  std::string notice_number;  // 18 digits
  std::string fiscal_code;    // 11 digits
  money::Cents amount = 0;    // what the cart says; the station's verify decides what is paid
  std::string company_name;   // ≤ 140
  std::string description;    // ≤ 140
};

enum class CartState { open, paid, failed, cancelled };

struct Cart {
  std::string id;  // random: the cart page's URL is its only key
  std::vector<CartNotice> notices;
  std::string return_ok, return_cancel, return_error;
  std::string id_cart;
  std::string email_notice;
  CartState state = CartState::open;
};

// Reads a CartRequest. Error pagopa_sim.cart (400), detail naming the member that is wrong:
// paymentNotices missing or not 1..5; a notice without noticeNumber (18 digits), fiscalCode (11 digits),
// amount (integer > 0), companyName or description (≤ 140); returnUrls or one of its three URLs missing;
// idCart / emailNotice not strings; allCCP not a boolean.
Result<Cart> parse_cart_request(std::string_view body);

class CartBook {
 public:
  // Keeps the cart under a new random id, which it returns.
  std::string add(Cart cart);
  [[nodiscard]] std::optional<Cart> get(const std::string& id) const;
  // Moves an open cart to `to`; false when it is not open any more (paid twice from two tabs...).
  bool close(const std::string& id, CartState to);
  // Opens it again (a payment that could not start).
  void reopen(const std::string& id);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Cart> carts_;
};

}  // namespace sp::pagopa::sim
