#pragma once
// The hash chain: the canonical serialisation of an entry and its hash. Pure functions, so the exact
// bytes that are hashed can be unit-tested and re-implemented by an outside auditor.
//
// Format version 1 (entries without a key id, written before the chain was keyed):
//   "sportello-audit-v1" then, for each of the 13 fields in this order,
//   <length in bytes, decimal ASCII> ":" <bytes> ";"
// tenant_id, seq, at, actor_kind, actor_id, on_behalf_of, channel, action, record_type, record_id,
// remote_addr, details, prev_hash. Integers are written in decimal, NULL texts as empty strings.
// hash = SHA-256 of those bytes, lower-case hex. Anyone can recompute it, so a version 1 chain only
// shows changes made by someone who did not also recompute the rest of the chain.
//
// Format version 2 (keyed, entries with a key id):
//   "sportello-audit-v2" then the same 13 fields and a 14th, key_id, in the same length-prefixed form.
// hash = HMAC-SHA256 with the chain key (key.hpp) of those bytes, lower-case hex. Without the key file
// nobody can make a hash that verifies, so a changed row cannot be hidden by recomputing the chain.
//
// The length prefix makes the encoding injective: no two different field lists give the same bytes,
// whatever characters (":", ";", newlines) the fields contain.
#include <string>
#include <string_view>
#include <vector>

#include "audit/key.hpp"
#include "audit/model.hpp"

namespace sp::audit {

inline constexpr std::string_view kChainFormat = "sportello-audit-v1";
inline constexpr std::string_view kKeyedChainFormat = "sportello-audit-v2";

// The length-prefixed concatenation of `fields` (without the format tag).
std::string length_prefixed(const std::vector<std::string_view>& fields);

// The bytes hashed for an entry: version 1 when e.key_id is empty (kChainFormat + the 13 fields),
// version 2 otherwise (kKeyedChainFormat + the 13 fields + key_id).
std::string canonical_bytes(const StoredEntry& e);

// SHA-256 of canonical_bytes(e), 64 lower-case hex characters: the chain hash of a version 1 entry.
// (For a keyed entry this is what someone without the key would compute, and it does not verify.)
std::string entry_hash(const StoredEntry& e);

// HMAC-SHA256 with `key` of canonical_bytes(e), 64 lower-case hex characters: the chain hash of a
// version 2 entry. e.key_id must be key.id (the id is part of the bytes).
std::string keyed_entry_hash(const StoredEntry& e, const ChainKey& key);

}  // namespace sp::audit
