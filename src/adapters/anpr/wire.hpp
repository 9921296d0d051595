#pragma once
// ANPR's SOAP messages, both ways (the hub renders requests and parses responses; the simulator parses
// requests and renders responses). Which ANPR interface: the SOAP web services a comune's software calls
// (../shared/anpr/wsdl/comuni, snapshot 2026-01-19), NOT the newer PDND e-services with ModI security:
//   3000 consultazione, operation interrogazioneCittadino_famiglia_convivenza (Richiesta3002/Risposta3002):
//        a person, or the person's household, by codice fiscale at a reference date
//   4000 estrazione, operation richieste_asincrone (Richiesta4005/Risposta4005): the comune's
//        notifications — what ANPR (or another comune) changed about the comune's residents — asked for a
//        period (elaborazione), then fetched page by page (verificaStato). ANPR's own advice for keeping
//        a comune's local database current (italia/anpr issues 1535, 2273: "il servizio di interesse è il
//        4005"); the push alternative (an endpoint receiving NRIS messages) is not followed, so there is
//        no inbound call to authenticate: the hub asks, with the comune's credential.
//   6001 certificazione, operation emissioneCertificato (Richiesta6001/Risposta6001): a certificate (types
//        from table 13, stamp duty or a table-39 exemption, requester type) and its PDF
//
// Wire facts kept here (docs/certificates.md, "ANPR wire choices"):
// - SOAP 1.1 document/literal, soapAction "". The body's child is the operation's element in the service's
//   namespace (3000consultazione / 6001certificazione); the response wraps its outcome in a *qualified*
//   global element (Risposta3002_OK / rispostaKO, Risposta6001OK / Risposta6001KO: the schema refers to
//   them with ref=). Every other element is unqualified (elementFormDefault="unqualified").
// - testataRichiesta: idOperazioneComune is numeric and increasing per comune; ANPR answers a repeated id
//   with the answer it gave the first time (the hub relies on it: a retried certificate is not issued
//   twice). codMittente is the comune's ISTAT code, codDestinatario 999999 (ANPR).
// - esitoOperazione 2 = done, 3 = refused, 6 = done with warnings. Errors: codiceErroreAnomalia (≤ 6
//   alphanumerics), tipoErroreAnomalia E/W, testoErroreAnomalia (≤ 240).
// - Money (bollo, diritti) in euro cents, as numeric text. Dates xs:date, instants xs:dateTime.
// - 3002's schedaAnagraficaRichiesta: 1 = the person's own record, 2 = the household's (every member);
//   the vocabulary is not in the published files, so this choice is the project's (the simulator agrees).
// tests/unit/adapters_anpr validates what this renders against the published XSDs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::anpr {

inline constexpr std::string_view kNs3000 = "http://sogei.it/ANPR/3000consultazione";
inline constexpr std::string_view kNs4000 = "http://sogei.it/ANPR/4000estrazione";
inline constexpr std::string_view kNs6001 = "http://sogei.it/ANPR/6001certificazione";
inline constexpr std::string_view kAnprCode = "999999";  // codDestinatario of requests

// testataRichiesta
struct RequestHeader {
  std::string operation_id;        // idOperazioneComune: digits, increasing per comune
  std::string sender;              // codMittente: the comune's ISTAT code (6 digits)
  std::string operation;           // operazioneRichiesta: "3002", "6001"
  std::string sent_at;             // dataOraRichiesta, e.g. 2026-12-05T10:00:00
  std::string send_type = "PROD";  // tipoInvio: TEST, PRE_SUB, PROD
};

// testataRisposta
struct ResponseHeader {
  std::string operation_id;  // the request's idOperazioneComune
  std::string recipient;     // codDestinatario: the comune
  std::string operation;
  std::string sent_at;
  std::string anpr_operation_id;  // idOperazioneANPR
  std::string outcome;            // esitoOperazione: 2 ok, 3 refused, 6 ok with warnings
};

struct AnprError {
  std::string code;  // codiceErroreAnomalia
  std::string type = "E";
  std::string text;   // testoErroreAnomalia
  std::string field;  // campoErroreAnomalia
  std::string value;  // valoreErroreAnomalia
};

struct Address {
  std::string cap;
  std::string comune_istat;
  std::string comune_name;
  std::string province;  // sigla, 2 letters
  std::string street_type;
  std::string street_name;
  std::string number;
  std::string number_suffix;
  std::string flat;
  std::string since;  // dataDecorrenzaResidenza
};

// A person as ANPR's consultation or certificate data describe them.
struct Person {
  std::string codice_fiscale;
  std::string surname;
  std::string name;
  std::string sex;         // M, F
  std::string birth_date;  // YYYY-MM-DD
  std::string birth_comune_istat;
  std::string birth_place;                // name of the comune (or the foreign place)
  std::string birth_province;             // sigla; empty abroad
  std::string birth_state;                // ISTAT state code when born abroad
  std::string civil_status;               // ANPR code (1 celibe/nubile, 2 coniugato/a, ...)
  std::vector<std::string> citizenships;  // ISTAT state codes (100 Italy)
  std::string relation;                   // codiceLegame to the household's head (table 5), "" when not asked
  std::string household_id;               // idFamigliaConvivenza within the comune
  Address residence;
  std::string death_date;           // datiDecesso
  std::string cancellation_date;    // datiCancellazione
  std::string cancellation_reason;  // motivoCancellazione code
};

// ---- 3002: a person, or the household ---------------------------------------------------------------

struct ConsultRequest {
  RequestHeader header;
  std::string codice_fiscale;
  std::string reference_date;  // YYYY-MM-DD
  bool household = true;       // schedaAnagraficaRichiesta 2 (every member) or 1 (the person)
};

struct ConsultResponse {
  ResponseHeader header;
  bool ok = false;                // Risposta3002_OK (else rispostaKO)
  std::vector<Person> people;     // the person first, then the other members
  std::string household_id;       // idFamigliaConvivenza
  std::string household_istat;    // its comune
  std::vector<AnprError> errors;  // KO: the reasons; OK: warnings (listaAnomalie)
};

// ---- 6001: a certificate ----------------------------------------------------------------------------

// tipoRichiedente
enum class RequesterType { other = 1, self = 2, public_body = 3 };
// tipoEmissione
enum class Channel { counter = 1, online = 2, preview = 3 };

struct CertificateRequest {
  RequestHeader header;
  std::vector<int> types;  // table 13 codes (several: one combined certificate)
  std::string language = "IT";
  // generalitaRichiedente: who asks (absent when the subject asks for themselves online)
  std::optional<Person> requester;
  Person subject;              // soggettoIntestatario: codice fiscale, surname, name (and birth date)
  std::string office_surname;  // cognomeUffAnagrafe: the registry officer (online: the service's owner)
  std::string office_name;
  RequesterType requester_type = RequesterType::self;
  int request_type = 1;  // 1 certificate, 2 data only
  int foreign_use = 0;   // paEstera
  Channel channel = Channel::online;
  money::Cents stamp_duty = 0;     // bollo, cents
  int stamp_mode = 0;              // bolloVirtuale: 0 absent, 1 virtual, 2 contrassegno, 9 other
  bool fees_exempt = false;        // esenzioneDiritti
  money::Cents fees = 0;           // diritti di segreteria, cents
  int exemption = 0;               // esenzioneBollo, table 39 (0: not exempt)
  std::string exemption_text;      // descrizioneEsenzioneBollo (code 99; not printed)
  std::vector<std::string> notes;  // listaAnnotazioni: the purpose ("uso"), printed
};

struct CertificateResponse {
  ResponseHeader header;
  bool ok = false;  // Risposta6001OK without blocking errors (the PDF is empty for a preview)
  std::vector<int> types;
  std::string protocol;  // numeroProtocolloANPR
  std::string pdf;       // the certificate, bytes as ANPR sent them
  Person subject;
  std::vector<Person> members;  // datiCertificato/listaDatiSoggetti (family certificates)
  std::vector<AnprError> errors;
  // parametriRichiesta, echoed (the simulator fills them from the request)
  int requester_type = 0;
  int channel = 0;
  money::Cents stamp_duty = 0;
  int stamp_mode = 0;
  money::Cents fees = 0;
  int exemption = 0;
};

// ---- 4005: the comune's notifications -------------------------------------------------------------------

// One notification (tipodatiRisposta4005). ANPR sends the notified operation's XML, gzip-compressed, in
// contenutoRisposta; this project's simulator and client carry instead one line of the population format
// (docs/population-format.md) with formatoRisposta "JSON": the person's version after the change. That
// content is the project's choice (the published files do not describe ANPR's); the envelope is ANPR's.
struct Notification {
  std::string anpr_operation_id;  // idOperazioneANPR of the notified operation: unique in ANPR
  std::string operation;          // tipoOperazione: the ANPR service that made the change (4 characters)
  std::string state;              // statoLavorazione
  std::string format;             // formatoRisposta: "JSON" here
  std::string content;            // contenutoRisposta, decoded from base64
};

struct NotificationsRequest {
  RequestHeader header;
  // elaborazione (check == false): the notifications of a period (dataOraIniziale, dataOraFinale, local
  // time); verificaStato (check == true): page `page` (progressivo, from 1) of the request `anpr_request_id`.
  bool check = false;
  std::string period_from;
  std::string period_to;
  std::string anpr_request_id;
  int page = 1;
};

struct NotificationsResponse {
  ResponseHeader header;
  bool ok = false;    // RispostaMultipla4005 (else rispostaKO)
  std::string state;  // statoRichiesta: 0 queued, 1 working, 2 done, 3 done with a negative outcome, 99 error
  std::string anpr_request_id;  // idOperazioneANPR of the asynchronous request
  std::string available_at;     // dataDisponibilita
  int page = 0;                 // datiFornitura/progressivoCorrente
  int pages = 0;                // datiFornitura/progressivoTotale
  std::vector<Notification> notifications;
  std::vector<AnprError> errors;
};

// Rendering: a whole SOAP envelope. The structs are rendered as given; missing required values are
// the caller's bug (the XSD tests catch them).
std::string render_consult_request(const ConsultRequest& r);
std::string render_consult_response(const ConsultResponse& r);
std::string render_certificate_request(const CertificateRequest& r);
std::string render_certificate_response(const CertificateResponse& r);
std::string render_notifications_request(const NotificationsRequest& r);
std::string render_notifications_response(const NotificationsResponse& r);

// Parsing. Errors (status 400/502 as the caller sees fit, code anpr.soap_syntax with the detail): not
// XML, not a SOAP envelope, not the expected element, a required child missing or not a number.
Result<ConsultRequest> parse_consult_request(std::string_view xml);
Result<ConsultResponse> parse_consult_response(std::string_view xml);
Result<CertificateRequest> parse_certificate_request(std::string_view xml);
Result<CertificateResponse> parse_certificate_response(std::string_view xml);
Result<NotificationsRequest> parse_notifications_request(std::string_view xml);
Result<NotificationsResponse> parse_notifications_response(std::string_view xml);

// Which operation a request envelope carries ("3002", "4005", "6001"), from the body's element; "" when
// neither.
std::string request_operation(std::string_view xml);

// A SOAP 1.1 Fault envelope (faultcode soap:Client/soap:Server), for requests that are not ANPR messages.
std::string render_soap_fault(std::string_view code, std::string_view text);

}  // namespace sp::anpr
