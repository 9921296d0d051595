#pragma once
// Instants and civil dates at the SQL boundary. Instants are stored as time::format_iso_utc_millis text
// ("2026-11-23T19:15:00.123Z": fixed width, so text order is time order), civil dates as "YYYY-MM-DD",
// absent ones as NULL. Models carry time::TimePoint / time::Date; stores convert with these.
#include <optional>
#include <string>

#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::db {

inline Value instant_text(time::TimePoint tp) {
  return Value{time::format_iso_utc_millis(tp)};
}
inline Value instant_or_null(const std::optional<time::TimePoint>& tp) {
  return tp ? instant_text(*tp) : Value{nullptr};
}
inline Value date_text(time::Date d) {
  return Value{time::format_iso_date(d)};
}
inline Value date_or_null(const std::optional<time::Date>& d) {
  return d ? date_text(*d) : Value{nullptr};
}

// Column `i` as an instant; throws DbError when it is not one (NULL included).
inline time::TimePoint instant(const Row& r, std::size_t i) {
  auto tp = time::parse_iso_utc(r.text(i));
  if (!tp) throw DbError(DbError::Kind::other, "column " + std::to_string(i) + " is not a UTC instant");
  return *tp;
}
// NULL or "": nullopt.
inline std::optional<time::TimePoint> opt_instant(const Row& r, std::size_t i) {
  if (r.is_null(i) || r.text(i).empty()) return std::nullopt;
  return instant(r, i);
}
// Column `i` as a civil date; throws DbError when it is not one (NULL included).
inline time::Date date(const Row& r, std::size_t i) {
  auto d = time::parse_iso_date(r.text(i));
  if (!d) throw DbError(DbError::Kind::other, "column " + std::to_string(i) + " is not a date");
  return *d;
}
// NULL or "": nullopt.
inline std::optional<time::Date> opt_date(const Row& r, std::size_t i) {
  if (r.is_null(i) || r.text(i).empty()) return std::nullopt;
  return date(r, i);
}

}  // namespace sp::db
