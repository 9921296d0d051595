#include "protocollo/xades.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::protocollo::xades {
namespace {

constexpr const char* kXadesNs = "http://uri.etsi.org/01903/v1.3.2#";
constexpr const char* kSignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties";
constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

const xmlChar* X(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}
const xmlChar* X(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

void quiet_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    if (xmlSecInit() < 0) throw std::runtime_error("xmlsec: init");
    if (xmlSecCheckVersion() != 1) throw std::runtime_error("xmlsec: library version mismatch");
    if (xmlSecCryptoAppInit(nullptr) < 0) throw std::runtime_error("xmlsec: crypto app init");
    if (xmlSecCryptoInit() < 0) throw std::runtime_error("xmlsec: crypto init");
    xmlSecErrorsSetCallback(quiet_errors);  // failures are returned as our errors, not printed
  });
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;
struct CtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
using DSigCtx = std::unique_ptr<xmlSecDSigCtx, CtxFree>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

Error refuse(const char* code, std::string detail = {}) {
  return Error::make(code, 422, std::move(detail));
}

// A document from outside: no DOCTYPE (no entities, no DTD-declared ids), no network.
Result<Doc> parse(std::string_view xml) {
  if (xml.size() > static_cast<std::size_t>(INT32_MAX)) return refuse("xades.xml", "too large");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "segnatura.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return refuse("xades.xml", "not well-formed");
  if (doc->intSubset != nullptr) return refuse("xades.xml", "DOCTYPE");
  if (xmlDocGetRootElement(doc.get()) == nullptr) return refuse("xades.xml", "no root");
  return doc;
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         xmlStrEqual(n->ns->href, X(ns)) != 0 && xmlStrEqual(n->name, X(name)) != 0;
}

std::vector<xmlNode*> elements(xmlNode* parent) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

xmlNode* child(xmlNode* parent, const char* ns, const char* name) {
  for (xmlNode* c : elements(parent))
    if (is(c, ns, name)) return c;
  return nullptr;
}

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, X(name));
  if (v == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}
bool has_attr(xmlNode* n, const char* name) {
  return xmlHasNsProp(n, X(name), nullptr) != nullptr;
}

std::string text_of(xmlNode* n) {
  if (n == nullptr) return {};
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

std::string strip_blanks(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  return s;
}

BioPtr memory_bio(std::string_view s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())), &BIO_free);
}

X509Ptr read_cert(std::string_view pem) {
  auto bio = memory_bio(pem);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

std::string der_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string sha256_b64(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

std::string pem_of(X509* cert) {
  BioPtr out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(out.get(), cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string subject_of(X509* cert) {
  BioPtr out(BIO_new(BIO_s_mem()), &BIO_free);
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// Every certificate of a PEM bundle.
std::vector<X509Ptr> read_bundle(std::string_view pem) {
  std::vector<X509Ptr> out;
  auto bio = memory_bio(pem);
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c, &X509_free);
  return out;
}

// `cert` is one of `trusted` or chains to one of them (each trusted as it is: partial chains), valid now.
bool trusted_now(X509* cert, std::string_view trusted_pem) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  int count = 0;
  for (auto& c : read_bundle(trusted_pem)) count += X509_STORE_add_cert(store.get(), c.get()) == 1 ? 1 : 0;
  if (count == 0) return false;
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) return false;
  return X509_verify_cert(ctx.get()) == 1;
}

std::string random_id(const char* prefix) {
  return std::string(prefix) + ids::random_token(12);
}

std::optional<time::TimePoint> time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::optional<CertificateInfo> info_of(X509* cert) {
  if (cert == nullptr) return std::nullopt;
  CertificateInfo out;
  out.der = der_of(cert);
  if (out.der.empty()) return std::nullopt;
  out.pem = pem_of(cert);
  out.sha256_hex = digest::sha256_hex(out.der);
  out.subject = subject_of(cert);
  auto from = time_of(X509_get0_notBefore(cert));
  auto to = time_of(X509_get0_notAfter(cert));
  if (!from || !to) return std::nullopt;
  out.not_before = *from;
  out.not_after = *to;
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  out.ec = key != nullptr && EVP_PKEY_base_id(key) == EVP_PKEY_EC;
  return out;
}

}  // namespace

void init_xmlsec() {
  init_once();
}

std::optional<CertificateInfo> certificate_info(std::string_view pem) {
  auto cert = read_cert(pem);
  return info_of(cert.get());
}

std::optional<CertificateInfo> certificate_info_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), &X509_free);
  if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return std::nullopt;
  return info_of(cert.get());
}

std::string certificate_digest(std::string_view cert_pem) {
  auto cert = read_cert(cert_pem);
  if (!cert) return {};
  return sha256_b64(der_of(cert.get()));
}

Result<std::string> sign_enveloped(std::string_view xml, const Signer& signer, time::TimePoint signing_time) {
  init_once();
  auto doc = parse(xml);
  if (!doc) return doc.error();
  auto cert = read_cert(signer.cert_pem);
  auto key_bio = memory_bio(signer.key_pem);
  PKeyPtr pkey(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!cert || !pkey || X509_check_private_key(cert.get(), pkey.get()) != 1)
    return Error::make("xades.key", 500, "key and certificate do not make a pair");
  const bool ec = EVP_PKEY_base_id(pkey.get()) == EVP_PKEY_EC;
  const std::string sig_id = random_id("sig-");
  const std::string props_id = random_id("xades-");

  xmlNode* root = xmlDocGetRootElement(doc->get());
  xmlNode* sign = xmlSecTmplSignatureCreateNsPref(
      doc->get(), xmlSecTransformExclC14NId, ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id,
      X(sig_id), X("ds"));
  if (sign == nullptr) return Error::make("xades.sign", 500, "template");
  xmlAddChild(root, sign);
  xmlNode* whole = xmlSecTmplSignatureAddReference(sign, xmlSecTransformSha256Id, nullptr, X(""), nullptr);
  xmlNode* props_ref = xmlSecTmplSignatureAddReference(sign, xmlSecTransformSha256Id, nullptr,
                                                       X("#" + props_id), X(kSignedPropertiesType));
  if (whole == nullptr || props_ref == nullptr ||
      xmlSecTmplReferenceAddTransform(whole, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(whole, xmlSecTransformExclC14NId) == nullptr ||
      xmlSecTmplReferenceAddTransform(props_ref, xmlSecTransformExclC14NId) == nullptr)
    return Error::make("xades.sign", 500, "references");
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sign, nullptr);
  xmlNode* x509 = key_info == nullptr ? nullptr : xmlSecTmplKeyInfoAddX509Data(key_info);
  if (x509 == nullptr || xmlSecTmplX509DataAddCertificate(x509) == nullptr)
    return Error::make("xades.sign", 500, "key info");
  xmlNode* object = xmlSecTmplSignatureAddObject(sign, nullptr, nullptr, nullptr);
  if (object == nullptr) return Error::make("xades.sign", 500, "object");

  // xades:QualifyingProperties / SignedProperties / SignedSignatureProperties.
  xmlNode* qp = xmlNewChild(object, nullptr, X("QualifyingProperties"), nullptr);
  xmlNs* xns = xmlNewNs(qp, X(kXadesNs), X("xades"));
  xmlSetNs(qp, xns);
  xmlNewProp(qp, X("Target"), X("#" + sig_id));
  xmlNode* props = xmlNewChild(qp, xns, X("SignedProperties"), nullptr);
  xmlAttr* id_attr = xmlNewProp(props, X("Id"), X(props_id));
  xmlNode* ssp = xmlNewChild(props, xns, X("SignedSignatureProperties"), nullptr);
  const auto when = time::format_iso_utc(std::chrono::floor<std::chrono::seconds>(signing_time));
  xmlNewTextChild(ssp, xns, X("SigningTime"), X(when));
  xmlNode* cert_digest = xmlNewChild(
      xmlNewChild(xmlNewChild(ssp, xns, X("SigningCertificateV2"), nullptr), xns, X("Cert"), nullptr), xns,
      X("CertDigest"), nullptr);
  xmlNs* ds = xmlSearchNsByHref(doc->get(), sign, xmlSecDSigNs);
  xmlNode* method = xmlNewChild(cert_digest, ds, X("DigestMethod"), nullptr);
  xmlNewProp(method, X("Algorithm"), X(kSha256));
  xmlNewTextChild(cert_digest, ds, X("DigestValue"), X(sha256_b64(der_of(cert.get()))));
  if (xmlAddID(nullptr, doc->get(), X(props_id), id_attr) == nullptr)
    return Error::make("xades.sign", 500, "id");

  DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::make("xades.sign", 500, "context");
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(signer.key_pem.data()),
                                              static_cast<xmlSecSize>(signer.key_pem.size()),
                                              xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
  if (ctx->signKey == nullptr ||
      xmlSecCryptoAppKeyCertLoadMemory(
          ctx->signKey, reinterpret_cast<const xmlSecByte*>(signer.cert_pem.data()),
          static_cast<xmlSecSize>(signer.cert_pem.size()), xmlSecKeyDataFormatPem) < 0)
    return Error::make("xades.key", 500, "xmlsec cannot load the key");
  if (xmlSecDSigCtxSign(ctx.get(), sign) < 0) return Error::make("xades.sign", 500, "xmlsec sign");

  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc->get(), &out, &size, "UTF-8");
  if (out == nullptr) return Error::make("xades.sign", 500, "serialise");
  std::string signed_xml(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  xmlFree(out);
  return signed_xml;
}

Result<Verified> verify_enveloped(std::string_view xml, std::string_view trusted_pem) {
  init_once();
  auto doc = parse(xml);
  if (!doc) return doc.error();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  auto top = elements(root);
  if (top.empty() || !is(top.back(), reinterpret_cast<const char*>(xmlSecDSigNs), "Signature"))
    return refuse("xades.missing");
  const char* dsns = reinterpret_cast<const char*>(xmlSecDSigNs);
  xmlNode* sign = top.back();
  const std::string sig_id = attr(sign, "Id");

  // The shape of a XAdES baseline B enveloped signature, and nothing else: two references, one over the
  // whole document, one over the signed properties of this signature.
  xmlNode* info = child(sign, dsns, "SignedInfo");
  std::vector<xmlNode*> refs;
  for (xmlNode* c : elements(info))
    if (is(c, dsns, "Reference")) refs.push_back(c);
  if (refs.size() != 2) return refuse("xades.structure", "references: " + std::to_string(refs.size()));
  xmlNode* whole = nullptr;
  xmlNode* props_ref = nullptr;
  for (xmlNode* r : refs) {
    if (!has_attr(r, "URI")) return refuse("xades.structure", "reference without URI");
    if (attr(r, "URI").empty() && !has_attr(r, "Type")) whole = r;
    if (attr(r, "Type") == kSignedPropertiesType && attr(r, "URI").starts_with("#")) props_ref = r;
  }
  if (whole == nullptr || props_ref == nullptr) return refuse("xades.structure", "references");
  auto c14n = [](const std::string& alg) {
    return alg == "http://www.w3.org/2001/10/xml-exc-c14n#" ||
           alg == "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" ||
           alg == "http://www.w3.org/2006/12/xml-c14n11";
  };
  bool enveloped = false;
  for (xmlNode* r : refs) {
    for (xmlNode* t : elements(child(r, dsns, "Transforms"))) {
      const auto alg = attr(t, "Algorithm");
      if (r == whole && alg == "http://www.w3.org/2000/09/xmldsig#enveloped-signature") {
        enveloped = true;
      } else if (!c14n(alg)) {
        return refuse("xades.structure", "transform " + alg);
      }
    }
  }
  if (!enveloped) return refuse("xades.structure", "not enveloped");

  xmlNode* props = nullptr;
  const std::string props_id = attr(props_ref, "URI").substr(1);
  for (xmlNode* o : elements(sign)) {
    if (!is(o, dsns, "Object")) continue;
    for (xmlNode* qp : elements(o)) {
      if (!is(qp, kXadesNs, "QualifyingProperties")) continue;
      if (attr(qp, "Target") != "#" + sig_id || sig_id.empty())
        return refuse("xades.structure", "QualifyingProperties Target");
      xmlNode* sp = child(qp, kXadesNs, "SignedProperties");
      if (sp != nullptr && attr(sp, "Id") == props_id) props = sp;
    }
  }
  if (props == nullptr) return refuse("xades.structure", "SignedProperties");
  xmlNode* ssp = child(props, kXadesNs, "SignedSignatureProperties");
  auto signing_time = time::parse_iso_utc(strip_blanks(text_of(child(ssp, kXadesNs, "SigningTime"))));
  if (!signing_time) return refuse("xades.structure", "SigningTime");
  xmlNode* cert_digest =
      child(child(child(ssp, kXadesNs, "SigningCertificateV2"), kXadesNs, "Cert"), kXadesNs, "CertDigest");
  if (cert_digest == nullptr || attr(child(cert_digest, dsns, "DigestMethod"), "Algorithm") != kSha256)
    return refuse("xades.structure", "SigningCertificateV2");
  const std::string claimed_digest = strip_blanks(text_of(child(cert_digest, dsns, "DigestValue")));
  // The id must name this element only: an xml:id elsewhere with the same value is refused here.
  if (xmlAddID(nullptr, doc->get(), X(props_id), xmlHasNsProp(props, X("Id"), nullptr)) == nullptr)
    return refuse("xades.structure", "duplicate id");

  // The certificate: the one in KeyInfo, trusted by us (never by what the document says).
  xmlNode* cert_node = child(child(child(sign, dsns, "KeyInfo"), dsns, "X509Data"), dsns, "X509Certificate");
  auto der = crypto::base64_decode(strip_blanks(text_of(cert_node)));
  if (!der || der->empty()) return refuse("xades.structure", "X509Certificate");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())), &X509_free);
  if (!cert) return refuse("xades.structure", "X509Certificate");
  if (!trusted_now(cert.get(), trusted_pem)) return refuse("xades.untrusted", subject_of(cert.get()));
  if (claimed_digest != sha256_b64(*der)) return refuse("xades.certificate");

  const std::string pem = pem_of(cert.get());
  DSigCtx ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Error::make("xades.sign", 500, "context");
  ctx->enabledReferenceUris =
      static_cast<xmlSecTransformUriType>(xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument);
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(pem.data()),
                                              static_cast<xmlSecSize>(pem.size()), xmlSecKeyDataFormatCertPem,
                                              nullptr, nullptr, nullptr);
  if (ctx->signKey == nullptr) return refuse("xades.structure", "certificate key");
  if (xmlSecDSigCtxVerify(ctx.get(), sign) < 0 || ctx->status != xmlSecDSigStatusSucceeded)
    return refuse("xades.signature");
  return Verified{pem, subject_of(cert.get()), *signing_time};
}

}  // namespace sp::protocollo::xades
