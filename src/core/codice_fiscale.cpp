#include "core/codice_fiscale.hpp"

#include <fmt/format.h>

#include <array>

#include "core/partita_iva.hpp"

namespace sp::cf {
namespace {

namespace chr = std::chrono;

constexpr std::string_view kMonthLetters = "ABCDEHLMPRST";
constexpr std::string_view kOmocodiaLetters = "LMNPQRSTUV";  // replace digits 0..9
// 0-based indices of the digit positions that omocodia may replace, in the order it replaces them
// (SPEC: 15, 14, 13, 11, 10, 8, 7 in 1-based positions).
constexpr std::array<int, 7> kOmocodiaOrder = {14, 13, 12, 10, 9, 7, 6};
// Values of characters in odd (1-based) positions, indexed by digit 0..9 or letter A..Z.
constexpr std::array<int, 26> kOddValues = {1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
                                            20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_omocodia_letter(char c) {
  return kOmocodiaLetters.find(c) != std::string_view::npos;
}

// 0-based positions that hold a letter in every code (surname, name, month, place letter, check).
bool is_letter_position(int i) {
  return i < 6 || i == 8 || i == 11 || i == 15;
}

// A digit position's value, whether written as a digit or as an omocodia letter.
int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  return static_cast<int>(kOmocodiaLetters.find(c));
}

Error error(const char* code, std::string detail) {
  return Error::make(code, 400, std::move(detail));
}

// Structure and check character of an already normalised code.
Status check_structure(const std::string& code) {
  if (code.size() != 16) {
    return error("cf.length", fmt::format("expected 16 characters, got {}", code.size()));
  }
  for (int i = 0; i < 16; ++i) {
    char c = code[i];
    bool ok = is_letter_position(i) ? is_upper(c) : (is_digit(c) || is_omocodia_letter(c));
    if (!ok) {
      return error("cf.format", fmt::format("unexpected character '{}' at position {}", c, i + 1));
    }
  }
  if (kMonthLetters.find(code[8]) == std::string_view::npos) {
    return error("cf.month", fmt::format("'{}' is not a month letter", code[8]));
  }
  int day = digit_value(code[9]) * 10 + digit_value(code[10]);
  if (day > 40) day -= 40;
  int yy = digit_value(code[6]) * 10 + digit_value(code[7]);
  int month = static_cast<int>(kMonthLetters.find(code[8])) + 1;
  // The two-digit year is enough for the leap-year test: 19yy and 20yy are both leap or both not,
  // except yy = 00, where only 2000 is and the century heuristic always picks 2000.
  int max_day = static_cast<int>(static_cast<unsigned>((chr::year{2000 + yy} / month / chr::last).day()));
  if (day < 1 || day > max_day) {
    return error("cf.day", fmt::format("day {} does not exist in month {} (year ..{:02})", day, month, yy));
  }
  char expected = check_char(std::string_view(code).substr(0, 15));
  if (code[15] != expected) {
    return error("cf.check", fmt::format("check character is '{}', expected '{}'", code[15], expected));
  }
  return Ok{};
}

// Replaces omocodia letters in the digit positions with their digits and recomputes the check char.
std::string canonicalize(const std::string& code) {
  std::string out = code;
  for (int i : kOmocodiaOrder) {
    if (is_omocodia_letter(out[i])) out[i] = static_cast<char>('0' + digit_value(out[i]));
  }
  out[15] = check_char(std::string_view(out).substr(0, 15));
  return out;
}

// Appends the base letters of one Unicode code point, or returns false if it is not a letter we know.
bool fold_letter(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!is_upper(c)) return false;
    out += c;
    return true;
  }
  // Latin-1 Supplement, 0xC0..0xFF: '*' is a ligature handled below, '-' is not a letter.
  constexpr std::string_view kLatin1 = "AAAAAA*CEEEEIIIIDNOOOOO-OUUUUY-*AAAAAA*CEEEEIIIIDNOOOOO-OUUUUY-Y";
  // Latin Extended-A, 0x100..0x17F; '*' is a ligature.
  constexpr std::string_view kExtA =
      "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII**JJKKKLLLLLLLLLLNNNNNNNNNOOOOOO**RRRRRRSSSSSSSS"
      "TTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";
  char base = '-';
  if (cp >= 0xC0 && cp <= 0xFF) base = kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) base = kExtA[cp - 0x100];
  if (base == '*') {
    switch (cp) {
      case 0xC6:
      case 0xE6:
        out += "AE";
        return true;  // Æ æ
      case 0xDF:
        out += "SS";
        return true;  // ß
      case 0x132:
      case 0x133:
        out += "IJ";
        return true;  // Ĳ ĳ
      case 0x152:
      case 0x153:
        out += "OE";
        return true;  // Œ œ
      default:
        return false;
    }
  }
  if (base == '-') return false;
  out += base;
  return true;
}

// Upper-case A..Z letters of a UTF-8 name, or an error naming the first character that is not a letter.
Result<std::string> fold_name(std::string_view utf8, const char* error_code) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto b = static_cast<unsigned char>(utf8[i]);
    char32_t cp = 0;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1F, len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0F, len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07, len = 4;
    } else {
      return error(error_code, "invalid UTF-8");
    }
    if (i + len > utf8.size()) return error(error_code, "invalid UTF-8");
    for (std::size_t k = 1; k < len; ++k) {
      auto cont = static_cast<unsigned char>(utf8[i + k]);
      if ((cont & 0xC0) != 0x80) return error(error_code, "invalid UTF-8");
      cp = (cp << 6) | (cont & 0x3F);
    }
    // Separators inside names carry no letters: "D'Angelo", "De Luca", "Rossi-Bianchi", "St. John".
    // U+2019 is the typographic apostrophe that phones type.
    bool separator = cp == ' ' || cp == '\'' || cp == '-' || cp == '.' || cp == 0x2019 || cp == 0xA0 ||
                     (cp < 0x80 && is_space(static_cast<char>(cp)));
    if (!separator && !fold_letter(cp, out)) {
      return error(error_code, fmt::format("character '{}' is not a letter", utf8.substr(i, len)));
    }
    i += len;
  }
  if (out.empty()) return error(error_code, "no letters");
  return out;
}

bool is_vowel(char c) {
  return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

std::string consonants_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!is_vowel(c)) out += c;
  return out;
}
std::string vowels_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (is_vowel(c)) out += c;
  return out;
}

std::string surname_part(const std::string& letters) {
  return (consonants_of(letters) + vowels_of(letters) + "XXX").substr(0, 3);
}

std::string name_part(const std::string& letters) {
  std::string cons = consonants_of(letters);
  if (cons.size() >= 4) return {cons[0], cons[2], cons[3]};
  return (cons + vowels_of(letters) + "XXX").substr(0, 3);
}

chr::year_month_day utc_today() {
  return chr::year_month_day{chr::floor<chr::days>(chr::system_clock::now())};
}

}  // namespace

std::string normalize(std::string_view input) {
  std::size_t b = 0, e = input.size();
  while (b < e && is_space(input[b])) ++b;
  while (e > b && is_space(input[e - 1])) --e;
  std::string out(input.substr(b, e - b));
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

char check_char(std::string_view first15) {
  int sum = 0;
  for (int i = 0; i < 15; ++i) {
    char c = first15[i];
    int index = is_digit(c) ? c - '0' : c - 'A';
    // Position i + 1 is odd when i is even.
    sum += (i % 2 == 0) ? kOddValues[index] : index;
  }
  return static_cast<char>('A' + sum % 26);
}

Status validate_person(std::string_view input) {
  return check_structure(normalize(input));
}

Result<Decoded> decode(std::string_view input, chr::year_month_day today) {
  Decoded d;
  d.code = normalize(input);
  if (auto st = check_structure(d.code); !st) return st.error();
  d.canonical = canonicalize(d.code);
  d.omocodic = d.canonical.substr(0, 15) != d.code.substr(0, 15);

  const std::string& c = d.canonical;
  int yy = (c[6] - '0') * 10 + (c[7] - '0');
  auto month = chr::month{static_cast<unsigned>(kMonthLetters.find(c[8])) + 1};
  int day = (c[9] - '0') * 10 + (c[10] - '0');
  d.sex = day > 40 ? Sex::female : Sex::male;
  if (day > 40) day -= 40;
  auto day_of_month = chr::day{static_cast<unsigned>(day)};

  // The latest century that does not put the birth after `today` (see the header).
  int century = static_cast<int>(today.year()) / 100 * 100;
  chr::year_month_day birth{chr::year{century + yy}, month, day_of_month};
  if (chr::sys_days{birth} > chr::sys_days{today} || !birth.ok()) {
    birth = chr::year_month_day{chr::year{century - 100 + yy}, month, day_of_month};
  }
  d.birth_date = birth;
  d.belfiore = c.substr(11, 4);
  d.born_abroad = d.belfiore[0] == 'Z';
  return d;
}

Result<Decoded> decode(std::string_view input) {
  return decode(input, utc_today());
}

Result<Checked> validate_any(std::string_view input) {
  Checked out{normalize(input), Kind::person};
  if (out.code.size() == 11) {
    if (auto st = piva::validate(out.code); !st) return st.error();
    out.kind = Kind::numeric;
    return out;
  }
  if (out.code.size() != 16) {
    return error("cf.length", fmt::format("expected 16 characters or 11 digits, got {}", out.code.size()));
  }
  if (auto st = check_structure(out.code); !st) return st.error();
  return out;
}

Result<std::string> compute(std::string_view surname, std::string_view name, Sex sex,
                            chr::year_month_day birth_date, std::string_view belfiore) {
  auto surname_letters = fold_name(surname, "cf.surname");
  if (!surname_letters) return surname_letters.error();
  auto name_letters = fold_name(name, "cf.name");
  if (!name_letters) return name_letters.error();
  if (!birth_date.ok()) return error("cf.birth_date", "not a valid date");
  std::string place = normalize(belfiore);
  if (place.size() != 4 || !is_upper(place[0]) || !is_digit(place[1]) || !is_digit(place[2]) ||
      !is_digit(place[3])) {
    return error("cf.belfiore", fmt::format("'{}' is not a letter followed by three digits", place));
  }
  int year = static_cast<int>(birth_date.year());
  int month = static_cast<int>(static_cast<unsigned>(birth_date.month()));
  int day = static_cast<int>(static_cast<unsigned>(birth_date.day())) + (sex == Sex::female ? 40 : 0);

  std::string code = surname_part(*surname_letters) + name_part(*name_letters);
  code += fmt::format("{:02}{}{:02}{}", (year % 100 + 100) % 100, kMonthLetters[month - 1], day, place);
  code += check_char(code);
  return code;
}

Result<std::string> omocode(std::string_view input, int level) {
  if (level < 0 || level > static_cast<int>(kOmocodiaOrder.size())) {
    return error("cf.level", fmt::format("omocodia level {} is outside 0..7", level));
  }
  std::string code = normalize(input);
  if (auto st = check_structure(code); !st) return st.error();
  std::string out = canonicalize(code);
  for (int k = 0; k < level; ++k) {
    int i = kOmocodiaOrder[k];
    out[i] = kOmocodiaLetters[out[i] - '0'];
  }
  out[15] = check_char(std::string_view(out).substr(0, 15));
  return out;
}

}  // namespace sp::cf
