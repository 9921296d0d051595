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
#include "protocollo/interop_soap.hpp"
#include "protocollo/wssec.hpp"

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

// The SHA-256 (hex) of every certificate of a PEM bundle.
std::set<std::string> digests_of(const std::string& bundle) {
  std::set<std::string> out;
  constexpr std::string_view begin = "-----BEGIN CERTIFICATE-----";
  for (auto at = bundle.find(begin); at != std::string::npos; at = bundle.find(begin, at + begin.size()))
    if (auto info = xades::certificate_info(std::string_view(bundle).substr(at)))
      out.insert(info->sha256_hex);
  return out;
}

http::Response xml_response(std::pair<int, std::string> answer) {
  http::Response out;
  out.status = answer.first;
  out.content_type = "text/xml; charset=utf-8";
  out.body = std::move(answer.second);
  return out;
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
      if (auto n = poll(); !n)
        std::cerr << "registry simulator: " << n.error().code << " " << n.error().detail << "\n";
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
  if (server_) server_->stop(std::chrono::milliseconds(2000));
  if (server_thread_.joinable()) server_thread_.join();
}

std::string RegistrySimulator::start_soap() {
  if (!server_) {
    router_ = std::make_unique<http::Router>();
    router_->post("/soap/destinatario", [this](http::Request& r) {
      using namespace registry_sim_detail;
      if (auto why = refused_call("destinatario", r.body); !why.empty())
        return xml_response({500, soap::fault(true, why)});
      return xml_response(on_destinatario(r.body));
    });
    router_->post("/soap/mittente", [this](http::Request& r) {
      using namespace registry_sim_detail;
      if (auto why = refused_call("mittente", r.body); !why.empty())
        return xml_response({500, soap::fault(true, why)});
      return xml_response(on_mittente(r.body));
    });
    http::ServerOptions o;
    o.port = options_.soap_port;
    o.threads = 2;
    o.access_log = false;
    o.body_limit = 64u * 1024 * 1024;
    server_ = std::make_unique<http::Server>(o, *router_);
    server_->listen();
    server_thread_ = std::thread([this] { server_->run(); });
  }
  return soap_base();
}

std::pair<int, std::string> RegistrySimulator::on_mittente(const std::string& body) {
  auto a = soap::read_answer(body);
  if (a && a->operation == "RequestAnnullamentoInoltroDestinatario" && a->destinatario) {
    // The hub annulled its registration of a message this registry sent it: known and confirmed?
    std::lock_guard lock(mutex_);
    auto it = soap_confirmed_.find(a->mittente.number);
    const bool known = a->mittente.admin_code == options_.admin_code &&
                       a->mittente.aoo_code == options_.aoo_code && it != soap_confirmed_.end() &&
                       it->second.number == a->destinatario->number;
    if (known) soap_annulments_.push_back(body);
    return {200, soap::response_annullamento_destinatario(
                     a->mittente, *a->destinatario, known ? "" : "007_ErroreIdentificatoreNonTrovato", "")};
  }
  if (!a || a->operation != "RequestConfermaMessaggioInoltro")
    return {500, soap::fault(true, a ? a->operation : a.error().detail)};
  {
    std::lock_guard lock(mutex_);
    soap_confirmations_.push_back(body);
    if (a->destinatario) soap_confirmed_[a->mittente.number] = *a->destinatario;
  }
  return {200, soap::response_conferma(a->mittente)};
}

// ModI ID_AUTH_SOAP_02, as a registry behind its gateway would check it: the signature, one of the
// certificates it trusts, the Timestamp, wsa:To, and a wsa:MessageID not accepted before.
std::string RegistrySimulator::refused_call(const std::string& iface, const std::string& body) {
  using namespace registry_sim_detail;
  std::string refusal;
  auto s = wssec::verify(body);
  if (!s) {
    refusal = s.error().code;
  } else if (auto st = wssec::check_time(*s, time::system_clock().now(), std::chrono::seconds(120)); !st) {
    refusal = st.error().code;
  } else if (s->to != soap_base() + "/" + iface) {
    refusal = "soap_auth.to";
  } else {
    std::lock_guard lock(mutex_);
    if (!digests_of(options_.trusted_pem).contains(s->certificate.sha256_hex))
      refusal = "soap_auth.untrusted";
    else if (!soap_message_ids_.insert(s->message_id).second)
      refusal = "soap_auth.replay";
  }
  std::lock_guard lock(mutex_);
  if (refusal.empty())
    soap_requests_.push_back(body);
  else
    soap_refusals_.push_back(refusal);
  return refusal;
}

Result<std::string> RegistrySimulator::sign_call(const std::string& url, const std::string& envelope) const {
  return wssec::sign(envelope, options_.signer,
                     {url, "", time::system_clock().now(), std::chrono::seconds(300)});
}

Result<adapters::HttpResponse> RegistrySimulator::call_signed(const std::string& url,
                                                              const std::string& envelope) {
  auto signed_envelope = sign_call(url, envelope);
  if (!signed_envelope) return signed_envelope.error();
  return soap::call(url, *signed_envelope);
}

std::vector<std::string> RegistrySimulator::soap_requests() const {
  std::lock_guard lock(mutex_);
  return soap_requests_;
}

std::vector<std::string> RegistrySimulator::soap_refusals() const {
  std::lock_guard lock(mutex_);
  return soap_refusals_;
}

std::string RegistrySimulator::soap_base() const {
  return server_ ? "http://127.0.0.1:" + std::to_string(server_->port()) + "/soap" : std::string();
}

std::pair<int, std::string> RegistrySimulator::on_destinatario(const std::string& body) {
  auto a = soap::read_answer(body);
  if (!a || a->operation != "RequestAnnullamentoInoltroMittente" || !a->destinatario) return on_inoltro(body);
  // The sender annuls its registration of a message this registry received (and registered) by SOAP.
  const std::string key =
      a->mittente.admin_code + "/" + a->mittente.aoo_code + "/" + a->mittente.number + "/" + a->mittente.date;
  std::lock_guard lock(mutex_);
  auto it = soap_seen_.find(key);
  const bool known = it != soap_seen_.end() && it->second.outcome == "registered" &&
                     it->second.number == a->destinatario->number;
  if (known) soap_annulments_.push_back(body);
  return {200, soap::response_annullamento_mittente(a->mittente, *a->destinatario,
                                                    known ? "" : "007_ErroreIdentificatoreNonTrovato", "")};
}

std::vector<std::string> RegistrySimulator::soap_annulments() const {
  std::lock_guard lock(mutex_);
  return soap_annulments_;
}

Result<std::pair<int, std::string>> RegistrySimulator::annul_soap(const std::string& destinatario_url,
                                                                  const std::string& number,
                                                                  const std::string& reason) {
  std::optional<RegistrationId> ours;
  std::optional<RegistrationId> theirs;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : sent_)
      if (s.number == number) ours = s;
    if (auto it = soap_confirmed_.find(number); it != soap_confirmed_.end()) theirs = it->second;
  }
  if (!ours || !theirs) return Error::not_found("confirmed registration " + number);
  auto answer =
      call_signed(destinatario_url,
                  soap::annullamento_mittente(
                      *ours, *theirs, "Provvedimento del responsabile della gestione documentale", reason));
  if (!answer) return answer.error();
  return std::pair{answer->status, answer->body};
}

std::pair<int, std::string> RegistrySimulator::on_inoltro(const std::string& body) {
  auto in = soap::read_messaggio_inoltro(body);
  if (!in) return {500, soap::fault(true, in.error().detail)};
  auto checked = check(in->segnatura, in->files);
  if (!checked.said)
    return {500, soap::fault(true, checked.reason.empty() ? checked.refusal : checked.reason)};
  const auto& said = *checked.said;
  const std::string key =
      said.id.admin_code + "/" + said.id.aoo_code + "/" + said.id.number + "/" + said.id.date;
  RegistryReceived r;
  {
    std::lock_guard lock(mutex_);
    if (auto it = soap_seen_.find(key); it != soap_seen_.end()) {
      ++repeats_;  // the same message again (a sender's retry): the same answer, not registered twice
      r = it->second;
    }
  }
  if (r.channel.empty()) {
    r.channel = "soap";
    r.sender_number = said.id.number;
    r.sender_date = said.id.date;
    r.subject = said.subject;
    if (checked.refusal.empty()) {
      const auto ours = next_id();
      r.outcome = "registered";
      r.number = ours.number;
      // ConfermaMessaggioInoltro to the sender's ProtocolloMittente, sent by poll().
      if (!options_.hub_soap_base.empty()) {
        std::lock_guard lock(mutex_);
        soap_due_.emplace_back(
            options_.hub_soap_base + "/" + said.id.admin_code + "/" + said.id.aoo_code + "/mittente",
            soap::conferma_inoltro(said.id, ours, "", ""));
      }
    } else {
      r.outcome = checked.refusal;
    }
    std::lock_guard lock(mutex_);
    soap_seen_[key] = r;
    received_.push_back(r);
  }
  if (r.outcome == "registered") return {200, soap::response_inoltro(said.id, "", "")};
  const auto anomaly = soap::inoltro_anomaly(r.outcome);
  if (anomaly.empty()) return {500, soap::fault(true, checked.reason.empty() ? r.outcome : checked.reason)};
  return {200, soap::response_inoltro(said.id, anomaly, checked.reason)};
}

void RegistrySimulator::flush_soap() {
  std::vector<std::pair<std::string, std::string>> due;
  {
    std::lock_guard lock(mutex_);
    due.swap(soap_due_);
  }
  std::vector<std::pair<std::string, std::string>> again;
  for (auto& [url, envelope] : due) {
    auto answer = call_signed(url, envelope);  // signed again at each attempt: a new MessageID
    if (!answer || answer->status != 200) again.emplace_back(url, envelope);
  }
  std::lock_guard lock(mutex_);
  for (auto& a : again) soap_due_.push_back(std::move(a));
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

std::vector<std::string> RegistrySimulator::soap_confirmations() const {
  std::lock_guard lock(mutex_);
  return soap_confirmations_;
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

RegistrySimulator::Checked RegistrySimulator::check(const std::string& segnatura,
                                                    const std::vector<WireFile>& documents) {
  Checked out;
  auto schemas = AgidSchemas::load(options_.schema_dir);
  if (!schemas) {
    out.refusal = "segnatura.schema_missing";
  } else if (auto st = (*schemas)->validate_segnatura(segnatura); !st) {
    out.refusal = st.error().code;
    out.reason = "Segnatura non conforme allo schema AgID";
  }
  if (out.refusal.empty()) {
    auto s = read_segnatura(segnatura);
    if (!s) {
      out.refusal = s.error().code;
      out.reason = "Segnatura non leggibile";
    } else {
      out.said = std::move(*s);
    }
  }
  if (out.refusal.empty()) {
    std::string trusted;
    {
      std::lock_guard lock(mutex_);
      trusted = options_.trusted_pem;
    }
    if (auto v = xades::verify_enveloped(segnatura, trusted); !v) {
      out.refusal = v.error().code;
      out.reason = "Firma della segnatura non valida o non attendibile";
    }
  }
  if (out.refusal.empty()) {
    const bool addressed =
        std::any_of(out.said->recipients.begin(), out.said->recipients.end(), [&](const Correspondent& c) {
          return c.aoo_code == options_.aoo_code || c.pec == options_.pec_address;
        });
    if (!addressed) {
      out.refusal = "segnatura.not_addressed";
      out.reason = "Messaggio non indirizzato a questa AOO";
    }
  }
  if (out.refusal.empty()) {
    if (documents.size() != out.said->documents.size()) {
      out.refusal = "segnatura.digest";
      out.reason = "Documenti non corrispondenti alla segnatura";
    }
    for (const auto& d : out.said->documents) {
      const auto it = std::find_if(documents.begin(), documents.end(),
                                   [&](const WireFile& f) { return f.file_name == d.file_name; });
      if (it == documents.end() || digest::sha256_hex(it->bytes) != d.sha256_hex) {
        out.refusal = "segnatura.digest";
        out.reason = "Impronta del documento " + d.file_name + " non corrispondente";
      }
    }
  }
  return out;
}

Result<int> RegistrySimulator::poll() {
  using namespace registry_sim_detail;
  pec::Mailbox box({options_.pop3_url, options_.pec_address, options_.password});
  auto listed = box.list();
  if (!listed) return listed.error();
  int answered = 0;
  flush_soap();
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
    r.channel = "pec";
    std::vector<WireFile> documents;
    for (const auto& f : files)
      if (&f != segnatura) documents.push_back(f);
    auto checked = check(segnatura->bytes, documents);
    const auto& said = checked.said;
    const auto& refusal = checked.refusal;
    const auto& reason = checked.reason;
    if (said) {
      r.sender_number = said->id.number;
      r.sender_date = said->id.date;
      r.subject = said->subject;
    }
    ServiceMessage answer;
    if (said)
      answer.received = said->id;
    else
      answer.received_description = "Segnatura non leggibile";
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

Result<RegistrySimulator::Outgoing> RegistrySimulator::build(const std::string& to_address,
                                                             const std::string& to_admin_code,
                                                             const std::string& to_aoo_code,
                                                             const std::string& subject,
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
  const xades::Signer signer =
      how == Misbehaviour::unknown_key ? fresh_signer("Sconosciuto") : options_.signer;
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
  {
    std::lock_guard lock(mutex_);
    sent_.push_back(id);
  }
  return Outgoing{id, std::move(wire)};
}

Result<std::string> RegistrySimulator::send(const std::string& to_address, const std::string& to_admin_code,
                                            const std::string& to_aoo_code, const std::string& subject,
                                            const std::vector<WireFile>& files) {
  auto out = build(to_address, to_admin_code, to_aoo_code, subject, files);
  if (!out) return out.error();
  if (auto sent =
          mail(to_address, "Protocollo n. " + out->id.number + " del " + out->id.date + " - " + subject,
               "Messaggio di protocollo: " + subject + "\n", out->wire);
      !sent)
    return sent.error();
  return out->id.number;
}

Result<RegistrySimulator::SoapSent> RegistrySimulator::send_soap(const std::string& destinatario_url,
                                                                 const std::string& to_admin_code,
                                                                 const std::string& to_aoo_code,
                                                                 const std::string& subject,
                                                                 const std::vector<WireFile>& files) {
  auto out = build("", to_admin_code, to_aoo_code, subject, files);
  if (!out) return out.error();
  std::vector<WireFile> documents(out->wire.begin() + 1, out->wire.end());
  auto envelope = soap::messaggio_inoltro(out->wire[0].bytes, documents);
  if (!envelope) return envelope.error();
  auto signed_envelope = sign_call(destinatario_url, *envelope);
  if (!signed_envelope) return signed_envelope.error();
  auto answer = soap::call(destinatario_url, *signed_envelope);
  if (!answer) return answer.error();
  return SoapSent{out->id.number, answer->status, answer->body, *signed_envelope};
}

Result<std::string> RegistrySimulator::inoltro_envelope(const std::string& to_admin_code,
                                                        const std::string& to_aoo_code,
                                                        const std::string& subject,
                                                        const std::vector<WireFile>& files) {
  auto out = build("", to_admin_code, to_aoo_code, subject, files);
  if (!out) return out.error();
  std::vector<WireFile> documents(out->wire.begin() + 1, out->wire.end());
  return soap::messaggio_inoltro(out->wire[0].bytes, documents);
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
  std::cout << "Registry simulator: " << o.name << " (" << o.admin_code << "/" << o.aoo_code
            << ")\n  PEC: " << o.pec_address << " at " << o.pop3_url
            << "\n  certificate: " << (run.cert_out.empty() ? std::string("(not written)") : run.cert_out)
            << "  (SPORTELLO_AGID_TRUSTED_CA_FILE)\n";
  std::cout.flush();
  sim.start(std::chrono::milliseconds(1000));
  int sig = 0;
  sigwait(&signals, &sig);
  sim.stop();
  return 0;
}

}  // namespace sp::protocollo
