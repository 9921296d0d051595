#pragma once
// The identity module installed (web/module.hpp): sessions and sign-in, the staff accounts and API keys,
// the inbound credentials of national systems, the profile, delegations and the assisted counter, with
// their pages. Installed first: every other module's guards and records name its principals.
#include <memory>

#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "identity/api_keys.hpp"
#include "identity/counter_receipt_pdf.hpp"
#include "identity/counter_service.hpp"
#include "identity/counter_web.hpp"
#include "identity/delegation_service.hpp"
#include "identity/delegation_web.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"
#include "identity/profile_service.hpp"
#include "identity/profile_web.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "identity/staff_service.hpp"
#include "identity/staff_web.hpp"
#include "identity/web.hpp"
#include "web/module.hpp"

namespace sp::identity {

struct Module : web::Installed {
  std::unique_ptr<SessionService> sessions;
  std::unique_ptr<SignInService> sign_in;  // App adds the OIDC providers (config, demo simulator)
  std::unique_ptr<StaffService> staff;
  std::unique_ptr<ApiKeyService> api_keys;
  // Inbound calls from national systems (inbound_guard.hpp): the service and the guard's options, for
  // the modules whose routes national systems call (payments first).
  std::unique_ptr<InboundService> inbound;
  InboundGuardOptions inbound_options;
  std::unique_ptr<ActorNames> actor_names;  // names for the actor ids records keep
  std::unique_ptr<ProfileService> profile;
  std::unique_ptr<DelegationService> delegations;
  std::unique_ptr<CounterService> counter;
  // The pages' dependencies (they refer to the services above).
  std::unique_ptr<WebDeps> web;
  std::unique_ptr<StaffWebDeps> staff_web;
  std::unique_ptr<ProfileWebDeps> profile_web;
  std::unique_ptr<DelegationWebDeps> delegation_web;
  std::unique_ptr<CounterWebDeps> counter_web;
};

// `counter_receipt`: how the counter's receipt is laid out as a PDF (applications prints it).
std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                CounterReceiptRenderer counter_receipt);

}  // namespace sp::identity
