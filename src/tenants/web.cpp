#include "tenants/web.hpp"

#include <fmt/format.h>

#include <cmath>

namespace sp::tenants {
namespace {

struct Rgb {
  double r, g, b;
};

Rgb parse_hex(std::string_view hex) {
  auto channel = [&](std::size_t i) { return std::stoi(std::string(hex.substr(i, 2)), nullptr, 16) / 255.0; };
  return {channel(1), channel(3), channel(5)};
}

double linear(double c) {
  return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const Rgb& c) {
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

std::string to_hex(const Rgb& c) {
  auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  return fmt::format("#{:02X}{:02X}{:02X}", byte(c.r), byte(c.g), byte(c.b));
}

}  // namespace

double contrast_with_white(std::string_view hex) {
  return 1.05 / (luminance(parse_hex(hex)) + 0.05);
}

std::string darken_for_white_text(std::string_view hex, double min_ratio) {
  Rgb c = parse_hex(hex);
  for (int i = 0; i < 100 && 1.05 / (luminance(c) + 0.05) < min_ratio; ++i) {
    c = {c.r * 0.95, c.g * 0.95, c.b * 0.95};
  }
  return to_hex(c);
}

void register_pages(http::Router& router, web::Services& s) {
  router.get("/{slug}/tema.css", [&s](http::Request& req) {
    auto body = s.tenants.by_id(req.ctx.tenant_id);
    if (!body) return s.view.error_page(req, 404);
    web::Data d;
    d.set("name", body->name);
    // The header carries white text: keep it at WCAG AA (4.5:1) whatever colour the body chose.
    auto color = darken_for_white_text(body->color_primary, 4.5);
    d.set("color", color);
    d.set("color_dark", darken_for_white_text(color, 7.0));
    http::Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = s.view.render_bare("theme", d, req.ctx.locale);
    r.header("Cache-Control", "public, max-age=300");
    return r;
  });
}

}  // namespace sp::tenants
