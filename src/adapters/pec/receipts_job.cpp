#include "adapters/pec/receipts_job.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <set>

#include "adapters/messaging/outbox.hpp"
#include "adapters/pec/mailbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "core/digest.hpp"

namespace sp::pec {
namespace {

constexpr const char* kSeenUids = "SELECT uid FROM pec_mailbox_seen WHERE tenant_id = $1 AND mailbox = $2";
constexpr const char* kMarkSeen =
    "INSERT INTO pec_mailbox_seen (tenant_id, mailbox, uid, seen_at, outcome) VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kIsSeen =
    "SELECT 1 FROM pec_mailbox_seen WHERE tenant_id = $1 AND mailbox = $2 AND uid = $3";
constexpr const char* kKnownReceipt =
    "SELECT 1 FROM pec_receipts WHERE tenant_id = $1 AND identificativo = $2";
constexpr const char* kInsertReceipt =
    "INSERT INTO pec_receipts (tenant_id, identificativo, kind, message_id, msgid, recipient, errore, "
    "errore_esteso, provider, issued_at, signer, mailbox, mailbox_uid, sha256, outcome, recorded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
// The message a receipt is about: the mailbox's body's, and a PEC one.
constexpr const char* kPecMessage =
    "SELECT id FROM outbox WHERE id = $1 AND tenant_id = $2 AND (channel = 'pec' OR delivered_channel = "
    "'pec')";
// The body's PEC messages handed to the provider before $2 (their open attempt's start) that no receipt
// names yet.
constexpr const char* kUnanswered =
    "SELECT o.id FROM outbox o JOIN outbox_attempts a ON a.message_id = o.id AND a.tenant_id = o.tenant_id "
    "WHERE o.tenant_id = $1 AND o.status = 'sending' AND o.claim IS NULL AND o.delivered_channel = 'pec' "
    "AND a.outcome = 'sending' AND a.started_at < $2 AND NOT EXISTS (SELECT 1 FROM pec_receipts r "
    "WHERE r.tenant_id = o.tenant_id AND r.message_id = o.id) ORDER BY o.id";
constexpr const char* kReceipts =
    "SELECT identificativo, kind, message_id, msgid, recipient, errore, errore_esteso, provider, issued_at, "
    "signer, mailbox, outcome, recorded_at FROM pec_receipts WHERE tenant_id = $1 AND message_id = $2 "
    "ORDER BY id";

// What a receipt does to its message (the table of receipts_job.hpp).
std::optional<messaging::Event> event_of(ReceiptKind k) {
  switch (outcome_of(k)) {
    case Outcome::delivered:
      return messaging::Event::delivered;
    case Outcome::delivery_failed:
      return messaging::Event::bounced;
    case Outcome::not_accepted:
      return messaging::Event::permanent_failure;
    case Outcome::accepted:
    case Outcome::delivery_warning:
    case Outcome::none:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string detail_of(const Daticert& d) {
  std::string s = "pec " + std::string(to_string(d.kind));
  if (d.errore != "nessuno") s += ": " + d.errore;
  if (!d.errore_esteso.empty()) s += " (" + d.errore_esteso + ")";
  if (!d.consegna.empty()) s += " — " + d.consegna;
  return s;
}

}  // namespace

std::string outbox_id_of(std::string_view msgid, std::string_view message_id_domain) {
  if (msgid.size() < 3 || msgid.front() != '<' || msgid.back() != '>') return "";
  msgid = msgid.substr(1, msgid.size() - 2);
  const auto at = msgid.rfind('@');
  if (at == std::string_view::npos || at == 0) return "";
  if (msgid.substr(at + 1) != message_id_domain) return "";
  const auto id = msgid.substr(0, at);
  for (char c : id) {
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '-')) return "";  // a UUID
  }
  return std::string(id);
}

ReceiptsReader::ReceiptsReader(db::Database& db, std::map<std::int64_t, Account> accounts,
                               std::string trusted_pem, std::string message_id_domain,
                               const time::Clock& clock)
    : db_(db),
      accounts_(std::move(accounts)),
      trusted_pem_(std::move(trusted_pem)),
      message_id_domain_(std::move(message_id_domain)),
      clock_(clock) {}

ReadStats ReceiptsReader::read_all() {
  ReadStats total;
  for (const auto& [tenant, account] : accounts_) {
    auto r = read_mailbox(tenant, account);
    if (!r) {
      ++total.failed_mailboxes;
      spdlog::warn("pec.receipts: the mailbox {} of body {}: {} {}", account.address, tenant, r.error().code,
                   r.error().detail);
      continue;
    }
    total.fetched += r->fetched;
    total.recorded += r->recorded;
    total.duplicates += r->duplicates;
    total.refused += r->refused;
    total.moved += r->moved;
    total.expired += expire_unanswered(tenant);
  }
  return total;
}

Result<ReadStats> ReceiptsReader::read_mailbox(std::int64_t tenant, const Account& account) {
  ReadStats stats;
  Mailbox box({account.pop3_url, account.user, account.password});
  auto entries = box.list();
  if (!entries) return entries.error();
  std::set<std::string> seen;
  for (auto& uid :
       db::read_all(db_, kSeenUids, {tenant, account.address}, [](const db::Row& r) { return r.text(0); }))
    seen.insert(std::move(uid));
  for (const auto& e : *entries) {
    if (seen.count(e.uid) != 0) continue;
    auto raw = box.fetch(e.number);
    if (!raw) return raw.error();  // the next run reads it again
    ++stats.fetched;
    const auto now = clock_.now();
    const auto at = time::format_iso_utc(now);
    auto receipt = read_receipt(*raw, trusted_pem_);
    if (receipt && receipt->data.kind == ReceiptKind::posta_certificata)
      receipt = Error::make("pec.not_a_receipt", 400, "posta-certificata");
    db_.write([&](db::Conn& tx) {
      if (tx.query_one(kIsSeen, {tenant, account.address, e.uid})) return;  // another node was quicker
      if (!receipt) {
        ++stats.refused;
        spdlog::warn("pec.receipts: {} in the mailbox {} not believed: {} {}", e.uid, account.address,
                     receipt.error().code, receipt.error().detail);
        tx.exec(kMarkSeen, {tenant, account.address, e.uid, at, receipt.error().code});
        return;
      }
      const auto& d = receipt->data;
      if (tx.query_one(kKnownReceipt, {tenant, d.identificativo})) {
        ++stats.duplicates;
        tx.exec(kMarkSeen, {tenant, account.address, e.uid, at, std::string("duplicate")});
        return;
      }
      std::string message_id = outbox_id_of(d.msgid, message_id_domain_);
      if (!message_id.empty() && !tx.query_one(kPecMessage, {message_id, tenant})) message_id.clear();
      std::string outcome = message_id.empty() ? "no_message" : "recorded";
      if (auto ev = event_of(d.kind); ev && !message_id.empty()) {
        auto change = messaging::apply_report(tx, tenant, message_id, *ev, detail_of(d), now);
        if (!change) throw std::runtime_error("pec.receipts: " + change.error().code);
        outcome = *change == messaging::Change::moved ? "moved" : "unchanged";
        if (*change == messaging::Change::moved) ++stats.moved;
      }
      tx.exec(kInsertReceipt,
              {tenant, d.identificativo, std::string(to_string(d.kind)), db::text_or_null(message_id),
               d.msgid, d.consegna, d.errore, d.errore_esteso, d.gestore,
               d.giorno + " " + d.ora + (d.zona.empty() ? "" : " " + d.zona), receipt->signer_subject,
               account.address, e.uid, digest::sha256_hex(*raw), outcome, at});
      tx.exec(kMarkSeen, {tenant, account.address, e.uid, at, std::string("recorded")});
      ++stats.recorded;
    });
  }
  return stats;
}

int ReceiptsReader::expire_unanswered(std::int64_t tenant) {
  const auto now = clock_.now();
  const auto cutoff = time::format_iso_utc(now - acceptance_timeout_);
  const auto ids =
      db::read_all(db_, kUnanswered, {tenant, cutoff}, [](const db::Row& r) { return r.text(0); });
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(acceptance_timeout_).count();
  const std::string why =
      "pec.no_acceptance: no acceptance receipt from the provider within " + std::to_string(minutes) + " min";
  int expired = 0;
  for (const auto& id : ids) {
    db_.write([&](db::Conn& tx) {
      // A receipt recorded meanwhile (another node's reader) keeps it waiting for the rest.
      if (tx.query_one("SELECT 1 FROM pec_receipts WHERE tenant_id = $1 AND message_id = $2", {tenant, id}))
        return;
      auto change = messaging::apply_report(tx, tenant, id, messaging::Event::permanent_failure, why, now);
      if (!change) throw std::runtime_error("pec.receipts: " + change.error().code);
      if (*change == messaging::Change::moved) ++expired;
    });
  }
  if (expired > 0)
    spdlog::warn("pec.receipts: {} PEC message(s) of body {} without acceptance receipt failed", expired,
                 tenant);
  return expired;
}

void ReceiptsReader::register_with(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kReceiptsKind;
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(20), std::chrono::seconds(60), std::chrono::seconds(300)};
  k.run = [this](jobs::JobRun& run) -> Status {
    const auto s = read_all();
    if (s.recorded > 0 || s.refused > 0)
      spdlog::info("pec.receipts: {} receipt(s) recorded, {} moved a message, {} not believed", s.recorded,
                   s.moved, s.refused);
    // Every minute, and usually nothing new: such a run leaves no job row.
    if (s.fetched == 0 && s.expired == 0 && s.failed_mailboxes == 0) run.nothing_done();
    if (s.failed_mailboxes > 0 && s.failed_mailboxes == static_cast<int>(accounts_.size()))
      return Error::make("pec.mailbox", 502, "no mailbox could be read");
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(1)}, jobs::CatchUp::latest_only});
}

std::vector<ReceiptRow> list_receipts(db::Database& db, std::int64_t tenant_id,
                                      const std::string& message_id) {
  return db::read_all(db, kReceipts, {tenant_id, message_id}, [](const db::Row& r) {
    return ReceiptRow{r.text(0), r.text(1), r.text(2), r.text(3),  r.text(4),  r.text(5), r.text(6),
                      r.text(7), r.text(8), r.text(9), r.text(10), r.text(11), r.text(12)};
  });
}

}  // namespace sp::pec
