#include "protocollo/interop.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "files/mime.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "jobs/store.hpp"

namespace sp::protocollo {
namespace interop_detail {
namespace {

constexpr const char* kSystem = "system:interop";

Result<std::string> who_id(const Actor& who, tenants::TenantId tenant) {
  if (const auto* sys = std::get_if<SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return "system:" + sys->name;
  }
  const identity::Principal* p = std::get<const identity::Principal*>(who);
  if (auto st = identity::authorize(p, identity::Permission::backoffice, tenant); !st) return st.error();
  return "staff:" + p->subject;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string details_json(std::initializer_list<std::pair<const char*, std::string>> kv) {
  boost::json::object o;
  for (const auto& [k, v] : kv) o[k] = v;
  return boost::json::serialize(o);
}

files::Limits document_limits() {
  files::Limits limits;
  limits.max_size = kMaxDocumentBytes;
  limits.allowed_types = kDocumentTypes;
  limits.keep_active_content = true;  // a registry registers what arrives; downloads serve it inert
  return limits;
}

}  // namespace
}  // namespace interop_detail
// (Used inside each function below, never at namespace scope: the unity build puts this module's
// sources in one translation unit, where a namespace-scope using-directive would reach the others.)

InteropService::InteropService(db::Database& db, time::Clock& clock, const I18n& i18n,
                               ProtocolService& protocol, files::FileService& files,
                               tenants::TenantService& tenants, InteropOptions options)
    : db_(db),
      clock_(clock),
      i18n_(i18n),
      protocol_(protocol),
      files_(files),
      tenants_(tenants),
      options_(std::move(options)),
      audit_(db, clock) {
  using namespace interop_detail;
  if (!options_.soap_endpoints_file.empty()) {
    std::istringstream lines(read_file(options_.soap_endpoints_file));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string codes, url;
      fields >> codes >> url;
      const auto slash = codes.find('/');
      if (slash != std::string::npos && !url.empty()) soap_endpoints_[codes] = url;
    }
  }
  protocol_.set_soap_reach(
      [this](const std::string& ipa, const std::string& aoo) { return !soap_endpoint(ipa, aoo).empty(); });
}

void InteropService::add_soap_endpoint(const std::string& admin_code, const std::string& aoo_code,
                                       const std::string& base_url) {
  std::lock_guard lock(trusted_mutex_);
  soap_endpoints_[admin_code + "/" + aoo_code] = base_url;
}

std::string InteropService::soap_endpoint(const std::string& admin_code, const std::string& aoo_code) const {
  if (admin_code.empty() || aoo_code.empty()) return {};
  std::lock_guard lock(trusted_mutex_);
  auto it = soap_endpoints_.find(admin_code + "/" + aoo_code);
  return it == soap_endpoints_.end() ? std::string() : it->second;
}

Result<xades::Signer> InteropService::signer_of(tenants::TenantId tenant) const {
  using namespace interop_detail;
  auto body = tenants_.by_id(tenant);
  if (!body) return Error::make("protocollo.signing_key", 503, std::to_string(tenant));
  auto ring = keys::load_ring(options_.keys_dir, body->slug, keys::Purpose::xml_signing);
  if (!ring) return Error::make("protocollo.signing_key", 503, ring.error().detail);
  const keys::Key* key = ring->signing(clock_.now());
  if (key == nullptr) return Error::make("protocollo.signing_key", 503, body->slug);
  return xades::Signer{key->secret, key->public_key};
}

std::string InteropService::trusted_bundle() const {
  using namespace interop_detail;
  std::string bundle;
  for (const auto& body : tenants_.snapshot()->bodies) {
    auto ring = keys::load_ring(options_.keys_dir, body->slug, keys::Purpose::xml_signing);
    if (!ring) continue;
    for (const auto& k : ring->keys())
      if (k.verifies()) bundle += k.public_key + "\n";
  }
  if (!options_.trusted_ca_file.empty()) bundle += read_file(options_.trusted_ca_file);
  std::lock_guard lock(trusted_mutex_);
  return bundle + extra_trusted_;
}

void InteropService::trust(const std::string& pem) {
  std::lock_guard lock(trusted_mutex_);
  extra_trusted_ += pem + "\n";
}

std::shared_ptr<const AgidSchemas> InteropService::schemas() {
  using namespace interop_detail;
  std::lock_guard lock(schemas_mutex_);
  if (!schemas_) {
    auto loaded = AgidSchemas::load(options_.schema_dir);
    if (loaded) schemas_ = *loaded;
  }
  return schemas_;
}

Result<std::string> InteropService::sign(const Entry& e) {
  using namespace interop_detail;
  auto signer = signer_of(e.tenant_id);
  if (!signer) return signer.error();
  OwnOffice own;
  if (auto body = tenants_.by_id(e.tenant_id)) {
    own.body_name = body->name;
    own.body_fiscal_code = body->fiscal_code;
    own.pec = body->pec;
  }
  for (const auto& a : protocol_.aoos(e.tenant_id))
    if (a.id == e.aoo_id) own.aoo_name = a.name;
  auto xml = segnatura_unsigned(e, own);
  if (!xml) return xml.error();
  return xades::sign_enveloped(*xml, *signer, clock_.now());
}

Result<std::string> InteropService::signed_segnatura(const Actor& who, tenants::TenantId tenant,
                                                     const std::string& entry_id) {
  using namespace interop_detail;
  auto e = protocol_.get(who, tenant, entry_id);
  if (!e) return e.error();
  return sign(*e);
}

std::string InteropService::reason_text(const std::string& code) const {
  using namespace interop_detail;
  const std::string key = "protocollo.interop.reason." + code;
  const auto& text = i18n_.t("it", key);
  return text == key || text.empty() ? code : text;
}

void InteropService::answer_exception(db::Conn& tx, const Message& received,
                                      const std::optional<RegistrationId>& id, const std::string& reason,
                                      const std::string& by) {
  using namespace interop_detail;
  ServiceMessage n;
  n.kind = ServiceMessageKind::notifica_eccezione;
  n.received = id;
  if (!id) n.received_description = "Segnatura non leggibile";
  n.reason = reason;
  const auto xml = service_message_xml(n);
  const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
  InteropStore::insert_event(tx, received.id, received.tenant_id,
                             {0, EventKind::exception, true, "", "", "", reason, "", xml, by, now});
  if (received.channel == "hub" && !received.peer_message_id.empty()) {
    if (auto peer = InteropStore::peer_message(tx, received.peer_message_id)) {
      InteropStore::insert_event(tx, peer->id, peer->tenant_id,
                                 {0, EventKind::exception, false, "", "", "", reason, "", xml, kSystem, now});
    }
  }
  if (received.channel == "pec" && !received.peer_address.empty())
    (void)send_service_by_pec(tx, received, "NotificaEccezione.xml", xml,
                              "Notifica di eccezione" + (id ? " - " + id->number + " del " + id->date : ""));
}

Status InteropService::send_service_by_pec(db::Conn& tx, const Message& m, const std::string& file,
                                           const std::string& xml, const std::string& subject) {
  using namespace interop_detail;
  boost::json::object o;
  o["protocol_message"] = m.id;
  o["file"] = file;
  o["xml"] = xml;
  messaging::Message out;
  out.tenant_id = m.tenant_id;
  out.channel = messaging::Channel::pec;
  out.recipient = m.peer_address;
  out.subject = subject;
  out.body = subject +
             "\n\nMessaggio di servizio tra registri di protocollo (AgID, linee guida 2021): " + file +
             " in allegato.\n";
  out.type = kPecServiceType;
  out.options = boost::json::serialize(o);
  auto id = messaging::enqueue(tx, out, clock_);
  if (!id) return id.error();
  return Ok{};
}

Result<Message> InteropService::receive(const Arrival& a) {
  using namespace interop_detail;
  return db::transact(db_, [&](db::Conn& tx) { return receive(tx, a); });
}

Result<Message> InteropService::receive(db::Conn& tx, const Arrival& a) {
  using namespace interop_detail;
  auto offices = InteropStore::hub_offices(tx, a.admin_code, a.aoo_code);
  if (offices.size() != 1) return Error::not_found("registry office " + a.admin_code + "/" + a.aoo_code);
  const Aoo& office = offices.front().aoo;
  Message m;
  m.id = a.message_id.empty() ? ids::uuid_v7() : a.message_id;
  m.tenant_id = office.tenant_id;
  m.aoo_id = office.id;
  m.outgoing = false;
  m.channel = a.channel;
  m.peer_message_id = a.peer_message_id;
  m.peer_address = a.peer_address;
  m.segnatura = a.segnatura;
  m.created_at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());

  // What the segnatura says, read before it is trusted only to describe a refused message.
  std::optional<RegistrationId> sender_id;
  auto said = read_segnatura(a.segnatura);
  if (said) {
    sender_id = said->id;
    m.peer_admin_code = said->id.admin_code;
    m.peer_aoo_code = said->id.aoo_code;
    m.peer_name = said->sender.name;
    m.sender_number = said->id.number;
    m.sender_date = said->id.date;
    m.subject = said->subject;
  }
  auto refuse = [&](const Error& why) -> Result<Message> {
    m.check_code = why.code;
    m.check_detail = why.detail;
    InteropStore::insert_message(tx, m);
    answer_exception(tx, m, sender_id, reason_text(why.code), kSystem);
    audit_.record_or_throw(
        tx, identity::entry_by(SystemActor{"interop"}, m.tenant_id, "protocollo.interop_receive",
                               "protocol_message", m.id,
                               details_json({{"from", m.peer_admin_code + "/" + m.peer_aoo_code},
                                             {"channel", m.channel},
                                             {"refused", why.code}})));
    return InteropStore::message(tx, m.tenant_id, m.id).value();
  };

  auto schema = schemas();
  if (!schema) return refuse(Error::make("segnatura.schema_missing", 500, options_.schema_dir));
  if (auto st = schema->validate_segnatura(a.segnatura); !st) return refuse(st.error());
  if (!said) return refuse(said.error());
  auto verified = xades::verify_enveloped(a.segnatura, trusted_bundle());
  if (!verified) return refuse(verified.error());
  // A member of the hub signs with its own certificate: another member's is not enough.
  auto senders = InteropStore::hub_offices(tx, said->id.admin_code, said->id.aoo_code);
  if (!senders.empty()) {
    auto body = tenants_.by_id(senders.front().aoo.tenant_id);
    bool own = false;
    if (body) {
      if (auto ring = keys::load_ring(options_.keys_dir, body->slug, keys::Purpose::xml_signing)) {
        const auto digest = xades::certificate_digest(verified->cert_pem);
        for (const auto& k : ring->keys())
          own = own || (k.verifies() && xades::certificate_digest(k.public_key) == digest);
      }
    }
    if (!own) return refuse(Error::make("xades.untrusted", 422, "not the sender's certificate"));
  }
  m.signer = verified->signer_subject;
  const bool addressed =
      std::any_of(said->recipients.begin(), said->recipients.end(), [&](const Correspondent& c) {
        return c.aoo_code == office.code && (c.ipa_code.empty() || c.ipa_code == office.admin_code);
      });
  if (!addressed) return refuse(Error::make("segnatura.not_addressed", 422, office.code));

  // Every file declared, with the digest declared, and nothing else.
  if (a.files.size() != said->documents.size())
    return refuse(Error::make("segnatura.digest", 422, "files: " + std::to_string(a.files.size())));
  std::vector<bool> used(a.files.size(), false);
  std::vector<const WireFile*> matched;
  for (const auto& d : said->documents) {
    const WireFile* found = nullptr;
    for (std::size_t i = 0; i < a.files.size() && found == nullptr; ++i) {
      if (!used[i] && a.files[i].file_name == d.file_name) {
        used[i] = true;
        found = &a.files[i];
      }
    }
    if (found == nullptr) return refuse(Error::make("segnatura.digest", 422, "missing " + d.file_name));
    if (digest::sha256_hex(found->bytes) != d.sha256_hex)
      return refuse(Error::make("segnatura.digest", 422, d.file_name));
    matched.push_back(found);
  }
  const auto limits = document_limits();
  for (std::size_t i = 0; i < said->documents.size(); ++i) {
    const auto& d = said->documents[i];
    auto stored = files_.put(tx, office.tenant_id, d.file_name, matched[i]->bytes, limits);
    if (!stored) return refuse(stored.error());
    auto type =
        files::resolve_media_type(files::normalize_media_type(d.mime_type).value_or(""), stored->mime_type);
    m.files.push_back({d.role, stored->file_name, type.mime_type, stored->size, stored->sha256, stored->id});
  }
  InteropStore::insert_message(tx, m);
  audit_.record_or_throw(tx,
                         identity::entry_by(SystemActor{"interop"}, m.tenant_id, "protocollo.interop_receive",
                                            "protocol_message", m.id,
                                            details_json({{"from", m.peer_admin_code + "/" + m.peer_aoo_code},
                                                          {"channel", m.channel},
                                                          {"sender_number", m.sender_number}})));
  return InteropStore::message(tx, m.tenant_id, m.id).value();
}

Result<std::vector<Message>> InteropService::send(const Actor& who, tenants::TenantId tenant,
                                                  const std::string& entry_id) {
  using namespace interop_detail;
  auto actor = who_id(who, tenant);
  if (!actor) return actor.error();
  auto e = protocol_.get(who, tenant, entry_id);
  if (!e) return e.error();
  if (e->direction != Direction::outgoing || e->annulled())
    return Error::make("protocollo.interop_not_outgoing", 409, entry_id);
  std::vector<Message> earlier;
  std::vector<HubOffice> targets;
  std::vector<Correspondent> outside;
  db_.read([&](db::Conn& c) {
    earlier = InteropStore::of_entry(c, tenant, entry_id);
    for (const auto& r : e->correspondents) {
      if (r.aoo_code.empty()) continue;
      for (auto& o : InteropStore::hub_offices(c, r.ipa_code, r.aoo_code)) {
        if (o.aoo.id == e->aoo_id) continue;
        const bool dup =
            std::any_of(targets.begin(), targets.end(),
                        [&](const HubOffice& t) { return t.aoo.id == o.aoo.id; }) ||
            std::any_of(earlier.begin(), earlier.end(), [&](const Message& m) {
              return m.outgoing && m.peer_aoo_code == o.aoo.code && m.peer_admin_code == o.aoo.admin_code;
            });
        if (!dup) targets.push_back(std::move(o));
      }
    }
    // Outside the hub: a correspondent with a PEC address that is no office of the hub.
    for (const auto& r : e->correspondents) {
      const bool soap = !soap_endpoint(r.ipa_code, r.aoo_code).empty();
      if (r.pec.empty() && !soap) continue;
      if (!r.aoo_code.empty() && !InteropStore::hub_offices(c, r.ipa_code, r.aoo_code).empty()) continue;
      const auto same = [&](const std::string& admin, const std::string& aoo, const std::string& address) {
        return soap ? admin == r.ipa_code && aoo == r.aoo_code : address == r.pec;
      };
      const bool dup =
          std::any_of(outside.begin(), outside.end(),
                      [&](const Correspondent& t) { return same(t.ipa_code, t.aoo_code, t.pec); }) ||
          std::any_of(earlier.begin(), earlier.end(), [&](const Message& m) {
            return m.outgoing && m.channel != "hub" &&
                   same(m.peer_admin_code, m.peer_aoo_code, m.peer_address);
          });
      if (!dup) outside.push_back(r);
    }
  });
  if (targets.empty() && outside.empty())
    return Error::make("protocollo.interop_no_recipient", 409, entry_id);
  std::vector<WireFile> wire;
  std::vector<MessageFile> described;
  for (const auto& d : e->documents) {
    if (d.file_id.empty()) return Error::make("protocollo.interop_no_bytes", 409, d.file_name);
    auto bytes = files_.read_content(tenant, d.file_id);
    if (!bytes) return bytes.error();
    if (!*bytes) return Error::make("protocollo.interop_no_bytes", 409, d.file_name);
    wire.push_back({d.file_name, d.mime_type, std::move(**bytes)});
    described.push_back({d.role, d.file_name, d.mime_type, d.size, d.sha256, ""});
  }
  auto xml = sign(*e);
  if (!xml) return xml.error();
  const auto id = registration_id(*e);
  std::vector<std::string> sent_ids;
  auto done = db::transact(db_, [&](db::Conn& tx) -> Status {
    // The message as this office records it, sent to a peer (its codes, name and address) on a channel.
    const auto record = [&](const std::string& channel, const std::string& admin, const std::string& aoo,
                            const std::string& name, const std::string& address, const std::string& to) {
      Message out;
      out.id = ids::uuid_v7();
      out.tenant_id = tenant;
      out.aoo_id = e->aoo_id;
      out.outgoing = true;
      out.channel = channel;
      out.entry_id = e->id;
      out.peer_admin_code = admin;
      out.peer_aoo_code = aoo;
      out.peer_name = name;
      out.peer_address = address;
      if (channel == "hub") out.peer_message_id = ids::uuid_v7();
      out.sender_number = id.number;
      out.sender_date = id.date;
      out.subject = e->subject;
      out.segnatura = *xml;
      out.created_at = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
      out.files = described;
      InteropStore::insert_message(tx, out);
      audit_.record_or_throw(
          tx, identity::entry_by(who, tenant, "protocollo.interop_send", "protocol_entry", e->id,
                                 details_json({{"message", out.id}, {"to", to}, {"channel", channel}})));
      return out;
    };
    for (const auto& t : targets) {
      const auto out =
          record("hub", t.aoo.admin_code, t.aoo.code, t.body_name, "", t.aoo.admin_code + "/" + t.aoo.code);
      Arrival a;
      a.admin_code = t.aoo.admin_code;
      a.aoo_code = t.aoo.code;
      a.segnatura = *xml;
      a.files = wire;
      a.peer_message_id = out.id;
      a.message_id = out.peer_message_id;
      auto in = receive(tx, a);
      if (!in) return in.error();
      sent_ids.push_back(out.id);
    }
    for (const auto& r : outside) {
      const bool soap = !soap_endpoint(r.ipa_code, r.aoo_code).empty();
      // Sent once per office: by its IPA codes, else by its address (the unique index names the codes).
      const auto out =
          record(soap ? "soap" : "pec", r.ipa_code, r.aoo_code.empty() ? r.pec : r.aoo_code, r.name,
                 soap ? std::string() : r.pec, soap ? r.ipa_code + "/" + r.aoo_code : r.pec);
      if (soap) {
        // MessaggioInoltro by a job queued with the message: sent after the commit, retried, never lost.
        auto queued = jobs::enqueue(tx, {kSoapKind, tenant, "send:" + out.id, "send:" + out.id, std::nullopt},
                                    clock_.now());
        if (!queued) return queued.error();
        sent_ids.push_back(out.id);
        continue;
      }
      // The outbox message carries the protocol message's id: the PEC's Message-ID, so a repeat after a
      // crash is the same message to the other side, and the receipts name it.
      messaging::Message mail;
      mail.tenant_id = tenant;
      mail.channel = messaging::Channel::pec;
      mail.recipient = r.pec;
      mail.subject = "Protocollo n. " + id.number + " del " + id.date + " - " + e->subject;
      mail.body = "Messaggio di protocollo (AgID, linee guida 2021): " + e->subject +
                  "\n\nSegnatura.xml e i documenti in allegato.\n";
      mail.type = kPecMessageType;
      mail.options = details_json({{"protocol_message", out.id}});
      messaging::EnqueueOptions eo;
      eo.id = out.id;
      auto queued = messaging::enqueue(tx, mail, eo, clock_);
      if (!queued) return queued.error();
      sent_ids.push_back(out.id);
    }
    return Ok{};
  });
  if (!done) return done.error();
  std::vector<Message> out;
  db_.read([&](db::Conn& c) {
    for (const auto& sid : sent_ids)
      if (auto m = InteropStore::message(c, tenant, sid)) out.push_back(std::move(*m));
  });
  return out;
}

Result<std::vector<Message>> InteropService::inbox(const Actor& who, tenants::TenantId tenant) {
  using namespace interop_detail;
  if (auto actor = who_id(who, tenant); !actor) return actor.error();
  std::vector<Message> out;
  db_.read([&](db::Conn& c) { out = InteropStore::inbox(c, tenant, 200); });
  return out;
}

Result<Message> InteropService::message(const Actor& who, tenants::TenantId tenant, const std::string& id) {
  using namespace interop_detail;
  if (auto actor = who_id(who, tenant); !actor) return actor.error();
  std::optional<Message> m;
  db_.read([&](db::Conn& c) { m = InteropStore::message(c, tenant, id); });
  if (!m) return Error::not_found("protocol message " + id);
  return std::move(*m);
}

Result<std::vector<Message>> InteropService::exchange_of(const Actor& who, tenants::TenantId tenant,
                                                         const std::string& entry_id) {
  using namespace interop_detail;
  if (auto actor = who_id(who, tenant); !actor) return actor.error();
  std::vector<Message> out;
  db_.read([&](db::Conn& c) { out = InteropStore::of_entry(c, tenant, entry_id); });
  return out;
}

Result<ReadSegnatura> InteropService::contents(const Message& m) const {
  return read_segnatura(m.segnatura);
}

namespace {
Status receivable(const Message& m) {
  using namespace interop_detail;
  if (m.outgoing || !m.check_code.empty() || m.last(EventKind::registered) != nullptr ||
      m.last(EventKind::exception) != nullptr)
    return Error::make("protocollo.message_state", 409, m.id);
  return Ok{};
}
}  // namespace

Result<Registered> InteropService::register_message(const Actor& who, tenants::TenantId tenant,
                                                    const std::string& id, const MessageRegistration& r) {
  using namespace interop_detail;
  auto actor = who_id(who, tenant);
  if (!actor) return actor.error();
  return db::transact(db_, [&](db::Conn& tx) -> Result<Registered> {
    auto m = InteropStore::message(tx, tenant, id);
    if (!m) return Error::not_found("protocol message " + id);
    if (auto st = receivable(*m); !st) return st.error();
    auto said = read_segnatura(m->segnatura);
    if (!said) return said.error();
    NewEntry ne;
    ne.aoo_id = m->aoo_id;
    ne.direction = Direction::incoming;
    ne.subject = r.subject;
    ne.correspondents = {said->sender};
    for (const auto& f : m->files)
      ne.documents.push_back({f.role, f.file_name, f.mime_type, f.size, f.sha256, f.file_id});
    ne.sender_protocol_number = said->id.number;
    ne.sender_protocol_date = said->id.date;
    ne.classification = r.classification;
    ne.fascicolo = r.fascicolo;
    ne.office = r.office;
    ne.channel = Channel::online;  // received telematically (the message's channel says how)
    auto reg = protocol_.register_entry(tx, who, tenant, ne);
    if (!reg) return reg.error();
    auto aoo = ProtocolStore::aoo(tx, tenant, m->aoo_id);
    const RegistrationId ours{aoo ? aoo->admin_code : "", aoo ? aoo->code : "", "PROTOCOLLO",
                              format_number(reg->number),
                              time::format_iso_date(time::rome_date(reg->registered_at))};
    const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
    InteropStore::insert_event(
        tx, m->id, tenant,
        {0, EventKind::registered, false, reg->id, ours.number, ours.date, "", "", "", *actor, now});
    ServiceMessage conferma;
    conferma.kind = ServiceMessageKind::conferma_ricezione;
    conferma.identificatore = ours;
    conferma.received = said->id;
    const auto xml = service_message_xml(conferma);
    InteropStore::insert_event(
        tx, m->id, tenant,
        {0, EventKind::confirmation, true, "", ours.number, ours.date, "", "", xml, *actor, now});
    if (m->channel == "hub" && !m->peer_message_id.empty()) {
      if (auto peer = InteropStore::peer_message(tx, m->peer_message_id)) {
        InteropStore::insert_event(
            tx, peer->id, peer->tenant_id,
            {0, EventKind::confirmation, false, "", ours.number, ours.date, "", "", xml, kSystem, now});
      }
    }
    if (m->channel == "pec" && !m->peer_address.empty()) {
      auto sent = send_service_by_pec(tx, *m, "ConfermaRicezione.xml", xml,
                                      "Conferma di ricezione - " + ours.number + " del " + ours.date);
      if (!sent) return sent.error();
    }
    if (m->channel == "soap") {
      auto queued = jobs::enqueue(
          tx, {kSoapKind, tenant, "confirm:" + m->id, "confirm:" + m->id, std::nullopt}, clock_.now());
      if (!queued) return queued.error();
    }
    return std::move(*reg);
  });
}

Status InteropService::refuse_message(const Actor& who, tenants::TenantId tenant, const std::string& id,
                                      const std::string& reason) {
  using namespace interop_detail;
  auto actor = who_id(who, tenant);
  if (!actor) return actor.error();
  if (blank(reason) || reason.size() > 2000) {
    Error e = Error::make("protocollo.refusal_reason", 400, "reason");
    e.field = "reason";
    return e;
  }
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto m = InteropStore::message(tx, tenant, id);
    if (!m) return Error::not_found("protocol message " + id);
    if (auto st = receivable(*m); !st) return st.error();
    auto said = read_segnatura(m->segnatura);
    answer_exception(tx, *m, said ? std::optional<RegistrationId>(said->id) : std::nullopt, reason, *actor);
    if (m->channel == "soap") {
      auto queued = jobs::enqueue(tx, {kSoapKind, tenant, "except:" + m->id, "except:" + m->id, std::nullopt},
                                  clock_.now());
      if (!queued) return queued.error();
    }
    audit_.record_or_throw(
        tx, identity::entry_by(who, tenant, "protocollo.interop_refuse", "protocol_message", m->id,
                               details_json({{"reason", reason}})));
    return Ok{};
  });
}

void InteropService::on_annulled(db::Conn& tx, tenants::TenantId tenant, const Entry& e, const Annulment& a) {
  using namespace interop_detail;
  const auto id = registration_id(e);
  ServiceMessage n;
  n.kind = ServiceMessageKind::annullamento;
  n.identificatore = id;
  n.reason = a.reason;
  n.act = a.authorisation;
  const auto xml = service_message_xml(n);
  for (const auto& m : InteropStore::of_entry(tx, tenant, e.id)) {
    if (!m.check_code.empty()) continue;
    InteropStore::insert_event(tx, m.id, tenant,
                               {0, EventKind::annulment, true, e.id, id.number, id.date, a.reason,
                                a.authorisation, xml, a.by, a.at});
    if (m.channel == "hub" && !m.peer_message_id.empty()) {
      if (auto peer = InteropStore::peer_message(tx, m.peer_message_id)) {
        InteropStore::insert_event(tx, peer->id, peer->tenant_id,
                                   {0, EventKind::annulment, false, "", id.number, id.date, a.reason,
                                    a.authorisation, xml, kSystem, a.at});
      }
    }
    if (m.channel == "pec" && !m.peer_address.empty())
      (void)send_service_by_pec(tx, m, "AnnullamentoProtocollazione.xml", xml,
                                "Annullamento protocollazione - " + id.number + " del " + id.date);
    // SOAP: AnnullamentoInoltroMittente / …Destinatario to the other office, by the job, after the commit.
    if (m.channel == "soap") {
      auto queued = jobs::enqueue(tx, {kSoapKind, tenant, "annul:" + m.id, "annul:" + m.id, std::nullopt},
                                  clock_.now());
      if (!queued) throw std::runtime_error("interop: " + queued.error().code);
    }
  }
}

Result<std::vector<messaging::Attachment>> InteropService::pec_attachments(
    const messaging::StoredMessage& sm) {
  using namespace interop_detail;
  std::vector<messaging::Attachment> out;
  if (sm.message.type != kPecMessageType && sm.message.type != kPecServiceType) return out;
  boost::json::object o;
  try {
    o = boost::json::parse(sm.message.options).as_object();
  } catch (const std::exception&) {
    return Error::make("messaging.rejected", 422, "protocol message options");
  }
  const auto text = [&](const char* k) {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (sm.message.type == kPecServiceType) {
    out.push_back({text("file"), "application/xml", text("xml")});
    return out;
  }
  const auto tenant = sm.message.tenant_id;
  std::optional<Message> m;
  db_.read([&](db::Conn& c) { m = InteropStore::message(c, tenant, text("protocol_message")); });
  if (!m || !m->outgoing) return Error::make("messaging.rejected", 404, "protocol message");
  auto e = protocol_.get(SystemActor{"interop"}, tenant, m->entry_id);
  if (!e) return e.error();
  out.push_back({"Segnatura.xml", "application/xml", m->segnatura});
  for (const auto& d : e->documents) {
    auto bytes = files_.read_content(tenant, d.file_id);
    if (!bytes) return bytes.error();
    if (!*bytes) return Error::make("messaging.rejected", 404, d.file_name);
    out.push_back({d.file_name, d.mime_type, std::move(**bytes)});
  }
  return out;
}

Result<std::pair<std::string, std::string>> InteropService::apply_service_message(db::Conn& tx,
                                                                                  tenants::TenantId tenant,
                                                                                  const std::string& from,
                                                                                  const std::string& xml) {
  using namespace interop_detail;
  auto schema = schemas();
  if (!schema) return Error::make("segnatura.schema_missing", 500, options_.schema_dir);
  if (auto st = schema->validate_service_message(xml); !st) return st.error();
  auto sm = read_service_message(xml);
  if (!sm) return sm.error();
  const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_.now());
  const auto by = "pec:" + from;
  if (sm->kind == ServiceMessageKind::annullamento) {
    if (!sm->identificatore) return Error::make("segnatura.content", 422, "Identificatore");
    for (const auto& m : InteropStore::incoming_by_sender(tx, tenant, "pec", *sm->identificatore)) {
      if (m.peer_address != from) continue;
      InteropStore::insert_event(tx, m.id, tenant,
                                 {0, EventKind::annulment, false, "", sm->identificatore->number,
                                  sm->identificatore->date, sm->reason, sm->act, xml, by, now});
      return std::pair{m.id, std::string("annulment")};
    }
    return Error::not_found("annulled message");
  }
  if (!sm->received) return Error::make("segnatura.content", 422, "MessaggioRicevuto");
  for (const auto& m :
       InteropStore::outgoing_by_number(tx, tenant, "pec", sm->received->number, sm->received->date)) {
    if (m.peer_address != from) continue;
    if (sm->kind == ServiceMessageKind::conferma_ricezione) {
      const auto theirs = sm->identificatore.value_or(RegistrationId{});
      InteropStore::insert_event(
          tx, m.id, tenant,
          {0, EventKind::confirmation, false, "", theirs.number, theirs.date, "", "", xml, by, now});
      return std::pair{m.id, std::string("confirmation")};
    }
    InteropStore::insert_event(tx, m.id, tenant,
                               {0, EventKind::exception, false, "", "", "", sm->reason, "", xml, by, now});
    return std::pair{m.id, std::string("exception")};
  }
  return Error::not_found("message " + sm->received->number);
}

std::string InteropService::pec_delivery(tenants::TenantId tenant, const std::string& message_id) {
  auto m = messaging::find_message(db_, tenant, message_id);
  return m ? m->status : std::string();
}

std::vector<HubOffice> InteropService::other_offices(tenants::TenantId tenant) {
  using namespace interop_detail;
  std::vector<HubOffice> out;
  db_.read([&](db::Conn& c) {
    for (auto& o : InteropStore::all_hub_offices(c))
      if (o.aoo.tenant_id != tenant) out.push_back(std::move(o));
  });
  return out;
}

}  // namespace sp::protocollo
