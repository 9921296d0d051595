#pragma once
// The albo pretorio online (SPEC §6, issue 16): publications of a body's acts for a legal period, numbered
// in a repertory per body and Rome calendar year; their documents' digests; the outages of the board
// that extend the periods; the publication reports (relate). Pure rules here (periods, extensions,
// the personal-data scan); SQL in store.cpp, transactions in service.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "tenants/model.hpp"

namespace sp::albo {

using tenants::TenantId;

// An act type of a body's controlled list: its default period, whether a rule requires publishing
// personal data in it (marriage banns, notices to people who could not be reached) and whether it is a
// resolution (enforceable after the tenth day of publication, TUEL art. 134 c.3). Names: locales
// "albo.type.<code>".
struct ActType {
  std::string code;
  int days = 15;
  bool personal_data = false;
  bool resolution = false;
};
// The starting vocabulary of municipal notice-board acts, used by a body with no list of its own.
const std::vector<ActType>& national_act_types();

// A body's own act type beyond the national vocabulary, named by its administrators in Italian and
// English. Never renamed nor deleted (a publication keeps pointing at it); the body's list says whether it
// is in use today, as for the national types.
struct CustomActType {
  std::string code;  // "x_" + the Italian name folded to ASCII words joined by "_" (custom_type_code)
  std::string name_it;
  std::string name_en;
};
inline constexpr std::size_t kMaxTypeName = 80;
// "Avviso di deposito atti" -> "x_avviso_di_deposito_atti" (at most 40 characters); empty when the name
// has no letter or digit. The prefix keeps a body's codes apart from any later national code.
std::string custom_type_code(std::string_view name_it);
bool is_custom_type_code(std::string_view code);

enum class DocumentRole { act, attachment };
std::string_view to_string(DocumentRole r);
std::optional<DocumentRole> parse_document_role(std::string_view s);

enum class Channel { web, api };
std::string_view to_string(Channel c);

struct Document {
  DocumentRole role = DocumentRole::act;
  std::string file_name;
  std::string mime_type;
  std::int64_t size = 0;
  std::string sha256;
  std::string file_id;
};

struct Annulment {
  time::TimePoint at;
  std::string by;
  std::string reason;
};

// Where a publication stands at an instant.
enum class Phase { scheduled, on_board, ended };

struct Publication {
  std::string id;
  TenantId tenant_id = 0;
  int year = 0;
  std::int64_t number = 0;
  time::TimePoint registered_at;
  std::string act_type;
  std::string issuer;
  std::string office;
  std::string responsible;
  std::string requester;
  std::string subject;
  std::string act_number;
  std::optional<time::Date> act_date;
  bool integral = true;
  time::Date start_day;
  int days = 15;
  time::TimePoint start_at;     // 00:00 Rome of the first day
  time::TimePoint base_end_at;  // 24:00 Rome of the last day of the period asked for
  int extension_days = 0;       // days of outage within the period
  time::TimePoint end_at;       // base_end_at moved by extension_days
  bool resolution = false;
  time::Date forget_on;
  std::string personal_data_flags;  // what the warning found and the operator confirmed ("" for none)
  std::string personal_data_confirmed_by;
  std::string created_by;
  Channel channel = Channel::web;
  std::optional<time::TimePoint> ended_at;  // when the job took it off the board
  std::optional<Annulment> annulment;
  std::vector<Document> documents;

  [[nodiscard]] bool annulled() const { return annulment.has_value(); }
  // The last day on the board (Rome), with and without the extension.
  [[nodiscard]] time::Date last_day() const;
  [[nodiscard]] time::Date base_last_day() const;
  // Resolutions: the day they become enforceable (the day after the tenth day of publication).
  [[nodiscard]] std::optional<time::Date> enforceable_on() const;
  [[nodiscard]] Phase phase(time::TimePoint now) const;
  // The right-to-be-forgotten date has come: the archive shows only the metadata.
  [[nodiscard]] bool forgotten(time::TimePoint now) const;
};

// "0000042": at least seven digits.
std::string format_number(std::int64_t number);

// What a caller publishes; the number, period instants and actor are assigned by the service.
struct NewPublication {
  std::string act_type;
  std::string issuer;  // "" = the body itself
  std::string office;
  std::string responsible;
  std::string requester;
  std::string subject;
  std::string act_number;
  std::string act_date;                  // YYYY-MM-DD or ""
  bool integral = true;                  // false: an extract
  std::string start_day;                 // YYYY-MM-DD, "" = today (Rome); never before today
  int days = 0;                          // 0: the act type's period
  std::string forget_on;                 // YYYY-MM-DD, "" = a year after the last day
  bool personal_data_confirmed = false;  // the operator confirmed after the warning
  Channel channel = Channel::web;
};

struct IncomingDocument {
  DocumentRole role = DocumentRole::act;
  std::string file_name;
  std::string bytes;
  std::string field = "document";
};

struct Publishing {
  NewPublication publication;
  std::vector<IncomingDocument> documents;
  std::string idempotency_key;  // "" for none
  std::string request_sha256;
};

// What the personal-data warning found: kind (codice_fiscale, iban, birth_date, health), what matched
// (shortened) and where ("subject", or a document's file name).
struct Finding {
  std::string kind;
  std::string match;
  std::string where;
  bool operator==(const Finding&) const = default;
};
// Looks for what seems personal data in a text: valid codici fiscali of persons, valid IBANs, dates of
// birth ("nato il 01/02/1980", "data di nascita"), words about health. Each distinct match once.
std::vector<Finding> scan_personal_data(std::string_view text, const std::string& where);

enum class OutageSource { heartbeat, manager };
std::string_view to_string(OutageSource s);

struct Outage {
  std::int64_t id = 0;
  TenantId tenant_id = 0;  // 0: the hub's own (heartbeat); every body's board was down
  time::TimePoint from_at;
  time::TimePoint to_at;
  OutageSource source = OutageSource::heartbeat;
  std::string act;  // the act that declares it (manager)
  std::string recorded_by;
  time::TimePoint recorded_at;
};

// A heartbeat gap longer than this is recorded as an outage of the hub.
inline constexpr std::chrono::minutes kHeartbeatGap{5};
// A detected outage makes a day of the period count when it covers at least this much of it; an outage
// recorded by a manager (with its act) counts every day it touches.
inline constexpr std::chrono::minutes kOutageMinPerDay{60};

// The days of [first, last] (Rome) during which the board was out of service.
int outage_days(time::Date first, time::Date last, const std::vector<Outage>& outages);
// The extension of a period of `days` from `start`: the outage days within the period, the period being
// extended by them (and by the outage days of the extension, until it stops growing).
int extension_for(time::Date start, int days, const std::vector<Outage>& outages);

enum class RelataStatus { waiting, confirmed };

struct Relata {
  std::string publication_id;
  TenantId tenant_id = 0;
  time::TimePoint prepared_at;
  RelataStatus status = RelataStatus::waiting;
  std::optional<time::TimePoint> confirmed_at;
  std::string confirmed_by;
  std::string file_id;
  std::string sha256;
  std::string protocol_id;
  std::string protocol_text;
};

// The public board's and the archive's filters.
struct BoardQuery {
  std::optional<TenantId> tenant;  // nullopt: every body of the hub
  std::string act_type;
  std::string office;  // substring, case-insensitive
  std::string from;    // YYYY-MM-DD: start on or after
  std::string to;      // YYYY-MM-DD: start on or before
  std::string text;    // substring of the subject, case-insensitive
  int limit = 200;
};

}  // namespace sp::albo
