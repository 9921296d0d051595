#pragma once
// The hub's members (issue 18): standard service packages, credits and their rules, and onboarding a
// new member body. A body's offered services live in the catalog's body_services (one truth); this module
// decides how they may change and keeps the dated record of every change.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tenants/model.hpp"

namespace sp::hub {

// Levels as the catalog numbers them (catalog::Level): 1 information, 2 downloadable form, 3 online
// application, 4 online with payment. High interactivity: 3 and 4.
inline constexpr int kHighLevel = 3;

// Rules the hub sets for every body (Como, seed 003: 2 to 8 high-interactivity services per body).
struct Rules {
  int min_high = 2;
  int max_high = 8;
  int cost[5] = {0, 1, 2, 4, 5};  // credits a service costs at level 1..4 (index 0 unused)
  std::string updated_at;
  std::string updated_by;
  [[nodiscard]] int cost_of(int level) const { return level >= 1 && level <= 4 ? cost[level] : 0; }
};

struct PackageItem {
  std::string service_code;
  int level = 1;
};

// A standard package: for a kind of body and a population band, which services at which level, and the
// credits a body receives with it.
struct Package {
  std::int64_t id = 0;
  std::string code;
  std::string name_it;
  std::string name_en;
  tenants::BodyKind body_kind = tenants::BodyKind::comune;
  std::int64_t min_population = 0;
  std::optional<std::int64_t> max_population;
  std::int64_t credits = 0;
  // Limits on high-interactivity services for the bodies that received it (none: the hub's rules).
  std::optional<int> min_high;
  std::optional<int> max_high;
  std::vector<PackageItem> items;
  std::string updated_at;
  std::string updated_by;
  [[nodiscard]] const std::string& name(std::string_view lang) const {
    return lang == "en" && !name_en.empty() ? name_en : name_it;
  }
  [[nodiscard]] bool fits(tenants::BodyKind kind, std::int64_t population) const {
    return kind == body_kind && population >= min_population &&
           (!max_population || population <= *max_population);
  }
};

// One dated record of a body's package or credits. Append-only.
struct LedgerEntry {
  tenants::TenantId tenant_id = 0;
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;  // package.assigned, credits.granted, service.added, service.removed, service.level
  std::string service_code;
  int level_before = 0;  // 0: not offered
  int level_after = 0;
  std::int64_t credits_before = 0;
  std::int64_t credits_after = 0;
  std::string note;
};

// What a body's package page and the hub's overview show of one body.
struct BodyPackage {
  tenants::TenantId tenant_id = 0;
  std::optional<Package> package;  // none: its services predate packages
  std::int64_t balance = 0;
  int high = 0;      // services offered at level 3 or 4 (as delivered)
  int services = 0;  // services offered
  int min_high = 0;  // the limits in force: its package's, else the hub's rules
  int max_high = 0;
};

// A service of the catalog as one body may have it: its level now (0: not offered), the highest level the
// hub can deliver to this body, and what each change would cost.
struct ServiceOption {
  std::string code;
  std::string title_it;
  std::string title_en;
  std::string audience;
  int level = 0;          // as delivered now (never above `deliverable`); 0: not offered
  int stored_level = 0;   // as recorded in body_services
  int catalog_level = 1;  // what the catalog built
  int deliverable = 1;    // the highest level the hub can deliver here
  bool has_form = false;  // the hub takes its applications online
};

}  // namespace sp::hub

namespace sp::hub {

// Everything a new member needs, as the guided flow, `sportello bodies add FILE` and
// `POST /api/v1/hub/bodies` take it (docs/hub.md, "Onboarding a body").
struct NewBody {
  std::string kind = "comune";  // comune, unione, provincia, comunita_montana
  std::string name;
  std::string slug;
  std::string istat_code;     // 6 digits (comune), 3 (provincia), optional for unions
  std::string belfiore_code;  // cadastral code, letter + 3 digits (comune)
  std::string ipa_code;       // IPA code, e.g. c_a479
  std::string fiscal_code;    // 11 digits with check digit
  std::string pec;
  std::string population;  // as typed
  std::string province;
  std::string region;
  std::string host_name;
  std::string logo_path;  // under /static/, empty for the default crest
  // A picture uploaded in the guided flow, kept under the hub (tenant 0) until the body is made, then
  // made the body's logo (LogoService::adopt); the CLI and the API take logo_path only.
  std::string logo_file_id;
  std::string color_primary = "#0066CC";
  // Registry office (AOO) and the protocol number to continue from (mid-year move from other software).
  std::string aoo_code;
  std::string aoo_name;
  std::string protocol_next_number;  // as typed; empty: 1
  // pagoPA creditor settings.
  std::string iban;
  std::string postal_iban;
  std::string segregation_code;
  // First administrator: an invitation (a link to choose the password) goes to this address.
  std::string admin_email;
  std::string admin_name;
  std::string package;  // a package code
};

// A comune of ISTAT's list (istat_comuni): its codes, name and province.
struct Comune {
  std::string istat_code;     // 6 digits ("005005")
  std::string belfiore_code;  // cadastral code ("A479")
  std::string name;
  std::string province;  // car-plate abbreviation ("AT")
};

// A body's current logo (body_logos): a picture in stored_files under the body.
struct Logo {
  tenants::TenantId tenant_id = 0;
  std::string file_id;
  std::string mime_type;
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::string sha256;
  std::string updated_at;
  std::string updated_by;
};

// A half-finished onboarding: the fields typed so far, the step reached, and the body once made.
struct Draft {
  std::string id;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  int step = 1;
  NewBody body;
  std::string progress;  // JSON: what the finishing run already made
  tenants::TenantId tenant_id = 0;
  std::string completed_at;
};

struct Onboarded {
  tenants::TenantId tenant_id = 0;
  std::string slug;
  std::string admin_staff_id;
};

}  // namespace sp::hub
