#include "identity/sign_in.hpp"

#include <boost/json.hpp>

#include "core/codice_fiscale.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace sp::identity {
namespace {

// The provider's refusal in the callback (AgID, "Linee guida OpenID Connect in SPID", "Authentication
// Response" > "Errori"; RFC 6749 section 4.1.2.1): each code the guidelines list has its own message for
// the citizen (the SPID UX guidelines: error_description is for developers and is only logged).
Error provider_refusal(const std::string& code) {
  static constexpr std::string_view kKnown[] = {
      "access_denied",           "invalid_client", "invalid_request",  "invalid_scope",       "server_error",
      "temporarily_unavailable", "login_required", "consent_required", "interaction_required"};
  for (auto known : kKnown) {
    if (code == known) return Error::make("identity.provider." + code, 400, code);
  }
  return Error::make("identity.provider_error", 400, code.substr(0, 64));
}
// Longest return path kept (longer ones are not links of ours).
constexpr std::size_t kMaxReturnTo = 2048;

// Exactly one leading slash, then no control character (C0 or DEL) and no backslash anywhere. A browser
// removes tabs and newlines from a URL and reads a backslash as a slash, so "/\t/x" and "/\\x" would
// both become "//x": another host.
bool local_path(std::string_view p) {
  if (p.empty() || p.front() != '/') return false;
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  for (char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || c == '\\') return false;
  }
  return true;
}

// The value that ties a pending sign-in to the browser's cookie: neither the state alone (in the URL,
// known to whoever made the link) nor the binding alone finds it.
std::string pending_key(const std::string& state, const std::string& binding) {
  return digest::sha256_hex(state + "\n" + binding);
}

}  // namespace

std::string SignInService::sign_in_id(const std::string& state) {
  return digest::sha256_hex("sportello-sign-in\n" + state).substr(0, 32);
}

std::string SignInService::safe_return_to(const std::string& path) {
  // The decoded form is checked too: "/%2F/evil.example" or "/%5Cevil.example" mean nothing good for a
  // path of ours, and a proxy or a browser may decode them. A malformed escape decodes to nothing local.
  const std::string decoded = text::percent_decode(path).value_or("\\");
  if (path.size() > kMaxReturnTo || !local_path(path) || !local_path(decoded)) return "/";
  return path;
}

AuthProvider* SignInService::find(const std::string& id) const {
  for (const auto& p : providers_) {
    if (p->id() == id) return p.get();
  }
  return nullptr;
}

Result<StartedSignIn> SignInService::start(const std::string& provider_id, int acr_level,
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
  StartedSignIn started{begun->redirect_url, ids::random_token(32)};
  db_.write([&](db::Conn& tx) {
    people_.insert_pending(tx, pending_key(begun->state, started.browser_binding), pending);
    if (log_)
      log_->append(tx, sign_in_id(begun->state), provider->client_id(), provider_id,
                   {{"authorization_request", begun->redirect_url}});
  });
  return started;
}

Result<SignedIn> SignInService::finish(const ProviderCallback& cb, const std::string& previous_token,
                                       const std::string& remote_addr) {
  if (cb.state.empty() || cb.state.size() > 512) return Error::make("identity.callback_unknown", 400);
  // No binding cookie: this browser started no sign-in (or it was finished already). Not a query worth
  // making, and nothing is consumed, so the real owner of the state can still finish it.
  if (cb.browser_binding.empty() || cb.browser_binding.size() > 128)
    return Error::make("identity.callback_unknown", 400, "no sign-in started in this browser");
  const auto now = clock_.now();
  std::optional<PendingSignIn> pending;
  bool expired = false;
  db_.write([&](db::Conn& tx) {
    const auto key = pending_key(cb.state, cb.browser_binding);
    const auto not_before = time::format_iso_utc(now - kPendingValidity);
    pending = people_.consume_pending(tx, key, not_before, time::format_iso_utc(now));
    if (!pending) expired = people_.pending_expired(tx, key, not_before);
  });
  // This browser's own sign-in, back too late (the SPID UX guidelines' "timeout" case): said as such.
  if (!pending && expired) return Error::make("identity.signin_expired", 400);
  if (!pending) return Error::make("identity.callback_unknown", 400);
  auto* provider = find(pending->provider);
  if (!provider) return Error::not_found("provider " + pending->provider);
  // The message log of this sign-in: the callback as it came, then what complete() exchanges.
  std::vector<OidcMessage> transcript;
  transcript.push_back({"authorization_response",
                        "state=" + cb.state + "&code=" + cb.code + "&iss=" + cb.iss + "&error=" + cb.error});
  const std::string log_id = sign_in_id(cb.state);
  auto fail = [&](Error e) -> Error {
    if (log_) {
      transcript.push_back({"error", e.code + ": " + e.detail});
      log_->append(log_id, provider->client_id(), pending->provider, transcript);
    }
    return e;
  };
  // RFC 9207: which provider answered. An error response is checked only when it names one (it signs
  // nobody in either way).
  if (!cb.error.empty()) {
    if (!cb.iss.empty()) {
      if (auto st = provider->check_issuer(cb.iss); !st) return fail(st.error());
    }
    return fail(provider_refusal(cb.error));
  }
  if (auto st = provider->check_issuer(cb.iss); !st) return fail(st.error());
  const std::string& code = cb.code;
  if (code.empty() || code.size() > 2048) return fail(Error::make("identity.callback_unknown", 400));

  AuthStart sent{"", cb.state, pending->nonce, pending->code_verifier, pending->acr_level, &transcript};
  auto verified = provider->complete(code, sent);
  if (!verified) return fail(verified.error());
  if (verified->acr_level < pending->acr_level) {
    return fail(Error::make("identity.acr_level", 403, std::to_string(verified->acr_level)));
  }
  auto cf = cf::decode(verified->fiscal_code);
  if (!cf) return fail(Error::make("identity.fiscal_code", 400, verified->fiscal_code));

  Person person;
  person.fiscal_code = cf->canonical;
  person.given_name = verified->given_name;
  person.family_name = verified->family_name;
  person.birth_date = verified->birth_date;
  person.email = verified->email;
  person.preferred_language = cb.lang == "en" ? "en" : "it";  // kept only when the person is new
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
    if (log_) {
      log_->append(tx, log_id, provider->client_id(), pending->provider, transcript);
      if (!verified->access_token.empty()) {
        // Kept until revoked at sign-out or by the job; no use after the provider's own expiry.
        const auto lifetime = verified->token_lifetime_s > 0
                                  ? std::chrono::seconds(verified->token_lifetime_s)
                                  : std::chrono::seconds(sessions_.policy().absolute);
        log_->keep_token(tx, out.session.id, pending->provider, provider->client_id(), log_id,
                         verified->access_token, now + lifetime);
      }
    }
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

Status SignInService::revoke_at_provider(const std::string& session_id) {
  if (log_ == nullptr || session_id.empty()) return Ok{};
  auto token = log_->token_of_session(session_id);
  if (!token) return Ok{};
  auto* provider = find(token->provider);
  if (provider == nullptr) return Error::not_found("provider " + token->provider);
  std::vector<OidcMessage> transcript;
  auto st = provider->revoke(token->access_token, &transcript);
  if (!st) transcript.push_back({"error", st.error().code + ": " + st.error().detail});
  log_->append(token->sign_in_id, token->client_id, token->provider, transcript);
  log_->token_revoked(session_id, st ? std::string() : st.error().code + ": " + st.error().detail);
  return st;
}

int SignInService::revoke_ended(std::chrono::seconds idle) {
  if (log_ == nullptr) return 0;
  int revoked = 0;
  for (const auto& t : log_->tokens_of_ended_sessions(idle)) {
    if (revoke_at_provider(t.session_id)) ++revoked;
  }
  return revoked;
}

}  // namespace sp::identity
