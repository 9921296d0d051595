#include "db/pg_conn.hpp"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include "db/exec_later.hpp"
#include "db/unavailable.hpp"

namespace sp::db {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr Oid kFloat4 = 700, kFloat8 = 701;

constexpr std::size_t kMaxCachedPgStatements = 1000;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

DbError::Kind kind_of(std::string_view sqlstate, bool connection_ok) {
  if (!connection_ok) return DbError::Kind::connection;
  if (sqlstate == "23505") return DbError::Kind::unique_violation;
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") return DbError::Kind::busy;
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) return DbError::Kind::connection;

  return DbError::Kind::other;
}

void ignore_notice(void*, const char*) {}  // "relation already exists, skipping" and the like

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back exactly
  return std::string(buf, end);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in text format: "\x0a1b..." (bytea_output=hex, the default) or the old escape format.
std::string decode_bytea(const char* text, std::size_t len) {
  if (len >= 2 && text[0] == '\\' && text[1] == 'x') {
    std::string out;
    out.reserve((len - 2) / 2);
    for (std::size_t i = 2; i + 1 < len; i += 2) {
      out.push_back(static_cast<char>(hex_digit(text[i]) * 16 + hex_digit(text[i + 1])));
    }
    return out;
  }
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
  if (!raw) throw DbError(DbError::Kind::other, "postgres: cannot decode bytea");
  std::string out(reinterpret_cast<char*>(raw), n);
  PQfreemem(raw);
  return out;
}

Value decode(Oid type, const char* text, std::size_t len) {
  switch (type) {
    case kInt8:
    case kInt4:
    case kInt2:
    case kOid: {
      std::int64_t v = 0;
      std::from_chars(text, text + len, v);
      return v;
    }
    case kBool:
      return static_cast<std::int64_t>(len > 0 && text[0] == 't');  // same as SQLite's 0/1
    case kFloat4:
    case kFloat8: {
      double v = 0;
      std::from_chars(text, text + len, v);  // also reads NaN and Infinity
      return v;
    }
    case kBytea:
      return Blob{decode_bytea(text, len)};
    default:  // text, varchar, numeric, dates, uuid, json...: Row's accessors parse what they need
      return std::string(text, len);
  }
}

// Parameters as libpq wants them: text, except blobs (binary bytea: the raw bytes). Points into `params`,
// which must outlive the call that sends them.
struct Bound {
  explicit Bound(const Params& params)
      : texts(params.size()),
        values(params.size(), nullptr),
        lengths(params.size(), 0),
        formats(params.size(), 0) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = format_double(*d);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Blob>(&v)) {
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
      }
    }
  }
  [[nodiscard]] int count() const { return static_cast<int>(values.size()); }
  std::vector<std::string> texts;  // keeps numbers' text alive for the call
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

bool result_ok(const PGresult* r) {
  auto status = PQresultStatus(r);
  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

std::vector<Row> rows_of(const PGresult* r) {
  int nrows = PQntuples(r);
  int ncols = PQnfields(r);
  auto names = std::make_shared<std::vector<std::string>>();
  std::vector<Oid> types;
  for (int c = 0; c < ncols; ++c) {
    names->emplace_back(PQfname(r, c));
    types.push_back(PQftype(r, c));
  }
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(nrows));
  for (int i = 0; i < nrows; ++i) {
    std::vector<Value> cols;
    cols.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(r, i, c)) {
        cols.emplace_back(nullptr);
      } else {
        cols.push_back(decode(types[static_cast<std::size_t>(c)], PQgetvalue(r, i, c),
                              static_cast<std::size_t>(PQgetlength(r, i, c))));
      }
    }
    rows.emplace_back(std::move(cols), names);
  }
  return rows;
}

std::atomic<std::uint64_t> next_serial{0};  // write() transactions of this process, every connection

}  // namespace

PgConn::PgConn(const std::string& url) {
  // Keywords before "dbname" are defaults the URL may override; those after it always win.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {"10", "sportello", url.c_str(), "UTF8", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw DbError(DbError::Kind::connection, "postgres: cannot connect: " + msg);
  }
  PQsetNoticeProcessor(conn_, &ignore_notice, nullptr);
}

PgConn::~PgConn() {
  PQfinish(conn_);
}

void PgConn::fail(const PGresult* res, std::string_view sql, bool held) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string msg =
      trimmed(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  if (sqlstate == "0A000" || sqlstate == "26000") {
    // "cached plan must not change result type" / unknown statement: prepare afresh next time.
    if (auto it = statements_.find(sql); it != statements_.end()) statements_.erase(it);
  }
  if (!sqlstate.empty()) msg += " [SQLSTATE " + sqlstate + "]";
  if (!sql.empty()) msg += " (in: " + sql_excerpt(sql) + ")";
  // read_only_sql_transaction (a standby, default_transaction_read_only), insufficient resources
  // (disk_full 53100, out_of_memory, too_many_connections).
  if (sqlstate == "25006" || sqlstate.starts_with("53")) throw Unavailable("postgres: " + msg);
  auto kind = kind_of(sqlstate, healthy());
  if (held && kind == DbError::Kind::unique_violation) {
    kind = DbError::Kind::other;
    msg = "a statement sent with this one failed: " + msg;
  }
  throw DbError(kind, "postgres: " + msg);
}

const std::string& PgConn::prepared_name(std::string_view sql, bool may_reset) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  if (may_reset && statements_.size() >= kMaxCachedPgStatements && idle()) {
    Result r(PQexec(conn_, "DEALLOCATE ALL"), PQclear);
    statements_.clear();
  }
  std::string name = "sp_" + std::to_string(++next_statement_);
  std::string text(sql);
  Result r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(r.get(), sql);
  return statements_.emplace(std::move(text), std::move(name)).first->second;
}

PgConn::Result PgConn::run(std::string_view sql, const Params& params) {
  if (begin_pending_ || !held_.empty()) return pipeline(sql, &params);
  const std::string& name = prepared_name(sql);
  Bound b(params);
  Result res(
      PQexecPrepared(conn_, name.c_str(), b.count(), b.values.data(), b.lengths.data(), b.formats.data(), 0),
      PQclear);
  if (!result_ok(res.get())) fail(res.get(), sql);
  return res;
}

PgConn::Result PgConn::pipeline(std::string_view sql, const Params* params) {
  // Statement names first (a statement new to this connection is prepared now, in its own round trip,
  // once per connection); no DEALLOCATE ALL in between, which would drop names already looked up.
  std::vector<Held> held = std::move(held_);
  held_.clear();
  std::vector<std::string> names;
  names.reserve(held.size() + 1);
  for (const auto& h : held) names.push_back(prepared_name(h.sql, false));
  const bool statement = !sql.empty() && params != nullptr;
  if (statement) names.push_back(prepared_name(sql, false));
  const std::string command_text = !sql.empty() && !params ? std::string(sql) : std::string();

  auto broken = [this](const char* what) {
    broken_ = true;
    throw DbError(DbError::Kind::connection,
                  std::string("postgres: ") + what + ": " + trimmed(PQerrorMessage(conn_)));
  };
  if (PQenterPipelineMode(conn_) != 1) broken("cannot enter pipeline mode");
  // Every statement sent, in order; the index of the first that is not a held one.
  std::vector<std::string_view> sent;
  auto send_params = [&](const std::string& name, const Params& p, std::string_view text) {
    Bound b(p);
    if (PQsendQueryPrepared(conn_, name.c_str(), b.count(), b.values.data(), b.lengths.data(),
                            b.formats.data(), 0) != 1)
      broken("cannot send a statement");
    sent.push_back(text);
  };
  auto send_command = [&](const char* text) {
    if (PQsendQueryParams(conn_, text, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1)
      broken("cannot send a statement");
    sent.push_back(text);
  };
  const bool had_begin = begin_pending_;
  begin_pending_ = false;
  if (had_begin) send_command("BEGIN");
  for (std::size_t i = 0; i < held.size(); ++i) send_params(names[i], held[i].params, held[i].sql);
  if (statement) send_params(names.back(), *params, sql);
  if (!command_text.empty()) send_command(command_text.c_str());
  if (PQpipelineSync(conn_) != 1) broken("cannot send the pipeline");

  // One or more results per statement, each statement's ended by a null; then the sync's result. After
  // a failure the server skips the rest up to the sync (PGRES_PIPELINE_ABORTED).
  Result last(nullptr, PQclear);
  Result error(nullptr, PQclear);
  std::size_t error_at = 0;
  const std::size_t first_held = had_begin ? 1 : 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    while (PGresult* raw = PQgetResult(conn_)) {
      Result r(raw, PQclear);
      if (!error && !result_ok(r.get()) && PQresultStatus(r.get()) != PGRES_PIPELINE_ABORTED) {
        error = std::move(r);
        error_at = i;
      } else if (i + 1 == sent.size()) {
        last = std::move(r);
      } else if (i >= first_held && i - first_held < held.size() && held[i - first_held].slot &&
                 PQresultStatus(r.get()) == PGRES_TUPLES_OK) {
        held[i - first_held].slot->rows = rows_of(r.get());  // a query_later() statement's rows
      }
    }
    if (PQstatus(conn_) != CONNECTION_OK) break;
  }
  {
    Result sync(PQgetResult(conn_), PQclear);
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) broken_ = true;
  }
  if (PQexitPipelineMode(conn_) != 1) broken_ = true;
  const std::size_t first_own = first_held + held.size();
  if (error) fail(error.get(), sent[error_at], error_at >= first_held && error_at < first_own);
  if (broken_ || (!sent.empty() && !last)) broken("the pipeline ended early");
  // The last statement sent was a held query_later() one (flush()): its rows too.
  if (!statement && command_text.empty() && !held.empty() && held.back().slot &&
      PQresultStatus(last.get()) == PGRES_TUPLES_OK)
    held.back().slot->rows = rows_of(last.get());
  return last;
}

std::vector<Row> PgConn::query(std::string_view sql, const Params& params) {
  Result res = run(sql, params);
  return rows_of(res.get());
}

std::int64_t PgConn::exec(std::string_view sql, const Params& params) {
  Result res = run(sql, params);
  const char* tuples = PQcmdTuples(res.get());
  std::int64_t n = 0;
  if (tuples && *tuples) std::from_chars(tuples, tuples + std::strlen(tuples), n);
  return n;
}

void PgConn::exec_later(std::string_view sql, Params params) {
  if (!in_write_) {
    exec(sql, params);
    return;
  }
  held_.push_back({std::string(sql), std::move(params), nullptr});
}

Later PgConn::query_later(std::string_view sql, Params params) {
  auto slot = std::make_shared<LaterSlot>();
  if (!in_write_) {
    slot->rows = query(sql, params);
  } else {
    held_.push_back({std::string(sql), std::move(params), slot});
  }
  return Later(this, std::move(slot));
}

void PgConn::flush() {
  if (begin_pending_ || !held_.empty()) pipeline({}, nullptr);
}

void PgConn::exec_script(std::string_view sql) {
  flush();  // BEGIN and held statements first
  std::string text(sql);
  Result res(PQexec(conn_, text.c_str()), PQclear);  // simple protocol: several statements allowed
  auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    fail(res.get(), sql);
  }
}

std::string PgConn::command(const char* sql) {
  Result res(PQexec(conn_, sql), PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) fail(res.get(), sql);
  return PQcmdStatus(res.get());
}

void PgConn::begin() {
  begin_pending_ = true;
  in_write_ = true;
  serial_ = ++next_serial;
  held_.clear();
}

std::string PgConn::commit() {
  in_write_ = false;
  if (begin_pending_ && held_.empty()) {  // nothing ran: there is no transaction to commit
    begin_pending_ = false;
    return "COMMIT";
  }
  if (!begin_pending_ && held_.empty()) return command("COMMIT");
  Result r = pipeline("COMMIT", nullptr);
  return PQcmdStatus(r.get());
}

void PgConn::abandon() {
  begin_pending_ = false;
  in_write_ = false;
  held_.clear();
  if (!broken_ && healthy() && !idle()) {
    try {
      command("ROLLBACK");
    } catch (...) {  // still not idle: not reused
    }
  }
  if (!idle()) broken_ = true;
}

void exec_later(Conn& c, std::string_view sql, Params params) {
  if (auto* pg = dynamic_cast<PgConn*>(&c)) return pg->exec_later(sql, std::move(params));
  c.exec(sql, params);
}

Later query_later(Conn& c, std::string_view sql, Params params) {
  if (auto* pg = dynamic_cast<PgConn*>(&c)) return pg->query_later(sql, std::move(params));
  auto slot = std::make_shared<LaterSlot>();
  slot->rows = c.query(sql, params);
  return Later(&c, std::move(slot));
}

const std::vector<Row>& Later::rows() {
  if (!slot_) throw std::logic_error("db::Later: no statement");
  if (!slot_->rows) {
    if (auto* pg = dynamic_cast<PgConn*>(conn_)) pg->flush();
  }
  if (!slot_->rows)
    throw DbError(DbError::Kind::other, "postgres: a statement sent earlier in this transaction failed");
  return *slot_->rows;
}

std::uint64_t write_serial(const Conn& c) {
  if (const auto* pg = dynamic_cast<const PgConn*>(&c)) return pg->write_serial();
  return 0;
}

}  // namespace sp::db
