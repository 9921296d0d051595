#include "protocollo/segnatura.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <pugixml.hpp>
#include <regex>
#include <sstream>

#include "core/crypto/encoding.hpp"
#include "core/time.hpp"

namespace sp::protocollo {
namespace segnatura_detail {
namespace {

constexpr const char* kRegistryCode = "PROTOCOLLO";  // CodiceRegistro: the AOO's general register

bool all_digits(const std::string& s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool is_codice_fiscale(const std::string& s) {
  static const std::regex re(
      "[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]");
  return s.size() == 16 && std::regex_match(s, re);
}

void text(pugi::xml_node parent, const char* tag, const std::string& value) {
  parent.append_child(tag).text().set(value.c_str());
}

void contacts(pugi::xml_node parent, const char* tag, const std::string& pec, const std::string& email) {
  if (pec.empty() && email.empty()) return;
  auto c = parent.append_child(tag);
  if (!pec.empty()) {
    auto a = c.append_child("prot:IndirizzoTelematico");
    a.append_attribute("prot:tipo") = "smtp";
    a.append_attribute("prot:note") = "pec";
    a.text().set(pec.c_str());
  }
  if (!email.empty()) {
    auto a = c.append_child("prot:IndirizzoTelematico");
    a.append_attribute("prot:tipo") = "smtp";
    a.text().set(email.c_str());
  }
}

void person(pugi::xml_node parent, const Correspondent& c) {
  auto n = parent.append_child("prot:PersonaFisica");
  const auto cut = c.name.find_last_of(' ');
  text(n, "prot:Nome", cut == std::string::npos ? std::string() : c.name.substr(0, cut));
  text(n, "prot:Cognome", cut == std::string::npos ? c.name : c.name.substr(cut + 1));
  if (is_codice_fiscale(c.fiscal_code)) text(n, "prot:CodiceFiscale", c.fiscal_code);
  contacts(n, "prot:Contatti", c.pec, c.email);
}

void party(pugi::xml_node parent, const Correspondent& c) {
  switch (c.kind) {
    case CorrespondentKind::body: {
      auto n = parent.append_child("prot:Amministrazione");
      text(n, "prot:DenominazioneAmministrazione", c.name);
      if (all_digits(c.fiscal_code, 11)) text(n, "prot:CFAmministrazione", c.fiscal_code);
      text(n, "prot:CodiceIPAAmministrazione", c.ipa_code);
      if (c.aoo_code.empty()) {
        contacts(n, "prot:ContattiAmministrazione", c.pec, c.email);
      } else {
        text(n, "prot:CodiceIPAAOO", c.aoo_code);
        contacts(n, "prot:ContattiAOO", c.pec, c.email);
      }
      return;
    }
    case CorrespondentKind::business: {
      auto n = parent.append_child("prot:PersonaGiuridica");
      text(n, "prot:Denominazione", c.name);
      if (all_digits(c.fiscal_code, 11)) text(n, "prot:PIVAoCF", c.fiscal_code);
      contacts(n, "prot:ContattiPersonaGiuridica", c.pec, c.email);
      return;
    }
    case CorrespondentKind::person:
      person(parent, c);
      return;
  }
}

void own_office(pugi::xml_node parent, const Entry& e, const OwnOffice& own) {
  auto n = parent.append_child("prot:Amministrazione");
  text(n, "prot:DenominazioneAmministrazione", own.body_name.empty() ? e.admin_code : own.body_name);
  if (all_digits(own.body_fiscal_code, 11)) text(n, "prot:CFAmministrazione", own.body_fiscal_code);
  text(n, "prot:CodiceIPAAmministrazione", e.admin_code);
  auto aoo = n.append_child("prot:CodiceIPAAOO");
  aoo.text().set(e.aoo_code.c_str());
  if (!own.aoo_name.empty()) aoo.append_attribute("prot:descrizione") = own.aoo_name.c_str();
  contacts(n, "prot:ContattiAOO", own.pec, "");
}

void document(pugi::xml_node parent, const char* tag, const Document& d) {
  auto n = parent.append_child(tag);
  n.append_attribute("prot:nomeFile") = d.file_name.c_str();
  n.append_attribute("prot:mimeType") = d.mime_type.c_str();
  auto imp = n.append_child("prot:Impronta");
  imp.append_attribute("prot:algoritmo") = "SHA-256";
  imp.text().set(crypto::base64_encode(crypto::hex_decode(d.sha256).value_or("")).c_str());
}

void identificatore(pugi::xml_node parent, const RegistrationId& id, const std::string& time_of_day) {
  text(parent, "prot:CodiceAmministrazione", id.admin_code);
  text(parent, "prot:CodiceAOO", id.aoo_code);
  text(parent, "prot:CodiceRegistro", id.registry);
  text(parent, "prot:NumeroRegistrazione", id.number);
  text(parent, "prot:DataRegistrazione", id.date);
  if (!time_of_day.empty()) text(parent, "prot:OraRegistrazione", time_of_day);
}

std::string save(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

pugi::xml_node root_of(pugi::xml_document& doc, const char* tag, const char* ns_prefix, const char* ns) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child(tag);
  root.append_attribute(ns_prefix) = ns;
  return root;
}

// --- reading (libxml2: namespace-aware) -----------------------------------------------------------

const xmlChar* X(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

Result<Doc> parse(std::string_view xml) {
  if (xml.size() > 64u * 1024 * 1024) return Error::make("segnatura.content", 422, "too large");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "segnatura.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc || doc->intSubset != nullptr || xmlDocGetRootElement(doc.get()) == nullptr)
    return Error::make("segnatura.content", 422, "not well-formed, or a DOCTYPE");
  return doc;
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr && xmlStrEqual(n->ns->href, X(ns)) &&
         xmlStrEqual(n->name, X(name));
}

xmlNode* kid(xmlNode* parent, const char* name, const char* ns = kSegnaturaNamespace) {
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next)
    if (is(c, ns, name)) return c;
  return nullptr;
}

std::vector<xmlNode*> kids(xmlNode* parent, const char* name, const char* ns = kSegnaturaNamespace) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next)
    if (is(c, ns, name)) out.push_back(c);
  return out;
}

std::string content(xmlNode* n) {
  if (n == nullptr) return {};
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(v));
  xmlFree(v);
  // Trim: the schema's strings may arrive indented.
  const auto b = out.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(" \t\r\n") - b + 1);
}

std::string nsattr(xmlNode* n, const char* name) {
  if (n == nullptr) return {};
  xmlChar* v = xmlGetNsProp(n, X(name), X(kSegnaturaNamespace));
  if (v == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

RegistrationId read_id(xmlNode* n) {
  RegistrationId id;
  id.admin_code = content(kid(n, "CodiceAmministrazione"));
  id.aoo_code = content(kid(n, "CodiceAOO"));
  id.registry = content(kid(n, "CodiceRegistro"));
  id.number = content(kid(n, "NumeroRegistrazione"));
  id.date = content(kid(n, "DataRegistrazione"));
  return id;
}

void read_contacts(xmlNode* contatti, Correspondent& c) {
  for (xmlNode* a : kids(contatti, "IndirizzoTelematico")) {
    const auto address = content(a);
    if (nsattr(a, "note") == "pec" && c.pec.empty()) {
      c.pec = address;
    } else if (c.email.empty() && (nsattr(a, "tipo").empty() || nsattr(a, "tipo") == "smtp")) {
      c.email = address;
    }
  }
}

Correspondent read_party(xmlNode* soggetto) {
  Correspondent c;
  if (xmlNode* a = kid(soggetto, "Amministrazione")) {
    c.kind = CorrespondentKind::body;
    c.name = content(kid(a, "DenominazioneAmministrazione"));
    c.fiscal_code = content(kid(a, "CFAmministrazione"));
    c.ipa_code = content(kid(a, "CodiceIPAAmministrazione"));
    c.aoo_code = content(kid(a, "CodiceIPAAOO"));
    read_contacts(kid(a, "ContattiAmministrazione"), c);
    read_contacts(kid(a, "ContattiAOO"), c);
  } else if (xmlNode* g = kid(soggetto, "PersonaGiuridica")) {
    c.kind = CorrespondentKind::business;
    c.name = content(kid(g, "Denominazione"));
    c.fiscal_code = content(kid(g, "PIVAoCF"));
    read_contacts(kid(g, "ContattiPersonaGiuridica"), c);
  } else if (xmlNode* p = kid(soggetto, "PersonaFisica")) {
    c.kind = CorrespondentKind::person;
    const auto nome = content(kid(p, "Nome"));
    const auto cognome = content(kid(p, "Cognome"));
    c.name = nome.empty() ? cognome : nome + " " + cognome;
    c.fiscal_code = content(kid(p, "CodiceFiscale"));
    read_contacts(kid(p, "Contatti"), c);
  } else if (xmlNode* f = kid(soggetto, "AmministrazioneEstera")) {
    c.kind = CorrespondentKind::body;
    c.name = content(kid(f, "DenominazioneAmministrazione"));
    read_contacts(kid(f, "ContattiAmministrazione"), c);
  }
  return c;
}

std::string path_levels(xmlNode* path) {
  std::string out;
  for (xmlNode* n = path; n != nullptr; n = kid(n, "SubLivello")) {
    if (!out.empty()) out += ".";
    out += content(kid(n, "Livello"));
  }
  return out;
}

struct SchemaSink {
  std::string first;
};
void schema_error(void* ctx, const char* fmt, ...) {  // NOLINT(cert-dcl50-cpp): libxml2's callback type
  auto* sink = static_cast<SchemaSink*>(ctx);
  if (!sink->first.empty()) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  sink->first = buf;
  while (!sink->first.empty() && (sink->first.back() == '\n' || sink->first.back() == ' '))
    sink->first.pop_back();
}

void* load_schema(const std::string& path, std::string& problem) {
  xmlSchemaParserCtxtPtr ctxt = xmlSchemaNewParserCtxt(path.c_str());
  if (ctxt == nullptr) {
    problem = path;
    return nullptr;
  }
  SchemaSink sink;
  xmlSchemaSetParserErrors(ctxt, schema_error, schema_error, &sink);
  xmlSchemaPtr schema = xmlSchemaParse(ctxt);
  xmlSchemaFreeParserCtxt(ctxt);
  if (schema == nullptr) problem = path + ": " + (sink.first.empty() ? "unreadable" : sink.first);
  return schema;
}

Status validate_with(void* schema, std::string_view xml) {
  auto doc = parse(xml);
  if (!doc) return Error::make("segnatura.schema", 422, doc.error().detail);
  xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(schema));
  if (v == nullptr) return Error::make("segnatura.schema_missing", 500, "validation context");
  SchemaSink sink;
  xmlSchemaSetValidErrors(v, schema_error, schema_error, &sink);
  const int rc = xmlSchemaValidateDoc(v, doc->get());
  xmlSchemaFreeValidCtxt(v);
  if (rc != 0) return Error::make("segnatura.schema", 422, sink.first.empty() ? "invalid" : sink.first);
  return Ok{};
}

}  // namespace
}  // namespace segnatura_detail
// (Used inside each function below, never at namespace scope: the unity build puts this module's
// sources in one translation unit, where a namespace-scope using-directive would reach the others.)

RegistrationId registration_id(const Entry& e) {
  using namespace segnatura_detail;
  return RegistrationId{e.admin_code, e.aoo_code, kRegistryCode, format_number(e.number),
                        time::format_iso_date(time::rome_date(e.registered_at))};
}

Result<std::string> segnatura_unsigned(const Entry& e, const OwnOffice& own) {
  using namespace segnatura_detail;
  const auto primary = std::find_if(e.documents.begin(), e.documents.end(),
                                    [](const Document& d) { return d.role == DocumentRole::primary; });
  if (primary == e.documents.end()) return Error::make("protocollo.segnatura_documents", 409, e.id);
  pugi::xml_document doc;
  auto root = root_of(doc, "prot:SegnaturaInformatica", "xmlns:prot", kSegnaturaNamespace);
  root.append_attribute("prot:versione") = "3.0.0";
  root.append_attribute("prot:lang") = "it";

  auto head = root.append_child("prot:Intestazione");
  identificatore(head.append_child("prot:Identificatore"), registration_id(e),
                 time::format_rome(e.registered_at, "%H:%M:%S%Ez"));
  text(head, "prot:Oggetto", e.subject);
  auto classifica = head.append_child("prot:Classifica");
  text(classifica, "prot:Denominazione", e.classification);
  text(classifica, "prot:CodiceFlat", e.classification);
  if (!e.fascicolo.empty()) {
    auto f = head.append_child("prot:Fascicolo");
    text(f, "prot:Denominazione", e.fascicolo);
    text(f, "prot:CodiceFascicolo", e.fascicolo);
  }

  auto desc = root.append_child("prot:Descrizione");
  if (e.direction == Direction::incoming) {
    if (!e.correspondents.empty()) party(desc.append_child("prot:Mittente"), e.correspondents.front());
    own_office(desc.append_child("prot:Destinatario"), e, own);
  } else {
    own_office(desc.append_child("prot:Mittente"), e, own);
    for (const auto& c : e.correspondents) party(desc.append_child("prot:Destinatario"), c);
  }
  document(desc, "prot:DocumentoPrimario", *primary);
  for (const auto& d : e.documents)
    if (d.role == DocumentRole::attachment) document(desc, "prot:Allegato", d);
  return save(doc);
}

Result<ReadSegnatura> read_segnatura(std::string_view xml) {
  using namespace segnatura_detail;
  auto doc = parse(xml);
  if (!doc) return doc.error();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!is(root, kSegnaturaNamespace, "SegnaturaInformatica"))
    return Error::make("segnatura.content", 422, "not a SegnaturaInformatica");
  ReadSegnatura out;
  xmlNode* head = kid(root, "Intestazione");
  out.id = read_id(kid(head, "Identificatore"));
  out.subject = content(kid(head, "Oggetto"));
  xmlNode* classifica = kid(head, "Classifica");
  if (xmlNode* flat = kid(classifica, "CodiceFlat")) {
    out.classification = content(flat);
  } else {
    out.classification = path_levels(kid(classifica, "CodicePath"));
  }
  out.fascicolo = content(kid(kid(head, "Fascicolo"), "CodiceFascicolo"));
  xmlNode* desc = kid(root, "Descrizione");
  out.sender = read_party(kid(desc, "Mittente"));
  for (xmlNode* d : kids(desc, "Destinatario")) out.recipients.push_back(read_party(d));
  auto add_document = [&](xmlNode* n, DocumentRole role) -> Status {
    xmlNode* imp = kid(n, "Impronta");
    auto alg = nsattr(imp, "algoritmo");
    if (!alg.empty() && alg != "SHA-256")
      return Error::make("segnatura.content", 422, "digest algorithm " + alg);
    auto bytes = crypto::base64_decode(content(imp));
    if (!bytes || bytes->size() != 32) return Error::make("segnatura.content", 422, "Impronta");
    out.documents.push_back({role, nsattr(n, "nomeFile"), nsattr(n, "mimeType"), crypto::hex_encode(*bytes)});
    return Ok{};
  };
  if (auto st = add_document(kid(desc, "DocumentoPrimario"), DocumentRole::primary); !st) return st.error();
  for (xmlNode* a : kids(desc, "Allegato"))
    if (auto st = add_document(a, DocumentRole::attachment); !st) return st.error();
  return out;
}

std::string service_message_xml(const ServiceMessage& m) {
  using namespace segnatura_detail;
  pugi::xml_document doc;
  const char* tag = m.kind == ServiceMessageKind::conferma_ricezione   ? "pec:ConfermaRicezione"
                    : m.kind == ServiceMessageKind::notifica_eccezione ? "pec:NotificaEccezione"
                                                                       : "pec:AnnullamentoProtocollazione";
  auto root = root_of(doc, tag, "xmlns:pec", kPecMessageNamespace);
  root.append_attribute("xmlns:prot") = kSegnaturaNamespace;
  root.append_attribute("pec:versione") = "3.0.0";
  root.append_attribute("pec:lang") = "it";
  if (m.identificatore) identificatore(root.append_child("pec:Identificatore"), *m.identificatore, "");
  if (m.kind != ServiceMessageKind::annullamento) {
    auto received = root.append_child("pec:MessaggioRicevuto");
    if (m.received) {
      identificatore(received.append_child("pec:Identificatore"), *m.received, "");
    } else {
      text(received, "pec:DescrizioneMessaggio", m.received_description);
    }
  }
  if (m.kind != ServiceMessageKind::conferma_ricezione) text(root, "pec:Motivo", m.reason);
  if (m.kind == ServiceMessageKind::annullamento) text(root, "pec:Provvedimento", m.act);
  return save(doc);
}

Result<ServiceMessage> read_service_message(std::string_view xml) {
  using namespace segnatura_detail;
  auto doc = parse(xml);
  if (!doc) return doc.error();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  ServiceMessage m;
  if (is(root, kPecMessageNamespace, "ConfermaRicezione")) {
    m.kind = ServiceMessageKind::conferma_ricezione;
  } else if (is(root, kPecMessageNamespace, "NotificaEccezione")) {
    m.kind = ServiceMessageKind::notifica_eccezione;
  } else if (is(root, kPecMessageNamespace, "AnnullamentoProtocollazione")) {
    m.kind = ServiceMessageKind::annullamento;
  } else {
    return Error::make("segnatura.content", 422, "not a service message");
  }
  if (xmlNode* id = kid(root, "Identificatore", kPecMessageNamespace)) m.identificatore = read_id(id);
  if (xmlNode* r = kid(root, "MessaggioRicevuto", kPecMessageNamespace)) {
    if (xmlNode* id = kid(r, "Identificatore", kPecMessageNamespace)) m.received = read_id(id);
    m.received_description = content(kid(r, "DescrizioneMessaggio", kPecMessageNamespace));
  }
  m.reason = content(kid(root, "Motivo", kPecMessageNamespace));
  m.act = content(kid(root, "Provvedimento", kPecMessageNamespace));
  return m;
}

Result<std::shared_ptr<const AgidSchemas>> AgidSchemas::load(const std::string& dir) {
  using namespace segnatura_detail;
  xmlInitParser();
  std::shared_ptr<AgidSchemas> s(new AgidSchemas());
  std::string problem;
  s->segnatura_ = load_schema(dir + "/segnatura_protocollo.xsd", problem);
  if (s->segnatura_ == nullptr) return Error::make("segnatura.schema_missing", 500, problem);
  s->pec_ = load_schema(dir + "/pec_message.xsd", problem);
  if (s->pec_ == nullptr) return Error::make("segnatura.schema_missing", 500, problem);
  return std::shared_ptr<const AgidSchemas>(std::move(s));
}

AgidSchemas::~AgidSchemas() {
  using namespace segnatura_detail;
  if (segnatura_ != nullptr) xmlSchemaFree(static_cast<xmlSchemaPtr>(segnatura_));
  if (pec_ != nullptr) xmlSchemaFree(static_cast<xmlSchemaPtr>(pec_));
}

Status AgidSchemas::validate_segnatura(std::string_view xml) const {
  return segnatura_detail::validate_with(segnatura_, xml);
}

Status AgidSchemas::validate_service_message(std::string_view xml) const {
  return segnatura_detail::validate_with(pec_, xml);
}

}  // namespace sp::protocollo
