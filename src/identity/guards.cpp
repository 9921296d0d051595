#include "identity/guards.hpp"

#include "identity/web.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::identity {

http::Response staff_refusal(const web::View& view, http::Request& req, const Error& e) {
  if (e.http_status == 401) return web::see_other(kStaffSignIn);
  return view.error_page(req, e.http_status);
}

http::Handler require_staff(const web::View& view, const tenants::TenantService& tenants,
                            Permission permission, StaffHandler handler) {
  return [&view, &tenants, permission, handler = std::move(handler)](http::Request& req) -> http::Response {
    StaffCall call{tenants.by_slug(req.param("slug")), principal_of(req)};
    if (!call.body) return view.error_page(req, 404);
    if (auto st = authorize(call.who, permission, call.body->id); !st)
      return staff_refusal(view, req, st.error());
    return handler(req, call);
  };
}

http::Handler require_hub_staff(const web::View& view, Permission permission, StaffHandler handler) {
  return [&view, permission, handler = std::move(handler)](http::Request& req) -> http::Response {
    StaffCall call{nullptr, principal_of(req)};
    if (auto st = authorize(call.who, permission, 0); !st) return staff_refusal(view, req, st.error());
    return handler(req, call);
  };
}

http::Handler require_api_key(const web::View& view, const tenants::TenantService& tenants, std::string scope,
                              ApiHandler handler) {
  return [&view, &tenants, scope = std::move(scope),
          handler = std::move(handler)](http::Request& req) -> http::Response {
    ApiCall call{tenants.by_slug(req.param("slug")), api_key_of(req)};
    if (!call.body) return web::json_error(view, req, Error::not_found("body"));
    if (call.key == nullptr) return web::json_error(view, req, Error::make("auth.required", 401));
    if (call.key->tenant_id != call.body->id || !call.key->has_scope(scope))
      return web::json_error(view, req, Error::forbidden(scope));
    return handler(req, call);
  };
}

}  // namespace sp::identity
