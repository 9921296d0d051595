#pragma once
// Demo mode only: the simulators' mailbox GET /sim/posta, listing what the SMTP sink and the SMS gateway
// simulator received (newest first), so a person trying the demo can read the codes and notices sent.
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "http/router.hpp"
#include "web/view.hpp"

namespace sp::messaging {

// Either simulator may be null (its section is then omitted).
struct SimMailboxDeps {
  web::View& view;
  const SmtpSink* smtp = nullptr;
  const SmsGatewaySimulator* sms = nullptr;
  const SmtpSink* pec = nullptr;  // the PEC provider simulator's submissions, listed with the e-mails
};
void register_sim_mailbox(http::Router& router, SimMailboxDeps& deps);

}  // namespace sp::messaging
