#pragma once
// A simulator of another administration's registry office (outside the hub) for the demo and the tests
// (`sportello sim registry`, started by `serve --demo`): it has its own IPA codes, its own signing key and
// self-signed certificate (the hub trusts it through SPORTELLO_AGID_TRUSTED_CA_FILE, as it would trust a
// qualified CA), and a PEC mailbox at the PEC provider simulator (adapters/pec/simulator.hpp).
//   - poll(): reads its mailbox; each protocol message (Segnatura.xml and the files, in the provider's
//     posta-certificata envelope) is checked as a registry would — AgID's schema, the XAdES signature
//     against the certificates it trusts (the hub's), the addressee, each file's SHA-256 — and answered
//     by PEC with ConfermaRicezione (registered under its next number) or NotificaEccezione with the
//     reason. A message seen again (same Message-ID: a sender's repeat after a crash) is counted and not
//     registered twice. Service messages received (ConfermaRicezione, NotificaEccezione,
//     AnnullamentoProtocollazione) are kept.
//   - send(): a protocol message of its own to an office of the hub, by PEC, signed with its key; told to
//     misbehave it sends a wrong digest, a changed byte or a signature by a key nobody trusts.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/xades.hpp"

namespace sp::protocollo {

struct RegistrySimulatorOptions {
  std::string admin_code = "r_simul";  // the simulated administration's IPA codes
  std::string aoo_code = "aoo_simul";
  std::string name = "Regione Simulata";
  std::string aoo_name = "Protocollo generale della Regione Simulata";
  std::string pec_address = "protocollo@pec.regione-simulata.example";
  std::string smtp_url;  // the PEC provider (simulator)
  std::string pop3_url;
  std::string password = "pec-sim";
  std::string pec_trusted_pem;  // the provider's certificate (its envelopes)
  std::string trusted_pem;      // the certificates it trusts for segnature (the hub members')
  std::string schema_dir;       // AgID's schemas
  // SOAP: it publishes ProtocolloDestinatario on 127.0.0.1:soap_port (0: a free one) when started with
  // start_soap(), and calls the sending office's ProtocolloMittente at
  // <hub_soap_base>/<ipa>/<aoo>/mittente (the hub's /interop/soap).
  std::uint16_t soap_port = 0;
  std::string hub_soap_base;
  xades::Signer signer;  // empty: a new self-signed one
};
// Over SOAP it signs every call it makes (ModI ID_AUTH_SOAP_02, wssec.hpp: wsa:To the URL called, a new
// wsa:MessageID at every attempt) and refuses with a Fault a call to its interfaces that is not signed by
// one of the certificates it trusts (trusted_pem), whose Timestamp is out of its window, whose wsa:To is
// not the interface called or whose wsa:MessageID it accepted before (soap_refusals()).

enum class Misbehaviour { none, bad_digest, changed_byte, unknown_key };

struct RegistryReceived {
  std::string channel;     // pec, soap
  std::string message_id;  // the PEC's Message-ID
  std::string from;
  std::string sender_number;  // the sender's registration
  std::string sender_date;
  std::string subject;
  std::string outcome;  // "registered" (with number) or the refusal's code
  std::string number;
};

class RegistrySimulator {
 public:
  explicit RegistrySimulator(RegistrySimulatorOptions o);
  ~RegistrySimulator();
  RegistrySimulator(const RegistrySimulator&) = delete;
  RegistrySimulator& operator=(const RegistrySimulator&) = delete;
  // A thread of its own polls the mailbox every `every` (the demo); stop() ends it.
  void start(std::chrono::milliseconds every);
  void stop();
  // The certificates it trusts for segnature (the demo: the hub members', known once their keys exist).
  void trust(std::string pem);
  [[nodiscard]] const std::string& cert_pem() const { return options_.signer.cert_pem; }
  [[nodiscard]] const RegistrySimulatorOptions& options() const { return options_; }
  void misbehave(Misbehaviour m);

  // SOAP: serves MessaggioInoltro (checked as a PEC arrival; the answer carries the anomaly, a registration
  // is confirmed afterwards by ConfermaMessaggioInoltro, sent by poll()). Returns its base URL
  // (…/destinatario below it), for the hub's SOAP directory.
  std::string start_soap();
  [[nodiscard]] std::string soap_base() const;

  // Reads the mailbox once and answers what is new (and sends the SOAP confirmations due); returns how many
  // protocol messages it answered. Errors: pec.mailbox.
  Result<int> poll();
  [[nodiscard]] std::vector<RegistryReceived> received() const;
  [[nodiscard]] std::vector<std::string> service_messages() const;  // the XML, in arrival order
  [[nodiscard]] int repeats() const;
  // ConfermaMessaggioInoltro requests received on its ProtocolloMittente (…/mittente), as they came.
  [[nodiscard]] std::vector<std::string> soap_confirmations() const;  // protocol messages seen twice
  // Every call to its interfaces accepted, as it came (signed), and the reasons of those it refused.
  [[nodiscard]] std::vector<std::string> soap_requests() const;
  [[nodiscard]] std::vector<std::string> soap_refusals() const;

  // A protocol message to an office of the hub (its IPA codes and PEC address). Returns the registration
  // number it gave the message.
  Result<std::string> send(const std::string& to_address, const std::string& to_admin_code,
                           const std::string& to_aoo_code, const std::string& subject,
                           const std::vector<WireFile>& files);
  // The same over SOAP: MessaggioInoltro to an office's ProtocolloDestinatario (the hub's
  // …/interop/soap/{ipa}/{aoo}/destinatario); the answer as it came.
  struct SoapSent {
    std::string number;
    int status = 0;
    std::string answer;
    std::string request;
  };
  Result<SoapSent> send_soap(const std::string& destinatario_url, const std::string& to_admin_code,
                             const std::string& to_aoo_code, const std::string& subject,
                             const std::vector<WireFile>& files);
  // The MessaggioInoltro send_soap() would sign and send, unsigned (tests sign it otherwise, or not).
  Result<std::string> inoltro_envelope(const std::string& to_admin_code, const std::string& to_aoo_code,
                                       const std::string& subject, const std::vector<WireFile>& files);
  // `envelope` signed by its key for a call to `url` (wssec::sign, now, a new MessageID).
  Result<std::string> sign_call(const std::string& url, const std::string& envelope) const;
  // AnnullamentoProtocollazione of a registration it sent, by PEC.
  Status annul(const std::string& to_address, const std::string& number, const std::string& reason);
  // AnnullamentoInoltroMittente of a registration it sent by SOAP and the hub confirmed, to the office's
  // ProtocolloDestinatario; the answer as it came (status and body).
  Result<std::pair<int, std::string>> annul_soap(const std::string& destinatario_url,
                                                 const std::string& number, const std::string& reason);
  // The annulments it received over SOAP (AnnullamentoInoltroMittente on its ProtocolloDestinatario for a
  // message it registered, AnnullamentoInoltroDestinatario on its ProtocolloMittente for one it sent), as
  // they came; requests naming nothing it knows are answered 007 and not kept.
  [[nodiscard]] std::vector<std::string> soap_annulments() const;

 private:
  struct Outgoing {
    RegistrationId id;
    std::vector<WireFile> wire;  // Segnatura.xml (signed, misbehaving as told), then the documents
  };
  Result<Outgoing> build(const std::string& to_address, const std::string& to_admin_code,
                         const std::string& to_aoo_code, const std::string& subject,
                         const std::vector<WireFile>& files);
  struct Checked {
    std::optional<ReadSegnatura> said;
    std::string refusal;  // "" when every check passed
    std::string reason;
  };
  Checked check(const std::string& segnatura, const std::vector<WireFile>& documents);
  std::pair<int, std::string> on_inoltro(const std::string& body);
  std::pair<int, std::string> on_destinatario(const std::string& body);  // MessaggioInoltro or annulment
  std::pair<int, std::string> on_mittente(const std::string& body);      // confirmation or annulment
  // The WS-Security check of a call to `iface` (destinatario, mittente): "" when accepted, else the code.
  std::string refused_call(const std::string& iface, const std::string& body);
  Result<adapters::HttpResponse> call_signed(const std::string& url, const std::string& envelope);
  void flush_soap();
  Status mail(const std::string& to, const std::string& subject, const std::string& text,
              const std::vector<WireFile>& files);
  RegistrationId next_id();

  RegistrySimulatorOptions options_;
  mutable std::mutex mutex_;
  Misbehaviour misbehaviour_ = Misbehaviour::none;
  std::set<std::string> uids_;
  std::set<std::string> message_ids_;
  std::vector<RegistryReceived> received_;
  std::vector<std::string> service_;
  std::vector<RegistrationId> sent_;
  int repeats_ = 0;
  std::int64_t number_ = 0;
  std::map<std::string, RegistryReceived> soap_seen_;          // by the sender's registration
  std::vector<std::pair<std::string, std::string>> soap_due_;  // ConfermaMessaggioInoltro: url, envelope
  std::vector<std::string> soap_confirmations_;
  std::map<std::string, RegistrationId> soap_confirmed_;  // its number -> the hub's registration of it
  std::vector<std::string> soap_annulments_;
  std::vector<std::string> soap_requests_;
  std::vector<std::string> soap_refusals_;
  std::set<std::string> soap_message_ids_;  // the wsa:MessageIDs accepted
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
  std::thread server_thread_;
  std::thread poller_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// `sportello sim registry`: the simulator alone, polling its mailbox every second until SIGINT/SIGTERM;
// writes its certificate to `cert_out` (for SPORTELLO_AGID_TRUSTED_CA_FILE). Returns the exit code.
struct RegistrySimulatorRun {
  RegistrySimulatorOptions options;
  std::string trusted_file;  // PEM: the hub members' certificates
  std::string pec_trusted_file;
  std::string cert_out;
};
int run_registry_simulator(const RegistrySimulatorRun& run);

}  // namespace sp::protocollo
