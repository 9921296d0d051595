#include "payments/import_csv.hpp"

#include <array>
#include <map>
#include <unordered_set>
#include <vector>

namespace sp::payments {
namespace {

constexpr std::size_t kCsvMaxRecord = 64 * 1024;  // one row's bytes: a runaway quote stops here

enum CsvCol {
  kIupd,
  kDebtorType,
  kDebtorCf,
  kDebtorName,
  kDebtorEmail,
  kDebtorStreet,
  kDebtorCivic,
  kDebtorPostal,
  kDebtorCity,
  kDebtorProvince,
  kValidity,
  kIuv,
  kAmount,
  kDescription,
  kDueDate,
  kInstalment,
  kIban,
  kPostalIban,
  kCategory,
  kRemittance,
  kCsvColCount
};
constexpr std::array<std::string_view, kCsvColCount> kCsvNames{
    "iupd",         "debtor_type",     "debtor_fiscal_code", "debtor_name",
    "debtor_email", "debtor_street",   "debtor_civic",       "debtor_postal_code",
    "debtor_city",  "debtor_province", "validity_date",      "iuv",
    "amount",       "description",     "due_date",           "instalment",
    "iban",         "postal_iban",     "category",           "remittance"};
constexpr std::array<CsvCol, 7> kCsvRequired{kIupd,        kDebtorCf, kDebtorName, kAmount,
                                             kDescription, kDueDate,  kCategory};

Error csv_error(const std::string& code, std::size_t line, const std::string& field = {}) {
  Error e = Error::make(code, 422, std::to_string(line));
  e.field = field;
  return e;
}

// Reads one record (fields split, quotes undone); false at the end of the input. `line` is the line the
// record starts on, `next_line` advances past it (a quoted field may hold line breaks).
class CsvRecordReader {
 public:
  explicit CsvRecordReader(std::istream& in) : buf_(in.rdbuf()) {}

  Result<bool> next(std::vector<std::string>& fields, std::size_t& line) {
    fields.clear();
    line = next_line_;
    int c = buf_ ? buf_->sbumpc() : EOF;
    if (c == EOF) return false;
    if (first_) {
      first_ = false;
      // A UTF-8 byte order mark (spreadsheets write one).
      if (c == 0xEF) {
        if (buf_->sgetc() == 0xBB) {
          buf_->sbumpc();
          if (buf_->sgetc() == 0xBF) {
            buf_->sbumpc();
            c = buf_->sbumpc();
            if (c == EOF) return false;
          }
        }
      }
    }
    std::string field;
    bool quoted = false;
    std::size_t bytes = 0;
    for (;; c = buf_->sbumpc()) {
      if (++bytes > kCsvMaxRecord) return csv_error("import.line_too_long", line);
      if (c == EOF) {
        if (quoted) return csv_error("import.quote", line);
        fields.push_back(std::move(field));
        return true;
      }
      const char ch = static_cast<char>(c);
      if (quoted) {
        if (ch == '"') {
          if (buf_->sgetc() == '"') {
            buf_->sbumpc();
            field += '"';
          } else {
            quoted = false;
          }
        } else {
          if (ch == '\n') ++next_line_;
          field += ch;
        }
        continue;
      }
      if (ch == '"' && field.empty()) {
        quoted = true;
      } else if (ch == ';') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (ch == '\r' && buf_->sgetc() == '\n') {
        continue;
      } else if (ch == '\n') {
        ++next_line_;
        fields.push_back(std::move(field));
        return true;
      } else {
        field += ch;
      }
    }
  }

 private:
  std::streambuf* buf_;
  std::size_t next_line_ = 1;
  bool first_ = true;
};

std::string csv_trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// YYYY-MM-DD as is; DD/MM/YYYY turned into it; anything else as is (the service names it).
std::string csv_date(const std::string& s) {
  if (s.size() == 10 && s[2] == '/' && s[5] == '/')
    return s.substr(6, 4) + "-" + s.substr(3, 2) + "-" + s.substr(0, 2);
  return s;
}

std::optional<bool> csv_flag(const std::string& s) {
  if (s.empty() || s == "0" || s == "no" || s == "NO" || s == "false") return false;
  if (s == "1" || s == "si" || s == "SI" || s == "sì" || s == "yes" || s == "true") return true;
  return std::nullopt;
}

struct CsvGroup {
  ImportItem item;
  std::array<std::string, kCsvColCount> first;  // the first row's position-level values
  bool open = false;
};

// Columns that must be the same on every row of a position.
constexpr std::array<CsvCol, 11> kCsvPositionCols{kDebtorType,     kDebtorCf,    kDebtorName,   kDebtorEmail,
                                                  kDebtorStreet,   kDebtorCivic, kDebtorPostal, kDebtorCity,
                                                  kDebtorProvince, kValidity,    kIupd};

}  // namespace

std::optional<Cents> parse_euro_amount(std::string_view t) {
  if (t.empty() || t.size() > 13) return std::nullopt;
  Cents euros = 0;
  std::size_t i = 0;
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) euros = euros * 10 + (t[i] - '0');
  if (i == 0) return std::nullopt;
  Cents cents = 0;
  if (i < t.size()) {
    if (t[i] != ',') return std::nullopt;
    const auto decimals = t.size() - i - 1;
    if (decimals < 1 || decimals > 2) return std::nullopt;
    for (std::size_t k = i + 1; k < t.size(); ++k) {
      if (t[k] < '0' || t[k] > '9') return std::nullopt;
      cents = cents * 10 + (t[k] - '0');
    }
    if (decimals == 1) cents *= 10;
  }
  if (euros > 999'999'999) return std::nullopt;
  return euros * 100 + cents;
}

Status read_csv_positions(std::istream& in, const CsvDefaults& defaults, const ImportSink& sink) {
  CsvRecordReader reader(in);
  std::vector<std::string> fields;
  std::size_t line = 0;
  auto header = reader.next(fields, line);
  if (!header) return header.error();
  if (!*header) return csv_error("import.empty", 1);
  std::array<int, kCsvColCount> at{};
  at.fill(-1);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name = csv_trim(fields[i]);
    std::size_t k = 0;
    while (k < kCsvColCount && kCsvNames[k] != name) ++k;
    if (k == kCsvColCount) return csv_error("import.column_unknown", 1, name);
    if (at[k] >= 0) return csv_error("import.column_twice", 1, name);
    at[k] = static_cast<int>(i);
  }
  for (auto c : kCsvRequired)
    if (at[c] < 0) return csv_error("import.column_missing", 1, std::string(kCsvNames[c]));

  std::unordered_set<std::string> seen;
  CsvGroup g;
  auto flush = [&]() -> bool {
    if (!g.open) return true;
    g.open = false;
    return sink(std::move(g.item));
  };
  auto fail = [&](std::size_t row, Error e) {
    if (g.item.position) {
      g.item.position = std::move(e);
      g.item.error_row = row;
    }
  };
  std::array<std::string, kCsvColCount> v;
  for (;;) {
    auto more = reader.next(fields, line);
    if (!more) return more.error();
    if (!*more) break;
    if (fields.size() == 1 && csv_trim(fields[0]).empty()) continue;  // a blank line
    for (std::size_t k = 0; k < kCsvColCount; ++k)
      v[k] = at[k] >= 0 && static_cast<std::size_t>(at[k]) < fields.size() ? csv_trim(fields[at[k]]) : "";
    const bool same = g.open && v[kIupd] == g.item.iupd && !v[kIupd].empty();
    if (!same) {
      if (!flush()) return Ok{};
      g = CsvGroup{};
      g.open = true;
      g.item.row = line;
      g.item.iupd = v[kIupd];
      g.first = v;
      NewPosition np;
      np.iupd = v[kIupd];
      np.publish = defaults.publish;
      np.validity_date = v[kValidity];
      auto type = parse_debtor_type(v[kDebtorType].empty() ? "F" : v[kDebtorType]);
      np.debtor.type = type.value_or(DebtorType::person);
      np.debtor.fiscal_code = v[kDebtorCf];
      np.debtor.full_name = v[kDebtorName];
      np.debtor.email = v[kDebtorEmail];
      np.debtor.street_name = v[kDebtorStreet];
      np.debtor.civic_number = v[kDebtorCivic];
      np.debtor.postal_code = v[kDebtorPostal];
      np.debtor.city = v[kDebtorCity];
      np.debtor.province = v[kDebtorProvince];
      g.item.position = std::move(np);
      if (v[kIupd].empty())
        fail(line, csv_error("payments.iupd", line, "iupd"));
      else if (!seen.insert(v[kIupd]).second)
        fail(line, csv_error("import.iupd_repeated", line, "iupd"));
      if (!type) fail(line, csv_error("payments.debtor_type", line, "debtor_type"));
    } else {
      for (auto c : kCsvPositionCols)
        if (v[c] != g.first[c])
          fail(line, csv_error("import.position_mismatch", line, std::string(kCsvNames[c])));
    }
    ++g.item.options;
    if (!g.item.position) continue;  // already refused: the rest of its rows are only counted
    NewOption o;
    o.iuv = v[kIuv];
    auto amount = parse_euro_amount(v[kAmount]);
    if (!amount) {
      fail(line, csv_error("import.amount", line, "amount"));
      continue;
    }
    o.amount = *amount;
    o.description = v[kDescription];
    o.due_date = csv_date(v[kDueDate]);
    auto partial = csv_flag(v[kInstalment]);
    if (!partial) {
      fail(line, csv_error("import.instalment", line, "instalment"));
      continue;
    }
    o.is_partial_payment = *partial;
    NewTransfer t;
    t.amount = o.amount;
    t.postal_iban = v[kPostalIban];
    t.iban = v[kIban].empty() && t.postal_iban.empty() ? defaults.iban : v[kIban];
    t.category = v[kCategory];
    t.remittance = v[kRemittance].empty() ? o.description : v[kRemittance];
    o.transfers.push_back(std::move(t));
    g.item.position->options.push_back(std::move(o));
  }
  flush();
  return Ok{};
}

}  // namespace sp::payments
