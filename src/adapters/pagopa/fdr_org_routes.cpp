// The FdR organization API's server side (fdr_org.hpp): what the simulated node mounts. Reads only.
#include <boost/json.hpp>

#include "adapters/pagopa/fdr_org.hpp"
#include "http/router.hpp"

namespace sp::pagopa::fdr {
namespace {

// pagoPA's ErrorResponse shape.
http::Response fdr_route_error(int status, const char* description, const char* app_code,
                               const std::string& message) {
  boost::json::object o{{"httpStatusCode", status},
                        {"httpStatusDescription", description},
                        {"appErrorCode", app_code},
                        {"errors", boost::json::array{boost::json::object{{"message", message}}}}};
  return http::Response::json(boost::json::serialize(o), status);
}

std::int64_t fdr_route_int(const http::Request& r, std::string_view name, std::int64_t fallback,
                           std::int64_t lo, std::int64_t hi) {
  const auto s = r.query_param(name);
  if (s.empty()) return fallback;
  try {
    return std::clamp<std::int64_t>(std::stoll(s), lo, hi);
  } catch (...) {
    return fallback;
  }
}

bool fdr_route_authorised(const http::Request& r, const std::string& key) {
  if (key.empty()) return true;
  const auto* h = r.header("ocp-apim-subscription-key");
  return h != nullptr && *h == key;
}

std::optional<Flow> fdr_route_find(const FlowSource& source, const http::Request& r) {
  const auto org = r.param("organizationId");
  for (auto& f : source.published_flows(org)) {
    if (f.fdr == r.param("fdr") && f.psp_id == r.param("pspId") &&
        std::to_string(f.revision) == r.param("revision"))
      return f;
  }
  return std::nullopt;
}

}  // namespace

void register_fdr_org_routes(http::Router& router, const FlowSource& source, const std::string& base,
                             std::string subscription_key,
                             std::function<std::optional<http::Response>()> before) {
  const std::string orgs = base + "/organizations/{organizationId}/fdrs";
  const std::string one = orgs + "/{fdr}/revisions/{revision}/psps/{pspId}";
  router.get(orgs, [&source, subscription_key, before](http::Request& r) {
    if (before)
      if (auto answer = before()) return *answer;
    if (!fdr_route_authorised(r, subscription_key))
      return fdr_route_error(401, "Unauthorized", "FDR-0401", "subscription key");
    auto flows = source.published_flows(r.param("organizationId"));
    if (const auto psp = r.query_param("pspId"); !psp.empty())
      std::erase_if(flows, [&](const Flow& f) { return f.psp_id != psp; });
    // Instants are compared as written: both sides write ISO 8601 UTC with a Z.
    if (const auto gt = r.query_param("publishedGt"); !gt.empty())
      std::erase_if(flows, [&](const Flow& f) { return !(f.published > gt); });
    const auto page = fdr_route_int(r, "page", 1, 1, 1'000'000);
    const auto size = fdr_route_int(r, "size", 1000, 1, 1000);
    return http::Response::json(list_json(flows, page, size));
  });
  router.get(one, [&source, subscription_key, before](http::Request& r) {
    if (before)
      if (auto answer = before()) return *answer;
    if (!fdr_route_authorised(r, subscription_key))
      return fdr_route_error(401, "Unauthorized", "FDR-0401", "subscription key");
    auto f = fdr_route_find(source, r);
    if (!f)
      return fdr_route_error(404, "Not Found", "FDR-3001",
                             "Flow with ID [" + r.param("fdr") + "] not found.");
    return http::Response::json(flow_json(*f));
  });
  router.get(one + "/payments", [&source, subscription_key, before](http::Request& r) {
    if (before)
      if (auto answer = before()) return *answer;
    if (!fdr_route_authorised(r, subscription_key))
      return fdr_route_error(401, "Unauthorized", "FDR-0401", "subscription key");
    auto f = fdr_route_find(source, r);
    if (!f)
      return fdr_route_error(404, "Not Found", "FDR-3001",
                             "Flow with ID [" + r.param("fdr") + "] not found.");
    const auto page = fdr_route_int(r, "page", 1, 1, 1'000'000);
    const auto size = fdr_route_int(r, "size", 1000, 1, 1000);
    return http::Response::json(payments_json(*f, page, size));
  });
}

}  // namespace sp::pagopa::fdr
