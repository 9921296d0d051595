#pragma once
// The segnatura informatica of AgID's 2021 guidelines (segnatura_protocollo.xsd, namespace
// http://www.agid.gov.it/protocollo/, version 3.0.0; attributes qualified) and the service messages
// between registry offices (pec_message.xsd: ConfermaRicezione, NotificaEccezione,
// AnnullamentoProtocollazione): building them from an entry, reading what another office sent, and
// checking both against AgID's schemas.
//
// What the segnatura carries (docs/protocollo-interop.md): Identificatore (IPA codes, register
// PROTOCOLLO, number, Rome date and time), Oggetto, Classifica (the class code, as Denominazione and
// CodiceFlat: the hub keeps no titolario descriptions; both empty for an entry not classified),
// Fascicolo, the sender (Mittente: the first correspondent of an incoming entry, our office otherwise)
// and recipients with their fiscal codes, IPA codes and digital addresses (PEC as IndirizzoTelematico
// smtp with note "pec"), the primary document and attachments with their SHA-256 digests (base64). A
// person's name is split at its last space into Nome and Cognome (the register keeps one name).
// The ds:Signature (XAdES baseline B, protocollo/xades.hpp) is appended by the signer.
//
// Error codes: protocollo.segnatura_documents (an entry without a primary document has no segnatura),
// segnatura.schema (422: not valid against AgID's schema; detail: libxml2's first message),
// segnatura.schema_missing (500: the schema folder cannot be read), segnatura.content (422).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "protocollo/model.hpp"

namespace sp::protocollo {

inline constexpr const char* kSegnaturaNamespace = "http://www.agid.gov.it/protocollo/";
inline constexpr const char* kPecMessageNamespace = "http://www.agid.gov.it/protocollo/pec/";

// What the segnatura says about the registering office besides the entry itself.
struct OwnOffice {
  std::string body_name;         // DenominazioneAmministrazione
  std::string body_fiscal_code;  // CFAmministrazione, when 11 digits
  std::string aoo_name;          // CodiceIPAAOO's descrizione
  std::string pec;               // the office's digital address (ContattiAOO)
};

// The unsigned segnatura of `e` (the signer appends ds:Signature).
Result<std::string> segnatura_unsigned(const Entry& e, const OwnOffice& own);

// An office of the register: CodiceAmministrazione, CodiceAOO, CodiceRegistro, number and date.
struct RegistrationId {
  std::string admin_code;
  std::string aoo_code;
  std::string registry = "PROTOCOLLO";
  std::string number;  // as written: 7 digits at least
  std::string date;    // YYYY-MM-DD
  bool operator==(const RegistrationId&) const = default;
};
RegistrationId registration_id(const Entry& e);

struct SegnaturaDocument {
  DocumentRole role = DocumentRole::primary;
  std::string file_name;
  std::string mime_type;
  std::string sha256_hex;  // decoded from Impronta (SHA-256 only)
};

// What a received segnatura says (after the schema and the signature were checked).
struct ReadSegnatura {
  RegistrationId id;
  std::string subject;
  std::string classification;  // CodiceFlat, or the CodicePath levels joined by '.'
  std::string fascicolo;       // CodiceFascicolo
  Correspondent sender;        // Mittente
  std::vector<Correspondent> recipients;
  std::vector<SegnaturaDocument> documents;  // the primary first
};
// Errors: segnatura.content (not a segnatura, a digest algorithm other than SHA-256).
Result<ReadSegnatura> read_segnatura(std::string_view xml);

// The service messages (pec_message.xsd).
enum class ServiceMessageKind { conferma_ricezione, notifica_eccezione, annullamento };
struct ServiceMessage {
  ServiceMessageKind kind = ServiceMessageKind::conferma_ricezione;
  std::optional<RegistrationId> identificatore;  // the answering office's registration (conferma), or
                                                 // the annulled registration (annullamento)
  std::optional<RegistrationId> received;        // MessaggioRicevuto/Identificatore
  std::string received_description;              // MessaggioRicevuto/DescrizioneMessaggio otherwise
  std::string reason;                            // Motivo
  std::string act;                               // Provvedimento (annullamento)
};
std::string service_message_xml(const ServiceMessage& m);
// Errors: segnatura.content.
Result<ServiceMessage> read_service_message(std::string_view xml);

// AgID's schemas, loaded once from a folder holding segnatura_protocollo.xsd, pec_message.xsd and
// import_schemas/ (config agid_schema_dir). Validation is thread-safe.
class AgidSchemas {
 public:
  static Result<std::shared_ptr<const AgidSchemas>> load(const std::string& dir);
  ~AgidSchemas();
  AgidSchemas(const AgidSchemas&) = delete;
  AgidSchemas& operator=(const AgidSchemas&) = delete;

  Status validate_segnatura(std::string_view xml) const;
  Status validate_service_message(std::string_view xml) const;

 private:
  AgidSchemas() = default;
  void* segnatura_ = nullptr;  // xmlSchemaPtr
  void* pec_ = nullptr;
};

}  // namespace sp::protocollo
