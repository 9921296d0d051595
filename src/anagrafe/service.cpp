#include "anagrafe/service.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "anagrafe/import_reader.hpp"
#include "anagrafe/store.hpp"
#include "identity/permissions.hpp"

namespace sp::anagrafe {
namespace {

// A batch being gathered: the good rows (with their lines) and the refused ones.
struct Batch {
  std::vector<PersonVersion> rows;
  std::vector<std::size_t> lines;
  std::vector<RowError> errors;
  [[nodiscard]] std::size_t size() const { return rows.size() + errors.size(); }
  void clear() {
    rows.clear();
    lines.clear();
    errors.clear();
  }
};

void keep_error(ImportReport& report, const RowError& e) {
  ++report.error_count;
  if (report.errors.size() < kMaxReportedErrors) report.errors.push_back(e);
}

}  // namespace

Status AnagrafeService::may_manage(const identity::Principal* who, tenants::TenantId tenant) {
  return identity::authorize(who, identity::Permission::manage_register, tenant);
}

std::optional<std::string> AnagrafeService::last_poll_end(tenants::TenantId tenant) {
  std::optional<std::string> out;
  db_.read([&](db::Conn& c) { out = store::last_poll_end(c, tenant); });
  return out;
}

namespace {
// "2026-12-05T22:21:48" → "05/12/2026 22:21:48" (the run's name on the registry office's page).
std::string local_text(const std::string& t) {
  if (t.size() < 19 || t[10] != 'T') return t;
  return t.substr(8, 2) + "/" + t.substr(5, 2) + "/" + t.substr(0, 4) + " " + t.substr(11, 8);
}
}  // namespace

Result<SyncReport> AnagrafeService::apply_notifications(tenants::TenantId tenant, const std::string& from,
                                                        const std::string& to,
                                                        const std::vector<AnprNotification>& list) {
  SyncReport report;
  report.period_from = from;
  report.period_to = to;
  report.received = list.size();
  std::vector<std::string> ids;
  for (const auto& n : list) ids.push_back(n.anpr_operation_id);
  std::set<std::string> known;
  db_.read([&](db::Conn& c) {
    for (auto& id : store::known_notifications(c, tenant, ids)) known.insert(std::move(id));
  });
  // The new ones become the lines of one JSON Lines import; line i+1 is lines_of[i]'s notification.
  std::string jsonl;
  std::vector<std::size_t> line_of(list.size(), 0);
  std::size_t lines = 0;
  std::set<std::string> seen;  // the same id twice in one answer: the second is known
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& n = list[i];
    NotificationOutcome o{n.anpr_operation_id, {}, "applied", {}};
    boost::system::error_code ec;
    auto v = boost::json::parse(n.content, ec);
    if (!ec && v.is_object())
      if (const auto* cf = v.as_object().if_contains("codice_fiscale"); cf && cf->is_string())
        o.codice_fiscale = std::string(cf->as_string());
    if (known.contains(n.anpr_operation_id) || !seen.insert(n.anpr_operation_id).second) {
      o.outcome = "known";
    } else if (n.format != "JSON" || ec || !v.is_object() || n.content.find('\n') != std::string::npos) {
      o.outcome = "refused";
      o.reason = "anagrafe.notification.format";
    } else {
      jsonl += n.content;
      jsonl += '\n';
      line_of[i] = ++lines;
    }
    report.outcomes.push_back(std::move(o));
  }
  if (lines > 0) {
    std::istringstream in(jsonl);
    auto imported = import(ImportActor{nullptr, "anpr-4005"}, tenant, Format::jsonl,
                           "ANPR 4005 " + local_text(from) + " – " + local_text(to), in, {});
    if (!imported) return imported.error();
    report.import_id = imported->import_id;
    std::map<std::size_t, const RowError*> refused;
    for (const auto& e : imported->errors) refused[e.line] = &e;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (line_of[i] == 0) continue;
      if (auto it = refused.find(line_of[i]); it != refused.end()) {
        report.outcomes[i].outcome = "refused";
        report.outcomes[i].reason = it->second->code;
      }
    }
    report.applied = imported->inserted;
    report.known += imported->unchanged;
  }
  std::vector<std::string> operations;
  for (const auto& n : list) operations.push_back(n.operation);
  for (const auto& o : report.outcomes) {
    if (o.outcome == "known") ++report.known;
    if (o.outcome == "refused") ++report.refused;
  }
  db_.write([&](db::Conn& tx) {
    report.poll_id = store::add_poll(tx, tenant, report, time::format_iso_utc(clock_.now()));
    store::add_notifications(tx, tenant, report.poll_id, report.outcomes, operations);
  });
  return report;
}

std::string AnagrafeService::today() const {
  return time::format_iso_date(time::rome_date(clock_.now()));
}

Result<ImportReport> AnagrafeService::import(const ImportActor& actor, tenants::TenantId tenant,
                                             Format format, const std::string& file_name, std::istream& in,
                                             const ImportOptions& options) {
  if (actor.who != nullptr || actor.system.empty()) {
    if (auto st = may_manage(actor.who, tenant); !st) return st.error();
  }
  auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");
  if (body->istat_code.size() != 6) return Error::make("anagrafe.no_istat", 409, body->slug);
  const std::string istat = body->istat_code;
  const std::string actor_id = actor.who ? actor.who->subject : actor.system;
  const auto started = std::chrono::steady_clock::now();

  ImportReport report;
  db_.write([&](db::Conn& tx) {
    report.import_id =
        store::begin_import(tx, tenant, file_name, format, actor_id, time::format_iso_utc(clock_.now()));
  });

  Batch batch;
  const std::size_t batch_size = std::max<std::size_t>(1, options.batch_size);
  auto flush = [&] {
    if (batch.size() == 0) return;
    std::vector<std::string> hashes;
    hashes.reserve(batch.rows.size());
    for (const auto& r : batch.rows) hashes.push_back(r.content_hash());
    std::vector<Street> streets;
    {
      std::set<std::pair<std::string, std::string>> seen;
      for (const auto& r : batch.rows)
        if (!r[F::specie_via].empty() && seen.emplace(r[F::specie_via], r[F::denominazione_via]).second)
          streets.push_back(Street{r[F::specie_via], r[F::denominazione_via]});
    }
    std::vector<store::Outcome> outcomes;
    std::vector<RowError> errors;
    std::size_t streets_added = 0;
    db_.write([&](db::Conn& tx) {
      errors = batch.errors;
      outcomes = store::insert_versions(tx, tenant, report.import_id, batch.rows, hashes);
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i] == store::Outcome::conflict)
          errors.push_back(RowError{batch.lines[i], batch.rows[i][F::codice_fiscale], "anagrafe.row.conflict",
                                    batch.rows[i][F::data_variazione]});
      }
      streets_added = store::add_streets(tx, tenant, report.import_id, streets);
      // The run's first errors are kept with it, for the registry office's page.
      const std::size_t room =
          report.error_count >= kMaxReportedErrors ? 0 : kMaxReportedErrors - report.error_count;
      if (room > 0) {
        std::vector<RowError> kept(errors.begin(), errors.begin() + std::min(room, errors.size()));
        store::add_import_errors(tx, report.import_id, kept);
      }
    });
    for (auto o : outcomes) {
      if (o == store::Outcome::inserted) ++report.inserted;
      if (o == store::Outcome::unchanged) ++report.unchanged;
    }
    std::sort(errors.begin(), errors.end(),
              [](const RowError& a, const RowError& b) { return a.line < b.line; });
    for (const auto& e : errors) keep_error(report, e);
    report.streets_added += streets_added;
    ++report.batches;
    batch.clear();
  };

  auto read = read_rows(in, format, [&](RawRow&& raw) {
    ++report.rows;
    if (raw.error) {
      raw.error->line = raw.line;
      batch.errors.push_back(*raw.error);
    } else if (auto e = check_row(raw.values, istat)) {
      e->line = raw.line;
      batch.errors.push_back(std::move(*e));
    } else {
      batch.rows.push_back(std::move(raw.values));
      batch.lines.push_back(raw.line);
    }
    if (batch.size() >= batch_size) flush();
    return true;
  });
  flush();
  if (!read)
    report.file_error = read.error().code + (read.error().detail.empty() ? "" : " " + read.error().detail);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  db_.write([&](db::Conn& tx) {
    store::finish_import(tx, tenant, report.import_id, time::format_iso_utc(clock_.now()), report);
    audit::Entry e;
    e.tenant_id = tenant;
    e.actor_kind = actor.who && actor.who->is_staff() ? audit::ActorKind::staff : audit::ActorKind::system;
    e.actor_id = actor_id;
    e.channel = actor.who ? audit::Channel::web : audit::Channel::system;
    e.action = "anagrafe.import";
    e.record_type = "anagrafe_import";
    e.record_id = std::to_string(report.import_id);
    boost::json::object d;
    d["file"] = file_name;
    d["rows"] = report.rows;
    d["inserted"] = report.inserted;
    d["unchanged"] = report.unchanged;
    d["errors"] = report.error_count;
    if (!report.file_error.empty()) d["file_error"] = report.file_error;
    e.details = boost::json::serialize(d);
    audit_.record_or_throw(tx, e);
  });
  if (!read) {
    Error err = read.error();
    err.detail = err.detail.empty() ? std::to_string(report.import_id) : err.detail;
    return err;
  }
  return report;
}

std::optional<PersonVersion> AnagrafeService::current(tenants::TenantId tenant, const std::string& cf) {
  std::optional<PersonVersion> out;
  const auto day = today();
  db_.read([&](db::Conn& c) { out = store::current(c, tenant, cf, day); });
  return out;
}

std::vector<PersonVersion> AnagrafeService::history(tenants::TenantId tenant, const std::string& cf) {
  std::vector<PersonVersion> out;
  db_.read([&](db::Conn& c) { out = store::history(c, tenant, cf); });
  return out;
}

std::vector<PersonVersion> AnagrafeService::household(tenants::TenantId tenant,
                                                      const std::string& id_famiglia) {
  std::vector<PersonVersion> all;
  const auto day = today();
  db_.read([&](db::Conn& c) { all = store::household(c, tenant, id_famiglia, day); });
  std::vector<PersonVersion> out;
  for (auto& p : all)
    if (p[F::id_famiglia] == id_famiglia && !p.cancelled()) out.push_back(std::move(p));
  return out;
}

std::vector<Residence> AnagrafeService::residences(const std::string& cf) {
  std::vector<Residence> found;
  const auto day = today();
  db_.read([&](db::Conn& c) { found = store::residences(c, cf, day); });
  return found;
}

std::vector<OwnRecord> AnagrafeService::records_of(const std::string& cf) {
  auto found = residences(cf);
  std::vector<OwnRecord> out;
  for (auto& r : found) {
    if (r.person.cancelled()) continue;
    OwnRecord rec{r.tenant_id, r.person, household(r.tenant_id, r.person[F::id_famiglia])};
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::vector<OwnRecord>> AnagrafeService::own_records(const identity::Principal* who) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  return records_of(who->subject);
}

std::vector<std::string> AnagrafeService::residents(tenants::TenantId tenant,
                                                    const std::vector<std::string>& streets) {
  std::vector<std::string> out;
  const auto day = today();
  db_.read([&](db::Conn& c) { out = store::residents(c, tenant, day, streets); });
  return out;
}

std::vector<Street> AnagrafeService::streets(tenants::TenantId tenant) {
  std::vector<Street> out;
  db_.read([&](db::Conn& c) { out = store::streets(c, tenant); });
  return out;
}

RegisterCounts AnagrafeService::counts(tenants::TenantId tenant) {
  RegisterCounts out;
  db_.read([&](db::Conn& c) { out = store::counts(c, tenant); });
  return out;
}

std::vector<ImportRun> AnagrafeService::imports(tenants::TenantId tenant, int limit) {
  std::vector<ImportRun> out;
  db_.read([&](db::Conn& c) { out = store::imports(c, tenant, limit); });
  return out;
}

Result<std::pair<ImportRun, std::vector<RowError>>> AnagrafeService::import_detail(
    const identity::Principal* who, tenants::TenantId tenant, std::int64_t import_id) {
  if (auto st = may_manage(who, tenant); !st) return st.error();
  std::optional<ImportRun> run;
  std::vector<RowError> errors;
  db_.read([&](db::Conn& c) {
    run = store::import_run(c, tenant, import_id);
    if (run) errors = store::import_errors(c, tenant, import_id);
  });
  if (!run) return Error::not_found("import");
  return std::make_pair(*run, std::move(errors));
}

bool AnagrafeService::empty() {
  bool any = false;
  db_.read([&](db::Conn& c) { any = store::any_version(c); });
  return !any;
}

}  // namespace sp::anagrafe
