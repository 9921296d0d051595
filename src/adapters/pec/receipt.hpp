#pragma once
// PEC receipts (posta elettronica certificata: DPR 68/2005, technical rules DM 2 Nov 2005 and AgID's
// additional notes). A provider answers each message a body sends with signed receipts in the body's own
// PEC mailbox: acceptance (or non-acceptance) by the sender's provider, then delivery (or a delivery error,
// a delivery-error warning, a virus found) by the recipient's. Each receipt is an S/MIME signed message
// (multipart/signed, the provider's certificate) whose signed part carries a human text and the certified
// data in `daticert.xml` (element `postacert`); the header X-Ricevuta names the kind and
// X-Riferimento-Message-ID the message it is about.
//
// This module reads receipts (signature first, then daticert.xml) and writes them (for the simulator).
// Looking digital domiciles up in INAD/INI-PEC and notifying through SEND are national platforms left
// for later (docs/messaging.md).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/smime.hpp"
#include "core/result.hpp"

namespace sp::pec {

// The `tipo` of postacert (the rules' vocabulary, as written in daticert.xml and X-Ricevuta).
enum class ReceiptKind {
  accettazione,
  non_accettazione,
  presa_in_carico,
  avvenuta_consegna,
  posta_certificata,  // the transport envelope, not a receipt
  errore_consegna,
  preavviso_errore_consegna,
  rilevazione_virus
};
std::string_view to_string(ReceiptKind k);  // "avvenuta-consegna" ...
std::optional<ReceiptKind> parse_receipt_kind(std::string_view s);

// daticert.xml's content.
struct Daticert {
  ReceiptKind kind = ReceiptKind::accettazione;
  std::string errore = "nessuno";  // nessuno, no-dest, no-dominio, virus, altro
  std::string mittente;
  std::vector<std::string> destinatari;  // tipo="certificato" (PEC) unless `esterno`
  std::vector<std::string> esterni;      // tipo="esterno": ordinary e-mail addresses
  std::string risposte;
  std::string oggetto;
  std::string gestore;  // gestore-emittente
  std::string giorno;   // dd/mm/yyyy
  std::string ora;      // hh:mm:ss
  std::string zona;     // +0100
  std::string identificativo;
  std::string msgid;     // the Message-ID of the message the receipt is about, with its <>
  std::string ricevuta;  // completa, breve, sintetica (delivery receipts)
  std::string consegna;  // the recipient the delivery (error) is about
  std::string errore_esteso;
};

// Errors: pec.daticert (not XML, not postacert, an unknown tipo or errore, a required element missing).
Result<Daticert> parse_daticert(std::string_view xml);
std::string daticert_xml(const Daticert& d);

// What a receipt means for the message it is about.
enum class Outcome {
  accepted,          // accettazione, presa-in-carico: on its way
  not_accepted,      // non-accettazione: the sender's provider refused it (final failure)
  delivered,         // avvenuta-consegna (final)
  delivery_failed,   // errore-consegna, rilevazione-virus (final failure)
  delivery_warning,  // preavviso-errore-consegna: not delivered in 12 hours, still being tried
  none               // posta-certificata: not a receipt
};
Outcome outcome_of(ReceiptKind k);

struct Receipt {
  Daticert data;
  std::string x_ricevuta;      // the header, which must agree with daticert's tipo
  std::string references;      // X-Riferimento-Message-ID
  std::string signer_subject;  // the provider's certificate
};

// Reads a receipt as it arrives in the mailbox (the whole message): verifies the provider's signature
// against `trusted_pem` (the providers' certificates the hub trusts), then reads daticert.xml from the
// signed part. Errors: smime.* (crypto/smime.hpp: an altered or untrusted receipt is never read),
// pec.no_daticert, pec.daticert, pec.mismatch (X-Ricevuta or X-Riferimento-Message-ID disagreeing with
// daticert.xml).
Result<Receipt> read_receipt(std::string_view message, std::string_view trusted_pem);

// Writes a receipt as a provider would (the simulator): headers (From the provider's notification
// address, To, Subject with the rules' prefix, Message-ID, X-Ricevuta, X-Riferimento-Message-ID, Date),
// then the multipart/signed with the text and daticert.xml.
Result<std::string> write_receipt(const Daticert& d, const std::string& from, const std::string& to,
                                  const crypto::SigningIdentity& provider);

// The transport envelope (tipo posta-certificata) in which the recipient's provider delivers a PEC
// message: headers (From "Per conto di: <sender>" <the provider's notification address>, Reply-To the
// sender, Subject "POSTA CERTIFICATA: ...", X-Trasporto: posta-certificata), then the provider's
// multipart/signed of a multipart/mixed with the text, daticert.xml and the original message as
// postacert.eml (message/rfc822).
Result<std::string> write_envelope(const Daticert& d, std::string_view original, const std::string& from,
                                   const std::string& to, const crypto::SigningIdentity& provider);

struct Envelope {
  Daticert data;
  std::string original;  // postacert.eml, as sent
  std::string signer_subject;
};
// Verifies the provider's signature (as read_receipt), then reads daticert.xml (tipo posta-certificata)
// and postacert.eml. Errors: smime.*, pec.no_daticert, pec.daticert, pec.not_certified_mail (a receipt
// or an envelope without postacert.eml).
Result<Envelope> read_envelope(std::string_view message, std::string_view trusted_pem);

// A message's headers and files as its recipient reads them (GMime): every leaf part with a file name
// (attachment or inline), decoded from its transfer encoding.
struct MailFile {
  std::string file_name;
  std::string mime_type;
  std::string bytes;
};
struct ReadMail {
  std::string from;  // the address alone
  std::string subject;
  std::string message_id;  // with its <>
  std::vector<MailFile> files;
};
// Errors: pec.mail (not a message).
Result<ReadMail> read_mail(std::string_view message);

}  // namespace sp::pec
