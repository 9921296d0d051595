#include "payments/reconciliation_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>
#include <set>
#include <tuple>

#include "core/digest.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "payments/bank_statement_store.hpp"
#include "payments/reconciliation_store.hpp"
#include "payments/reporting_reconcile.hpp"

namespace sp::payments::recon {
namespace {

// Duplicate detection for the per-flow checks: the document is in memory already (it is kept as the
// record), so a set of its keys costs the same order of memory; the CLI's streaming mode keeps its
// constant-memory SQLite staging.
class ReconMemoryStaging final : public reporting::RowStaging {
 public:
  Status begin_flow() override {
    keys_.clear();
    return Ok{};
  }
  Result<bool> add(const reporting::FlowRow& row) override {
    return keys_.emplace(row.iuv, row.iur, row.index).second;
  }
  Status end_flow() override { return Ok{}; }

 private:
  std::set<std::tuple<std::string, std::string, int>> keys_;
};

// Importing flows and statements is manage_payments'; reading the day is the back office's.
Result<std::string> recon_actor_id(const Actor& who, tenants::TenantId tenant,
                                   identity::Permission needed = identity::Permission::backoffice) {
  if (const auto* sys = std::get_if<SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return "system:" + sys->name;
  }
  const identity::Principal* p = std::get<const identity::Principal*>(who);
  if (auto st = identity::authorize(p, needed, tenant); !st) return st.error();
  return "staff:" + p->subject;
}

std::string recon_utc_bound(time::Date d) {
  return time::format_iso_utc_millis(time::rome_day_start(d));
}

}  // namespace

ReconciliationService::ReconciliationService(db::Database& db, const time::Clock& clock,
                                             PaymentsService& payments, std::string xsd_path)
    : db_(db), clock_(clock), payments_(payments), audit_(db, clock), xsd_path_(std::move(xsd_path)) {}

Result<std::shared_ptr<const reporting::FlowSchema>> ReconciliationService::schema() {
  static std::mutex m;
  std::lock_guard lock(m);
  if (!schema_) {
    auto s = reporting::FlowSchema::load(xsd_path_);
    if (!s) return s.error();
    schema_ = *s;
  }
  return schema_;
}

Status ReconciliationService::may_import(const Actor& who, tenants::TenantId tenant) {
  if (auto a = recon_actor_id(who, tenant, identity::Permission::manage_payments); !a) return a.error();
  return Ok{};
}

Result<std::string> ReconciliationService::creditor_fiscal_code(tenants::TenantId tenant) {
  auto c = payments_.creditor(tenant);
  if (!c) return c.error();
  return c->fiscal_code;
}

Result<FlowImport> ReconciliationService::import_flow(const Actor& who, tenants::TenantId tenant,
                                                      const std::string& xml, FlowSource source) {
  auto actor = recon_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  auto creditor = payments_.creditor(tenant);
  if (!creditor) return creditor.error();
  auto sch = schema();
  if (!sch) return sch.error();

  // The per-flow checks first, in memory: a flow with a problem records nothing.
  reporting::ReconcileOptions options;
  options.expected_receiver = creditor->fiscal_code;
  ReconMemoryStaging staging;
  reporting::FlowChecker checker(options, staging);
  std::vector<reporting::FlowRow> rows;
  reporting::FlowCallbacks cb;
  cb.on_header = [&](const reporting::FlowHeader& h) { return checker.header(h); };
  cb.on_row = [&](const reporting::FlowRow& r) -> Status {
    auto st = checker.row(r);
    if (!st) return st.error();
    rows.push_back(r);
    return Ok{};
  };
  reporting::ReadFailure where;
  const Status read = reporting::read_flow_memory(xml, **sch, cb, &where);
  FlowImport out;
  if (!read) {
    out.report = checker.fail(read.error(), where.line);
    return out;
  }
  auto report = checker.finish();
  if (!report) return report.error();
  out.report = *report;
  if (!report->problems.empty()) return out;

  const auto& h = report->header;
  const std::string sha = digest::sha256_hex(xml);
  const auto record = [&](db::Conn& tx) {
    auto known = ReconciliationStore::current(tx, tenant, h.sender.id, h.flow_id);
    std::optional<time::TimePoint> known_time;
    if (known) {
      auto t = time::parse_iso_utc(known->flow_time);
      if (t) known_time = *t;
    }
    const auto revision = reporting::decide_revision(known_time, h.flow_time);
    if (revision == reporting::Revision::ignored) {
      auto same = ReconciliationStore::with_digest(tx, tenant, h.sender.id, h.flow_id, sha);
      out.outcome = same ? ImportOutcome::unchanged : ImportOutcome::ignored;
      out.flow_pk = same ? *same : known->pk;
      out.results = ReconciliationStore::results(tx, tenant, out.flow_pk);
      return;
    }
    FlowRecord rec;
    rec.tenant_id = tenant;
    rec.header = h;
    rec.revoked = report->revoked_total;
    if (known) rec.supersedes = known->pk;
    rec.source = source;
    rec.xml = xml;
    rec.xml_sha256 = sha;
    rec.imported_by = *actor;
    rec.imported_at = time::format_iso_utc_millis(clock_.now());
    out.flow_pk = ReconciliationStore::insert_flow(tx, rec);
    out.supersedes_pk = rec.supersedes;
    out.outcome = known ? ImportOutcome::replaced : ImportOutcome::recorded;
    ReconciliationStore::stage(tx, out.flow_pk, tenant, rows);
    ReconciliationStore::match_staged(tx, out.flow_pk, tenant);
    const auto reported = ReconciliationStore::mark_reported(tx, out.flow_pk, tenant, rec.imported_at);
    out.results = ReconciliationStore::results(tx, tenant, out.flow_pk);
    boost::json::object details{{"flow_id", h.flow_id},
                                {"psp_id", h.sender.id},
                                {"flow_time", time::format_iso_utc(h.flow_time)},
                                {"rows", report->rows},
                                {"total_cents", h.declared_total},
                                {"source", to_string(source)},
                                {"outcome", to_string(out.outcome)},
                                {"positions_reported", reported}};
    if (rec.supersedes) details["supersedes"] = *rec.supersedes;
    audit_.record_or_throw(tx,
                           identity::entry_by(who, tenant, "payment_flow.import", "payment_flow",
                                              std::to_string(out.flow_pk), boost::json::serialize(details)));
  };
  try {
    db_.write(record);
  } catch (const db::DbError& e) {
    // Two imports of the same flow at once: the unique indexes let one win; the other, run again, now
    // sees the winner's revision and reports unchanged or ignored.
    if (e.kind != db::DbError::Kind::unique_violation) throw;
    out = FlowImport{ImportOutcome::refused, *report, 0, std::nullopt, {}};
    db_.write(record);
  }
  return out;
}

Result<StatementImport> ReconciliationService::import_statement(const Actor& who, tenants::TenantId tenant,
                                                                const std::string& file_name,
                                                                const std::string& csv) {
  auto actor = recon_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  auto movements = parse_bank_statement(csv);
  if (!movements) return movements.error();
  const std::string sha = digest::sha256_hex(csv);
  StatementImport out;
  std::optional<Error> refused;
  db_.write([&](db::Conn& tx) {
    if (BankStatementStore::by_digest(tx, tenant, sha)) {
      refused = Error::make("bank_statement.duplicate", 409, file_name);
      return;
    }
    out.statement_id = BankStatementStore::insert_statement(tx, tenant, file_name, csv, sha, *actor,
                                                            time::format_iso_utc_millis(clock_.now()));
    for (const auto& m : *movements) {
      if (!BankStatementStore::insert_movement(tx, tenant, out.statement_id, m)) {
        ++out.skipped;
        continue;
      }
      ++out.movements;
      if (m.direction != 'C' || m.flow_id.empty()) continue;
      ++out.pagopa;
      if (BankStatementStore::flow_known(tx, tenant, m.flow_id)) ++out.matched;
    }
    boost::json::object details{{"file", file_name},      {"movements", out.movements},
                                {"skipped", out.skipped}, {"pagopa", out.pagopa},
                                {"matched", out.matched}, {"sha256", sha}};
    audit_.record_or_throw(
        tx, identity::entry_by(who, tenant, "payment_bank_statement.import", "payment_bank_statement",
                               std::to_string(out.statement_id), boost::json::serialize(details)));
  });
  if (refused) return *refused;
  return out;
}

Result<DayView> ReconciliationService::day(const Actor& who, tenants::TenantId tenant,
                                           std::optional<time::Date> day, const std::string& psp,
                                           std::int64_t row_limit) {
  auto actor = recon_actor_id(who, tenant);
  if (!actor) return actor.error();
  DayView v;
  v.psp = psp;
  const time::Date today = time::rome_date(clock_.now());
  db_.read([&](db::Conn& c) {
    if (!day) {
      auto latest = ReconciliationStore::latest_day(c, tenant);
      auto parsed = latest ? time::parse_iso_date(*latest) : Result<time::Date>(today);
      day = parsed ? *parsed : today;
    }
    v.day = *day;
    const std::string d = time::format_iso_date(*day);
    const std::string from = recon_utc_bound(*day);
    const std::string to = recon_utc_bound(time::add_calendar_days(*day, 1));
    v.flows = ReconciliationStore::day_flows(c, tenant, d, psp);
    v.rows = ReconciliationStore::day_rows(c, tenant, d, psp, row_limit);
    v.unreported = ReconciliationStore::unreported(c, tenant, from, to, psp);
    v.receipts_total = ReconciliationStore::receipts_total(c, tenant, from, to, psp);
    if (psp.empty()) v.unmatched_movements = ReconciliationStore::unmatched_movements(c, tenant, d);
    v.psps = ReconciliationStore::psps_of_day(c, tenant, d, from, to);
  });
  for (auto& f : v.flows) {
    if (f.bank == BankStatus::pending) {
      auto settled = time::parse_iso_date(f.settlement_date);
      if (settled && *settled < today) f.bank = BankStatus::missing;
    }
    for (const auto& r : f.results) {
      if (is_anomaly(r.result)) f.anomalies += r.rows;
      if (r.result != RowResult::revoked) f.reported += r.cents;
    }
    v.reported_total += f.reported;
    v.cashed_total += f.cashed;
    v.anomalies += f.anomalies + (is_anomaly(f.bank) ? 1 : 0);
  }
  std::stable_sort(v.flows.begin(), v.flows.end(), [](const FlowSummary& a, const FlowSummary& b) {
    const bool aa = a.anomalies > 0 || is_anomaly(a.bank);
    const bool bb = b.anomalies > 0 || is_anomaly(b.bank);
    return aa && !bb;
  });
  for (auto& r : v.rows) {
    for (const auto& f : v.flows)
      if (f.flow_id == r.flow_id && f.psp_id == r.psp_id) r.bank = f.bank;
  }
  std::stable_sort(v.rows.begin(), v.rows.end(), [](const RowView& a, const RowView& b) {
    return (is_anomaly(a.result) || is_anomaly(a.bank)) && !(is_anomaly(b.result) || is_anomaly(b.bank));
  });
  v.anomalies += static_cast<std::int64_t>(v.unreported.size() + v.unmatched_movements.size());
  return v;
}

}  // namespace sp::payments::recon
