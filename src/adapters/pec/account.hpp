#pragma once
// Each body's PEC account (its certified address at its PEC provider): where the body's PEC messages
// leave (the provider's SMTP, authenticated) and where the provider's receipts arrive (its POP3 mailbox).
// A secret outside the database, next to the body's other keys (docs/keys.md), like the App IO key:
//
//   <keys_dir>/<slug>/pec/account     mode 600; absent: the body sends no PEC
//
//   address=protocollo@pec.comune.asti.it          the body's PEC address (From, and the mailbox)
//   smtp=smtps://smtps.pec.provider.example:465      the provider's submission server
//   pop3=pop3s://pop3s.pec.provider.example:995      the provider's mailbox server
//   user=protocollo@pec.comune.asti.it              optional: the address when absent
//   password=...
//
// One line per setting, `#` starts a comment. The hub never uses one body's account for another body's
// message: the account is looked up by the message's tenant (sender.hpp), and the receipts of a body's
// mailbox only ever move that body's messages (receipts_job.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sp::pec {

struct Account {
  std::string address;
  std::string smtp_url;
  std::string pop3_url;
  std::string user;
  std::string password;
};

// <keys_dir>/<slug>/pec/account
std::string account_path(const std::string& keys_dir, const std::string& slug);

// Reads the account of `slug`; nullopt when there is no file. Errors: pec.account (unreadable, readable by
// group or others: "chmod 600", an unknown setting, a missing address, smtp, pop3 or password, a URL of
// another scheme than smtp(s):// and pop3(s)://).
Result<std::optional<Account>> read_account(const std::string& keys_dir, const std::string& slug);
// Writes it (folders 700, file 600), replacing the old one: the demo and `sportello sim pec`.
Status write_account(const std::string& keys_dir, const std::string& slug, const Account& account);

// The accounts of the bodies that have one, by tenant id; problems go to `problems` (that body sends no
// PEC until mended).
std::map<std::int64_t, Account> load_accounts(const std::string& keys_dir,
                                              const std::vector<std::pair<std::int64_t, std::string>>& bodies,
                                              std::vector<std::string>& problems);

}  // namespace sp::pec
