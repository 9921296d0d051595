#include "anagrafe/model.hpp"

#include "core/digest.hpp"

namespace sp::anagrafe {

std::string PersonVersion::street_line() const {
  const auto& self = *this;
  std::string out;
  if (!self[F::specie_via].empty()) out = self[F::specie_via] + " " + self[F::denominazione_via];
  if (!self[F::civico].empty()) {
    out += (out.empty() ? "" : " ") + self[F::civico];
    if (!self[F::esponente].empty()) out += "/" + self[F::esponente];
  }
  if (!self[F::interno].empty()) out += (out.empty() ? "int. " : ", int. ") + self[F::interno];
  return out;
}

std::string PersonVersion::content_hash() const {
  std::string canonical;
  canonical.reserve(400);
  for (const auto& v : f) {
    canonical += v;
    canonical += '\x1f';  // unit separator: no value holds control characters (the import refuses them)
  }
  return digest::sha256_hex(canonical);
}

}  // namespace sp::anagrafe
