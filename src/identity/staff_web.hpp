#pragma once
// Back-office pages for staff: sign-in at the hub (/backoffice/accedi, the body comes from the account),
// the staff home, forgotten/reset password, and a body administrator's staff and API key pages.
//   GET/POST /backoffice/accedi                      sign-in (e-mail, password, TOTP; TOTP enrolment)
//   GET      /backoffice/                            staff home
//   GET/POST /backoffice/password-dimenticata        ask for a reset e-mail
//   GET/POST /backoffice/reimposta-password?token=   set a new password
//   GET/POST /backoffice/{slug}/personale            the body's staff (body administrators)
//   GET/POST /backoffice/{slug}/chiavi-api           the body's API keys (body administrators)
// Anonymous forms use a double-submit cookie (sp_csrf, SameSite=Strict); signed-in forms the session's
// CSRF token (identity::check_csrf).
#include "http/router.hpp"
#include "identity/api_keys.hpp"
#include "identity/session_service.hpp"
#include "identity/staff_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct StaffWebDeps {
  web::View& view;
  SessionService& sessions;
  StaffService& staff;
  ApiKeyService& api_keys;
  tenants::TenantService& tenants;
  bool secure_cookies = false;  // true when the public URL is https
};

void register_staff_pages(http::Router& router, StaffWebDeps& deps);
// GET/POST /hub/personale: the hub's own staff, for its administrators (hub_staff_web.cpp). Called by
// register_staff_pages.
void register_hub_staff_pages(http::Router& router, StaffWebDeps& deps);

// The double-submit cookie of anonymous forms.
inline constexpr const char* kStaffCsrfCookie = "sp_csrf";

}  // namespace sp::identity
