#include "web/fiscal_api.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/codice_fiscale.hpp"
#include "core/partita_iva.hpp"

namespace sp::web {
namespace {

namespace json = boost::json;

json::object invalid(std::string_view input, const Error& e, const I18n& i18n, std::string_view lang) {
  return {{"input", input}, {"valid", false}, {"error", e.code}, {"message", i18n.message(lang, e)}};
}

std::string iso_date(const std::chrono::year_month_day& d) {
  return fmt::format("{:04}-{:02}-{:02}", int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

http::Response reply(const json::object& o) {
  // An invalid code is a correct answer to the question "is it valid?", so 200 either way; only a
  // malformed request would be 4xx.
  auto r = http::Response::json(json::serialize(o));
  r.header("Cache-Control", "no-store");  // codes are personal data: keep them out of shared caches
  return r;
}

}  // namespace

json::object codice_fiscale_report(std::string_view code, const I18n& i18n, std::string_view lang) {
  auto any = cf::validate_any(code);
  if (!any) return invalid(code, any.error(), i18n, lang);
  if (any->kind == cf::Kind::numeric) {
    return {{"input", code},
            {"valid", true},
            {"kind", "numeric"},
            {"code", any->code},
            {"normalized", any->code}};
  }
  auto d = cf::decode(code);
  if (!d) return invalid(code, d.error(), i18n, lang);
  return {{"input", code},
          {"valid", true},
          {"kind", "person"},
          {"code", d->code},
          {"normalized", d->canonical},
          {"omocodic", d->omocodic},
          {"sex", d->sex == cf::Sex::female ? "F" : "M"},
          {"birth_date", iso_date(d->birth_date)},
          {"birth_place", d->belfiore},
          {"born_abroad", d->born_abroad}};
}

json::object partita_iva_report(std::string_view code, const I18n& i18n, std::string_view lang) {
  auto d = piva::decode(code);
  if (!d) return invalid(code, d.error(), i18n, lang);
  return {{"input", code}, {"valid", true}, {"normalized", d->number}, {"office_code", d->office_code}};
}

void register_fiscal_api(http::Router& router, const I18n& i18n) {
  router.get("/api/v1/codice-fiscale/{code}", [&i18n](http::Request& req) {
    return reply(codice_fiscale_report(req.param("code"), i18n, req.ctx.locale));
  });
  router.get("/api/v1/partita-iva/{code}", [&i18n](http::Request& req) {
    return reply(partita_iva_report(req.param("code"), i18n, req.ctx.locale));
  });
}

}  // namespace sp::web
