#pragma once
// The simulator's ledger (internal to adapters/pagopa): every payment the PSP collected, with where its
// receipt stands, and the reporting flows published from it (fdr::FlowSource).
//
// Flows: one per (PSP, settlement date = the payment's day in Rome, organisation = the transfer's
// beneficiary), id `<YYYY-MM-DD><PSP id>-S<NNNNN>`; one row per IBAN transfer (index = the transfer's
// position, EXECUTED), never a row for a digital stamp; tot/sum exact in cents. A flow is published as
// soon as it has a payment and re-published as revision + 1 with a strictly later fdr_date when more
// payments of that day arrive (pagoPA publishes D+1; the demo and the tests cannot wait a day).
// The regulation id is the settling bank transfer's: `RIV-<flow id>` (its remittance would carry
// /PUR/LGPE-RIVERSAMENTO/URI/<flow id>).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/pagopa/simulator.hpp"

namespace sp::pagopa::sim {

class Ledger final : public fdr::FlowSource {
 public:
  Ledger(std::string state_file, std::vector<Psp> psps, const time::Clock& clock);

  // Reads the state file when it exists. Throws std::runtime_error when it cannot be read.
  void load();

  void add(LedgerPayment p);
  // Where a receipt stands after a send. Nothing undoes a delivery (its answer stays the one the station
  // gave when it took the receipt); a refusal gives way only to a delivery.
  void update_delivery(const std::string& receipt_id, Delivery d, const std::string& answer);
  [[nodiscard]] std::optional<LedgerPayment> get(const std::string& receipt_id) const;
  [[nodiscard]] std::vector<LedgerPayment> all() const;

  [[nodiscard]] std::vector<fdr::Flow> published_flows(std::string_view organization_id) const override;

 private:
  struct Published {
    std::string fdr;
    std::int64_t revision = 1;
    std::string fdr_date;
    std::string published;
    std::int64_t count = 0;
    money::Cents sum = 0;
  };
  void save_locked() const;
  [[nodiscard]] const Psp* psp(const std::string& id) const;

  std::string state_file_;
  std::vector<Psp> psps_;
  const time::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<LedgerPayment> payments_;
  mutable std::map<std::string, Published> published_;  // by "psp|date|organisation"
  mutable std::int64_t seq_ = 0;
};

}  // namespace sp::pagopa::sim
