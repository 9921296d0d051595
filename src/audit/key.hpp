#pragma once
// The audit chain's key: an HMAC-SHA256 secret kept in a file outside the database (setting
// `audit_key_file`, default var/audit-hmac.key, made on first start with mode 600). Someone who can
// write to the database but cannot read this file cannot recompute a chain after changing a row.
//
// Key file: one line of 64 hexadecimal characters (32 random bytes), e.g. `openssl rand -hex 32`.
// Key id: the first 16 hex characters of SHA-256("sportello-audit-key-id:" + the 32 bytes). Every keyed
// entry stores the id of the key that made its MAC, so entries made with an older key stay verifiable
// once keys rotate.
//
// Key ring (core/keys, docs/keys.md): the hub's `audit-hmac` ring under `keys_dir`
// (var/keys/hub/audit-hmac/<kid>.key) holds every audit key; the newest active one writes, the older
// ones (retired) keep verifying entries and anchor lines they made. An existing `audit_key_file` is
// imported into the ring at start (the same bytes, so the same id) and is read as a verifying key when
// present; nothing makes a new one there any more.
//
// Binding: the services of one process that write to one database must all use the same key, or the
// chain would mix keyed and unkeyed links. The application binds its key to its db::Database once at
// start (bind_key); every AuditService built on that database afterwards picks it up, including those
// the domain services (protocol, cases) build for themselves.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::audit {

struct ChainKey {
  std::string id;      // 16 lower-case hex characters
  std::string secret;  // 32 raw bytes
  // The other keys of the ring this key writes for: they write no more, but verify the entries and
  // anchor lines they made. Empty for a lone key.
  std::vector<ChainKey> older;

  // This key or one of `older` with that id; null when none is loaded.
  [[nodiscard]] const ChainKey* find(std::string_view key_id) const;
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

// The hub's audit key ring as a ChainKey: the key that signs now, with every other key that still
// verifies in `older`; plus the key of `legacy_key_file` when that file exists. With `create`
// (serve, demo, import) the legacy key is imported into the ring and a first key is made when none
// signs; without it (audit verify, audit anchor) nothing is written. Null when no key is found at all.
// Errors: keys.* and audit.key_* (a legacy file that exists but cannot be used).
Result<std::shared_ptr<const ChainKey>> load_chain_key(const std::string& keys_dir,
                                                       const std::string& legacy_key_file,
                                                       time::TimePoint now, bool create);

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
