#pragma once
// SQL for the protocol registry. Writes take the caller's transaction; the numbering lock and the read of
// the last number must happen in that same transaction (see service.cpp, register_entry).
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "protocollo/model.hpp"

namespace sp::protocollo {

struct LastNumber {
  std::int64_t number = 0;
  time::TimePoint registered_at;
};

struct IdempotencyRecord {
  std::string request_sha256;
  std::string entry_id;
};

class ProtocolStore {
 public:
  explicit ProtocolStore(db::Database& db) : db_(db) {}

  // AOOs.
  static AooId insert_aoo(db::Conn& tx, const Aoo& a, const std::string& created_at);
  static std::optional<Aoo> aoo(db::Conn& c, tenants::TenantId tenant, AooId id);
  std::vector<Aoo> aoos(tenants::TenantId tenant);

  // Numbering. PostgreSQL: a transaction-scoped advisory lock on the AOO (released at COMMIT/ROLLBACK);
  // SQLite: nothing to do, the single writer already serialises every write transaction.
  static void lock_aoo(db::Conn& tx, AooId aoo);
  static std::optional<LastNumber> last_number(db::Conn& tx, AooId aoo, int year);
  static std::optional<time::TimePoint> last_registered_at(db::Conn& tx, AooId aoo);

  static void insert_entry(db::Conn& tx, const Entry& e);
  static std::optional<IdempotencyRecord> idempotency(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& key);
  static void insert_idempotency(db::Conn& tx, tenants::TenantId tenant, const std::string& key,
                                 const std::string& request_sha256, const std::string& entry_id,
                                 const std::string& at);
  // Entries with their documents; nullopt when the id is not the tenant's.
  static std::optional<Entry> entry(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  std::optional<Entry> entry(tenants::TenantId tenant, const std::string& id);
  std::vector<Entry> search(tenants::TenantId tenant, const SearchQuery& q, int limit);

  // Returns rows changed (0 when already annulled or not the tenant's).
  static std::int64_t annul(db::Conn& tx, tenants::TenantId tenant, const std::string& id,
                            const Annulment& a);
  static void set_field(db::Conn& tx, tenants::TenantId tenant, const std::string& id, HistoryField field,
                        const std::string& value);
  static void insert_history(db::Conn& tx, const std::string& entry_id, const HistoryItem& h);
  std::vector<HistoryItem> history(tenants::TenantId tenant, const std::string& entry_id);

 private:
  db::Database& db_;
};

}  // namespace sp::protocollo
