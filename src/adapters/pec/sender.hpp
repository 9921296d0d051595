#pragma once
// The outbox's channel "pec" (adapters/messaging/outbox.hpp): a message leaves from the body's own PEC
// address through its provider's SMTP (account.hpp), as an e-mail whose Message-ID is the outbox message id
// (the receipts name it). The provider's answer on SMTP only hands the message over: what happened to it
// is told by the receipts in the body's mailbox (receipts_job.hpp), so the message stays `sending` until
// the acceptance and delivery (or error) receipts arrive.
//
// Errors: messaging.configuration (the body has no PEC account: nothing can be sent until an operator
// adds one; the message is dead at once and its fallback stands in), and the e-mail sender's
// (messaging.rejected for a 5xx, messaging.smtp otherwise: retried).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "adapters/messaging/email.hpp"
#include "adapters/pec/account.hpp"

namespace sp::pec {

class PecSender final : public messaging::Sender {
 public:
  // `message_id_domain`: the right-hand side of the Message-IDs (the hub's host name), as for e-mail.
  PecSender(std::map<std::int64_t, Account> accounts, std::string message_id_domain,
            const time::Clock& clock = time::system_clock());

  // Where the files of a message come from (the outbox keeps none): called for every message before it is
  // sent; an empty list sends the text alone. An error is the attempt's (a transient one is retried).
  using AttachmentSource =
      std::function<Result<std::vector<messaging::Attachment>>(const messaging::StoredMessage&)>;
  void set_attachments(AttachmentSource source) { attachments_ = std::move(source); }

  Result<messaging::Delivered> deliver(const messaging::StoredMessage& m) override;
  sp::Status send(const messaging::StoredMessage& m) override;

 private:
  std::map<std::int64_t, std::unique_ptr<messaging::EmailSender>> senders_;
  AttachmentSource attachments_;
};

}  // namespace sp::pec
