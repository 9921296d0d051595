#include "payments/reconciliation_pull.hpp"

#include <spdlog/spdlog.h>

#include "payments/reconciliation_store.hpp"

namespace sp::payments::recon {
namespace {

void pull_add(PullReport& into, const PullReport& r) {
  into.listed += r.listed;
  into.skipped += r.skipped;
  into.recorded += r.recorded;
  into.replaced += r.replaced;
  into.unchanged += r.unchanged;
  into.ignored += r.ignored;
  into.refused += r.refused;
  into.errors.insert(into.errors.end(), r.errors.begin(), r.errors.end());
}

}  // namespace

PullReport pull_flows(ReconciliationService& recon, db::Database& db, const pagopa::fdr::Client& client,
                      tenants::TenantId tenant, const std::string& fiscal_code, const Actor& who_acts) {
  PullReport out;
  const std::string who = std::to_string(tenant);
  auto refs = client.list(fiscal_code);
  if (!refs) {
    out.errors.push_back(who + ": " + refs.error().code + " " + refs.error().detail);
    return out;
  }
  for (const auto& ref : *refs) {
    ++out.listed;
    std::optional<KnownFlow> known;
    db.read([&](db::Conn& c) { known = ReconciliationStore::current(c, tenant, ref.psp_id, ref.fdr); });
    if (known) {
      auto a = time::parse_iso_utc(known->flow_time);
      auto b = time::parse_iso_utc(ref.flow_date);
      if (a && b && *a == *b) {
        ++out.skipped;
        continue;
      }
    }
    auto flow = client.fetch(fiscal_code, ref);
    if (!flow) {
      out.errors.push_back(who + ": " + ref.fdr + ": " + flow.error().code + " " + flow.error().detail);
      continue;
    }
    auto imp = recon.import_flow(who_acts, tenant, pagopa::fdr::render_fdr_xml(*flow), FlowSource::fdr_api);
    if (!imp) {
      out.errors.push_back(who + ": " + ref.fdr + ": " + imp.error().code + " " + imp.error().detail);
      continue;
    }
    switch (imp->outcome) {
      case ImportOutcome::recorded:
        ++out.recorded;
        break;
      case ImportOutcome::replaced:
        ++out.replaced;
        break;
      case ImportOutcome::unchanged:
        ++out.unchanged;
        break;
      case ImportOutcome::ignored:
        ++out.ignored;
        break;
      case ImportOutcome::refused:
        ++out.refused;
        out.errors.push_back(who + ": " + ref.fdr + ": refused " + std::string(imp->report.verdict()));
        break;
    }
  }
  return out;
}

Result<PullReport> pull_flows_as(ReconciliationService& recon, db::Database& db,
                                 const pagopa::fdr::Client& client, const Actor& who,
                                 tenants::TenantId tenant) {
  if (auto st = recon.may_import(who, tenant); !st) return st.error();
  auto cf = recon.creditor_fiscal_code(tenant);
  if (!cf) return cf.error();
  return pull_flows(recon, db, client, tenant, *cf, who);
}

PullReport pull_all(ReconciliationService& recon, db::Database& db, const pagopa::fdr::Client& client) {
  PullReport out;
  std::vector<std::pair<tenants::TenantId, std::string>> creditors;
  db.read([&](db::Conn& c) { creditors = ReconciliationStore::creditors(c); });
  for (const auto& [tenant, cf] : creditors) pull_add(out, pull_flows(recon, db, client, tenant, cf));
  return out;
}

void register_fdr_pull_job(jobs::Runner& runner, ReconciliationService& recon, db::Database& db,
                           const pagopa::fdr::Client& client) {
  jobs::Kind k;
  k.name = kFdrPullKind;
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(120), std::chrono::seconds(1800), std::chrono::seconds(1800)};
  k.run = [&recon, &db, &client](jobs::JobRun&) -> Status {
    auto r = pull_all(recon, db, client);
    if (r.recorded + r.replaced > 0)
      spdlog::info("fdr pull: {} flow(s) recorded, {} replaced, {} refused", r.recorded, r.replaced,
                   r.refused);
    if (r.errors.empty()) return Ok{};
    std::string detail;
    for (const auto& e : r.errors) detail += (detail.empty() ? "" : "; ") + e;
    return Error::make("fdr_api.pull", 502, detail);
  };
  // Importing is idempotent, so a missed hour needs no catching up: the next pull lists the same flows.
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(60)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::payments::recon
