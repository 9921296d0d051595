#include "conservazione/sincro.hpp"

#include <pugixml.hpp>
#include <sstream>

#include "core/crypto/encoding.hpp"

namespace sp::conservazione {

std::string build_index(const IndexInput& in) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto idc = doc.append_child("sincro:IdC");
  idc.append_attribute("xmlns:sincro") = kSincroNamespace;
  idc.append_attribute("sincro:version") = "1.0";
  idc.append_attribute("sincro:url") = kSincroNamespace;

  auto self = idc.append_child("sincro:SelfDescription");
  self.append_child("sincro:ID").text() = in.package_id.c_str();
  auto app = self.append_child("sincro:CreatingApplication");
  app.append_child("sincro:Name").text() = "Sportello";
  app.append_child("sincro:Version").text() = "1";
  app.append_child("sincro:Producer").text() = "Sportello";

  auto vdc = idc.append_child("sincro:VdC");
  vdc.append_child("sincro:ID").text() = in.volume_id.c_str();
  auto more = vdc.append_child("sincro:MoreInfo");
  more.append_attribute("sincro:XMLScheme") = "sportello-conservazione-v1";
  auto emb = more.append_child("sincro:EmbeddedMetadata");
  emb.append_child("Classe").text() = in.klass.c_str();
  emb.append_child("Descrizione").text() = in.description.c_str();
  auto head = emb.append_child("CatenaAudit");
  head.append_attribute("seq") = std::to_string(in.audit_head_seq).c_str();
  head.append_attribute("hash") = in.audit_head_hash.c_str();
  if (in.hub_head_seq > 0) {
    auto hub = emb.append_child("CatenaAuditPolo");
    hub.append_attribute("seq") = std::to_string(in.hub_head_seq).c_str();
    hub.append_attribute("hash") = in.hub_head_hash.c_str();
  }

  auto group = idc.append_child("sincro:FileGroup");
  group.append_child("sincro:Label").text() = in.klass.c_str();
  for (const auto& f : in.files) {
    auto file = group.append_child("sincro:File");
    file.append_attribute("sincro:encoding") = "binary";
    file.append_child("sincro:ID").text() = f.name.c_str();
    auto hash = file.append_child("sincro:Hash");
    hash.append_attribute("sincro:function") = "SHA-256";
    hash.text() = crypto::base64_encode(f.sha256_raw).c_str();
  }

  auto process = idc.append_child("sincro:Process");
  auto agent = process.append_child("sincro:Agent");
  agent.append_attribute("sincro:type") = "organization";
  agent.append_attribute("sincro:role") = "PreservationManager";
  agent.append_child("sincro:AgentName").append_child("sincro:FormalName").text() = in.body_name.c_str();
  agent.append_child("sincro:Agent_ID").text() = in.body_fiscal_code.c_str();
  auto tr = process.append_child("sincro:TimeReference");
  tr.append_child("sincro:TimeInfo").text() = in.made_at.c_str();
  process.append_child("sincro:LawAndRegulations").text() =
      "DPR 445/2000 art. 53; Linee guida AgID sulla formazione, gestione e conservazione dei documenti "
      "informatici (2021)";

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace sp::conservazione
