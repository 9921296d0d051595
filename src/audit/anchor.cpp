#include "audit/anchor.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "audit/body_key.hpp"
#include "audit/chain.hpp"
#include "audit/store.hpp"
#include "core/crypto/hmac.hpp"
#include "core/digest.hpp"

namespace sp::audit {
namespace {

std::runtime_error anchor_file_error(const std::string& path, const std::string& what) {
  return std::runtime_error("audit_anchor_file " + path + ": " + what);
}

// Appends `text` to `path` (made when missing, mode 640) in one write() where the system allows, then
// fsyncs the file (and its folder when the file is new). A last line left half-written by a crash is
// ended first, so the new lines stay whole.
void append_synced(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path file(path);
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  std::error_code ec;
  const bool existed = fs::exists(file, ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) throw anchor_file_error(path, std::strerror(errno));
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') out += '\n';
  }
  out += text;
  std::size_t done = 0;
  while (done < out.size()) {
    const auto n = ::write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw anchor_file_error(path, why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw anchor_file_error(path, "fsync: " + why);
  }
  ::close(fd);
  if (!existed) {
    const int dir =
        ::open(file.has_parent_path() ? file.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
}

std::optional<Anchor> parse_anchor(std::string_view line, std::string& mac) {
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto text = [&](const char* k) -> const boost::json::string* {
    const auto* f = o.if_contains(k);
    return f && f->is_string() ? &f->as_string() : nullptr;
  };
  auto number = [&](const char* k) -> std::optional<std::int64_t> {
    const auto* f = o.if_contains(k);
    if (f && f->is_int64()) return f->as_int64();
    if (f && f->is_uint64() && f->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(f->as_uint64());
    }
    return std::nullopt;
  };
  auto tenant = number("tenant_id");
  auto seq = number("seq");
  const auto* hash = text("hash");
  const auto* at = text("at");
  const auto* anchored_at = text("anchored_at");
  const auto* key_id = text("key_id");
  const auto* m = text("mac");
  if (!tenant || !seq || !hash || !at || !anchored_at || !key_id || !m || *tenant < 0 || *seq < 1) {
    return std::nullopt;
  }
  mac = std::string(*m);
  return Anchor{
      *tenant, *seq, std::string(*hash), std::string(*at), std::string(*anchored_at), std::string(*key_id)};
}

}  // namespace

std::string anchor_bytes(const Anchor& a) {
  const std::string tenant = std::to_string(a.tenant_id);
  const std::string seq = std::to_string(a.seq);
  return std::string(kAnchorFormat) + length_prefixed({tenant, seq, a.hash, a.at, a.anchored_at, a.key_id});
}

std::string anchor_mac(const Anchor& a, const ChainKey& key) {
  return digest::to_hex(crypto::hmac(crypto::HashAlgorithm::sha256, key.secret, anchor_bytes(a)));
}

std::string anchor_line(const Anchor& a, const ChainKey& key) {
  boost::json::object o;
  o["tenant_id"] = a.tenant_id;
  o["seq"] = a.seq;
  o["hash"] = a.hash;
  o["at"] = a.at;
  o["anchored_at"] = a.anchored_at;
  o["key_id"] = a.key_id;
  o["mac"] = anchor_mac(a, key);
  return boost::json::serialize(o) + "\n";
}

AnchorFile read_anchor_file(const std::string& path, const ChainKey* key) {
  AnchorFile out;
  out.path = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw anchor_file_error(path, "cannot be read");
  out.exists = true;
  if (key == nullptr) {
    out.problems.push_back({0, "no audit key is loaded, so no anchor can be checked", true});
  }
  std::string line;
  std::int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++out.lines;
    std::string mac;
    auto anchor = parse_anchor(line, mac);
    if (!anchor) {
      out.problems.push_back({n, "malformed line", false});
      continue;
    }
    if (key == nullptr) continue;
    const ChainKey* made_with = key->find(anchor->key_id);
    if (made_with == nullptr) {
      out.problems.push_back({n, "made with key " + anchor->key_id + ", which is not loaded", true});
      continue;
    }
    if (!digest::equal_constant_time(anchor_mac(*anchor, *made_with), mac)) {
      out.problems.push_back({n, "MAC mismatch (the line was changed or made without the key)", false});
      continue;
    }
    out.anchors.push_back(std::move(*anchor));
  }
  if (in.bad()) throw anchor_file_error(path, "read error");
  return out;
}

Anchorer::Anchorer(db::Database& db, std::shared_ptr<const ChainKey> key, std::string path,
                   const time::Clock& clock)
    : db_(db), key_(std::move(key)), path_(std::move(path)), clock_(clock) {
  if (!key_) throw std::invalid_argument("audit anchors need a chain key");
}

int Anchorer::anchor_now() {
  std::lock_guard lock(mutex_);
  if (!loaded_) {
    // Start from what the file already vouches for, so a restart does not repeat every head.
    for (const auto& a : read_anchor_file(path_, key_.get()).anchors) {
      auto& last = last_[a.tenant_id];
      if (a.seq >= last.seq) last = Last{a.seq, a.hash};
    }
    loaded_ = true;
  }
  const std::string anchored_at = time::format_iso_utc_millis(clock_.now());
  std::string lines;
  std::vector<std::pair<tenants::TenantId, Last>> written;
  for (const auto& h : AuditStore(db_).heads()) {
    auto it = last_.find(h.tenant_id);
    if (it != last_.end()) {
      const Last& last = it->second;
      if (last.seq == h.seq && last.hash == h.hash) continue;
      if (h.seq <= last.seq) {
        // The chain is shorter than, or differs at, what was anchored: evidence for `audit verify`,
        // never something to vouch for.
        const std::string what = "tenant " + std::to_string(h.tenant_id) + " seq " + std::to_string(h.seq);
        if (warned_.insert("behind " + what).second) {
          spdlog::error(
              "audit: the chain of tenant {} ends at seq {} but seq {} was anchored: not anchoring "
              "it (run `sportello audit verify`)",
              h.tenant_id, h.seq, last.seq);
        }
        continue;
      }
    }
    if (!h.key_id.empty() && chain_key_for(*key_, h.tenant_id).find(h.key_id) == nullptr &&
        warned_.insert("key " + h.key_id).second) {
      spdlog::warn(
          "audit: entries are keyed with key {} but this node's key is {}: every node must use the "
          "same audit key ring (keys_dir)",
          h.key_id, key_->id);
    }
    Anchor a{h.tenant_id, h.seq, h.hash, h.at, anchored_at, key_->id};
    lines += anchor_line(a, *key_);
    written.emplace_back(h.tenant_id, Last{h.seq, h.hash});
  }
  if (written.empty()) return 0;
  append_synced(path_, lines);
  for (auto& [tenant, last] : written) last_[tenant] = std::move(last);
  return static_cast<int>(written.size());
}

AnchorJob::AnchorJob(db::Database& db, std::shared_ptr<const ChainKey> key, std::string path,
                     std::chrono::seconds interval, const time::Clock& clock)
    : anchorer_(db, std::move(key), std::move(path), clock),
      interval_(interval),
      ticker_(interval, [this] { run_once(); }) {}

AnchorJob::~AnchorJob() {
  stop();
}

void AnchorJob::run_once() {
  try {
    const int n = anchorer_.anchor_now();
    if (n > 0) spdlog::debug("audit: anchored {} chain head(s) in {}", n, anchorer_.path());
  } catch (const std::exception& e) {  // a database outage or a full disk: the next round tries again
    spdlog::error("audit anchoring: {}", e.what());
  }
}

void AnchorJob::start() {
  if (started_) return;
  const int n = anchorer_.anchor_now();  // throws: a file that cannot be written stops the start
  spdlog::info("audit: anchoring chain heads in {} every {} s ({} written now)", anchorer_.path(),
               interval_.count(), n);
  started_ = true;
  ticker_.start();
}

void AnchorJob::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  ticker_.stop();
  run_once();  // the heads written since the last round
}

}  // namespace sp::audit
