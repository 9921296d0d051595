// Row accessors. Drivers hand over what the engine gave them: SQLite returns typed values, PostgreSQL
// (text format) returns integers as int64 but NUMERIC, dates and the like as text, so the numeric
// accessors also accept text.
#include <charconv>
#include <string>

#include "db/database.hpp"

namespace sp::db {
namespace {

[[noreturn]] void type_error(std::size_t i, const char* wanted) {
  throw DbError(DbError::Kind::other, "column " + std::to_string(i) + " is not " + wanted);
}

std::int64_t parse_i64(const std::string& s, std::size_t i) {
  std::int64_t v = 0;
  const char* first = s.data();
  if (!s.empty() && s.front() == '+') ++first;
  auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || first == end) type_error(i, "an integer");
  return v;
}

double parse_f64(const std::string& s, std::size_t i) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) type_error(i, "a number");
  return v;
}

}  // namespace

std::int64_t Row::i64(std::size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* s = std::get_if<std::string>(&v)) return parse_i64(*s, i);
  if (const auto* d = std::get_if<double>(&v)) {
    // SQLite may hand back an integral REAL (e.g. from arithmetic); accept it only when exact.
    auto n = static_cast<std::int64_t>(*d);
    if (static_cast<double>(n) == *d) return n;
  }
  type_error(i, "an integer");
}

double Row::f64(std::size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) return parse_f64(*s, i);
  type_error(i, "a number");
}

std::string Row::text(std::size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::nullptr_t>(v)) return {};
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, end);
  }
  return std::get<Blob>(v).bytes;
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_i64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return i64(i);
}

std::string Row::blob(std::size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;  // SQLite: a blob stored as text
  if (std::holds_alternative<std::nullptr_t>(v)) return {};
  type_error(i, "a blob");
}

bool Row::boolean(std::size_t i) const {
  const Value& v = cols_.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n != 0;
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "t" || *s == "true" || *s == "1") return true;
    if (*s == "f" || *s == "false" || *s == "0") return false;
  }
  type_error(i, "a boolean");
}

std::size_t Row::index(std::string_view column) const {
  if (names_) {
    for (std::size_t i = 0; i < names_->size(); ++i) {
      if ((*names_)[i] == column) return i;
    }
  }
  throw std::out_of_range("no column named '" + std::string(column) + "'");
}

}  // namespace sp::db
