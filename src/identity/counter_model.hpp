#pragma once
// An assisted session at the counter: who was served, on which identity document, by which operator.
#include <cstdint>
#include <optional>
#include <string>

#include "tenants/model.hpp"

namespace sp::identity {

struct CounterIdentity {
  std::string fiscal_code;
  std::string family_name;
  std::string given_name;
  std::string sex;  // "M" or "F"
  std::string birth_date;
  std::string document_type;
  std::string document_number;
  std::string document_expiry;
};

struct AssistedSession {
  std::string id;
  tenants::TenantId counter_tenant_id = 0;
  std::string operator_id;
  std::string operator_name;
  std::string staff_session_id;
  std::string citizen_cf;
  std::string citizen_name;
  std::string document_type;
  std::string document_number;
  std::string started_at;  // audit format, "2026-11-23T10:00:00.000Z"
  std::optional<std::string> ended_at;
  std::string family_name;  // "" for sessions opened before migration 0020
  std::string given_name;
  std::string sex;              // "M" / "F"
  std::string birth_date;       // YYYY-MM-DD
  std::string document_expiry;  // YYYY-MM-DD
  int number_year = 0;          // Rome year of the readable number; 0 before migration 0020
  std::int64_t number = 0;

  // "SA-2026-000042"; the id for sessions that have no number.
  [[nodiscard]] std::string number_label() const;
  // As typed on the document: what the form shows again for a correction.
  [[nodiscard]] CounterIdentity identity() const;
};

}  // namespace sp::identity
