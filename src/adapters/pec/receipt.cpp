#include "adapters/pec/receipt.hpp"

#include <gmime/gmime.h>

#include <array>
#include <memory>
#include <mutex>
#include <pugixml.hpp>
#include <sstream>

#include "adapters/messaging/email.hpp"
#include "core/ids.hpp"

namespace sp::pec {
namespace {

struct KindName {
  ReceiptKind kind;
  std::string_view name;
  std::string_view subject_prefix;  // the rules' Subject for each receipt
};
constexpr std::array<KindName, 8> kKinds = {{
    {ReceiptKind::accettazione, "accettazione", "ACCETTAZIONE: "},
    {ReceiptKind::non_accettazione, "non-accettazione", "AVVISO DI NON ACCETTAZIONE: "},
    {ReceiptKind::presa_in_carico, "presa-in-carico", "PRESA IN CARICO: "},
    {ReceiptKind::avvenuta_consegna, "avvenuta-consegna", "CONSEGNA: "},
    {ReceiptKind::posta_certificata, "posta-certificata", "POSTA CERTIFICATA: "},
    {ReceiptKind::errore_consegna, "errore-consegna", "AVVISO DI MANCATA CONSEGNA: "},
    {ReceiptKind::preavviso_errore_consegna, "preavviso-errore-consegna",
     "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO: "},
    {ReceiptKind::rilevazione_virus, "rilevazione-virus", "PROBLEMA DI SICUREZZA: "},
}};
constexpr std::array<std::string_view, 5> kErrors = {"nessuno", "no-dest", "no-dominio", "virus", "altro"};

Error daticert_error(std::string detail) {
  return Error::make("pec.daticert", 422, std::move(detail));
}

std::string child_text(const pugi::xml_node& n, const char* name) {
  return n.child(name).text().as_string();
}

// GMime's global tables: once per process (never shut down: request threads may still parse).
void gmime_once() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct GUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
template <typename T>
using GObj = std::unique_ptr<T, GUnref>;

GObj<GMimeObject> parse_entity(std::string_view text, bool message) {
  gmime_once();
  GObj<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
  GObj<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  if (message) {
    GMimeMessage* m = g_mime_parser_construct_message(parser.get(), nullptr);
    return GObj<GMimeObject>(m ? GMIME_OBJECT(m) : nullptr);
  }
  return GObj<GMimeObject>(g_mime_parser_construct_part(parser.get(), nullptr));
}

std::string header_of(GMimeObject* o, const char* name) {
  const char* v = g_mime_object_get_header(o, name);
  return v ? std::string(v) : std::string();
}

std::string part_content(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  GObj<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, sink.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// The daticert.xml part anywhere in the signed entity (a leaf named so, as the rules name it).
std::optional<std::string> find_daticert(GMimeObject* o) {
  if (GMIME_IS_MULTIPART(o)) {
    auto* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
      if (auto found = find_daticert(g_mime_multipart_get_part(mp, i))) return found;
    return std::nullopt;
  }
  if (!GMIME_IS_PART(o)) return std::nullopt;
  const char* name = g_mime_part_get_filename(GMIME_PART(o));
  if (name == nullptr || std::string_view(name) != "daticert.xml") return std::nullopt;
  return part_content(GMIME_PART(o));
}

std::string trim_ws(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Base64 in lines of 76 characters (RFC 2045 §6.8).
std::string base64_lines(std::string_view data) {
  const std::string flat = messaging::base64_encode(data);
  std::string out;
  for (std::size_t i = 0; i < flat.size(); i += 76) out += flat.substr(i, 76) + "\r\n";
  return out;
}

// The start of the signed multipart/mixed every provider's message has: the human text, then
// daticert.xml (the caller adds what follows and the closing boundary).
std::string text_and_daticert(const std::string& boundary, const std::string& text, const Daticert& d);

}  // namespace

std::string_view to_string(ReceiptKind k) {
  for (const auto& e : kKinds)
    if (e.kind == k) return e.name;
  return "accettazione";
}

std::optional<ReceiptKind> parse_receipt_kind(std::string_view s) {
  for (const auto& e : kKinds)
    if (e.name == s) return e.kind;
  return std::nullopt;
}

Outcome outcome_of(ReceiptKind k) {
  switch (k) {
    case ReceiptKind::accettazione:
    case ReceiptKind::presa_in_carico:
      return Outcome::accepted;
    case ReceiptKind::non_accettazione:
      return Outcome::not_accepted;
    case ReceiptKind::avvenuta_consegna:
      return Outcome::delivered;
    case ReceiptKind::errore_consegna:
    case ReceiptKind::rilevazione_virus:
      return Outcome::delivery_failed;
    case ReceiptKind::preavviso_errore_consegna:
      return Outcome::delivery_warning;
    case ReceiptKind::posta_certificata:
      return Outcome::none;
  }
  return Outcome::none;
}

Result<Daticert> parse_daticert(std::string_view xml) {
  pugi::xml_document doc;
  // No DTD processing, no entities beyond XML's own: a receipt is data, never instructions.
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype))
    return daticert_error("not XML");
  const auto root = doc.child("postacert");
  if (!root) return daticert_error("no postacert");
  Daticert d;
  auto kind = parse_receipt_kind(root.attribute("tipo").as_string());
  if (!kind) return daticert_error("tipo");
  d.kind = *kind;
  d.errore = root.attribute("errore").as_string("nessuno");
  if (std::find(kErrors.begin(), kErrors.end(), d.errore) == kErrors.end()) return daticert_error("errore");
  const auto head = root.child("intestazione");
  const auto data = root.child("dati");
  if (!head || !data) return daticert_error("intestazione/dati");
  d.mittente = trim_ws(child_text(head, "mittente"));
  for (auto dest : head.children("destinatari")) {
    const std::string kind_attr = dest.attribute("tipo").as_string();
    (kind_attr == "esterno" ? d.esterni : d.destinatari).push_back(trim_ws(dest.text().as_string()));
  }
  d.risposte = trim_ws(child_text(head, "risposte"));
  d.oggetto = child_text(head, "oggetto");
  d.gestore = trim_ws(child_text(data, "gestore-emittente"));
  const auto when = data.child("data");
  d.giorno = trim_ws(child_text(when, "giorno"));
  d.ora = trim_ws(child_text(when, "ora"));
  d.zona = when.attribute("zona").as_string();
  d.identificativo = trim_ws(child_text(data, "identificativo"));
  d.msgid = trim_ws(child_text(data, "msgid"));
  d.ricevuta = data.child("ricevuta").attribute("tipo").as_string();
  d.consegna = trim_ws(child_text(data, "consegna"));
  d.errore_esteso = trim_ws(child_text(data, "errore-esteso"));
  if (d.mittente.empty() || (d.destinatari.empty() && d.esterni.empty()) || d.gestore.empty() ||
      d.giorno.empty() || d.ora.empty() || d.identificativo.empty())
    return daticert_error("required element");
  return d;
}

std::string daticert_xml(const Daticert& d) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("postacert");
  root.append_attribute("tipo") = std::string(to_string(d.kind)).c_str();
  root.append_attribute("errore") = d.errore.c_str();
  auto head = root.append_child("intestazione");
  head.append_child("mittente").text().set(d.mittente.c_str());
  for (const auto& r : d.destinatari) {
    auto n = head.append_child("destinatari");
    n.append_attribute("tipo") = "certificato";
    n.text().set(r.c_str());
  }
  for (const auto& r : d.esterni) {
    auto n = head.append_child("destinatari");
    n.append_attribute("tipo") = "esterno";
    n.text().set(r.c_str());
  }
  head.append_child("risposte").text().set((d.risposte.empty() ? d.mittente : d.risposte).c_str());
  head.append_child("oggetto").text().set(d.oggetto.c_str());
  auto data = root.append_child("dati");
  data.append_child("gestore-emittente").text().set(d.gestore.c_str());
  auto when = data.append_child("data");
  when.append_attribute("zona") = d.zona.c_str();
  when.append_child("giorno").text().set(d.giorno.c_str());
  when.append_child("ora").text().set(d.ora.c_str());
  data.append_child("identificativo").text().set(d.identificativo.c_str());
  if (!d.msgid.empty()) data.append_child("msgid").text().set(d.msgid.c_str());
  if (!d.ricevuta.empty()) data.append_child("ricevuta").append_attribute("tipo") = d.ricevuta.c_str();
  if (!d.consegna.empty()) data.append_child("consegna").text().set(d.consegna.c_str());
  if (!d.errore_esteso.empty()) data.append_child("errore-esteso").text().set(d.errore_esteso.c_str());
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

namespace {
std::string text_and_daticert(const std::string& boundary, const std::string& text, const Daticert& d) {
  std::string entity = "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  entity += "--" + boundary +
            "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  entity += base64_lines(text);
  entity += "--" + boundary +
            "\r\nContent-Type: application/xml; name=\"daticert.xml\"\r\nContent-Disposition: inline; "
            "filename=\"daticert.xml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  entity += base64_lines(daticert_xml(d));
  return entity;
}
}  // namespace

Result<Receipt> read_receipt(std::string_view message, std::string_view trusted_pem) {
  auto verified = crypto::smime_verify(message, trusted_pem);
  if (!verified) return verified.error();
  auto outer = parse_entity(message, true);
  auto inner = parse_entity(verified->content, false);
  if (!outer || !inner) return Error::make("pec.no_daticert", 422);
  auto xml = find_daticert(inner.get());
  if (!xml) return Error::make("pec.no_daticert", 422);
  auto data = parse_daticert(*xml);
  if (!data) return data.error();
  Receipt r{std::move(*data), trim_ws(header_of(outer.get(), "X-Ricevuta")),
            trim_ws(header_of(outer.get(), "X-Riferimento-Message-ID")), verified->signer_subject};
  // The headers are outside the signature: they must say what the signed data says, or be ignored.
  if (!r.x_ricevuta.empty() && r.x_ricevuta != to_string(r.data.kind))
    return Error::make("pec.mismatch", 422, "X-Ricevuta");
  if (!r.references.empty() && !r.data.msgid.empty() && r.references != r.data.msgid)
    return Error::make("pec.mismatch", 422, "X-Riferimento-Message-ID");
  return r;
}

Result<std::string> write_receipt(const Daticert& d, const std::string& from, const std::string& to,
                                  const crypto::SigningIdentity& provider) {
  const std::string boundary = "pec-" + ids::random_token(12);
  std::string prefix;
  for (const auto& e : kKinds)
    if (e.kind == d.kind) prefix = e.subject_prefix;
  // The human text a provider puts first: the rules fix its content (date, subject, sender, recipient,
  // identifier), each provider its wording.
  std::string text = std::string(prefix) + d.oggetto + "\r\n\r\nIl giorno " + d.giorno + " alle ore " +
                     d.ora + " (" + d.zona + ") il messaggio \"" + d.oggetto + "\" proveniente da \"" +
                     d.mittente + "\" ed indirizzato a \"" + (d.consegna.empty() ? to : d.consegna) +
                     "\" e' stato trattato dal gestore " + d.gestore +
                     ".\r\nIdentificativo: " + d.identificativo + "\r\n";
  if (!d.errore_esteso.empty()) text += "Errore: " + d.errore_esteso + "\r\n";
  std::string entity = text_and_daticert(boundary, text, d);
  entity += "--" + boundary + "--\r\n";
  auto signed_body = crypto::smime_sign(entity, provider);
  if (!signed_body) return signed_body.error();
  std::string headers = "From: " + from + "\r\nTo: " + to +
                        "\r\nSubject: " + messaging::encode_header_word(std::string(prefix) + d.oggetto) +
                        "\r\nMessage-ID: <" + d.identificativo +
                        ">\r\nX-Ricevuta: " + std::string(to_string(d.kind)) + "\r\n";
  if (!d.msgid.empty()) headers += "X-Riferimento-Message-ID: " + d.msgid + "\r\n";
  return headers + *signed_body;  // SMIME_write_CMS begins with MIME-Version and the Content-Type
}

Result<std::string> write_envelope(const Daticert& d, std::string_view original, const std::string& from,
                                   const std::string& to, const crypto::SigningIdentity& provider) {
  const std::string boundary = "pec-" + ids::random_token(12);
  const std::string text =
      "Messaggio di posta certificata\r\n\r\nIl giorno " + d.giorno + " alle ore " + d.ora + " (" + d.zona +
      ") il messaggio \"" + d.oggetto + "\" e' stato inviato da \"" + d.mittente + "\" indirizzato a: " + to +
      "\r\nIl messaggio originale e' incluso in allegato.\r\nIdentificativo messaggio: " + d.identificativo +
      "\r\n";
  std::string entity = text_and_daticert(boundary, text, d);
  entity += "--" + boundary +
            "\r\nContent-Type: message/rfc822; name=\"postacert.eml\"\r\nContent-Disposition: inline; "
            "filename=\"postacert.eml\"\r\n\r\n";
  // As it was sent (RFC 2046 §5.2.1: a message/rfc822 part is never base64): the hub's messages are 7-bit.
  entity.append(original);
  if (!entity.empty() && entity.back() != '\n') entity += "\r\n";
  entity += "--" + boundary + "--\r\n";
  auto signed_body = crypto::smime_sign(entity, provider);
  if (!signed_body) return signed_body.error();
  std::string headers = "From: " + messaging::encode_header_word("Per conto di: " + d.mittente) + " <" +
                        from + ">\r\nReply-To: " + d.mittente + "\r\nTo: " + to +
                        "\r\nSubject: " + messaging::encode_header_word("POSTA CERTIFICATA: " + d.oggetto) +
                        "\r\nMessage-ID: <" + d.identificativo + ">\r\nX-Trasporto: posta-certificata\r\n";
  if (!d.msgid.empty()) headers += "X-Riferimento-Message-ID: " + d.msgid + "\r\n";
  return headers + *signed_body;
}

namespace {
// The postacert.eml part (base64 message/rfc822 leaf, or a message part GMime built).
std::optional<std::string> find_postacert(GMimeObject* o) {
  if (GMIME_IS_MULTIPART(o)) {
    auto* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
      if (auto found = find_postacert(g_mime_multipart_get_part(mp, i))) return found;
    return std::nullopt;
  }
  if (GMIME_IS_MESSAGE_PART(o)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
    if (inner == nullptr) return std::nullopt;
    char* text = g_mime_object_to_string(GMIME_OBJECT(inner), nullptr);
    std::string out = text ? text : "";
    g_free(text);
    return out;
  }
  if (!GMIME_IS_PART(o)) return std::nullopt;
  const char* name = g_mime_part_get_filename(GMIME_PART(o));
  if (name == nullptr || std::string_view(name) != "postacert.eml") return std::nullopt;
  return part_content(GMIME_PART(o));
}

void collect_files(GMimeObject* o, std::vector<MailFile>& out) {
  if (GMIME_IS_MULTIPART(o)) {
    auto* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
      collect_files(g_mime_multipart_get_part(mp, i), out);
    return;
  }
  if (!GMIME_IS_PART(o)) return;
  const char* name = g_mime_part_get_filename(GMIME_PART(o));
  if (name == nullptr) return;
  GMimeContentType* type = g_mime_object_get_content_type(o);
  char* mime = type ? g_mime_content_type_get_mime_type(type) : nullptr;
  out.push_back({name, mime ? mime : "application/octet-stream", part_content(GMIME_PART(o))});
  g_free(mime);
}
}  // namespace

Result<Envelope> read_envelope(std::string_view message, std::string_view trusted_pem) {
  auto verified = crypto::smime_verify(message, trusted_pem);
  if (!verified) return verified.error();
  auto inner = parse_entity(verified->content, false);
  if (!inner) return Error::make("pec.no_daticert", 422);
  auto xml = find_daticert(inner.get());
  if (!xml) return Error::make("pec.no_daticert", 422);
  auto data = parse_daticert(*xml);
  if (!data) return data.error();
  if (data->kind != ReceiptKind::posta_certificata)
    return Error::make("pec.not_certified_mail", 422, "receipt");
  auto original = find_postacert(inner.get());
  if (!original) return Error::make("pec.not_certified_mail", 422, "postacert.eml");
  return Envelope{std::move(*data), std::move(*original), verified->signer_subject};
}

Result<ReadMail> read_mail(std::string_view message) {
  auto m = parse_entity(message, true);
  if (!m) return Error::make("pec.mail", 422);
  auto* msg = GMIME_MESSAGE(m.get());
  ReadMail out;
  InternetAddressList* from = g_mime_message_get_from(msg);
  if (from != nullptr && internet_address_list_length(from) > 0) {
    InternetAddress* a = internet_address_list_get_address(from, 0);
    if (INTERNET_ADDRESS_IS_MAILBOX(a))
      out.from = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
  }
  if (const char* subj = g_mime_message_get_subject(msg)) out.subject = subj;
  if (const char* id = g_mime_message_get_message_id(msg)) out.message_id = std::string("<") + id + ">";
  if (GMimeObject* body = g_mime_message_get_mime_part(msg)) collect_files(body, out.files);
  return out;
}

}  // namespace sp::pec
