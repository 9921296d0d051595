#pragma once
// Codice fiscale and partita IVA checks for people and programs:
//   GET /api/v1/codice-fiscale/{code}, GET /api/v1/partita-iva/{code}, and `sportello cf CODE`.
#include <boost/json/object.hpp>
#include <string_view>

#include "core/i18n.hpp"
#include "http/router.hpp"

namespace sp::web {

// {"input", "valid": true, "kind": "person", "code", "normalized", "omocodic", "sex", "birth_date",
//  "birth_place", "born_abroad"} or {"input", "valid": false, "error", "message"} (message in `lang`).
boost::json::object codice_fiscale_report(std::string_view code, const I18n& i18n, std::string_view lang);
boost::json::object partita_iva_report(std::string_view code, const I18n& i18n, std::string_view lang);

void register_fiscal_api(http::Router& router, const I18n& i18n);

}  // namespace sp::web
