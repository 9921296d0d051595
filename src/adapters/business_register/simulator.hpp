#pragma once
// A local business register (the look-up of wire.hpp) for the demo and the tests. Web side: it answers on
// a router, mounted under /sim/registro-imprese in demo mode, or alone (`sportello sim registro-imprese`).
//
//   GET {prefix}/v1/imprese/{codice_fiscale}   200 Company, 404 {"errore": "impresa_non_trovata"},
//                                              401 {"errore": "non_autorizzato"} (a token is set and the
//                                              request's Bearer is not it), or the failure set by fail()
//   GET {prefix}/v1/interrogazioni             the simulator's own listing of the look-ups it answered
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/business_register/wire.hpp"
#include "core/result.hpp"
#include "http/router.hpp"

namespace sp::business_register {

class Simulator {
 public:
  explicit Simulator(std::string token = {}) : token_(std::move(token)) {}
  // data/demo/business_register.json ("imprese": Company objects). Error: business_register.sim.
  Status load(const std::string& file);
  void add(Company c);
  // The next `times` look-ups answer `status` (503, 500 ...); times < 0: until told otherwise; 0: normal.
  void fail(int status, int times);
  void register_routes(http::Router& router, const std::string& prefix = "/sim/registro-imprese");

  [[nodiscard]] std::vector<std::string> lookups() const;  // codici fiscali asked, in order

  http::Response handle_lookup(const http::Request& req);

 private:
  mutable std::mutex mutex_;
  std::string token_;
  std::map<std::string, Company> companies_;
  std::vector<std::string> lookups_;
  int fail_status_ = 0;
  int fail_times_ = 0;
};

// The simulator on its own port (127.0.0.1; 0: a free one) in a thread; the destructor stops it.
class RunningSimulator {
 public:
  virtual ~RunningSimulator() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual std::string url() const = 0;  // the client's base_url: http://127.0.0.1:P/v1
  [[nodiscard]] virtual Simulator& simulator() = 0;
};
std::unique_ptr<RunningSimulator> start_simulator_thread(const std::string& data_file, std::string token,
                                                         std::uint16_t port = 0);

// `sportello sim registro-imprese`: alone until SIGINT/SIGTERM. Returns the exit code.
int run_simulator(const std::string& data_file, const std::string& token, std::uint16_t port);

}  // namespace sp::business_register
