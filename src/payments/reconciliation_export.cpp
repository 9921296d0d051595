#include "payments/reconciliation_export.hpp"

namespace sp::payments::recon {

std::string csv_field(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(v.begin(), '\'');
  if (v.find_first_of(";\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_amount(money::Cents c) {
  const bool negative = c < 0;
  const auto a = negative ? -c : c;
  std::string frac = std::to_string(a % 100);
  if (frac.size() < 2) frac.insert(frac.begin(), '0');
  return (negative ? "-" : "") + std::to_string(a / 100) + "," + frac;
}

std::string render_csv(const DayView& v, const std::function<std::string(std::string_view)>& t) {
  const std::string k = "payments_reconciliation.";
  std::string out = "\xEF\xBB\xBF";
  const auto line = [&out](std::initializer_list<std::string> fields) {
    bool first = true;
    for (const auto& f : fields) {
      if (!first) out += ';';
      out += f;  // already escaped (amounts and codes need none)
      first = false;
    }
    out += "\r\n";
  };
  const auto head = [&](const char* c) { return csv_field(t(k + "csv." + c)); };
  line({head("day"), head("psp"), head("flow"), head("iuv"), head("iur"), head("transfer"), head("amount"),
        head("expected"), head("outcome"), head("result"), head("receipt"), head("reported"), head("bank")});
  const std::string day = time::format_iso_date(v.day);
  const std::string yes = csv_field(t(k + "csv.yes"));
  const std::string no = csv_field(t(k + "csv.no"));
  for (const auto& r : v.rows) {
    line({day, csv_field(r.psp_id), csv_field(r.flow_id), csv_field(r.iuv), csv_field(r.iur),
          std::to_string(r.transfer_index), csv_amount(r.amount), r.expected ? csv_amount(*r.expected) : "",
          std::to_string(static_cast<int>(r.outcome)),
          csv_field(t(k + "result." + std::string(to_string(r.result)))), r.has_receipt ? yes : no, yes,
          csv_field(t(k + "bank." + std::string(to_string(r.bank))))});
  }
  for (const auto& u : v.unreported) {
    line({day, csv_field(u.psp_id), "", csv_field(u.iuv), csv_field(u.iur), std::to_string(u.transfer_index),
          csv_amount(u.amount), csv_amount(u.amount), "", csv_field(t(k + "result.paid_not_reported")), yes,
          no, ""});
  }
  for (const auto& m : v.unmatched_movements) {
    line({day, "", csv_field(m.flow_id), "", csv_field(m.bank_reference), "", csv_amount(m.amount), "", "",
          csv_field(t(k + "result.movement_without_flow")), no, no, csv_field(t(k + "bank.cashed"))});
  }
  return out;
}

}  // namespace sp::payments::recon
