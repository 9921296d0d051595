#include "payments/bank_statement_csv.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

namespace sp::payments::recon {
namespace {

constexpr std::string_view kBankRemittanceMark = "/PUR/LGPE-RIVERSAMENTO/URI/";

std::string bank_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view bank_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits the text into records of fields (RFC 4180 quoting, ';' separator); records keep their line.
struct BankRecord {
  std::int64_t line = 0;
  std::vector<std::string> fields;
};

Result<std::vector<BankRecord>> bank_split(std::string_view in) {
  std::vector<BankRecord> out;
  std::int64_t line = 1;
  std::size_t i = 0;
  while (i < in.size()) {
    BankRecord rec;
    rec.line = line;
    std::string field;
    bool quoted = false;
    bool end = false;
    while (!end) {
      if (i >= in.size()) break;
      const char c = in[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < in.size() && in[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            ++i;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        continue;
      }
      if (c == '"' && bank_trim(field).empty()) {
        field.clear();
        quoted = true;
        ++i;
      } else if (c == ';') {
        rec.fields.push_back(std::string(bank_trim(field)));
        field.clear();
        ++i;
      } else if (c == '\n') {
        ++i;
        ++line;
        end = true;
      } else {
        field += c;
        ++i;
      }
    }
    if (quoted) return Error::make("bank_statement.line", 422, std::to_string(rec.line) + ": unclosed quote");
    rec.fields.push_back(std::string(bank_trim(field)));
    const bool blank = rec.fields.size() == 1 && rec.fields[0].empty();
    if (!blank) out.push_back(std::move(rec));
  }
  return out;
}

bool bank_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// dd/mm/yyyy or yyyy-mm-dd to yyyy-mm-dd; "" when it is neither (a real calendar date is checked).
std::string bank_date(std::string_view s) {
  std::string y, m, d;
  if (s.size() == 10 && s[2] == '/' && s[5] == '/') {
    d = s.substr(0, 2), m = s.substr(3, 2), y = s.substr(6, 4);
  } else if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  } else {
    return "";
  }
  if (!bank_digits(y) || !bank_digits(m) || !bank_digits(d)) return "";
  const std::chrono::year_month_day ymd{std::chrono::year{std::stoi(y)},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(m))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(d))}};
  if (!ymd.ok()) return "";
  return y + "-" + m + "-" + d;
}

// "1.234,56", "-16,5", "20" to cents, exactly; the sign apart.
Result<money::Cents> bank_amount(std::string_view s, bool& negative) {
  negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const auto comma = s.find(',');
  std::string_view whole = s.substr(0, comma);
  std::string_view frac = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  if (comma != std::string_view::npos && (frac.empty() || frac.size() > 2 || !bank_digits(frac)))
    return Error::make("bank_statement.amount", 422, std::string(s));
  std::string digits;
  // Thousands dots: groups of three after the first.
  std::size_t group = 0;
  bool dotted = false;
  for (std::size_t i = whole.size(); i-- > 0;) {
    const char c = whole[i];
    if (c == '.') {
      if (group != 3) return Error::make("bank_statement.amount", 422, std::string(s));
      dotted = true;
      group = 0;
      continue;
    }
    if (c < '0' || c > '9') return Error::make("bank_statement.amount", 422, std::string(s));
    digits.insert(digits.begin(), c);
    ++group;
  }
  if (digits.empty() || (dotted && group == 0) || digits.size() > 15)
    return Error::make("bank_statement.amount", 422, std::string(s));
  money::Cents cents = std::stoll(digits) * 100;
  if (!frac.empty()) cents += frac.size() == 1 ? (frac[0] - '0') * 10 : std::stoi(std::string(frac));
  return cents;
}

const std::array<std::array<std::string_view, 2>, 6> kBankColumns{{
    {"data contabile", "booking date"},
    {"data valuta", "value date"},
    {"importo", "amount"},
    {"segno", "direction"},
    {"descrizione", "description"},
    {"riferimento banca", "bank reference"},
}};

Error bank_line_error(std::int64_t line, const std::string& what) {
  return Error::make("bank_statement.line", 422, std::to_string(line) + ": " + what);
}

}  // namespace

std::string flow_id_of_remittance(std::string_view remittance) {
  const auto at = remittance.find(kBankRemittanceMark);
  if (at == std::string_view::npos) return "";
  auto rest = remittance.substr(at + kBankRemittanceMark.size());
  const auto end = rest.find_first_of("/ \t\r\n");
  return std::string(rest.substr(0, end));
}

Result<std::vector<BankMovement>> parse_bank_statement(std::string_view csv) {
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  auto records = bank_split(csv);
  if (!records) return records.error();
  const std::string expected = "Data contabile;Data valuta;Importo;Segno;Descrizione;Riferimento banca";
  if (records->empty() || records->front().fields.size() != kBankColumns.size())
    return Error::make("bank_statement.header", 422, expected);
  for (std::size_t k = 0; k < kBankColumns.size(); ++k) {
    const auto name = bank_lower(records->front().fields[k]);
    if (name != kBankColumns[k][0] && name != kBankColumns[k][1])
      return Error::make("bank_statement.header", 422, expected);
  }
  std::vector<BankMovement> out;
  for (std::size_t i = 1; i < records->size(); ++i) {
    const auto& rec = (*records)[i];
    const auto& f = rec.fields;
    if (f.size() != kBankColumns.size())
      return bank_line_error(rec.line, std::to_string(f.size()) + " fields instead of 6");
    BankMovement m;
    m.line = rec.line;
    m.booking_date = bank_date(f[0]);
    m.value_date = bank_date(f[1]);
    if (m.booking_date.empty() || m.value_date.empty())
      return bank_line_error(rec.line, "date " + f[0] + " " + f[1]);
    bool negative = false;
    auto amount = bank_amount(f[2], negative);
    if (!amount || *amount == 0) return bank_line_error(rec.line, "amount " + f[2]);
    m.amount = *amount;
    const auto sign = bank_lower(f[3]);
    if (sign == "c" || sign == "a" || sign == "avere" || sign == "credit")
      m.direction = 'C';
    else if (sign == "d" || sign == "dare" || sign == "debit")
      m.direction = 'D';
    else if (sign.empty())
      m.direction = negative ? 'D' : 'C';
    else
      return bank_line_error(rec.line, "direction " + f[3]);
    if (negative && m.direction == 'C') return bank_line_error(rec.line, "a negative credit " + f[2]);
    m.description = f[4];
    m.bank_reference = f[5];
    if (m.bank_reference.empty()) return bank_line_error(rec.line, "no bank reference");
    m.flow_id = flow_id_of_remittance(m.description);
    out.push_back(std::move(m));
  }
  if (out.empty()) return Error::make("bank_statement.empty", 422, "");
  return out;
}

}  // namespace sp::payments::recon
