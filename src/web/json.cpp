#include "web/json.hpp"

namespace sp::web {

http::Response json_response(const boost::json::value& v, int status, std::string_view cache_control) {
  auto r = http::Response::json(boost::json::serialize(v), status);
  r.header("Cache-Control", std::string(cache_control));
  return r;
}

http::Response json_error(const I18n& i18n, std::string_view locale, const Error& e) {
  boost::json::object o{{"error", e.code}, {"message", i18n.message(locale, e)}};
  if (!e.field.empty()) o["field"] = e.field;
  auto r = json_response(boost::json::object{{"error", std::move(o)}}, e.http_status);
  if (e.http_status == 401) r.header("WWW-Authenticate", "Bearer");
  return r;
}

http::Response json_error(const View& view, const http::Request& req, const Error& e) {
  return json_error(view.i18n(), req.ctx.locale, e);
}

}  // namespace sp::web
