#pragma once
// From the forms engine's render model (forms::to_json) to what the mustache templates of the application
// pages read: the JSON turned into mustache data (empty texts become false, so that {{#help}} sections
// disappear and a missing value never falls back to an outer one), and each field given the flags and
// ids its markup needs (which control, aria-describedby, the values of its item and file buttons).
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "web/view.hpp"

namespace sp::applications {

// JSON → mustache data. Strings stay strings except "" (false); numbers become text; null is false.
web::Data to_data(const boost::json::value& v);

// Adds the template flags to a rendered step (forms::to_json(RenderStep)) or to a whole rendered form
// (forms::to_json(RenderForm), for the summary and the receipt).
void adorn_step(boost::json::object& step, const web::View& view, std::string_view lang);
void adorn_form(boost::json::object& form, const web::View& view, std::string_view lang);

// "5 MB", "350 KB", "12 byte" ("," as the decimal separator in Italian).
std::string size_text(std::int64_t bytes, std::string_view lang);

// The values of the step page's buttons (name "azione"), parsed back by the POST handler.
namespace action {
inline constexpr std::string_view kNext = "avanti";
inline constexpr std::string_view kBack = "indietro";
inline constexpr std::string_view kSave = "salva";
inline constexpr std::string_view kUpload = "carica";
inline constexpr std::string_view kAddItem = "aggiungi:";             // + group name
inline constexpr std::string_view kRemoveItem = "rimuovi-elemento:";  // + item prefix "children[1]"
inline constexpr std::string_view kRemoveFile = "rimuovi-file:";      // + path + ":" + file id
}  // namespace action

}  // namespace sp::applications
