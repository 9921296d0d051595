#pragma once
// The index of a submission package (Indice di Conservazione, IdC) in the structure of UNI 11386
// (SInCRO, "Supporto all'Interoperabilità nella Conservazione e nel Recupero degli Oggetti digitali"),
// the standard AgID's guidelines on documents (2021, Annex 2/4) name for preservation packages:
//
//   sincro:IdC (xmlns:sincro="http://www.uni.com/U3011/sincro/", sincro:version="1.0")
//     SelfDescription   ID (the package id), CreatingApplication (Name, Version, Producer)
//     VdC               ID (the preservation volume: body + class + object), MoreInfo (what it is,
//                       with the body's audit-chain head: seq and hash)
//     FileGroup         Label, and one File per file: ID (its name in the package), Hash
//                       sincro:function="SHA-256" (base64 of the digest)
//     Process           Agent (sincro:role="PreservationManager" sincro:type="organization": the body,
//                       AgentName/FormalName, Agent_ID = its fiscal code), TimeReference/TimeInfo (when
//                       the package was made, UTC), LawAndRegulations
//
// Written with pugixml; deterministic for the same input (the stored index is what is sent every time).
#include <cstdint>
#include <string>
#include <vector>

namespace sp::conservazione {

struct IndexFile {
  std::string name;
  std::string sha256_raw;  // 32 bytes
};

struct IndexInput {
  std::string package_id;
  std::string volume_id;    // e.g. "c_a479/registro_giornaliero/AOO_ASTI/2026-03-02"
  std::string description;  // MoreInfo text
  std::string body_name;
  std::string body_fiscal_code;
  std::string klass;
  std::string made_at;  // UTC ISO
  std::int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  std::int64_t hub_head_seq = 0;  // the hub's own chain (tenant 0); 0: none
  std::string hub_head_hash;
  std::vector<IndexFile> files;
};

inline constexpr const char* kSincroNamespace = "http://www.uni.com/U3011/sincro/";

std::string build_index(const IndexInput& in);

}  // namespace sp::conservazione
