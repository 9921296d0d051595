#pragma once
// The web side of inbound calls from national systems (identity/inbound_service.hpp): a route guard,
// declared where the route is registered, like staff_route and api_route (guards.hpp).
//
//   router.post("/inbound/{slug}/sms/esiti", inbound_route(d, "sms-delivery", delivery_report));
//
// The body is the {slug} of the path (404 when unknown). The caller presents
//   - "Authorization: Bearer spi_…" (the station's secret), or
//   - a client certificate, whose SHA-256 fingerprint the TLS-terminating proxy sends in the header
//     `X-Client-Cert-SHA256` (hex, colons allowed) — believed only when the request comes from one of
//     `trusted_proxies` (setting inbound_trusted_proxies); from anywhere else the header is ignored;
//   - the identifiers its credential lists: by default as query parameters of the same name
//     (?idPA=…&idStazione=…); a module whose caller puts them elsewhere (a SOAP body) passes a reader.
// Refusals answer the JSON error envelope (web/json.hpp): 401 inbound.unauthenticated (with
// WWW-Authenticate), 403 inbound.identifiers, 429 inbound.rate_limited (with Retry-After); each is
// audited once on the body's chain by the service, never again by the app's 403 hook.
// Inbound paths live under /inbound/, not /api/: the API's key check runs before routing on /api/.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "identity/inbound_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

inline constexpr const char* kClientCertHeader = "x-client-cert-sha256";

struct InboundGuardOptions {
  std::vector<std::string> trusted_proxies;  // remote addresses whose certificate header is believed
};
// "10.0.0.1, 10.0.0.2" → {"10.0.0.1", "10.0.0.2"}
std::vector<std::string> parse_trusted_proxies(std::string_view text);

// A guarded inbound request: the body of the URL and who called.
struct InboundCall {
  std::shared_ptr<const tenants::Body> body;
  InboundCaller caller;
};
using InboundHandler = std::function<http::Response(http::Request&, const InboundCall&)>;
// Reads the identifiers the caller presented. Default: every query parameter.
using IdentifierReader = std::function<std::map<std::string, std::string>(const http::Request&)>;

// What the caller of `req` presented, under `options` (exposed for tests).
InboundPresented presented_by(const http::Request& req, const InboundGuardOptions& options,
                              const IdentifierReader& reader);

// `accepted`: AcceptedAudit::by_handler hands the inbound.accepted entry to the handler
// (call.caller.accepted_entry), which appends it with its own work; if the handler throws, the guard
// appends it alone before letting the exception go on. Such a handler writes the entry in its last
// transaction, so that nothing after that commit can throw.
http::Handler require_inbound(const web::View& view, const tenants::TenantService& tenants,
                              InboundService& inbound, const InboundGuardOptions& options, std::string system,
                              InboundHandler handler, IdentifierReader reader = {},
                              AcceptedAudit accepted = AcceptedAudit::now);

// The route of a module's handler `fn(deps, req, call)` behind the inbound guard; `Deps` has the
// module's `view`, `tenants`, `inbound` (InboundService&) and `inbound_options`.
template <class Deps>
http::Handler inbound_route(Deps& d, std::string system,
                            http::Response (*fn)(Deps&, http::Request&, const InboundCall&),
                            IdentifierReader reader = {}, AcceptedAudit accepted = AcceptedAudit::now) {
  return require_inbound(
      d.view, d.tenants, d.inbound, d.inbound_options, std::move(system),
      [&d, fn](http::Request& r, const InboundCall& c) { return fn(d, r, c); }, std::move(reader), accepted);
}

}  // namespace sp::identity
