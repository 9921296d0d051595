#pragma once
// Protocol messages between registry offices (AgID 2021 guidelines, annex on interoperability;
// docs/protocollo-interop.md): the signed segnatura of an entry, sending an outgoing entry to the
// registry offices it is addressed to, receiving, checking and registering a message, answering with
// ConfermaRicezione or NotificaEccezione, and AnnullamentoProtocollazione when a registration is annulled.
// Each side's audit chain records what it sent (protocollo.interop_send), received
// (protocollo.interop_receive, with the outcome of the checks) and refused (protocollo.interop_refuse);
// the registration and the annulment are the register's own entries.
//
// Between members of the hub the messages travel internally (channel "hub": the same database, each side's
// records in its own tenant); to and from administrations outside the hub by PEC (the outbox's PEC
// channel, the reader of interop_pec.hpp) or SOAP (interop_soap.hpp, where the other office publishes the
// interfaces; the records name the
// channel). An arrival is checked exactly as one from outside would be: AgID's schema, the XAdES
// signature against the certificates the hub trusts (every member's xml-signing certificate and the CAs
// in agid_trusted_ca_file), the addressee, and each file's SHA-256 against the segnatura's Impronta. A
// refused message is kept with the reason and answered with a NotificaEccezione.
//
// Error codes: protocollo.interop_not_outgoing (409: only outgoing, not annulled entries are sent),
// protocollo.interop_no_recipient (409: no recipient is a registry office of the hub, or all were sent
// already), protocollo.interop_no_bytes (409: a document registered by reference has no bytes to send),
// protocollo.signing_key (503: the office's body has no xml-signing certificate), protocollo.message_state
// (409: the message was refused or registered already), protocollo.refusal_reason (400), plus the
// segnatura.* and xades.* codes of a refused arrival (kept on the message), not_found, forbidden.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "adapters/messaging/email.hpp"
#include "audit/service.hpp"
#include "audit/throttle.hpp"
#include "core/i18n.hpp"
#include "files/service.hpp"
#include "jobs/runner.hpp"
#include "protocollo/interop_store.hpp"
#include "protocollo/segnatura.hpp"
#include "protocollo/service.hpp"
#include "protocollo/xades.hpp"
#include "tenants/service.hpp"

namespace sp::protocollo {

namespace soap {
struct Answer;  // interop_soap.hpp
}

struct InteropOptions {
  std::string keys_dir;         // the bodies' xml-signing rings (core/keys)
  std::string schema_dir;       // AgID's schemas (segnatura_protocollo.xsd, pec_message.xsd, imports)
  std::string trusted_ca_file;  // PEM bundle of the CAs the hub trusts besides its members; "" for none
  // The offices outside the hub that publish AgID's SOAP interfaces: lines "<ipa code>/<aoo code> <base URL>"
  // (…/destinatario and …/mittente below it); "" for none. SPORTELLO_AGID_SOAP_ENDPOINTS.
  std::string soap_endpoints_file;
  // Who checks the callers of the hub's SOAP interfaces (docs/protocollo-interop.md, "Who may call"):
  // false (the default) the hub itself, ModI ID_AUTH_SOAP_02 (wssec.hpp: the calling office's WS-Security
  // signature, a certificate registered for it, the Timestamp, wsa:To, a wsa:MessageID not seen before),
  // and the hub signs its own calls; true a ModI gateway in front of /interop/soap/ does both
  // (agid_soap_gateway).
  bool soap_gateway = false;
  // What a call to one of the hub's offices names as wsa:To: "<public URL>/interop/soap" followed by
  // "/{ipa}/{aoo}/destinatario" or "…/mittente".
  std::string soap_public_base;
  std::chrono::seconds soap_clock_skew{120};  // allowed between a caller's clock and ours
  std::chrono::seconds soap_ttl{300};         // how long our own calls' Timestamp is valid
};

// Who called one of the hub's SOAP endpoints, its signature checked: the registry offices its certificate
// is trusted for (registered by the body, or a member of the hub's own). `unchecked`: a gateway checked it.
struct SoapCaller {
  bool unchecked = false;
  std::vector<std::pair<std::string, std::string>> offices;  // IPA code, AOO code
  std::string subject;
  [[nodiscard]] bool may_be(const std::string& admin_code, const std::string& aoo_code) const {
    if (unchecked) return true;
    for (const auto& [a, o] : offices)
      if (a == admin_code && o == aoo_code) return true;
    return false;
  }
};

// A registry office outside the hub that a body lets call its SOAP interfaces (the registry offices'
// page): its IPA codes, a name, and the certificate (PEM) it signs its calls with.
struct SoapPeerInput {
  std::string admin_code;
  std::string aoo_code;
  std::string name;
  std::string cert_pem;
};

// The job that carries the SOAP channel's calls (payload "send:<message id>", "confirm:<id>",
// "except:<id>"), queued in the transaction that causes them.
inline constexpr const char* kSoapKind = "protocollo.interop_soap";

// The outbox types of what goes by PEC (adapters/messaging/outbox.hpp): the protocol message itself
// (options {"protocol_message": id}: its files are read when it is sent, pec_attachments) and the
// service messages (options {"protocol_message", "file", "xml"}).
inline constexpr const char* kPecMessageType = "protocollo.message";
inline constexpr const char* kPecServiceType = "protocollo.service";

// A file as it travels with a protocol message.
struct WireFile {
  std::string file_name;
  std::string mime_type;
  std::string bytes;
};

// A protocol message arriving for one of the hub's offices.
struct Arrival {
  std::string admin_code;  // the addressee (the office the transport delivered to)
  std::string aoo_code;
  std::string segnatura;  // signed XML, as received
  std::vector<WireFile> files;
  std::string channel = "hub";
  std::string peer_message_id;  // hub: the sender's row
  std::string message_id;       // the id the received row takes ("" for a new one)
  std::string peer_address;     // pec: the sender's PEC address (where the answers go)
};

// What the registry operator confirms when registering a received message (the rest is the segnatura's).
struct MessageRegistration {
  std::string subject;  // prefilled with the segnatura's Oggetto
  std::string classification;
  std::string fascicolo;
  std::string office;
};

class InteropService {
 public:
  InteropService(db::Database& db, time::Clock& clock, const I18n& i18n, ProtocolService& protocol,
                 files::FileService& files, tenants::TenantService& tenants, InteropOptions options);

  // The entry's segnatura, signed now by its body's xml-signing key.
  Result<std::string> signed_segnatura(const Actor& who, tenants::TenantId tenant,
                                       const std::string& entry_id);

  // Sends an outgoing entry to every recipient that is a registry office of the hub (by its IPA codes) and
  // was not sent to before; each arrival is checked and recorded on the other side in the same
  // transaction. Returns the messages sent (their events say whether the other side refused them).
  Result<std::vector<Message>> send(const Actor& who, tenants::TenantId tenant, const std::string& entry_id);

  // The wire: a message for one of the hub's offices, checked and recorded (the transport is trusted to
  // say who it is for, nothing else). Inside the caller's transaction, or in one of its own. Returns the
  // received message (refused or not); not_found when the addressee is no office of the hub.
  Result<Message> receive(db::Conn& tx, const Arrival& a);
  Result<Message> receive(const Arrival& a);

  // The received messages of the body's offices, newest first.
  Result<std::vector<Message>> inbox(const Actor& who, tenants::TenantId tenant);
  Result<Message> message(const Actor& who, tenants::TenantId tenant, const std::string& id);
  // Messages sent for the entry, and the one it was registered from.
  Result<std::vector<Message>> exchange_of(const Actor& who, tenants::TenantId tenant,
                                           const std::string& entry_id);
  // What the registration form is prefilled with.
  Result<ReadSegnatura> contents(const Message& m) const;

  // Registers a received (and accepted) message as an incoming entry with its documents, and answers the
  // sender with ConfermaRicezione; both in one transaction.
  Result<Registered> register_message(const Actor& who, tenants::TenantId tenant, const std::string& id,
                                      const MessageRegistration& r);
  // Refuses a received message with the operator's reason: NotificaEccezione to the sender.
  Status refuse_message(const Actor& who, tenants::TenantId tenant, const std::string& id,
                        const std::string& reason);

  // Annulment listener (ProtocolService::set_annul_listener): an entry sent to, or registered from,
  // another office of the hub annulled → AnnullamentoProtocollazione recorded on both sides.
  void on_annulled(db::Conn& tx, tenants::TenantId tenant, const Entry& e, const Annulment& a);

  // PEC (docs/protocollo-interop.md, "Outside the hub"): the files of a protocol message or a service
  // message the outbox is sending (pec::PecSender::set_attachments): Segnatura.xml as sent, then the
  // documents; or the service message's XML. Other types: none.
  Result<std::vector<messaging::Attachment>> pec_attachments(const messaging::StoredMessage& m);
  // A service message (ConfermaRicezione, NotificaEccezione, AnnullamentoProtocollazione) that arrived by
  // PEC at the tenant's mailbox from `from`: checked against AgID's schema and applied to the message it
  // names (of this tenant, sent to or received from that address). Returns the message's id and the
  // outcome ("confirmation", "exception", "annulment"); errors: segnatura.schema, segnatura.content,
  // not_found (no such message of the tenant).
  Result<std::pair<std::string, std::string>> apply_service_message(db::Conn& tx, tenants::TenantId tenant,
                                                                    const std::string& from,
                                                                    const std::string& xml);
  // SOAP (interop_soap.hpp). The base URL of an office outside the hub that publishes the interfaces, or "".
  void add_soap_endpoint(const std::string& admin_code, const std::string& aoo_code,
                         const std::string& base_url);
  std::string soap_endpoint(const std::string& admin_code, const std::string& aoo_code) const;
  // The job kind (kSoapKind): MessaggioInoltro to the other office (its synchronous answer may carry an
  // anomaly: recorded as an exception), ConfermaMessaggioInoltro after a registration or a refusal.
  void register_soap_job(jobs::Runner& runner);
  Status run_soap_job(const jobs::Job& job);
  // The hub's endpoints for one of its offices (web: POST /interop/soap/{ipa}/{aoo}/destinatario and
  // …/mittente): the SOAP answer and its HTTP status (500 with a Fault when refused).
  // Each call is first authenticated (authenticate_soap) unless a gateway does it: a refusal is a Fault
  // with the reason, recorded nowhere but in the body's audit chain (inbound.refused, as the national
  // systems' refused calls: identity/inbound_service.hpp). `remote_addr`: the caller's, for that entry.
  std::pair<int, std::string> soap_destinatario(const std::string& admin_code, const std::string& aoo_code,
                                                std::string_view envelope, std::string_view remote_addr = {});
  std::pair<int, std::string> soap_mittente(const std::string& admin_code, const std::string& aoo_code,
                                            std::string_view envelope, std::string_view remote_addr = {});
  // The public URL the hub's SOAP endpoints are called at ("…/interop/soap"; tests: the port they got).
  void set_soap_public_base(std::string base);
  [[nodiscard]] std::string soap_public_base() const;
  [[nodiscard]] bool soap_checked_by_gateway() const { return options_.soap_gateway; }
  // A call to another office's interface, signed by the tenant's registry office (xml-signing key) with
  // wsa:To = `url` and a new wsa:MessageID, unless a gateway signs; the answer, whatever its status.
  Result<adapters::HttpResponse> soap_call(tenants::TenantId tenant, const std::string& url,
                                           const std::string& envelope);

  // The registry offices outside the hub the body trusts to call its SOAP interfaces (body administrators:
  // Permission::manage_staff). Adding and removing are audited (protocollo.soap_peer_added / _removed).
  // Errors: protocollo.soap_peer_codes (400: both codes, as the Indice PA writes them),
  // protocollo.soap_peer_member (409: an office of the hub, trusted already),
  // protocollo.soap_peer_certificate (400: no PEM certificate), protocollo.soap_peer_expired (400),
  // protocollo.soap_peer_exists (409: the same certificate for the same office), protocollo.soap_peer_gone
  // (409: removed already, or never the body's), forbidden.
  Result<std::vector<SoapPeer>> soap_peers(const Actor& who, tenants::TenantId tenant);
  Result<SoapPeer> add_soap_peer(const Actor& who, tenants::TenantId tenant, const SoapPeerInput& in);
  Status remove_soap_peer(const Actor& who, tenants::TenantId tenant, const std::string& id);

  // The PEC delivery state of a message sent by PEC (the outbox's: queued, sending = handed to the
  // provider, delivered = the delivery receipt, permanent_failure, dead ...); "" when not sent by PEC.
  std::string pec_delivery(tenants::TenantId tenant, const std::string& message_id);
  // The tenant's registry offices (a PEC arrival is for one of them).
  std::vector<Aoo> offices_of(tenants::TenantId tenant) { return protocol_.aoos(tenant); }

  // Every active registry office of the hub but the tenant's own (the registration form's choices).
  std::vector<HubOffice> other_offices(tenants::TenantId tenant);

  // The certificates trusted for incoming signatures (PEM bundle): the members' and the configured CAs.
  std::string trusted_bundle() const;
  // One more certificate or CA trusted (the demo: its simulated registry's self-signed certificate).
  void trust(const std::string& pem);

 private:
  Result<xades::Signer> signer_of(tenants::TenantId tenant) const;
  // AnnullamentoInoltroMittente (by_sender, on …/destinatario) or AnnullamentoInoltroDestinatario (on
  // …/mittente) for one of the hub's offices: recorded against the message exchanged with that office.
  std::pair<int, std::string> soap_annulment(const HubOffice& office, const soap::Answer& a,
                                             std::string_view envelope, bool by_sender,
                                             const SoapCaller& caller, std::string_view remote_addr);
  // ModI ID_AUTH_SOAP_02 on a call to `office`'s interface `iface` (destinatario, mittente). Errors: the
  // soap_auth.* codes of wssec.hpp, soap_auth.to (wsa:To is not this endpoint), soap_auth.untrusted (the
  // certificate is registered for no office by this body, nor a member's), soap_auth.replay (the
  // wsa:MessageID was accepted before); each recorded by record_soap_refusal.
  Result<SoapCaller> authenticate_soap(const HubOffice& office, const std::string& iface,
                                       std::string_view envelope, std::string_view remote_addr);
  // The offices of the hub member whose xml-signing certificate has this digest (same hub as `tenant`).
  std::vector<std::pair<std::string, std::string>> member_offices(tenants::TenantId tenant,
                                                                  const std::string& cert_sha256) const;
  // A refused call in the body's audit chain (throttled per caller address and reason), and its Fault.
  std::pair<int, std::string> refuse_soap(const HubOffice& office, const std::string& iface,
                                          std::string_view remote_addr, const Error& why,
                                          const std::string& subject);
  std::optional<HubOffice> hub_office(const std::string& admin_code, const std::string& aoo_code);
  Result<std::string> sign(const Entry& e);
  std::shared_ptr<const AgidSchemas> schemas();
  // The exception notice for a refused message, recorded on the receiving row and (hub) on the sender's.
  void answer_exception(db::Conn& tx, const Message& received, const std::optional<RegistrationId>& id,
                        const std::string& reason, const std::string& by);
  std::string reason_text(const std::string& code) const;
  // A service message to the other office by PEC (outbox, inside `tx`), for a message of channel pec.
  Status send_service_by_pec(db::Conn& tx, const Message& m, const std::string& file, const std::string& xml,
                             const std::string& subject);

  db::Database& db_;
  time::Clock& clock_;
  const I18n& i18n_;
  ProtocolService& protocol_;
  files::FileService& files_;
  tenants::TenantService& tenants_;
  InteropOptions options_;
  audit::AuditService audit_;
  std::mutex schemas_mutex_;
  std::shared_ptr<const AgidSchemas> schemas_;
  mutable std::mutex trusted_mutex_;
  std::string extra_trusted_;
  std::map<std::string, std::string> soap_endpoints_;  // "ipa/aoo" -> base URL (guarded by trusted_mutex_)
  std::string soap_public_base_;                       // guarded by trusted_mutex_
  audit::RefusalThrottle soap_refusals_;
};

}  // namespace sp::protocollo
