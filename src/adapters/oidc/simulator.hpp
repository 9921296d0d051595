#pragma once
// A local SPID/CIE OpenID provider for the demo and the tests. It speaks the real protocol over HTTP
// (discovery, JWKS with rotation, authorize with a signed request object, token with private_key_jwt and
// PKCE, signed userinfo), so the relying party is exercised end to end, and it can misbehave on request
// so the tests prove that every kind of bad answer is refused.
//
// It is NOT a production identity provider: test identities only, state in memory, and an
// unauthenticated control route to rotate its keys. Never expose it outside a demo.
#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http_client.hpp"
#include "adapters/oidc/model.hpp"
#include "core/crypto/jwk.hpp"
#include "core/crypto/jwt.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "http/router.hpp"

namespace sp::oidc {

// One test person (data/demo/identities.json).
struct TestIdentity {
  std::string fiscal_number;  // 16 characters, without "TINIT-"
  std::string given_name;
  std::string family_name;
  std::string gender;          // "M" / "F"
  std::string birthdate;       // YYYY-MM-DD
  std::string place_of_birth;  // Belfiore code (Z### abroad)
  std::string email;
  int max_spid_level = 2;             // the highest level this person's credentials reach
  std::vector<std::string> children;  // fiscal numbers of minors this person is the parent of
};

// Reads {"identities":[{...}]}. Errors: oidc.identities (unreadable file, bad JSON, missing members).
Result<std::vector<TestIdentity>> load_identities(const std::string& path);

// How the provider answers a sign-in (chosen on its authorize page).
enum class Behaviour {
  normal,
  bad_signature,   // ID token signed with a key that is not in the JWKS (same kid, other key)
  expired,         // ID token exp in the past
  wrong_audience,  // ID token aud is another relying party
  replayed_nonce,  // ID token carries the nonce of an earlier transaction
  lower_acr,       // authenticates one level below the requested one (L1 when L2 was asked)
  wrong_iss,       // the redirect back names another provider in "iss" (RFC 9207 mix-up)
  missing_iss,     // the redirect back carries no "iss"
  // (the following five after issue 14)
  rs512,                   // a valid sign-in whose ID token is signed RS512 (the RP must accept it)
  bad_at_hash,             // ID token at_hash of another access token
  plain_userinfo,          // userinfo as plain JSON (a downgrade the RP must refuse)
  signed_only_userinfo,    // userinfo as a bare JWS, not encrypted
  userinfo_bad_signature,  // userinfo encrypted to the RP, but its inner JWS signed by an unknown key
};
std::optional<Behaviour> behaviour_from(std::string_view name);
const char* behaviour_name(Behaviour b);

struct SimulatorOptions {
  // The provider's issuer, e.g. "http://127.0.0.1:8091" or "http://localhost:8080/idp"; routes are
  // mounted under its path. start_simulator_thread fills "http://127.0.0.1:<port>" when empty.
  std::string issuer;
  std::string client_id;     // the relying party allowed to use this provider (its entity id)
  std::string redirect_uri;  // accepted even when the RP's entity configuration cannot be read
  std::string rp_jwks_url;   // the RP's JWKS; empty: client_id + "/.well-known/jwks.json"
  // Read the RP's redirect_uris from client_id + "/.well-known/openid-federation" (verified with the
  // keys it carries).
  bool use_entity_configuration = true;
  // Announce "authorization_response_iss_parameter_supported" in discovery (RFC 9207), as CIE does: the
  // relying party must then refuse a response without "iss". "iss" is sent either way.
  bool announce_iss = true;
  // Which provider this is: scopes allowed (SPID: openid, offline_access; CIE also profile, email), and
  // the openid_provider metadata of its entity configuration (CIE's: SPID/CIE OIDC docs, "OpenID Connect
  // Provider Metadata (OP) per CIE": jwks inline instead of jwks_uri, iss in the response, the CIE claims).
  Profile profile = Profile::spid;
  // The provider's organization_name (shown on the sign-in page); empty: "Simulatore SPID" or
  // "Simulatore CIE" by profile.
  std::string organization_name;
  // Strict mode: refuse what a real SPID/CIE provider refuses (a prompt other than "consent" or
  // "consent login", a scope the profile does not allow, a relying party without a valid trust mark of
  // the federation or whose metadata breaks the anchor's policy).
  bool strict = true;
  // The federation (SPID/CIE OIDC docs, "Trust Chain"): the simulator is also the trust anchor, entity
  // id <issuer>/ta. Its statements last this long.
  std::chrono::seconds statement_lifetime{24 * 3600};
  // The superior this provider names in its entity configuration; empty: its own anchor. Another
  // simulator's anchor makes a provider that anchor does not know (the "not reachable" case).
  std::string authority_hint;
  // Another anchor of the same federation whose trust marks this provider accepts too (several
  // simulators in one test, as SPID and CIE providers share the federation's registry).
  std::string federation_anchor_id;
  crypto::Jwks federation_anchor_keys;
  std::string identities_file;           // empty: <share dir>/data/demo/identities.json
  std::vector<TestIdentity> identities;  // when not empty, used instead of the file
  const time::Clock* clock = nullptr;    // null: the system clock; must outlive the simulator
  adapters::HttpClientOptions http;      // for fetching the RP's keys
};

class Simulator {
 public:
  // Throws std::runtime_error when the identities cannot be loaded (a startup error).
  explicit Simulator(SimulatorOptions options);

  // Changes the issuer (e.g. once the real port is known). Routes keep the path they were mounted on.
  void set_issuer(std::string issuer);
  [[nodiscard]] std::string issuer() const;
  [[nodiscard]] std::string base_path() const { return base_path_; }

  // Key rotation: the published "next" key becomes the signing key, the old signing key is withdrawn
  // from the JWKS and a new next key is published. Also reachable as POST <issuer>/control/rotate-key.
  void rotate_signing_key();
  [[nodiscard]] std::string signing_kid() const;
  // How many times the JWKS was served (the tests check that the RP refetches it on rotation).
  [[nodiscard]] int jwks_requests() const { return jwks_requests_.load(); }
  [[nodiscard]] const std::vector<TestIdentity>& identities() const { return identities_; }

  // The relying parties allowed besides options.client_id (one per body).
  void add_client(const std::string& client_id);
  [[nodiscard]] bool knows_client(const std::string& client_id) const;
  [[nodiscard]] std::vector<std::string> clients() const;
  // The trust anchor: its entity id, and a trust mark it issues to a relying party it knows (the
  // onboarding the demo and the tests do; also GET <anchor>/control/trust-mark?sub=).
  [[nodiscard]] std::string anchor_id() const { return issuer() + "/ta"; }
  [[nodiscard]] std::string trust_mark_id() const { return anchor_id() + "/openid_relying_party/public/"; }
  // The trust mark the anchor gives its own provider (shown in the provider's entity configuration).
  [[nodiscard]] std::string provider_trust_mark_id() const {
    return anchor_id() + "/openid_provider/public/";
  }
  [[nodiscard]] Profile profile() const { return options_.profile; }
  [[nodiscard]] std::string organization_name() const;
  Result<std::string> issue_trust_mark(const std::string& client_id);
  [[nodiscard]] crypto::Jwks anchor_keys() const;
  // The anchor's metadata policies (OIDC-FED 6.1) for relying parties and providers.
  static boost::json::object rp_metadata_policy();
  static boost::json::object op_metadata_policy();

  // Route handlers (see register_simulator_routes).
  http::Response op_entity_configuration(http::Request& req);
  http::Response anchor_entity_configuration(http::Request& req);
  http::Response anchor_fetch(http::Request& req);
  http::Response anchor_list(http::Request& req);
  http::Response anchor_trust_mark(http::Request& req);
  http::Response anchor_resolve(http::Request& req);
  http::Response discovery(http::Request& req);
  http::Response jwks(http::Request& req);
  http::Response authorize(http::Request& req);
  http::Response confirm(http::Request& req);
  http::Response token(http::Request& req);
  http::Response userinfo(http::Request& req);
  http::Response rotate(http::Request& req);
  http::Response revocation(http::Request& req);

  // How many access tokens were revoked through the revocation endpoint (the tests check logout).
  [[nodiscard]] int revocations() const { return revocations_.load(); }
  // Whether an access token is still valid here.
  [[nodiscard]] bool token_active(const std::string& access_token) const;

 private:
  struct Transaction {
    std::string client_id, redirect_uri, state, nonce, code_challenge;
    int acr_level = 2;
    time::TimePoint created;
  };
  struct CodeGrant {
    Transaction tx;
    std::string fiscal_number;
    Behaviour behaviour = Behaviour::normal;
    std::string nonce_to_send;
    time::TimePoint issued;
    bool used = false;
    std::string access_token;  // revoked if the code is presented twice (RFC 6749 section 4.1.2)
  };
  struct AccessGrant {
    std::string fiscal_number, client_id;
    time::TimePoint expires;
    Behaviour behaviour = Behaviour::normal;
  };
  // The client authentication of the token and revocation endpoints (private_key_jwt, RFC 7523):
  // empty when accepted (`authenticated` is then the client), else the reason.
  std::string authenticate_client(const http::Params& form, const std::string& audience,
                                  std::string& authenticated);
  // The RP's encryption key (from its JWKS, "use":"enc").
  Result<crypto::Key> rp_encryption_key(const std::string& client_id);
  // What a relying party's entity configuration says, once verified.
  struct RpEntity {
    std::vector<std::string> redirect_uris;
    bool trust_marked = false;
    std::string policy_problem;
    time::TimePoint expires{};
  };
  struct RpCache {
    std::optional<crypto::Jwks> jwks;
    std::optional<crypto::Key> enc_key;
    std::optional<RpEntity> entity;
  };
  // Empty when `client_id` may use `redirect_uri` (and, strict, holds a trust mark and satisfies the
  // anchor's policy); else why not.
  std::string rp_entity_problem(const std::string& client_id, const std::string& redirect_uri);
  // The provider's openid_provider metadata (discovery's document).
  boost::json::object provider_metadata() const;
  std::string statement(const boost::json::object& claims, const crypto::Key& key) const;

  Result<crypto::Jwks> rp_keys(const std::string& client_id, bool refresh);
  Result<crypto::DecodedJwt> verify_from_rp(const std::string& client_id, std::string_view token);
  const TestIdentity* find_identity(std::string_view fiscal_number) const;
  std::string token_endpoint() const { return issuer() + "/token"; }
  time::TimePoint now() const { return clock_->now(); }

  SimulatorOptions options_;
  const time::Clock* clock_;
  std::string base_path_;
  std::vector<TestIdentity> identities_;
  adapters::HttpClient http_;
  std::atomic<int> jwks_requests_{0};
  std::atomic<int> revocations_{0};

  mutable std::mutex mu_;
  std::string issuer_;
  crypto::Key active_;
  crypto::Key next_;
  crypto::Key federation_key_;  // signs the provider's entity configuration
  crypto::Key anchor_key_;      // the trust anchor's
  std::vector<std::string> extra_clients_;
  std::map<std::string, RpCache> rps_;
  std::map<std::string, Transaction> transactions_;
  std::map<std::string, CodeGrant> codes_;
  std::map<std::string, AccessGrant> access_;
  std::map<std::string, time::TimePoint> used_jti_;
  std::string last_nonce_;
};

// Mounts the provider under the issuer's path:
//   GET  /.well-known/openid-configuration   GET /jwks.json        GET /authorize
//   POST /authorize/confirm                  POST /token           GET /userinfo
//   POST /revoke                             POST /control/rotate-key
//   GET  /.well-known/openid-federation      the provider's entity configuration
//   GET  /ta/.well-known/openid-federation   the trust anchor's; GET /ta/fetch?sub=  GET /ta/list
//   GET  /ta/resolve?sub=&anchor=            GET /ta/control/trust-mark?sub=
// The returned object must outlive the router's use. Throws std::runtime_error on bad identities.
std::shared_ptr<Simulator> register_simulator_routes(http::Router& router, SimulatorOptions options);

// `sportello sim idp`: serves the simulator on 127.0.0.1:`port` until SIGTERM/SIGINT. Returns the exit
// code (0 after a clean stop, 1 when the configuration is unusable).
int run_simulator(const SimulatorOptions& options, std::uint16_t port);

// The simulator on its own port in a background thread, next to the main server (demo mode and tests).
class RunningSimulator {
 public:
  virtual ~RunningSimulator() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual std::string issuer() const = 0;
  [[nodiscard]] virtual Simulator& simulator() = 0;
  // The CIE provider beside it, when started with one.
  [[nodiscard]] virtual Simulator* cie() { return nullptr; }
};

// Listens on 127.0.0.1:`port` (0: a free port) and serves in a thread; the destructor stops the server
// and joins the thread. An empty options.issuer becomes "http://127.0.0.1:<port>". Throws
// std::runtime_error when the port cannot be bound or the identities cannot be loaded.
// `cie`: a second provider of the CIE profile on the same port, mounted under its issuer's path (e.g.
// "<issuer>/cie"), with its own keys and trust anchor (<issuer>/cie/ta), as CIE has its own federation
// registry: an empty issuer becomes "<the first one's issuer>/cie".
std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         std::optional<SimulatorOptions> cie = std::nullopt);

}  // namespace sp::oidc
