#include "identity/sign_in.hpp"

#include <boost/json.hpp>

#include "core/codice_fiscale.hpp"
#include "core/digest.hpp"

namespace sp::identity {
namespace {
// A sign-in must come back from the provider within this time.
constexpr std::chrono::minutes kPendingValidity{10};
}  // namespace

std::string SignInService::safe_return_to(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.rfind("//", 0) == 0 ||
      path.find('\\') != std::string::npos || path.find_first_of("\r\n") != std::string::npos) {
    return "/";
  }
  return path;
}

AuthProvider* SignInService::find(const std::string& id) const {
  for (const auto& p : providers_) {
    if (p->id() == id) return p.get();
  }
  return nullptr;
}

Result<std::string> SignInService::start(const std::string& provider_id, int acr_level,
                                         const std::string& return_to) {
  auto* provider = find(provider_id);
  if (!provider) return Error::not_found("provider " + provider_id);
  if (acr_level < 1 || acr_level > 3)
    return Error::make("identity.acr_level", 400, std::to_string(acr_level));
  auto begun = provider->begin(acr_level);
  if (!begun) return begun.error();
  PendingSignIn pending{provider_id,
                        begun->nonce,
                        begun->code_verifier,
                        acr_level,
                        safe_return_to(return_to),
                        time::format_iso_utc(clock_.now())};
  db_.write([&](db::Conn& tx) { people_.insert_pending(tx, digest::sha256_hex(begun->state), pending); });
  return begun->redirect_url;
}

Result<SignedIn> SignInService::finish(const std::string& state, const std::string& code,
                                       const std::string& provider_error, const std::string& previous_token,
                                       const std::string& remote_addr) {
  if (state.empty() || state.size() > 512) return Error::make("identity.callback_unknown", 400);
  const auto now = clock_.now();
  std::optional<PendingSignIn> pending;
  db_.write([&](db::Conn& tx) {
    pending =
        people_.consume_pending(tx, digest::sha256_hex(state), time::format_iso_utc(now - kPendingValidity),
                                time::format_iso_utc(now));
  });
  if (!pending) return Error::make("identity.callback_unknown", 400);
  if (!provider_error.empty()) return Error::make("identity.provider_error", 400, provider_error);
  if (code.empty() || code.size() > 2048) return Error::make("identity.callback_unknown", 400);
  auto* provider = find(pending->provider);
  if (!provider) return Error::not_found("provider " + pending->provider);

  AuthStart sent{"", state, pending->nonce, pending->code_verifier, pending->acr_level};
  auto verified = provider->complete(code, sent);
  if (!verified) return verified.error();
  if (verified->acr_level < pending->acr_level) {
    return Error::make("identity.acr_level", 403, std::to_string(verified->acr_level));
  }
  auto cf = cf::decode(verified->fiscal_code);
  if (!cf) return Error::make("identity.fiscal_code", 400, verified->fiscal_code);

  Person person;
  person.fiscal_code = cf->canonical;
  person.given_name = verified->given_name;
  person.family_name = verified->family_name;
  person.birth_date = verified->birth_date;
  person.email = verified->email;
  NewSession ns;
  ns.kind = PrincipalKind::person;
  ns.subject = cf->canonical;
  ns.roles = {Role::citizen};
  ns.auth_level = verified->acr_level;
  ns.display_name = person.full_name();
  SignedIn out;
  db_.write([&](db::Conn& tx) {
    people_.upsert_from_sign_in(tx, person, time::format_iso_utc(now));
    out.session = sessions_.start(tx, ns, previous_token);
    if (audit_) {
      audit::Entry e;
      e.tenant_id = audit::kHubTenant;
      e.actor_kind = audit::ActorKind::person;
      e.actor_id = cf->canonical;
      e.channel = audit::Channel::web;
      e.action = "auth.sign_in";
      e.record_type = audit::kRecordPerson;
      e.record_id = cf->canonical;
      e.remote_addr = remote_addr;
      e.details = boost::json::serialize(
          boost::json::object{{"provider", pending->provider}, {"level", verified->acr_level}});
      if (auto st = audit_->record(tx, e); !st) throw std::runtime_error("audit: " + st.error().code);
    }
  });
  out.return_to = pending->return_to;
  out.identity = std::move(*verified);
  out.identity.fiscal_code = cf->canonical;
  return out;
}

}  // namespace sp::identity
