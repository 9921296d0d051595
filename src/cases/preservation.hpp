#pragma once
// What digital preservation (src/conservazione, docs/conservazione.md) reads of this module: the final
// decisions' stored documents, read-only, by tenant, through this function rather than the table (a
// module's tables are its own; tests/layers/check_layers.py).
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::cases {

struct DecisionDocument {
  std::string id;  // case_documents.id: with `at`, the order and the page key
  std::string file_id;
  std::string file_name;
  std::string sha256;  // lower-case hex
  std::string at;      // UTC ISO instant, as stored
  std::string case_id;
};

// The tenant's decision documents (case_documents of kind decision) after (after_at, after_id) in the
// order (at, id), at most `limit` (1..1000). Start with ("", "").
std::vector<DecisionDocument> decision_documents(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& after_at, const std::string& after_id,
                                                 int limit);

}  // namespace sp::cases
