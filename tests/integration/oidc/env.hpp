#pragma once
// The relying party's routes and the provider simulator on two loopback ports (two http::Server
// instances in threads), and helpers that act as the browser between them.
#include <memory>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/oidc/client.hpp"
#include "adapters/oidc/rp_routes.hpp"
#include "adapters/oidc/simulator.hpp"
#include "core/time.hpp"

namespace sp::oidc::testing {

struct Env {
  time::TestClock clock;  // shared by RP and provider so a test can age codes and tokens
  RpKeys rp_keys;
  std::string client_id;  // http://127.0.0.1:<rp port>
  std::string
      redirect_uri;  // client_id + "/auth/callback", known to the provider only via the entity configuration
  std::unique_ptr<RunningSimulator> sim;
  adapters::HttpClient http;
  // What the RP publishes; after the simulator starts it carries the trust mark of the simulator's
  // anchor and names it in authority_hints (the strict simulator refuses an RP without one).
  std::shared_ptr<RpPublication> publication;
  // Two bodies of the hub, each its own relying party (client_id http://127.0.0.1:<port>/<ipa code>/,
  // own keys, own entity configuration), onboarded at the simulator.
  struct Body {
    std::string ipa_code;
    std::string client_id;
    RpKeys keys;
    std::shared_ptr<RpPublication> publication;
  };
  std::vector<Body> bodies;
  // A client of the shared simulator for body `i`.
  [[nodiscard]] std::unique_ptr<Client> body_client(std::size_t i) const;

  [[nodiscard]] ProviderConfig provider() const;
  // A fresh relying party client (empty caches) for this provider; `keys` default to the published ones.
  [[nodiscard]] std::unique_ptr<Client> client(const RpKeys* keys = nullptr,
                                               const std::string& redirect = {}) const;
};

Env& env();

// Options for another simulator next to the shared one, for the same relying party, in the same
// federation (it accepts the trust marks of the shared simulator's anchor).
SimulatorOptions sibling_simulator();

// Gives the relying party `publication` (client `client_id`) the trust mark of `sim`'s anchor and names
// the anchor in its authority_hints: the onboarding a body goes through.
void onboard(RpPublication& publication, Simulator& sim);

// What the provider sent the browser back with.
struct Callback {
  int status = 0;  // of the confirm POST (303 expected)
  std::string location;
  std::string code, state, error, iss;
};

// Browser steps: GET the authorization URL (returns status and page), then POST the confirm form
// choosing `fiscal_number` and `behaviour`.
struct Page {
  int status = 0;
  std::string body;
  std::string location;  // a Location header, if any (there must be none on an error page)
};
Page open_authorize(const std::string& url);
// `port`: the provider's (0: the shared simulator's).
Callback confirm(const Page& page, const std::string& fiscal_number, const std::string& behaviour = "normal",
                 std::uint16_t port = 0);
// begin → authorize page → confirm → returns the callback; fails the test if a step breaks.
Callback sign_in(Client& client, AuthRequest& pending, int level, const std::string& fiscal_number,
                 const std::string& behaviour = "normal");

inline constexpr const char* kMario = "RSSMRA80A01H501U";     // max L2
inline constexpr const char* kGiulia = "BNCGLI92L55F205A";    // max L3
inline constexpr const char* kGiuseppe = "SPSGPP55P12F839I";  // max L1

}  // namespace sp::oidc::testing
