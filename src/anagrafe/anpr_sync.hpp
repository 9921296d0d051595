#pragma once
// Keeping the mirror current from ANPR's change notifications (docs/anagrafe.md, "Kept current from
// ANPR"). Which ANPR service: 4005 richieste_asincrone of the SOAP web services for comuni
// (adapters/anpr/wire.hpp says why: ANPR's advice for keeping a local database current); the hub polls,
// ANPR does not call in, so there is no inbound endpoint: each request carries the comune's credential
// (config anpr_credentials) like the 3000 and 6001 calls.
//
// Each poll asks for the period from the end of the body's previous poll (the first: `first_window`
// back) to now, applies the notifications through AnagrafeService::apply_notifications and records the
// poll. Nothing is recorded when ANPR is unreachable or not ready: the next poll asks the same period
// again. Periods are inclusive at both ends; a notification seen twice is skipped by its ANPR id.
//
// The job kind "anagrafe.anpr_sync" polls every body with an ISTAT code and a credential every
// `interval` (once across the nodes); `sportello anagrafe sync --body …` polls one body now.
#include <chrono>
#include <map>
#include <string>

#include "adapters/anpr/client.hpp"
#include "anagrafe/service.hpp"
#include "jobs/runner.hpp"

namespace sp::anagrafe {

inline constexpr const char* kSyncKind = "anagrafe.anpr_sync";

struct AnprSyncOptions {
  std::string anpr_url;                            // …/Interno/ANPR; empty: not configured
  std::map<std::string, std::string> credentials;  // ISTAT code → secret
  anpr::Tls tls;                                   // the hub's client certificate (mutual TLS)
  std::string send_type = "PROD";
  std::chrono::hours first_window{24};
  std::chrono::minutes interval{5};
};

class AnprSync {
 public:
  AnprSync(AnagrafeService& mirror, const tenants::TenantService& tenants, const time::Clock& clock,
           AnprSyncOptions options)
      : mirror_(mirror), tenants_(tenants), clock_(clock), options_(std::move(options)) {}

  // One body now. Errors: not_found, anagrafe.no_istat (409), anpr.not_configured (503), the client's
  // (anpr.unreachable, anpr.not_ready, anpr.refused …).
  Result<SyncReport> sync(tenants::TenantId tenant);
  // Every configured body; returns how many were polled without error (the others are logged).
  std::size_t sync_all();
  // Registers the periodic job.
  void attach(jobs::Runner& runner);

 private:
  AnagrafeService& mirror_;
  const tenants::TenantService& tenants_;
  const time::Clock& clock_;
  AnprSyncOptions options_;
};

}  // namespace sp::anagrafe
