// The SOAP channel of InteropService (interop.hpp, interop_soap.hpp): the job that calls the other office's
// interfaces, and the hub's own endpoints.
#include <spdlog/spdlog.h>

#include "identity/audit_entry.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/interop_soap.hpp"
#include "protocollo/store.hpp"

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
    auto answer = soap::call(base + "/destinatario", *envelope);
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
    auto answer = soap::call(base + "/mittente", envelope);
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
    auto answer = soap::call(url, envelope);
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
                                                              std::string_view body) {
  using namespace interop_soap_channel_detail;
  if (body.find("RequestAnnullamentoInoltroMittente") != std::string_view::npos) {
    auto a = soap::read_answer(body);
    if (a && a->operation == "RequestAnnullamentoInoltroMittente")
      return soap_annulment(admin_code, aoo_code, *a, body, true);
  }
  auto in = soap::read_messaggio_inoltro(body);
  if (!in) return {500, soap::fault(true, in.error().detail)};
  Arrival a;
  a.admin_code = admin_code;
  a.aoo_code = aoo_code;
  a.segnatura = in->segnatura;
  a.files = std::move(in->files);
  a.channel = "soap";
  auto m = receive(a);
  if (!m)
    return {500,
            soap::fault(true, m.error().code == "not_found" ? "unknown registry office" : m.error().code)};
  const auto mittente = sender_of(*m);
  if (m->check_code.empty()) return {200, soap::response_inoltro(mittente, "", "")};
  const auto anomaly = soap::inoltro_anomaly(m->check_code);
  if (anomaly.empty()) return {500, soap::fault(true, reason_text(m->check_code))};
  return {200, soap::response_inoltro(mittente, anomaly, reason_text(m->check_code))};
}

std::pair<int, std::string> InteropService::soap_mittente(const std::string& admin_code,
                                                          const std::string& aoo_code,
                                                          std::string_view body) {
  using namespace interop_soap_channel_detail;
  auto a = soap::read_answer(body);
  if (a && a->operation == "RequestAnnullamentoInoltroDestinatario")
    return soap_annulment(admin_code, aoo_code, *a, body, false);
  if (!a || a->operation != "RequestConfermaMessaggioInoltro")
    return {500, soap::fault(true, a ? "unsupported operation " + a->operation : a.error().detail)};
  auto r = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    auto offices = InteropStore::hub_offices(tx, admin_code, aoo_code);
    if (offices.size() != 1) return false;
    const auto& office = offices.front().aoo;
    if (a->mittente.admin_code != office.admin_code || a->mittente.aoo_code != office.code) return false;
    for (const auto& m : InteropStore::outgoing_by_number(tx, office.tenant_id, "soap", a->mittente.number,
                                                          a->mittente.date)) {
      if (m.aoo_id != office.id) continue;
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
std::pair<int, std::string> InteropService::soap_annulment(const std::string& admin_code,
                                                           const std::string& aoo_code, const soap::Answer& a,
                                                           std::string_view body, bool by_sender) {
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

}  // namespace sp::protocollo
