#pragma once
// Per body: each body's audit chain is keyed with a key of its own, derived from the hub's key, so a body
// that leaves takes the keys of its chain with its export and its new provider verifies every HMAC, while
// the hub's key never leaves (docs/export.md, "The audit chain after an import"; docs/audit.md).
//
//   body key = HMAC-SHA256(hub key, "sportello-audit-body-key-v1:" + body id in decimal), its id the key
//   id of those 32 bytes (key.hpp). One-way: a body's key tells nothing of the hub's nor of another body's.
//
// The hub's own chain (tenant 0) uses the hub's key. Entries made before chains were keyed per body (with
// the hub's key itself) keep verifying. Keys a body's chain brought from another hub (an import) live in
// the body's ring `<keys_dir>/<slug>/audit-hmac/` (verify only); load_chain_key carries them in the hub
// key's `older` under the id "<slug>:<kid>", which no entry names, so they verify that body's chain only.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/key.hpp"
#include "audit/model.hpp"
#include "audit/store.hpp"
#include "db/database.hpp"

namespace sp::audit {

inline constexpr char kImportedKeySeparator = ':';

// The key of body `tenant`'s chain derived from the hub's key `hub` (above).
ChainKey derive_body_key(const ChainKey& hub, std::int64_t tenant);
// The key that writes `tenant`'s chain now: the hub's key for tenant 0, else the body's derived key.
ChainKey body_writer(const ChainKey& hub, std::int64_t tenant);
// Every key that verifies `tenant`'s chain, as one ChainKey (its find() names them by id): for tenant 0
// `hub` itself; for a body its derived key, the keys derived from the hub's older ones, the hub's keys
// themselves (older entries) and the keys imported for `owner` (the body's slug). Computed: keep it while
// walking a chain.
ChainKey chain_key_for(const ChainKey& hub, std::int64_t tenant, std::string_view owner = {});

// AuditService::verify's walk of `tenant`'s chain as the caller's connection `c` sees it (inside its
// transaction), with the keys `chain_key` (chain_key_for's): an import checks the chain it is writing
// before it commits. No anchors.
ChainReport verify_chain_with(db::Conn& c, std::int64_t tenant, const ChainKey& chain_key);

// The store's page of a chain on the caller's connection (AuditStore::chain_after's query).
std::vector<ChainRow> chain_after_on(db::Conn& c, std::int64_t tenant, std::int64_t after_seq, int limit);

}  // namespace sp::audit
