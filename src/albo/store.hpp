#pragma once
// SQL for the albo. Writes take the caller's transaction; the repertory's lock and the read of the last
// number must happen in that same transaction (service.cpp, publish).
#include <optional>
#include <string>
#include <vector>

#include "albo/model.hpp"
#include "db/database.hpp"

namespace sp::albo {

struct IdempotencyRecord {
  std::string request_sha256;
  std::string publication_id;
};

// A relata with what the waiting list shows of its publication.
struct RelataRow {
  Relata relata;
  Publication publication;
};

class AlboStore {
 public:
  explicit AlboStore(db::Database& db) : db_(db) {}

  // Numbering. PostgreSQL: a transaction-scoped advisory lock on the body's repertory; SQLite: the
  // single writer serialises every write transaction already.
  static void lock_repertory(db::Conn& tx, TenantId tenant);
  static std::optional<std::int64_t> last_number(db::Conn& tx, TenantId tenant, int year);
  static std::optional<std::int64_t> first_number(db::Conn& tx, TenantId tenant, int year);
  static void set_first_number(db::Conn& tx, TenantId tenant, int year, std::int64_t first,
                               const std::string& by, const std::string& at);

  std::vector<ActType> act_types(TenantId tenant);
  // Replaces the body's own list (empty: back to the national vocabulary).
  static void replace_act_types(db::Conn& tx, TenantId tenant, const std::vector<ActType>& types);
  // The body's own types beyond the national vocabulary (never renamed nor deleted).
  std::vector<CustomActType> custom_act_types(TenantId tenant);
  static std::optional<CustomActType> custom_act_type(db::Conn& c, TenantId tenant, const std::string& code);
  static void insert_custom_act_type(db::Conn& tx, TenantId tenant, const CustomActType& t,
                                     const std::string& by, const std::string& at);

  static void insert(db::Conn& tx, const Publication& p);
  static std::optional<Publication> publication(db::Conn& c, TenantId tenant, const std::string& id);
  std::optional<Publication> publication(TenantId tenant, const std::string& id);
  std::optional<Publication> by_number(TenantId tenant, int year, std::int64_t number);
  // On the board at `now` (started, not ended), or — `archive` — every publication of the filters.
  std::vector<Publication> search(const BoardQuery& q, time::TimePoint now, bool archive);

  static std::optional<IdempotencyRecord> idempotency(db::Conn& c, TenantId tenant, const std::string& key);
  static void insert_idempotency(db::Conn& tx, TenantId tenant, const std::string& key,
                                 const std::string& request_sha256, const std::string& id,
                                 const std::string& at);

  static std::int64_t annul(db::Conn& tx, TenantId tenant, const std::string& id, const Annulment& a);

  // Outages and the heartbeat.
  static void insert_outage(db::Conn& tx, const Outage& o);
  static std::vector<Outage> outages_for(db::Conn& c, TenantId tenant, time::TimePoint from,
                                         time::TimePoint to);
  std::vector<Outage> outages(TenantId tenant);
  static std::optional<time::TimePoint> heartbeat(db::Conn& tx);
  static void set_heartbeat(db::Conn& tx, time::TimePoint at);
  // Publications not yet ended whose period (as extended) reaches `from` or later: those an outage can
  // extend.
  static std::vector<Publication> open_publications(db::Conn& c, std::optional<TenantId> tenant);
  static void set_extension(db::Conn& tx, const std::string& id, int extension_days, time::TimePoint end_at);
  // Publications whose end has come and that the job has not ended yet.
  static std::vector<Publication> due_to_end(db::Conn& c, time::TimePoint now, int limit);
  static void mark_ended(db::Conn& tx, const std::string& id, time::TimePoint at);

  // Relate.
  static void insert_relata(db::Conn& tx, const Relata& r);
  static std::optional<Relata> relata(db::Conn& c, TenantId tenant, const std::string& publication_id);
  std::optional<Relata> relata(TenantId tenant, const std::string& publication_id);
  std::vector<RelataRow> relate(TenantId tenant, RelataStatus status);
  static std::int64_t confirm_relata(db::Conn& tx, const Relata& r);

 private:
  db::Database& db_;
};

}  // namespace sp::albo
