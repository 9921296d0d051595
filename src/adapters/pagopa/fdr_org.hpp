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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http_client.hpp"
#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::http {
class Router;  // the routes are defined web-side (fdr_org_routes.cpp): this header stays domain-safe
struct Response;
}  // namespace sp::http

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

// --- the wire (fdr_org.cpp) ----------------------------------------------------------------------------

// An item of GET /organizations/{organizationId}/fdrs.
struct FlowRef {
  std::string fdr;
  std::string psp_id;
  std::int64_t revision = 1;
  std::string published;
  std::string flow_date;
};

// pay / sumPayments: euros as a JSON number with two decimals ("1234.56"), from and to cents exactly.
std::string euros_text(money::Cents cents);
// XML codiceEsitoSingoloPagamento from payStatus ("EXECUTED" -> "0", ...); "" when unknown.
std::string_view outcome_code(std::string_view pay_status);
std::string_view pay_status_of_code(std::string_view code);

// The JSON bodies of the three GETs (field names as in fdr_organization.json). `page` is 1-based.
std::string list_json(const std::vector<Flow>& flows, std::int64_t page, std::int64_t size);
std::string flow_json(const Flow& f);
std::string payments_json(const Flow& f, std::int64_t page, std::int64_t size);
// Their reading. Errors: fdr_api.json (detail says what is missing or wrong).
struct ListPage {
  std::vector<FlowRef> flows;
  std::int64_t total_pages = 1;
};
Result<ListPage> parse_list(std::string_view json);
Result<Flow> parse_flow(std::string_view json);  // header only, payments empty
struct PaymentsPage {
  std::vector<Payment> payments;
  std::int64_t total_pages = 1;
};
Result<PaymentsPage> parse_payments(std::string_view json);

// The flow as a FlussoRiversamento XML document (pagoPA's FlussoRiversamento_1_0_4 develop XSD), so that
// flows fetched over REST are kept and imported exactly like files.
std::string render_fdr_xml(const Flow& f);

// The routes the simulated node mounts under `base` (e.g. "/fdr-org/service/v1"); a non-empty
// `subscription_key` is required in Ocp-Apim-Subscription-Key (401 otherwise). `before`, when set, runs
// first and its answer, if any, is given instead (the simulator's slow or failing FdR). Defined web-side.
void register_fdr_org_routes(http::Router& router, const FlowSource& source, const std::string& base,
                             std::string subscription_key = {},
                             std::function<std::optional<http::Response>()> before = {});

struct ClientOptions {
  std::string base_url;  // config pagopa_fdr_url
  std::string subscription_key;
  std::int64_t page_size = 1000;
  std::string published_gt;  // ISO instant; "" for the server's default (30 days)
};

// Lists every page of an organisation's published flows and fetches each flow's header and every page of
// its payments. Errors: http_client.*, fdr_api.status (detail: "<status> <path>"), fdr_api.json.
class Client {
 public:
  Client(adapters::HttpClient http, ClientOptions options)
      : http_(std::move(http)), options_(std::move(options)) {}
  [[nodiscard]] Result<std::vector<FlowRef>> list(const std::string& organization_id) const;
  [[nodiscard]] Result<Flow> fetch(const std::string& organization_id, const FlowRef& ref) const;

 private:
  [[nodiscard]] Result<std::string> get(const std::string& path_and_query) const;
  adapters::HttpClient http_;
  ClientOptions options_;
};

}  // namespace sp::pagopa::fdr
