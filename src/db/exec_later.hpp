#pragma once
// A statement whose result the caller does not need, sent when it costs no round trip of its own.
#include <string_view>

#include "db/database.hpp"

namespace sp::db {

// Runs `sql` (an INSERT whose row count nobody reads, say). Inside a PostgreSQL write() transaction the
// driver holds it back and sends it together with the next statement or with the COMMIT, in one round
// trip (libpq pipeline mode); it still runs before them, in order, in the same transaction. Its failure
// is then reported by that next statement or by the commit, always as DbError::Kind::other (never taken
// for the next statement's own unique violation), and the transaction is rolled back. SQLite, and
// PostgreSQL outside write(), run it at once.
void exec_later(Conn& c, std::string_view sql, Params params);

}  // namespace sp::db
