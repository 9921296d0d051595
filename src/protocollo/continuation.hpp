#pragma once
// Numbering continued from other software (issue 18, docs/hub.md): a registry office that moves to the hub
// in the middle of a year brings its next number; this year's first registration here takes it, and the
// numbering stays gapless and progressive from there (DPR 445/2000 art. 57: restarting every year). Kept on
// the AOO (aoo.start_year, aoo.start_number, migration 0050). Set-up like create_aoo: called by provisioning
// code that has checked access (the hub's onboarding).
#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "db/database.hpp"
#include "protocollo/model.hpp"

namespace sp::protocollo {

// Errors: protocollo.start_number (400: not 1..9,999,999, or the AOO registered in that year already:
// its numbering is under way), protocollo.aoo (404: not an AOO of the body).
Status continue_numbering(db::Database& db, tenants::TenantId tenant, AooId aoo, int year,
                          std::int64_t next_number);
// The number the first registration of `year` takes (nullopt: 1, as always).
std::optional<std::int64_t> continued_number(db::Conn& c, AooId aoo, int year);

}  // namespace sp::protocollo
