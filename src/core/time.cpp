#include "core/time.hpp"

#include <date/tz.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <mutex>

namespace sp::time {
namespace {

namespace chr = std::chrono;

const date::time_zone* rome() {
  // locate_zone loads the OS tz database once; the static makes the lookup thread-safe.
  static const date::time_zone* zone = date::locate_zone("Europe/Rome");
  return zone;
}

Error format_error(std::string detail) {
  return Error::make("time.format", 400, std::move(detail));
}
Error range_error(std::string detail) {
  return Error::make("time.range", 400, std::move(detail));
}

// Reads exactly `n` ASCII digits at `pos`, advancing it; -1 if they are not there.
int read_digits(std::string_view s, std::size_t& pos, int n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, std::size_t& pos, char a, char b = '\0') {
  if (pos >= s.size() || (s[pos] != a && (b == '\0' || s[pos] != b))) return false;
  ++pos;
  return true;
}

// "YYYY-MM-DD" at `pos`.
Result<Date> read_date(std::string_view s, std::size_t& pos) {
  int y = read_digits(s, pos, 4);
  if (y < 0 || !expect(s, pos, '-')) return format_error("expected YYYY-MM-DD");
  int m = read_digits(s, pos, 2);
  if (m < 0 || !expect(s, pos, '-')) return format_error("expected YYYY-MM-DD");
  int d = read_digits(s, pos, 2);
  if (d < 0) return format_error("expected YYYY-MM-DD");
  Date date{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return range_error(fmt::format("{:04}-{:02}-{:02} is not a calendar date", y, m, d));
  return date;
}

}  // namespace

namespace {

#ifdef SPORTELLO_FAKE_CLOCK
// The fake clock of test builds: the instant written in a file, re-read when the file changes.
class FileClock final : public Clock {
 public:
  explicit FileClock(std::string file) : file_(std::move(file)) {}
  [[nodiscard]] TimePoint now() const override {
    struct ::stat st {};
    std::lock_guard lock(mutex_);
    if (::stat(file_.c_str(), &st) == 0 &&
        (st.st_ino != ino_ || st.st_size != size_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
         st.st_mtim.tv_nsec != mtime_.tv_nsec)) {
      std::ifstream in(file_);
      std::string text;
      std::getline(in, text);
      if (auto t = parse_iso_utc(text)) {  // a half-written file keeps the last instant read
        now_ = *t;
        ino_ = st.st_ino;
        size_ = st.st_size;
        mtime_ = st.st_mtim;
      }
    }
    return now_;
  }
  Status load() {
    std::ifstream in(file_);
    std::string text;
    if (!std::getline(in, text)) return Error::make("time.fake_clock", 400, file_ + ": cannot read");
    if (!parse_iso_utc(text)) return Error::make("time.fake_clock", 400, file_ + ": not an instant: " + text);
    (void)now();
    return Ok{};
  }

 private:
  std::string file_;
  mutable std::mutex mutex_;
  mutable TimePoint now_{};
  mutable ::ino_t ino_ = 0;
  mutable ::off_t size_ = -1;
  mutable ::timespec mtime_{};
};

std::unique_ptr<FileClock> fake_clock;  // set once at start, before threads
#endif

}  // namespace

Clock& system_clock() {
#ifdef SPORTELLO_FAKE_CLOCK
  if (fake_clock) return *fake_clock;
#endif
  static SystemClock clock;
  return clock;
}

bool fake_clock_available() {
#ifdef SPORTELLO_FAKE_CLOCK
  return true;
#else
  return false;
#endif
}

Status install_fake_clock(const std::string& file) {
#ifdef SPORTELLO_FAKE_CLOCK
  auto c = std::make_unique<FileClock>(file);
  if (auto st = c->load(); !st) return st;
  fake_clock = std::move(c);
  return Ok{};
#else
  return Error::make("time.fake_clock", 400, "this build has no fake clock (SPORTELLO_FAKE_CLOCK=OFF)");
#endif
}

date::local_seconds to_rome_local(TimePoint tp) {
  return rome()->to_local(chr::floor<chr::seconds>(tp));
}

TimePoint from_rome_local(date::local_seconds local) {
  date::local_info info = rome()->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return info.first.end;           // the instant the clocks jumped over this wall time
    case date::local_info::ambiguous:  // `first` is the earlier period
    case date::local_info::unique:
    default:
      return date::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
}

Date rome_date(TimePoint tp) {
  auto local_day = date::floor<date::days>(to_rome_local(tp));
  return Date{chr::sys_days{chr::days{local_day.time_since_epoch().count()}}};
}

TimePoint rome_day_start(Date d) {
  auto days = chr::sys_days{d}.time_since_epoch().count();
  return from_rome_local(date::local_seconds{date::local_days{date::days{days}}});
}

Date add_calendar_days(Date d, int n) {
  return Date{chr::sys_days{d} + chr::days{n}};
}

std::string format_it_date(Date d) {
  return fmt::format("{:02}/{:02}/{:04}", static_cast<unsigned>(d.day()), static_cast<unsigned>(d.month()),
                     static_cast<int>(d.year()));
}

std::string format_it_date(TimePoint tp) {
  return format_it_date(rome_date(tp));
}

std::string format_it_datetime(TimePoint tp) {
  return date::format("%d/%m/%Y %H:%M", chr::floor<chr::minutes>(to_rome_local(tp)));
}

std::string format_rome(TimePoint tp, const char* format) {
  return date::format(format, date::make_zoned(rome(), chr::floor<chr::seconds>(tp)));
}

std::string it_datetime_text(std::string_view utc_iso) {
  auto tp = parse_iso_utc(utc_iso);
  return tp ? format_it_datetime(*tp) : std::string(utc_iso);
}

std::string it_date_text(std::string_view iso_day) {
  auto d = parse_iso_date(iso_day);
  return d ? format_it_date(*d) : std::string(iso_day);
}

std::string format_iso_utc_millis(TimePoint tp) {
  return date::format("%FT%TZ", chr::floor<chr::milliseconds>(tp));
}

std::string format_iso_utc(TimePoint tp) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", chr::floor<chr::seconds>(tp));
}

std::string format_iso_date(Date d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

Result<Date> parse_iso_date(std::string_view text) {
  std::size_t pos = 0;
  auto d = read_date(text, pos);
  if (!d) return d.error();
  if (pos != text.size()) return format_error("unexpected text after the date");
  return d;
}

Result<TimePoint> parse_iso_utc(std::string_view text) {
  std::size_t pos = 0;
  auto d = read_date(text, pos);
  if (!d) return d.error();
  // TimePoint counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Outside whole years inside that
  // span the conversion below would overflow (a typed "2999" reached it once), so such instants are refused.
  if (d->year() < chr::year{1678} || d->year() > chr::year{2261})
    return range_error(fmt::format("{} is outside the years 1678-2261", static_cast<int>(d->year())));
  if (!expect(text, pos, 'T', 't')) return format_error("expected 'T' after the date");
  int h = read_digits(text, pos, 2);
  if (h < 0 || !expect(text, pos, ':')) return format_error("expected HH:MM:SS");
  int mi = read_digits(text, pos, 2);
  if (mi < 0 || !expect(text, pos, ':')) return format_error("expected HH:MM:SS");
  int s = read_digits(text, pos, 2);
  if (s < 0) return format_error("expected HH:MM:SS");
  if (h > 23 || mi > 59 || s > 59)
    return range_error(fmt::format("{:02}:{:02}:{:02} is not a time", h, mi, s));

  chr::nanoseconds fraction{0};
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    std::int64_t ns = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) ns = ns * 10 + (text[pos] - '0'), ++digits;  // finer than ns is dropped
      ++pos;
    }
    if (digits == 0) return format_error("expected digits after the decimal point");
    for (int i = digits; i < 9; ++i) ns *= 10;
    fraction = chr::nanoseconds{ns};
  }

  chr::minutes offset{0};
  if (expect(text, pos, 'Z', 'z')) {
    // UTC
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = read_digits(text, pos, 2);
    if (oh < 0 || !expect(text, pos, ':')) return format_error("expected an offset ±HH:MM");
    int om = read_digits(text, pos, 2);
    if (om < 0) return format_error("expected an offset ±HH:MM");
    if (oh > 23 || om > 59) return range_error("offset out of range");
    offset = sign * (chr::hours{oh} + chr::minutes{om});
  } else {
    return format_error("expected 'Z' or an offset: the time zone is required");
  }
  if (pos != text.size()) return format_error("unexpected text after the time");

  auto local = chr::sys_days{*d} + chr::hours{h} + chr::minutes{mi} + chr::seconds{s};
  return chr::time_point_cast<TimePoint::duration>(local - offset + fraction);
}

}  // namespace sp::time
