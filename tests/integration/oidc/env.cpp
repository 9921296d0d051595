#include "env.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "adapters/oidc/rp_routes.hpp"
#include "http/server.hpp"
#include "support/testing.hpp"

namespace sp::oidc::testing {
namespace {

class RpServer {
 public:
  RpServer() {
    http::ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.access_log = false;
    server = std::make_unique<http::Server>(o, router);
    server->listen();
  }
  void start() {
    thread = std::thread([this] { server->run(); });
  }
  ~RpServer() {
    server->stop(std::chrono::milliseconds(2000));
    if (thread.joinable()) thread.join();
  }
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
};

Env* g_env = nullptr;
RpServer* g_rp = nullptr;

class OidcEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_rp = new RpServer();
    g_env =
        new Env{time::TestClock(std::chrono::system_clock::now()), RpKeys::generate(), "", "", nullptr, {}};
    g_env->client_id = "http://127.0.0.1:" + std::to_string(g_rp->server->port());
    g_env->redirect_uri = g_env->client_id + "/auth/callback";
    g_env->publication =
        std::make_shared<RpPublication>(g_env->rp_keys, RpMetadata{g_env->client_id, {g_env->redirect_uri}});
    register_rp_routes(g_rp->router, g_env->publication, g_env->clock);
    for (const char* ipa : {"c_a479", "c_h501"}) {
      Env::Body b{ipa, g_env->client_id + "/" + ipa + "/", RpKeys::generate(), nullptr};
      b.publication = std::make_shared<RpPublication>(
          b.keys, RpMetadata{b.client_id, {g_env->client_id + "/" + ipa + "/auth/callback"}});
      register_rp_routes(g_rp->router, b.publication, g_env->clock);
      g_env->bodies.push_back(std::move(b));
    }
    g_rp->start();
    SimulatorOptions so;
    so.client_id =
        g_env->client_id;  // redirect_uri left empty: the provider must read our entity configuration
    so.identities_file = sp::testing::source_dir() + "/data/demo/identities.json";
    so.clock = &g_env->clock;
    g_env->sim = start_simulator_thread(so, 0);
    onboard(*g_env->publication, g_env->sim->simulator());
    for (auto& b : g_env->bodies) onboard(*b.publication, g_env->sim->simulator());
  }
  void TearDown() override {
    delete g_env;  // stops the simulator
    delete g_rp;
  }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new OidcEnvironment);

std::string capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : std::string();
}

}  // namespace

SimulatorOptions sibling_simulator() {
  SimulatorOptions so;
  so.client_id = env().client_id;
  so.identities_file = sp::testing::source_dir() + "/data/demo/identities.json";
  so.clock = &env().clock;
  so.federation_anchor_id = env().sim->simulator().anchor_id();
  so.federation_anchor_keys = env().sim->simulator().anchor_keys();
  return so;
}

void onboard(RpPublication& publication, Simulator& sim) {
  RpMetadata md = publication.metadata();
  sim.add_client(md.client_id);
  auto mark = sim.issue_trust_mark(md.client_id);
  ASSERT_TRUE(mark.ok());
  md.trust_marks = {TrustMark{sim.trust_mark_id(), *mark}};
  md.authority_hints = {sim.anchor_id()};
  md.organization_name = "Comune di Prova";
  md.contacts = {"protocollo@pec.example.it"};
  md.homepage_uri = "https://www.comune.example.it/";
  md.policy_uri = "https://www.comune.example.it/privacy";
  md.logo_uri = "https://www.comune.example.it/logo.svg";
  publication.set_metadata(md);
}

Env& env() {
  return *g_env;
}

ProviderConfig Env::provider() const {
  ProviderConfig p;
  p.id = "sim";
  p.display_name = "Simulatore SPID/CIE";
  p.discovery_url = sim->issuer() + "/.well-known/openid-configuration";
  p.client_id = client_id;
  p.redirect_uri = redirect_uri;
  return p;
}

std::unique_ptr<Client> Env::client(const RpKeys* keys, const std::string& redirect) const {
  ProviderConfig p = provider();
  if (!redirect.empty()) p.redirect_uri = redirect;
  return std::make_unique<Client>(p, keys != nullptr ? *keys : rp_keys, clock);
}

std::unique_ptr<Client> Env::body_client(std::size_t i) const {
  ProviderConfig p = provider();
  p.client_id = bodies.at(i).client_id;
  p.redirect_uri = bodies.at(i).client_id + "auth/callback";
  return std::make_unique<Client>(p, bodies.at(i).keys, clock);
}

Page open_authorize(const std::string& url) {
  auto res = env().http.get(url);
  EXPECT_TRUE(res.ok()) << (res ? "" : res.error().detail);
  if (!res) return {};
  const std::string* loc = res->header("location");
  return Page{res->status, res->body, loc != nullptr ? *loc : std::string()};
}

Callback confirm(const Page& page, const std::string& fiscal_number, const std::string& behaviour,
                 std::uint16_t port) {
  // As a browser would: the form's action and hidden field, the chosen option, the clicked button.
  const std::string action = capture(page.body, R"re(<form method="post" action="([^"]+)")re");
  const std::string tx = capture(page.body, R"re(name="tx" value="([^"]+)")re");
  EXPECT_FALSE(action.empty());
  EXPECT_FALSE(tx.empty());
  auto res = env().http.post_form(
      "http://127.0.0.1:" + std::to_string(port != 0 ? port : env().sim->port()) + action,
      {{"tx", tx}, {"behaviour", behaviour}, {"identity", fiscal_number}});
  EXPECT_TRUE(res.ok());
  Callback cb;
  if (!res) return cb;
  cb.status = res->status;
  if (const auto* loc = res->header("location")) cb.location = *loc;
  const auto q = cb.location.find('?');
  if (q != std::string::npos) {
    auto params = http::parse_urlencoded(std::string_view(cb.location).substr(q + 1), "test.query");
    EXPECT_TRUE(params.ok());
    if (params) {
      auto get = [&](const char* k) {
        auto it = params->find(k);
        return it == params->end() ? std::string() : it->second;
      };
      cb.code = get("code");
      cb.state = get("state");
      cb.error = get("error");
      cb.iss = get("iss");
    }
  }
  return cb;
}

Callback sign_in(Client& client, AuthRequest& pending, int level, const std::string& fiscal_number,
                 const std::string& behaviour) {
  auto begun = client.begin(level);
  EXPECT_TRUE(begun.ok()) << (begun ? "" : begun.error().code + " " + begun.error().detail);
  if (!begun) return {};
  pending = *begun;
  Page page = open_authorize(pending.redirect_url);
  EXPECT_EQ(page.status, 200) << page.body;
  Callback cb = confirm(page, fiscal_number, behaviour);
  EXPECT_EQ(cb.status, 303);
  EXPECT_EQ(cb.location.rfind(client.config().redirect_uri + "?", 0), 0u) << cb.location;
  EXPECT_EQ(cb.state, pending.state);
  EXPECT_FALSE(cb.code.empty());
  return cb;
}

}  // namespace sp::oidc::testing
