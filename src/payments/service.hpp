#pragma once
// Payments' rules (SPEC §4, issue 13): creditor settings, debt positions in GPD's shape, their states,
// IUV assignment, fines (Codice della strada art. 202) and the amount due on a given day.
//
// States (GPD): a position is created DRAFT; publish() makes it VALID (PUBLISHED first when its validity
// date is still ahead; activate_due() moves those to VALID once it comes); invalidate() ends a DRAFT,
// PUBLISHED or VALID one (INVALID); paying an option makes it PARTIALLY_PAID or PAID; a PAID position never
// changes again (except to REPORTED once the reporting flow reports it): a correction is a new position
// with replaces_iupd, which invalidates the old one unless it was paid. Only VALID and PARTIALLY_PAID are
// payable. Every change is written to the body's audit chain in the same transaction.
//
// IUVs: aux 3, the creditor's first segregation code + a 13-digit base from the counter of (body,
// segregation code) + mod-93 check. Bases are reserved in a short transaction of their own before the
// position's transaction, so concurrent creations never wait on each other for the counter and never get
// the same base; a failed creation leaves a gap (allowed), and a base is never handed out again.
// IUVs given by the caller (a body's own numbering) are accepted when they carry one of the creditor's
// segregation codes and right check digits; UNIQUE (body, IUV) refuses a collision.
//
// Fines: two options, "reduced" (sanction - 30 %, plus expenses) due on the 5th day after notification
// and "full" (sanction + expenses) due on the 60th. The reduction is rounded to the cent half up:
// reduced sanction = (sanction × 7 + 5) / 10 in integer cents (the ministry's tables print whole cents,
// e.g. € 42,00 → € 29,40; a sanction in odd cents, € 42,01 → € 29,41 (29,407)). The day of notification
// does not count: notified on the 1st, the 6th is still reduced, the 7th is not. A 5th (or 60th) day
// that is a Sunday or a national holiday moves to the next working day (art. 155 c.p.c. and art. 2963
// c.c., the general rule on terms, which L. 689/1981 and art. 202 CdS do not set aside: docs/payments.md).
//
// Jobs (register_payment_jobs): "payments.activate_due" every 5 minutes makes PUBLISHED positions whose
// validity date has come VALID; "payments.expire" daily at 00:10 Rome makes a VALID fine whose full
// option's due date has passed EXPIRED (after the 60th day the amount is no longer the notice's:
// art. 203 c.3). Ordinary positions never expire (GPD's switchToExpired = false, its default). Both
// are idempotent (a transition from the wrong state is skipped) and audited with the system actor.
//
// Error codes: see web/locales/*/payments.json (payments.*, nav.*, iban.*); not_found; forbidden.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/audit_entry.hpp"
#include "identity/model.hpp"
#include "payments/model.hpp"
#include "payments/store.hpp"

namespace sp::payments {

// Staff, or a program acting for the body (the API: "api-key:<id>"; the demo; the station), trusted:
// whoever builds one has checked its access (identity/audit_entry.hpp).
using SystemActor = identity::SystemActor;
using Actor = identity::Actor;

inline constexpr std::size_t kMaxBulk = 1000;
inline constexpr std::size_t kMaxOptions = 100;
inline constexpr std::size_t kMaxTransfers = 5;
inline constexpr int kFineReducedDays = 5;

// The fine's reduced amount: sanction - 30 % (rounded to the cent, half up) + expenses.
Cents reduced_fine_amount(const FineTerms& f);
Cents full_fine_amount(const FineTerms& f);
// The last Rome day the reduced amount applies: notification + 5 days.
time::Date reduced_until(const FineTerms& f);

// The amount the node is told for `option` when paid on Rome day `day`: its own amount, except for a
// fine, where it is the reduced amount up to reduced_until() and the full amount after, whichever of the
// fine's two notices is presented.
Cents amount_due(const Position& p, const Option& option, time::Date day);
// For the position: a fine as above; otherwise the single payment's amount (the option that is not an
// instalment), or the only unpaid option's. Error payments.not_payable when the position is not payable
// or it is ambiguous (several unpaid instalments and no single payment).
Result<Cents> amount_due(const Position& p, time::Date day);
// VALID or PARTIALLY_PAID.
bool payable(PositionStatus s);

// `parts` (each > 0) scaled to add up to `total` exactly, in integer cents: each part gets
// floor(part × total / sum) and the remainder goes to the first (a fine's transfers on a day its amount
// is not the option's own).
std::vector<Cents> split_proportionally(const std::vector<Cents>& parts, Cents total);

// Told inside the transaction that pays an option (the station's receipt), after the position's new
// state is written: another module reacts in the same transaction (a case with a fee moves on), so the
// payment and its consequence commit together. A listener must not fail on data it does not know (it
// ignores positions that are not its own); an exception rolls the receipt back and the node resends it.
using OptionPaidListener = std::function<void(db::Conn&, const Position&, const Option&)>;

struct RowError {
  std::size_t row = 0;  // 0-based
  Error error;
};
struct BulkOutcome {
  std::vector<Position> created;  // empty when any row was refused
  std::vector<RowError> errors;
};

class PaymentsService {
 public:
  PaymentsService(db::Database& db, time::Clock& clock)
      : db_(db), clock_(clock), store_(db), audit_(db, clock) {}

  // Creditor settings of the body (staff with backoffice on it, or a trusted system). Validates the
  // fiscal code (partita IVA rules), segregation codes (two digits, at least one), IBANs (ISO 13616; the
  // postal one at Poste Italiane), broker and station ids.
  Status set_creditor(const Actor& who, const Creditor& c);
  Result<Creditor> creditor(tenants::TenantId tenant);

  // Creates a position (DRAFT, or published at once with `publish`). Errors: validation, payments.creditor,
  // payments.iupd_exists / payments.iuv_exists (409), payments.replaces.
  Result<Position> create(const Actor& who, tenants::TenantId tenant, const NewPosition& in);
  // The same inside the caller's transaction (another module, e.g. a case with a fee, creating the
  // position with its own records): the position exists if and only if the caller commits. Here the IUV
  // bases are reserved in the caller's transaction too, so the counter's row stays locked until the
  // caller's COMMIT on PostgreSQL: keep that transaction short.
  Result<Position> create(db::Conn& tx, const Actor& who, tenants::TenantId tenant, const NewPosition& in);
  // For a caller that creates many positions in one transaction of its own (a file import): reserves `n`
  // IUV bases of the body's first segregation code in a short transaction (the first is returned), and
  // creates positions in the caller's transaction taking their IUVs from `next_base` (advanced). Updating
  // the counter once per position inside one long transaction would be quadratic on PostgreSQL (every
  // update of the same row walks the versions the transaction made before). create_reserved does not
  // look for an existing IUPD/IUV first (the caller did): the unique indexes refuse one with a
  // db::DbError unique_violation, which rolls the caller's transaction back.
  Result<std::int64_t> reserve_iuv_bases(tenants::TenantId tenant, std::int64_t n);
  Result<Position> create_reserved(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                   const NewPosition& in, std::int64_t& next_base);
  // Up to kMaxBulk positions, all or nothing: every row is checked first and refused rows are reported
  // with their index (errors non-empty, nothing created). payments.bulk for an empty or too large request.
  Result<BulkOutcome> create_bulk(const Actor& who, tenants::TenantId tenant,
                                  const std::vector<NewPosition>& in);
  // A traffic fine with its two options (see above).
  Result<Position> create_fine(const Actor& who, tenants::TenantId tenant, const NewFine& in);

  Result<Position> publish(const Actor& who, tenants::TenantId tenant, const std::string& iupd);
  Result<Position> invalidate(const Actor& who, tenants::TenantId tenant, const std::string& iupd);
  // PUBLISHED positions of the body whose validity date has come become VALID; returns how many.
  Result<int> activate_due(const Actor& who, tenants::TenantId tenant);
  // The same for every body (the job "payments.activate_due").
  int activate_due_all(const SystemActor& who);
  // VALID fines of every body whose last due date (the full option's) is before today in Rome become
  // EXPIRED (the job "payments.expire"); returns how many.
  int expire_due_all(const SystemActor& who);
  // Every body's unpaid options of payable positions of persons due from `from` to `to` (Rome days,
  // inclusive), by due date: what the payment reminders (messaging's payment.due) are about.
  std::vector<DueOption> options_due(time::Date from, time::Date to, int limit = 5000);
  // Registers a listener (at install time, before serving; see OptionPaidListener).
  void on_option_paid(OptionPaidListener l) { paid_listeners_.push_back(std::move(l)); }
  // The option with `iuv` is paid (the station's receipt, in its transaction): the option and its
  // transfers are paid, the position PARTIALLY_PAID or PAID (a fine's options are alternatives: either pays
  // it), and the listeners are told. Errors: not_found, payments.not_payable (not VALID/PARTIALLY_PAID,
  // nor EXPIRED when `allow_expired` — the station's receipt of a payment activated before the expiry —
  // or the option already paid).
  Result<Position> record_option_paid(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                      const std::string& iuv, time::TimePoint paid_at,
                                      bool allow_expired = false);
  Result<Position> record_option_paid(const Actor& who, tenants::TenantId tenant, const std::string& iuv,
                                      time::TimePoint paid_at);

  Result<Position> get(const Actor& who, tenants::TenantId tenant, const std::string& iupd);
  // Whether `who` may act for the body's positions (forbidden otherwise), without doing anything.
  Status may_act(const Actor& who, tenants::TenantId tenant);
  // Ok when `who` may change positions by hand (manage_payments): the pages show the actions only then.
  Status may_manage(const Actor& who, tenants::TenantId tenant);
  Result<Position> by_iuv(const Actor& who, tenants::TenantId tenant, const std::string& iuv);
  Result<std::vector<Position>> list(const Actor& who, tenants::TenantId tenant, const PositionQuery& q);
  // Every body's positions of a fiscal code (the citizen's area; the caller has checked it is the
  // person's own, or the hub's staff), newest first.
  std::vector<Position> positions_of(const std::string& fiscal_code, int limit = 200);

  // The checks of create(), without the database (IUVs given are checked against `c`).
  static Status validate(const NewPosition& in, const Creditor& c, time::Date today);

 private:
  // Builds the position to insert: IUVs from `bases` (consumed in order) where none was given.
  Result<Position> build(const NewPosition& in, const Creditor& c, tenants::TenantId tenant,
                         const std::string& actor, std::int64_t& next_base);
  Result<std::int64_t> reserve(tenants::TenantId tenant, const std::string& segregation_code, std::int64_t n);
  Result<Position> insert_checked(db::Conn& tx, const Actor& who, tenants::TenantId tenant, Position p,
                                  const std::string& replaces_iupd, bool check_existing = true);
  Result<Position> transition(const Actor& who, tenants::TenantId tenant, const std::string& iupd,
                              const std::string& action);

  db::Database& db_;
  time::Clock& clock_;
  PaymentsStore store_;
  audit::AuditService audit_;
  std::vector<OptionPaidListener> paid_listeners_;
};

}  // namespace sp::payments
