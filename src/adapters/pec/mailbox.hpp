#pragma once
// The body's PEC mailbox, read over POP3 (RFC 1939; POP3S in production, `pop3s://` URLs) with libcurl,
// where the providers' receipts arrive. UIDL gives each message a stable id, so a reader that stops
// halfway reads again only what it has not recorded; messages are left on the server (the provider's
// retention rules apply and the mailbox stays the legal copy).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sp::pec {

struct MailboxOptions {
  std::string url;  // pop3s://pop3.pec.provider.example/ (pop3:// only on loopback, for the simulator)
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout{30'000};
};

struct MailboxEntry {
  int number = 0;   // the message's number in this session
  std::string uid;  // UIDL: stable across sessions
};

class Mailbox {
 public:
  explicit Mailbox(MailboxOptions o) : options_(std::move(o)) {}
  // Errors (502): pec.mailbox (connection, authentication, a malformed answer).
  Result<std::vector<MailboxEntry>> list();
  Result<std::string> fetch(int number);  // the whole message, as stored

 private:
  Result<std::string> call(const std::string& url, const char* custom_request);
  MailboxOptions options_;
};

}  // namespace sp::pec
