#pragma once
// The hash chain: the canonical serialisation of an entry and its SHA-256. Pure functions, so the exact
// bytes that are hashed can be unit-tested and re-implemented by an outside auditor.
//
// Format (version 1):  "sportello-audit-v1" then, for each of the 13 fields in this order,
//   <length in bytes, decimal ASCII> ":" <bytes> ";"
// tenant_id, seq, at, actor_kind, actor_id, on_behalf_of, channel, action, record_type, record_id,
// remote_addr, details, prev_hash. Integers are written in decimal, NULL texts as empty strings.
// The length prefix makes the encoding injective: no two different field lists give the same bytes,
// whatever characters (":", ";", newlines) the fields contain.
#include <string>
#include <string_view>
#include <vector>

#include "audit/model.hpp"

namespace sp::audit {

inline constexpr std::string_view kChainFormat = "sportello-audit-v1";

// The length-prefixed concatenation of `fields` (without the format tag).
std::string length_prefixed(const std::vector<std::string_view>& fields);

// The bytes hashed for an entry: kChainFormat + length_prefixed(the 13 fields).
std::string canonical_bytes(const StoredEntry& e);

// SHA-256 of canonical_bytes(e), 64 lower-case hex characters.
std::string entry_hash(const StoredEntry& e);

}  // namespace sp::audit
