#include "adapters/business_register/simulator.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/time.hpp"
#include "http/server.hpp"

namespace sp::business_register {
namespace {

namespace json = boost::json;

http::Response json_answer(const std::string& body, int status) {
  auto r = http::Response::json(body, status);
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

Status Simulator::load(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Error::make("business_register.sim", 500, "cannot read " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec || !v.is_object() || !v.as_object().contains("imprese") || !v.as_object().at("imprese").is_array())
    return Error::make("business_register.sim", 500, file + ": no \"imprese\" array");
  for (const auto& c : v.as_object().at("imprese").as_array()) {
    auto company = company_from_json(json::serialize(c));
    if (!company) return Error::make("business_register.sim", 500, file + ": " + company.error().detail);
    add(std::move(*company));
  }
  return Ok{};
}

void Simulator::add(Company c) {
  std::lock_guard lock(mutex_);
  companies_[c.tax_code] = std::move(c);
}

void Simulator::fail(int status, int times) {
  std::lock_guard lock(mutex_);
  fail_status_ = status;
  fail_times_ = times;
}

std::vector<std::string> Simulator::lookups() const {
  std::lock_guard lock(mutex_);
  return lookups_;
}

http::Response Simulator::handle_lookup(const http::Request& req) {
  std::lock_guard lock(mutex_);
  if (!token_.empty()) {
    const std::string* auth = req.header("authorization");
    if (auth == nullptr || *auth != "Bearer " + token_)
      return json_answer(R"({"errore":"non_autorizzato"})", 401);
  }
  const std::string code = req.param("code");
  lookups_.push_back(code);
  if (fail_times_ != 0) {
    if (fail_times_ > 0) --fail_times_;
    return json_answer(R"({"errore":"servizio_non_disponibile"})", fail_status_);
  }
  auto it = companies_.find(code);
  if (it == companies_.end()) return json_answer(R"({"errore":"impresa_non_trovata"})", 404);
  Company c = it->second;
  c.extracted_at = time::format_iso_utc(time::system_clock().now());
  return json_answer(to_json(c), 200);
}

void Simulator::register_routes(http::Router& router, const std::string& prefix) {
  router.get(prefix + "/v1/imprese/{code}", [this](http::Request& r) { return handle_lookup(r); });
  router.get(prefix + "/v1/interrogazioni", [this](http::Request&) {
    json::array a;
    for (const auto& l : lookups()) a.push_back(json::value(l));
    return json_answer(json::serialize(a), 200);
  });
}

namespace {

class Threaded final : public RunningSimulator {
 public:
  Threaded(const std::string& data_file, std::string token, std::uint16_t port)
      : simulator_(std::move(token)) {
    if (auto st = simulator_.load(data_file); !st) throw std::runtime_error(st.error().detail);
    simulator_.register_routes(router_, "");
    http::ServerOptions so;
    so.address = "127.0.0.1";
    so.port = port;
    so.threads = 1;
    so.access_log = false;
    server_ = std::make_unique<http::Server>(so, router_);
    server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Threaded() override {
    server_->stop(std::chrono::milliseconds(2000));
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const override { return server_->port(); }
  [[nodiscard]] std::string url() const override {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1";
  }
  [[nodiscard]] Simulator& simulator() override { return simulator_; }

 private:
  http::Router router_;
  Simulator simulator_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RunningSimulator> start_simulator_thread(const std::string& data_file, std::string token,
                                                         std::uint16_t port) {
  return std::make_unique<Threaded>(data_file, std::move(token), port);
}

int run_simulator(const std::string& data_file, const std::string& token, std::uint16_t port) {
  try {
    Simulator sim(token);
    if (auto st = sim.load(data_file); !st) {
      std::fprintf(stderr, "sim registro-imprese: %s\n", st.error().detail.c_str());
      return 1;
    }
    http::Router router;
    sim.register_routes(router, "");
    http::ServerOptions so;
    so.port = port;
    so.threads = 2;
    http::Server server(so, router);
    server.listen();
    std::printf("Business register simulator listening on http://localhost:%u/v1/imprese/{codice_fiscale}\n",
                static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim registro-imprese: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::business_register
