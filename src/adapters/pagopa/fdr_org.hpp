#pragma once
// pagoPA's REST "FdR organization" API (server https://api.platform.pagopa.it/fdr-org/service/v1, public
// OpenAPI fdr_organization.json): since the node's SOAP primitives for reporting flows were deprecated in
// 2026, a creditor body (or its intermediary) fetches the flows PSPs published for it here — a paginated
// list of the latest revision of each flow, then each flow's header and its payments, paginated.
//
// This header is the contract between the simulated node (adapters/pagopa/simulator*, which publishes the
// flows for what it paid through a FlowSource) and the API's two sides written in fdr_org.cpp: the routes
// the simulator mounts and the client the hub's import job uses. Amounts are integer cents here; the wire
// carries euros as JSON numbers, converted at the edge and never summed as floating point.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"

namespace sp::pagopa::fdr {

// One reported transfer (the API's "payments" items; indiceDatiSingoloPagamento = index).
struct Payment {
  std::string iuv;
  std::string iur;
  int index = 1;            // 1..5: the transfer's position in the payment
  money::Cents amount = 0;  // "pay" (euros on the wire)
  std::string pay_status;   // EXECUTED, REVOKED, STAND_IN, STAND_IN_NO_RPT, NO_RPT (XML codes 0,3,4,8,9)
  std::string pay_date;     // ISO 8601 instant
};

// One published flow, latest revision.
struct Flow {
  std::string fdr;  // flow id: <settlement date YYYY-MM-DD><PSP id>-<unique>
  std::int64_t revision = 1;
  std::string fdr_date;   // dataOraFlusso, ISO 8601 instant
  std::string published;  // when the node published it, ISO 8601 instant
  std::string psp_id;     // sender
  std::string psp_name;
  std::string psp_broker_id;
  std::string channel_id;
  std::string organization_id;  // receiver: the creditor body's fiscal code
  std::string organization_name;
  std::string regulation;       // the settling bank transfer's id (identificativoUnivocoRegolamento)
  std::string regulation_date;  // YYYY-MM-DD
  std::string bic_code_pouring_bank;
  std::int64_t tot_payments = 0;
  money::Cents sum_payments = 0;
  std::vector<Payment> payments;
};

// What the simulated node publishes: every flow of an organisation, latest revision of each.
class FlowSource {
 public:
  FlowSource() = default;
  FlowSource(const FlowSource&) = delete;
  FlowSource& operator=(const FlowSource&) = delete;
  virtual ~FlowSource() = default;
  [[nodiscard]] virtual std::vector<Flow> published_flows(std::string_view organization_id) const = 0;
};

}  // namespace sp::pagopa::fdr
