#pragma once
// ANPR's published schemas (../shared/anpr/wsdl/comuni), for tests that check what the adapter and the
// simulator put on the wire against them with libxml2, not only against our own parser. The operation
// element inside a SOAP envelope is validated in place (xmlSchemaValidateOneElement). Header-only.
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "support/testing.hpp"

namespace sp::testing {

inline std::filesystem::path shared_anpr_wsdl() {
  if (const char* env = std::getenv("SPORTELLO_SHARED_DIR"); env && *env)
    return std::filesystem::path(env) / "anpr" / "wsdl" / "comuni";
  return std::filesystem::path(source_dir()) / ".." / "shared" / "anpr" / "wsdl" / "comuni";
}

inline bool anpr_schemas_available() {
  return std::filesystem::exists(shared_anpr_wsdl() / "6001certificazione.xsd");
}

// "" when the envelope's body element is valid against `xsd_file` (e.g. "6001certificazione.xsd"), else
// libxml2's messages.
inline std::string anpr_schema_errors(const std::string& envelope, const std::string& xsd_file) {
  // Parsed per call and freed (a cache freed by no one shows as leaks under LeakSanitizer at exit).
  const std::string path = (shared_anpr_wsdl() / xsd_file).string();
  xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path.c_str());
  std::unique_ptr<xmlSchema, void (*)(xmlSchemaPtr)> schema(xmlSchemaParse(pc), xmlSchemaFree);
  xmlSchemaFreeParserCtxt(pc);
  if (!schema) return "schema " + path + " does not load";
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), "envelope.xml", "UTF-8",
                    XML_PARSE_NONET),
      xmlFreeDoc);
  if (!doc) return "not XML";
  xmlNodePtr env = xmlDocGetRootElement(doc.get());
  xmlNodePtr op = nullptr;
  for (xmlNodePtr c = env ? env->children : nullptr; c && !op; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || std::string(reinterpret_cast<const char*>(c->name)) != "Body")
      continue;
    for (xmlNodePtr b = c->children; b; b = b->next)
      if (b->type == XML_ELEMENT_NODE) {
        op = b;
        break;
      }
  }
  if (!op) return "no element in the SOAP Body";
  std::string errors;
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema.get());
  xmlSchemaSetValidStructuredErrors(
      vc,
      [](void* out, xmlErrorPtr e) {
        if (e && e->message)
          *static_cast<std::string*>(out) +=
              std::string("line ") + std::to_string(e->line) + ": " + e->message;
      },
      &errors);
  const int rc = xmlSchemaValidateOneElement(vc, op);
  xmlSchemaFreeValidCtxt(vc);
  if (rc != 0 && errors.empty()) errors = "invalid (libxml2 code " + std::to_string(rc) + ")";
  return errors;
}

}  // namespace sp::testing
