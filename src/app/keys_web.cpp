// Publication of the bodies' public keys (core/keys, docs/keys.md):
//   GET /{slug}/chiavi.json   the stamp-signing keys of the body, as a JWKS with validity and status
//                             (revoked ones marked revoked), for anyone checking a digital stamp
// In the body's own space (so a body reached by its own host name publishes /chiavi.json), next to
// /{slug}/tema.css. Public, cacheable for five minutes; a body without keys answers an empty list.
#include <spdlog/spdlog.h>

#include "app/app.hpp"
#include "core/keys/key_ring.hpp"

namespace sp::app {

void App::register_keys_page() {
  router_.get("/{slug}/chiavi.json", [this](http::Request& req) {
    auto body = tenants_->by_slug(req.param("slug"));
    if (!body || !body->active) return view_->error_page(req, 404);
    auto ring = keys::load_ring(config_.keys_dir, body->slug, keys::Purpose::stamp_signing);
    if (!ring) {
      spdlog::error("keys of {}: {}", body->slug, ring.error().detail);
      return view_->error_page(req, 500);
    }
    auto r = http::Response::json(keys::public_jwks_json(*ring));
    r.header("Cache-Control", "public, max-age=300");
    r.header("Access-Control-Allow-Origin", "*");
    return r;
  });
}

}  // namespace sp::app
