#pragma once
// Protocol messages arriving by PEC (docs/protocollo-interop.md, "Outside the hub"): the job
// `protocollo.interop_pec` (every minute, latest period only) reads each body's PEC mailbox over POP3
// (adapters/pec/mailbox.hpp; the same mailbox whose receipts pec.receipts reads), and for every message not
// read before (by its UIDL):
//   - a receipt, or a message whose provider's signature is not trusted: remembered, never used;
//   - a certified message (posta-certificata) carrying Segnatura.xml: a protocol message for one of the
//     body's registry offices, checked and recorded by InteropService::receive (channel pec, the sender's
//     address kept for the answers; a refused one is answered with NotificaEccezione by PEC);
//   - one carrying ConfermaRicezione.xml, NotificaEccezione.xml or AnnullamentoProtocollazione.xml: applied
//     to the message of the body it names, sent to or received from that address;
//   - anything else: remembered as ignored (an ordinary PEC for the registry's manual intake).
// What a message caused and its UIDL (protocol_pec_seen) commit in ONE transaction: a reader killed
// halfway reads the message again and records it once. Messages stay on the server.
#include <cstdint>
#include <map>
#include <string>

#include "adapters/pec/account.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "jobs/runner.hpp"
#include "protocollo/interop.hpp"

namespace sp::protocollo {

inline constexpr const char* kInteropPecKind = "protocollo.interop_pec";

struct PecReadStats {
  int fetched = 0;
  int messages = 0;  // protocol messages recorded (accepted or refused)
  int service = 0;   // service messages applied
  int ignored = 0;   // receipts, untrusted, not for the registry
  int failed_mailboxes = 0;
};

class InteropPecReader {
 public:
  // `accounts`: by tenant; `trusted_pem`: the PEC providers' certificates (pec_trusted_certs).
  InteropPecReader(db::Database& db, const time::Clock& clock, InteropService& interop,
                   std::map<std::int64_t, pec::Account> accounts, std::string trusted_pem);
  PecReadStats read_all();
  Result<PecReadStats> read_mailbox(std::int64_t tenant_id, const pec::Account& account);
  void register_with(jobs::Runner& runner);

 private:
  db::Database& db_;
  const time::Clock& clock_;
  InteropService& interop_;
  std::map<std::int64_t, pec::Account> accounts_;
  std::string trusted_pem_;
};

}  // namespace sp::protocollo
