#pragma once
// Statements sent when they cost no round trip of their own: one whose result the caller does not need
// (exec_later), and one whose rows it needs only later (query_later).
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace sp::db {

// Runs `sql` (an INSERT whose row count nobody reads, say). Inside a PostgreSQL write() transaction the
// driver holds it back and sends it together with the next statement or with the COMMIT, in one round
// trip (libpq pipeline mode); it still runs before them, in order, in the same transaction. Its failure
// is then reported by that next statement or by the commit, always as DbError::Kind::other (never taken
// for the next statement's own unique violation), and the transaction is rolled back. SQLite, and
// PostgreSQL outside write(), run it at once.
void exec_later(Conn& c, std::string_view sql, Params params);

// The rows of a query_later() statement, there once the round trip that carried it has come back.
struct LaterSlot {
  std::optional<std::vector<Row>> rows;
};
class Later {
 public:
  Later() = default;
  Later(Conn* conn, std::shared_ptr<LaterSlot> slot) : conn_(conn), slot_(std::move(slot)) {}
  // The statement's rows. When it has not been sent yet, sends it now with whatever else is held back (one
  // round trip). Throws DbError when it failed (reported first by the call that carried it).
  const std::vector<Row>& rows();
  [[nodiscard]] bool valid() const { return slot_ != nullptr; }

 private:
  Conn* conn_ = nullptr;
  std::shared_ptr<LaterSlot> slot_;
};

// A query whose rows the caller needs only after its next statement: inside a PostgreSQL write()
// transaction it is held back like exec_later() and goes out with the next statement (or the COMMIT, or
// Later::rows()), in order, in one round trip; its rows are kept for Later::rows(). Failures as
// exec_later(). SQLite, and PostgreSQL outside write(), run it at once.
Later query_later(Conn& c, std::string_view sql, Params params);

// A number naming the PostgreSQL write() transaction `c` is in, never given to another transaction of this
// process; 0 outside one (and always on SQLite). What a caller keeps about "this transaction" (the head of
// an audit chain whose lock it holds) is keyed by it.
std::uint64_t write_serial(const Conn& c);

}  // namespace sp::db
