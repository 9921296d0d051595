#pragma once
// Verification of a stamped PDF from public keys alone (docs/stamp.md): what `sportello verify FILE`
// does offline and the first half of what /verifica does online (which then asks the registry whether
// the document is known and not revoked).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/keys/key_ring.hpp"
#include "core/result.hpp"
#include "stamp/model.hpp"

namespace sp::stamp {

// The stamp-signing keys of the body named in a stamp (its slug), or null when there are none.
using RingOf = std::function<const keys::KeyRing*(const std::string& body)>;

struct FileCheck {
  // valid; altered; revoked (the bytes are the stamped ones but the key was revoked: a ring loaded from
  // keys_dir knows it, a published JWKS no longer lists it, which reads as altered, reason no_key);
  // unknown (no stamp in the file)
  Verdict verdict = Verdict::unknown;
  std::optional<Seal> seal;  // parsed from the file, when it could be
  std::string reason;        // why not valid: "no_stamp", "malformed", "rebuilt", "digest",
                             // "no_key", "key_revoked", "signature"
};

// Splits the file at its stamp, checks that the update is the one the stamper makes from the bytes
// before it, that those bytes have the stamp's digest, and that the signature holds with the key `k`
// of the body's ring (which must be that body's: the ring's owner is the stamp's body) at the stamp's
// date. Never looks at the registry (a revoked document is the registry's to say).
FileCheck check_file(const std::string& file, const RingOf& ring_of);

// The signature of a stamp's text (a scanned code) against the body's ring. Errors: stamp.malformed,
// stamp.no_key, stamp.key_revoked, stamp.signature.
Result<Seal> check_payload(std::string_view payload, const RingOf& ring_of);

// A published JWKS (/{slug}/chiavi.json, docs/keys.md) as a ring of public keys. Each key's id must be
// the one derived from its public key. Errors: stamp.jwks.
Result<keys::KeyRing> ring_from_jwks(std::string_view json);

}  // namespace sp::stamp
