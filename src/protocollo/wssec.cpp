#include "protocollo/wssec.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "core/crypto/encoding.hpp"
#include "core/ids.hpp"

namespace sp::protocollo::wssec {
namespace wssec_detail {
namespace {

constexpr const char* kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kDsNs = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
constexpr const char* kBase64Binary =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr std::array kSignatureMethods = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                                          "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
                                          "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
                                          "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
                                          "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
                                          "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"};
constexpr std::array kDigestMethods = {"http://www.w3.org/2001/04/xmlenc#sha256",
                                       "http://www.w3.org/2001/04/xmldsig-more#sha384",
                                       "http://www.w3.org/2001/04/xmlenc#sha512"};

const xmlChar* X(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}
const xmlChar* X(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;
struct CtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
using DSigCtx = std::unique_ptr<xmlSecDSigCtx, CtxFree>;

Error structure(std::string detail) {
  return Error::make("soap_auth.structure", 401, std::move(detail));
}

// A call from outside: no DOCTYPE (no entities, no DTD-declared ids), no network.
Result<Doc> parse(std::string_view xml) {
  if (xml.size() > 64u * 1024 * 1024) return structure("too large");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "soap.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
  if (!doc || doc->intSubset != nullptr || xmlDocGetRootElement(doc.get()) == nullptr)
    return structure("not well-formed, or a DOCTYPE");
  return doc;
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr && xmlStrEqual(n->ns->href, X(ns)) &&
         xmlStrEqual(n->name, X(name));
}

std::vector<xmlNode*> elements(xmlNode* parent) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

std::vector<xmlNode*> children(xmlNode* parent, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c : elements(parent))
    if (is(c, ns, name)) out.push_back(c);
  return out;
}

// The one child so named; nullptr when there is none or more than one (`count` says how many).
xmlNode* only(xmlNode* parent, const char* ns, const char* name, std::size_t* count = nullptr) {
  auto all = children(parent, ns, name);
  if (count != nullptr) *count = all.size();
  return all.size() == 1 ? all.front() : nullptr;
}

std::string attr(xmlNode* n, const char* name, const char* ns = nullptr) {
  if (n == nullptr) return {};
  xmlChar* v = ns ? xmlGetNsProp(n, X(name), X(ns)) : xmlGetNoNsProp(n, X(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string text_of(xmlNode* n) {
  if (n == nullptr) return {};
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string trimmed(std::string s) {
  const auto blank = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t from = 0;
  while (from < s.size() && blank(s[from])) ++from;
  return s.substr(from);
}

std::string without_blanks(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  return s;
}

template <std::size_t N>
bool one_of(const std::string& v, const std::array<const char*, N>& allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}

xmlNs* ns_on(xmlNode* root, const char* href, const char* prefix) {
  if (xmlNs* found = xmlSearchNsByHref(root->doc, root, X(href))) return found;
  return xmlNewNs(root, X(href), X(prefix));
}

std::string dump(xmlDoc* doc) {
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");
  if (out == nullptr) return {};
  std::string text(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  xmlFree(out);
  return text;
}

}  // namespace
}  // namespace wssec_detail

Result<std::string> sign(std::string_view envelope, const xades::Signer& signer, const Stamp& stamp) {
  using namespace wssec_detail;
  xades::init_xmlsec();
  auto parsed = parse(envelope);
  if (!parsed) return Error::make("soap.format", 422, parsed.error().detail);
  xmlDoc* doc = parsed->get();
  xmlNode* env = xmlDocGetRootElement(doc);
  if (!is(env, kSoapNs, "Envelope")) return Error::make("soap.format", 422, "not a SOAP 1.1 envelope");
  xmlNode* body = only(env, kSoapNs, "Body");
  if (body == nullptr) return Error::make("soap.format", 422, "not one Body");
  auto cert = xades::certificate_info(signer.cert_pem);
  if (!cert) return Error::make("xades.key", 500, "certificate unreadable");

  xmlNs* soap = env->ns;
  xmlNs* wsu = ns_on(env, kWsuNs, "wsu");
  xmlNs* wsse = ns_on(env, kWsseNs, "wsse");
  xmlNs* wsa = ns_on(env, kWsaNs, "wsa");
  xmlNode* header = only(env, kSoapNs, "Header");
  if (header == nullptr) {
    header = xmlNewDocNode(doc, soap, X("Header"), nullptr);
    xmlAddPrevSibling(body, header);
  } else if (!children(header, kWsseNs, "Security").empty()) {
    return Error::make("soap.format", 422, "signed already");
  }
  const std::string suffix = ids::request_id(8);
  const auto set_id = [&](xmlNode* n, const std::string& id) {
    xmlAttr* a = xmlNewNsProp(n, wsu, X("Id"), X(id));
    return xmlAddID(nullptr, doc, X(id), a) != nullptr;
  };
  const std::string message_id = stamp.message_id.empty() ? "urn:uuid:" + ids::uuid_v7() : stamp.message_id;
  xmlNode* to = xmlNewTextChild(header, wsa, X("To"), X(stamp.to));
  xmlNode* mid = xmlNewTextChild(header, wsa, X("MessageID"), X(message_id));
  xmlNode* security = xmlNewChild(header, wsse, X("Security"), nullptr);
  xmlNewNsProp(security, soap, X("mustUnderstand"), X("1"));
  xmlNode* ts = xmlNewChild(security, wsu, X("Timestamp"), nullptr);
  const auto created = std::chrono::floor<std::chrono::seconds>(stamp.created);
  xmlNewTextChild(ts, wsu, X("Created"), X(time::format_iso_utc(created)));
  xmlNewTextChild(ts, wsu, X("Expires"), X(time::format_iso_utc(created + stamp.ttl)));
  xmlNode* token =
      xmlNewTextChild(security, wsse, X("BinarySecurityToken"), X(crypto::base64_encode(cert->der)));
  xmlNewProp(token, X("EncodingType"), X(kBase64Binary));
  xmlNewProp(token, X("ValueType"), X(kX509v3));
  const std::string body_id = "Body-" + suffix, ts_id = "TS-" + suffix, to_id = "To-" + suffix,
                    mid_id = "MessageID-" + suffix, token_id = "X509-" + suffix;
  if (!set_id(body, body_id) || !set_id(ts, ts_id) || !set_id(to, to_id) || !set_id(mid, mid_id) ||
      !set_id(token, token_id))
    return Error::make("xades.sign", 500, "ids");

  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId, cert->ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id,
      nullptr, X("ds"));
  if (sig == nullptr) return Error::make("xades.sign", 500, "template");
  xmlAddChild(security, sig);
  for (const auto* id : {&body_id, &ts_id, &to_id, &mid_id}) {
    xmlNode* ref =
        xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr, X("#" + *id), nullptr);
    if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr)
      return Error::make("xades.sign", 500, "references");
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  if (key_info == nullptr) return Error::make("xades.sign", 500, "key info");
  xmlNode* str = xmlNewChild(key_info, wsse, X("SecurityTokenReference"), nullptr);
  xmlNode* ref = xmlNewChild(str, wsse, X("Reference"), nullptr);
  xmlNewProp(ref, X("URI"), X("#" + token_id));
  xmlNewProp(ref, X("ValueType"), X(kX509v3));

  DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::make("xades.sign", 500, "context");
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(signer.key_pem.data()),
                                              static_cast<xmlSecSize>(signer.key_pem.size()),
                                              xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
  if (ctx->signKey == nullptr) return Error::make("xades.key", 500, "xmlsec cannot load the key");
  if (xmlSecDSigCtxSign(ctx.get(), sig) < 0) return Error::make("xades.sign", 500, "xmlsec sign");
  auto out = dump(doc);
  if (out.empty()) return Error::make("xades.sign", 500, "serialise");
  return out;
}

Result<Signed> verify(std::string_view envelope) {
  using namespace wssec_detail;
  xades::init_xmlsec();
  auto parsed = parse(envelope);
  if (!parsed) return parsed.error();
  xmlDoc* doc = parsed->get();
  xmlNode* env = xmlDocGetRootElement(doc);
  if (!is(env, kSoapNs, "Envelope")) return structure("not a SOAP 1.1 envelope");
  // Only a Header and one Body: what is read after the check is what was checked.
  std::size_t bodies = 0, headers = 0;
  xmlNode* body = only(env, kSoapNs, "Body", &bodies);
  xmlNode* header = only(env, kSoapNs, "Header", &headers);
  if (bodies != 1 || headers > 1 || elements(env).size() != bodies + headers)
    return structure("Envelope: one Header and one Body");
  std::size_t count = 0;
  xmlNode* security = only(header, kWsseNs, "Security", &count);
  if (count == 0) return Error::make("soap_auth.unsigned", 401);
  if (security == nullptr) return structure("more than one wsse:Security");
  xmlNode* sig = only(security, kDsNs, "Signature", &count);
  if (count == 0) return Error::make("soap_auth.unsigned", 401);
  if (sig == nullptr) return structure("more than one ds:Signature");
  xmlNode* to = only(header, kWsaNs, "To");
  xmlNode* mid = only(header, kWsaNs, "MessageID");
  xmlNode* ts = only(security, kWsuNs, "Timestamp");
  xmlNode* token = only(security, kWsseNs, "BinarySecurityToken");
  if (to == nullptr) return structure("wsa:To");
  if (mid == nullptr) return structure("wsa:MessageID");
  if (ts == nullptr) return structure("wsu:Timestamp");
  if (token == nullptr) return structure("wsse:BinarySecurityToken");

  // The ids of the parts signed, each registered once: an id used twice (xml:id elsewhere) is refused.
  std::vector<std::pair<xmlNode*, std::string>> parts{{body, ""}, {ts, ""}, {to, ""}, {mid, ""}, {token, ""}};
  for (auto& [node, id] : parts) {
    id = attr(node, "Id", kWsuNs);
    if (id.empty())
      return structure(std::string("no wsu:Id on ") + reinterpret_cast<const char*>(node->name));
    if (xmlAddID(nullptr, doc, X(id), xmlHasNsProp(node, X("Id"), X(kWsuNs))) == nullptr)
      return structure("id used twice: " + id);
  }
  const std::string& token_id = parts[4].second;

  xmlNode* info = only(sig, kDsNs, "SignedInfo");
  if (info == nullptr) return structure("SignedInfo");
  if (attr(only(info, kDsNs, "CanonicalizationMethod"), "Algorithm") != kExcC14n)
    return structure("CanonicalizationMethod");
  if (!one_of(attr(only(info, kDsNs, "SignatureMethod"), "Algorithm"), kSignatureMethods))
    return structure("SignatureMethod");
  // The four parts, each once; the token may be signed too; nothing else.
  std::vector<std::string> seen;
  for (xmlNode* r : children(info, kDsNs, "Reference")) {
    const std::string uri = attr(r, "URI");
    bool known = false;
    for (const auto& [node, id] : parts) known = known || uri == "#" + id;
    if (!known) return structure("reference " + uri);
    if (std::find(seen.begin(), seen.end(), uri) != seen.end()) return structure("reference twice " + uri);
    seen.push_back(uri);
    for (xmlNode* t : elements(only(r, kDsNs, "Transforms")))
      if (!is(t, kDsNs, "Transform") || attr(t, "Algorithm") != kExcC14n) return structure("transform");
    if (!one_of(attr(only(r, kDsNs, "DigestMethod"), "Algorithm"), kDigestMethods))
      return structure("DigestMethod");
  }
  for (std::size_t i = 0; i < 4; ++i)
    if (std::find(seen.begin(), seen.end(), "#" + parts[i].second) == seen.end())
      return structure(std::string("not signed: ") + reinterpret_cast<const char*>(parts[i].first->name));

  // The certificate: the token the signature names.
  xmlNode* str = only(only(sig, kDsNs, "KeyInfo"), kWsseNs, "SecurityTokenReference");
  if (attr(only(str, kWsseNs, "Reference"), "URI") != "#" + token_id)
    return structure("SecurityTokenReference");
  if (attr(token, "ValueType") != kX509v3 || attr(token, "EncodingType") != kBase64Binary)
    return structure("BinarySecurityToken type");
  auto der = crypto::base64_decode(without_blanks(text_of(token)));
  auto cert = der ? xades::certificate_info_der(*der) : std::nullopt;
  if (!cert) return structure("BinarySecurityToken certificate");

  DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::make("xades.sign", 500, "context");
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(cert->pem.data()),
                                              static_cast<xmlSecSize>(cert->pem.size()),
                                              xmlSecKeyDataFormatCertPem, nullptr, nullptr, nullptr);
  if (ctx->signKey == nullptr) return structure("certificate key");
  if (xmlSecDSigCtxVerify(ctx.get(), sig) < 0 || ctx->status != xmlSecDSigStatusSucceeded)
    return Error::make("soap_auth.signature", 401);

  Signed out;
  out.certificate = std::move(*cert);
  out.to = trimmed(text_of(to));
  out.message_id = trimmed(text_of(mid));
  auto created = time::parse_iso_utc(trimmed(text_of(only(ts, kWsuNs, "Created"))));
  auto expires = time::parse_iso_utc(trimmed(text_of(only(ts, kWsuNs, "Expires"))));
  if (!created || !expires) return structure("Timestamp Created/Expires");
  if (out.message_id.empty() || out.message_id.size() > 200) return structure("wsa:MessageID");
  out.created = *created;
  out.expires = *expires;
  return out;
}

Status check_time(const Signed& s, time::TimePoint now, std::chrono::seconds skew,
                  std::chrono::seconds longest) {
  if (s.created > now + skew || s.expires < now - skew || s.expires <= s.created ||
      s.expires - s.created > longest)
    return Error::make("soap_auth.expired", 401,
                       time::format_iso_utc(s.created) + " - " + time::format_iso_utc(s.expires));
  if (s.certificate.not_before > now + skew || s.certificate.not_after < now)
    return Error::make("soap_auth.certificate", 401, s.certificate.subject);
  return Ok{};
}

}  // namespace sp::protocollo::wssec
