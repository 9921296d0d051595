#pragma once
#include "http/router.hpp"
#include "web/context.hpp"

namespace sp::tenants {
// /{slug}/tema.css: the body's colours, so pages need no inline styles.
void register_pages(http::Router& router, web::Services& services);
// Colour helpers (exposed for tests): WCAG relative-luminance contrast, and a colour darkened until
// white text on it reaches `min_ratio`.
double contrast_with_white(std::string_view hex);
std::string darken_for_white_text(std::string_view hex, double min_ratio);
}  // namespace sp::tenants
