#include "app/stamp_cli.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "adapters/http_client.hpp"
#include "core/crypto/encoding.hpp"
#include "stamp/verify.hpp"

namespace sp::app {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A JWKS from a file or an http(s) URL.
Result<std::string> fetch_keys(const std::string& where) {
  if (where.rfind("http://", 0) == 0 || where.rfind("https://", 0) == 0) {
    adapters::HttpClient client;
    auto r = client.get(where, {{"Accept", "application/json"}});
    if (!r) return r.error();
    if (r->status != 200)
      return Error::make("stamp.jwks", 502, where + ": HTTP " + std::to_string(r->status));
    return r->body;
  }
  auto text = read_file(where);
  if (!text) return Error::make("stamp.jwks", 400, where + ": cannot read");
  return *text;
}

}  // namespace

VerifyCommand::VerifyCommand(CLI::App& cli) {
  verify_ = cli.add_subcommand("verify", "Check a stamped PDF offline against a body's published keys");
  verify_->add_option("file", file_, "The PDF")->required();
  verify_->add_option("--keys", keys_, "The body's published keys: a saved /{ente}/chiavi.json or its URL")
      ->required();
  verify_->add_flag("--json", json_, "Print the result as JSON");
}

bool VerifyCommand::parsed() const {
  return verify_->parsed();
}

int VerifyCommand::run(std::ostream& out, std::ostream& err) const {
  auto bytes = read_file(file_);
  if (!bytes) {
    err << "cannot read " << file_ << "\n";
    return 3;
  }
  std::vector<keys::KeyRing> rings;
  for (const auto& k : keys_) {
    auto text = fetch_keys(k);
    if (!text) {
      err << "keys " << k << ": " << text.error().detail << "\n";
      return 3;
    }
    auto ring = stamp::ring_from_jwks(*text);
    if (!ring) {
      err << "keys " << k << ": " << ring.error().detail << "\n";
      return 3;
    }
    rings.push_back(std::move(*ring));
  }
  auto result = stamp::check_file(*bytes, [&](const std::string& body) -> const keys::KeyRing* {
    for (const auto& r : rings)
      if (r.owner() == body) return &r;
    return nullptr;
  });
  if (json_) {
    boost::json::object o{{"verdict", stamp::to_string(result.verdict)}, {"reason", result.reason}};
    if (result.seal) {
      const auto& s = *result.seal;
      o["identifier"] = s.token;
      o["body"] = s.body;
      o["kind"] = s.kind;
      o["issued_at"] = time::format_iso_utc(s.issued_at);
      o["protocol"] = s.protocol;
      o["key_id"] = s.key_id;
      o["digest"] = crypto::hex_encode(s.digest);
    }
    out << boost::json::serialize(o) << "\n";
  } else {
    out << stamp::to_string(result.verdict);
    if (!result.reason.empty()) out << " (" << result.reason << ")";
    out << "\n";
    if (result.seal) {
      const auto& s = *result.seal;
      out << "identifier: " << s.token << "\nbody: " << s.body << "\nkind: " << s.kind
          << "\nissued: " << time::format_iso_utc(s.issued_at) << "\n";
      if (!s.protocol.empty()) out << "protocol: " << s.protocol << "\n";
      out << "key: " << s.key_id << "\nsha256: " << crypto::hex_encode(s.digest) << "\n";
    }
  }
  switch (result.verdict) {
    case stamp::Verdict::valid:
      return 0;
    case stamp::Verdict::unknown:
      return 2;
    default:
      return 1;
  }
}

}  // namespace sp::app
