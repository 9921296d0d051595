#pragma once
// SQL of the treasurer's statements (migration 0027): the file as uploaded and its movements, append-only.
#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "payments/bank_statement_csv.hpp"
#include "tenants/model.hpp"

namespace sp::payments::recon {

class BankStatementStore {
 public:
  static std::optional<std::int64_t> by_digest(db::Conn& c, tenants::TenantId tenant,
                                               const std::string& sha256);
  static std::int64_t insert_statement(db::Conn& tx, tenants::TenantId tenant, const std::string& file_name,
                                       const std::string& content, const std::string& sha256,
                                       const std::string& by, const std::string& at);
  // False when a movement with that bank reference was already imported (an overlapping statement).
  static bool insert_movement(db::Conn& tx, tenants::TenantId tenant, std::int64_t statement,
                              const BankMovement& m);
  // A flow of the body has this id (any PSP, any revision).
  static bool flow_known(db::Conn& c, tenants::TenantId tenant, const std::string& flow_id);
};

}  // namespace sp::payments::recon
