#pragma once
// A local pagoPA for the demo and the tests (`sportello sim pagopa`): the node, a PSP and Checkout.
//
//   Node + PSP   pays a notice as a tobacconist would: paVerifyPaymentNotice → paGetPaymentV2 (the PSP's
//                activation) → the money is collected → paSendRTV2 (the receipt), against the creditor
//                body's station (a StationDirectory entry: URL, the node's Bearer secret, idBrokerPA,
//                idStation), with the SOAP codec of node_soap.hpp. A receipt the station did not answer
//                (connection refused, timeout, 5xx) stays "pending" and is sent again with backoff, bounded;
//                the station's answer OK or PAA_RECEIPT_DUPLICATA ends it ("delivered"), another faultBean
//                ends it too ("refused": the station said no, resending would not change that).
//   Checkout     POST /checkout/ec/v1/carts (checkout_v1.json) → 302 to the cart page, which pays every
//                notice through the node (the station's current amount, never the cart's) and goes back to
//                the return URLs.
//   Ledger       every payment the PSP collected, in memory (and in `state_file` when set, so a restarted
//                simulator remembers); the reporting flows (fdr::FlowSource) are computed from it.
//
// Scenarios (PayOptions::scenario): duplicate (the same receipt twice), late (the receipt is held back and
// delivered after late_delay, or at the next resend), wrong_amount (the PSP collects another amount than
// the station asked). Faults on the simulator's own endpoints (Checkout, FdR) for the hub's client tests:
// set_endpoint_faults, or POST /sim/control/faults.
//
// NOT a production system: no authentication on its control routes, state in memory. Demo and tests only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "adapters/pagopa/fdr_org.hpp"
#include "adapters/pagopa/node_soap.hpp"
#include "core/money.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::http {
class Router;
}

namespace sp::pagopa::sim {

class Simulator;

// Where the node reaches a creditor body's station, and how it presents itself there.
struct StationEntry {
  std::string fiscal_code;  // idPA: the creditor body
  std::string url;          // e.g. http://localhost:8080/inbound/asti/pagopa/paForNode
  std::string secret;       // the node's credential for that body (Bearer spi_…); never logged
  std::string id_broker_pa;
  std::string id_station;
};
using StationDirectory = std::map<std::string, StationEntry>;  // by fiscal code

// A payment service provider the simulated node knows.
struct Psp {
  std::string id;  // idPSP, e.g. SIMTABIT
  std::string name;
  std::string fiscal_code;
  std::string broker_id;
  std::string channel_id;
  std::string bic;         // of the bank that settles its flows
  money::Cents fee = 100;  // what it charges the payer, on top of the notice
};
std::vector<Psp> default_psps();

// The standalone configuration file (`sim pagopa serve --config FILE`):
//   {"stations":[{"fiscal_code","url","secret" | "secret_env","id_broker_pa","id_station"}],
//    "psps":[{"id","name","fee",...}]}            ("psps" optional: default_psps())
// Errors: pagopa_sim.config (unreadable, bad JSON, a member missing; detail says which).
struct FileConfig {
  StationDirectory stations;
  std::vector<Psp> psps;
};
Result<FileConfig> load_config_file(const std::string& path);

enum class Scenario { normal, duplicate, late, wrong_amount };
std::optional<Scenario> scenario_from(std::string_view name);
const char* scenario_name(Scenario s);

struct PayOptions {
  std::string notice_number;           // NAV, 18 digits
  std::string fiscal_code;             // creditor; empty: the only station of the directory
  std::optional<money::Cents> amount;  // what the payer expects; the station's amount is what is paid
  std::string psp;                     // empty: the first PSP
  Scenario scenario = Scenario::normal;
  money::Cents wrong_amount = 0;  // Scenario::wrong_amount: what the PSP collects instead
  std::string payment_note;       // paGetPaymentV2's paymentNote (Checkout: the idCart)
  std::string cart_id;
};

// Where a receipt stands with the station.
enum class Delivery { pending, held, delivered, refused, abandoned };
const char* delivery_name(Delivery d);

// One payment the PSP collected (a ledger row).
struct LedgerPayment {
  std::string receipt_id;  // the payment token: unique per payment
  std::string psp_id;
  std::string fiscal_code;  // creditor
  std::string company_name;
  std::string notice_number;
  std::string iuv;
  std::string iur;
  money::Cents amount = 0;  // collected (the station's amount, or the wrong one)
  money::Cents fee = 0;
  std::string paid_at;  // ISO 8601 UTC instant
  std::string scenario;
  std::string cart_id;
  std::vector<Transfer> transfers;  // as paGetPaymentV2 answered (IBAN or stamp)
  std::string envelope;             // the paSendRTV2 request, sent identically every time
  Delivery delivery = Delivery::pending;
  std::string last_answer;  // "OK", a fault code, or an error ("http 500", "connect")
  int attempts = 0;
};

struct PayOutcome {
  enum class Kind { paid, refused, error } kind = Kind::error;
  std::string step;        // verify, activate, receipt: where a refusal or an error happened
  std::string fault_code;  // refused: the station's faultCode (or "HTTP_401"...); error: what failed
  std::string detail;
  std::optional<LedgerPayment> payment;  // paid: the ledger row (after the delivery tried inline)
  std::string second_answer;             // Scenario::duplicate: the station's answer to the second copy
  money::Cents station_amount = 0;       // what verify said
};

// Several notices paid together (a Checkout cart): every notice is verified, then every one activated,
// and only then is money collected; a refusal at any of those steps pays none.
struct CartOutcome {
  bool paid = false;
  std::string fault_code;     // not paid: the first refusal's code (or error)
  std::string notice_number;  // ... and its notice
  std::vector<PayOutcome> payments;
};

// Faults of the simulator's own endpoints, for the hub's client tests.
struct EndpointFaults {
  int status = 0;                      // 0: answer normally; else this HTTP status (e.g. 500)
  std::chrono::milliseconds delay{0};  // before answering (longer than the client's timeout: a timeout)
};

struct SimulatorOptions {
  std::string base_url;  // the simulator's URL (Checkout's Location); empty: http://localhost:<port>
  StationDirectory stations;
  std::vector<Psp> psps;               // empty: default_psps()
  std::string state_file;              // empty: memory only
  std::string share_dir;               // web/templates and web/locales (the cart page)
  std::string static_dir;              // bootstrap-italia for the cart page; empty: none
  const time::Clock* clock = nullptr;  // null: the system clock; must outlive the simulator
  adapters::HttpClientOptions http{std::chrono::milliseconds(5000), std::chrono::milliseconds(2000)};
  int inline_attempts = 3;  // receipt sends tried during pay() before the background resender takes over
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  int max_attempts = 60;  // then "abandoned" (an explicit resend still tries)
  std::chrono::milliseconds late_delay{30000};
  bool resender = true;  // the background thread that sends pending receipts again
  // More routes on the simulator's router, mounted with its own (the FdR organization API over flows(),
  // written in fdr_org.cpp; it should answer endpoint_fault(fdr_faults()) first when that is set).
  std::function<void(http::Router&, Simulator&)> mount;
};

class Ledger;

class Simulator {
 public:
  // Throws std::runtime_error when the state file exists but cannot be read.
  explicit Simulator(SimulatorOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void set_base_url(std::string url);
  [[nodiscard]] std::string base_url() const;
  void set_stations(StationDirectory stations);
  [[nodiscard]] const SimulatorOptions& options() const { return options_; }

  // The node + PSP flow above. Thread-safe; several payments may run at once.
  PayOutcome pay(const PayOptions& options);
  CartOutcome pay_all(const std::vector<PayOptions>& notices);

  // Sends again the receipts of the ledger: `all` also those the station already answered (a node that
  // is not sure, or a test that wants duplicates), else the pending, held and abandoned ones. Returns
  // how many were sent; each updates its delivery. Blocking.
  int resend(bool all);
  // Receipts not yet answered by the station (pending, held).
  [[nodiscard]] int undelivered() const;
  [[nodiscard]] std::vector<LedgerPayment> payments() const;

  // The reporting flows of what the simulator paid (see simulator_ledger.cpp for the rules).
  [[nodiscard]] const fdr::FlowSource& flows() const;

  void set_checkout_faults(EndpointFaults f);
  void set_fdr_faults(EndpointFaults f);
  [[nodiscard]] EndpointFaults checkout_faults() const;
  [[nodiscard]] EndpointFaults fdr_faults() const;

  // Wires the resender loop; called by the constructor.
  struct Impl;

 private:
  SimulatorOptions options_;
  std::unique_ptr<Impl> impl_;
};

// `sportello sim pagopa serve`: serves the simulator on 127.0.0.1:`port` until SIGTERM/SIGINT.
int run_simulator(SimulatorOptions options, std::uint16_t port);

// The simulator on its own port in a background thread (demo mode, tests).
class RunningSimulator {
 public:
  virtual ~RunningSimulator() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual std::string url() const = 0;
  [[nodiscard]] virtual Simulator& simulator() = 0;
};

// Listens on 127.0.0.1:`port` (0: a free one) or on `listen_fd` when >= 0, serves in a thread; the
// destructor stops it. An empty base_url becomes http://localhost:<port>. Throws std::runtime_error.
std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         int listen_fd = -1);

// The reporting flows of a running simulator, for the FdR routes and the hub's import (wired after merge).
const fdr::FlowSource& flow_source(RunningSimulator& running);

}  // namespace sp::pagopa::sim
