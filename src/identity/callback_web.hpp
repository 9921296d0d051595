#pragma once
// A body's own sign-in callback (docs/oidc.md, "One client per body"): <client_id>callback answers as
// /auth/callback does. Defined in web.cpp.
#include <string>

#include "http/router.hpp"

namespace sp::identity {

struct WebDeps;

// Registers `path` (e.g. "/c_a479/callback") as a sign-in callback; /auth/callback itself is registered
// by register_pages. `deps` must outlive the router.
void register_callback_route(http::Router& router, WebDeps& deps, const std::string& path);

}  // namespace sp::identity
