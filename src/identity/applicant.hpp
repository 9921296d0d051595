#pragma once
// Whose codice fiscale a principal applies as, on the applicant's side of drafts, applications and cases:
// one rule shared by the applications and cases modules (and delegations), so that the assisted counter
// cannot be allowed in one place and refused, or allowed more widely, in another.
#include <string>

#include "identity/model.hpp"

namespace sp::identity {

// A person signed in with SPID/CIE: their own code (whom they act for is a separate matter:
// Principal::acting_for). A counter operator (Permission::counter) with an open assisted session: the
// code of the citizen served, whose identity was checked on a document at the counter. Anyone else
// (anonymous, staff not assisting, a non-counter staff member with a stale mark): "".
[[nodiscard]] std::string applicant_cf(const Principal* who);

// Whether `who` is a counter operator applying for the citizen at the counter (applicant_cf non-empty
// and not a person).
[[nodiscard]] bool applies_at_counter(const Principal* who);

}  // namespace sp::identity
