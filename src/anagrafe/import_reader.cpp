#include "anagrafe/import_reader.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <vector>

#include "core/codice_fiscale.hpp"
#include "core/time.hpp"

namespace sp::anagrafe {
namespace {

RowError row_error(std::size_t line, std::string code, std::string detail = {}) {
  return RowError{line, {}, "anagrafe.row." + std::move(code), std::move(detail)};
}

std::string trim_copy(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

void strip_bom(std::string& s) {
  if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF && static_cast<unsigned char>(s[1]) == 0xBB &&
      static_cast<unsigned char>(s[2]) == 0xBF)
    s.erase(0, 3);
}

std::optional<std::size_t> key_index(std::string_view key) {
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (kKeys[i] == key) return i;
  return std::nullopt;
}

// --- CSV ---------------------------------------------------------------------------------------------

// Splits one record into fields; false when a quote is still open (the record goes on next line).
bool split_csv(const std::string& rec, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < rec.size(); ++i) {
    const char c = rec[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < rec.size() && rec[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && !was_quoted && trim_copy(cur).empty()) {
      quoted = true;
      was_quoted = true;
      cur.clear();
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return !quoted;
}

Status read_csv(std::istream& in, const RowSink& sink) {
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> fields;
  // The header: which key each column holds (npos for a column the format does not know: ignored).
  std::vector<std::size_t> columns;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) strip_bom(line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim_copy(line).empty()) continue;
    split_csv(line, fields);
    std::vector<bool> seen(kFieldCount, false);
    for (const auto& f : fields) {
      const auto k = key_index(trim_copy(f));
      columns.push_back(k.value_or(std::string::npos));
      if (k) seen[*k] = true;
    }
    for (std::size_t i = 0; i < kFieldCount; ++i)
      if (!seen[i]) return Error::make("anagrafe.file.missing_column", 400, std::string(kKeys[i]));
    break;
  }
  if (columns.empty()) return Error::make("anagrafe.file.header", 400);
  std::string record;
  while (std::getline(in, line)) {
    ++line_no;
    const std::size_t start = line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    record = std::move(line);
    bool too_long = record.size() > kMaxRowBytes;
    // A quoted field may hold line breaks: the record goes on until its quotes close.
    while (!too_long && !split_csv(record, fields)) {
      if (!std::getline(in, line)) break;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      record += '\n';
      record += line;
      too_long = record.size() > kMaxRowBytes;
    }
    if (trim_copy(record).empty()) continue;
    RawRow row;
    row.line = start;
    if (too_long) {
      row.error = row_error(start, "too_long");
    } else if (!split_csv(record, fields)) {
      row.error = row_error(start, "quote");
    } else if (fields.size() != columns.size()) {
      row.error = row_error(start, "columns", std::to_string(fields.size()));
    } else {
      for (std::size_t i = 0; i < fields.size(); ++i)
        if (columns[i] != std::string::npos) row.values.f[columns[i]] = std::move(fields[i]);
    }
    if (!sink(std::move(row))) return Ok{};
  }
  return Ok{};
}

// --- JSON Lines --------------------------------------------------------------------------------------

Status read_jsonl(std::istream& in, const RowSink& sink) {
  std::string line;
  std::size_t line_no = 0;
  boost::json::parse_options opts;
  opts.max_depth = 4;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) strip_bom(line);
    if (trim_copy(line).empty()) continue;
    RawRow row;
    row.line = line_no;
    if (line.size() > kMaxRowBytes) {
      row.error = row_error(line_no, "too_long");
    } else {
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec, {}, opts);
      if (ec || !v.is_object()) {
        row.error = row_error(line_no, "json");
      } else {
        for (const auto& [k, val] : v.as_object()) {
          const auto idx = key_index(k);
          if (!idx) continue;  // a key the format does not know: ignored
          if (val.is_string()) {
            row.values.f[*idx] = std::string(val.as_string());
          } else if (!val.is_null()) {
            row.error = row_error(line_no, "not_text", std::string(k));
            break;
          }
        }
      }
    }
    if (!sink(std::move(row))) return Ok{};
  }
  return Ok{};
}

// --- checks ------------------------------------------------------------------------------------------

bool digits(std::string_view s, std::size_t min_len, std::size_t max_len) {
  return s.size() >= min_len && s.size() <= max_len &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool is_date(std::string_view s) {
  return s.size() == 10 && time::parse_iso_date(s).ok();
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "csv") return Format::csv;
  if (name == "jsonl" || name == "json") return Format::jsonl;
  return std::nullopt;
}

std::string_view to_string(Format f) {
  return f == Format::csv ? "csv" : "jsonl";
}

Status read_rows(std::istream& in, Format format, const RowSink& sink) {
  return format == Format::csv ? read_csv(in, sink) : read_jsonl(in, sink);
}

std::optional<RowError> check_row(PersonVersion& p, std::string_view body_istat) {
  for (auto& v : p.f) v = trim_copy(v);
  for (F k : {F::codice_fiscale, F::cognome, F::nome, F::sesso, F::specie_via, F::denominazione_via,
              F::esponente, F::interno, F::motivo_cancellazione, F::id_famiglia})
    p[k] = upper(p[k]);
  if (p[F::motivo_cancellazione].size() > 0)
    for (auto& c : p[F::motivo_cancellazione])
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  auto fail = [&](std::string code, F key) {
    auto e = row_error(0, std::move(code), std::string(kKeys[static_cast<std::size_t>(key)]));
    e.codice_fiscale = p[F::codice_fiscale];
    return e;
  };
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (p.f[i].size() > 200) return fail("too_long_value", static_cast<F>(i));
    if (has_control(p.f[i])) return fail("control", static_cast<F>(i));
  }
  if (p[F::codice_fiscale].empty()) return fail("required", F::codice_fiscale);
  if (auto st = cf::validate_person(p[F::codice_fiscale]); !st)
    return fail("codice_fiscale", F::codice_fiscale);
  for (F k :
       {F::cognome, F::nome, F::data_nascita, F::stato_nascita, F::cittadinanza, F::comune_istat,
        F::id_famiglia, F::relazione_parentela, F::stato_civile, F::certificabilita, F::data_variazione})
    if (p[k].empty()) return fail("required", k);
  if (p[F::comune_istat] != body_istat) return fail("other_comune", F::comune_istat);
  if (!one_of(p[F::sesso], {"M", "F"})) return fail("sesso", F::sesso);
  for (F k : {F::data_nascita, F::data_variazione})
    if (!is_date(p[k])) return fail("date", k);
  for (F k : {F::data_iscrizione, F::data_cancellazione, F::data_decesso})
    if (!p[k].empty() && !is_date(p[k])) return fail("date", k);
  if (p[F::data_variazione] < p[F::data_nascita]) return fail("before_birth", F::data_variazione);
  if (!p[F::comune_nascita_istat].empty() && !digits(p[F::comune_nascita_istat], 6, 6))
    return fail("istat", F::comune_nascita_istat);
  for (F k : {F::stato_nascita, F::cittadinanza})
    if (!digits(p[k], 3, 3)) return fail("country", k);
  if (!digits(p[F::relazione_parentela], 1, 2)) return fail("code", F::relazione_parentela);
  if (!one_of(p[F::stato_civile], {"1", "2", "3", "4", "5", "6", "7", "8"}))
    return fail("code", F::stato_civile);
  if (!one_of(p[F::certificabilita], {"0", "1", "2", "3", "4"})) return fail("code", F::certificabilita);
  if (!p[F::cap].empty() && !digits(p[F::cap], 5, 5)) return fail("cap", F::cap);
  if (p[F::specie_via].empty() != p[F::denominazione_via].empty())
    return fail("street", p[F::specie_via].empty() ? F::specie_via : F::denominazione_via);
  const auto& motivo = p[F::motivo_cancellazione];
  if (!motivo.empty() && !one_of(motivo, {"decesso", "emigrazione", "irreperibilita"}))
    return fail("code", F::motivo_cancellazione);
  if (motivo.empty() != p[F::data_cancellazione].empty())
    return fail("cancellation", motivo.empty() ? F::motivo_cancellazione : F::data_cancellazione);
  if (!p[F::data_decesso].empty() && motivo != "decesso")
    return fail("cancellation", F::motivo_cancellazione);
  return std::nullopt;
}

}  // namespace sp::anagrafe
