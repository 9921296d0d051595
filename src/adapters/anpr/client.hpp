#pragma once
// The hub's client of ANPR's SOAP web services (wire.hpp says which interface and why): a comune's
// consultation of a person and their household (3002) and its certificate requests (6001).
//
//   POST {base_url}/AnprService3000   interrogazioneCittadino_famiglia_convivenza
//   POST {base_url}/AnprService4000   richieste_asincrone (4005): the comune's notifications
//   POST {base_url}/AnprService6001   emissioneCertificato
// (the WSDLs' soap:address paths), Content-Type text/xml, SOAPAction "".
//
// Authentication: one credential per comune, sent as `Authorization: Bearer <secret>` — the shape of the
// project's other outbound adapters (pagoPA's subscription key) — and, over https, the hub's TLS client
// certificate (ClientConfig::tls): ANPR authenticates the accredited system by the certificate the
// Ministry issued it (docs/certificates.md, "Mutual TLS"). The secret is never logged. codMittente is the
// comune's ISTAT code and must be the one the credential was issued to (the simulator refuses another: a body
// cannot ask in another comune's name).
//
// idOperazioneComune: digits, increasing. The caller may give its own (the certificates module stores it
// before calling, so a retry after a lost answer carries the same id and ANPR returns the same
// certificate instead of issuing a second one); otherwise next_operation_id() makes one.
//
// Errors: anpr.not_configured (503: no URL or secret for the comune), anpr.unreachable (502: connection,
// timeout, TLS; the http_client code in the detail), anpr.client_certificate (502: ANPR refused the hub's
// client certificate, or none was configured while ANPR asks for one, or its files cannot be used), anpr.http
// (502: an HTTP status other than 200/500, e.g. 401 for a wrong credential), anpr.soap_fault (502),
// anpr.soap_syntax (502: an answer that is not ANPR's message). A refusal by ANPR is NOT an error: the
// response has ok == false and ANPR's errors.
#include <map>
#include <string>

#include "adapters/anpr/wire.hpp"
#include "adapters/http_client.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::anpr {

// Mutual TLS with ANPR (config anpr_client_cert, anpr_client_key, anpr_ca_file): the hub's client
// certificate as ANPR's accredited system, sent for every comune it serves, and the CA ANPR's server
// certificate must chain to (empty: the system's). Empty certificate: none sent.
struct Tls {
  std::string client_cert_file;
  std::string client_key_file;
  std::string ca_file;
};

struct ClientConfig {
  std::string base_url;            // e.g. https://…/Interno/ANPR (no trailing slash); demo: the simulator
  std::string secret;              // the comune's credential
  std::string sender;              // the comune's ISTAT code (codMittente)
  std::string send_type = "PROD";  // tipoInvio
  adapters::HttpClientOptions http{std::chrono::milliseconds(15000), std::chrono::milliseconds(5000)};
  Tls tls;  // copied into `http` by the client
};

class Client {
 public:
  Client(ClientConfig config, const time::Clock& clock);

  [[nodiscard]] bool configured() const { return !config_.base_url.empty() && !config_.secret.empty(); }
  [[nodiscard]] const std::string& sender() const { return config_.sender; }

  // A person (household=false) or every member of their household, at `reference_date` (YYYY-MM-DD).
  [[nodiscard]] Result<ConsultResponse> consult(const std::string& codice_fiscale,
                                                const std::string& reference_date, bool household,
                                                std::string operation_id = {}) const;
  // The comune's notifications of the period [from, to] (local times, YYYY-MM-DDTHH:MM:SS): 4005
  // elaborazione, then verificaStato page by page. Errors besides the above: anpr.not_ready (503: ANPR
  // has not finished preparing them; ask again later for the same period), anpr.refused (502: rispostaKO,
  // ANPR's codes in the detail).
  [[nodiscard]] Result<std::vector<Notification>> notifications(const std::string& from,
                                                                const std::string& to) const;
  // `request.header` is completed here: sender, operation, sent_at, send_type, and the id when empty.
  [[nodiscard]] Result<CertificateResponse> issue(CertificateRequest request) const;

  // Digits, strictly increasing within this process (microseconds since the epoch, bumped on ties).
  static std::string next_operation_id(const time::Clock& clock);

 private:
  [[nodiscard]] Result<std::string> post(const std::string& service, const std::string& envelope) const;
  ClientConfig config_;
  const time::Clock& clock_;
  adapters::HttpClient http_;
};

// Config anpr_credentials, "006039=secret,005005=other" → ISTAT code → secret. Malformed items skipped.
std::map<std::string, std::string> parse_credentials(const std::string& pairs);

}  // namespace sp::anpr
