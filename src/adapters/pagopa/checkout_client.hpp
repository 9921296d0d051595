#pragma once
// pagoPA Checkout's cart API (../shared/pagopa/checkout_v1.json, `POST /carts`): the hub sends the
// citizen's cart (1-5 notices, amounts in cents, the return URLs) and Checkout answers 302 with the URL of
// its payment page in Location, where the hub sends the browser. Nothing is paid here: the payment's
// truth arrives later as the station's receipts (paSendRTV2), never through this API or the return URLs.
//
// Errors (all 502 but the first): checkout.not_configured (503: no pagopa_checkout_url), checkout.unreachable
// (connection, timeout, TLS: the http_client error's code in the detail), checkout.refused (an answer
// other than a redirect with a Location: the status and ProblemJson detail in the detail).
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::pagopa {

struct CheckoutNotice {
  std::string notice_number;  // 18 digits
  std::string fiscal_code;    // the creditor body's, 11 digits
  money::Cents amount = 0;
  std::string company_name;  // <= 140
  std::string description;   // <= 140
};

struct CheckoutCartRequest {
  std::vector<CheckoutNotice> notices;  // 1..5
  std::string return_ok_url;
  std::string return_cancel_url;
  std::string return_error_url;
  std::string id_cart;
  std::string email_notice;  // "" = not sent
  bool all_ccp = false;
};

// CartRequest's JSON, exactly as Checkout wants it (texts cut to 140 characters on a UTF-8 boundary).
std::string cart_request_json(const CheckoutCartRequest& r);

class CheckoutClient {
 public:
  // base_url: Checkout's API base, e.g. https://api.platform.pagopa.it/checkout/ec/v1 (no trailing /carts).
  CheckoutClient(std::string base_url, std::string subscription_key,
                 adapters::HttpClientOptions options = {});

  // POST {base}/carts; the Location Checkout redirects to.
  [[nodiscard]] Result<std::string> create_cart(const CheckoutCartRequest& r) const;
  [[nodiscard]] bool configured() const { return !base_url_.empty(); }
  // The origins the browser is sent to: the API's own (a simulator serves both), plus pagoPA's Checkout
  // page for its API hosts (api.platform.pagopa.it → checkout.pagopa.it, and the UAT pair). The pages
  // whose forms start a payment allow them in CSP form-action, which browsers apply to redirects too.
  [[nodiscard]] std::vector<std::string> page_origins() const;

 private:
  std::string base_url_;
  std::string subscription_key_;
  adapters::HttpClient http_;
};

}  // namespace sp::pagopa
