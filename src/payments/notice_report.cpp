#include "payments/notice_report.hpp"

#include "payments/notice_number.hpp"

namespace sp::payments {

boost::json::object notice_number_report(std::string_view input, const I18n& i18n, std::string_view lang) {
  auto n = parse_notice_number(input);
  if (!n) {
    return {
        {"valid", false},
        {"error", boost::json::object{{"code", n.error().code}, {"message", i18n.message(lang, n.error())}}}};
  }
  boost::json::object o{
      {"valid", true}, {"nav", n->nav}, {"grouped", grouped(n->nav)}, {"aux_digit", n->aux_digit}};
  if (!n->segregation_code.empty()) o["segregation_code"] = n->segregation_code;
  if (!n->application_code.empty()) o["application_code"] = n->application_code;
  o["iuv"] = n->iuv;
  if (!n->check_digits.empty()) o["check_digits"] = n->check_digits;
  return o;
}

}  // namespace sp::payments
