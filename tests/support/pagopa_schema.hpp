#pragma once
// pagoPA's own schema for the station's SOAP messages (../shared/pagopa/paForNode.xsd), for tests that check
// what we render against it with xmllint rather than only against our own parser. Header-only: the tests
// that use it link the pagopa codec (adapters) anyway.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "adapters/pagopa/node_soap.hpp"
#include "support/testing.hpp"

namespace sp::testing {

// Where the public pagoPA files are: SPORTELLO_SHARED_DIR/pagopa, or ../shared/pagopa next to the source
// tree.
inline std::filesystem::path shared_pagopa() {
  if (const char* env = std::getenv("SPORTELLO_SHARED_DIR"); env && *env) {
    return std::filesystem::path(env) / "pagopa";
  }
  return std::filesystem::path(source_dir()) / ".." / "shared" / "pagopa";
}

inline bool pa_for_node_schema_available() {
  return std::filesystem::exists(shared_pagopa() / "paForNode.xsd");
}

// The operation element of a rendered envelope, alone in a file, validated with xmllint against the
// official schema. Returns xmllint's exit status (0: valid) and its output.
inline std::pair<int, std::string> validate_pa_for_node(const std::string& envelope) {
  namespace fs = std::filesystem;
  const auto start = envelope.find("<pafn:");
  const auto end = envelope.find("</soapenv:Body>");
  if (start == std::string::npos || end == std::string::npos) return {-1, "no operation element"};
  std::string body = envelope.substr(start, end - start);
  // Standalone, the element needs its namespace declared on itself.
  body.insert(body.find_first_of(" >"), " xmlns:pafn=\"" + std::string(pagopa::kPaForNodeNs) + "\"");
  // paForNode.xsd imports the common types from "../../xsd-common/" (its place in pagopa-api): lay the two
  // files out that way in a temporary directory.
  TempDir dir;
  const auto root = fs::path(dir.path());
  fs::create_directories(root / "wsdl" / "xsd");
  fs::create_directories(root / "xsd-common");
  fs::copy_file(shared_pagopa() / "paForNode.xsd", root / "wsdl" / "xsd" / "paForNode.xsd");
  fs::copy_file(shared_pagopa() / "sac-common-types-1.0.xsd",
                root / "xsd-common" / "sac-common-types-1.0.xsd");
  const auto file = root / "body.xml";
  std::ofstream(file) << body;
  const std::string cmd = "xmllint --noout --schema '" + (root / "wsdl" / "xsd" / "paForNode.xsd").string() +
                          "' '" + file.string() + "' 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = p != nullptr ? pclose(p) : -1;
  return {status, out};
}

}  // namespace sp::testing
