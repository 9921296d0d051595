#include "hub/comuni.hpp"

#include <map>
#include <optional>

#include "core/digest.hpp"
#include "core/text.hpp"

namespace sp::hub {
namespace {

// True when `s` decodes as UTF-8 (no check of overlongs: enough to tell it from Latin-1, where a byte of
// 0x80 or more is never followed by the continuation bytes UTF-8 needs).
bool looks_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// One CSV record of `text` from `pos` (';' separated, RFC 4180 quotes), advancing `pos` past its line.
std::vector<std::string> record(const std::string& text, std::size_t& pos) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        fields.back() += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

bool digits(const std::string& s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Result<std::vector<Comune>> parse_comuni_csv(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  const std::string text = looks_utf8(bytes) ? std::string(bytes) : latin1_to_utf8(bytes);
  std::size_t pos = 0;
  const auto header = record(text, pos);
  // The columns by their header, folded (accents, case, punctuation): ISTAT's wording, whatever the order.
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < header.size(); ++i) at.emplace(text::fold(header[i]), i);
  auto column = [&](std::initializer_list<const char*> names) -> std::optional<std::size_t> {
    for (const char* n : names)
      if (auto it = at.find(text::fold(n)); it != at.end()) return it->second;
    return std::nullopt;
  };
  const auto istat = column({"Codice Comune formato alfanumerico"});
  const auto belfiore = column({"Codice Catastale del comune"});
  const auto name = column({"Denominazione in italiano", "Denominazione (Italiana e straniera)"});
  const auto province = column({"Sigla automobilistica"});
  if (!istat) return Error::make("hub.comuni_file", 400, "Codice Comune formato alfanumerico");
  if (!belfiore) return Error::make("hub.comuni_file", 400, "Codice Catastale del comune");
  if (!name) return Error::make("hub.comuni_file", 400, "Denominazione in italiano");
  if (!province) return Error::make("hub.comuni_file", 400, "Sigla automobilistica");
  std::vector<Comune> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t line = 2; pos < text.size(); ++line) {
    const auto f = record(text, pos);
    if (f.size() == 1 && text::trim(f[0]).empty()) continue;  // a blank line
    auto get = [&](std::size_t i) { return i < f.size() ? text::trim(f[i]) : std::string(); };
    Comune c{get(*istat), get(*belfiore), get(*name), get(*province)};
    const auto at_line = "line " + std::to_string(line) + ": ";
    if (!digits(c.istat_code, 6))
      return Error::make("hub.comuni_file", 400, at_line + "ISTAT code «" + c.istat_code + "»");
    if (c.belfiore_code.size() != 4 || c.belfiore_code[0] < 'A' || c.belfiore_code[0] > 'Z' ||
        !digits(c.belfiore_code.substr(1), 3))
      return Error::make("hub.comuni_file", 400, at_line + "cadastral code «" + c.belfiore_code + "»");
    if (c.name.empty()) return Error::make("hub.comuni_file", 400, at_line + "no name");
    if (!seen.emplace(c.istat_code, line).second)
      return Error::make("hub.comuni_file", 400, at_line + "ISTAT code " + c.istat_code + " twice");
    out.push_back(std::move(c));
  }
  if (out.empty()) return Error::make("hub.comuni_file", 400, "no comuni");
  return out;
}

Result<std::size_t> ComuniList::import(std::string_view bytes, const std::string& as_of) {
  if (!time::parse_iso_date(as_of)) return Error::make("hub.comuni_date", 400, as_of);
  auto list = parse_comuni_csv(bytes);
  if (!list) return list.error();
  db_.write([&](db::Conn& tx) {
    store_.replace_comuni(tx, *list, as_of, time::format_iso_utc_millis(clock_.now()),
                          digest::sha256_hex(bytes));
  });
  return list->size();
}

}  // namespace sp::hub
