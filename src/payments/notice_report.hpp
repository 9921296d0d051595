#pragma once
// The answer to "is this a well-formed notice number?", shared by the public API
// (GET /api/v1/pagopa/notice-numbers/{nav}) and `sportello nav NUMBER`:
//   {"valid": true, "nav", "aux_digit", "segregation_code" | "application_code", "iuv", "check_digits"}
//   {"valid": false, "error": {"code", "message"}}   (message in `lang`)
// "check_digits" is absent for aux 1; a code ("segregation_code"/"application_code") only where the aux
// digit has one. "nav" is the 18 digits without spaces, "grouped" their printed form.
#include <boost/json.hpp>
#include <string_view>

#include "core/i18n.hpp"

namespace sp::payments {

boost::json::object notice_number_report(std::string_view input, const I18n& i18n, std::string_view lang);

}  // namespace sp::payments
