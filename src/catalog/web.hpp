#pragma once
#include "http/router.hpp"
#include "web/context.hpp"

namespace sp::catalog {
// Public pages: hub home (bodies), body home (services by life event), service page, catalog search.
void register_pages(http::Router& router, web::Services& services);
// JSON API: /api/v1/bodies, /api/v1/bodies/{slug}, /api/v1/bodies/{slug}/services[/{code}],
// /api/v1/services, /api/v1/life-events.
void register_api(http::Router& router, web::Services& services);
}  // namespace sp::catalog
