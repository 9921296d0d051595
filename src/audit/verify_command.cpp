#include "audit/verify_command.hpp"

#include <exception>

#include "audit/service.hpp"

namespace sp::audit {
namespace {

const char* entries_word(std::int64_t n) {
  return n == 1 ? " entry" : " entries";
}

}  // namespace

int run_verify_command(db::Database& db, std::ostream& out) {
  try {
    AuditService service(db);
    auto reports = service.verify_all();
    if (reports.empty()) {
      out << "audit log is empty\n";
      return 0;
    }
    int rc = 0;
    for (const auto& r : reports) {
      out << "tenant " << r.tenant_id << ": ";
      if (r.intact) {
        out << "ok, " << r.entries << entries_word(r.entries) << '\n';
      } else {
        out << "BROKEN at seq " << r.broken_seq << ": " << r.problem << " (" << r.entries
            << entries_word(r.entries) << " intact before it)\n";
        rc = 1;
      }
    }
    return rc;
  } catch (const std::exception& e) {
    // A verification that could not run must not look like an intact log.
    out << "audit verify failed: " << e.what() << '\n';
    return 2;
  }
}

}  // namespace sp::audit
