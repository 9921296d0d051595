// Test identities for the provider simulator and behaviour names for its authorize page.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/simulator.hpp"

namespace sp::oidc {

Result<std::vector<TestIdentity>> load_identities(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::make("oidc.identities", 500, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = detail::parse_object(ss.str(), "oidc.identities", 500);
  if (!doc) return doc.error();
  const auto* list = doc->if_contains("identities");
  if (list == nullptr || !list->is_array())
    return Error::make("oidc.identities", 500, path + ": no identities array");
  std::vector<TestIdentity> out;
  for (const auto& v : list->as_array()) {
    if (!v.is_object()) return Error::make("oidc.identities", 500, path + ": an identity is not an object");
    const auto& o = v.as_object();
    TestIdentity t;
    t.fiscal_number = detail::str(o, "fiscal_number");
    t.given_name = detail::str(o, "given_name");
    t.family_name = detail::str(o, "family_name");
    t.gender = detail::str(o, "gender");
    t.birthdate = detail::str(o, "birthdate");
    t.place_of_birth = detail::str(o, "place_of_birth");
    t.email = detail::str(o, "email");
    if (const auto* lvl = o.if_contains("max_spid_level"); lvl != nullptr && lvl->is_int64())
      t.max_spid_level = static_cast<int>(lvl->as_int64());
    if (const auto* kids = o.if_contains("children"); kids != nullptr && kids->is_array())
      for (const auto& k : kids->as_array())
        if (k.is_string()) t.children.emplace_back(k.as_string());
    if (t.fiscal_number.size() != 16 || t.given_name.empty() || t.family_name.empty() ||
        t.max_spid_level < 1 || t.max_spid_level > 3)
      return Error::make("oidc.identities", 500, path + ": incomplete identity '" + t.fiscal_number + "'");
    out.push_back(std::move(t));
  }
  if (out.empty()) return Error::make("oidc.identities", 500, path + ": no identities");
  return out;
}

std::optional<Behaviour> behaviour_from(std::string_view name) {
  for (auto b : {Behaviour::normal, Behaviour::bad_signature, Behaviour::expired, Behaviour::wrong_audience,
                 Behaviour::replayed_nonce, Behaviour::lower_acr, Behaviour::wrong_iss,
                 Behaviour::missing_iss, Behaviour::rs512, Behaviour::bad_at_hash, Behaviour::plain_userinfo,
                 Behaviour::signed_only_userinfo, Behaviour::userinfo_bad_signature})
    if (name == behaviour_name(b)) return b;
  return std::nullopt;
}

const char* behaviour_name(Behaviour b) {
  switch (b) {
    case Behaviour::normal:
      return "normal";
    case Behaviour::bad_signature:
      return "bad_signature";
    case Behaviour::expired:
      return "expired";
    case Behaviour::wrong_audience:
      return "wrong_audience";
    case Behaviour::replayed_nonce:
      return "replayed_nonce";
    case Behaviour::lower_acr:
      return "lower_acr";
    case Behaviour::wrong_iss:
      return "wrong_iss";
    case Behaviour::missing_iss:
      return "missing_iss";
    case Behaviour::rs512:
      return "rs512";
    case Behaviour::bad_at_hash:
      return "bad_at_hash";
    case Behaviour::plain_userinfo:
      return "plain_userinfo";
    case Behaviour::signed_only_userinfo:
      return "signed_only_userinfo";
    case Behaviour::userinfo_bad_signature:
      return "userinfo_bad_signature";
  }
  return "normal";
}

}  // namespace sp::oidc
