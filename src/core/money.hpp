#pragma once
// Money: an integer count of euro cents (DESIGN.md, "Conventions"); never a floating-point number.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::money {

using Cents = std::int64_t;

// "€ 1.234,56" for "it" (the default, and any language other than "en"), "€1,234.56" for "en".
// Negative amounts put the minus sign first: "-€ 16,00", "-€16.00".
std::string format(Cents cents, std::string_view lang = "it");

struct ParseOptions {
  bool allow_negative = false;  // refunds and corrections may be negative; amounts due never are
};

// Parses what a person types: "16", "16,00", "16.00", "16,5", "1.234,56", "1,234.56", "1234.56",
// "€ 16", "16 €", "EUR 16", "-16,00" (when allowed). Separators: if both '.' and ',' appear, the last
// one is the decimal separator; a single separator followed by 1 or 2 digits is decimal, followed by 3
// digits it groups thousands ("1.234" is 1234 euro, as an Italian writes it); thousands groups are
// checked to be 3 digits. Errors: money.format (detail says why), money.negative, money.overflow.
Result<Cents> parse(std::string_view input, ParseOptions options = {});

// Parses a machine-written amount with exactly two decimals, `\d+\.\d{2}` (pagoPA reporting flows,
// XSD decimals written as such): "20.00" is 2000, "0.01" is 1. No sign, no blanks, no grouping, no
// other separator; leading zeros are accepted ("007.50"). Exact integer arithmetic, never a double.
// Errors: money.format (detail quotes the input), money.overflow (beyond INT64_MAX cents).
Result<Cents> parse_fixed2(std::string_view input);

}  // namespace sp::money
