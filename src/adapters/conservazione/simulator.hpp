#pragma once
// A local conservator (preservation service) for the demo and the tests (`sportello sim conservazione`,
// started by `serve --demo`). It speaks the wire format of client.hpp:
//
//   POST /versamenti                       a package: checks it and answers with a RapportoVersamento
//   GET  /sim/conservazione/versamenti     what it holds (JSON: key, receipt id, files, submissions per key)
//   POST /sim/conservazione/modo           tests: {"reject": n, "fail": n, "lose_answer": n} for the next
//                                          packages (JSON; no authentication: loopback only)
//
// Checks, as a conservator's acceptance does: an Idempotency-Key; the Bearer token (when one is set);
// a part "indice" that is a UNI SInCRO index (root sincro:IdC, SelfDescription/ID, at least one
// FileGroup/File with ID and Hash function="SHA-256"); every file named by the index present, with the
// SHA-256 (base64) the index gives; no file the index does not name. A refusal is a 422 with esito
// RIFIUTATO and one <Errore codice="..."> per problem.
//
// Idempotency: the first answer to a key is kept and given again, byte for byte but marked
// ripetizione="true", to every repeat: a package is preserved at most once per key however many times it
// arrives. A rejected key may be sent again (a rejection preserves nothing): it is checked again.
// Modes for tests: "reject" refuses the next n packages (code SIM-REJECT), "fail" answers the next n with
// 503 without reading them, "lose_answer" preserves the next n and then answers 503 (the hub does not
// learn of the receipt: a crash between sending and recording, seen from the hub).
//
// NOT a production system: state in memory. Demo and tests only.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sp::conservazione_sim {

struct Preserved {
  std::string key;
  std::string receipt_id;
  std::string index_id;  // SelfDescription/ID
  std::vector<std::string> files;
  std::string at;
};

struct Answer {
  int status = 200;
  std::string body;  // XML (or a short text for 503/401)
};

class Simulator {
 public:
  explicit Simulator(std::string token = {}) : token_(std::move(token)) {}

  // One POST /versamenti: `authorization`, `idempotency_key` and `content_type` are the headers.
  Answer receive(const std::string& authorization, const std::string& idempotency_key,
                 const std::string& content_type, const std::string& body);

  void set_modes(int reject, int fail, int lose_answer);
  // Packages preserved (accepted), in order; and how many times each key arrived (answered or not).
  [[nodiscard]] std::vector<Preserved> preserved() const;
  [[nodiscard]] int submissions(const std::string& key) const;
  [[nodiscard]] int preserved_count(const std::string& key) const;
  [[nodiscard]] std::string state_json() const;

 private:
  mutable std::mutex mutex_;
  std::string token_;
  int reject_ = 0;
  int fail_ = 0;
  int lose_answer_ = 0;
  std::map<std::string, std::string> accepted_;  // key -> the receipt XML
  std::map<std::string, int> submissions_;
  std::map<std::string, int> preserved_count_;
  std::vector<Preserved> preserved_;
  std::int64_t next_id_ = 1;
};

class RunningSimulator {
 public:
  virtual ~RunningSimulator() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual std::string url() const = 0;
  [[nodiscard]] virtual Simulator& simulator() = 0;
};

// Listens on 127.0.0.1:`port` (0: a free one), serves in a thread; the destructor stops it. Throws
// std::runtime_error.
std::unique_ptr<RunningSimulator> start_simulator_thread(std::string token, std::uint16_t port);
// `sportello sim conservazione serve`: in the foreground until SIGINT/SIGTERM. Returns the exit code.
int run_simulator(std::string token, std::uint16_t port);

}  // namespace sp::conservazione_sim
