#pragma once
// The JSON API's responses: one envelope for errors, the same in every module and in the app's hooks.
//   {"error": {"error": "<code>", "message": "<localised text>", "field": "<input at fault, if any>"}}
// A 401 carries the Bearer challenge. Neither answer is cached by anyone (an API reads live data).
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/i18n.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "web/view.hpp"

namespace sp::web {

// `cache_control`: public read-only data (the catalog) may say "no-cache" (revalidate) instead.
http::Response json_response(const boost::json::value& v, int status = 200,
                             std::string_view cache_control = "no-store");

http::Response json_error(const I18n& i18n, std::string_view locale, const Error& e);
// The same in the request's language.
http::Response json_error(const View& view, const http::Request& req, const Error& e);

// An optional text field in a response: null when empty (as the APIs' schemas in docs/openapi.yaml say).
inline boost::json::value str_or_null(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

}  // namespace sp::web
