// The SOAP channel of InteropService (interop.hpp, interop_soap.hpp): the job that calls the other office's
// interfaces, and the hub's own endpoints.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/interop_soap.hpp"
#include "protocollo/store.hpp"
#include "protocollo/wssec.hpp"

namespace sp::protocollo {
namespace interop_soap_channel_detail {
namespace {

constexpr const char* kBy = "system:interop";

RegistrationId sender_of(const Message& m) {
  return RegistrationId{m.peer_admin_code, m.peer_aoo_code, "PROTOCOLLO", m.sender_number, m.sender_date};
}

}  // namespace
}  // namespace interop_soap_channel_detail

void InteropService::register_soap_job(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kSoapKind;
  k.retry =
      jobs::RetryPolicy{8, std::chrono::seconds(30), std::chrono::seconds(3600), std::chrono::seconds(300)};
  k.run = [this](jobs::JobRun& run) { return run_soap_job(run.job()); };
  k.permanent = [](const Error& e) { return e.code == "protocollo.soap_endpoint" || e.code == "not_found"; };
  runner.add(std::move(k));
}

Status InteropService::run_soap_job(const jobs::Job& job) {
  using namespace interop_soap_channel_detail;
  const auto colon = job.payload.find(':');
  if (colon == std::string::npos) return Error::not_found("payload " + job.payload);
  const auto op = job.payload.substr(0, colon);
  const auto id = job.payload.substr(colon + 1);
  std::optional<Message> m;
  db_.read([&](db::Conn& c) { m = InteropStore::message(c, job.tenant_id, id); });
  if (!m || m->channel != "soap") return Error::not_found("protocol message " + id);
  const auto base = soap_endpoint(m->peer_admin_code, m->peer_aoo_code);
  if (base.empty())
    return Error::make("protocollo.soap_endpoint", 503, m->peer_admin_code + "/" + m->peer_aoo_code);
  const auto now = [&] { return std::chrono::floor<std::chrono::milliseconds>(clock_.now()); };
  if (op == "send") {
    if (m->last(EventKind::confirmation) != nullptr || m->last(EventKind::exception) != nullptr) return Ok{};
    auto e = protocol_.get(SystemActor{"interop"}, job.tenant_id, m->entry_id);
    if (!e) return e.error();
    std::vector<WireFile> files;
    for (const auto& d : e->documents) {
      auto bytes = files_.read_content(job.tenant_id, d.file_id);
      if (!bytes) return bytes.error();
      if (!*bytes) return Error::not_found(d.file_name);
      files.push_back({d.file_name, d.mime_type, std::move(**bytes)});
    }
    auto envelope = soap::messaggio_inoltro(m->segnatura, files);
    if (!envelope) return envelope.error();
    auto answer = soap_call(job.tenant_id, base + "/destinatario", *envelope);
    if (!answer) return answer.error();
    auto read = soap::read_answer(answer->body);
    if (!read) {
      // A Fault: the other office refused the message for good (4xx/5xx with a Fault), or is down.
      if (answer->status == 500 && read.error().detail.rfind("Fault", 0) == 0) {
        return db::transact(db_, [&](db::Conn& tx) -> Status {
          InteropStore::insert_event(
              tx, m->id, m->tenant_id,
              {0, EventKind::exception, false, "", "", "", read.error().detail, "", "", kBy, now()});
          return Ok{};
        });
      }
      return Error::make("protocollo.soap_answer", 502,
                         std::to_string(answer->status) + " " + read.error().detail);
    }
    if (!read->anomaly.empty()) {
      return db::transact(db_, [&](db::Conn& tx) -> Status {
        InteropStore::insert_event(
            tx, m->id, m->tenant_id,
            {0, EventKind::exception, false, "", "", "",
             read->anomaly + (read->info.empty() ? "" : ": " + read->info), "", answer->body, kBy, now()});
        return Ok{};
      });
    }
    return Ok{};  // taken in hand: ConfermaMessaggioInoltro comes to our endpoint once it is registered
  }
  if (op == "confirm" || op == "except") {
    std::string envelope;
    if (op == "confirm") {
      const auto* reg = m->last(EventKind::registered);
      if (reg == nullptr) return Error::not_found("registration of " + id);
      std::optional<Aoo> aoo;
      db_.read([&](db::Conn& c) { aoo = ProtocolStore::aoo(c, job.tenant_id, m->aoo_id); });
      RegistrationId ours{aoo ? aoo->admin_code : "", aoo ? aoo->code : "", "PROTOCOLLO", reg->number,
                          reg->reg_date};
      envelope = soap::conferma_inoltro(sender_of(*m), ours, "", "");
    } else {
      const auto* ex = m->last(EventKind::exception);
      envelope =
          soap::conferma_inoltro(sender_of(*m), std::nullopt, "000_Irricevibile", ex ? ex->reason : "");
    }
    auto answer = soap_call(job.tenant_id, base + "/mittente", envelope);
    if (!answer) return answer.error();
    if (answer->status != 200)
      return Error::make("protocollo.soap_answer", 502, std::to_string(answer->status));
    return Ok{};
  }
  if (op == "annul") {
    // Our annulment of the entry sent (AnnullamentoInoltroMittente to the receiver's ProtocolloDestinatario)
    // or of our registration of the message received (AnnullamentoInoltroDestinatario to the sender's
    // ProtocolloMittente).
    const MessageEvent* ours_annulled = nullptr;
    for (const auto& ev : m->events)
      if (ev.kind == EventKind::annulment && ev.outgoing) ours_annulled = &ev;
    if (ours_annulled == nullptr) return Error::not_found("annulment of " + id);
    std::optional<Aoo> aoo;
    db_.read([&](db::Conn& c) { aoo = ProtocolStore::aoo(c, job.tenant_id, m->aoo_id); });
    const std::string admin = aoo ? aoo->admin_code : "";
    const std::string code = aoo ? aoo->code : "";
    std::string envelope;
    std::string url;
    if (m->outgoing) {
      const auto* conf = m->last(EventKind::confirmation);
      if (conf == nullptr) {
        // Not registered there (no confirmation yet, or refused): the request needs the receiver's
        // registration, so the annulment stays recorded here only.
        spdlog::info("interop soap: message {} annulled before the other office confirmed it: not sent", id);
        return Ok{};
      }
      envelope = soap::annullamento_mittente(
          RegistrationId{admin, code, "PROTOCOLLO", m->sender_number, m->sender_date},
          RegistrationId{m->peer_admin_code, m->peer_aoo_code, "PROTOCOLLO", conf->number, conf->reg_date},
          ours_annulled->act, ours_annulled->reason);
      url = base + "/destinatario";
    } else {
      const auto* reg = m->last(EventKind::registered);
      if (reg == nullptr) return Error::not_found("registration of " + id);
      envelope = soap::annullamento_destinatario(
          sender_of(*m), RegistrationId{admin, code, "PROTOCOLLO", reg->number, reg->reg_date},
          ours_annulled->act, ours_annulled->reason);
      url = base + "/mittente";
    }
    auto answer = soap_call(job.tenant_id, url, envelope);
    if (!answer) return answer.error();
    auto read = soap::read_answer(answer->body);
    if (answer->status != 200 || !read)
      return Error::make("protocollo.soap_answer", 502,
                         std::to_string(answer->status) + (read ? "" : " " + read.error().detail));
    // An anomaly (not found, not receivable) is the other office's last word: kept in the log, not retried.
    if (!read->anomaly.empty())
      spdlog::warn("interop soap: annulment of message {} answered {} {}", id, read->anomaly, read->info);
    return Ok{};
  }
  return Error::not_found("operation " + op);
}

std::pair<int, std::string> InteropService::soap_destinatario(const std::string& admin_code,
                                                              const std::string& aoo_code,
                                                              std::string_view body,
                                                              std::string_view remote_addr) {
  using namespace interop_soap_channel_detail;
  auto called = hub_office(admin_code, aoo_code);
  if (!called) return {500, soap::fault(true, reason_text("soap.unknown_office"))};
  auto caller = authenticate_soap(*called, "destinatario", body, remote_addr);
  if (!caller) return {500, soap::fault(true, reason_text(caller.error().code))};
  if (body.find("RequestAnnullamentoInoltroMittente") != std::string_view::npos) {
    auto a = soap::read_answer(body);
    if (a && a->operation == "RequestAnnullamentoInoltroMittente")
      return soap_annulment(*called, *a, body, true, *caller, remote_addr);
  }
  auto in = soap::read_messaggio_inoltro(body);
  if (!in) return {500, soap::fault(true, in.error().detail)};
  // The sender the segnatura names must be an office the caller's certificate is trusted for (an
  // unreadable segnatura is refused by receive(), with the exception notice, as from any sender).
  if (auto said = read_segnatura(in->segnatura);
      said && !caller->may_be(said->id.admin_code, said->id.aoo_code))
    return refuse_soap(*called, "destinatario", remote_addr,
                       Error::make("soap_auth.caller", 403, said->id.admin_code + "/" + said->id.aoo_code),
                       caller->subject);
  Arrival a;
  a.admin_code = admin_code;
  a.aoo_code = aoo_code;
  a.segnatura = in->segnatura;
  a.files = std::move(in->files);
  a.channel = "soap";
  auto m = receive(a);
  if (!m)
    return {500, soap::fault(true, reason_text(m.error().code == "not_found" ? "soap.unknown_office"
                                                                             : m.error().code))};
  const auto mittente = sender_of(*m);
  if (m->check_code.empty()) return {200, soap::response_inoltro(mittente, "", "")};
  const auto anomaly = soap::inoltro_anomaly(m->check_code);
  if (anomaly.empty()) return {500, soap::fault(true, reason_text(m->check_code))};
  return {200, soap::response_inoltro(mittente, anomaly, reason_text(m->check_code))};
}

std::pair<int, std::string> InteropService::soap_mittente(const std::string& admin_code,
                                                          const std::string& aoo_code, std::string_view body,
                                                          std::string_view remote_addr) {
  using namespace interop_soap_channel_detail;
  auto called = hub_office(admin_code, aoo_code);
  if (!called) return {500, soap::fault(true, reason_text("soap.unknown_office"))};
  auto caller = authenticate_soap(*called, "mittente", body, remote_addr);
  if (!caller) return {500, soap::fault(true, reason_text(caller.error().code))};
  auto a = soap::read_answer(body);
  if (a && a->operation == "RequestAnnullamentoInoltroDestinatario")
    return soap_annulment(*called, *a, body, false, *caller, remote_addr);
  if (!a || a->operation != "RequestConfermaMessaggioInoltro")
    return {500, soap::fault(true, a ? "unsupported operation " + a->operation : a.error().detail)};
  // The receiving office confirms (its registration names it): only for itself.
  if (a->destinatario && !caller->may_be(a->destinatario->admin_code, a->destinatario->aoo_code))
    return refuse_soap(
        *called, "mittente", remote_addr,
        Error::make("soap_auth.caller", 403, a->destinatario->admin_code + "/" + a->destinatario->aoo_code),
        caller->subject);
  auto r = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    auto offices = InteropStore::hub_offices(tx, admin_code, aoo_code);
    if (offices.size() != 1) return false;
    const auto& office = offices.front().aoo;
    if (a->mittente.admin_code != office.admin_code || a->mittente.aoo_code != office.code) return false;
    for (const auto& m : InteropStore::outgoing_by_number(tx, office.tenant_id, "soap", a->mittente.number,
                                                          a->mittente.date)) {
      // Only about a message sent to the office that calls (an exception names no registration of its own).
      if (m.aoo_id != office.id || !caller->may_be(m.peer_admin_code, m.peer_aoo_code)) continue;
      const auto at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
      if (a->destinatario) {
        if (a->destinatario->admin_code != m.peer_admin_code || a->destinatario->aoo_code != m.peer_aoo_code)
          continue;
        if (m.last(EventKind::confirmation) != nullptr) return true;  // a repeat
        InteropStore::insert_event(
            tx, m.id, m.tenant_id,
            {0, EventKind::confirmation, false, "", a->destinatario->number, a->destinatario->date, "", "",
             std::string(body), "soap:" + m.peer_aoo_code, at});
      } else {
        InteropStore::insert_event(
            tx, m.id, m.tenant_id,
            {0, EventKind::exception, false, "", "", "", a->anomaly + (a->info.empty() ? "" : ": " + a->info),
             "", std::string(body), "soap:" + m.peer_aoo_code, at});
      }
      return true;
    }
    return false;
  });
  if (!r || !*r) return {500, soap::fault(true, "IdentificatoreMittente not found")};
  return {200, soap::response_conferma(a->mittente)};
}

// An annulment that arrived at one of the hub's offices (the URL's): by the sender of a message this office
// received by SOAP from it (on ProtocolloDestinatario), or by the receiver of a message this office sent
// it by SOAP (on ProtocolloMittente). Recorded once against that message (a repeat answers the same);
// anything else is 007_ErroreIdentificatoreNonTrovato — another office cannot annul someone else's message.
std::pair<int, std::string> InteropService::soap_annulment(const HubOffice& called, const soap::Answer& a,
                                                           std::string_view body, bool by_sender,
                                                           const SoapCaller& caller,
                                                           std::string_view remote_addr) {
  const std::string& admin_code = called.aoo.admin_code;
  const std::string& aoo_code = called.aoo.code;
  if (!a.destinatario) return {500, soap::fault(true, "IdentificatoreDestinatario")};
  const auto& mittente = a.mittente;
  const auto& destinatario = *a.destinatario;
  const auto answer = [&](const std::string& anomaly, const std::string& info) {
    return by_sender ? soap::response_annullamento_mittente(mittente, destinatario, anomaly, info)
                     : soap::response_annullamento_destinatario(mittente, destinatario, anomaly, info);
  };
  // The office annulling is the other side; the one named for this office must be the URL's.
  const RegistrationId& theirs = by_sender ? mittente : destinatario;
  const RegistrationId& ours = by_sender ? destinatario : mittente;
  if (!caller.may_be(theirs.admin_code, theirs.aoo_code))
    return refuse_soap(called, by_sender ? "destinatario" : "mittente", remote_addr,
                       Error::make("soap_auth.caller", 403, theirs.admin_code + "/" + theirs.aoo_code),
                       caller.subject);
  auto r = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    auto offices = InteropStore::hub_offices(tx, admin_code, aoo_code);
    if (offices.size() != 1) return false;
    const auto& office = offices.front().aoo;
    if (ours.admin_code != office.admin_code || ours.aoo_code != office.code) return false;
    const auto candidates =
        by_sender
            ? InteropStore::incoming_by_sender(tx, office.tenant_id, "soap", mittente)
            : InteropStore::outgoing_by_number(tx, office.tenant_id, "soap", mittente.number, mittente.date);
    for (const auto& m : candidates) {
      if (m.aoo_id != office.id || m.peer_admin_code != theirs.admin_code ||
          m.peer_aoo_code != theirs.aoo_code)
        continue;
      if (!by_sender) {
        // Their registration must be the one they confirmed to us.
        const auto* conf = m.last(EventKind::confirmation);
        if (conf == nullptr || conf->number != destinatario.number || conf->reg_date != destinatario.date)
          continue;
      }
      for (const auto& ev : m.events)
        if (ev.kind == EventKind::annulment && !ev.outgoing) return true;  // a repeat
      InteropStore::insert_event(tx, m.id, m.tenant_id,
                                 {0, EventKind::annulment, false, "", theirs.number, theirs.date, a.note,
                                  a.riferimento, std::string(body), "soap:" + theirs.aoo_code,
                                  std::chrono::floor<std::chrono::milliseconds>(clock_.now())});
      return true;
    }
    return false;
  });
  if (!r) return {500, soap::fault(false, r.error().code)};
  if (!*r) return {200, answer("007_ErroreIdentificatoreNonTrovato", "registration not found")};
  return {200, answer("", "")};
}

// --- who may call (ModI ID_AUTH_SOAP_02) ---------------------------------------------------------------

void InteropService::set_soap_public_base(std::string base) {
  std::lock_guard lock(trusted_mutex_);
  soap_public_base_ = std::move(base);
}

std::string InteropService::soap_public_base() const {
  std::lock_guard lock(trusted_mutex_);
  return soap_public_base_.empty() ? options_.soap_public_base : soap_public_base_;
}

std::optional<HubOffice> InteropService::hub_office(const std::string& admin_code,
                                                    const std::string& aoo_code) {
  std::optional<HubOffice> out;
  if (admin_code.empty() || aoo_code.empty()) return out;
  db_.read([&](db::Conn& c) {
    auto offices = InteropStore::hub_offices(c, admin_code, aoo_code);
    if (offices.size() == 1) out = offices.front();
  });
  return out;
}

Result<adapters::HttpResponse> InteropService::soap_call(tenants::TenantId tenant, const std::string& url,
                                                         const std::string& envelope) {
  if (options_.soap_gateway) return soap::call(url, envelope);
  auto signer = signer_of(tenant);
  if (!signer) return signer.error();
  auto signed_envelope = wssec::sign(envelope, *signer, {url, "", clock_.now(), options_.soap_ttl});
  if (!signed_envelope) return signed_envelope.error();
  return soap::call(url, *signed_envelope);
}

std::vector<std::pair<std::string, std::string>> InteropService::member_offices(
    tenants::TenantId tenant, const std::string& cert_sha256) const {
  std::vector<std::pair<std::string, std::string>> out;
  const auto snapshot = tenants_.snapshot();
  auto self = tenants_.by_id(tenant);
  if (!self) return out;
  for (const auto& body : snapshot->bodies) {
    if (body->hub_id != self->hub_id) continue;
    auto ring = keys::load_ring(options_.keys_dir, body->slug, keys::Purpose::xml_signing);
    if (!ring) continue;
    bool own = false;
    for (const auto& k : ring->keys()) {
      if (!k.verifies()) continue;
      auto info = xades::certificate_info(k.public_key);
      own = own || (info && info->sha256_hex == cert_sha256);
    }
    if (!own) continue;
    for (const auto& aoo : protocol_.aoos(body->id)) out.emplace_back(aoo.admin_code, aoo.code);
  }
  return out;
}

std::pair<int, std::string> InteropService::refuse_soap(const HubOffice& office, const std::string& iface,
                                                        std::string_view remote_addr, const Error& why,
                                                        const std::string& subject) {
  const std::string path = "/interop/soap/" + office.aoo.admin_code + "/" + office.aoo.code + "/" + iface;
  spdlog::info("interop soap: call to {} refused: {} {}", path, why.code, why.detail);
  // One entry per office, caller address and reason in a window; the next one carries how many were not
  // written (a refused caller must not be able to flood the body's chain).
  if (auto suppressed = soap_refusals_.admit(
          std::to_string(office.aoo.tenant_id) + "|" + path + "|" + std::string(remote_addr) + "|" + why.code,
          clock_.now())) {
    audit::Entry e;
    e.tenant_id = office.aoo.tenant_id;
    e.actor_kind = audit::ActorKind::system;
    e.actor_id = "inbound:agid-soap";
    e.channel = audit::Channel::api;
    e.action = "inbound.refused";
    e.record_type = "route";
    e.record_id = path;
    e.remote_addr = std::string(remote_addr);
    boost::json::object details{{"reason", why.code}, {"suppressed", *suppressed}};
    if (!subject.empty()) details["certificate"] = subject;
    e.details = boost::json::serialize(details);
    if (auto st = audit_.record(e); !st) spdlog::error("audit of a refused SOAP call: {}", st.error().code);
  }
  return {500, soap::fault(true, reason_text(why.code))};
}

Result<SoapCaller> InteropService::authenticate_soap(const HubOffice& office, const std::string& iface,
                                                     std::string_view envelope,
                                                     std::string_view remote_addr) {
  if (options_.soap_gateway) return SoapCaller{true, {}, ""};
  std::string subject;
  const auto refuse = [&](const Error& why) -> Result<SoapCaller> {
    refuse_soap(office, iface, remote_addr, why, subject);
    return why;
  };
  auto s = wssec::verify(envelope);
  if (!s) return refuse(s.error());
  subject = s->certificate.subject;
  const auto now = clock_.now();
  if (auto st = wssec::check_time(*s, now, options_.soap_clock_skew); !st) return refuse(st.error());
  if (s->to != soap_public_base() + "/" + office.aoo.admin_code + "/" + office.aoo.code + "/" + iface)
    return refuse(Error::make("soap_auth.to", 401, s->to));
  SoapCaller caller;
  caller.subject = subject;
  db_.read([&](db::Conn& c) {
    for (const auto& p : InteropStore::soap_peers_by_cert(c, office.aoo.tenant_id, s->certificate.sha256_hex))
      caller.offices.emplace_back(p.admin_code, p.aoo_code);
  });
  if (caller.offices.empty())
    caller.offices = member_offices(office.aoo.tenant_id, s->certificate.sha256_hex);
  if (caller.offices.empty()) return refuse(Error::make("soap_auth.untrusted", 403, subject));
  // Last: an id is kept only for a call otherwise accepted. The primary key decides between nodes.
  auto fresh = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    return InteropStore::remember_message_id(tx, office.aoo.tenant_id, s->message_id,
                                             s->expires + options_.soap_clock_skew, now);
  });
  if (!fresh) return refuse(fresh.error());
  if (!*fresh) return refuse(Error::make("soap_auth.replay", 401, s->message_id));
  return caller;
}

// --- the trusted callers outside the hub (the registry offices' page) -----------------------------------

namespace interop_soap_channel_detail {
namespace {

Status may_manage(const Actor& who, tenants::TenantId tenant) {
  if (const auto* staff = std::get_if<const identity::Principal*>(&who))
    return identity::authorize(*staff, identity::Permission::manage_staff, tenant);
  return Ok{};
}

std::string peer_creator(const Actor& who) {
  if (const auto* staff = std::get_if<const identity::Principal*>(&who)) return "staff:" + (*staff)->subject;
  return "system:" + std::get<SystemActor>(who).name;
}

std::string peer_details(const SoapPeer& p) {
  return boost::json::serialize(boost::json::object{{"office", p.admin_code + "/" + p.aoo_code},
                                                    {"name", p.name},
                                                    {"certificate", p.subject},
                                                    {"sha256", p.cert_sha256}});
}

}  // namespace
}  // namespace interop_soap_channel_detail

Result<std::vector<SoapPeer>> InteropService::soap_peers(const Actor& who, tenants::TenantId tenant) {
  using namespace interop_soap_channel_detail;
  if (auto st = may_manage(who, tenant); !st) return st.error();
  std::vector<SoapPeer> out;
  db_.read([&](db::Conn& c) { out = InteropStore::soap_peers(c, tenant); });
  return out;
}

Result<SoapPeer> InteropService::add_soap_peer(const Actor& who, tenants::TenantId tenant,
                                               const SoapPeerInput& in) {
  using namespace interop_soap_channel_detail;
  if (auto st = may_manage(who, tenant); !st) return st.error();
  if (!is_ipa_code(in.admin_code) || !is_ipa_code(in.aoo_code))
    return Error::for_field("protocollo.soap_peer_codes", "peer_admin_code", 400,
                            in.admin_code + "/" + in.aoo_code);
  auto cert = xades::certificate_info(in.cert_pem);
  if (!cert) return Error::for_field("protocollo.soap_peer_certificate", "peer_certificate");
  const auto now = clock_.now();
  if (cert->not_after < now)
    return Error::for_field("protocollo.soap_peer_expired", "peer_certificate", 400,
                            time::format_it_datetime(cert->not_after));
  SoapPeer p;
  p.id = ids::random_token(12);
  p.tenant_id = tenant;
  p.admin_code = in.admin_code;
  p.aoo_code = in.aoo_code;
  p.name = in.name.empty() ? in.admin_code + "/" + in.aoo_code : in.name.substr(0, 200);
  p.cert_pem = cert->pem;
  p.cert_sha256 = cert->sha256_hex;
  p.subject = cert->subject;
  p.not_after = cert->not_after;
  p.created_at = std::chrono::floor<std::chrono::milliseconds>(now);
  p.created_by = peer_creator(who);
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    if (!InteropStore::hub_offices(tx, p.admin_code, p.aoo_code).empty())
      return Error::for_field("protocollo.soap_peer_member", "peer_admin_code", 409,
                              p.admin_code + "/" + p.aoo_code);
    if (!InteropStore::insert_soap_peer(tx, p))
      return Error::make("protocollo.soap_peer_exists", 409, p.admin_code + "/" + p.aoo_code);
    audit_.record_or_throw(tx, identity::entry_by(who, tenant, "protocollo.soap_peer_added", "soap_peer",
                                                  p.id, peer_details(p)));
    return true;
  });
  if (!done) return done.error();
  return p;
}

Status InteropService::remove_soap_peer(const Actor& who, tenants::TenantId tenant, const std::string& id) {
  using namespace interop_soap_channel_detail;
  if (auto st = may_manage(who, tenant); !st) return st.error();
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    auto p = InteropStore::soap_peer(tx, tenant, id);
    if (!p || !InteropStore::delete_soap_peer(tx, tenant, id))
      return Error::make("protocollo.soap_peer_gone", 409, id);
    audit_.record_or_throw(tx, identity::entry_by(who, tenant, "protocollo.soap_peer_removed", "soap_peer",
                                                  id, peer_details(*p)));
    return true;
  });
  if (!done) return done.error();
  return Ok{};
}

}  // namespace sp::protocollo
