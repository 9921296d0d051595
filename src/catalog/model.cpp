#include "catalog/model.hpp"

namespace sp::catalog {

std::string_view to_string(Audience a) {
  return a == Audience::businesses ? "businesses" : "citizens";
}

std::optional<Audience> parse_audience(std::string_view s) {
  if (s == "citizens" || s == "cittadini") return Audience::citizens;
  if (s == "businesses" || s == "imprese") return Audience::businesses;
  return std::nullopt;
}

}  // namespace sp::catalog
