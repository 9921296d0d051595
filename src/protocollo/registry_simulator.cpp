#include "protocollo/registry_simulator.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/pec/mailbox.hpp"
#include "adapters/pec/receipt.hpp"
#include "core/crypto/smime.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::protocollo {
namespace registry_sim_detail {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

xades::Signer fresh_signer(const std::string& name) {
  auto id = crypto::self_signed_identity("Protocollo " + name, name, 3650);
  return {id.key_pem, id.cert_pem};
}

}  // namespace
}  // namespace registry_sim_detail

RegistrySimulator::RegistrySimulator(RegistrySimulatorOptions o) : options_(std::move(o)) {
  using namespace registry_sim_detail;
  if (options_.signer.cert_pem.empty()) options_.signer = fresh_signer(options_.name);
}

RegistrySimulator::~RegistrySimulator() {
  stop();
}

void RegistrySimulator::start(std::chrono::milliseconds every) {
  if (poller_.joinable()) return;
  poller_ = std::thread([this, every] {
    std::unique_lock lock(stop_mutex_);
    while (!stop_cv_.wait_for(lock, every, [this] { return stopping_; })) {
      lock.unlock();
      if (auto n = poll(); !n) std::cerr << "registry simulator: " << n.error().code << " " << n.error().detail << "\n";
      lock.lock();
    }
  });
}

void RegistrySimulator::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void RegistrySimulator::trust(std::string pem) {
  std::lock_guard lock(mutex_);
  options_.trusted_pem = std::move(pem);
}

void RegistrySimulator::misbehave(Misbehaviour m) {
  std::lock_guard lock(mutex_);
  misbehaviour_ = m;
}

std::vector<RegistryReceived> RegistrySimulator::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::vector<std::string> RegistrySimulator::service_messages() const {
  std::lock_guard lock(mutex_);
  return service_;
}

int RegistrySimulator::repeats() const {
  std::lock_guard lock(mutex_);
  return repeats_;
}

RegistrationId RegistrySimulator::next_id() {
  std::lock_guard lock(mutex_);
  ++number_;
  return RegistrationId{options_.admin_code, options_.aoo_code, "PROTOCOLLO", format_number(number_),
                        time::format_iso_date(time::rome_date(time::system_clock().now()))};
}

Status RegistrySimulator::mail(const std::string& to, const std::string& subject, const std::string& text,
                               const std::vector<WireFile>& files) {
  messaging::EmailOptions o;
  o.smtp_url = options_.smtp_url;
  o.from_address = options_.pec_address;
  o.from_name = "";
  o.message_id_domain = "registro-sim.example";
  messaging::EmailSender sender(o);
  messaging::StoredMessage m;
  m.id = ids::uuid_v7();
  m.message.channel = messaging::Channel::pec;
  m.message.recipient = to;
  m.message.subject = subject;
  m.message.body = text;
  std::vector<messaging::Attachment> attachments;
  for (const auto& f : files) attachments.push_back({f.file_name, f.mime_type, f.bytes});
  return sender.send(m, attachments);
}

Result<int> RegistrySimulator::poll() {
  using namespace registry_sim_detail;
  pec::Mailbox box({options_.pop3_url, options_.pec_address, options_.password});
  auto listed = box.list();
  if (!listed) return listed.error();
  auto schemas = AgidSchemas::load(options_.schema_dir);
  int answered = 0;
  for (const auto& entry : *listed) {
    {
      std::lock_guard lock(mutex_);
      if (!uids_.insert(entry.uid).second) continue;
    }
    auto raw = box.fetch(entry.number);
    if (!raw) return raw.error();
    auto envelope = pec::read_envelope(*raw, options_.pec_trusted_pem);
    if (!envelope) continue;  // a receipt of its own messages, or not certified
    auto mail_read = pec::read_mail(envelope->original);
    if (!mail_read) continue;
    const WireFile* segnatura = nullptr;
    std::vector<WireFile> files;
    for (const auto& f : mail_read->files) {
      const auto name = lower(f.file_name);
      if (name == "confermaricezione.xml" || name == "notificaeccezione.xml" ||
          name == "annullamentoprotocollazione.xml") {
        std::lock_guard lock(mutex_);
        service_.push_back(f.bytes);
        continue;
      }
      files.push_back({f.file_name, f.mime_type, f.bytes});
    }
    for (const auto& f : files)
      if (lower(f.file_name) == "segnatura.xml") segnatura = &f;
    if (segnatura == nullptr) continue;
    {
      std::lock_guard lock(mutex_);
      if (!message_ids_.insert(mail_read->message_id).second) {
        ++repeats_;
        continue;
      }
    }
    const std::string from = envelope->data.mittente;
    RegistryReceived r;
    r.message_id = mail_read->message_id;
    r.from = from;
    // The checks a registry makes, in order; the first failure is the exception's reason.
    std::optional<ReadSegnatura> said;
    std::string refusal, reason;
    if (!schemas) {
      refusal = "segnatura.schema_missing";
    } else if (auto st = (*schemas)->validate_segnatura(segnatura->bytes); !st) {
      refusal = st.error().code;
      reason = "Segnatura non conforme allo schema AgID";
    }
    if (refusal.empty()) {
      auto s = read_segnatura(segnatura->bytes);
      if (!s) {
        refusal = s.error().code;
        reason = "Segnatura non leggibile";
      } else {
        said = std::move(*s);
      }
    }
    if (refusal.empty()) {
      std::string trusted;
      {
        std::lock_guard lock(mutex_);
        trusted = options_.trusted_pem;
      }
      if (auto v = xades::verify_enveloped(segnatura->bytes, trusted); !v) {
        refusal = v.error().code;
        reason = "Firma della segnatura non valida o non attendibile";
      }
    }
    if (refusal.empty()) {
      const bool addressed = std::any_of(said->recipients.begin(), said->recipients.end(), [&](const auto& c) {
        return c.aoo_code == options_.aoo_code || c.pec == options_.pec_address;
      });
      if (!addressed) {
        refusal = "segnatura.not_addressed";
        reason = "Messaggio non indirizzato a questa AOO";
      }
    }
    if (refusal.empty()) {
      const std::size_t declared = said->documents.size();
      if (files.size() != declared + 1) {
        refusal = "segnatura.digest";
        reason = "Documenti non corrispondenti alla segnatura";
      }
      for (const auto& d : said->documents) {
        const auto it = std::find_if(files.begin(), files.end(),
                                     [&](const WireFile& f) { return f.file_name == d.file_name; });
        if (it == files.end() || digest::sha256_hex(it->bytes) != d.sha256_hex) {
          refusal = "segnatura.digest";
          reason = "Impronta del documento " + d.file_name + " non corrispondente";
        }
      }
    }
    if (said) {
      r.sender_number = said->id.number;
      r.sender_date = said->id.date;
      r.subject = said->subject;
    }
    ServiceMessage answer;
    if (said) answer.received = said->id;
    else answer.received_description = "Segnatura non leggibile";
    std::string file, subject;
    if (refusal.empty()) {
      const auto ours = next_id();
      answer.kind = ServiceMessageKind::conferma_ricezione;
      answer.identificatore = ours;
      r.outcome = "registered";
      r.number = ours.number;
      file = "ConfermaRicezione.xml";
      subject = "Conferma di ricezione - " + ours.number + " del " + ours.date;
    } else {
      answer.kind = ServiceMessageKind::notifica_eccezione;
      answer.reason = reason.empty() ? refusal : reason;
      r.outcome = refusal;
      file = "NotificaEccezione.xml";
      subject = "Notifica di eccezione";
    }
    {
      std::lock_guard lock(mutex_);
      received_.push_back(r);
    }
    const auto xml = service_message_xml(answer);
    if (auto sent = mail(from, subject, subject + "\n", {{file, "application/xml", xml}}); !sent)
      return sent.error();
    ++answered;
  }
  return answered;
}

Result<std::string> RegistrySimulator::send(const std::string& to_address, const std::string& to_admin_code,
                                            const std::string& to_aoo_code, const std::string& subject,
                                            const std::vector<WireFile>& files) {
  using namespace registry_sim_detail;
  if (files.empty()) return Error::make("protocollo.segnatura_documents", 409, "no files");
  const auto id = next_id();
  Entry e;
  e.id = ids::uuid_v7();
  e.admin_code = id.admin_code;
  e.aoo_code = id.aoo_code;
  e.number = number_;
  e.registered_at = time::system_clock().now();
  e.direction = Direction::outgoing;
  e.subject = subject;
  Correspondent to{CorrespondentKind::body, "Registro di protocollo", "", to_address, ""};
  to.ipa_code = to_admin_code;
  to.aoo_code = to_aoo_code;
  e.correspondents = {to};
  bool first = true;
  for (const auto& f : files) {
    Document d;
    d.role = first ? DocumentRole::primary : DocumentRole::attachment;
    d.file_name = f.file_name;
    d.mime_type = f.mime_type;
    d.size = static_cast<std::int64_t>(f.bytes.size());
    d.sha256 = digest::sha256_hex(f.bytes);
    e.documents.push_back(d);
    first = false;
  }
  OwnOffice own{options_.name, "", options_.aoo_name, options_.pec_address};
  auto xml = segnatura_unsigned(e, own);
  if (!xml) return xml.error();
  Misbehaviour how;
  {
    std::lock_guard lock(mutex_);
    how = misbehaviour_;
  }
  const xades::Signer signer = how == Misbehaviour::unknown_key ? fresh_signer("Sconosciuto") : options_.signer;
  auto signed_xml = xades::sign_enveloped(*xml, signer, time::system_clock().now());
  if (!signed_xml) return signed_xml.error();
  std::vector<WireFile> wire{{"Segnatura.xml", "application/xml", *signed_xml}};
  for (const auto& f : files) wire.push_back(f);
  if (how == Misbehaviour::bad_digest) wire[1].bytes += " ";
  if (how == Misbehaviour::changed_byte) {
    auto& s = wire[0].bytes;
    const auto at = s.find(subject);
    if (at != std::string::npos) s[at] = s[at] == 'X' ? 'Y' : 'X';
  }
  if (auto sent = mail(to_address, "Protocollo n. " + id.number + " del " + id.date + " - " + subject,
                       "Messaggio di protocollo: " + subject + "\n", wire);
      !sent)
    return sent.error();
  {
    std::lock_guard lock(mutex_);
    sent_.push_back(id);
  }
  return id.number;
}

Status RegistrySimulator::annul(const std::string& to_address, const std::string& number,
                                const std::string& reason) {
  std::optional<RegistrationId> id;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : sent_)
      if (s.number == number) id = s;
  }
  if (!id) return Error::not_found("registration " + number);
  ServiceMessage n;
  n.kind = ServiceMessageKind::annullamento;
  n.identificatore = id;
  n.reason = reason;
  n.act = "Provvedimento del responsabile della gestione documentale";
  return mail(to_address, "Annullamento protocollazione - " + id->number + " del " + id->date, reason + "\n",
              {{"AnnullamentoProtocollazione.xml", "application/xml", service_message_xml(n)}});
}

int run_registry_simulator(const RegistrySimulatorRun& run) {
  using namespace registry_sim_detail;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto o = run.options;
  if (!run.trusted_file.empty()) o.trusted_pem = slurp(run.trusted_file);
  if (!run.pec_trusted_file.empty()) o.pec_trusted_pem = slurp(run.pec_trusted_file);
  RegistrySimulator sim(o);
  if (!run.cert_out.empty()) {
    std::ofstream out(run.cert_out, std::ios::trunc);
    out << sim.cert_pem();
    if (!out) {
      std::cerr << "sim registry: cannot write " << run.cert_out << "\n";
      return 1;
    }
  }
  std::cout << "Registry simulator: " << o.name << " (" << o.admin_code << "/" << o.aoo_code << ")\n  PEC: "
            << o.pec_address << " at " << o.pop3_url << "\n  certificate: "
            << (run.cert_out.empty() ? std::string("(not written)") : run.cert_out)
            << "  (SPORTELLO_AGID_TRUSTED_CA_FILE)\n";
  std::cout.flush();
  sim.start(std::chrono::milliseconds(1000));
  int sig = 0;
  sigwait(&signals, &sig);
  sim.stop();
  return 0;
}

}  // namespace sp::protocollo
