#pragma once
// The daily register of protocol (registro giornaliero di protocollo, SPEC §3, DPR 445/2000 art. 53,
// AgID guidelines 2021 §3.1.6): for each AOO and each Rome calendar day, the list of the entries
// registered that day and of the changes made that day to earlier entries, as JSON and as PDF, with
// their SHA-256, kept immutable (append-only table) and ready to be sent to long-term preservation.
//
// A register exists for every day from the AOO's creation (or its first entry, if earlier) up to
// yesterday in Rome; empty days give a register with zero entries. catch_up() fills the missing days
// (server down, first start); it is safe to run on several nodes at once and cheap when nothing is
// missing. The job "protocollo.daily_register" (register_job.hpp) runs it once a day, and once for each
// day missed while no node ran.
//
// Contents are rendered as they were at the end of the day: an annulment made on a later day is not in
// the entry of the earlier day's register, it is in the later day's "changes" (and likewise for
// classification, fascicolo and office). The JSON is deterministic: the same day of the same data always
// gives the same bytes (it does not contain produced_at), so its SHA-256 is reproducible.
//
// Error codes: protocollo.aoo (unknown AOO: 404), protocollo_registro.day (not a YYYY-MM-DD day: 400),
// protocollo_registro.day_open (the day is not over yet in Rome: 409), protocollo_registro.before_start
// (a day before the AOO existed: 400); plus auth.required / forbidden from identity::authorize and
// not_found (also for another body's register).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "protocollo/model.hpp"
#include "stamp/service.hpp"
#include "tenants/model.hpp"

namespace sp::protocollo {

using DailyRegisterId = std::int64_t;

// What is listed: everything but the two documents.
struct DailyRegisterInfo {
  DailyRegisterId id = 0;
  tenants::TenantId tenant_id = 0;
  AooId aoo_id = 0;
  std::string aoo_code;
  std::string day;          // "2026-03-02": the Rome calendar day covered
  std::string produced_at;  // UTC, "2026-03-03T00:05:00.000Z"
  std::int64_t entry_count = 0;
  std::optional<std::int64_t> first_number;  // none on a day without entries
  std::optional<std::int64_t> last_number;
  std::int64_t changes_count = 0;
  std::string json_sha256;  // 64 lower-case hex characters, of the `json` bytes
  std::string pdf_sha256;   // of the `pdf` bytes
  std::int64_t pdf_size = 0;
  // The tenant's audit chain head when the register was produced (seq 0 and the genesis hash for an
  // empty chain). Also printed in the JSON and the PDF: a later audit log shorter than this, or whose
  // entry at this seq has another hash, has been truncated or rewritten.
  std::int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  // Today's entries so far, made on request and never stored: not the legal register of the day,
  // which is produced once the day is over. Its JSON and PDF say so.
  bool provisional = false;
};

struct DailyRegister {
  DailyRegisterInfo info;
  std::string json;  // UTF-8, application/json
  std::string pdf;   // application/pdf bytes
};

struct DailyRegisterQuery {
  std::optional<AooId> aoo_id;
  std::string from_day;  // "YYYY-MM-DD", inclusive; empty = no bound
  std::string to_day;    // "YYYY-MM-DD", inclusive; empty = no bound
  int limit = 100;       // clamped to 1..1000; newest day first
};

struct DailyRegisterCheck {
  bool json_ok = false;   // stored json_sha256 == SHA-256 of the stored json
  bool pdf_ok = false;    // stored pdf_sha256 == SHA-256 of the stored pdf
  bool audit_ok = false;  // the audit entry at audit_head_seq still exists with audit_head_hash
  // The JSON rebuilt now from the registry (with the recorded audit head) is byte for byte the stored
  // one: no entry or history row of that day was altered or back-dated since the register was made.
  bool content_ok = false;
  std::string json_sha256;  // recomputed
  std::string pdf_sha256;   // recomputed
  [[nodiscard]] bool ok() const { return json_ok && pdf_ok && audit_ok && content_ok; }
};

struct CatchUpReport {
  int produced = 0;                 // registers created by this run
  std::vector<std::string> errors;  // one line per AOO that failed ("AOO 3 2026-03-02: ..."); others go on
};

class DailyRegisterService {
 public:
  // Days are produced only once they are over in Rome and `settle` has passed (a registration whose
  // transaction took the time just before midnight commits a moment later).
  static constexpr std::chrono::minutes kSettle{2};

  // `texts`: the loaded locales, for the PDF's labels (kept, so it must outlive the service).
  DailyRegisterService(db::Database& db, time::Clock& clock, const I18n& texts)
      : db_(db), clock_(clock), texts_(texts) {}

  // The register of `aoo` (of `tenant`) for the Rome day `day`, producing it if it does not exist yet.
  // Idempotent; two nodes producing the same day at once both get the one stored row.
  Result<DailyRegister> produce(tenants::TenantId tenant, AooId aoo, time::Date day);
  Result<DailyRegister> produce(tenants::TenantId tenant, AooId aoo, const std::string& day);

  // For every active AOO of every tenant, produces each missing day up to yesterday (see kSettle).
  CatchUpReport catch_up();
  // The same up to `last` (or yesterday, if earlier): what the daily job of one period does.
  CatchUpReport catch_up(time::Date last);

  // Today's register so far for `aoo`, provisional and not stored (the registry's managers:
  // Permission::annul_protocol, the people who answer for the register). Errors: auth.required,
  // forbidden, protocollo.aoo (not this body's AOO).
  Result<DailyRegister> today_so_far(const identity::Principal* who, tenants::TenantId tenant, AooId aoo);

  // Staff of the body (Permission::backoffice for `tenant`).
  Result<std::vector<DailyRegisterInfo>> list(const identity::Principal* who, tenants::TenantId tenant,
                                              const DailyRegisterQuery& q);
  Result<DailyRegister> get(const identity::Principal* who, tenants::TenantId tenant, DailyRegisterId id);
  Result<DailyRegister> get_day(const identity::Principal* who, tenants::TenantId tenant, AooId aoo,
                                const std::string& day);

  // The same for a caller whose access to `tenant` is already checked (an API key with the right
  // scope, a preservation job). Still scoped: another body's id is not_found.
  Result<std::vector<DailyRegisterInfo>> list_for(tenants::TenantId tenant, const DailyRegisterQuery& q);
  Result<DailyRegister> get_for(tenants::TenantId tenant, DailyRegisterId id);
  Result<DailyRegister> get_day_for(tenants::TenantId tenant, AooId aoo, const std::string& day);

  // Recomputes the digests of the stored documents, checks the recorded audit head and rebuilds the JSON
  // from the registry (preservation checks). Trusted caller, tenant already checked; not_found for
  // another body's id.
  Result<DailyRegisterCheck> verify(tenants::TenantId tenant, DailyRegisterId id);

  // File names for downloads: "registro_giornaliero_AOO_ROMA_2026-03-02.json" / ".pdf".
  static std::string file_name(const DailyRegisterInfo& info, const std::string& extension);

  // Names the register's PDF gives who made a change (issue 11, point 5; the app sets identity's).
  void set_actor_name(std::function<std::string(const std::string&)> fn) { actor_name_ = std::move(fn); }
  // The digital stamp on the stored registers (docs/stamp.md; the app sets it). Unset, or a body without
  // a stamp key: the register is stored unstamped (logged). The provisional register is never stamped.
  void set_stamps(stamp::StampService* stamps) { stamps_ = stamps; }

 private:
  db::Database& db_;
  time::Clock& clock_;
  const I18n& texts_;
  std::function<std::string(const std::string&)> actor_name_;
  stamp::StampService* stamps_ = nullptr;
};

}  // namespace sp::protocollo
