#pragma once
// The hub and its member bodies (the tenants). Every tenant-scoped table carries bodies.id as tenant_id.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::tenants {

using TenantId = std::int64_t;

enum class BodyKind { comune, unione, provincia, comunita_montana };
std::string_view to_string(BodyKind kind);
std::optional<BodyKind> parse_body_kind(std::string_view text);

struct Hub {
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::string fiscal_code;
  std::string pec;
  std::string description_it;
  std::string description_en;
};

struct Body {
  TenantId id = 0;
  std::int64_t hub_id = 0;
  BodyKind kind = BodyKind::comune;
  std::string slug;  // URL segment: /{slug}/
  std::string name;  // "Comune di Asti"
  std::string istat_code;
  std::string belfiore_code;  // cadastral code, empty for bodies that have none
  std::string fiscal_code;    // 11 digits
  std::string pec;
  std::string logo_path;  // under /static/, empty for the default crest
  std::string color_primary = "#0066CC";
  std::int64_t population = 0;
  std::string province;
  std::string region;
  std::string host_name;  // own host name mapped to this body, empty when none
  std::string description_it;
  std::string description_en;
  bool active = true;

  [[nodiscard]] const std::string& description(std::string_view lang) const {
    return lang == "en" && !description_en.empty() ? description_en : description_it;
  }
};

}  // namespace sp::tenants
