#include "protocollo/interop_pec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "adapters/pec/mailbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "protocollo/interop_store.hpp"

namespace sp::protocollo {
namespace interop_pec_detail {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_service_file(const std::string& name) {
  const auto n = lower(name);
  return n == "confermaricezione.xml" || n == "notificaeccezione.xml" ||
         n == "annullamentoprotocollazione.xml";
}

}  // namespace
}  // namespace interop_pec_detail

InteropPecReader::InteropPecReader(db::Database& db, const time::Clock& clock, InteropService& interop,
                                   std::map<std::int64_t, pec::Account> accounts, std::string trusted_pem)
    : db_(db),
      clock_(clock),
      interop_(interop),
      accounts_(std::move(accounts)),
      trusted_pem_(std::move(trusted_pem)) {}

PecReadStats InteropPecReader::read_all() {
  PecReadStats total;
  for (const auto& [tenant, account] : accounts_) {
    auto s = read_mailbox(tenant, account);
    if (!s) {
      spdlog::warn("protocollo.interop_pec: mailbox of body {}: {} {}", tenant, s.error().code,
                   s.error().detail);
      ++total.failed_mailboxes;
      continue;
    }
    total.fetched += s->fetched;
    total.messages += s->messages;
    total.service += s->service;
    total.ignored += s->ignored;
  }
  return total;
}

Result<PecReadStats> InteropPecReader::read_mailbox(std::int64_t tenant, const pec::Account& account) {
  using namespace interop_pec_detail;
  pec::Mailbox box(
      {account.pop3_url, account.user.empty() ? account.address : account.user, account.password});
  auto listed = box.list();
  if (!listed) return listed.error();
  PecReadStats stats;
  for (const auto& entry : *listed) {
    bool seen = false;
    db_.read([&](db::Conn& c) { seen = InteropStore::pec_seen(c, tenant, account.address, entry.uid); });
    if (seen) continue;
    auto raw = box.fetch(entry.number);
    if (!raw) return raw.error();
    ++stats.fetched;
    const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
    auto mark = [&](db::Conn& tx, const std::string& outcome, const std::string& message_id) {
      InteropStore::insert_pec_seen(tx, tenant, account.address, entry.uid, outcome, message_id, now);
    };
    auto envelope = pec::read_envelope(*raw, trusted_pem_);
    std::optional<pec::ReadMail> mail;
    if (envelope) {
      if (auto m = pec::read_mail(envelope->original)) mail = std::move(*m);
    }
    const pec::MailFile* segnatura = nullptr;
    const pec::MailFile* service = nullptr;
    if (mail) {
      for (const auto& f : mail->files) {
        if (lower(f.file_name) == "segnatura.xml") segnatura = &f;
        if (is_service_file(f.file_name)) service = &f;
      }
    }
    // The sender is the envelope's (the provider certifies it), not the inner From.
    const std::string from = envelope ? envelope->data.mittente : std::string();
    auto done = db::transact(db_, [&](db::Conn& tx) -> Status {
      if (InteropStore::pec_seen(tx, tenant, account.address, entry.uid)) return Ok{};
      if (!envelope) {
        mark(tx,
             envelope.error().code == "pec.not_certified_mail" ? "receipt"
                                                               : "refused:" + envelope.error().code,
             "");
        ++stats.ignored;
        return Ok{};
      }
      if (segnatura != nullptr) {
        // For one of this body's offices: the one the segnatura names, else the first (then refused as
        // not addressed to it, with a NotificaEccezione).
        const auto offices = interop_.offices_of(tenant);
        if (offices.empty()) {
          mark(tx, "refused:no_office", "");
          ++stats.ignored;
          return Ok{};
        }
        const Aoo* office = &offices.front();
        if (auto said = read_segnatura(segnatura->bytes)) {
          for (const auto& o : offices)
            for (const auto& r : said->recipients)
              if (r.aoo_code == o.code && (r.ipa_code.empty() || r.ipa_code == o.admin_code)) office = &o;
        }
        Arrival a;
        a.admin_code = office->admin_code;
        a.aoo_code = office->code;
        a.segnatura = segnatura->bytes;
        a.channel = "pec";
        a.peer_address = from;
        for (const auto& f : mail->files)
          if (&f != segnatura) a.files.push_back({f.file_name, f.mime_type, f.bytes});
        auto received = interop_.receive(tx, a);
        if (!received) return received.error();
        mark(tx, "message", received->id);
        ++stats.messages;
        return Ok{};
      }
      if (service != nullptr) {
        auto applied = interop_.apply_service_message(tx, tenant, from, service->bytes);
        if (!applied) {
          mark(tx, "refused:" + applied.error().code, "");
          ++stats.ignored;
          return Ok{};
        }
        mark(tx, applied->second, applied->first);
        ++stats.service;
        return Ok{};
      }
      mark(tx, "ignored", "");
      ++stats.ignored;
      return Ok{};
    });
    if (!done) return done.error();
  }
  return stats;
}

void InteropPecReader::register_with(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kInteropPecKind;
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(20), std::chrono::seconds(60), std::chrono::seconds(300)};
  k.run = [this](jobs::JobRun& run) -> Status {
    const auto s = read_all();
    if (s.messages > 0 || s.service > 0)
      spdlog::info("protocollo.interop_pec: {} protocol message(s), {} service message(s)", s.messages,
                   s.service);
    if (s.fetched == 0 && s.failed_mailboxes == 0) run.nothing_done();
    if (s.failed_mailboxes > 0 && s.failed_mailboxes == static_cast<int>(accounts_.size()))
      return Error::make("pec.mailbox", 502, "no mailbox could be read");
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(1)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::protocollo
