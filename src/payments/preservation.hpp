#pragma once
// What digital preservation (src/conservazione, docs/conservazione.md) reads of this module: the pagoPA
// receipts that counted (recorded or double payment: the body's records), read-only, by tenant, through
// these functions rather than the table (a module's tables are its own; tests/layers/check_layers.py).
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::payments {

struct CountedReceipt {
  std::int64_t id = 0;      // payment_receipts.id: the order and the page key
  std::string receipt_id;   // the PSP's receiptId
  std::string received_at;  // UTC ISO instant, as stored
  std::string iuv;
};

// The tenant's counted receipts with an id above `after_id`, oldest first, at most `limit` (1..1000).
std::vector<CountedReceipt> counted_receipts(db::Conn& c, tenants::TenantId tenant, std::int64_t after_id,
                                             int limit);
// A counted receipt's payload as received from the node ("" when the tenant has no such counted receipt).
std::string counted_receipt_payload(db::Conn& c, tenants::TenantId tenant, std::int64_t id);

}  // namespace sp::payments
