#pragma once
// Small text helpers for search and display. Folding is for matching only: never store folded text
// in place of what a person typed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::text {

std::string to_lower_ascii(std::string_view s);
// Lower-case, Latin accents removed (à→a, È→e, ç→c ...), apostrophes and punctuation turned into
// spaces, runs of spaces collapsed, trimmed: "Sant'Agata  DE' Goti" → "sant agata de goti".
std::string fold(std::string_view s);
std::string trim(std::string_view s);
std::vector<std::string> split_lines(std::string_view s);  // drops empty lines, trims each
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) and those in
// `also_keep` (e.g. "/" for a path put into a query parameter), with upper-case hex digits.
std::string percent_encode(std::string_view s, std::string_view also_keep = {});
// %XX decoding (and '+' as a space in form bodies and query strings); nullopt on a truncated or non-hex
// escape. The bytes are not checked for UTF-8: callers that need text check it.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);
// A non-negative decimal number as written in a URL or a form: ASCII digits only, 1 to 18 of them (no
// sign, no spaces, no "0x", nothing after). "3abc", "+3", " 3", "-1" and "" are not numbers; std::stoll
// accepted the first three.
std::optional<std::int64_t> parse_decimal(std::string_view s);

}  // namespace sp::text
