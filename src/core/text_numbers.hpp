#pragma once
// Numbers as people read them (core/text.cpp). A header of its own so that the many files including
// core/text.hpp do not depend on it.
#include <cstdint>
#include <string>
#include <string_view>

namespace sp::text {

// A whole number with its thousands grouped in the page's language: "4.999" and "1.234.567" in Italian
// (the default, and any language other than "en"), "4,999" in English; "-1.234" for a negative one. The
// one place numbers shown to people are grouped (money::format uses it too). Not for numbers people type
// back (form values) nor identifiers (protocol numbers, codes, years).
std::string group_digits(std::int64_t n, std::string_view lang = "it");

}  // namespace sp::text
