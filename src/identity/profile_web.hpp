#pragma once
// The profile pages: GET/POST /area-personale/profilo (what the platform holds + the contact form) and
// POST /area-personale/profilo/verifica (type the code, or ask a new one). And, for demo mode only, the
// simulators' mailbox /sim/posta listing what the SMTP sink and the SMS gateway simulator received.
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "http/router.hpp"
#include "identity/profile_service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct ProfileWebDeps {
  web::View& view;
  ProfileService& profile;
};

void register_profile_pages(http::Router& router, ProfileWebDeps& deps);

// Demo only: GET /sim/posta. Either simulator may be null (its section is then omitted).
struct SimMailboxDeps {
  web::View& view;
  const messaging::SmtpSink* smtp = nullptr;
  const messaging::SmsGatewaySimulator* sms = nullptr;
};
void register_sim_mailbox(http::Router& router, SimMailboxDeps& deps);

}  // namespace sp::identity
