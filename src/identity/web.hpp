#pragma once
// Sign-in pages and the personal area: /accedi, /accedi/{provider}, /auth/callback, /area-personale,
// /esci, /esci/ovunque. And the request-context glue: the session cookie → Principal.
// Starting a sign-in sets the "sp_signin" cookie (HttpOnly, SameSite=Lax, Path=/auth/callback, ten
// minutes) that binds it to this browser; the callback refuses a sign-in without it and clears it.
#include <optional>

#include "http/router.hpp"
#include "identity/request.hpp"
#include "identity/sign_in.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct WebDeps {
  web::View& view;
  SessionService& sessions;
  SignInService& sign_in;
  bool secure_cookies = false;                // true when the public URL is https
  audit::AuditService* audit = nullptr;       // for "who accessed my data"
  class CounterService* counter = nullptr;    // for the assisted sessions listed in the personal area
  tenants::TenantService* tenants = nullptr;  // the body a sign-in returns to keeps its header and colours
  class ActorNames* actor_names = nullptr;    // names, not ids, in "who accessed my data"
};

void register_pages(http::Router& router, WebDeps& deps);

// Reads the session cookie and puts the principal in req.ctx.identity (nothing when anonymous).
void resolve_principal(SessionService& sessions, http::Request& req);

// For pages that need a signed-in person at a SPID level: nullopt when satisfied, else the redirect
// to the sign-in page (which comes back to this page afterwards).
std::optional<http::Response> require_person(const http::Request& req, int level);

// Checks the CSRF token of a state-changing form against the session's.
Status check_csrf(const http::Request& req, const http::Params& form);

std::string cookie_value(const http::Request& req, std::string_view name);

}  // namespace sp::identity
