#pragma once
// The outbox's channel "appio" (adapters/messaging/outbox.hpp): a message for a person, by fiscal code,
// through the body's App IO service, or by e-mail when IO cannot carry it.
//
//   1. the body's subscription key (keys.hpp: one per body; a body without one has no IO service);
//   2. GET /profiles/{fiscal_code}: 404 (not on IO) or sender_allowed false (opted out of this body's
//      service) → the e-mail fallback;
//   3. POST /messages → IO's message id, recorded with the message when it is marked sent. A message with
//      remote content (wire.hpp Options::remote: decisions, certificates) goes with its teaser and
//      third_party_data (the outbox id, the body's remote configuration); IO then fetches the text and
//      the PDFs from the hub (messaging/appio_remote_web.hpp). A body without a remote configuration
//      sends it by e-mail instead (personal content is never stored at IO).
// A 429 or an unreachable IO is transient: the job is retried later, on IO (never a fallback: the person
// is on IO, and must not get the message twice by two channels). A refusal (400/401/403) falls back to
// e-mail. The fallback e-mail carries the outbox message id as Message-ID, like any e-mail of the outbox.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/appio/client.hpp"
#include "adapters/messaging/message.hpp"

namespace sp::appio {

// The body's (tenant's) IO subscription key, or nullopt when the body has no IO service.
using KeyLookup = std::function<std::optional<std::string>(std::int64_t tenant_id)>;
// The body's remote-content configuration id at IO (keys.hpp), or nullopt when it has none.
using RemoteLookup = std::function<std::optional<std::string>(std::int64_t tenant_id)>;

class AppIoSender final : public messaging::Sender {
 public:
  // `email`: the sender of the fallback (may be null: then a person not on IO is a permanent failure).
  AppIoSender(std::shared_ptr<Client> client, KeyLookup keys, std::shared_ptr<messaging::Sender> email);

  Result<messaging::Delivered> deliver(const messaging::StoredMessage& m) override;
  sp::Status send(const messaging::StoredMessage& m) override;
  // Before the runner starts.
  void set_remote_configurations(RemoteLookup remote) { remote_ = std::move(remote); }

  [[nodiscard]] Client& client() { return *client_; }

 private:
  Result<messaging::Delivered> fall_back(const messaging::StoredMessage& m, std::string_view why);

  std::shared_ptr<Client> client_;
  KeyLookup keys_;
  RemoteLookup remote_;
  std::shared_ptr<messaging::Sender> email_;
};

}  // namespace sp::appio
