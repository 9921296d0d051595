#pragma once
// `sportello verify FILE --keys JWKS [--keys JWKS ...] [--json]`: checks a stamped PDF offline
// (stamp/verify.hpp; docs/stamp.md) against the issuing body's published keys — a saved copy of
// /{ente}/chiavi.json or its URL. The keys are never taken from the document itself (a forgery would
// name its own). Prints the verdict and the stamp's data; exit status 0 valid, 1 altered or revoked,
// 2 no stamp in the file, 3 cannot verify (unreadable file or keys). Needs no database.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace sp::app {

class VerifyCommand {
 public:
  explicit VerifyCommand(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  int run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* verify_ = nullptr;
  std::string file_;
  std::vector<std::string> keys_;
  bool json_ = false;
};

}  // namespace sp::app
