#include "messaging/appio_remote_web.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "adapters/appio/wire.hpp"
#include "adapters/messaging/outbox.hpp"
#include "db/database.hpp"
#include "files/service.hpp"

namespace sp::messaging {
namespace {

namespace json = boost::json;

// IO's ProblemJson; the same answer for every refusal after authentication.
http::Response not_found() {
  auto r = http::Response::json(
      json::serialize(json::object{{"title", "Not Found"}, {"status", 404}, {"detail", "no such message"}}),
      404);
  r.content_type = "application/problem+json";
  return r;
}

struct Remote {
  StoredMessage message;
  appio::Remote content;
};

// The message {id} of the body, if the caller's fiscal_code header names its recipient.
std::optional<Remote> remote_for(AppIoRemoteDeps& d, const http::Request& req,
                                 const identity::InboundCall& call) {
  const std::string* cf = req.header("fiscal_code");
  if (cf == nullptr) cf = req.header("fiscal-code");  // proxies that do not pass underscores
  if (cf == nullptr || cf->size() != 16) return std::nullopt;
  auto m = find_message(d.db, call.body->id, req.param("id"));
  if (!m || m->message.channel != Channel::appio || m->message.recipient != *cf) return std::nullopt;
  auto options = appio::parse_options(m->message.options);
  if (!options || !options->remote) return std::nullopt;
  return Remote{std::move(*m), std::move(*options->remote)};
}

http::Response message_get(AppIoRemoteDeps& d, http::Request& req, const identity::InboundCall& call) {
  auto r = remote_for(d, req, call);
  if (!r) return not_found();
  auto out = http::Response::json(appio::third_party_message_json(
      r->message.message.subject, r->message.message.body, r->content.attachments));
  out.header("Cache-Control", "no-store");
  return out;
}

// IO's precondition: the text the app shows before it opens the message (declared "ONCE" with the
// message when it carries one, wire.hpp Remote::precondition), in the person's language.
http::Response precondition_get(AppIoRemoteDeps& d, http::Request& req, const identity::InboundCall& call) {
  auto r = remote_for(d, req, call);
  if (!r || r->content.precondition.empty()) return not_found();
  const std::string key = "io_precondition." + r->content.precondition;
  const auto values = std::map<std::string, std::string>{{"body", call.body->name}};
  auto out = http::Response::json(
      appio::precondition_json(d.view.i18n().format(r->content.lang, key + ".title", values),
                               d.view.i18n().format(r->content.lang, key + ".markdown", values)));
  out.header("Cache-Control", "no-store");
  return out;
}

http::Response attachment_get(AppIoRemoteDeps& d, http::Request& req, const identity::InboundCall& call) {
  auto r = remote_for(d, req, call);
  if (!r) return not_found();
  const auto n_text = req.param("n");
  std::size_t n = 0;
  const auto* end = n_text.data() + n_text.size();
  if (auto [p, ec] = std::from_chars(n_text.data(), end, n);
      ec != std::errc{} || p != end || n < 1 || n > r->content.attachments.size())
    return not_found();
  const auto& a = r->content.attachments[n - 1];
  // The message's tenant's file only: read_content never crosses bodies.
  auto bytes = d.files.read_content(call.body->id, a.file_id);
  if (!bytes) {
    spdlog::error("appio remote: message {} attachment {}: {}", r->message.id, n, bytes.error().code);
    return http::Response::json(
        json::serialize(json::object{{"title", "Internal Server Error"}, {"status", 500}}), 500);
  }
  if (!*bytes) return not_found();
  http::Response out;
  out.status = 200;
  out.content_type = "application/octet-stream";  // IO's api_remote_content: the file's bytes
  out.body = std::move(**bytes);
  out.header("Content-Disposition", "attachment; filename=\"" + std::to_string(n) + ".pdf\"");
  out.header("Cache-Control", "no-store");
  return out;
}

}  // namespace

void register_appio_remote(http::Router& router, AppIoRemoteDeps& d) {
  router.get("/inbound/{slug}/io/messages/{id}",
             identity::inbound_route(d, kAppIoInboundSystem, message_get));
  router.get("/inbound/{slug}/io/messages/{id}/precondition",
             identity::inbound_route(d, kAppIoInboundSystem, precondition_get));
  router.get("/inbound/{slug}/io/messages/{id}/attachments/{n}",
             identity::inbound_route(d, kAppIoInboundSystem, attachment_get));
}

}  // namespace sp::messaging
