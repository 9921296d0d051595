#pragma once
// Drafts of online applications (issue 5): what a signed-in person has typed in a service's form, kept in
// the database on every step so that nothing typed is lost (a validation error, a session timeout, a
// server restart, another device). A draft becomes a case (src/cases) when it is sent; it then keeps the
// case's protocol number, date and deadline for the receipt.
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tenants/model.hpp"

namespace sp::applications {

enum class DraftStatus { open, submitted };

struct Draft {
  std::string id;  // random token (43 characters): it is in the citizen's URLs, so it must not be guessable
  tenants::TenantId tenant_id = 0;
  std::string service_code;
  std::string form_code;
  int form_version = 1;         // the hub's version of the form (forms::DefinitionsService)
  int overlay_version = 0;      // the body's overlay version it includes (0: none); both fixed once sent
  std::string owner_cf;         // the signed-in person who started it
  std::string on_behalf_of;     // codice fiscale / partita IVA of whom they act for; "" for themselves
  boost::json::object answers;  // forms::Answers, as typed (file fields hold stored file refs)
  std::vector<std::string> prefilled;  // the fields the platform filled when the draft was made
  std::string step;                    // id of the step the person was last on
  DraftStatus status = DraftStatus::open;
  // Once submitted: the case and what the receipt shows.
  std::string case_id;
  std::string protocol_label;  // "0000042/2026"
  std::string submitted_at;    // UTC ISO
  std::string due_date;        // YYYY-MM-DD (Rome)
  std::int64_t revision = 1;
  std::string created_at;
  std::string updated_at;

  [[nodiscard]] bool submitted() const { return status == DraftStatus::submitted; }
};

// A step posted when its answers could not be saved in the draft (the session had expired, or the
// page's form token was stale): kept aside until the owner, signed in again, reviews and saves it.
struct ParkedPost {
  std::string draft_id;
  tenants::TenantId tenant_id = 0;
  std::string step;
  boost::json::object answers;  // the step's answers as posted (forms::read_post)
  std::string created_at;
};

}  // namespace sp::applications
