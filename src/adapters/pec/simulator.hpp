#pragma once
// A PEC provider for the demo and the tests (`sportello sim pec`): it accepts the hub's certified mail over
// SMTP, answers each message with the receipts a real provider sends — acceptance, then delivery or a
// delivery error per recipient — signed with its own certificate (self-signed: the hub trusts it by
// configuration, as it trusts real providers' certificates), and keeps them in the sender's mailbox,
// readable over POP3 (mailbox.hpp). Recipients choose the outcome by their address:
//   *inesistente*@…  delivery error, no-dest (5.1.1)      *virus*@…  virus detected
//   *nonaccettato*@… non-acceptance by the sender's side  a domain without "pec": an ordinary mailbox,
//   anything else    delivered                            acceptance only (PEC gives no delivery receipt)
//   *ritardo*@…      a delivery-error warning (preavviso-errore-consegna), then the delivery error
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/line_server.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "core/crypto/smime.hpp"

namespace sp::pec {

struct PecSimulatorOptions {
  std::string provider = "Gestore PEC simulato";
  std::string domain = "pec.sim.example";  // its notification address: posta-certificata@<domain>
  std::string password = "pec-sim";        // every mailbox's POP3 password
  std::uint16_t smtp_port = 0;             // 0: free ports
  std::uint16_t pop3_port = 0;
  crypto::SigningIdentity identity;  // empty: a new self-signed one
  // How often a thread of its own answers the submissions (process()); 0: never, the caller does (tests).
  std::chrono::milliseconds process_every{0};
};

class PecSimulator {
 public:
  explicit PecSimulator(PecSimulatorOptions o);
  ~PecSimulator();
  PecSimulator(const PecSimulator&) = delete;
  PecSimulator& operator=(const PecSimulator&) = delete;

  void start();
  void stop();
  [[nodiscard]] std::string smtp_url() const;
  [[nodiscard]] std::string pop3_url() const;
  [[nodiscard]] const crypto::SigningIdentity& identity() const { return options_.identity; }
  // What it was sent (the demo's mailbox page lists it).
  [[nodiscard]] const messaging::SmtpSink& submissions() const { return smtp_; }
  [[nodiscard]] const std::string& password() const { return options_.password; }

  // Answers the messages submitted since the last call with their receipts; returns how many receipts it
  // wrote. The runner calls it every second; tests call it when they want the receipts.
  int process();
  // A message put straight into a mailbox (tests: a forged or foreign receipt).
  void deliver(const std::string& mailbox, std::string message);
  [[nodiscard]] std::size_t mailbox_size(const std::string& mailbox) const;

 private:
  struct Stored {
    std::string uid;
    std::string message;
  };
  void serve_pop3(adapters::LineConn& c);
  void add_receipt(const std::string& mailbox, std::string message);

  PecSimulatorOptions options_;
  messaging::SmtpSink smtp_;
  std::unique_ptr<adapters::LineServer> pop3_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Stored>> mailboxes_;
  std::size_t processed_ = 0;  // submissions already answered
  std::uint64_t next_uid_ = 1;
  std::mutex process_mutex_;  // one process() at a time (the thread's and a caller's)
  std::thread processor_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// `sportello sim pec`: the provider alone on its ports until SIGINT/SIGTERM; prints its SMTP and POP3 URLs
// and writes its certificate (PEM) to `cert_out` for the hub's pec_trusted_certs. Returns the exit code.
struct PecSimulatorRun {
  std::uint16_t smtp_port = 2526;  // 0: free ones (printed)
  std::uint16_t pop3_port = 1110;
  std::string password = "pec-sim";
  std::string cert_out;  // empty: printed
};
int run_simulator(const PecSimulatorRun& run);

}  // namespace sp::pec
