#pragma once
// What digital preservation (src/conservazione, docs/conservazione.md) reads of this module: the confirmed
// publication reports (relate) with their stored PDF, read-only, by tenant, through this function rather
// than the tables (a module's tables are its own; tests/layers/check_layers.py).
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::albo {

struct ConfirmedRelata {
  std::string publication_id;
  std::string file_id;
  std::string sha256;        // lower-case hex of the stored PDF
  std::string confirmed_at;  // UTC ISO instant, as stored
  int year = 0;              // the publication's repertory year and number
  std::int64_t number = 0;
};

// The tenant's confirmed relate with a stored file after (after_at, after_publication) in the order
// (confirmed_at, publication_id), at most `limit` (1..1000). Start with ("", "").
std::vector<ConfirmedRelata> confirmed_relate(db::Conn& c, tenants::TenantId tenant,
                                              const std::string& after_at,
                                              const std::string& after_publication, int limit);

}  // namespace sp::albo
