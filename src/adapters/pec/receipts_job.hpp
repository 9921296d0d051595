#pragma once
// The PEC receipts job (`pec.receipts`, every minute, latest period only; docs/jobs.md): reads each body's
// PEC mailbox over POP3 (mailbox.hpp, the account of account.hpp), and for every message not read before
// (by its UIDL) verifies the provider's signature against the trusted bundle, reads daticert.xml
// (receipt.hpp), and in ONE transaction records the receipt (append-only, once per provider
// `identificativo`: a receipt seen twice, or in two UIDLs, changes nothing) and applies it to the message
// it is about through the delivery states (outbox.hpp apply_report):
//
//   accettazione, presa-in-carico      recorded (the message stays `sending`: handed to the provider)
//   avvenuta-consegna                  delivered
//   errore-consegna, rilevazione-virus permanent failure (bounced: also after "delivered", the late
//                                      bounce rule); the fallback rule applies
//   non-accettazione                   permanent failure; the fallback rule applies
//   preavviso-errore-consegna          recorded and shown to staff, nothing else
//
// A receipt moves only a message of the body whose mailbox it arrived in (tenant walls: the message is
// looked up by its id AND the mailbox's tenant), and only a PEC message. A message of the mailbox that is
// no receipt, or whose signature is not trusted (smime.signature), or unreadable, is remembered as seen
// with its reason (pec_mailbox_seen) and never believed. Messages stay on the server.
//
// A PEC message handed to the provider that has had NO receipt at all after the acceptance timeout
// (set_acceptance_timeout, 30 minutes by default) is failed (permanent failure, `pec.no_acceptance`) and its
// fallback goes out, like any other channel's failure: the provider answers the acceptance within
// minutes, so silence means the message never left. Only after its body's mailbox was read in the same run
// (a mailbox that cannot be read fails nothing: its receipts may be waiting there).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/pec/account.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "jobs/runner.hpp"

namespace sp::pec {

inline constexpr const char* kReceiptsKind = "pec.receipts";

// A recorded receipt (pec_receipts), for the staff's message page.
struct ReceiptRow {
  std::string identificativo, kind, message_id, msgid, recipient, errore, errore_esteso, provider, issued_at,
      signer, mailbox, outcome, recorded_at;
};

struct ReadStats {
  int fetched = 0;     // messages read from the mailboxes this time
  int recorded = 0;    // new receipts
  int duplicates = 0;  // a receipt already recorded (same identificativo)
  int refused = 0;     // not believed: bad signature, not a receipt, unreadable
  int moved = 0;       // receipts that changed a message's state
  int expired = 0;     // messages failed for want of an acceptance receipt
  int failed_mailboxes = 0;
};

class ReceiptsReader {
 public:
  // `accounts`: by tenant (account.hpp); `trusted_pem`: the providers' certificates (configuration
  // pec_trusted_certs); `message_id_domain`: the right-hand side of the hub's Message-IDs.
  ReceiptsReader(db::Database& db, std::map<std::int64_t, Account> accounts, std::string trusted_pem,
                 std::string message_id_domain, const time::Clock& clock = time::system_clock());

  // Every body's mailbox once; a mailbox that cannot be read is logged and counted, the others go on.
  ReadStats read_all();
  // One body's mailbox. Errors: pec.mailbox (connection, authentication).
  Result<ReadStats> read_mailbox(std::int64_t tenant_id, const Account& account);

  // How long a handed-over message may wait for its first receipt (default 30 minutes).
  void set_acceptance_timeout(std::chrono::seconds t) { acceptance_timeout_ = t; }
  // Fails the body's handed-over PEC messages without any receipt after the acceptance timeout (then
  // their fallback). Returns how many.
  int expire_unanswered(std::int64_t tenant_id);

  // Adds the periodic kind to `runner` (this object must outlive the runner's use of it).
  void register_with(jobs::Runner& runner);

 private:
  db::Database& db_;
  std::map<std::int64_t, Account> accounts_;
  std::string trusted_pem_;
  std::string message_id_domain_;
  const time::Clock& clock_;
  std::chrono::seconds acceptance_timeout_{std::chrono::minutes(30)};
};

// The receipts of one of the body's messages, oldest first.
std::vector<ReceiptRow> list_receipts(db::Database& db, std::int64_t tenant_id,
                                      const std::string& message_id);

// The outbox id a receipt's Message-ID names ("<id@domain>" with the hub's domain), or "".
std::string outbox_id_of(std::string_view msgid, std::string_view message_id_domain);

}  // namespace sp::pec
