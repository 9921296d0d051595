#pragma once
// The protocol registry's rules (SPEC §3, DPR 445/2000 art. 53-57): what an entry must contain, gapless
// numbering per AOO and Rome calendar year, annulment instead of change for the mandatory fields, the
// history of the editable ones, the segnatura, and search scoped to one body.
//
// Error codes: protocollo.subject, protocollo.correspondents, protocollo.documents, protocollo.document
// (a document's name, type, size or digest), protocollo.aoo (unknown or inactive AOO: 404),
// protocollo.sender_protocol_date, protocollo.annulment_reason, protocollo.annulment_authorisation,
// protocollo.annulled (already annulled: 409), protocollo.aoo_code, protocollo.aoo_exists (409),
// protocollo.search; plus auth.required / forbidden from identity::authorize and not_found.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/audit_entry.hpp"
#include "identity/model.hpp"
#include "protocollo/model.hpp"
#include "protocollo/store.hpp"

namespace sp::protocollo {

// Staff (checked against Permission::backoffice for the entry's tenant) or a trusted program
// (identity/audit_entry.hpp). Registrations, annulments and classification changes are written to the
// body's audit log in the same transaction, with the actor and the channel (web, api, system).
using SystemActor = identity::SystemActor;
using Actor = identity::Actor;

struct Registered {
  std::string id;
  int year = 0;
  std::int64_t number = 0;
  time::TimePoint registered_at;
  std::string segnatura;  // segnatura_text of the new entry
};

// Limits of the registration form and API: a document up to 20 MB (the server's upload limit is the
// ceiling), at most 20 attachments.
inline constexpr std::int64_t kMaxDocumentBytes = 20 * 1024 * 1024;
inline constexpr std::size_t kMaxAttachments = 20;
// Document types the registry accepts, read from the content: the formats of the AgID guidelines on
// documents (PDF, XML, text, images, e-mail, office formats, signed envelopes — a CAdES .p7m is often
// unrecognised, hence octet-stream) but never programs.
inline const std::vector<std::string> kDocumentTypes = {
    "application/pdf",
    "application/xml",
    "text/*",
    "image/*",
    "message/rfc822",
    "application/pkcs7-mime",
    "application/pkcs7-signature",
    "application/octet-stream",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet"};

// A document arriving with a registration: its bytes (an upload, or base64 in the API), stored in the file
// store and typed by their content; or — API only — a document kept elsewhere, registered by the digest
// and size its sender computed.
struct IncomingDocument {
  DocumentRole role = DocumentRole::primary;
  std::string file_name;
  std::optional<std::string> bytes;  // absent: registered by reference (sha256, size)
  std::string declared_type;         // normalised; "" when none declared
  std::string sha256;                // by reference only
  std::int64_t size = 0;             // by reference only
  std::string field;                 // the input a refused document is reported on
};

// A request to register: the entry's fields (without documents), its documents, and — for clients that
// retry after a lost answer — an idempotency key and the digest of the request it came with.
struct Registration {
  NewEntry entry;
  std::vector<IncomingDocument> documents;
  std::string idempotency_key;  // "" for none
  std::string request_sha256;
};
struct Intake {
  Registered registered;
  bool replayed = false;  // the key had been used for the same request: the first registration's answer
};

// Changes to the editable fields; an absent field is left as it is, "" clears it.
struct ClassificationChange {
  std::optional<std::string> classification;
  std::optional<std::string> fascicolo;
  std::optional<std::string> office;
};

class ProtocolService {
 public:
  ProtocolService(db::Database& db, time::Clock& clock)
      : db_(db), clock_(clock), store_(db), audit_(db, clock) {}
  // With the file store, for registrations that bring their documents' bytes (register_with_documents).
  ProtocolService(db::Database& db, time::Clock& clock, files::FileService& files)
      : db_(db), clock_(clock), store_(db), audit_(db, clock), files_(&files) {}

  // Registry offices. Set-up, not a user action: called by provisioning/admin code that has checked access.
  // `active_since`, when given, is when the office started registering (the demo backdates its offices
  // a week so that a fresh demo has past days' daily registers to show); now otherwise.
  Result<Aoo> create_aoo(tenants::TenantId tenant, const std::string& admin_code, const std::string& code,
                         const std::string& name, std::optional<time::TimePoint> active_since = std::nullopt);
  std::vector<Aoo> aoos(tenants::TenantId tenant) { return store_.aoos(tenant); }

  // API registrations with an Idempotency-Key: the first request with a key registers; a retry with the
  // same key and the same request (same digest) gets the same entry back (`replayed` set), never a second
  // number; the same key with a different request is refused (protocollo.idempotency_conflict, 422).
  Result<Registered> register_entry_once(const Actor& who, tenants::TenantId tenant, const NewEntry& e,
                                         const std::string& idempotency_key,
                                         const std::string& request_sha256, bool& replayed);

  // Registers inside the caller's transaction: the entry exists if and only if the caller commits. On
  // PostgreSQL this takes the AOO's advisory lock until the caller's COMMIT, so keep the rest of the
  // transaction short. Number = last number of (AOO, Rome year of now) + 1.
  Result<Registered> register_entry(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                    const NewEntry& e);
  // The same for a document that carries its own number (an outgoing letter; a document cannot contain its
  // own digest): inside the caller's transaction, once the number, year, time and segnatura are taken
  // under the AOO's lock, `primary` is called with them and returns the primary document, i.e. the digest
  // of the bytes rendered with that number; `e` holds the rest (attachments only). An error from `primary`
  // is returned as it is: the caller rolls back, and the number was never used.
  using PrimaryDocument = std::function<Result<Document>(const Registered&)>;
  Result<Registered> register_entry(db::Conn& tx, const Actor& who, tenants::TenantId tenant, NewEntry e,
                                    const PrimaryDocument& primary);
  // The same in a transaction of its own.
  Result<Registered> register_entry(const Actor& who, tenants::TenantId tenant, const NewEntry& e);

  // Registers an entry with its documents, as the registration page and the API receive them. The fields
  // are checked before any byte is stored; the documents and the entry are written in one transaction, so
  // a refused upload registers nothing and a failed registration leaves no orphan document rows. With an
  // idempotency key, a retried request gets the first answer (replayed) and a different request under
  // the same key is refused (protocollo.idempotency_conflict, 422).
  Result<Intake> register_with_documents(const Actor& who, tenants::TenantId tenant, const Registration& r);

  // The entry, if it is the tenant's (not_found otherwise, also for another body's entry id).
  Result<Entry> get(const Actor& who, tenants::TenantId tenant, const std::string& id);
  Result<std::vector<Entry>> search(const Actor& who, tenants::TenantId tenant, const SearchQuery& q);
  Result<std::vector<HistoryItem>> history(const Actor& who, tenants::TenantId tenant, const std::string& id);

  // Annulment (art. 54), by an office manager or administrator of the body (Permission::annul_protocol) or
  // a trusted system actor: the entry stays, marked, with date, operator, reason and the authorising act;
  // one history row per annulment. A second annulment is refused (protocollo.annulled).
  Status annul(const Actor& who, tenants::TenantId tenant, const std::string& id, const std::string& reason,
               const std::string& authorisation);
  // Classification, fascicolo, office: the only fields that may change; each change goes to history.
  Status update_classification(const Actor& who, tenants::TenantId tenant, const std::string& id,
                               const ClassificationChange& change);

  // "C_H501 - 2026 - 0000042 - 23/11/2026": AOO code, year, number, date of registration in Rome.
  static std::string segnatura_text(const Entry& e);
  // (The segnatura XML, signed, is InteropService::signed_segnatura: protocollo/interop.hpp.)

  // Called inside an annulment's transaction, after the entry was marked (the exchange with other
  // registry offices records AnnullamentoProtocollazione there). One listener; set at start.
  using AnnulListener = std::function<void(db::Conn&, tenants::TenantId, const Entry&, const Annulment&)>;
  void set_annul_listener(AnnulListener listener) { on_annul_ = std::move(listener); }
  // Whether an administration outside the hub, by its IPA and AOO codes, is reached without PEC (it
  // publishes the SOAP interfaces: InteropService sets this at start). Otherwise a correspondent with
  // such codes needs its AOO's PEC address (protocollo.external_pec).
  using SoapReach = std::function<bool(const std::string& ipa_code, const std::string& aoo_code)>;
  void set_soap_reach(SoapReach reach) { soap_reach_ = std::move(reach); }

  static Status validate(const NewEntry& e);

 private:
  Result<Registered> register_in(db::Conn& tx, const Actor& who, tenants::TenantId tenant, const NewEntry& in,
                                 const PrimaryDocument* primary);

  // The registration's entry with its documents, the bytes stored in the file store within `tx`.
  Result<NewEntry> with_stored_documents(db::Conn& tx, tenants::TenantId tenant, const Registration& r);
  // In one transaction: the idempotency key's earlier answer, or `fresh(tx)` and the key recorded with it.
  Result<Intake> once(const Actor& who, tenants::TenantId tenant, const std::string& key,
                      const std::string& request_sha256,
                      const std::function<Result<Registered>(db::Conn&)>& fresh);

  db::Database& db_;
  time::Clock& clock_;
  ProtocolStore store_;
  audit::AuditService audit_;
  files::FileService* files_ = nullptr;
  AnnulListener on_annul_;
  SoapReach soap_reach_;
};

}  // namespace sp::protocollo
