#pragma once
// One libpq connection as a db::Conn: statements prepared once per connection (cache keyed by SQL text),
// parameters in text format except blobs (binary bytea), results decoded by column type.
#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <unordered_map>

#include "db/database.hpp"

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

  // Runs a parameterless command (BEGIN, COMMIT, ROLLBACK) and returns its command tag: COMMIT answers
  // "ROLLBACK" when the transaction had already failed.
  std::string command(const char* sql);

  [[nodiscard]] bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  [[nodiscard]] bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

  Result run(std::string_view sql, const Params& params);
  const std::string& prepared_name(std::string_view sql);
  [[noreturn]] void fail(const PGresult* res, std::string_view sql);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> statements_;  // SQL -> name
  int next_statement_ = 0;
};

}  // namespace sp::db
