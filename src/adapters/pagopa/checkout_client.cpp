#include "adapters/pagopa/checkout_client.hpp"

#include <boost/json.hpp>

namespace sp::pagopa {
namespace {

// At most `max` bytes, never splitting a UTF-8 sequence (Checkout counts characters; bytes are stricter).
std::string checkout_cut(const std::string& s, std::size_t max = 140) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string cart_request_json(const CheckoutCartRequest& r) {
  namespace json = boost::json;
  json::array notices;
  for (const auto& n : r.notices)
    notices.push_back(json::object{{"noticeNumber", n.notice_number},
                                   {"fiscalCode", n.fiscal_code},
                                   {"amount", n.amount},
                                   {"companyName", checkout_cut(n.company_name)},
                                   {"description", checkout_cut(n.description)}});
  json::object o{{"paymentNotices", std::move(notices)},
                 {"returnUrls", json::object{{"returnOkUrl", r.return_ok_url},
                                             {"returnCancelUrl", r.return_cancel_url},
                                             {"returnErrorUrl", r.return_error_url}}},
                 {"idCart", r.id_cart},
                 {"allCCP", r.all_ccp}};
  if (!r.email_notice.empty()) o["emailNotice"] = r.email_notice;
  return json::serialize(o);
}

CheckoutClient::CheckoutClient(std::string base_url, std::string subscription_key,
                               adapters::HttpClientOptions options)
    : base_url_(std::move(base_url)), subscription_key_(std::move(subscription_key)), http_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::vector<std::string> CheckoutClient::page_origins() const {
  std::vector<std::string> out;
  const auto scheme_end = base_url_.find("://");
  if (scheme_end == std::string::npos) return out;
  const auto origin = base_url_.substr(0, base_url_.find('/', scheme_end + 3));
  out.push_back(origin);
  if (origin == "https://api.platform.pagopa.it") out.push_back("https://checkout.pagopa.it");
  if (origin == "https://api.uat.platform.pagopa.it") out.push_back("https://uat.checkout.pagopa.it");
  return out;
}

Result<std::string> CheckoutClient::create_cart(const CheckoutCartRequest& r) const {
  if (base_url_.empty()) return Error::make("checkout.not_configured", 503);
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = base_url_ + "/carts";
  req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!subscription_key_.empty()) req.headers.emplace_back("Ocp-Apim-Subscription-Key", subscription_key_);
  req.body = cart_request_json(r);
  auto res = http_.send(req);
  if (!res) return Error::make("checkout.unreachable", 502, res.error().code + " " + res.error().detail);
  const auto* location = res->header("location");
  if ((res->status == 302 || res->status == 303) && location && !location->empty()) return *location;
  std::string detail = "HTTP " + std::to_string(res->status);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(res->body, ec);
  if (!ec && parsed.is_object()) {
    if (const auto* d = parsed.as_object().if_contains("detail"); d && d->is_string())
      detail += ": " + std::string(d->as_string());
  }
  return Error::make("checkout.refused", 502, detail);
}

}  // namespace sp::pagopa
