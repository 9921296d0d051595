#include "albo/model.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "core/codice_fiscale.hpp"
#include "core/text.hpp"
#include "payments/iban.hpp"

namespace sp::albo {
namespace {

// Words that point at health data (Garante 243/2014: never published). Lower case, accents folded.
const std::vector<std::string> kHealthWords = {
    "diagnosi",  "malattia", "patologia", "invalidita",       "handicap",  "disabilita",
    "ricovero",  "terapia",  "sanitario", "sanitaria",        "hiv",       "tossicodipend",
    "psichiatr", "oncolog",  "gravidanz", "cartella clinica", "legge 104", "l 104"};

std::string shorten(std::string s) {
  if (s.size() > 40) s = s.substr(0, 40) + "…";
  return s;
}

time::TimePoint day_start(time::Date d) {
  return time::rome_day_start(d);
}

}  // namespace

const std::vector<ActType>& national_act_types() {
  static const std::vector<ActType> kTypes = {
      {"delibera_consiglio", 15, false, true},
      {"delibera_giunta", 15, false, true},
      {"determinazione", 15, false, false},
      {"decreto", 15, false, false},
      {"ordinanza", 15, false, false},
      {"avviso", 15, false, false},
      {"bando_gara", 30, false, false},
      {"concorso", 30, false, false},
      {"matrimonio", 8, true, false},           // pubblicazioni di matrimonio (art. 55 DPR 396/2000): 8 days
      {"deposito_notifiche", 20, true, false},  // notices to people who could not be reached (art. 143
                                                // c.p.c.)
      {"permesso_costruire", 15, true, false},
      {"altro", 15, false, false}};
  return kTypes;
}

std::string custom_type_code(std::string_view name_it) {
  std::string code = "x_";
  for (char c : text::fold(name_it)) {  // lower-case ASCII words separated by single spaces
    if (code.size() >= 40) break;
    if (c == ' ') {
      if (code.back() != '_') code += '_';
    } else if (std::isalnum(static_cast<unsigned char>(c)))
      code += c;  // other bytes (non-Latin) dropped
  }
  while (code.size() > 2 && code.back() == '_') code.pop_back();
  return code.size() > 2 ? code : std::string();
}

bool is_custom_type_code(std::string_view code) {
  return code.starts_with("x_");
}

std::string_view to_string(DocumentRole r) {
  return r == DocumentRole::act ? "act" : "attachment";
}
std::optional<DocumentRole> parse_document_role(std::string_view s) {
  if (s == "act") return DocumentRole::act;
  if (s == "attachment") return DocumentRole::attachment;
  return std::nullopt;
}
std::string_view to_string(Channel c) {
  return c == Channel::web ? "web" : "api";
}
std::string_view to_string(OutageSource s) {
  return s == OutageSource::heartbeat ? "heartbeat" : "manager";
}

std::string format_number(std::int64_t number) {
  std::string s = std::to_string(number);
  return s.size() >= 7 ? s : std::string(7 - s.size(), '0') + s;
}

time::Date Publication::last_day() const {
  return time::rome_date(end_at - std::chrono::seconds(1));
}
time::Date Publication::base_last_day() const {
  return time::rome_date(base_end_at - std::chrono::seconds(1));
}
std::optional<time::Date> Publication::enforceable_on() const {
  if (!resolution) return std::nullopt;
  return time::add_calendar_days(start_day, 10);
}
Phase Publication::phase(time::TimePoint now) const {
  if (now < start_at) return Phase::scheduled;
  if (now < end_at && !ended_at) return Phase::on_board;
  return Phase::ended;
}
bool Publication::forgotten(time::TimePoint now) const {
  return time::rome_date(now) >= forget_on;
}

int outage_days(time::Date first, time::Date last, const std::vector<Outage>& outages) {
  int n = 0;
  for (time::Date d = first; d <= last; d = time::add_calendar_days(d, 1)) {
    const auto from = day_start(d);
    const auto to = day_start(time::add_calendar_days(d, 1));
    time::TimePoint::duration detected{0};
    bool counts = false;
    for (const auto& o : outages) {
      const auto a = std::max(from, o.from_at);
      const auto b = std::min(to, o.to_at);
      if (b <= a) continue;
      if (o.source == OutageSource::manager)
        counts = true;
      else
        detected += b - a;
    }
    if (counts || detected >= kOutageMinPerDay) ++n;
  }
  return n;
}

int extension_for(time::Date start, int days, const std::vector<Outage>& outages) {
  int ext = 0;
  for (int round = 0; round < 400; ++round) {
    const auto last = time::add_calendar_days(start, days + ext - 1);
    const int next = outage_days(start, last, outages);
    if (next == ext) break;
    ext = next;
  }
  return ext;
}

std::vector<Finding> scan_personal_data(std::string_view text_in, const std::string& where) {
  std::vector<Finding> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& kind, const std::string& match) {
    if (seen.insert(kind + "|" + match).second) out.push_back({kind, shorten(match), where});
  };
  const std::string text(text_in);
  // Codici fiscali: 16 characters shaped like a person's code, with a right check character.
  static const std::regex kCf(
      R"(\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kCf); it != std::sregex_iterator(); ++it) {
    const auto m = it->str();
    if (cf::validate_person(m)) add("codice_fiscale", cf::normalize(m));
  }
  // IBANs: a country, check digits, then 11 to 30 letters or digits, possibly in groups of four.
  static const std::regex kIban(R"(\b[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]){11,30}\b)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kIban); it != std::sregex_iterator(); ++it) {
    // The match may run on into the next words ("IT60X... per"): the longest valid prefix is the IBAN.
    std::string compact;
    for (char c : it->str())
      if (c != ' ') compact += c;
    for (std::size_t len = std::min<std::size_t>(compact.size(), 34); len >= 15; --len) {
      if (auto ok = payments::validate_iban(compact.substr(0, len))) {
        add("iban", *ok);
        break;
      }
    }
  }
  // Dates of birth.
  static const std::regex kBirth(
      R"((nat[oaie]|nascita)\b[^0-9\n]{0,25}([0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}|[0-9]{1,2} [a-z]+ [0-9]{4}))",
      std::regex::icase);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kBirth); it != std::sregex_iterator(); ++it)
    add("birth_date", it->str());
  // Health words (accents folded, lower case).
  const std::string folded = text::fold(text);
  for (const auto& w : kHealthWords) {
    auto pos = folded.find(w);
    if (pos == std::string::npos) continue;
    const bool word_start = pos == 0 || std::isalnum(static_cast<unsigned char>(folded[pos - 1])) == 0;
    if (word_start) add("health", w);
  }
  return out;
}

}  // namespace sp::albo
