#pragma once
// Registry certificates from ANPR (SPEC §5, issue 15): what the hub offers, the dated table of stamp-duty
// exemptions (ANPR table 39, data/certificates/esenzioni_bollo.csv) and a request's states.
//
// States (a request only moves forward; it is a legal record, never deleted):
//   awaiting_payment  the stamp duty (and the body's fees) are a pagoPA position the person pays
//   queued            paid (or exempt, or at the counter): the certificate is to be requested from ANPR
//   issued            ANPR's PDF is stored (file_id, sha256)
//   refused           ANPR refused it (refusal_code: ANPR's code)
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::certificates {

inline constexpr money::Cents kStampDuty = 1600;  // € 16,00 (DPR 642/1972 tariff, art. 4; SPEC §5)

// A certificate the hub offers: its code in URLs and forms, and the ANPR table 13 types it asks for.
struct Kind {
  std::string code;  // e.g. "stato-famiglia"
  std::vector<int> types;
  bool stamp_exempt = false;  // exempt by its type (SPEC §5: stato civile)
};
const std::vector<Kind>& kinds();
const Kind* find_kind(std::string_view code);

// One line of table 39 with its validity.
struct Exemption {
  int code = 0;
  std::string valid_from;  // YYYY-MM-DD
  std::string valid_to;    // YYYY-MM-DD inclusive, "" = in force
  bool online = true;
  std::string legal_basis;
  [[nodiscard]] bool in_force(std::string_view day) const {
    return valid_from <= day && (valid_to.empty() || day <= valid_to);
  }
};
// Parses the CSV (comments '#', a header line). Error certificates.exemptions (detail: the line).
Result<std::vector<Exemption>> parse_exemptions(std::string_view csv);
// The line of `code` in force on `day` (for the channel), or nullopt.
std::optional<Exemption> exemption_on(const std::vector<Exemption>& table, int code, std::string_view day,
                                      bool online);
// Every code in force on `day` for the channel, one line each, by code.
std::vector<Exemption> exemptions_on(const std::vector<Exemption>& table, std::string_view day, bool online);

enum class State { awaiting_payment, queued, issued, refused };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);

enum class Channel { online, counter };
std::string_view to_string(Channel c);

struct Request {
  std::string id;
  std::int64_t tenant_id = 0;
  std::string token;
  Channel channel = Channel::online;
  std::string requester_cf;
  std::string requester_name;  // "NOME COGNOME", as shown
  std::string requester_surname;
  std::string requester_first;
  int requester_type = 2;  // ANPR tipoRichiedente
  std::string operator_user;
  std::string subject_cf;
  std::string subject_name;
  std::string subject_surname;
  std::string subject_first;
  std::string kind;
  std::vector<int> types;
  std::string purpose;
  int exemption = 0;
  std::string exemption_text;
  money::Cents stamp_duty = 0;
  money::Cents fees = 0;
  int stamp_mode = 0;
  std::string iupd;
  std::string iuv;
  State state = State::awaiting_payment;
  std::string anpr_operation_id;
  std::string anpr_protocol;
  std::string file_id;
  std::string sha256;
  std::string refusal_code;
  std::string created_at;
  std::string paid_at;
  std::string issued_at;
};

// What the body owes back: the amount paid for a certificate ANPR refused after the payment (an
// append-only record; the body's staff see it on /backoffice/{slug}/certificati and refund it).
struct Refund {
  std::string request_id;
  std::int64_t tenant_id = 0;
  money::Cents amount = 0;  // stamp + fees
  money::Cents stamp = 0;
  money::Cents fees = 0;
  std::string iuv;
  std::string reason;  // ANPR's refusal code
  std::string created_at;
  // Joined from the request, for the list.
  std::string requester_cf;
  std::string requester_name;
  std::string kind;
  // Joined from certificate_refund_payments (migration 0071): empty until the treasury's transfer is
  // recorded.
  std::string paid_on;  // YYYY-MM-DD
  std::string paid_reference;
};

// The body's diritti di segreteria collected at the counter for a certificate issued there (migration
// 0078, append-only): one per request, in the body's daily takings; the person gets its receipt.
enum class Means { cash, pos };
std::string_view to_string(Means m);
std::optional<Means> parse_means(std::string_view s);  // "cash", "pos"

struct CounterFee {
  std::string request_id;
  std::int64_t tenant_id = 0;
  money::Cents amount = 0;
  Means means = Means::cash;
  int receipt_year = 0;
  int receipt_no = 0;        // per body and year, from 1
  std::string day;           // YYYY-MM-DD, Europe/Rome
  std::string collected_by;  // the operator's staff account id
  std::string collected_at;
  // Joined from the request, for the receipt and the list.
  std::string token;
  std::string kind;
  std::string subject_cf;
  std::string subject_name;
  std::string requester_cf;
  std::string requester_name;
  std::string anpr_protocol;
};

std::string types_text(const std::vector<int>& types);  // "8,5,12"
std::vector<int> parse_types(std::string_view text);

}  // namespace sp::certificates
