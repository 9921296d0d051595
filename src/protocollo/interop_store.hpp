#pragma once
// The records of protocol messages between registry offices (migration 0043): messages, their files and
// their events, append-only. SQL only here; every query names the tenant except the two the exchange
// between members of the hub needs to reach the other side (peer_message, hub_aoo), which only the
// service calls, for the peer named by the message itself.
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "db/database.hpp"
#include "protocollo/model.hpp"
#include "protocollo/segnatura.hpp"

namespace sp::protocollo {

struct MessageFile {
  DocumentRole role = DocumentRole::primary;
  std::string file_name;
  std::string mime_type;
  std::int64_t size = 0;
  std::string sha256;
  std::string file_id;  // in: the received bytes in the tenant's store
};

enum class EventKind { registered, confirmation, exception, annulment };
std::string_view to_string(EventKind k);

struct MessageEvent {
  std::int64_t id = 0;
  EventKind kind = EventKind::registered;
  bool outgoing = false;  // sent by this office (true) or received from the other one
  std::string entry_id;   // registered: the incoming entry
  std::string number;     // confirmation: the receiver's registration; annulment: the annulled one
  std::string reg_date;
  std::string reason;
  std::string act;
  std::string xml;
  std::string by;
  time::TimePoint at;
};

struct Message {
  std::string id;
  tenants::TenantId tenant_id = 0;
  AooId aoo_id = 0;
  bool outgoing = false;  // direction 'out'
  std::string channel = "hub";
  std::string entry_id;  // out: the entry sent
  std::string peer_admin_code;
  std::string peer_aoo_code;
  std::string peer_name;
  std::string peer_message_id;
  std::string peer_address;  // pec: the other office's PEC address (where answers go); "" otherwise
  std::string sender_number;
  std::string sender_date;
  std::string subject;
  std::string segnatura;
  std::string signer;
  std::string check_code;  // in: "" when every check passed
  std::string check_detail;
  time::TimePoint created_at;
  std::vector<MessageFile> files;
  std::vector<MessageEvent> events;

  [[nodiscard]] const MessageEvent* last(EventKind k) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == k) return &*it;
    return nullptr;
  }
};

// A registry office of any member of the hub, found by its IPA codes (active offices only).
struct HubOffice {
  Aoo aoo;
  std::string body_name;
};

// A registry office outside the hub a body trusts to call its SOAP interfaces, with the certificate it
// signs its calls with (migration 0073; docs/protocollo-interop.md, "Who may call").
struct SoapPeer {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string admin_code;
  std::string aoo_code;
  std::string name;
  std::string cert_pem;
  std::string cert_sha256;  // hex, of the DER
  std::string subject;
  time::TimePoint not_after{};
  time::TimePoint created_at{};
  std::string created_by;
};

class InteropStore {
 public:
  static void insert_message(db::Conn& tx, const Message& m);
  static void insert_event(db::Conn& tx, const std::string& message_id, tenants::TenantId tenant,
                           const MessageEvent& e);
  // With files and events; nullopt when not the tenant's.
  static std::optional<Message> message(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  // The other side's row of a hub exchange (any tenant): only for the peer a message names.
  static std::optional<Message> peer_message(db::Conn& c, const std::string& id);
  // Messages sent for an entry, and the received message an entry was registered from.
  static std::vector<Message> of_entry(db::Conn& c, tenants::TenantId tenant, const std::string& entry_id);
  static std::vector<Message> inbox(db::Conn& c, tenants::TenantId tenant, int limit);
  // Active offices of the hub's members whose IPA codes match (admin_code "" matches any).
  static std::vector<HubOffice> hub_offices(db::Conn& c, const std::string& admin_code,
                                            const std::string& aoo_code);
  static std::vector<HubOffice> all_hub_offices(db::Conn& c);

  // Outside the hub (PEC, SOAP): the tenant's messages sent as registration `number` of `date` (what a
  // ConfermaRicezione or NotificaEccezione names), and the received ones the sender registered as `id`
  // (what an AnnullamentoProtocollazione names).
  static std::vector<Message> outgoing_by_number(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& channel, const std::string& number,
                                                 const std::string& date);
  static std::vector<Message> incoming_by_sender(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& channel, const RegistrationId& id);
  // The PEC mailbox messages read by the protocol-message reader (protocol_pec_seen, migration 0052).
  static bool pec_seen(db::Conn& c, tenants::TenantId tenant, const std::string& mailbox,
                       const std::string& uid);
  static void insert_pec_seen(db::Conn& tx, tenants::TenantId tenant, const std::string& mailbox,
                              const std::string& uid, const std::string& outcome,
                              const std::string& message_id, time::TimePoint at);

  // The body's trusted callers (migration 0073), by codes; those whose certificate has this digest.
  static std::vector<SoapPeer> soap_peers(db::Conn& c, tenants::TenantId tenant);
  static std::vector<SoapPeer> soap_peers_by_cert(db::Conn& c, tenants::TenantId tenant,
                                                  const std::string& cert_sha256);
  static std::optional<SoapPeer> soap_peer(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  // False when the same certificate is registered for the same office already.
  static bool insert_soap_peer(db::Conn& tx, const SoapPeer& p);
  static bool delete_soap_peer(db::Conn& tx, tenants::TenantId tenant, const std::string& id);
  // Keeps a call's wsa:MessageID until `expires`; false when the tenant has it already (a replay). The
  // tenant's ids expired before `now` are dropped first.
  static bool remember_message_id(db::Conn& tx, tenants::TenantId tenant, const std::string& message_id,
                                  time::TimePoint expires, time::TimePoint now);
};

}  // namespace sp::protocollo
