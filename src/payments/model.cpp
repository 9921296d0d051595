#include "payments/model.hpp"

#include <array>
#include <utility>

namespace sp::payments {
namespace {

template <class E, std::size_t N>
std::optional<E> find(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [x, name] : table)
    if (x == e) return name;
  return {};
}

constexpr std::array<std::pair<PositionStatus, std::string_view>, 8> kPositionStatus{{
    {PositionStatus::draft, "DRAFT"},
    {PositionStatus::published, "PUBLISHED"},
    {PositionStatus::valid, "VALID"},
    {PositionStatus::partially_paid, "PARTIALLY_PAID"},
    {PositionStatus::paid, "PAID"},
    {PositionStatus::reported, "REPORTED"},
    {PositionStatus::expired, "EXPIRED"},
    {PositionStatus::invalid, "INVALID"},
}};
constexpr std::array<std::pair<OptionStatus, std::string_view>, 3> kOptionStatus{{
    {OptionStatus::unpaid, "unpaid"},
    {OptionStatus::paid, "paid"},
    {OptionStatus::reported, "reported"},
}};
constexpr std::array<std::pair<DebtorType, std::string_view>, 2> kDebtorType{{
    {DebtorType::person, "F"},
    {DebtorType::legal, "G"},
}};
constexpr std::array<std::pair<PositionKind, std::string_view>, 2> kKind{{
    {PositionKind::ordinary, "ordinary"},
    {PositionKind::fine, "fine"},
}};
constexpr std::array<std::pair<FineRole, std::string_view>, 3> kFineRole{{
    {FineRole::none, ""},
    {FineRole::reduced, "reduced"},
    {FineRole::full, "full"},
}};

}  // namespace

std::string_view to_string(PositionStatus s) {
  return name_of(kPositionStatus, s);
}
std::string_view to_string(OptionStatus s) {
  return name_of(kOptionStatus, s);
}
std::string_view to_string(DebtorType t) {
  return name_of(kDebtorType, t);
}
std::string_view to_string(PositionKind k) {
  return name_of(kKind, k);
}
std::string_view to_string(FineRole r) {
  return name_of(kFineRole, r);
}
std::optional<PositionStatus> parse_position_status(std::string_view s) {
  return find(kPositionStatus, s);
}
std::optional<OptionStatus> parse_option_status(std::string_view s) {
  return find(kOptionStatus, s);
}
std::optional<DebtorType> parse_debtor_type(std::string_view s) {
  return find(kDebtorType, s);
}
std::optional<PositionKind> parse_position_kind(std::string_view s) {
  return find(kKind, s);
}
std::optional<FineRole> parse_fine_role(std::string_view s) {
  return find(kFineRole, s);
}

}  // namespace sp::payments
