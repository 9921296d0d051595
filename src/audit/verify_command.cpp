#include "audit/verify_command.hpp"

#include <algorithm>
#include <exception>

#include "audit/anchor.hpp"
#include "audit/key.hpp"
#include "audit/service.hpp"

namespace sp::audit {
namespace {

const char* entries_word(std::int64_t n) {
  return n == 1 ? " entry" : " entries";
}

// Severity order: ok < not anchored < cannot verify < broken.
int rank(int code) {
  switch (code) {
    case kVerifyNotAnchored:
      return 1;
    case kVerifyCannot:
      return 2;
    case kVerifyBroken:
      return 3;
    default:
      return 0;
  }
}

void worsen(int& rc, int code) {
  if (rank(code) > rank(rc)) rc = code;
}

std::string seqs(std::int64_t from, std::int64_t to) {
  return from == to ? "seq " + std::to_string(from)
                    : "seq " + std::to_string(from) + "-" + std::to_string(to);
}

// One tenant's line(s); returns its exit code.
int print_report(const ChainReport& r, std::ostream& out) {
  const std::string who = "tenant " + std::to_string(r.tenant_id) + ": ";
  if (!r.intact) {
    out << who << "BROKEN at seq " << r.broken_seq << ": " << r.problem << " (" << r.entries
        << entries_word(r.entries) << " intact before it)\n";
    return kVerifyBroken;
  }
  int rc = kVerifyOk;
  if (r.unchecked_entries > 0) {
    out << who << "CANNOT VERIFY: " << r.unchecked_entries << entries_word(r.unchecked_entries)
        << " keyed with key " << r.missing_key_id
        << ", which is not loaded (audit_key_file): their links are intact, their HMAC unchecked\n";
    rc = kVerifyCannot;
  } else if (r.anchored_seq > 0 && r.anchored_seq == r.last_seq) {
    out << who << "verified up to " << r.anchored_entry_at << " (seq " << r.last_seq << ", " << r.entries
        << entries_word(r.entries) << ")\n";
  } else if (r.anchored_seq > 0) {
    const auto newer = r.last_seq - r.anchored_seq;
    out << who << "verified up to " << r.anchored_entry_at << " (seq " << r.anchored_seq
        << "); not anchored after " << r.anchored_entry_at << ": " << newer << " newer" << entries_word(newer)
        << " (" << seqs(r.anchored_seq + 1, r.last_seq) << ", to " << r.last_at
        << ") chained but no anchor vouches for " << (newer == 1 ? "it" : "them") << "\n";
    rc = kVerifyNotAnchored;
  } else {
    out << who << "not anchored: " << r.entries << entries_word(r.entries) << " ("
        << seqs(r.first_seq, r.last_seq) << ", " << r.first_at << " to " << r.last_at
        << ") chained but no anchor vouches for " << (r.entries == 1 ? "it" : "them") << "\n";
    rc = kVerifyNotAnchored;
  }
  if (r.unkeyed_entries > 0) {
    out << who << "note: " << seqs(r.first_seq, r.first_seq + r.unkeyed_entries - 1)
        << " were written before the chain was keyed: only hash-chained (plain SHA-256)\n";
  }
  return rc;
}

}  // namespace

int run_verify_command(db::Database& db, const VerifyOptions& options, std::ostream& out) {
  try {
    int rc = kVerifyOk;
    std::shared_ptr<const ChainKey> key;
    if (!options.keys_dir.empty()) {
      // The ring: every key that still verifies, and the legacy key file when it exists.
      auto ring = load_chain_key(options.keys_dir, options.key_file, time::system_clock().now(), false);
      if (!ring) {
        out << "keys: cannot be read (" << ring.error().code << ": " << ring.error().detail << ")\n";
        return kVerifyCannot;
      }
      key = *ring;
      if (key) {
        out << "key " << key->id << " (" << options.keys_dir << ")\n";
        for (const auto& k : key->older) out << "key " << k.id << " (older, verifies only)\n";
      } else {
        out << "key: none (no key in " << options.keys_dir << " nor " << options.key_file << ")\n";
      }
    } else if (auto k = read_key_file(options.key_file); k) {
      key = std::make_shared<const ChainKey>(std::move(*k));
      out << "key " << key->id << " (" << options.key_file << ")\n";
    } else {
      // Not an error by itself (a log written before keying needs none); keyed entries and anchors
      // will say they cannot be checked.
      out << "key: none (" << k.error().detail << ": " << k.error().code << ")\n";
    }

    std::vector<Anchor> anchors;
    for (const auto& file : options.anchor_files) {
      auto read = read_anchor_file(file, key.get());
      if (!read.exists) {
        out << "anchors: " << file << " does not exist\n";
      } else {
        out << "anchors: " << read.anchors.size() << " of " << read.lines << " lines verified in " << file
            << "\n";
      }
      for (const auto& p : read.problems) {
        out << "anchor file " << file;
        if (p.line > 0) out << " line " << p.line;
        out << ": " << (p.unverifiable ? "CANNOT CHECK: " : "BROKEN: ") << p.problem << "\n";
        worsen(rc, p.unverifiable ? kVerifyCannot : kVerifyBroken);
      }
      anchors.insert(anchors.end(), std::make_move_iterator(read.anchors.begin()),
                     std::make_move_iterator(read.anchors.end()));
    }

    for (const auto& p : options.preserved) {
      Anchor a;
      a.tenant_id = p.tenant_id;
      a.seq = p.seq;
      a.hash = p.hash;
      a.anchored_at = p.accepted_at + " (conservator, receipt " + p.receipt_id + ")";
      if (p.seq >= 1) anchors.push_back(std::move(a));
    }
    AuditService service(db, time::system_clock(), key);
    auto reports = service.verify_all(anchors);
    if (reports.empty()) out << "audit log is empty\n";
    for (const auto& r : reports) worsen(rc, print_report(r, out));
    // Every chain's line about the conservator (the hub's, tenant 0, included) once preservation is in use:
    // the last head it holds, or that it holds none yet.
    for (const auto& p : options.preserved) {
      if (p.seq < 1) continue;
      out << "tenant " << p.tenant_id << ": anchored at the conservator up to seq " << p.seq << " (receipt "
          << p.receipt_id << ", " << p.accepted_at << ")\n";
    }
    if (!options.preserved.empty()) {
      for (const auto& r : reports) {
        const bool held =
            std::any_of(options.preserved.begin(), options.preserved.end(),
                        [&](const PreservedAnchor& p) { return p.tenant_id == r.tenant_id && p.seq >= 1; });
        if (!held) out << "tenant " << r.tenant_id << ": no head preserved at the conservator yet\n";
      }
    }
    return rc;
  } catch (const std::exception& e) {
    // A verification that could not run must not look like an intact log.
    out << "audit verify failed: " << e.what() << '\n';
    return kVerifyCannot;
  }
}

}  // namespace sp::audit
