#pragma once
// The client of the business register's look-up (wire.hpp). Domain side: plain HTTP through
// adapters/http_client.
//
// Errors: business_register.not_configured (503: no URL set), business_register.tax_code (400),
// business_register.not_found (404: the register knows no such business), business_register.refused
// (502: the register refused our credentials), business_register.unavailable (502: no answer, a timeout,
// or a 5xx; detail says which), business_register.answer (502: an answer we cannot read).
#include <string>

#include "adapters/business_register/wire.hpp"
#include "adapters/http_client.hpp"
#include "core/result.hpp"

namespace sp::business_register {

struct ClientOptions {
  std::string base_url;  // e.g. https://registro.example/v1; empty: not configured
  std::string token;     // the bearer token (a PDND voucher in production)
  std::chrono::milliseconds timeout{8000};
};

class Client {
 public:
  explicit Client(ClientOptions options);
  [[nodiscard]] bool configured() const { return !options_.base_url.empty(); }
  // The business with this codice fiscale (normalised first).
  [[nodiscard]] Result<Company> lookup(std::string_view tax_code) const;

 private:
  ClientOptions options_;
  adapters::HttpClient http_;
};

}  // namespace sp::business_register
