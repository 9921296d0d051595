#include "identity/model.hpp"

#include <array>
#include <utility>

namespace sp::identity {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 8> kRoles{
    {{Role::citizen, "citizen"},
     {Role::operator_, "operator"},
     {Role::office_manager, "office_manager"},
     {Role::body_admin, "body_admin"},
     {Role::hub_admin, "hub_admin"},
     {Role::helpdesk, "helpdesk"},
     {Role::counter_operator, "counter_operator"},
     {Role::tourism_editor, "tourism_editor"}}};
}  // namespace

std::string_view to_string(Role r) {
  for (const auto& [role, name] : kRoles) {
    if (role == r) return name;
  }
  return "citizen";
}

std::optional<Role> parse_role(std::string_view s) {
  for (const auto& [role, name] : kRoles) {
    if (name == s) return role;
  }
  return std::nullopt;
}

}  // namespace sp::identity
