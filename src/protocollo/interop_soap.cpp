#include "protocollo/interop_soap.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "core/crypto/encoding.hpp"

namespace sp::protocollo::soap {
namespace interop_soap_detail {
namespace {

const xmlChar* X(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

Error bad(std::string detail) {
  return Error::make("soap.format", 422, std::move(detail));
}

Result<Doc> parse(std::string_view xml) {
  if (xml.size() > 64u * 1024 * 1024) return bad("too large");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "soap.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
  if (!doc || doc->intSubset != nullptr || xmlDocGetRootElement(doc.get()) == nullptr)
    return bad("not well-formed, or a DOCTYPE");
  return doc;
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr && xmlStrEqual(n->ns->href, X(ns)) &&
         (name == nullptr || xmlStrEqual(n->name, X(name)));
}

xmlNode* first_element(xmlNode* parent) {
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return nullptr;
}

// A child by namespace and name; ns nullptr: an unqualified child (a Fault's faultstring).
xmlNode* kid(xmlNode* parent, const char* ns, const char* name) {
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
    if (ns == nullptr) {
      if (c->type == XML_ELEMENT_NODE && c->ns == nullptr && xmlStrEqual(c->name, X(name))) return c;
    } else if (is(c, ns, name)) {
      return c;
    }
  }
  return nullptr;
}

std::string content(xmlNode* n) {
  if (n == nullptr) return {};
  xmlChar* c = xmlNodeGetContent(n);
  std::string out = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return out;
}

std::string attr(xmlNode* n, const char* name, const char* ns) {
  xmlChar* v = ns ? xmlGetNsProp(n, X(name), X(ns)) : xmlGetNoNsProp(n, X(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"" +
         std::string(kEnvelopeNs) + "\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>\n";
}

std::string identificatore(const char* element, const RegistrationId& id) {
  return std::string("<") + element + "><prot:CodiceAmministrazione>" + esc(id.admin_code) +
         "</prot:CodiceAmministrazione><prot:CodiceAOO>" + esc(id.aoo_code) +
         "</prot:CodiceAOO><prot:CodiceRegistro>" + esc(id.registry) +
         "</prot:CodiceRegistro><prot:NumeroRegistrazione>" + esc(id.number) +
         "</prot:NumeroRegistrazione><prot:DataRegistrazione>" + esc(id.date) +
         "</prot:DataRegistrazione></" + element + ">";
}

RegistrationId read_id(xmlNode* n) {
  RegistrationId id;
  id.admin_code = content(kid(n, kSegnaturaNamespace, "CodiceAmministrazione"));
  id.aoo_code = content(kid(n, kSegnaturaNamespace, "CodiceAOO"));
  id.registry = content(kid(n, kSegnaturaNamespace, "CodiceRegistro"));
  id.number = content(kid(n, kSegnaturaNamespace, "NumeroRegistrazione"));
  id.date = content(kid(n, kSegnaturaNamespace, "DataRegistrazione"));
  return id;
}

// The first element of the Body, or soap.format.
Result<xmlNode*> body_of(xmlDoc* doc) {
  xmlNode* env = xmlDocGetRootElement(doc);
  if (!is(env, kEnvelopeNs, "Envelope")) return bad("not a SOAP 1.1 envelope");
  xmlNode* body = kid(env, kEnvelopeNs, "Body");
  xmlNode* op = first_element(body);
  if (op == nullptr) return bad("empty Body");
  return op;
}

std::string dump(xmlDoc* doc) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
  xmlFree(mem);
  return out;
}

std::string strip_ws(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out += c;
  return out;
}

}  // namespace
}  // namespace interop_soap_detail

std::string inoltro_anomaly(const std::string& code) {
  if (code.rfind("xades.", 0) == 0) return "001_ValidazioneFirma";
  if (code == "segnatura.digest") return "002_AnomaliaImpronte";
  return "";
}

std::string conferma_anomaly(const std::string& code) {
  if (code.rfind("xades.", 0) == 0) return "004_DocumentoAllegatiErroreValidazioneFirma";
  if (code == "segnatura.digest" || code.rfind("files.", 0) == 0) return "003_DocumentoAllegatiNonLeggibili";
  return "000_Irricevibile";
}

Result<std::string> messaggio_inoltro(std::string_view signed_segnatura, const std::vector<WireFile>& files) {
  using namespace interop_soap_detail;
  constexpr std::string_view open = "<prot:SegnaturaInformatica";
  constexpr std::string_view close = "</prot:SegnaturaInformatica>";
  const auto at = signed_segnatura.find(open);
  const auto end = signed_segnatura.rfind(close);
  if (at == std::string_view::npos || end == std::string_view::npos || end < at)
    return bad("not a segnatura of this hub");
  std::string seg = "<msgprot:Segnatura";
  seg.append(signed_segnatura.substr(at + open.size(), end - at - open.size()));
  seg += "</msgprot:Segnatura>";
  std::string body = "<tns:RequestMessageInoltro xmlns:tns=\"" + std::string(kDestinatarioNs) +
                     "\" xmlns:msgprot=\"" + kMessaggiNs + "\">" + seg;
  for (const auto& f : files)
    body += "<msgprot:File msgprot:nomeFile=\"" + esc(f.file_name) + "\" msgprot:mimeType=\"" +
            esc(f.mime_type) + "\">" + crypto::base64_encode(f.bytes) + "</msgprot:File>";
  body += "</tns:RequestMessageInoltro>";
  return envelope(body);
}

Result<Inoltro> read_messaggio_inoltro(std::string_view text) {
  using namespace interop_soap_detail;
  auto doc = parse(text);
  if (!doc) return doc.error();
  auto op = body_of(doc->get());
  if (!op) return op.error();
  if (!is(*op, kDestinatarioNs, "RequestMessageInoltro")) return bad("not RequestMessageInoltro");
  xmlNode* seg = kid(*op, kMessaggiNs, "Segnatura");
  if (seg == nullptr) return bad("no Segnatura");
  // The segnatura as its own document: the same node, renamed in the prefix its content uses.
  Doc out(xmlNewDoc(X("1.0")));
  xmlNode* root = xmlDocCopyNode(seg, out.get(), 1);
  if (root == nullptr) return bad("Segnatura");
  xmlDocSetRootElement(out.get(), root);
  xmlNs* prot = xmlSearchNsByHref(out.get(), root, X(kSegnaturaNamespace));
  for (xmlNode* c = root->children; prot == nullptr && c != nullptr; c = c->next)
    if (is(c, kSegnaturaNamespace, nullptr)) prot = c->ns;
  if (prot == nullptr) return bad("Segnatura without the segnatura's namespace");
  xmlSetNs(root, prot);
  xmlNodeSetName(root, X("SegnaturaInformatica"));
  xmlReconciliateNs(out.get(), root);
  Inoltro in;
  in.segnatura = dump(out.get());
  for (xmlNode* c = (*op)->children; c != nullptr; c = c->next) {
    if (!is(c, kMessaggiNs, "File")) continue;
    auto bytes = crypto::base64_decode(strip_ws(content(c)));
    if (!bytes) return bad("File not base64");
    in.files.push_back(
        {attr(c, "nomeFile", kMessaggiNs), attr(c, "mimeType", kMessaggiNs), std::move(*bytes)});
  }
  return in;
}

std::string response_inoltro(const RegistrationId& mittente, const std::string& anomaly,
                             const std::string& info) {
  using namespace interop_soap_detail;
  std::string body = "<tns:ResponseMessageInoltro xmlns:tns=\"" + std::string(kDestinatarioNs) +
                     "\" xmlns:prot=\"" + kSegnaturaNamespace + "\">" +
                     identificatore("tns:IdentificatoreMittente", mittente);
  if (!anomaly.empty())
    body += "<tns:Anomalia info=\"" + esc(info) + "\">" + esc(anomaly) + "</tns:Anomalia>";
  return envelope(body + "</tns:ResponseMessageInoltro>");
}

std::string conferma_inoltro(const RegistrationId& mittente,
                             const std::optional<RegistrationId>& destinatario, const std::string& anomaly,
                             const std::string& info) {
  using namespace interop_soap_detail;
  std::string body = "<tns:RequestConfermaMessaggioInoltro xmlns:tns=\"" + std::string(kMittenteNs) +
                     "\" xmlns:prot=\"" + kSegnaturaNamespace + "\">" +
                     identificatore("tns:IdentificatoreMittente", mittente);
  if (destinatario)
    body += identificatore("tns:IdentificatoreDestinatario", *destinatario);
  else
    body += "<tns:Anomalia info=\"" + esc(info) + "\">" + esc(anomaly) + "</tns:Anomalia>";
  return envelope(body + "</tns:RequestConfermaMessaggioInoltro>");
}

std::string response_conferma(const RegistrationId& mittente) {
  using namespace interop_soap_detail;
  return envelope("<tns:ResponseConfermaMessaggioInoltro xmlns:tns=\"" + std::string(kMittenteNs) +
                  "\" xmlns:prot=\"" + kSegnaturaNamespace + "\">" +
                  identificatore("tns:IdentificatoreMittente", mittente) +
                  "</tns:ResponseConfermaMessaggioInoltro>");
}

namespace interop_soap_detail {
namespace {

std::string annullamento(const char* element, const char* ns, const RegistrationId& mittente,
                         const RegistrationId& destinatario, const std::string& tail) {
  return envelope(std::string("<tns:") + element + " xmlns:tns=\"" + ns + "\" xmlns:prot=\"" +
                  kSegnaturaNamespace + "\">" + identificatore("tns:IdentificatoreMittente", mittente) +
                  identificatore("tns:IdentificatoreDestinatario", destinatario) + tail + "</tns:" + element +
                  ">");
}

std::string anomalia(const std::string& anomaly, const std::string& info) {
  if (anomaly.empty()) return {};
  return "<tns:Anomalia info=\"" + esc(info) + "\">" + esc(anomaly) + "</tns:Anomalia>";
}

}  // namespace
}  // namespace interop_soap_detail

std::string annullamento_mittente(const RegistrationId& mittente, const RegistrationId& destinatario,
                                  const std::string& riferimento, const std::string& note) {
  using namespace interop_soap_detail;
  return annullamento("RequestAnnullamentoInoltroMittente", kDestinatarioNs, mittente, destinatario,
                      "<tns:RiferimentoProvvedimento>" + esc(riferimento) +
                          "</tns:RiferimentoProvvedimento>" +
                          (note.empty() ? std::string() : "<tns:Note>" + esc(note) + "</tns:Note>"));
}

std::string annullamento_destinatario(const RegistrationId& mittente, const RegistrationId& destinatario,
                                      const std::string& riferimento, const std::string& note) {
  using namespace interop_soap_detail;
  return annullamento("RequestAnnullamentoInoltroDestinatario", kMittenteNs, mittente, destinatario,
                      "<tns:RiferimentoProvvedimento>" + esc(riferimento) +
                          "</tns:RiferimentoProvvedimento><tns:Note>" + esc(note) + "</tns:Note>");
}

std::string response_annullamento_mittente(const RegistrationId& mittente, const RegistrationId& destinatario,
                                           const std::string& anomaly, const std::string& info) {
  using namespace interop_soap_detail;
  return annullamento("ResponseAnnullamentoInoltroMittente", kDestinatarioNs, mittente, destinatario,
                      anomalia(anomaly, info));
}

std::string response_annullamento_destinatario(const RegistrationId& mittente,
                                               const RegistrationId& destinatario, const std::string& anomaly,
                                               const std::string& info) {
  using namespace interop_soap_detail;
  return annullamento("ResponseAnnullamentoInoltroDestinatario", kMittenteNs, mittente, destinatario,
                      anomalia(anomaly, info));
}

Result<Answer> read_answer(std::string_view text) {
  using namespace interop_soap_detail;
  auto doc = parse(text);
  if (!doc) return doc.error();
  auto op = body_of(doc->get());
  if (!op) return op.error();
  const char* ns = is(*op, kDestinatarioNs, nullptr) ? kDestinatarioNs
                   : is(*op, kMittenteNs, nullptr)   ? kMittenteNs
                                                     : nullptr;
  if (ns == nullptr) {
    if (is(*op, kEnvelopeNs, "Fault")) return bad("Fault: " + content(kid(*op, nullptr, "faultstring")));
    return bad("unknown operation");
  }
  Answer a;
  a.operation = reinterpret_cast<const char*>((*op)->name);
  xmlNode* m = kid(*op, ns, "IdentificatoreMittente");
  if (m == nullptr) return bad("no IdentificatoreMittente");
  a.mittente = read_id(m);
  if (xmlNode* d = kid(*op, ns, "IdentificatoreDestinatario")) a.destinatario = read_id(d);
  if (xmlNode* an = kid(*op, ns, "Anomalia")) {
    a.anomaly = content(an);
    a.info = attr(an, "info", nullptr);
  }
  a.riferimento = content(kid(*op, ns, "RiferimentoProvvedimento"));
  a.note = content(kid(*op, ns, "Note"));
  return a;
}

Result<adapters::HttpResponse> call(const std::string& url, const std::string& envelope) {
  adapters::HttpClient client;
  adapters::HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"\""}};
  r.body = envelope;
  return client.send(r);
}

std::string fault(bool client, const std::string& text) {
  using namespace interop_soap_detail;
  return envelope(std::string("<soapenv:Fault><faultcode>soapenv:") + (client ? "Client" : "Server") +
                  "</faultcode><faultstring>" + esc(text) + "</faultstring></soapenv:Fault>");
}

Result<std::string> body_element(std::string_view text) {
  using namespace interop_soap_detail;
  auto doc = parse(text);
  if (!doc) return doc.error();
  auto op = body_of(doc->get());
  if (!op) return op.error();
  Doc out(xmlNewDoc(X("1.0")));
  xmlNode* root = xmlDocCopyNode(*op, out.get(), 1);
  xmlDocSetRootElement(out.get(), root);
  xmlReconciliateNs(out.get(), root);
  return dump(out.get());
}

}  // namespace sp::protocollo::soap
