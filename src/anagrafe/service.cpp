#include "anagrafe/service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
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
  // The streets the body's list already has (a comune's stradario: thousands at most), so that a batch
  // writes only the new ones.
  std::set<std::pair<std::string, std::string>> known_streets;
  db_.write([&](db::Conn& tx) {
    report.import_id =
        store::begin_import(tx, tenant, file_name, format, actor_id, time::format_iso_utc(clock_.now()));
    for (auto& s : store::streets(tx, tenant))
      known_streets.emplace(std::move(s.specie), std::move(s.denominazione));
  });

  // Writes one batch (on its own thread, while the next one is read): digests, new streets, then one
  // transaction through the database's writer.
  auto write_batch = [&](Batch& batch) {
    std::vector<std::string> hashes;
    hashes.reserve(batch.rows.size());
    for (const auto& r : batch.rows) hashes.push_back(r.content_hash());
    std::vector<Street> streets;
    for (const auto& r : batch.rows)
      if (!r[F::specie_via].empty() && !known_streets.contains({r[F::specie_via], r[F::denominazione_via]})) {
        known_streets.emplace(r[F::specie_via], r[F::denominazione_via]);
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
      streets_added = streets.empty() ? 0 : store::add_streets(tx, tenant, report.import_id, streets);
      // The run's first errors are kept with it, for the registry office's page.
      const std::size_t room =
          report.error_count >= kMaxReportedErrors ? 0 : kMaxReportedErrors - report.error_count;
      if (room > 0 && !errors.empty()) {
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
  };

  // At most one batch is being written while the next is read: memory stays bounded (two batches), and
  // the reading (parsing, checks) overlaps the writing. The report's counts are the writer's; the reader
  // counts only `rows`. A batch that fails rethrows at the next hand-over, or at the end.
  Batch batch;
  std::string batch_last_cf;  // the codice fiscale of the batch's last row
  std::future<void> in_flight;
  const std::size_t batch_size = std::max<std::size_t>(1, options.batch_size);
  auto flush = [&] {
    if (in_flight.valid()) in_flight.get();
    if (batch.size() == 0) return;
    auto job = std::make_shared<Batch>(std::move(batch));
    batch = Batch{};
    in_flight = std::async(std::launch::async, [job, &write_batch] { write_batch(*job); });
  };
  struct Drain {  // leaves no batch writing behind when the reading stops on an exception
    std::future<void>& f;
    ~Drain() {
      if (f.valid()) f.wait();
    }
  } drain{in_flight};

  auto read = read_rows(in, format, [&](RawRow&& raw) {
    ++report.rows;
    std::optional<RowError> error = raw.error;
    if (!error) error = check_row(raw.values, istat);
    // A person's consecutive lines (their versions, in a file in person order) go in one batch: a
    // process stopped halfway leaves each of them wholly old or wholly new. A batch ends at the first
    // other person after batch_size rows (at 4 x batch_size rows anyway: bounded memory).
    const std::string& cf = raw.values[F::codice_fiscale];
    if (batch.size() >= batch_size && (cf != batch_last_cf || batch.size() >= 4 * batch_size)) flush();
    batch_last_cf = cf;
    if (error) {
      error->line = raw.line;
      batch.errors.push_back(std::move(*error));
    } else {
      batch.rows.push_back(std::move(raw.values));
      batch.lines.push_back(raw.line);
    }
    return true;
  });
  flush();
  flush();  // waits for the last batch
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
