#include "adapters/appio/sender.hpp"

#include <spdlog/spdlog.h>

namespace sp::appio {

AppIoSender::AppIoSender(std::shared_ptr<Client> client, KeyLookup keys,
                         std::shared_ptr<messaging::Sender> email)
    : client_(std::move(client)), keys_(std::move(keys)), email_(std::move(email)) {}

sp::Status AppIoSender::send(const messaging::StoredMessage& m) {
  auto d = deliver(m);
  if (!d) return d.error();
  return Ok{};
}

Result<messaging::Delivered> AppIoSender::fall_back(const messaging::StoredMessage& m, std::string_view why) {
  if (m.message.fallback_recipient.empty() || !email_)
    return Error::make("messaging.rejected", 422, std::string(why) + "; no e-mail to fall back to");
  messaging::StoredMessage copy = m;  // same id: the e-mail's Message-ID, so a repeat can be dropped
  copy.message.channel = messaging::Channel::email;
  copy.message.recipient = m.message.fallback_recipient;
  auto s = email_->send(copy);
  if (!s) return s.error();
  return messaging::Delivered{"email", ""};
}

Result<messaging::Delivered> AppIoSender::deliver(const messaging::StoredMessage& m) {
  const auto key = keys_ ? keys_(m.message.tenant_id) : std::nullopt;
  if (!key || key->empty()) return fall_back(m, "the body has no App IO service");
  auto options = parse_options(m.message.options);
  if (!options) return Error::make("messaging.rejected", 422, options.error().code);
  auto reach = client_->profile(*key, m.message.recipient);
  if (!reach) {
    // A refused look-up (wrong key, bad fiscal code) will not mend: e-mail instead. Anything else waits.
    if (reach.error().code == "messaging.rejected") {
      spdlog::warn("appio: IO refused the profile look-up of message {} (body {}): {}; e-mail instead", m.id,
                   m.message.tenant_id, reach.error().detail);
      return fall_back(m, reach.error().detail);
    }
    return reach.error();
  }
  if (*reach == Reach::not_on_io) return fall_back(m, "not on App IO");
  if (*reach == Reach::opted_out) return fall_back(m, "opted out of the body's App IO service");
  if (auto c = check_message(m.message.recipient, m.message.subject, m.message.body, m.message.options); !c)
    return fall_back(m, c.error().code);
  std::optional<ThirdParty> third_party;
  if (options->remote) {
    auto configuration = remote_ ? remote_(m.message.tenant_id) : std::nullopt;
    if (!configuration || configuration->empty())
      return fall_back(m, "the body has no remote-content configuration at App IO");
    third_party = ThirdParty{m.id, *configuration};
  }
  auto id = client_->submit(*key,
                            new_message_json(m.message.recipient, m.message.subject, m.message.body, *options,
                                             third_party ? &*third_party : nullptr),
                            m.id);
  if (!id) {
    if (id.error().code == "messaging.rejected") {
      spdlog::warn("appio: IO refused message {} (body {}): {}; e-mail instead", m.id, m.message.tenant_id,
                   id.error().detail);
      return fall_back(m, id.error().detail);
    }
    return id.error();
  }
  spdlog::debug("appio: message {} accepted by IO as {}", m.id, *id);
  return messaging::Delivered{"appio", *id};
}

}  // namespace sp::appio
