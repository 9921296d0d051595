#pragma once
// The comune the command-line tests import into: a hub and Asti (ISTAT 005005, cadastral code A479).
#include <gtest/gtest.h>

#include "db/database.hpp"
#include "tenants/service.hpp"

namespace sp::testing {

inline void add_asti(db::Database& db) {
  tenants::TenantService tenants(db);
  auto hub = tenants.create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
  ASSERT_TRUE(hub.ok());
  tenants::Body b;
  b.hub_id = *hub;
  b.slug = "asti";
  b.name = "Comune di Asti";
  b.istat_code = "005005";
  b.belfiore_code = "A479";
  b.fiscal_code = "00743110157";
  ASSERT_TRUE(tenants.create_body(b).ok());
}

}  // namespace sp::testing
