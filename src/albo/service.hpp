#pragma once
// The albo's rules (SPEC §6, issue 16): what a publication must contain, its period (15 consecutive days
// by default, the first day counting, days ending at 24:00 Europe/Rome), the gapless repertory number
// per body and Rome year (settable first number), annulment instead of deletion, the outages that extend
// a period, the end of a period and its publication report (relata), confirmed by the responsible
// officer and then registered as an outgoing protocol entry, the personal-data warning and the right to
// be forgotten.
//
// Error codes: albo.act_type, albo.subject, albo.office, albo.responsible, albo.act_date, albo.start_day
// (not a day, or before today), albo.days (1..365), albo.forget_on (before the last day), albo.documents
// (exactly one act, PDF only, at most 20 attachments), albo.annulment_reason, albo.annulled (409),
// albo.ended (409: an ended publication cannot be annulled), albo.outage (days), albo.start_number
// (409: the year has publications or a first number already), albo.relata (409: not waiting),
// albo.no_aoo (409: the body has no protocol AOO for the relata), albo.open_reason,
// albo.idempotency_key, albo.idempotency_conflict (422), albo.period_ended (410), albo.act_types (an
// empty or repeated choice); plus auth.required /
// forbidden from identity::authorize and not_found.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "albo/model.hpp"
#include "albo/store.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/audit_entry.hpp"
#include "identity/model.hpp"
#include "protocollo/service.hpp"
#include "stamp/service.hpp"

namespace sp::albo {

using identity::Actor;
using identity::SystemActor;

inline constexpr std::int64_t kMaxDocumentBytes = 20 * 1024 * 1024;
inline constexpr std::size_t kMaxAttachments = 20;
// The job that keeps the board: heartbeat, outage extensions, ends of periods and their relate.
inline constexpr const char* kTickKind = "albo.tick";

struct Published {
  std::string id;
  int year = 0;
  std::int64_t number = 0;
};

// A publishing request's outcome: published (or, with an idempotency key, the first answer replayed),
// or — when what looks like personal data was found in a type that does not allow it and the operator
// had not confirmed — not published, with the findings to show.
struct Intake {
  std::optional<Published> published;
  std::vector<Finding> findings;
  bool replayed = false;
};

// The staff's view of one publication: its documents are hidden once the right-to-be-forgotten date has
// come, unless a manager opened the record with a reason (audited).
struct StaffView {
  Publication publication;
  bool documents_hidden = false;
  std::optional<Relata> relata;
};

struct PublicDocument {
  Publication publication;
  Document document;
  std::string bytes;
};

struct TickReport {
  bool outage_detected = false;
  int extended = 0;
  int ended = 0;
};

// Reads a PDF's text layer (pdf_text.hpp); tests may give another.
using PdfText = std::function<std::string(std::string_view pdf)>;
// A type of the body's own, as its administrator enters it (English name: the Italian one when empty).
struct NewActType {
  std::string name_it;
  std::string name_en;
  int days = 15;
  bool personal_data = false;
  bool resolution = false;
};

struct AlboOptions {
  PdfText pdf_text;                                    // empty: pdf_text.hpp
  std::chrono::seconds heartbeat_gap = kHeartbeatGap;  // a longer silence is an outage of the hub
};

class AlboService {
 public:
  using Options = AlboOptions;
  AlboService(db::Database& db, time::Clock& clock, files::FileService& files,
              protocollo::ProtocolService& protocol, const I18n& i18n, Options options = {});

  // The body's act types: its own list, or the national vocabulary.
  std::vector<ActType> act_types(TenantId tenant);
  // The body's administrators (Permission::customise_forms) choose its list among the national
  // vocabulary's types, each with its own default period and flags; an empty list goes back to the
  // national vocabulary (audited). Codes outside the vocabulary have no name in the locales: refused
  // (albo.act_type). Errors also albo.days (1..365).
  Status set_act_types(const Actor& who, TenantId tenant, const std::vector<ActType>& types);
  // Adds a type of the body's own (customise_forms) and puts it in use with its period and flags; gives
  // its code. Errors: albo.type_name (blank, > 80 characters, a control character, no letter or digit),
  // albo.type_exists (the same name folded), albo.days.
  Result<std::string> add_custom_act_type(const Actor& who, TenantId tenant, const NewActType& t);
  std::vector<CustomActType> custom_act_types(TenantId tenant);
  // The name people read: the locales' for a national type, the body's own for one of its types.
  std::string type_name(TenantId tenant, std::string_view lang, const std::string& code) const;
  // Whether the year's first repertory number can still be set: no publication and no first number yet.
  bool numbering_open(TenantId tenant, int year);

  // Publishes (Permission::publish_albo, or a trusted program): checks the fields, reads the PDFs' text
  // for personal data, stores the documents, takes the next repertory number and records the publication
  // in one transaction (audited). With an idempotency key, a retry of the same request gets the first
  // answer (replayed) and another request under the same key is refused (albo.idempotency_conflict).
  Result<Intake> publish(const Actor& who, TenantId tenant, const Publishing& p);

  // The first repertory number of a year, for a body that moves to the hub mid-year
  // (Permission::manage_albo); refused once the year has a publication or a first number (albo.start_number).
  Status set_start_number(const Actor& who, TenantId tenant, int year, std::int64_t first);

  Status annul(const Actor& who, TenantId tenant, const std::string& id, const std::string& reason);

  // A manager records that the board was out of service on days [from, to] (Rome), with the act that
  // declares it; the periods of the body's open publications are extended in the same transaction.
  Result<Outage> record_outage(const Actor& who, TenantId tenant, const std::string& from_day,
                               const std::string& to_day, const std::string& act);
  Result<std::vector<Outage>> outages(const Actor& who, TenantId tenant);

  // The job's round: the heartbeat (a gap longer than kHeartbeatGap is recorded as an outage of the hub
  // and extends every open period), then the publications whose end has come leave the board and their
  // relate are prepared (none for an annulled one). Idempotent; robust to the server having been down.
  TickReport tick();

  // Back office.
  Result<std::vector<Publication>> archive(const Actor& who, TenantId tenant, const BoardQuery& q);
  Result<StaffView> view(const Actor& who, TenantId tenant, const std::string& id);
  Result<StaffView> open_archive(const Actor& who, TenantId tenant, const std::string& id,
                                 const std::string& reason);
  Result<std::string> staff_document(const Actor& who, TenantId tenant, const std::string& id, std::size_t n,
                                     const std::string& reason);
  Result<std::vector<RelataRow>> relate(const Actor& who, TenantId tenant, RelataStatus status);
  // The responsible officer (Permission::manage_albo) confirms a waiting relata: it is rendered with the
  // confirmation, stored, registered as an outgoing protocol entry of the body's first active AOO, and
  // marked confirmed, in one transaction.
  Result<Relata> confirm_relata(const Actor& who, TenantId tenant, const std::string& id,
                                const std::string& body_name);
  // The relata's PDF: the confirmed one as stored, or the draft of a waiting one.
  Result<std::string> relata_pdf(const Actor& who, TenantId tenant, const std::string& id,
                                 const std::string& body_name);
  // The printable notice of the start of publication.
  Result<std::string> notice_pdf(const Actor& who, TenantId tenant, const std::string& id,
                                 const std::string& body_name);

  // Public board (no sign-in): publications on the board now; one publication by number (nullopt before
  // its start); a document, or albo.period_ended (410) once the period has ended.
  std::vector<Publication> board(const BoardQuery& q);
  std::optional<Publication> public_publication(TenantId tenant, int year, std::int64_t number);
  Result<PublicDocument> public_document(TenantId tenant, int year, std::int64_t number, std::size_t n);

  [[nodiscard]] time::TimePoint now() const { return clock_.now(); }

  // The relata's PDF for a publication (Italian, a legal document): `confirmed_by`/`confirmed_at` empty
  // for a draft; `protocol_text` the segnatura of its protocol entry once registered.
  // `stamp`: the hub's digital stamp block (docs/stamp.md), drawn on the confirmed relata.
  std::string render_relata(const Publication& p, const std::string& body_name,
                            const std::string& confirmed_by, std::optional<time::TimePoint> confirmed_at,
                            const std::string& protocol_text = {}, const stamp::Block* stamp = nullptr) const;
  // The digital stamp on confirmed relate, in the transaction that registers them. Unset, or a body
  // without a stamp key: the relata is unstamped (logged), as the other documents.
  void set_stamps(stamp::StampService* stamps) { stamps_ = stamps; }

 private:
  Result<Intake> publish_in(db::Conn& tx, const Actor& who, TenantId tenant, const Publishing& p,
                            const std::string& actor, const ActType& type);
  int extend_open(db::Conn& tx, std::optional<TenantId> tenant);
  std::string text_of(const std::string& pdf);

  db::Database& db_;
  time::Clock& clock_;
  files::FileService& files_;
  protocollo::ProtocolService& protocol_;
  const I18n& i18n_;
  PdfText pdf_text_;
  std::chrono::seconds heartbeat_gap_;
  mutable std::mutex text_mutex_;
  std::map<std::string, std::string> texts_;           // PDF text layers by SHA-256, a few
  mutable std::map<std::string, CustomActType> custom_names_;  // "<tenant>/<code>": immutable rows, so never stale
  AlboStore store_;
  audit::AuditService audit_;
  stamp::StampService* stamps_ = nullptr;
};

}  // namespace sp::albo
