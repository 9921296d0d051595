#pragma once
// One libpq connection as a db::Conn: statements prepared once per connection (cache keyed by SQL text),
// parameters in text format except blobs (binary bytea), results decoded by column type.
#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/database.hpp"
#include "db/exec_later.hpp"

namespace sp::db {

class PgConn final : public Conn {
 public:
  explicit PgConn(const std::string& url);  // throws DbError(connection)
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::postgres; }
  std::vector<Row> query(std::string_view sql, const Params& params = {}) override;
  std::int64_t exec(std::string_view sql, const Params& params = {}) override;
  void exec_script(std::string_view sql) override;

  // db::exec_later and db::query_later (db/exec_later.hpp): held back inside a write() transaction, else
  // run at once.
  void exec_later(std::string_view sql, Params params);
  Later query_later(std::string_view sql, Params params);
  // Sends BEGIN (when pending) and the held statements now, in one round trip.
  void flush();
  // db::write_serial: this write() transaction's number, 0 outside one.
  [[nodiscard]] std::uint64_t write_serial() const { return in_write_ ? serial_ : 0; }

  // Runs a parameterless command (ROLLBACK, SET ...) and returns its command tag.
  std::string command(const char* sql);

  // A write() transaction. begin() sends nothing: BEGIN goes out with the transaction's first statement
  // (libpq pipeline mode, one round trip for both). commit() sends the statements held back by
  // exec_later() with the COMMIT, and answers the COMMIT's tag: "ROLLBACK" when the transaction had
  // already failed; "COMMIT" at once, with no round trip, when the transaction ran nothing.
  void begin();
  std::string commit();
  // Forgets what begin() and exec_later() held back and rolls back an open transaction; never throws.
  // A connection still inside a transaction afterwards is not healthy() (the pool drops it).
  void abandon();

  [[nodiscard]] bool healthy() const { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }
  [[nodiscard]] bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

  struct Held {  // a statement exec_later() or query_later() kept for the next round trip
    std::string sql;
    Params params;
    std::shared_ptr<LaterSlot> slot;  // query_later(): where its rows go
  };

  Result run(std::string_view sql, const Params& params);
  // One round trip for BEGIN (when pending), the held statements and then `sql` with `params` (a
  // prepared statement), or `sql` as a parameterless command when `params` is null, or nothing more when
  // `sql` is empty; returns the result of the last one sent.
  Result pipeline(std::string_view sql, const Params* params);
  const std::string& prepared_name(std::string_view sql, bool may_reset = true);
  // `held`: the statement was sent for an earlier exec_later(), so its failure is reported as
  // Kind::other to whichever call sent it (never as that call's own unique violation).
  [[noreturn]] void fail(const PGresult* res, std::string_view sql, bool held = false);

  PGconn* conn_ = nullptr;
  bool broken_ = false;         // the protocol state is unknown (a pipeline failed halfway): drop it
  bool begin_pending_ = false;  // begin() called, BEGIN not sent yet
  bool in_write_ = false;       // between begin() and commit()/abandon()
  std::uint64_t serial_ = 0;    // the current (or last) write() transaction's number
  std::vector<Held> held_;
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> statements_;  // SQL -> name
  int next_statement_ = 0;
};

}  // namespace sp::db
