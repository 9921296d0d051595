#include "adapters/pec/sender.hpp"

namespace sp::pec {

PecSender::PecSender(std::map<std::int64_t, Account> accounts, std::string message_id_domain,
                     const time::Clock& clock) {
  for (auto& [tenant, a] : accounts) {
    messaging::EmailOptions o;
    o.smtp_url = a.smtp_url;
    o.from_address = a.address;
    o.from_name = "";
    o.username = a.user;
    o.password = a.password;
    o.message_id_domain = message_id_domain;
    senders_[tenant] = std::make_unique<messaging::EmailSender>(std::move(o), clock);
  }
}

Result<messaging::Delivered> PecSender::deliver(const messaging::StoredMessage& m) {
  auto it = senders_.find(m.message.tenant_id);
  if (it == senders_.end())
    return Error::make("messaging.configuration", 503,
                       "pec: the body has no PEC account (<keys_dir>/<body>/pec/account)");
  std::vector<messaging::Attachment> files;
  if (attachments_) {
    auto got = attachments_(m);
    if (!got) return got.error();
    files = std::move(*got);
  }
  if (auto s = it->second->send(m, files); !s) return s.error();
  messaging::Delivered d;
  d.channel = "pec";
  d.awaiting_receipts = true;
  return d;
}

sp::Status PecSender::send(const messaging::StoredMessage& m) {
  auto d = deliver(m);
  if (!d) return d.error();
  return Ok{};
}

}  // namespace sp::pec
