#pragma once
// The audit chain's key: an HMAC-SHA256 secret kept in a file outside the database (setting
// `audit_key_file`, default var/audit-hmac.key, made on first start with mode 600). Someone who can
// write to the database but cannot read this file cannot recompute a chain after changing a row.
//
// Key file: one line of 64 hexadecimal characters (32 random bytes), e.g. `openssl rand -hex 32`.
// Key id: the first 16 hex characters of SHA-256("sportello-audit-key-id:" + the 32 bytes). Every keyed
// entry stores the id of the key that made its MAC, so entries made with an older key stay verifiable
// once keys rotate (the key ring of issue 12); today a process holds one key.
//
// Binding: the services of one process that write to one database must all use the same key, or the
// chain would mix keyed and unkeyed links. The application binds its key to its db::Database once at
// start (bind_key); every AuditService built on that database afterwards picks it up, including those
// the domain services (protocol, cases) build for themselves.
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "db/database.hpp"

namespace sp::audit {

struct ChainKey {
  std::string id;      // 16 lower-case hex characters
  std::string secret;  // 32 raw bytes
};

inline constexpr std::size_t kKeyBytes = 32;

// The key id of `secret` (see above).
std::string key_id_of(std::string_view secret);
// A key from its 32 raw bytes (the id computed).
ChainKey make_key(std::string secret);
// A new random key.
ChainKey generate_key();

// The key file's text for `key`: its 64 hex characters and a newline.
std::string key_file_text(const ChainKey& key);
// Reads a key file. Errors: audit.key_missing (no such file), audit.key_format (not 64 hex characters),
// audit.key_read (an I/O error). Never creates anything.
Result<ChainKey> read_key_file(const std::string& path);
// Reads the key file, or makes a new key there (mode 600, parent folders made) when it does not exist.
// Safe when several processes start at once: the file appears whole or not at all, and the loser of the
// race reads the winner's key. Throws std::runtime_error when the file exists but cannot be used.
ChainKey load_or_create_key_file(const std::string& path);
// True when the file's permissions let the group or others read it (a key should be mode 600).
bool key_file_too_open(const std::string& path);

// Keeps `key` bound to `db` until destroyed (or moved from). See "Binding" above.
class KeyBinding {
 public:
  KeyBinding() = default;
  KeyBinding(db::Database& db, std::shared_ptr<const ChainKey> key);
  ~KeyBinding();
  KeyBinding(KeyBinding&& other) noexcept;
  KeyBinding& operator=(KeyBinding&& other) noexcept;
  KeyBinding(const KeyBinding&) = delete;
  KeyBinding& operator=(const KeyBinding&) = delete;

  [[nodiscard]] const std::shared_ptr<const ChainKey>& key() const { return key_; }

 private:
  void release();
  db::Database* db_ = nullptr;
  std::shared_ptr<const ChainKey> key_;
};

// The key bound to `db`, or null (then entries are written unkeyed, format v1).
std::shared_ptr<const ChainKey> bound_key(const db::Database& db);

}  // namespace sp::audit
