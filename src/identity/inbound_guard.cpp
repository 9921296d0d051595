#include "identity/inbound_guard.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "identity/api_keys.hpp"
#include "web/json.hpp"

namespace sp::identity {

std::vector<std::string> parse_trusted_proxies(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    while (!current.empty() && current.back() == ' ') current.pop_back();
    if (!current.empty()) out.push_back(current);
    current.clear();
  };
  for (char c : text) {
    if (c == ',') {
      flush();
    } else if (c != ' ' || !current.empty()) {
      current.push_back(c);
    }
  }
  flush();
  return out;
}

InboundPresented presented_by(const http::Request& req, const InboundGuardOptions& options,
                              const IdentifierReader& reader) {
  InboundPresented p;
  p.remote_addr = req.remote_addr;
  p.path = req.path;
  if (const std::string* auth = req.header("authorization"))
    p.secret = ApiKeyService::bearer_from_header(*auth);
  const bool from_proxy = std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(),
                                    req.remote_addr) != options.trusted_proxies.end();
  if (from_proxy) {
    if (const std::string* fp = req.header(kClientCertHeader)) p.cert_fingerprint = *fp;
  }
  if (reader) {
    p.identifiers = reader(req);
  } else {
    for (const auto& [k, v] : req.query) p.identifiers.emplace(k, v);
  }
  return p;
}

http::Handler require_inbound(const web::View& view, const tenants::TenantService& tenants,
                              InboundService& inbound, const InboundGuardOptions& options, std::string system,
                              InboundHandler handler, IdentifierReader reader, AcceptedAudit accepted) {
  return [&view, &tenants, &inbound, &options, system = std::move(system), handler = std::move(handler),
          reader = std::move(reader), accepted](http::Request& req) -> http::Response {
    InboundCall call;
    call.body = tenants.by_slug(req.param("slug"));
    if (!call.body || !call.body->active) return web::json_error(view, req, Error::not_found("body"));
    auto caller = inbound.authenticate(call.body->id, system, presented_by(req, options, reader), accepted);
    if (!caller) {
      auto r = web::json_error(view, req, caller.error());
      if (caller.error().http_status == 401)
        r.header("WWW-Authenticate", "Bearer realm=\"sportello-inbound\"");
      if (caller.error().http_status == 429) r.header("Retry-After", "60");
      if (r.status == 403) r.header("x-sportello-audited", "1");  // the service audited it already
      return r;
    }
    call.caller = std::move(*caller);
    if (!call.caller.accepted_entry) return handler(req, call);
    try {
      return handler(req, call);
    } catch (...) {
      // The handler's transaction (and the entry with it) rolled back: the accepted call is audited alone.
      if (auto st = inbound.record_accepted(*call.caller.accepted_entry); !st)
        spdlog::error("audit of an inbound call: {}", st.error().code);
      throw;
    }
  };
}

}  // namespace sp::identity
