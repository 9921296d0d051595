#pragma once
// A local App IO (the services API of wire.hpp, base path {prefix}/api/v1) for the demo and the tests:
// services known by their subscription key, citizens' profiles, IO's answers and errors, a configurable
// share of 429s, and what it received, counted per Idempotency-Key. Web side (it answers on a router).
//
//   GET  {prefix}/api/v1/profiles/{fiscal_code}   200 {"sender_allowed": bool, "preferred_languages"}
//                                                  404 ProblemJson (not on IO), 401 (unknown key), 429
//   POST {prefix}/api/v1/messages                  201 {"id"} + Location; 400 ProblemJson (payload, limits),
//                                                  401, 429, 500 ProblemJson (recipient not on IO or opted
//                                                  out)
//   GET  {prefix}/api/v1/messages/{fiscal_code}/{id}  200 {"message": {...}, "status": "PROCESSED"}; 404
//   GET  {prefix}/received                         the simulator's own listing (no key: demo and tests)
//   POST {prefix}/received/{id}/open               (register_open_route: the simulator run alone) the
//                                                  person opens message {id} in the app: the simulator
//                                                  calls the body back (open() below) and answers what it
//                                                  got: {"precondition": {"status", "title", "markdown"},
//                                                  "status", "subject", "markdown", "attachments": [{"name",
//                                                  "status", "size", "sha256"}]} (no key)
//
// Like IO, it does not drop a repeated message: a repeat is received again, and counted under its key,
// which is how the tests see that nothing was sent twice.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/router.hpp"

namespace sp::appio {

struct ReceivedMessage {
  std::string id;       // IO's message id (ULID-like)
  std::string service;  // the service whose key sent it
  std::string fiscal_code;
  std::string subject;
  std::string markdown;
  std::string body;             // the JSON as received
  std::string idempotency_key;  // the Idempotency-Key header ('' when none)
  std::string received_at;
  std::string third_party_id;    // content.third_party_data.id: a remote-content message ('' when none)
  std::string configuration_id;  // content.third_party_data.configuration_id
  std::string has_precondition;  // content.third_party_data.has_precondition (ALWAYS, ONCE, NEVER or '')
};

// A remote-content configuration (IO's RCConfiguration, prod_environment): where IO calls the body back
// and the header it presents (details_authentication: API-KEY, header_key_name, key).
struct RemoteConfiguration {
  std::string service;  // the service (body) it belongs to
  std::string base_url;
  std::string header_name;
  std::string key;
};

// What IO fetched from the body when the person opened a remote-content message.
struct OpenedMessage {
  // The precondition, asked first when the message declares one (has_precondition ALWAYS or ONCE): its
  // call's status (0: not asked), title and markdown. Not 200: IO shows an error and opens nothing.
  int precondition_status = 0;
  std::string precondition_title, precondition_markdown;
  int status = 0;  // the details call's HTTP status (200, or the body's refusal; 0: not asked)
  std::string subject, markdown;
  struct Attachment {
    std::string name, url;
    int status = 0;
    std::string bytes;
  };
  std::vector<Attachment> attachments;
  std::string raw;  // the details call's body as received
};

class Simulator {
 public:
  // A service of a body: its subscription key and a name (the body's slug).
  void add_service(const std::string& key, const std::string& name);
  // Profiles: a fiscal code on IO (sender_allowed true for every service unless opted out of it).
  void add_profile(const std::string& fiscal_code);
  // Opted out of `service` ("*": of every service).
  void opt_out(const std::string& fiscal_code, const std::string& service = "*");
  // The demo's profiles: every identity of identities.json is on IO except those listed under
  // "not_on_io" in `appio_file` (data/demo/appio.json), and those under "opted_out" opted out of every
  // service. Error: appio.sim (unreadable files).
  Status load_profiles(const std::string& identities_file, const std::string& appio_file);

  // Every n-th API call (counting from now) is answered 429 with Retry-After: retry_after_s; 0: none.
  void throttle_every(int n, int retry_after_s = 1);
  // The next `times` API calls are answered `status` (times < 0: until told otherwise; 0: normal).
  void fail(int status, int times);

  // IO's back office: the body's remote configuration (docs/messaging.md, "App IO: remote content").
  void add_remote_configuration(const std::string& configuration_id, RemoteConfiguration c);
  // The person opens message `io_message_id` in the app: IO calls the body back as IO does — first GET
  // {base_url}/messages/{third_party_id}/precondition when the message declared one, then GET
  // {base_url}/messages/{third_party_id} with the `fiscal_code` header and the configuration's key header,
  // then GET {base_url}/messages/{third_party_id}/{url} for each attachment. `fiscal_code` empty: the
  // message's recipient (a test passes another to see the body refuse). Errors: not_found (no such
  // remote-content message), appio.sim (no configuration for it), the HTTP client's errors.
  Result<OpenedMessage> open(const std::string& io_message_id, const std::string& fiscal_code = "");
  // The same calls for a third-party id and configuration given directly (`precondition`: ask it first).
  static Result<OpenedMessage> fetch_remote(const RemoteConfiguration& c, const std::string& third_party_id,
                                            const std::string& fiscal_code, bool precondition = false);
  // The remote configurations, by id (the standalone simulator's listing).
  [[nodiscard]] std::map<std::string, RemoteConfiguration> remote_configurations() const;

  // Adds the routes; the simulator must outlive the router.
  void register_routes(http::Router& router, const std::string& prefix = "/sim/appio");
  // POST {prefix}/received/{id}/open, for the simulator run alone (`sportello sim appio`): never on the
  // hub's own server (its call-back would wait behind itself).
  void register_open_route(http::Router& router, const std::string& prefix);

  [[nodiscard]] std::vector<ReceivedMessage> messages() const;
  [[nodiscard]] std::size_t count() const;
  // Messages received under an Idempotency-Key (a repeat counts again).
  [[nodiscard]] int count_for_key(const std::string& idempotency_key) const;
  [[nodiscard]] int calls() const;                                 // API calls, answered or not
  [[nodiscard]] int throttled() const;                             // of which answered 429
  [[nodiscard]] std::vector<std::string> profile_lookups() const;  // "service:fiscal_code", in order
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;
  void clear();

  http::Response handle_profile(const http::Request& req);
  http::Response handle_submit(const http::Request& req);
  http::Response handle_get_message(const http::Request& req);
  http::Response handle_received(const http::Request& req) const;
  http::Response handle_open(const http::Request& req);

 private:
  // The service of the request's key, or "" (401); a 429/failure answer when one is due.
  std::optional<http::Response> gate(const http::Request& req, std::string& service);
  [[nodiscard]] bool allowed(const std::string& fiscal_code, const std::string& service) const;

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::map<std::string, std::string> services_;        // key → name
  std::map<std::string, RemoteConfiguration> remote_;  // configuration id → configuration
  std::set<std::string> profiles_;
  std::set<std::pair<std::string, std::string>> opted_out_;  // (fiscal code, service or "*")
  std::vector<ReceivedMessage> received_;
  std::map<std::string, int> by_key_;
  std::vector<std::string> lookups_;
  int throttle_every_ = 0, retry_after_s_ = 1, since_throttle_ = 0;
  int fail_status_ = 0, fail_times_ = 0;
  int calls_ = 0, throttled_ = 0;
  std::uint64_t next_id_ = 1;
};

}  // namespace sp::appio

namespace sp::appio {

struct SimulatorRun {
  std::uint16_t port = 8093;                                  // 0: a free one (printed)
  std::string identities_file;                                // data/demo/identities.json
  std::string appio_file;                                     // data/demo/appio.json
  std::vector<std::pair<std::string, std::string>> services;  // (key, name)
  int throttle_every = 0;
  int retry_after_s = 1;
  // Remote-content configurations (IO's back office, RCConfiguration): (configuration id, configuration),
  // so that a hub run by hand is called back when a message is opened (POST /received/{id}/open).
  std::vector<std::pair<std::string, RemoteConfiguration>> remote;
};
// "--remote-configuration ID NAME BASE_URL SECRET" of `sportello sim appio`: the configuration of service
// NAME, whose call-backs carry "Authorization: Bearer SECRET" (the body's inbound credential for system
// appio). Error appio.sim (detail: what is wrong).
Result<std::pair<std::string, RemoteConfiguration>> parse_remote_configuration(
    const std::vector<std::string>& values);
// `sportello sim appio`: the simulator alone on its own port, until SIGINT/SIGTERM. Returns the exit code.
int run_simulator(const SimulatorRun& run);

}  // namespace sp::appio
