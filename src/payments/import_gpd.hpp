#pragma once
// pagoPA GPD's JSON (PaymentPositionModel's field names) read into the service's NewPosition / NewFine:
// what the API's create and bulk calls take, and the JSON files `sportello payments import` and
// POST .../debt-positions/import read. Amounts are JSON integers of cents; dates GPD's date-times, of
// which the Rome day is kept. Errors carry a payments.* code and the field (e.g.
// "paymentOption[0].transfer[1].amount").
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "payments/model.hpp"

namespace sp::payments {

// A position, or a fine when the object carries "fine" (then without paymentOption).
struct GpdParsed {
  std::optional<NewPosition> position;
  std::optional<NewFine> fine;
};

Result<GpdParsed> parse_gpd_position(const boost::json::value& v, bool publish);
// An error 400 with `code` naming `field`.
Error gpd_bad(const std::string& code, const std::string& field);

}  // namespace sp::payments
