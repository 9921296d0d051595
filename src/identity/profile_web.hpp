#pragma once
// The profile pages: GET/POST /area-personale/profilo (what the platform holds + the contact form) and
// POST /area-personale/profilo/verifica (type the code, or ask a new one). The demo mailbox
// /sim/posta is adapters/messaging/mailbox_web.hpp.
#include "http/router.hpp"
#include "identity/profile_service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct ProfileWebDeps {
  web::View& view;
  ProfileService& profile;
};

void register_profile_pages(http::Router& router, ProfileWebDeps& deps);

}  // namespace sp::identity
