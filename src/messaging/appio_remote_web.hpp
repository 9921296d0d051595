#pragma once
// App IO's remote content ("third-party messages", docs/messaging.md "App IO: remote content"): the
// endpoints IO calls back when a person opens a message the hub sent with remote content (decisions,
// certificates: adapters/appio/wire.hpp Options::remote). The body's remote configuration at IO has
//   base_url  = {public_url}/inbound/{slug}/io
//   details_authentication = {"type": "API-KEY", "header_key_name": "Authorization",
//                             "key": "Bearer spi_…"}   (the body's inbound credential, system "appio")
//
//   GET /inbound/{slug}/io/messages/{id}                      ThirdPartyMessage: {"details": {"subject",
//                                                             "markdown"}, "attachments": [...]}
//   GET /inbound/{slug}/io/messages/{id}/precondition         PreconditionContent {"title", "markdown"}:
//                                                             what IO shows before it opens the message
//                                                             (io_precondition.<kind> in the locales,
//                                                             the person's language); 404 when the
//                                                             message declares none
//   GET /inbound/{slug}/io/messages/{id}/attachments/{n}      the n-th PDF, byte for byte (src/files)
//
// {id} is the hub's outbox message id (third_party_data.id). Behind the inbound guard (identity/
// inbound_guard.hpp: the body's own credential for "appio", audited); then the `fiscal_code` header IO
// sends must be exactly the message's recipient, the message the body's, of channel appio and sent with
// remote content: anything else is the same 404 (ProblemJson, no hint of which check failed), so a
// caller learns nothing of other people's or other bodies' messages. The precondition is answered under
// the same checks.
#include "http/router.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"

namespace sp::db {
class Database;
}
namespace sp::files {
class FileService;
}

namespace sp::messaging {

inline constexpr const char* kAppIoInboundSystem = "appio";

struct AppIoRemoteDeps {
  web::View& view;
  tenants::TenantService& tenants;
  identity::InboundService& inbound;
  identity::InboundGuardOptions inbound_options;
  db::Database& db;
  files::FileService& files;
};

void register_appio_remote(http::Router& router, AppIoRemoteDeps& deps);

}  // namespace sp::messaging
