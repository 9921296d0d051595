#include "audit/key.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "audit/body_key.hpp"
#include "core/crypto/hmac.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"

namespace sp::audit {
namespace {

std::optional<std::string> hex_decode(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string errno_text() {
  return std::strerror(errno);
}

// Writes `text` to a new file `path` (which must not exist) with mode 600 and flushes it to disk.
void write_new_private_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("audit_key_file " + path + ": " + errno_text());
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto why = errno_text();
      ::close(fd);
      throw std::runtime_error("audit_key_file " + path + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("audit_key_file " + path + ": fsync: " + errno_text());
}

void fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

struct Registry {
  std::mutex mutex;
  std::map<const db::Database*, std::shared_ptr<const ChainKey>> keys;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

std::string key_id_of(std::string_view secret) {
  return keys::key_id(keys::Purpose::audit_hmac, secret);
}

const ChainKey* ChainKey::find(std::string_view key_id) const {
  if (id == key_id) return this;
  for (const auto& k : older) {
    if (k.id == key_id) return &k;
  }
  return nullptr;
}

ChainKey derive_body_key(const ChainKey& hub, std::int64_t tenant) {
  return make_key(crypto::hmac(crypto::HashAlgorithm::sha256, hub.secret,
                               "sportello-audit-body-key-v1:" + std::to_string(tenant)));
}

ChainKey body_writer(const ChainKey& hub, std::int64_t tenant) {
  if (tenant == 0) return make_key(hub.secret);
  return derive_body_key(hub, tenant);
}

ChainKey chain_key_for(const ChainKey& hub, std::int64_t tenant, std::string_view owner) {
  if (tenant == 0) return hub;
  auto imported = [](const ChainKey& k) { return k.id.find(kImportedKeySeparator) != std::string::npos; };
  ChainKey out = derive_body_key(hub, tenant);
  for (const auto& k : hub.older)
    if (!imported(k)) out.older.push_back(derive_body_key(k, tenant));
  // Entries made before chains were keyed per body: the hub's keys themselves.
  out.older.push_back(make_key(hub.secret));
  for (const auto& k : hub.older)
    if (!imported(k)) out.older.push_back(make_key(k.secret));
  if (!owner.empty()) {
    const std::string prefix = std::string(owner) + kImportedKeySeparator;
    for (const auto& k : hub.older)
      if (k.id.starts_with(prefix)) out.older.push_back(make_key(k.secret));
  }
  return out;
}

Result<std::shared_ptr<const ChainKey>> load_chain_key(const std::string& keys_dir,
                                                       const std::string& legacy_key_file,
                                                       time::TimePoint now, bool create) {
  std::optional<ChainKey> legacy;
  if (!legacy_key_file.empty()) {
    auto read = read_key_file(legacy_key_file);
    if (read) {
      legacy = std::move(*read);
    } else if (read.error().code != "audit.key_missing") {
      return read.error();
    }
  }
  Result<keys::KeyRing> ring = keys::load_ring(keys_dir, keys::kHub, keys::Purpose::audit_hmac);
  if (!ring) return ring.error();
  if (create) {
    if (legacy && ring->find(legacy->id) == nullptr) {
      // The first key of the ring when it has none that signs; otherwise kept for verification.
      const auto status = ring->signing(now) == nullptr ? keys::KeyStatus::active : keys::KeyStatus::retired;
      ring =
          keys::import_secret(keys_dir, keys::kHub, keys::Purpose::audit_hmac, legacy->secret, status, now);
      if (!ring) return ring.error();
      spdlog::info("audit key {} of {} imported into {}", legacy->id, legacy_key_file,
                   keys::ring_dir(keys_dir, keys::kHub, keys::Purpose::audit_hmac));
    }
    if (ring->signing(now) == nullptr) {
      ring = keys::ensure_ring(keys_dir, keys::kHub, keys::Purpose::audit_hmac, now);
      if (!ring) return ring.error();
      if (const auto* k = ring->signing(now)) {
        spdlog::warn(
            "made a new audit chain key {} in {}: copy or mount it on every node, back it up apart "
            "from the database",
            k->id, keys::ring_dir(keys_dir, keys::kHub, keys::Purpose::audit_hmac));
      }
    }
  }
  for (const auto& p : ring->problems) spdlog::warn("keys: {}", p);
  const keys::Key* signer = ring->signing(now);
  if (signer == nullptr && !ring->keys().empty()) signer = &ring->keys().back();  // verify only
  std::shared_ptr<ChainKey> out;
  if (signer != nullptr) {
    out = std::make_shared<ChainKey>(make_key(signer->secret));
  } else if (legacy) {
    out = std::make_shared<ChainKey>(*legacy);
    legacy.reset();
  } else {
    return std::shared_ptr<const ChainKey>();
  }
  for (const auto& k : ring->keys()) {
    if (k.verifies() && out->find(k.id) == nullptr) out->older.push_back(make_key(k.secret));
  }
  if (legacy && out->find(legacy->id) == nullptr) out->older.push_back(std::move(*legacy));
  // The keys bodies' chains brought from another hub (an import): in their body's ring, verify only.
  // Under "<slug>:<kid>" (body_key.hpp): no entry names them, chain_key_for gives them to their body.
  for (const auto& owner : keys::owners(keys_dir)) {
    if (owner == keys::kHub) continue;
    auto body_ring = keys::load_ring(keys_dir, owner, keys::Purpose::audit_hmac);
    if (!body_ring) continue;
    for (const auto& k : body_ring->keys()) {
      if (!k.verifies()) continue;
      ChainKey brought = make_key(k.secret);
      brought.id = owner + kImportedKeySeparator + brought.id;
      out->older.push_back(std::move(brought));
    }
  }
  return std::shared_ptr<const ChainKey>(std::move(out));
}

ChainKey make_key(std::string secret) {
  ChainKey k;
  k.id = key_id_of(secret);
  k.secret = std::move(secret);
  return k;
}

ChainKey generate_key() {
  std::string secret(kKeyBytes, '\0');
  ids::random_bytes(secret.data(), secret.size());
  return make_key(std::move(secret));
}

std::string key_file_text(const ChainKey& key) {
  return digest::to_hex(key.secret) + "\n";
}

Result<ChainKey> read_key_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error::make("audit.key_missing", 500, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make("audit.key_read", 500, path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  auto secret = hex_decode(s);
  if (!secret || secret->size() != kKeyBytes) {
    return Error::make("audit.key_format", 500, path + ": expected one line of 64 hexadecimal characters");
  }
  return make_key(std::move(*secret));
}

bool key_file_too_open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
}

ChainKey load_or_create_key_file(const std::string& path) {
  namespace fs = std::filesystem;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto existing = read_key_file(path);
    if (existing) {
      if (key_file_too_open(path)) {
        spdlog::warn("audit_key_file {} can be read by other users: chmod 600 it", path);
      }
      return std::move(*existing);
    }
    if (existing.error().code != "audit.key_missing") {
      throw std::runtime_error("audit_key_file " + existing.error().detail + " (" + existing.error().code +
                               ")");
    }
    // Write the whole key under a private name, then link it into place: link() fails when another
    // process got there first, and readers never see a half-written key.
    const fs::path target(path);
    if (target.has_parent_path()) fs::create_directories(target.parent_path());
    ChainKey key = generate_key();
    const std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + ids::random_token(6);
    write_new_private_file(temp, key_file_text(key));
    const int linked = ::link(temp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked == 0) {
      fsync_dir(target.parent_path());
      spdlog::info("made a new audit chain key {} in {} (back it up apart from the database)", key.id, path);
      return key;
    }
    if (link_errno != EEXIST) {
      throw std::runtime_error("audit_key_file " + path + ": " + std::strerror(link_errno));
    }
    // Someone else made it meanwhile: read theirs.
  }
  throw std::runtime_error("audit_key_file " + path + ": could not be read or made");
}

KeyBinding::KeyBinding(db::Database& db, std::shared_ptr<const ChainKey> key)
    : db_(&db), key_(std::move(key)) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.keys[db_] = key_;
}

KeyBinding::~KeyBinding() {
  release();
}

KeyBinding::KeyBinding(KeyBinding&& other) noexcept : db_(other.db_), key_(std::move(other.key_)) {
  other.db_ = nullptr;
}

KeyBinding& KeyBinding::operator=(KeyBinding&& other) noexcept {
  if (this != &other) {
    release();
    db_ = other.db_;
    key_ = std::move(other.key_);
    other.db_ = nullptr;
  }
  return *this;
}

void KeyBinding::release() {
  if (db_ == nullptr) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.keys.find(db_);
  if (it != r.keys.end() && it->second == key_) r.keys.erase(it);
  db_ = nullptr;
}

std::shared_ptr<const ChainKey> bound_key(const db::Database& db) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.keys.find(&db);
  return it == r.keys.end() ? nullptr : it->second;
}

}  // namespace sp::audit
