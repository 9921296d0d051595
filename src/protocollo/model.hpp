#pragma once
// The protocol registry (protocollo informatico, SPEC §3): registry offices (AOO), entries numbered
// gaplessly per AOO and Rome calendar year, their documents' digests, and the history of the few fields
// that may change after registration.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "tenants/model.hpp"

namespace sp::protocollo {

using AooId = std::int64_t;

// A registry office (Area Organizzativa Omogenea) of a body, with its IPA codes.
struct Aoo {
  AooId id = 0;
  tenants::TenantId tenant_id = 0;
  std::string admin_code;  // IPA code of the body: CodiceAmministrazione
  std::string code;        // IPA code of the AOO: CodiceAOO
  std::string name;
  bool active = true;
};

enum class Direction { incoming, outgoing, internal };
enum class Channel { online, counter, pec, post, email };
enum class DocumentRole { primary, attachment };

std::string_view to_string(Direction d);
std::string_view to_string(Channel c);
std::string_view to_string(DocumentRole r);
std::optional<Direction> parse_direction(std::string_view s);
std::optional<Channel> parse_channel(std::string_view s);
std::optional<DocumentRole> parse_document_role(std::string_view s);

enum class CorrespondentKind { person, business, body };
std::string_view to_string(CorrespondentKind k);
std::optional<CorrespondentKind> parse_correspondent_kind(std::string_view s);

// A sender (incoming) or recipient (outgoing, internal).
struct Correspondent {
  CorrespondentKind kind = CorrespondentKind::person;
  std::string name;
  std::string fiscal_code;  // codice fiscale / partita IVA / IPA code, when known
  std::string pec;
  std::string email;
  // A public administration's IPA codes (kind body), when known: the body's (CodiceIPAAmministrazione)
  // and its registry office's (CodiceIPAAOO). An office of the hub receives protocol messages internally.
  std::string ipa_code;
  std::string aoo_code;
  bool operator==(const Correspondent&) const = default;
};
// JSON array of objects {kind, name, fiscal_code?, pec?, email?, ipa_code?, aoo_code?}; what
// protocol_entries stores.
std::string correspondents_to_json(const std::vector<Correspondent>& cs);
std::vector<Correspondent> correspondents_from_json(const std::string& json);

struct Document {
  DocumentRole role = DocumentRole::primary;
  std::string file_name;
  std::string mime_type;
  std::int64_t size = 0;
  std::string sha256;   // 64 lower-case hex characters
  std::string file_id;  // the bytes in the file store (src/files), when kept here; "" otherwise
  // What the caller declared, when it disagreed with the type read from the bytes (mime_type); "" when
  // they agreed or nothing was declared. Shown on the entry so an officer knows the document is not
  // what its sender said.
  std::string declared_mime_type;
  bool operator==(const Document&) const = default;
};

// What a caller registers. The number, year, time and registering actor are assigned by the service.
struct NewEntry {
  AooId aoo_id = 0;
  Direction direction = Direction::incoming;
  std::string subject;
  std::vector<Correspondent> correspondents;
  std::vector<Document> documents;     // incoming/outgoing: exactly one primary, any attachments
  std::string sender_protocol_number;  // the sender's own protocol, when known
  std::string sender_protocol_date;    // YYYY-MM-DD, when known (as given: the service checks it)
  std::string classification;          // titolario class, e.g. "6.3"
  std::string fascicolo;
  std::string office;
  Channel channel = Channel::online;
};

struct Annulment {
  time::TimePoint at;  // stored as UTC ISO with milliseconds
  std::string by;
  std::string reason;
  std::string authorisation;  // reference of the authorising act
};

struct Entry {
  std::string id;
  tenants::TenantId tenant_id = 0;
  AooId aoo_id = 0;
  std::string aoo_code;
  std::string admin_code;
  int year = 0;
  std::int64_t number = 0;
  time::TimePoint registered_at;  // whole milliseconds; stored as "2026-11-23T19:15:00.123Z"
  Direction direction = Direction::incoming;
  std::string subject;
  std::vector<Correspondent> correspondents;
  std::vector<Document> documents;
  std::string sender_protocol_number;
  std::optional<time::Date> sender_protocol_date;
  std::string classification;
  std::string fascicolo;
  std::string office;
  std::string registered_by;
  Channel channel = Channel::online;
  std::optional<Annulment> annulment;

  [[nodiscard]] bool annulled() const { return annulment.has_value(); }
};

// "0000042": at least seven digits.
std::string format_number(std::int64_t number);
// An IPA or AOO code as the Indice PA writes them (c_a479, AOO_ASTI): letters, digits, _ - . up to 32.
bool is_ipa_code(std::string_view s);
// A mailbox address (a PEC address): local part, '@', a domain with a dot; no spaces or header characters.
bool is_pec_address(std::string_view s);

enum class HistoryKind { edit, annulment };
// What a history row changed: the three fields that may be edited after registration, or the two
// facts an annulment records.
enum class HistoryField { classification, fascicolo, office, annulment_reason, annulment_authorisation };
std::string_view to_string(HistoryField f);
std::optional<HistoryField> parse_history_field(std::string_view s);

struct HistoryItem {
  time::TimePoint at;
  std::string who;
  HistoryField field = HistoryField::classification;
  std::string old_value;
  std::string new_value;
  HistoryKind kind = HistoryKind::edit;
};

// Search filters; all optional, always within one tenant.
struct SearchQuery {
  std::optional<AooId> aoo_id;
  std::optional<int> year;
  std::optional<std::int64_t> number;
  std::string from;            // UTC ISO instant, inclusive (registered_at >= from)
  std::string to;              // UTC ISO instant, exclusive
  std::string subject;         // substring, case-insensitive
  std::string correspondent;   // substring of a name, fiscal code or address, case-insensitive
  std::string classification;  // exact class, or prefix when it ends in '*'
  int limit = 50;
};

}  // namespace sp::protocollo
