#include "protocollo/interop_store.hpp"

#include "db/time_values.hpp"

namespace sp::protocollo {
namespace {

constexpr const char* kInsertMessage =
    "INSERT INTO protocol_messages (id, tenant_id, aoo_id, direction, channel, entry_id, peer_admin_code, "
    "peer_aoo_code, peer_name, peer_message_id, sender_number, sender_date, subject, segnatura, signer, "
    "check_code, check_detail, created_at, peer_address) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
constexpr const char* kInsertFile =
    "INSERT INTO protocol_message_files (message_id, position, role, file_name, mime_type, size, sha256, "
    "file_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kInsertEvent =
    "INSERT INTO protocol_message_events (message_id, tenant_id, kind, direction, entry_id, number, "
    "reg_date, "
    "reason, act, xml, by_actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

#define MESSAGE_COLUMNS                                                                                   \
  "m.id, m.tenant_id, m.aoo_id, m.direction, m.channel, m.entry_id, m.peer_admin_code, m.peer_aoo_code, " \
  "m.peer_name, m.peer_message_id, m.sender_number, m.sender_date, m.subject, m.segnatura, m.signer, "    \
  "m.check_code, m.check_detail, m.created_at, m.peer_address"
constexpr const char* kMessage =
    "SELECT " MESSAGE_COLUMNS " FROM protocol_messages m WHERE m.id = $1 AND m.tenant_id = $2";
constexpr const char* kPeerMessage = "SELECT " MESSAGE_COLUMNS " FROM protocol_messages m WHERE m.id = $1";
constexpr const char* kOfEntry =
    "SELECT " MESSAGE_COLUMNS
    " FROM protocol_messages m WHERE m.tenant_id = $1 AND (m.entry_id = $2 OR "
    "m.id IN (SELECT e.message_id FROM protocol_message_events e WHERE e.tenant_id = $1 AND e.entry_id = $2 "
    "AND e.kind = 'registered')) ORDER BY m.created_at, m.id";
constexpr const char* kInbox = "SELECT " MESSAGE_COLUMNS
                               " FROM protocol_messages m WHERE m.tenant_id = $1 AND m.direction = 'in'"
                               " ORDER BY m.created_at DESC, m.id DESC LIMIT $2";
constexpr const char* kFiles =
    "SELECT role, file_name, mime_type, size, sha256, file_id FROM protocol_message_files WHERE message_id = "
    "$1 "
    "ORDER BY position";
constexpr const char* kEvents =
    "SELECT id, kind, direction, entry_id, number, reg_date, reason, act, xml, by_actor, at "
    "FROM protocol_message_events WHERE message_id = $1 ORDER BY id";
constexpr const char* kHubOffices =
    "SELECT a.id, a.tenant_id, a.admin_code, a.code, a.name, a.active, COALESCE(b.name, a.name) "
    "FROM aoo a LEFT JOIN bodies b ON b.id = a.tenant_id WHERE a.code = $2 "
    "AND (CAST($1 AS TEXT) = '' OR a.admin_code = CAST($1 AS TEXT)) ORDER BY a.id";
constexpr const char* kAllHubOffices =
    "SELECT a.id, a.tenant_id, a.admin_code, a.code, a.name, a.active, COALESCE(b.name, a.name) "
    "FROM aoo a LEFT JOIN bodies b ON b.id = a.tenant_id ORDER BY 7, a.code";

constexpr const char* kOutgoingByNumber =
    "SELECT " MESSAGE_COLUMNS
    " FROM protocol_messages m WHERE m.tenant_id = $1 AND m.direction = 'out' AND m.channel = $2 "
    "AND m.sender_number = $3 AND m.sender_date = $4 ORDER BY m.created_at, m.id";
constexpr const char* kIncomingBySender =
    "SELECT " MESSAGE_COLUMNS
    " FROM protocol_messages m WHERE m.tenant_id = $1 AND m.direction = 'in' AND m.channel = $2 "
    "AND m.peer_admin_code = $3 AND m.peer_aoo_code = $4 AND m.sender_number = $5 AND m.sender_date = $6 "
    "ORDER BY m.created_at, m.id";
constexpr const char* kSeen =
    "SELECT outcome FROM protocol_pec_seen WHERE tenant_id = $1 AND mailbox = $2 AND uid = $3";
constexpr const char* kInsertSeen =
    "INSERT INTO protocol_pec_seen (tenant_id, mailbox, uid, outcome, message_id, seen_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

std::string opt(const db::Row& r, std::size_t i) {
  return r.is_null(i) ? std::string() : r.text(i);
}

Message message_from(const db::Row& r) {
  Message m;
  m.id = r.text(0);
  m.tenant_id = r.i64(1);
  m.aoo_id = r.i64(2);
  m.outgoing = r.text(3) == "out";
  m.channel = r.text(4);
  m.entry_id = opt(r, 5);
  m.peer_admin_code = r.text(6);
  m.peer_aoo_code = r.text(7);
  m.peer_name = r.text(8);
  m.peer_message_id = opt(r, 9);
  m.sender_number = r.text(10);
  m.sender_date = r.text(11);
  m.subject = r.text(12);
  m.segnatura = r.text(13);
  m.signer = opt(r, 14);
  m.check_code = opt(r, 15);
  m.check_detail = opt(r, 16);
  m.created_at = db::instant(r, 17);
  m.peer_address = r.text(18);
  return m;
}

EventKind kind_of(const std::string& s) {
  if (s == "confirmation") return EventKind::confirmation;
  if (s == "exception") return EventKind::exception;
  if (s == "annulment") return EventKind::annulment;
  return EventKind::registered;
}

void load(db::Conn& c, Message& m) {
  for (const auto& r : c.query(kFiles, {m.id})) {
    m.files.push_back({parse_document_role(r.text(0)).value_or(DocumentRole::attachment), r.text(1),
                       r.text(2), r.i64(3), r.text(4), opt(r, 5)});
  }
  for (const auto& r : c.query(kEvents, {m.id})) {
    m.events.push_back({r.i64(0), kind_of(r.text(1)), r.text(2) == "out", opt(r, 3), opt(r, 4), opt(r, 5),
                        opt(r, 6), opt(r, 7), opt(r, 8), r.text(9), db::instant(r, 10)});
  }
}

HubOffice office_from(const db::Row& r) {
  return HubOffice{Aoo{r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.boolean(5)}, r.text(6)};
}

}  // namespace

std::string_view to_string(EventKind k) {
  switch (k) {
    case EventKind::registered:
      return "registered";
    case EventKind::confirmation:
      return "confirmation";
    case EventKind::exception:
      return "exception";
    case EventKind::annulment:
      return "annulment";
  }
  return "registered";
}

void InteropStore::insert_message(db::Conn& tx, const Message& m) {
  tx.exec(kInsertMessage, {m.id, m.tenant_id, m.aoo_id, std::string(m.outgoing ? "out" : "in"), m.channel,
                           db::text_or_null(m.entry_id), m.peer_admin_code, m.peer_aoo_code, m.peer_name,
                           db::text_or_null(m.peer_message_id), m.sender_number, m.sender_date, m.subject,
                           m.segnatura, db::text_or_null(m.signer), db::text_or_null(m.check_code),
                           db::text_or_null(m.check_detail), db::instant_text(m.created_at), m.peer_address});
  std::int64_t pos = 0;
  for (const auto& f : m.files) {
    tx.exec(kInsertFile, {m.id, pos++, std::string(to_string(f.role)), f.file_name, f.mime_type, f.size,
                          f.sha256, db::text_or_null(f.file_id)});
  }
}

void InteropStore::insert_event(db::Conn& tx, const std::string& message_id, tenants::TenantId tenant,
                                const MessageEvent& e) {
  tx.exec(kInsertEvent, {message_id, tenant, std::string(to_string(e.kind)),
                         std::string(e.outgoing ? "out" : "in"), db::text_or_null(e.entry_id),
                         db::text_or_null(e.number), db::text_or_null(e.reg_date), db::text_or_null(e.reason),
                         db::text_or_null(e.act), db::text_or_null(e.xml), e.by, db::instant_text(e.at)});
}

std::optional<Message> InteropStore::message(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  auto r = c.query_one(kMessage, {id, tenant});
  if (!r) return std::nullopt;
  Message m = message_from(*r);
  load(c, m);
  return m;
}

std::optional<Message> InteropStore::peer_message(db::Conn& c, const std::string& id) {
  auto r = c.query_one(kPeerMessage, {id});
  if (!r) return std::nullopt;
  Message m = message_from(*r);
  load(c, m);
  return m;
}

std::vector<Message> InteropStore::of_entry(db::Conn& c, tenants::TenantId tenant,
                                            const std::string& entry_id) {
  std::vector<Message> out;
  for (const auto& r : c.query(kOfEntry, {tenant, entry_id})) out.push_back(message_from(r));
  for (auto& m : out) load(c, m);
  return out;
}

std::vector<Message> InteropStore::inbox(db::Conn& c, tenants::TenantId tenant, int limit) {
  std::vector<Message> out;
  for (const auto& r : c.query(kInbox, {tenant, std::int64_t{limit}})) out.push_back(message_from(r));
  for (auto& m : out) load(c, m);
  return out;
}

std::vector<HubOffice> InteropStore::hub_offices(db::Conn& c, const std::string& admin_code,
                                                 const std::string& aoo_code) {
  std::vector<HubOffice> out;
  for (const auto& r : c.query(kHubOffices, {admin_code, aoo_code}))
    if (r.boolean(5)) out.push_back(office_from(r));
  return out;
}

std::vector<HubOffice> InteropStore::all_hub_offices(db::Conn& c) {
  std::vector<HubOffice> out;
  for (const auto& r : c.query(kAllHubOffices, {}))
    if (r.boolean(5)) out.push_back(office_from(r));
  return out;
}

}  // namespace sp::protocollo

namespace sp::protocollo {

std::vector<Message> InteropStore::outgoing_by_number(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& channel, const std::string& number,
                                                      const std::string& date) {
  std::vector<Message> out;
  for (const auto& r : c.query(kOutgoingByNumber, {tenant, channel, number, date}))
    out.push_back(message_from(r));
  for (auto& m : out) load(c, m);
  return out;
}

std::vector<Message> InteropStore::incoming_by_sender(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& channel, const RegistrationId& id) {
  std::vector<Message> out;
  for (const auto& r :
       c.query(kIncomingBySender, {tenant, channel, id.admin_code, id.aoo_code, id.number, id.date}))
    out.push_back(message_from(r));
  for (auto& m : out) load(c, m);
  return out;
}

bool InteropStore::pec_seen(db::Conn& c, tenants::TenantId tenant, const std::string& mailbox,
                            const std::string& uid) {
  return c.query_one(kSeen, {tenant, mailbox, uid}).has_value();
}

void InteropStore::insert_pec_seen(db::Conn& tx, tenants::TenantId tenant, const std::string& mailbox,
                                   const std::string& uid, const std::string& outcome,
                                   const std::string& message_id, time::TimePoint at) {
  tx.exec(kInsertSeen, {tenant, mailbox, uid, outcome, db::text_or_null(message_id), db::instant_text(at)});
}

namespace interop_store_peers {
namespace {

constexpr const char* kPeerColumns =
    "id, tenant_id, admin_code, aoo_code, name, cert_pem, cert_sha256, subject, not_after, created_at, "
    "created_by";

SoapPeer peer_from(const db::Row& r) {
  return SoapPeer{r.text(0), r.i64(1),  r.text(2),         r.text(3),         r.text(4), r.text(5),
                  r.text(6), r.text(7), db::instant(r, 8), db::instant(r, 9), r.text(10)};
}

}  // namespace
}  // namespace interop_store_peers

std::vector<SoapPeer> InteropStore::soap_peers(db::Conn& c, tenants::TenantId tenant) {
  using namespace interop_store_peers;
  std::vector<SoapPeer> out;
  for (const auto& r : c.query(std::string("SELECT ") + kPeerColumns +
                                   " FROM protocol_soap_peers WHERE tenant_id = $1 ORDER BY admin_code, "
                                   "aoo_code, created_at",
                               {tenant}))
    out.push_back(peer_from(r));
  return out;
}

std::vector<SoapPeer> InteropStore::soap_peers_by_cert(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& cert_sha256) {
  using namespace interop_store_peers;
  std::vector<SoapPeer> out;
  for (const auto& r : c.query(std::string("SELECT ") + kPeerColumns +
                                   " FROM protocol_soap_peers WHERE tenant_id = $1 AND cert_sha256 = $2",
                               {tenant, cert_sha256}))
    out.push_back(peer_from(r));
  return out;
}

std::optional<SoapPeer> InteropStore::soap_peer(db::Conn& c, tenants::TenantId tenant,
                                                const std::string& id) {
  using namespace interop_store_peers;
  auto r = c.query_one(
      std::string("SELECT ") + kPeerColumns + " FROM protocol_soap_peers WHERE tenant_id = $1 AND id = $2",
      {tenant, id});
  if (!r) return std::nullopt;
  return peer_from(*r);
}

bool InteropStore::insert_soap_peer(db::Conn& tx, const SoapPeer& p) {
  return tx.exec(
             "INSERT INTO protocol_soap_peers (id, tenant_id, admin_code, aoo_code, name, cert_pem, "
             "cert_sha256, subject, not_after, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, "
             "$8, $9, $10, $11) ON CONFLICT DO NOTHING",
             {p.id, p.tenant_id, p.admin_code, p.aoo_code, p.name, p.cert_pem, p.cert_sha256, p.subject,
              db::instant_text(p.not_after), db::instant_text(p.created_at), p.created_by}) == 1;
}

bool InteropStore::delete_soap_peer(db::Conn& tx, tenants::TenantId tenant, const std::string& id) {
  return tx.exec("DELETE FROM protocol_soap_peers WHERE tenant_id = $1 AND id = $2", {tenant, id}) == 1;
}

bool InteropStore::remember_message_id(db::Conn& tx, tenants::TenantId tenant, const std::string& message_id,
                                       time::TimePoint expires, time::TimePoint now) {
  tx.exec("DELETE FROM protocol_soap_message_ids WHERE tenant_id = $1 AND expires_at < $2",
          {tenant, db::instant_text(now)});
  return tx.exec(
             "INSERT INTO protocol_soap_message_ids (tenant_id, message_id, expires_at) VALUES ($1, $2, $3) "
             "ON CONFLICT DO NOTHING",
             {tenant, message_id, db::instant_text(expires)}) == 1;
}

}  // namespace sp::protocollo
