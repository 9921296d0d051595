#pragma once
// The SOAP channel between registry offices (AgID 2021 guidelines, annex on interoperability;
// ../shared/agid/interfaces_SOAP): the receiving office publishes ProtocolloDestinatario
// (MessaggioInoltro, AnnullamentoInoltroMittente), the sending one ProtocolloMittente
// (ConfermaMessaggioInoltro, AnnullamentoInoltroDestinatario); document/literal SOAP 1.1, soapAction "".
// The exception notice travels as ConfermaMessaggioInoltro with an Anomalia (the WSDL's choice).
//
// RequestMessageInoltro extends msgprot:MessaggioProtocolloType: msgprot:Segnatura (of type
// SegnaturaInformaticaType: the signed segnatura's content under another element name) and one msgprot:File
// per document (base64, msgprot:nomeFile, msgprot:mimeType). The XAdES signature covers the segnatura as
// its own document (root prot:SegnaturaInformatica, Reference URI=""), so the receiver rebuilds that
// document from msgprot:Segnatura (same prefix, same content; exclusive canonicalisation drops the
// envelope's namespaces) before checking it, and the sender writes the signed document's content as is.
//
// Errors: soap.format (422: not a SOAP envelope, not the expected request or answer, a File not base64).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http_client.hpp"
#include "core/result.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/segnatura.hpp"

namespace sp::protocollo::soap {

inline constexpr const char* kEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* kDestinatarioNs = "http://ws.protocollo.comunicazione.aoo.destinatario/";
inline constexpr const char* kMittenteNs = "http://ws.protocollo.comunicazione.aoo.mittente/";
inline constexpr const char* kMessaggiNs = "http://www.agid.gov.it/protocollo/messaggi/";

// Anomalies of the WSDLs (AnomalieInoltroEnum, AnomalieConfermaEnum) for a refusal's code.
std::string inoltro_anomaly(const std::string& code);   // 001_ValidazioneFirma, 002_AnomaliaImpronte, ""
std::string conferma_anomaly(const std::string& code);  // 000_Irricevibile, 004_DocumentoAllegati...

// MessaggioInoltro. Errors: soap.format (the segnatura is not one of ours: no prot:SegnaturaInformatica).
Result<std::string> messaggio_inoltro(std::string_view signed_segnatura, const std::vector<WireFile>& files);
struct Inoltro {
  std::string segnatura;  // rebuilt as its own document, ready for the checks of a PEC arrival
  std::vector<WireFile> files;
};
Result<Inoltro> read_messaggio_inoltro(std::string_view envelope);

// The answers and the sender-side requests. `anomaly` empty: none.
struct Answer {
  std::string operation;  // the body element's local name
  RegistrationId mittente;
  std::optional<RegistrationId> destinatario;
  std::string anomaly;
  std::string info;
  // The annulments (RequestAnnullamentoInoltroMittente / …Destinatario): the act that authorised it and
  // the note (the reason).
  std::string riferimento;
  std::string note;
};
std::string response_inoltro(const RegistrationId& mittente, const std::string& anomaly,
                             const std::string& info);
std::string conferma_inoltro(const RegistrationId& mittente,
                             const std::optional<RegistrationId>& destinatario, const std::string& anomaly,
                             const std::string& info);
std::string response_conferma(const RegistrationId& mittente);
// The annulments: the sender annuls its registration at the receiving office (AnnullamentoInoltroMittente,
// on ProtocolloDestinatario), the receiver annuls its registration of the message at the sending office
// (AnnullamentoInoltroDestinatario, on ProtocolloMittente). `mittente` is the sender's registration,
// `destinatario` the receiver's. `note`: the reason (required by the …Destinatario request).
std::string annullamento_mittente(const RegistrationId& mittente, const RegistrationId& destinatario,
                                  const std::string& riferimento, const std::string& note);
std::string annullamento_destinatario(const RegistrationId& mittente, const RegistrationId& destinatario,
                                      const std::string& riferimento, const std::string& note);
// Their answers; `anomaly` "" (done), 000_Irricevibilita or 007_ErroreIdentificatoreNonTrovato.
std::string response_annullamento_mittente(const RegistrationId& mittente, const RegistrationId& destinatario,
                                           const std::string& anomaly, const std::string& info);
std::string response_annullamento_destinatario(const RegistrationId& mittente,
                                               const RegistrationId& destinatario, const std::string& anomaly,
                                               const std::string& info);
// Reads any request or answer of the two interfaces but MessaggioInoltro (ResponseMessageInoltro, the
// confirmation and the two annulments with their answers).
Result<Answer> read_answer(std::string_view envelope);
// A SOAP 1.1 Fault (client or server) with a text.
std::string fault(bool client, const std::string& text);
// POSTs a request (text/xml, SOAPAction ""): the other side's answer, whatever its status.
Result<adapters::HttpResponse> call(const std::string& url, const std::string& envelope);
// The body's element as a document of its own (tests validate it against the WSDL's schema).
Result<std::string> body_element(std::string_view envelope);

}  // namespace sp::protocollo::soap
