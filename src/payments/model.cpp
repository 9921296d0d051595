#include "payments/model.hpp"

#include <array>
#include <utility>

namespace sp::payments {
namespace {

template <class E, std::size_t N>
std::optional<E> enum_find(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view enum_name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [x, name] : table)
    if (x == e) return name;
  return {};
}

constexpr std::array<std::pair<PositionStatus, std::string_view>, 8> kEnumPositionStatus{{
    {PositionStatus::draft, "DRAFT"},
    {PositionStatus::published, "PUBLISHED"},
    {PositionStatus::valid, "VALID"},
    {PositionStatus::partially_paid, "PARTIALLY_PAID"},
    {PositionStatus::paid, "PAID"},
    {PositionStatus::reported, "REPORTED"},
    {PositionStatus::expired, "EXPIRED"},
    {PositionStatus::invalid, "INVALID"},
}};
constexpr std::array<std::pair<OptionStatus, std::string_view>, 3> kEnumOptionStatus{{
    {OptionStatus::unpaid, "unpaid"},
    {OptionStatus::paid, "paid"},
    {OptionStatus::reported, "reported"},
}};
constexpr std::array<std::pair<DebtorType, std::string_view>, 2> kEnumDebtorType{{
    {DebtorType::person, "F"},
    {DebtorType::legal, "G"},
}};
constexpr std::array<std::pair<PositionKind, std::string_view>, 2> kEnumKind{{
    {PositionKind::ordinary, "ordinary"},
    {PositionKind::fine, "fine"},
}};
constexpr std::array<std::pair<FineRole, std::string_view>, 3> kEnumFineRole{{
    {FineRole::none, ""},
    {FineRole::reduced, "reduced"},
    {FineRole::full, "full"},
}};

}  // namespace

std::string_view to_string(PositionStatus s) {
  return enum_name(kEnumPositionStatus, s);
}
std::string_view to_string(OptionStatus s) {
  return enum_name(kEnumOptionStatus, s);
}
std::string_view to_string(DebtorType t) {
  return enum_name(kEnumDebtorType, t);
}
std::string_view to_string(PositionKind k) {
  return enum_name(kEnumKind, k);
}
std::string_view to_string(FineRole r) {
  return enum_name(kEnumFineRole, r);
}
std::optional<PositionStatus> parse_position_status(std::string_view s) {
  return enum_find(kEnumPositionStatus, s);
}
std::optional<OptionStatus> parse_option_status(std::string_view s) {
  return enum_find(kEnumOptionStatus, s);
}
std::optional<DebtorType> parse_debtor_type(std::string_view s) {
  return enum_find(kEnumDebtorType, s);
}
std::optional<PositionKind> parse_position_kind(std::string_view s) {
  return enum_find(kEnumKind, s);
}
std::optional<FineRole> parse_fine_role(std::string_view s) {
  return enum_find(kEnumFineRole, s);
}

}  // namespace sp::payments
