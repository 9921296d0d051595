#pragma once
// A local ANPR for the demo and the tests (`sportello sim anpr`, started by `serve --demo`): it answers
// the two SOAP services of client.hpp for the people of a population file (population.hpp) and keeps the
// certificates it issued, checkable on its verification page.
//
//   POST /Interno/ANPR/AnprService3000   3002 consultation (a person, or the household)
//   POST /Interno/ANPR/AnprService4000   4005 richieste_asincrone: the comune's notifications of a period
//   POST /Interno/ANPR/AnprService6001   6001 emissioneCertificato
//   POST /sim/anpr/move                  moves a person (JSON, Move's keys; `sportello sim anpr move`)
//   GET  /verifica                       the verification page: code + the PDF's SHA-256, or
//   POST /verifica                       an uploaded PDF (multipart, field "pdf") with the code
//   GET  /sim/anpr/issued                what it issued (JSON: code, protocol, sha256, subject_cf), for
//                                        tests and the demo (no authentication: loopback only)
//
// Authentication: `Authorization: Bearer <secret>`; each secret belongs to one comune (ISTAT code), and a
// message's codMittente must be that comune (else KO EA002). No or an unknown secret: HTTP 401.
// A repeated idOperazioneComune of the same comune gets the first answer again, byte for byte (the same
// certificate, never a second one); an unknown id lower than the comune's last is refused (EA003).
//
// What it refuses, as ANPR does (codes and texts in simulator.cpp; EN122 is ANPR's own code for "no
// result", the others are the simulator's, in ANPR's style — ANPR's full error table is not published
// in ../shared/anpr):
//   EN122  nobody with that codice fiscale (or no household)
//   EC001  not certifiable (table 42 code 0 or 3)          EC002  partially certifiable (table 42 code 1):
//                                                                 only residence (8) and family (12)
//   EC003  deceased (every type but 2, morte)               EC004  emigrated (cancelled from the register)
//   EC005  untraceable (irreperibilità)                     EC006  online, about someone outside the
//                                                                 requester's household (third party)
//   EC007  stamp duty 0 and no exemption, for a type that is not exempt (SPEC.md §5: stato civile types
//          1, 2, 3 and 11 are)                               EC008  exemption code not in table 39
//   EC009  code 99 without its description                 EC010  certificate type not in table 13
//   EC011  type 2 (morte) for a living person              EA002  codMittente is not the credential's comune
//   EA003  idOperazioneComune lower than the comune's last
// Notifications (4005): every change made through move() is a new version of the person in the
// simulator's population and a notification for each comune concerned — the comune of residence after
// the change and, when the person left another comune, that comune (a version cancelling them,
// `emigrazione`). A 4005 elaborazione is answered at once (statoRichiesta 0); its verificaStato returns
// state 2 with the notifications of the period, kPageSize per progressivo. Each caller sees only its own
// comune's notifications. Content: one population-format line (wire.hpp, Notification).
// A preview (emissione 3) is checked as an online request and answered with the data, without a PDF.
//
// The certificate is a PDF (core/pdf) with the data, the art. 40 c.02 DPR 445/2000 sentence, how the stamp
// duty was paid (or the exemption's reason), and the simulator's own verification code with the
// verification URL (also as a QR code). The verification page says "valid" for a known code whose PDF
// hash matches, "unknown" otherwise (a changed PDF is not a certificate ANPR issued).
//
// NOT a production system: state in memory. Demo and tests only.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/anpr/population.hpp"
#include "adapters/anpr/wire.hpp"
#include "core/i18n.hpp"
#include "core/time.hpp"

namespace sp::anpr::sim {

struct SimulatorOptions {
  std::vector<std::string> population_files;       // loaded in order
  std::string comuni_file;                         // bodies.json (names of comuni); empty: none
  std::map<std::string, std::string> credentials;  // secret → ISTAT code of the comune
  std::string base_url;    // the simulator's URL (printed on certificates); empty: http://localhost:<port>
  std::string share_dir;   // web/templates and web/locales
  std::string static_dir;  // bootstrap-italia for the verification page; empty: none
  // Mutual TLS, as ANPR's services ask (start_simulator_thread only): with a certificate and key the
  // services are served over https on their own port (http::TlsFront in front of the plain server,
  // whose port is then loopback-only plumbing), and with `tls_client_ca_file` every client must show a
  // certificate that chains to it, or the handshake fails. The files are the tests' own, made when they
  // run (tests/support/test_pki.hpp); none is committed.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  const time::Clock* clock = nullptr;  // null: the system clock; must outlive the simulator
};

// An issued certificate, as the verification page knows it.
struct Issued {
  std::string code;        // the verification code printed on the PDF
  std::string protocol;    // numeroProtocolloANPR
  std::string sha256_hex;  // of the PDF bytes
  std::string subject_name;
  std::string subject_cf;
  std::string comune;  // the requesting comune's name
  std::vector<int> types;
  std::string issued_on;  // YYYY-MM-DD
};

// A move (`sportello sim anpr move`): a new address in the same comune, or residence in another one.
struct Move {
  std::string codice_fiscale;
  std::string comune_istat;  // empty: the same comune
  std::string street_type;   // VIA, PIAZZA, ...
  std::string street_name;
  std::string civico;
  std::string cap;          // empty: unchanged within the comune
  std::string id_famiglia;  // empty: the same household (same comune) or a new one of their own (another)
  std::string date;         // data_variazione, YYYY-MM-DD; empty: today
};

enum class Verdict { valid, unknown };
const char* verdict_name(Verdict v);

struct SoapAnswer {
  int status = 200;      // 200, 401 (credential), 400/500 (SOAP fault)
  std::string envelope;  // the SOAP message
};

class Simulator {
 public:
  // Throws std::runtime_error when a population or comuni file cannot be read.
  explicit Simulator(SimulatorOptions options);

  void set_base_url(std::string url);
  [[nodiscard]] std::string base_url() const;
  // Adds (or replaces) a comune's credential.
  void set_credential(const std::string& secret, const std::string& istat);
  [[nodiscard]] const SimulatorOptions& options() const { return options_; }
  [[nodiscard]] const Population& population() const { return population_; }
  [[nodiscard]] const I18n& i18n() const { return i18n_; }

  // The two services: `authorization` is the request's Authorization header ("" when absent).
  SoapAnswer consult(const std::string& authorization, const std::string& body);
  SoapAnswer certify(const std::string& authorization, const std::string& body);

  // 4005: the caller's notifications.
  SoapAnswer notifications(const std::string& authorization, const std::string& body);
  // Applies a move: the new version(s) and their notifications, which are returned. Errors (code
  // anpr_sim.move): unknown person or cancelled (404), missing street (400), a version already dated that
  // day (409: a register keeps one version per person and day).
  Result<std::vector<Notification>> move(const Move& m);
  // Adds a version of a person to the population without notifying anyone (tests: ANPR's data changing
  // behind the hub's back, e.g. between a preview and the issue).
  void add_version(Resident r);
  // Queues a notification for comune `istat` carrying the version `r` as is (tests: a faulty ANPR).
  Notification notify(const std::string& istat, const Resident& r, const std::string& operation);
  static constexpr int kPageSize = 200;

  // The verification page's check.
  [[nodiscard]] Verdict verify(const std::string& code, const std::string& sha256_hex,
                               Issued* found = nullptr) const;
  [[nodiscard]] std::vector<Issued> issued() const;

 private:
  struct Caller {
    std::string istat;
    bool ok = false;
  };
  [[nodiscard]] Caller caller(const std::string& authorization) const;
  // Looks a repeated id up; true with `answer` filled when it was answered before.
  bool replay(const std::string& istat, const std::string& op, const std::string& id, std::string& answer,
              std::vector<AnprError>& errors);
  void remember(const std::string& istat, const std::string& op, const std::string& id,
                const std::string& answer);
  std::string today() const;
  std::string now_local() const;
  std::string next_anpr_id();
  std::string render_pdf(const CertificateRequest& req, const Person& subject,
                         const std::vector<Person>& members, const std::string& code,
                         const std::string& comune_name) const;

  SimulatorOptions options_;
  const time::Clock& clock_;
  Population population_;
  I18n i18n_;
  mutable std::mutex mutex_;
  std::mutex certify_mutex_;  // one 6001 at a time: two calls with the same id get one certificate
  std::string base_url_;
  std::map<std::string, std::string> credentials_;  // secret → istat
  std::map<std::string, std::string> answers_;      // "istat|op|id" → envelope
  std::map<std::string, std::string> last_ids_;     // "istat|op" → last id (as a number string)
  std::map<std::string, Issued> issued_;            // by code
  struct Queued {
    std::string istat;
    std::string at;  // local time of the change, YYYY-MM-DDTHH:MM:SS
    Notification n;
  };
  std::vector<Queued> notifications_;
  std::map<std::string, std::pair<std::string, std::pair<std::string, std::string>>>
      async_requests_;                   // idOperazioneANPR → (istat, (from, to))
  mutable std::mutex population_mutex_;  // population_ changes (move); taken before mutex_
  std::uint64_t anpr_ids_ = 0;
};

// The certificate's PDF (simulator_pdf.cpp).
std::string render_certificate_pdf(const I18n& i18n, const CertificateRequest& req, const Person& subject,
                                   const std::vector<Person>& members, const std::string& code,
                                   const std::string& verify_url, const std::string& comune_name,
                                   const std::string& issued_on);

// `sportello sim anpr serve`: serves the simulator on 127.0.0.1:`port` until SIGTERM/SIGINT.
int run_simulator(SimulatorOptions options, std::uint16_t port);

// The simulator on its own port in a background thread (demo mode, tests).
class RunningSimulator {
 public:
  virtual ~RunningSimulator() = default;
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  [[nodiscard]] virtual std::string url() const = 0;  // base: …/Interno/ANPR is url() + kServicePath
  [[nodiscard]] virtual Simulator& simulator() = 0;
};
inline constexpr const char* kServicePath = "/Interno/ANPR";

// Listens on 127.0.0.1:`port` (0: a free one) or on `listen_fd` when >= 0, serves in a thread; the
// destructor stops it. Throws std::runtime_error.
std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         int listen_fd = -1);

}  // namespace sp::anpr::sim
