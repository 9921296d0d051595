#include "tenants/model.hpp"

namespace sp::tenants {

std::string_view to_string(BodyKind kind) {
  switch (kind) {
    case BodyKind::comune:
      return "comune";
    case BodyKind::unione:
      return "unione";
    case BodyKind::provincia:
      return "provincia";
    case BodyKind::comunita_montana:
      return "comunita_montana";
  }
  return "comune";
}

std::optional<BodyKind> parse_body_kind(std::string_view text) {
  if (text == "comune") return BodyKind::comune;
  if (text == "unione") return BodyKind::unione;
  if (text == "provincia") return BodyKind::provincia;
  if (text == "comunita_montana") return BodyKind::comunita_montana;
  return std::nullopt;
}

}  // namespace sp::tenants
