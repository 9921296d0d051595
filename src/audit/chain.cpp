#include "audit/chain.hpp"

#include "core/crypto/hmac.hpp"
#include "core/digest.hpp"

namespace sp::audit {

std::string length_prefixed(const std::vector<std::string_view>& fields) {
  std::string out;
  for (auto f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out.append(f.data(), f.size());
    out += ';';
  }
  return out;
}

std::string canonical_bytes(const StoredEntry& e) {
  const Entry& x = e.entry;
  const std::string tenant = std::to_string(x.tenant_id);
  const std::string seq = std::to_string(e.seq);
  std::vector<std::string_view> fields = {tenant,
                                          seq,
                                          e.at,
                                          to_string(x.actor_kind),
                                          x.actor_id,
                                          x.on_behalf_of,
                                          to_string(x.channel),
                                          x.action,
                                          x.record_type,
                                          x.record_id,
                                          x.remote_addr,
                                          x.details,
                                          e.prev_hash};
  if (e.key_id.empty()) return std::string(kChainFormat) + length_prefixed(fields);
  fields.push_back(e.key_id);
  return std::string(kKeyedChainFormat) + length_prefixed(fields);
}

std::string entry_hash(const StoredEntry& e) {
  return digest::sha256_hex(canonical_bytes(e));
}

std::string keyed_entry_hash(const StoredEntry& e, const ChainKey& key) {
  return digest::to_hex(crypto::hmac(crypto::HashAlgorithm::sha256, key.secret, canonical_bytes(e)));
}

}  // namespace sp::audit
