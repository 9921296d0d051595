#include "adapters/business_register/client.hpp"

#include <algorithm>

namespace sp::business_register {
namespace {

adapters::HttpClientOptions http_options(const ClientOptions& o) {
  adapters::HttpClientOptions h;
  h.timeout = o.timeout;
  h.connect_timeout = std::min(o.timeout, std::chrono::milliseconds(3000));
  h.max_response_bytes = 512 * 1024;
  return h;
}

}  // namespace

Client::Client(ClientOptions options) : options_(std::move(options)), http_(http_options(options_)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

Result<Company> Client::lookup(std::string_view typed) const {
  if (!configured()) return Error::make("business_register.not_configured", 503);
  auto code = normalise_tax_code(typed);
  if (!code) return Error::for_field("business_register.tax_code", "tax_code", 400, std::string(typed));
  adapters::HttpHeaders headers{{"Accept", "application/json"}};
  if (!options_.token.empty()) headers.emplace_back("Authorization", "Bearer " + options_.token);
  auto r = http_.get(options_.base_url + "/imprese/" + adapters::url_encode(*code), headers);
  if (!r) return Error::make("business_register.unavailable", 502, r.error().code + " " + r.error().detail);
  if (r->status == 404) return Error::make("business_register.not_found", 404, *code);
  if (r->status == 401 || r->status == 403)
    return Error::make("business_register.refused", 502, std::to_string(r->status));
  if (r->status != 200)
    return Error::make("business_register.unavailable", 502, "HTTP " + std::to_string(r->status));
  if (r->media_type() != "application/json")
    return Error::make("business_register.answer", 502, "content type " + r->media_type());
  auto c = company_from_json(r->body);
  if (!c) return c.error();
  if (c->tax_code != *code)
    return Error::make("business_register.answer", 502, "another business: " + c->tax_code);
  return c;
}

}  // namespace sp::business_register
