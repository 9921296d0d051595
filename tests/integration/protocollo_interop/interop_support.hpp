#pragma once
// What the suites of protocol messages share (tests/integration/protocollo_interop, protocollo_registry):
// AgID's schema folder, one signing identity per office for the whole run, and xmllint as a second,
// independent check of a document against AgID's schemas.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/crypto/smime.hpp"
#include "support/testing.hpp"

namespace sp::protocollo::interop_testing {

inline std::string agid_dir() {
  return sp::testing::source_dir() + "/../shared/agid";
}

// RSA keys take a while under the sanitizers: one identity per office for the whole run.
inline const crypto::SigningIdentity& identity(const std::string& who) {
  static std::map<std::string, crypto::SigningIdentity> made;
  auto it = made.find(who);
  if (it == made.end())
    it = made.emplace(who, crypto::self_signed_identity("Protocollo " + who, who, 365)).first;
  return it->second;
}

// The same check as `xmllint --noout --schema SCHEMA FILE` from AgID's folder: the schema as AgID
// publishes it, through a program that is not ours.
inline bool xmllint_valid(const std::string& xml, const std::string& schema,
                          const std::filesystem::path& dir) {
  const auto file = dir / ("doc-" + std::to_string(std::rand()) + ".xml");
  std::ofstream(file) << xml;
  const std::string cmd = "cd '" + agid_dir() + "' && xmllint --noout --schema " + schema + " '" +
                          file.string() + "' > /dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace sp::protocollo::interop_testing
