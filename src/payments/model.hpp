#pragma once
// pagoPA debt positions in the shape of pagoPA's GPD (Gestione Posizioni Debitorie, PaymentPositionModel):
// a position (iupd, debtor) holds payment options (one IUV/NAV each: a single payment and/or the
// instalments of a plan), each split into 1-5 transfers to the beneficiaries' accounts or a digital stamp.
// Creditor settings (fiscal code, segregation codes, IBANs, station) are per body. Money is integer cents.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"
#include "tenants/model.hpp"

namespace sp::payments {

using money::Cents;
using PositionId = std::string;  // UUIDv7
using OptionId = std::int64_t;

// GPD position states. Only VALID and PARTIALLY_PAID are payable (SPEC §4).
enum class PositionStatus { draft, published, valid, partially_paid, paid, reported, expired, invalid };
// Payment option and transfer states.
enum class OptionStatus { unpaid, paid, reported };
enum class DebtorType { person, legal };  // GPD "F" (persona fisica) / "G" (persona giuridica)
enum class PositionKind { ordinary, fine };
// A fine's two options (Codice della strada art. 202): the reduced amount within 5 days of notification,
// the full amount after.
enum class FineRole { none, reduced, full };

std::string_view to_string(PositionStatus s);  // "DRAFT", "PUBLISHED", ... as GPD spells them
std::string_view to_string(OptionStatus s);    // "unpaid", "paid", "reported"
std::string_view to_string(DebtorType t);      // "F", "G"
std::string_view to_string(PositionKind k);    // "ordinary", "fine"
std::string_view to_string(FineRole r);        // "", "reduced", "full"
std::optional<PositionStatus> parse_position_status(std::string_view s);
std::optional<OptionStatus> parse_option_status(std::string_view s);
std::optional<DebtorType> parse_debtor_type(std::string_view s);
std::optional<PositionKind> parse_position_kind(std::string_view s);
std::optional<FineRole> parse_fine_role(std::string_view s);

// A body as creditor (ente creditore) on pagoPA, with the hub as its technological partner.
struct Creditor {
  tenants::TenantId tenant_id = 0;
  std::string fiscal_code;  // 11 digits
  std::string company_name;
  std::string office_name;
  std::vector<std::string> segregation_codes;  // two digits each; the first is used for new IUVs
  std::string iban;                            // bank account (Italian IBAN)
  std::string postal_iban;                     // postal account, "" when none
  std::string broker_id;                       // idBrokerPA: the hub's fiscal code as intermediary
  std::string station_id;                      // idStazione
};

// A digital revenue stamp (marca da bollo digitale) instead of an account.
struct Stamp {
  std::string type;                  // stampType, 2 characters (e.g. "01")
  std::string hash_document;         // base64 SHA-256 of the document the stamp is for
  std::string provincial_residence;  // 2-letter province code
  bool operator==(const Stamp&) const = default;
};

struct Transfer {
  int index = 1;  // idTransfer, 1..5
  Cents amount = 0;
  std::string iban;  // one of iban / postal_iban (possibly both) or a stamp
  std::string postal_iban;
  std::optional<Stamp> stamp;
  std::string remittance;                // remittanceInformation, <= 140
  std::string category;                  // taxonomy (tassonomia dei servizi di incasso), e.g. "9/0101108TS/"
  std::string organization_fiscal_code;  // another beneficiary body; "" = the creditor
  OptionStatus status = OptionStatus::unpaid;
};

struct Option {
  OptionId id = 0;
  std::string iuv;  // 17 digits
  std::string nav;  // "3" + iuv
  Cents amount = 0;
  std::string description;  // <= 140
  time::Date due_date;
  std::optional<time::Date> retention_date;
  bool is_partial_payment = false;  // an instalment of a plan (GPD isPartialPayment)
  FineRole fine_role = FineRole::none;
  OptionStatus status = OptionStatus::unpaid;
  std::optional<time::TimePoint> paid_at;
  std::vector<Transfer> transfers;
};

// An unpaid option of a payable position, for a reminder (the messaging module's payment.due).
struct DueOption {
  tenants::TenantId tenant_id = 0;
  OptionId option_id = 0;
  std::string debtor_fiscal_code;
  std::string nav;
  Cents amount = 0;
  std::string description;
  time::Date due_date;
};

struct Debtor {
  DebtorType type = DebtorType::person;
  std::string fiscal_code;
  std::string full_name;
  std::string street_name;
  std::string civic_number;
  std::string postal_code;
  std::string city;
  std::string province;
  std::string region;
  std::string country;
  std::string email;
  std::string phone;
};

// A fine's facts, from whoever issued it (the police software through the API): the sanction is reduced
// by 30 % within 5 days of notification, the expenses (notification, procedure) never are.
struct FineTerms {
  time::Date notification_date;
  Cents sanction = 0;
  Cents expenses = 0;
};

struct Position {
  PositionId id;
  tenants::TenantId tenant_id = 0;
  std::string iupd;
  Debtor debtor;
  std::string company_name;  // the creditor's, at creation
  std::string office_name;
  PositionKind kind = PositionKind::ordinary;
  std::optional<FineTerms> fine;
  PositionStatus status = PositionStatus::draft;
  std::optional<time::TimePoint> validity_date;  // published positions become valid then
  std::string replaces_id;                       // a correction points at the position it corrects
  std::string created_by;                        // "staff:<id>" or "system:<name>"
  bool switch_to_expired = false;                // GPD switchToExpired: EXPIRED once every option is past due
  std::int64_t version = 1;
  time::TimePoint created_at;
  time::TimePoint updated_at;
  std::optional<time::TimePoint> published_at;
  std::optional<time::TimePoint> paid_at;
  std::vector<Option> options;
};

// What a caller asks to create. IUVs are assigned by the hub unless given (then they must carry one of
// the creditor's segregation codes and right check digits).
struct NewTransfer {
  int index = 0;  // 0: position in the list + 1
  Cents amount = 0;
  std::string iban;
  std::string postal_iban;
  std::optional<Stamp> stamp;
  std::string remittance;
  std::string category;
  std::string organization_fiscal_code;
};
struct NewOption {
  std::string iuv;  // "" = assigned
  Cents amount = 0;
  std::string description;
  std::string due_date;        // YYYY-MM-DD (a GPD date-time is cut to its day by the API)
  std::string retention_date;  // "" = none
  bool is_partial_payment = false;
  std::vector<NewTransfer> transfers;
};
struct NewPosition {
  std::string iupd;  // "" = generated (<creditor fiscal code>-<uuid>)
  Debtor debtor;
  std::string validity_date;  // UTC instant or "" (valid at publication)
  std::vector<NewOption> options;
  std::string replaces_iupd;       // a correction of this earlier position
  bool publish = false;            // publish at once (GPD toPublish)
  bool switch_to_expired = false;  // GPD switchToExpired: EXPIRED once every option is past due
};
// A traffic fine: two options, reduced and full, computed from the terms; one transfer each to the
// creditor's bank IBAN.
struct NewFine {
  std::string iupd;
  Debtor debtor;
  FineTerms terms;
  std::string description;  // e.g. "Verbale n. 1234/2026"
  std::string category;     // taxonomy of the fine
  int full_due_days = 60;   // the full amount's due date: notification + 60 days (art. 202-203)
  bool publish = true;
};

}  // namespace sp::payments
