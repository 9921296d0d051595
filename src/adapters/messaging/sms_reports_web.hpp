#pragma once
// The SMS gateway's delivery reports arrive here (sms.hpp has the protocol):
//   POST /inbound/sms/reports   Authorization: Bearer <sms_report_token>
//   {"id": "sms-1", "reference": "<outbox id>", "status": "delivered", "error": ""}  (or an array of them)
// 200 {"applied": n, "unchanged": n, "unknown": n}; 401 without the token (compared in constant time);
// 400 for a body that is not JSON or a report without id, reference or a known status. A report that
// names no SMS message of the hub with that gateway id counts as unknown and changes nothing. Not mounted
// when the token is empty (configuration sms_report_token; the demo makes one for its simulator).
#include <string>

#include "core/time.hpp"
#include "db/database.hpp"
#include "http/router.hpp"

namespace sp::messaging {

void register_sms_reports(http::Router& router, db::Database& db, std::string token,
                          const time::Clock& clock = time::system_clock());

}  // namespace sp::messaging
