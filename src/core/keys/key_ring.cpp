#include "core/keys/key_ring.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/crypto/encoding.hpp"
#include "core/crypto/jwk.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::keys {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::days kAuditValidity{3653};
constexpr std::chrono::days kStampValidity{1096};
// SPID/CIE keys: a year, then rolled over with the old key published until it expires.
constexpr std::chrono::days kOidcKeyValidity{366};

Error keys_io(const std::string& what) {
  return Error::make("keys.io", 500, what + ": " + std::strerror(errno));
}

std::optional<std::string> slurp_key_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  return s;
}

// Writes `text` to `path` whole: a private temporary file, fsync'd, renamed into place.
Status write_whole(const fs::path& path, const std::string& text) {
  const std::string temp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + ids::random_token(6);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return keys_io(temp);
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto e = keys_io(temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = keys_io(temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto e = keys_io(path.string());
    ::unlink(temp.c_str());
    return e;
  }
  if (const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok{};
}

// Makes `dir` and its parents up to keys_dir with mode 700.
Status make_private_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::make("keys.io", 500, dir.string() + ": " + ec.message());
  // owner, purpose folders and keys_dir itself
  fs::path p = dir;
  for (int i = 0; i < 3 && !p.empty(); ++i, p = p.parent_path()) ::chmod(p.c_str(), 0700);
  return Ok{};
}

// An exclusive lock on a ring's folder, for as long as it lives.
class RingLock {
 public:
  explicit RingLock(const fs::path& dir) {
    fd_ = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~RingLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  RingLock(const RingLock&) = delete;
  RingLock& operator=(const RingLock&) = delete;
  [[nodiscard]] bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string metadata_text(const Key& k) {
  boost::json::object o;
  o["kid"] = k.id;
  o["owner"] = k.owner;
  o["purpose"] = to_string(k.purpose);
  o["alg"] = k.alg;
  o["status"] = to_string(k.status);
  o["not_before"] = time::format_iso_utc(k.not_before);
  o["not_after"] = time::format_iso_utc(k.not_after);
  o["created_at"] = time::format_iso_utc(k.created_at);
  if (k.purpose == Purpose::stamp_signing) o["public_key"] = crypto::base64url_encode(k.public_key);
  return boost::json::serialize(o) + "\n";
}

std::string secret_text(const Key& k) {
  if (k.purpose == Purpose::xml_signing || is_rsa_purpose(k.purpose)) return k.secret;
  // audit-hmac: the 32 bytes; stamp-signing: the 32-byte seed (the rest is derived from it).
  return crypto::hex_encode(k.purpose == Purpose::stamp_signing ? k.secret.substr(0, 32) : k.secret) + "\n";
}

Status write_key(const fs::path& dir, const Key& k) {
  // The secret first: metadata without its secret is skipped by load, a secret without metadata too.
  if (auto st = write_whole(dir / (k.id + ".key"), secret_text(k)); !st) return st;
  return write_whole(dir / (k.id + ".json"), metadata_text(k));
}

std::optional<time::TimePoint> time_field(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  auto t = time::parse_iso_utc(std::string(v->as_string()));
  if (!t) return std::nullopt;
  return *t;
}

std::string string_field(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<time::TimePoint> asn1_time(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The validity and key type of a PEM certificate.
bool certificate_facts(const std::string& pem, Key& k) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return false;
  auto nb = asn1_time(X509_get0_notBefore(cert));
  auto na = asn1_time(X509_get0_notAfter(cert));
  if (k.alg.empty()) {
    if (EVP_PKEY* pk = X509_get0_pubkey(cert)) k.alg = OBJ_nid2sn(EVP_PKEY_base_id(pk));
  }
  X509_free(cert);
  if (!nb || !na) return false;
  if (k.not_before == time::TimePoint{}) k.not_before = *nb;
  if (k.not_after == time::TimePoint{}) k.not_after = *na;
  return true;
}

// One key from its files; nullopt (with a problem noted) when they do not make a usable key.
std::optional<Key> read_key(const fs::path& dir, const std::string& id, const std::string& owner,
                            Purpose purpose, std::vector<std::string>& problems) {
  Key k;
  k.id = id;
  k.owner = owner;
  k.purpose = purpose;
  const auto key_path = dir / (id + ".key");
  const auto meta = slurp_key_file(dir / (id + ".json"));
  const auto secret = slurp_key_file(key_path);
  if (!secret) {
    problems.push_back(key_path.string() + ": cannot be read");
    return std::nullopt;
  }
  if (meta) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(*meta, ec);
    if (ec || !doc.is_object()) {
      problems.push_back((dir / (id + ".json")).string() + ": not a JSON object");
      return std::nullopt;
    }
    const auto& o = doc.as_object();
    k.alg = string_field(o, "alg");
    auto status = parse_status(string_field(o, "status"));
    if (!status) {
      problems.push_back((dir / (id + ".json")).string() + ": unknown status");
      return std::nullopt;
    }
    k.status = *status;
    if (auto t = time_field(o, "not_before")) k.not_before = *t;
    if (auto t = time_field(o, "not_after")) k.not_after = *t;
    if (auto t = time_field(o, "created_at")) k.created_at = *t;
  } else if (purpose != Purpose::xml_signing) {
    problems.push_back((dir / (id + ".json")).string() + ": missing");
    return std::nullopt;
  }
  switch (purpose) {
    case Purpose::audit_hmac: {
      auto bytes = crypto::hex_decode(trim_line(*secret));
      if (!bytes || bytes->size() != 32) {
        problems.push_back(key_path.string() + ": expected 64 hexadecimal characters");
        return std::nullopt;
      }
      k.secret = std::move(*bytes);
      if (k.alg.empty()) k.alg = "HS256";
      break;
    }
    case Purpose::stamp_signing: {
      auto seed = crypto::hex_decode(trim_line(*secret));
      if (!seed || seed->size() != crypto_sign_SEEDBYTES) {
        problems.push_back(key_path.string() + ": expected 64 hexadecimal characters");
        return std::nullopt;
      }
      unsigned char pk[crypto_sign_PUBLICKEYBYTES];
      unsigned char sk[crypto_sign_SECRETKEYBYTES];
      crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed->data()));
      k.secret.assign(reinterpret_cast<const char*>(sk), sizeof sk);
      k.public_key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
      sodium_memzero(sk, sizeof sk);
      if (k.alg.empty()) k.alg = "EdDSA";
      break;
    }
    case Purpose::oidc_log: {
      auto bytes = crypto::hex_decode(trim_line(*secret));
      if (!bytes || bytes->size() != 32) {
        problems.push_back(key_path.string() + ": expected 64 hexadecimal characters");
        return std::nullopt;
      }
      k.secret = std::move(*bytes);
      if (k.alg.empty()) k.alg = "XC20P";
      break;
    }
    case Purpose::oidc_federation:
    case Purpose::oidc_core:
    case Purpose::oidc_encryption: {
      auto rsa = crypto::Key::from_private_pem(*secret);
      if (!rsa || !rsa->is_rsa()) {
        problems.push_back(key_path.string() + ": expected an RSA private key (PEM)");
        return std::nullopt;
      }
      k.secret = *secret;
      k.public_key = rsa->public_pem();
      if (k.alg.empty()) k.alg = purpose == Purpose::oidc_encryption ? "RSA-OAEP-256" : "RS256";
      break;
    }
    case Purpose::xml_signing: {
      k.secret = *secret;
      auto cert = slurp_key_file(dir / (id + ".crt"));
      if (!cert || !certificate_facts(*cert, k)) {
        problems.push_back((dir / (id + ".crt")).string() + ": missing or not a PEM certificate");
        return std::nullopt;
      }
      k.public_key = *cert;
      break;
    }
  }
  if (purpose != Purpose::xml_signing &&
      key_id(purpose, purpose == Purpose::audit_hmac || purpose == Purpose::oidc_log ? k.secret
                                                                                     : k.public_key) != id) {
    problems.push_back(key_path.string() + ": the key does not match its id (file renamed or edited)");
    return std::nullopt;
  }
  return k;
}

Key generate(const std::string& owner, Purpose purpose, time::TimePoint now, const NewKey& options) {
  Key k;
  k.owner = owner;
  k.purpose = purpose;
  k.status = KeyStatus::active;
  k.created_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  k.not_before = std::chrono::time_point_cast<std::chrono::seconds>(options.not_before.value_or(now));
  auto validity = options.validity.count() > 0                                     ? options.validity
                  : purpose == Purpose::audit_hmac || purpose == Purpose::oidc_log ? kAuditValidity
                  : is_rsa_purpose(purpose)                                        ? kOidcKeyValidity
                                                                                   : kStampValidity;
  k.not_after = k.not_before + validity;
  if (purpose == Purpose::audit_hmac || purpose == Purpose::oidc_log) {
    k.secret.assign(32, '\0');
    ids::random_bytes(k.secret.data(), k.secret.size());
    k.alg = purpose == Purpose::oidc_log ? "XC20P" : "HS256";
    k.id = key_id(purpose, k.secret);
  } else if (is_rsa_purpose(purpose)) {
    const auto rsa = crypto::Key::generate(crypto::JwsAlg::rs256);
    k.secret = rsa.private_pem();
    k.public_key = rsa.public_pem();
    k.alg = purpose == Purpose::oidc_encryption ? "RSA-OAEP-256" : "RS256";
    k.id = key_id(purpose, k.public_key);
  } else {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    k.secret.assign(reinterpret_cast<const char*>(sk), sizeof sk);
    k.public_key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
    sodium_memzero(sk, sizeof sk);
    k.alg = "EdDSA";
    k.id = key_id(purpose, k.public_key);
  }
  return k;
}

Status check_owner(const std::string& owner) {
  if (!valid_owner(owner)) return Error::make("keys.owner", 400, "not a body slug or \"hub\": " + owner);
  return Ok{};
}

}  // namespace

const char* to_string(Purpose p) {
  switch (p) {
    case Purpose::audit_hmac:
      return "audit-hmac";
    case Purpose::stamp_signing:
      return "stamp-signing";
    case Purpose::xml_signing:
      return "xml-signing";
    case Purpose::oidc_federation:
      return "oidc-federation";
    case Purpose::oidc_core:
      return "oidc-core";
    case Purpose::oidc_encryption:
      return "oidc-encryption";
    case Purpose::oidc_log:
      return "oidc-log";
  }
  return "?";
}

const std::vector<Purpose>& all_purposes() {
  static const std::vector<Purpose> all = {
      Purpose::audit_hmac, Purpose::stamp_signing,   Purpose::xml_signing, Purpose::oidc_federation,
      Purpose::oidc_core,  Purpose::oidc_encryption, Purpose::oidc_log};
  return all;
}

bool is_rsa_purpose(Purpose p) {
  return p == Purpose::oidc_federation || p == Purpose::oidc_core || p == Purpose::oidc_encryption;
}

std::optional<Purpose> parse_purpose(std::string_view text) {
  for (auto p : all_purposes()) {
    if (text == to_string(p)) return p;
  }
  return std::nullopt;
}

const char* to_string(KeyStatus s) {
  switch (s) {
    case KeyStatus::active:
      return "active";
    case KeyStatus::retired:
      return "retired";
    case KeyStatus::revoked:
      return "revoked";
  }
  return "?";
}

std::optional<KeyStatus> parse_status(std::string_view text) {
  for (auto s : {KeyStatus::active, KeyStatus::retired, KeyStatus::revoked}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

KeyRing::KeyRing(std::string owner, Purpose purpose, std::vector<Key> keys)
    : owner_(std::move(owner)), purpose_(purpose), keys_(std::move(keys)) {
  std::sort(keys_.begin(), keys_.end(), [](const Key& a, const Key& b) {
    return a.not_before != b.not_before ? a.not_before < b.not_before : a.id < b.id;
  });
}

const Key* KeyRing::signing(time::TimePoint now) const {
  const Key* best = nullptr;
  for (const auto& k : keys_) {
    if (k.signs_at(now) && (best == nullptr || k.not_before >= best->not_before)) best = &k;
  }
  return best;
}

const Key* KeyRing::find(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id && k.verifies()) return &k;
  }
  return nullptr;
}

const Key* KeyRing::verifying(std::string_view id, time::TimePoint signed_at) const {
  const Key* k = find(id);
  if (k == nullptr || signed_at < k->not_before || signed_at >= k->not_after) return nullptr;
  return k;
}

bool valid_owner(std::string_view owner) {
  if (owner.empty() || owner.size() > 63 || owner.front() == '-') return false;
  return std::all_of(owner.begin(), owner.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string ring_dir(const std::string& keys_dir, const std::string& owner, Purpose purpose) {
  return (fs::path(keys_dir) / owner / to_string(purpose)).string();
}

std::string key_id(Purpose purpose, std::string_view material) {
  std::string input = purpose == Purpose::audit_hmac      ? "sportello-audit-key-id:"
                      : purpose == Purpose::stamp_signing ? "sportello-stamp-key-id:"
                      : purpose == Purpose::oidc_log      ? "sportello-oidc-log-key-id:"
                      : is_rsa_purpose(purpose)           ? "sportello-oidc-key-id:"
                                                          : "sportello-xml-key-id:";
  input.append(material.data(), material.size());
  return digest::sha256_hex(input).substr(0, 16);
}

Result<KeyRing> load_ring(const std::string& keys_dir, const std::string& owner, Purpose purpose) {
  if (auto st = check_owner(owner); !st) return st.error();
  const fs::path dir = ring_dir(keys_dir, owner, purpose);
  std::vector<Key> keys;
  std::vector<std::string> problems;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    std::set<std::string> ids;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto name = entry.path().filename().string();
      if (name.size() > 4 && name.ends_with(".key") && name.find(".tmp-") == std::string::npos) {
        ids.insert(name.substr(0, name.size() - 4));
      }
    }
    for (const auto& id : ids) {
      if (auto k = read_key(dir, id, owner, purpose, problems)) keys.push_back(std::move(*k));
    }
  }
  KeyRing ring(owner, purpose, std::move(keys));
  ring.problems = std::move(problems);
  for (auto& p : permission_problems(dir.string())) ring.problems.push_back(std::move(p));
  return ring;
}

Result<Key> rotate(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                   time::TimePoint now, const NewKey& options) {
  if (auto st = check_owner(owner); !st) return st.error();
  if (purpose == Purpose::xml_signing) {
    return Error::make("keys.purpose", 400,
                       "xml-signing keys come with a certificate: place <kid>.key and <kid>.crt");
  }
  if (options.validity.count() < 0) return Error::make("keys.validity", 400, "negative validity");
  const fs::path dir = ring_dir(keys_dir, owner, purpose);
  if (auto st = make_private_dirs(dir); !st) return st.error();
  RingLock lock(dir);
  if (!lock.ok()) return keys_io((dir / ".lock").string());
  auto ring = load_ring(keys_dir, owner, purpose);
  if (!ring) return ring.error();
  Key fresh = generate(owner, purpose, now, options);
  if (auto st = write_key(dir, fresh); !st) return st.error();
  if (fresh.not_before <= now) {
    for (auto k : ring->keys()) {
      if (k.status != KeyStatus::active) continue;
      k.status = KeyStatus::retired;
      if (auto st = write_whole(dir / (k.id + ".json"), metadata_text(k)); !st) return st.error();
    }
  }
  return fresh;
}

Result<KeyRing> ensure_ring(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                            time::TimePoint now) {
  auto ring = load_ring(keys_dir, owner, purpose);
  if (!ring || ring->signing(now) != nullptr || purpose == Purpose::xml_signing) return ring;
  const fs::path dir = ring_dir(keys_dir, owner, purpose);
  if (auto st = make_private_dirs(dir); !st) return st.error();
  {
    RingLock lock(dir);
    if (!lock.ok()) return keys_io((dir / ".lock").string());
    ring = load_ring(keys_dir, owner, purpose);  // someone may have made it meanwhile
    if (!ring || ring->signing(now) != nullptr) return ring;
    Key fresh = generate(owner, purpose, now, {});
    if (auto st = write_key(dir, fresh); !st) return st.error();
  }
  return load_ring(keys_dir, owner, purpose);
}

Result<KeyRing> place_certificate(const std::string& keys_dir, const std::string& owner,
                                  const std::string& key_pem, const std::string& cert_pem) {
  if (auto st = check_owner(owner); !st) return st.error();
  const fs::path dir = ring_dir(keys_dir, owner, Purpose::xml_signing);
  if (auto st = make_private_dirs(dir); !st) return st.error();
  {
    RingLock lock(dir);
    if (!lock.ok()) return keys_io((dir / ".lock").string());
    const std::string id = key_id(Purpose::xml_signing, cert_pem);
    std::error_code ec;
    if (!fs::exists(dir / (id + ".crt"), ec)) {
      // The key first: a certificate without its key is never loaded.
      if (auto st = write_whole(dir / (id + ".key"), key_pem); !st) return st.error();
      if (auto st = write_whole(dir / (id + ".crt"), cert_pem); !st) return st.error();
    }
  }
  return load_ring(keys_dir, owner, Purpose::xml_signing);
}

Result<KeyRing> import_secret(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                              const std::string& secret, KeyStatus status, time::TimePoint now) {
  if (purpose != Purpose::audit_hmac || secret.size() != 32) {
    return Error::make("keys.purpose", 400, "only a 32-byte audit-hmac secret can be imported");
  }
  const fs::path dir = ring_dir(keys_dir, owner, purpose);
  if (auto st = make_private_dirs(dir); !st) return st.error();
  {
    RingLock lock(dir);
    if (!lock.ok()) return keys_io((dir / ".lock").string());
    auto ring = load_ring(keys_dir, owner, purpose);
    if (!ring) return ring.error();
    const std::string id = key_id(purpose, secret);
    bool present =
        std::any_of(ring->keys().begin(), ring->keys().end(), [&](const Key& k) { return k.id == id; });
    if (!present) {
      Key k = generate(owner, purpose, now, {});
      k.secret = secret;
      k.id = id;
      k.status = status;
      k.not_before = std::chrono::time_point_cast<std::chrono::seconds>(time::TimePoint{});  // since ever
      if (auto st = write_key(dir, k); !st) return st.error();
    }
  }
  return load_ring(keys_dir, owner, purpose);
}

Status set_status(const std::string& keys_dir, const std::string& owner, Purpose purpose,
                  const std::string& id, keys::KeyStatus status) {
  if (auto st = check_owner(owner); !st) return st;
  const fs::path dir = ring_dir(keys_dir, owner, purpose);
  RingLock lock(dir);
  auto ring = load_ring(keys_dir, owner, purpose);
  if (!ring) return ring.error();
  for (auto k : ring->keys()) {
    if (k.id != id) continue;
    k.status = status;
    return write_whole(dir / (k.id + ".json"), metadata_text(k));
  }
  return Error::not_found(id);
}

std::vector<std::string> permission_problems(const std::string& keys_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(keys_dir, ec)) return out;
  auto check = [&](const fs::path& p, bool dir) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return;
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      out.push_back(p.string() + ": mode " + mode + (dir ? " (chmod 700)" : " (chmod 600)"));
    }
  };
  check(keys_dir, true);
  for (auto it = fs::recursive_directory_iterator(keys_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const bool dir = it->is_directory(ec);
    const auto name = it->path().filename().string();
    if (dir || name.ends_with(".key")) check(it->path(), dir);
  }
  return out;
}

std::vector<std::string> owners(const std::string& keys_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(keys_dir, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory(ec) && valid_owner(name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string sign(const Key& key, std::string_view message) {
  if (key.purpose != Purpose::stamp_signing || key.secret.size() != crypto_sign_SECRETKEYBYTES) return {};
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(key.secret.data()));
  return std::string(reinterpret_cast<const char*>(sig), sizeof sig);
}

bool verify(const KeyRing& ring, std::string_view key_id, time::TimePoint signed_at, std::string_view message,
            std::string_view signature) {
  const Key* k = ring.verifying(key_id, signed_at);
  if (k == nullptr || k->purpose != Purpose::stamp_signing || signature.size() != crypto_sign_BYTES ||
      k->public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(k->public_key.data())) == 0;
}

std::string public_jwks_json(const KeyRing& ring) {
  boost::json::array list;
  for (const auto& k : ring.keys()) {
    // Revoked keys stay published, marked revoked: what they signed then reads "revoked" offline too,
    // not "altered" (a verifier refuses a revoked key whatever it signed; docs/stamp.md).
    if (k.purpose != Purpose::stamp_signing) continue;
    boost::json::object o;
    o["kty"] = "OKP";
    o["crv"] = "Ed25519";
    o["x"] = crypto::base64url_encode(k.public_key);
    o["kid"] = k.id;
    o["alg"] = "EdDSA";
    o["use"] = "sig";
    o["status"] = to_string(k.status);
    o["not_before"] = time::format_iso_utc(k.not_before);
    o["not_after"] = time::format_iso_utc(k.not_after);
    list.push_back(std::move(o));
  }
  boost::json::object doc;
  doc["owner"] = ring.owner();
  doc["purpose"] = to_string(ring.purpose());
  doc["keys"] = std::move(list);
  return boost::json::serialize(doc);
}

}  // namespace sp::keys
