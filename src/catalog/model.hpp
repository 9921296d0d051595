#pragma once
// The common service catalog, organised by life event, and each body's variant of the services it offers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenants/model.hpp"

namespace sp::catalog {

// A text in Italian and English; English falls back to Italian when missing.
struct LocalText {
  std::string it;
  std::string en;
  [[nodiscard]] const std::string& in(std::string_view lang) const {
    return lang == "en" && !en.empty() ? en : it;
  }
  [[nodiscard]] bool empty() const { return it.empty() && en.empty(); }
};

struct LifeEvent {
  std::string code;
  int position = 0;
  LocalText title;
  LocalText description;
  std::string icon;
};

struct Area {
  std::string code;
  LocalText title;
};

enum class Audience { citizens, businesses };
std::string_view to_string(Audience a);
std::optional<Audience> parse_audience(std::string_view s);

// Interactivity levels as the seeds use them.
enum Level : int { information = 1, downloadable_form = 2, online_application = 3, online_with_payment = 4 };

struct Service {
  std::int64_t id = 0;
  std::string code;
  LocalText title;
  LocalText summary;
  LocalText description;
  std::string life_event;
  std::string area;
  Audience audience = Audience::citizens;
  int level = 1;
  std::optional<std::int64_t> fee_cents;
  LocalText fee_note;
  std::optional<int> deadline_days;
  LocalText office;
  std::vector<std::string> documents_it;
  std::vector<std::string> documents_en;
  int spid_level = 2;
  bool silence_consent = false;
  std::string legal_basis;

  [[nodiscard]] const std::vector<std::string>& documents(std::string_view lang) const {
    return lang == "en" && !documents_en.empty() ? documents_en : documents_it;
  }
};

// A body's activation of a catalog service, with its overrides (empty/nullopt: the catalog's value).
struct Activation {
  std::string service_code;
  int level = 0;  // 0: the catalog's level
  std::optional<std::int64_t> fee_cents;
  LocalText office;
  LocalText notes;
};

// What a citizen sees for one body: the catalog service with the body's overrides applied.
struct Offering {
  tenants::TenantId tenant_id = 0;
  Service service;  // level, fee_cents and office already replaced by the body's values
  LocalText notes;
};

// One search hit across the hub: a service and the bodies offering it.
struct SearchHit {
  Service service;
  std::vector<tenants::TenantId> offered_by;
};

}  // namespace sp::catalog
