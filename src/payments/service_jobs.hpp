#pragma once
// Payments' periodic jobs (service.hpp, "Jobs"), registered by the module at install time:
//   payments.activate_due  every 5 minutes, latest period only: PUBLISHED → VALID at the validity date;
//   payments.expire        daily at 00:10 Rome, latest period only (one run catches every day missed):
//                          VALID fines past their last due date → EXPIRED.
// Both re-check each position's state in its own transaction, so a second run (another node, a retry)
// changes nothing; every move is audited as payment_position.activate / payment_position.expire.
#include "jobs/runner.hpp"
#include "payments/service.hpp"

namespace sp::payments {

inline constexpr const char* kActivateDueKind = "payments.activate_due";
inline constexpr const char* kExpireKind = "payments.expire";

void register_payment_jobs(jobs::Runner& runner, PaymentsService& payments);

}  // namespace sp::payments
