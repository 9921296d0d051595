#pragma once
// `sportello demo --scale N --cases M`: M synthetic applications and their cases, for the demo and the
// benchmarks (docs/anagrafe.md, "The demo and synthetic populations").
//
// - Consistent with the synthetic population of `--scale N` (the same generator and seeds as
//   run_demo_scale, so the same people): each applicant is an adult resident of the comune the case goes
//   to, applying for a service that comune offers online (catalog level >= 3).
// - Spread over the years (submitted between 1 January 2019 and 30 November 2026) and in every state of
//   cases/model.hpp: the older ones mostly decided or closed, the recent ones open; each case carries the
//   transitions of a legal path to its state, its deadline (with the suspensions of the states that have
//   them), and the submitted draft (the "application") that led to it.
// - Deterministic: the same N and M give the same rows, ids included (derived from the case's number,
//   not random), and running it again adds nothing (a case already there is skipped).
//
// How: bulk insert through the stores (applications::DraftStore, cases::CaseStore with queue_keys), in
// transactions of 2000 cases through the single writer — NOT through CaseService::submit, which renders
// and stamps a PDF, registers it in the protocol, writes the audit chain and queues a receipt per case
// (tens of milliseconds each: hours for the 10,000,000 cases the benchmarks want). Consequence, on
// purpose: the synthetic cases are not in the protocol register nor the audit chain (both legal records
// of what really happened; history made up afterwards does not belong there), so they carry no protocol
// number, and no documents.
#include <cstdint>
#include <ostream>

#include "catalog/service.hpp"
#include "core/config.hpp"
#include "db/database.hpp"
#include "tenants/service.hpp"

namespace sp::app {

struct DemoCasesReport {
  std::int64_t inserted = 0;
  std::int64_t already_there = 0;
  std::int64_t by_state[10] = {};  // by cases::State
};

// Exit status 0, or 2 when it cannot run (no comune with residents and online services).
int run_demo_cases(db::Database& db, const tenants::TenantService& tenants, catalog::CatalogService& catalog,
                   std::int64_t residents, std::int64_t cases, std::ostream& err,
                   DemoCasesReport* report = nullptr);

}  // namespace sp::app
