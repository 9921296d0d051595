#pragma once
// Debt positions from a JSON file, read as a stream: the body of the API's bulk call
// ({"paymentPositions": [ ... ]}) or a bare array of GPD positions (import_gpd.hpp), of any length. Only
// one position's text is held at a time (at most kJsonMaxElement bytes), so memory does not grow with the
// file. Fines are created one at a time through the API, never imported (payments.fine).
#include <istream>

#include "payments/import_csv.hpp"

namespace sp::payments {

inline constexpr std::size_t kJsonMaxElement = 1024 * 1024;

// Errors for the whole file: import.json (not an array of objects, or malformed: detail says where).
Status read_json_positions(std::istream& in, bool publish, const ImportSink& sink);

}  // namespace sp::payments
