#pragma once
// `sportello audit verify`: walks every tenant's chain, checks it against the anchor files, and prints
// what it can vouch for. The CLI wires the subcommand to run_verify_command.
#include <ostream>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::audit {

// A chain head a preservation service accepted in a package (src/conservazione): an anchor outside the
// hub, checked like the anchor files' lines (its entry must still be there with that hash).
struct PreservedAnchor {
  tenants::TenantId tenant_id = 0;
  std::int64_t seq = 0;
  std::string hash;
  std::string accepted_at;  // when the conservator's receipt was recorded
  std::string receipt_id;
};

struct VerifyOptions {
  std::string key_file;                    // the chain key (audit_key_file); read, never made
  std::vector<std::string> anchor_files;   // audit_anchor_file, or one per node (--anchor-file)
  std::string keys_dir;                    // the hub's audit-hmac key ring (keys_dir); read, never written
  std::vector<PreservedAnchor> preserved;  // the newest head preserved per body; prints a line for each
};

// First what was loaded ("key <id> (<file>)" or "keys <id>, <id> (<ring folder>)", "anchors: N of M lines
// verified in <file>"), then one line per tenant with entries or anchors:
//   "tenant N: verified up to <at> (seq S, K entries)"  every entry is covered by a matching anchor
//   "tenant N: verified up to <at> (seq A); not anchored after <at>: K newer entries are chained but no
//    anchor vouches for them"  / "tenant N: not anchored: ..."  entries newer than the last anchor
//   "tenant N: BROKEN at seq S: <problem> (K entries intact before it)"  a changed, missing, forged or
//    recomputed entry, or an anchored entry that is gone (tail cut, chain deleted)
//   "tenant N: CANNOT VERIFY: ..."  entries keyed with a key that is not loaded
// plus "tenant N: note: seq 1-U were written before the chain was keyed ..." for format v1 entries, and
// "anchor file F line L: BROKEN: ..." / "... CANNOT CHECK: ..." for anchor lines that fail their MAC or
// cannot be checked. For each preserved head, "tenant N: anchored at the conservator up to seq S (receipt R,
// <accepted_at>)"; such a head counts as an anchor (a chain cut or rewritten below it is BROKEN).
// Exit code, the worst that applies: 1 something is broken (tampering); 2 something could not be
// verified (no key, unreadable database or file); 3 every chain is intact but some entries are newer
// than the last anchor (expected on a running server: anchors are written every few minutes);
// 0 every entry is vouched for by an anchor, or the log is empty.
int run_verify_command(db::Database& db, const VerifyOptions& options, std::ostream& out);

// Exit codes of run_verify_command.
inline constexpr int kVerifyOk = 0;
inline constexpr int kVerifyBroken = 1;
inline constexpr int kVerifyCannot = 2;
inline constexpr int kVerifyNotAnchored = 3;

}  // namespace sp::audit
