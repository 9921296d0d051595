#pragma once
// Route guards: who may reach a handler is declared where the route is registered, once, instead of
// being checked by the first lines of every handler.
//
//   router.get(b + "/{id}", require_staff(d.view, d.tenants, Permission::backoffice,
//                                         [&d](http::Request& r, const StaffCall& c) { return entry_get(d, r,
//                                         c); }));
//
// Pages of one body (/backoffice/{slug}/...): an unknown body answers 404, an anonymous caller is sent to
// the staff sign-in, a staff member without the permission on that body gets the 403 page (which the
// app's hook writes to the body's audit log). Hub-wide staff pages (the counter, which serves citizens of
// every member body) check the permission without a body. API routes of one body
// (/api/v1/backoffice/{slug}/...) want an API key of that body with the scope; refusals use the JSON
// error envelope (web/json.hpp).
#include <functional>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "identity/api_keys.hpp"
#include "identity/audit_entry.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/request.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

// Where anonymous callers of a staff page are sent.
inline constexpr const char* kStaffSignIn = "/backoffice/accedi";

// A guarded staff request: the body of the URL (null on hub-wide routes) and the staff member.
struct StaffCall {
  std::shared_ptr<const tenants::Body> body;
  const Principal* who = nullptr;
};
using StaffHandler = std::function<http::Response(http::Request&, const StaffCall&)>;

http::Handler require_staff(const web::View& view, const tenants::TenantService& tenants,
                            Permission permission, StaffHandler handler);
http::Handler require_hub_staff(const web::View& view, Permission permission, StaffHandler handler);

// A guarded API request: the body of the URL and the API key that called, holding `scope` for it.
struct ApiCall {
  std::shared_ptr<const tenants::Body> body;
  const ApiPrincipal* key = nullptr;
};
// Who acts when a program calls the API: its key, by id ("api-key:<id>", the API channel in the audit log).
inline SystemActor actor_of(const ApiCall& a) {
  return SystemActor{"api-key:" + a.key->key_id};
}
using ApiHandler = std::function<http::Response(http::Request&, const ApiCall&)>;

http::Handler require_api_key(const web::View& view, const tenants::TenantService& tenants, std::string scope,
                              ApiHandler handler);

// The route of a module's page handler `fn(deps, req, call)` behind the staff guard; `Deps` has the
// module's `view` and `tenants`.
template <class Deps>
http::Handler staff_route(Deps& d, Permission permission,
                          http::Response (*fn)(Deps&, http::Request&, const StaffCall&)) {
  return require_staff(d.view, d.tenants, permission,
                       [&d, fn](http::Request& r, const StaffCall& c) { return fn(d, r, c); });
}
template <class Deps>
http::Handler hub_staff_route(Deps& d, Permission permission,
                              http::Response (*fn)(Deps&, http::Request&, const StaffCall&)) {
  return require_hub_staff(d.view, permission,
                           [&d, fn](http::Request& r, const StaffCall& c) { return fn(d, r, c); });
}
template <class Deps>
http::Handler api_route(Deps& d, std::string scope,
                        http::Response (*fn)(Deps&, http::Request&, const ApiCall&)) {
  return require_api_key(d.view, d.tenants, std::move(scope),
                         [&d, fn](http::Request& r, const ApiCall& c) { return fn(d, r, c); });
}

// The answer to a refused staff page: the staff sign-in for a 401, else the error page of that status.
http::Response staff_refusal(const web::View& view, http::Request& req, const Error& e);

}  // namespace sp::identity
