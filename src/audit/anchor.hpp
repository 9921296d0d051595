#pragma once
// Anchors: each body's chain head written down outside the database, so that someone who can change
// the database (and drop its append-only triggers) cannot cut entries off the end of a chain, or
// rewrite a chain, without `sportello audit verify` noticing. A keyed chain alone cannot show a cut tail:
// the shorter chain is still a valid chain.
//
// The anchor file (setting `audit_anchor_file`, default var/audit-anchors.jsonl) is append-only JSON
// lines, one per body whose head changed since the last anchoring:
//   {"tenant_id":5,"seq":120,"hash":"<the entry's hash>","at":"<the entry's at>",
//    "anchored_at":"<when this line was written>","key_id":"<chain key id>","mac":"<hex>"}
// mac = HMAC-SHA256 with the chain key (key.hpp) of
//   "sportello-audit-anchor-v1" + length_prefixed(tenant_id, seq, hash, at, anchored_at, key_id)
// (chain.hpp's length prefix), so a line cannot be edited or made up without the key file. Lines are
// written with O_APPEND in one write() and fsync'd. Removing lines from the end of the anchor file is
// not detectable from the file itself: keep it where the database's users cannot write (another host,
// append-only or WORM storage, the preservation service later), and back it up apart from the database.
//
// Who writes it: AnchorJob, started by `sportello serve` (once at start, every audit_anchor_interval_s,
// once at a clean stop), and `sportello audit anchor`. Several nodes: give each node its own file (pass
// them all to `audit verify --anchor-file`), or one file on shared storage; lines from several nodes
// for the same head are harmless duplicates.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/key.hpp"
#include "audit/model.hpp"
#include "core/ticker.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::audit {

inline constexpr std::string_view kAnchorFormat = "sportello-audit-anchor-v1";

// The bytes an anchor line's MAC covers (see above).
std::string anchor_bytes(const Anchor& a);
// HMAC-SHA256 of anchor_bytes(a) with `key`, 64 lower-case hex characters.
std::string anchor_mac(const Anchor& a, const ChainKey& key);
// The anchor's JSON line, with its MAC and the trailing newline. a.key_id must be key.id.
std::string anchor_line(const Anchor& a, const ChainKey& key);

struct AnchorFileProblem {
  std::int64_t line = 0;  // 1-based; 0 for the file as a whole
  std::string problem;
  // True when the line could not be checked (its key is not loaded): no evidence either way.
  // False when the line is evidence of tampering (malformed, or its MAC does not verify).
  bool unverifiable = false;
};

struct AnchorFile {
  std::string path;
  bool exists = false;
  std::int64_t lines = 0;
  std::vector<Anchor> anchors;  // the lines whose MAC verified, in file order
  std::vector<AnchorFileProblem> problems;
};

// Reads `path` and checks every line's MAC with `key` (null: no key loaded, no line can be checked).
// A missing file is not an error (exists = false); an unreadable one throws std::runtime_error.
AnchorFile read_anchor_file(const std::string& path, const ChainKey* key);

// Writes anchors for the heads of every chain in `db` to the file at `path`.
class Anchorer {
 public:
  Anchorer(db::Database& db, std::shared_ptr<const ChainKey> key, std::string path,
           const time::Clock& clock = time::system_clock());
  Anchorer(const Anchorer&) = delete;
  Anchorer& operator=(const Anchorer&) = delete;

  // Appends one line per tenant whose chain head is not anchored yet (compared with what this object
  // wrote before or, at its first call, with the newest valid lines already in the file), all in one
  // write, then fsync. A head behind its last anchor (a cut or rewritten chain) is not anchored and is
  // logged as an error: `audit verify` reports it. Returns the number of lines written. Throws
  // std::runtime_error when the file cannot be written, db::DbError when the database cannot be read.
  int anchor_now();

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct Last {
    std::int64_t seq = 0;
    std::string hash;
  };
  db::Database& db_;
  std::shared_ptr<const ChainKey> key_;
  std::string path_;
  const time::Clock& clock_;
  std::mutex mutex_;
  bool loaded_ = false;
  std::map<tenants::TenantId, Last> last_;
  std::set<std::string> warned_;  // problems logged once
};

// Runs an Anchorer in a thread of its own: once in start() (in the caller's thread, so a file that
// cannot be written stops the start), every `interval`, and once more in stop(). A plain callable plus a
// thin loop, so it can move onto the durable job runner (issue 12) unchanged.
class AnchorJob {
 public:
  AnchorJob(db::Database& db, std::shared_ptr<const ChainKey> key, std::string path,
            std::chrono::seconds interval, const time::Clock& clock = time::system_clock());
  ~AnchorJob();
  AnchorJob(const AnchorJob&) = delete;
  AnchorJob& operator=(const AnchorJob&) = delete;

  void start();
  // Stops the thread and anchors one last time. Idempotent.
  void stop();
  [[nodiscard]] Anchorer& anchorer() { return anchorer_; }

 private:
  void run_once();
  Anchorer anchorer_;
  std::chrono::seconds interval_;
  Ticker ticker_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace sp::audit
