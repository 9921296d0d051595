#pragma once
// The SOAP messages the pagoPA node exchanges with a creditor body's station (paForNode.wsdl, SANP 3.x):
// paVerifyPaymentNotice, paGetPaymentV2 and paSendRTV2, both ways — the station parses requests and
// renders responses; the simulator (the node's side) renders requests and parses responses.
//
// Wire facts kept here, not in the payments module:
// - SOAP 1.1 document/literal; the body's one child is the operation's element in the namespace
//   http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd, and its children are *unqualified* (the schema has no
//   elementFormDefault), so `<outcome>` carries no prefix.
// - Amounts are xsd:decimal restricted to `\d+\.\d{2}`: read and written as integer cents, never doubles.
// - A response is OK, or KO with a faultBean (faultCode PAA_*, faultString, id = the station's idPA).
// tests/unit/adapters_pagopa validates what this renders against ../shared/pagopa/paForNode.xsd.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::pagopa {

inline constexpr std::string_view kPaForNodeNs = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd";

// "12.30" ↔ 1230. parse_amount accepts exactly `\d+\.\d{2}` (up to 999999999.99), nothing else.
std::optional<money::Cents> parse_amount(std::string_view text);
std::string format_amount(money::Cents cents);

// Who is calling whom: the creditor body (idPA, its fiscal code), its intermediary and its station.
struct StationIds {
  std::string id_pa;
  std::string id_broker_pa;
  std::string id_station;
};

// A person (F) or a legal entity (G), as debtor or payer.
struct Subject {
  char type = 'F';
  std::string id;  // codice fiscale or partita IVA (2..16)
  std::string full_name;
  std::string street_name;
  std::string civic_number;
  std::string postal_code;
  std::string city;
  std::string province;  // stateProvinceRegion
  std::string country;   // 2 letters
  std::string email;
};

struct Stamp {                // richiestaMarcaDaBollo: a digital revenue stamp instead of an IBAN
  std::string document_hash;  // base64 of the SHA-256 of the document stamped
  std::string type = "01";
  std::string province;  // of residence, 2 letters
};

struct Transfer {
  int index = 1;  // 1..5
  money::Cents amount = 0;
  std::string fiscal_code_pa;  // beneficiary body
  std::string company_name;
  std::string iban;              // or
  std::optional<Stamp> stamp;    // (in a paGetPaymentV2 response)
  std::string stamp_attachment;  // MBDAttachment, base64 (in a receipt)
  std::string remittance;
  std::string category;  // taxonomy
};

// ---- Requests (node → station) ------------------------------------------------------------------------

struct VerifyRequest {
  StationIds ids;
  std::string fiscal_code;    // qrCode/fiscalCode: the creditor
  std::string notice_number;  // qrCode/noticeNumber: the NAV
};

struct GetPaymentRequest {
  StationIds ids;
  std::string fiscal_code;
  std::string notice_number;
  std::optional<money::Cents> amount;
  std::string payment_note;
  std::string transfer_type;  // "", "POSTAL" or "PAGOPA"
  std::string due_date;       // YYYY-MM-DD or empty
};

struct Receipt {
  std::string receipt_id;  // unique per payment: the node's payment token
  std::string notice_number;
  std::string fiscal_code;  // creditor
  std::string outcome = "OK";
  std::string creditor_reference_id;  // the IUV
  money::Cents amount = 0;
  std::string description;
  std::string company_name;
  std::string office_name;
  Subject debtor;
  std::vector<Transfer> transfers;
  std::string id_psp;
  std::string psp_fiscal_code;
  std::string psp_company_name;
  std::string id_channel;
  std::string channel_description;
  std::optional<Subject> payer;
  std::string payment_method;
  std::optional<money::Cents> fee;
  std::string payment_date_time;  // xsd:dateTime as sent
  std::string application_date;
  std::string transfer_date;
  bool stand_in = false;
};

struct SendReceiptRequest {
  StationIds ids;
  Receipt receipt;
};

using Request = std::variant<VerifyRequest, GetPaymentRequest, SendReceiptRequest>;

// The operation's name ("paVerifyPaymentNotice"...) for logs and audit.
std::string_view operation_name(const Request& r);

// Parses a SOAP envelope carrying one of the three requests. Errors (status 400):
//   pagopa.soap_syntax     not XML, no Envelope/Body, or a required element missing or malformed
//                          (the node's PAA_SINTASSI_EXTRAXSD; detail names the element);
//   pagopa.soap_operation  an operation this station does not serve (detail: its name).
Result<Request> parse_request(std::string_view xml);

std::string render_request(const VerifyRequest& r);
std::string render_request(const GetPaymentRequest& r);
std::string render_request(const SendReceiptRequest& r);

// ---- Responses (station → node) -----------------------------------------------------------------------

struct Fault {
  std::string code;    // PAA_PAGAMENTO_SCONOSCIUTO, ...
  std::string string;  // the faultString (fixed per code; see fault_string)
  std::string id;      // who raises it: the creditor's idPA
  std::string description;
};

// The faultString pagoPA's error tables give each PAA_ code ("Pagamento in attesa risulta sconosciuto
// all'Ente Creditore"); the code itself for a code not in the table.
std::string fault_string(std::string_view code);
Fault make_fault(std::string code, std::string id, std::string description = {});

struct VerifyResponse {
  std::optional<Fault> fault;  // set: KO
  money::Cents amount = 0;
  std::string options = "EQ";  // the PSP must collect exactly `amount`
  std::string due_date;        // YYYY-MM-DD
  std::string detail_description;
  bool all_ccp = false;  // every transfer may go to a postal account
  std::string payment_description;
  std::string fiscal_code_pa;
  std::string company_name;
  std::string office_name;
};

struct GetPaymentResponse {
  std::optional<Fault> fault;
  std::string creditor_reference_id;  // IUV
  money::Cents amount = 0;
  std::string due_date;
  std::string retention_date;  // xsd:dateTime or empty
  std::optional<bool> last_payment;
  std::string description;
  std::string company_name;
  std::string office_name;
  Subject debtor;
  std::vector<Transfer> transfers;
};

struct SendReceiptResponse {
  std::optional<Fault> fault;
};

std::string render_response(const VerifyResponse& r);
std::string render_response(const GetPaymentResponse& r);
std::string render_response(const SendReceiptResponse& r);

// ---- Envelopes that do not parse -------------------------------------------------------------------------

// What can be read from a request that parse_request refused, to answer and audit it: the operation
// (its request element's local name mapped to "paVerifyPaymentNotice", "paGetPaymentV2", "paSendRTV2", or
// the element's name as sent), and whichever station identifiers and notice number are present. nullopt
// when the text is not an XML SOAP envelope at all.
struct Peek {
  std::string operation;
  StationIds ids;
  std::string notice_number;
};
std::optional<Peek> peek_request(std::string_view xml);

// The KO response of `operation` (one of the three above) carrying `fault`; empty for another operation.
std::string render_fault_response(std::string_view operation, const Fault& fault);

// A SOAP 1.1 Fault (soapenv:Client), for an envelope whose operation cannot be told.
std::string render_soap_fault(std::string_view fault_string, std::string_view detail);

// The simulator's side. Errors: pagopa.soap_syntax as above.
Result<VerifyResponse> parse_verify_response(std::string_view xml);
Result<GetPaymentResponse> parse_get_payment_response(std::string_view xml);
Result<SendReceiptResponse> parse_send_receipt_response(std::string_view xml);

}  // namespace sp::pagopa
