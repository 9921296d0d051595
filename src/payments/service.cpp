#include "payments/service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <limits>
#include <set>
#include <stdexcept>

#include "audit/chain_tail.hpp"
#include "core/codice_fiscale.hpp"
#include "core/holidays.hpp"
#include "core/ids.hpp"
#include "core/partita_iva.hpp"
#include "db/time_values.hpp"
#include "identity/permissions.hpp"
#include "payments/iban.hpp"
#include "payments/notice_number.hpp"

namespace sp::payments {
namespace {

constexpr std::size_t kSvcMaxText = 140;
constexpr std::size_t kSvcMaxIupd = 100;
constexpr int kDefaultFullDueDays = 60;

Error svc_invalid(const std::string& code, const std::string& field, const std::string& detail = {},
                  int status = 400) {
  Error e = Error::make(code, status, detail);
  e.field = field;
  return e;
}

// Characters, not bytes: pagoPA's limits (and SQL length()) count characters.
std::size_t svc_chars(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool svc_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool svc_digits(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reading positions is the back office's; changing them by hand is manage_payments' (office managers and
// administrators). System actors (jobs, the station, a case's fee, API keys) are checked where they enter.
Result<std::string> svc_actor_id(const Actor& who, tenants::TenantId tenant,
                                 identity::Permission needed = identity::Permission::backoffice) {
  if (const auto* sys = std::get_if<SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return "system:" + sys->name;
  }
  const identity::Principal* p = std::get<const identity::Principal*>(who);
  if (auto st = identity::authorize(p, needed, tenant); !st) return st.error();
  return "staff:" + p->subject;
}

void svc_audit(audit::AuditService& audit, db::Conn& tx, const Actor& who, tenants::TenantId tenant,
               const std::string& action, const std::string& record_type, const std::string& record_id,
               const boost::json::object& details) {
  const auto a =
      identity::entry_by(who, tenant, action, record_type, record_id, boost::json::serialize(details));
  audit.record_or_throw(tx, a);
}

boost::json::object svc_position_details(const Position& p) {
  Cents total = 0;
  boost::json::array ivs;
  for (const auto& o : p.options) {
    total += o.amount;
    ivs.push_back(boost::json::value(o.iuv));
  }
  return {{"iupd", p.iupd},
          {"status", to_string(p.status)},
          {"debtor", p.debtor.fiscal_code},
          {"iuv", ivs},
          {"options_cents", total},
          {"kind", to_string(p.kind)},
          {"replaces", p.replaces_id}};
}

Status svc_check_text(const std::string& value, const char* field, std::size_t max = kSvcMaxText) {
  if (svc_chars(value) > max) return svc_invalid("payments.field_length", field, field);
  if (value.find_first_of("\r\n") != std::string::npos)
    return svc_invalid("payments.field_length", field, field);
  return Ok{};
}

Status svc_check_debtor(const Debtor& d) {
  auto cf = cf::validate_any(d.fiscal_code);
  if (!cf) return svc_invalid("payments.debtor_fiscal_code", "fiscalCode", d.fiscal_code);
  if (svc_blank(d.full_name) || svc_chars(d.full_name) > kSvcMaxText)
    return svc_invalid("payments.debtor_name", "fullName");
  struct F {
    const std::string& v;
    const char* name;
  };
  for (const F& f :
       {F{d.street_name, "streetName"}, F{d.civic_number, "civicNumber"}, F{d.postal_code, "postalCode"},
        F{d.city, "city"}, F{d.province, "province"}, F{d.region, "region"}, F{d.country, "country"},
        F{d.phone, "phone"}, F{d.full_name, "fullName"}}) {
    if (auto st = svc_check_text(f.v, f.name); !st) return st;
  }
  if (!d.email.empty()) {
    const auto at = d.email.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= d.email.size() || d.email.size() > 256 ||
        d.email.find_first_of(" \t\r\n") != std::string::npos)
      return svc_invalid("payments.email", "email", d.email);
  }
  return Ok{};
}

Status svc_check_transfers(const NewOption& o, std::size_t oi) {
  const std::string where = "paymentOption[" + std::to_string(oi) + "]";
  if (o.transfers.empty() || o.transfers.size() > kMaxTransfers)
    return svc_invalid("payments.transfers", where + ".transfer", std::to_string(o.transfers.size()));
  std::set<int> seen;
  Cents sum = 0;
  for (std::size_t ti = 0; ti < o.transfers.size(); ++ti) {
    const auto& t = o.transfers[ti];
    const std::string tw = where + ".transfer[" + std::to_string(ti) + "]";
    const int index = t.index == 0 ? static_cast<int>(ti) + 1 : t.index;
    if (index < 1 || index > 5 || !seen.insert(index).second)
      return svc_invalid("payments.transfer_index", tw + ".idTransfer", std::to_string(index));
    if (t.amount <= 0) return svc_invalid("payments.amount", tw + ".amount", std::to_string(t.amount));
    if (sum > std::numeric_limits<Cents>::max() - t.amount)
      return svc_invalid("payments.amount", tw + ".amount");
    sum += t.amount;
    const bool account = !t.iban.empty() || !t.postal_iban.empty();
    if (account == t.stamp.has_value())
      return svc_invalid("payments.transfer_account", tw, std::to_string(index));
    if (!t.iban.empty()) {
      if (auto v = validate_iban(t.iban); !v)
        return svc_invalid(v.error().code, tw + ".iban", v.error().detail);
    }
    if (!t.postal_iban.empty()) {
      if (auto v = validate_postal_iban(t.postal_iban); !v)
        return svc_invalid(v.error().code, tw + ".postalIban", v.error().detail);
    }
    if (t.stamp) {
      const auto& s = *t.stamp;
      if (s.type.size() != 2) return svc_invalid("payments.stamp", tw + ".stamp.stampType", s.type);
      if (s.hash_document.empty() || s.hash_document.size() > 72)
        return svc_invalid("payments.stamp", tw + ".stamp.hashDocument", "hashDocument");
      if (s.provincial_residence.size() != 2 ||
          !std::all_of(s.provincial_residence.begin(), s.provincial_residence.end(),
                       [](char c) { return c >= 'A' && c <= 'Z'; }))
        return svc_invalid("payments.stamp", tw + ".stamp.provincialResidence", s.provincial_residence);
    }
    if (svc_blank(t.remittance) || svc_chars(t.remittance) > kSvcMaxText)
      return svc_invalid("payments.remittance", tw + ".remittanceInformation");
    if (svc_blank(t.category) || svc_chars(t.category) > kSvcMaxText)
      return svc_invalid("payments.category", tw + ".category");
    if (!t.organization_fiscal_code.empty() && !piva::validate(t.organization_fiscal_code))
      return svc_invalid("payments.organization_fiscal_code", tw + ".organizationFiscalCode",
                         t.organization_fiscal_code);
  }
  if (sum != o.amount)
    return svc_invalid("payments.transfer_sum", where + ".transfer",
                       std::to_string(sum) + " ≠ " + std::to_string(o.amount));
  return Ok{};
}

bool svc_valid_iupd(const std::string& s) {
  return !s.empty() && s.size() <= kSvcMaxIupd && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

Transfer svc_transfer_of(const NewTransfer& t, std::size_t i) {
  Transfer out;
  out.index = t.index == 0 ? static_cast<int>(i) + 1 : t.index;
  out.amount = t.amount;
  out.iban = t.iban.empty() ? std::string() : *validate_iban(t.iban);
  out.postal_iban = t.postal_iban.empty() ? std::string() : *validate_postal_iban(t.postal_iban);
  out.stamp = t.stamp;
  out.remittance = t.remittance;
  out.category = t.category;
  out.organization_fiscal_code = t.organization_fiscal_code;
  return out;
}

Result<Creditor> svc_creditor_or_error(const std::optional<Creditor>& c) {
  if (!c) return Error::make("payments.creditor", 409);
  return *c;
}

}  // namespace

Cents reduced_fine_amount(const FineTerms& f) {
  return (f.sanction * 7 + 5) / 10 + f.expenses;
}
Cents full_fine_amount(const FineTerms& f) {
  return f.sanction + f.expenses;
}
time::Date reduced_until(const FineTerms& f) {
  // The 5th day on a Sunday or a holiday: the term ends on the next working day (service.hpp).
  return time::next_working_day(time::add_calendar_days(f.notification_date, kFineReducedDays));
}

std::vector<Cents> split_proportionally(const std::vector<Cents>& parts, Cents total) {
  std::vector<Cents> out(parts.size(), 0);
  if (parts.empty()) return out;
  __int128 sum = 0;
  for (auto x : parts) sum += x;
  if (sum <= 0) {
    out.front() = total;
    return out;
  }
  Cents given = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out[i] = static_cast<Cents>(static_cast<__int128>(parts[i]) * total / sum);
    given += out[i];
  }
  out.front() += total - given;  // the remainder (< number of parts) on the first transfer
  return out;
}

bool payable(PositionStatus s) {
  return s == PositionStatus::valid || s == PositionStatus::partially_paid;
}

Cents amount_due(const Position& p, const Option& option, time::Date day) {
  if (p.kind == PositionKind::fine && p.fine) {
    return std::chrono::sys_days{day} <= std::chrono::sys_days{reduced_until(*p.fine)}
               ? reduced_fine_amount(*p.fine)
               : full_fine_amount(*p.fine);
  }
  return option.amount;
}

Result<Cents> amount_due(const Position& p, time::Date day) {
  if (!payable(p.status)) return Error::make("payments.not_payable", 409, std::string(to_string(p.status)));
  if (p.kind == PositionKind::fine && !p.options.empty()) return amount_due(p, p.options.front(), day);
  const Option* single = nullptr;
  int unpaid = 0;
  const Option* last_unpaid = nullptr;
  for (const auto& o : p.options) {
    if (o.status != OptionStatus::unpaid) continue;
    ++unpaid;
    last_unpaid = &o;
    if (!o.is_partial_payment) single = &o;
  }
  if (single) return amount_due(p, *single, day);
  if (unpaid == 1) return amount_due(p, *last_unpaid, day);
  return Error::make("payments.not_payable", 409, "instalments");
}

Status PaymentsService::validate(const NewPosition& in, const Creditor& c, time::Date today) {
  if (!in.iupd.empty() && !svc_valid_iupd(in.iupd)) return svc_invalid("payments.iupd", "iupd", in.iupd);
  if (auto st = svc_check_debtor(in.debtor); !st) return st;
  if (in.options.empty() || in.options.size() > kMaxOptions)
    return svc_invalid("payments.options", "paymentOption", std::to_string(in.options.size()));
  if (!in.validity_date.empty() && !time::parse_iso_utc(in.validity_date))
    return svc_invalid("payments.validity_date", "validityDate", in.validity_date);
  std::set<std::string> iuvs;
  for (std::size_t oi = 0; oi < in.options.size(); ++oi) {
    const auto& o = in.options[oi];
    const std::string where = "paymentOption[" + std::to_string(oi) + "]";
    if (o.amount <= 0) return svc_invalid("payments.amount", where + ".amount", std::to_string(o.amount));
    if (svc_blank(o.description) || svc_chars(o.description) > kSvcMaxText ||
        o.description.find_first_of("\r\n") != std::string::npos)
      return svc_invalid("payments.description", where + ".description",
                         std::to_string(svc_chars(o.description)));
    auto due = time::parse_iso_date(o.due_date);
    if (!due) return svc_invalid("payments.due_date", where + ".dueDate", o.due_date);
    if (std::chrono::sys_days{*due} < std::chrono::sys_days{today})
      return svc_invalid("payments.due_date", where + ".dueDate", o.due_date);
    if (!o.retention_date.empty()) {
      auto keep = time::parse_iso_date(o.retention_date);
      if (!keep || std::chrono::sys_days{*keep} < std::chrono::sys_days{*due})
        return svc_invalid("payments.retention_date", where + ".retentionDate", o.retention_date);
    }
    if (!o.iuv.empty()) {
      auto n = nav_of_aux3_iuv(o.iuv);
      if (!n || std::find(c.segregation_codes.begin(), c.segregation_codes.end(), n->segregation_code) ==
                    c.segregation_codes.end())
        return svc_invalid("payments.iuv", where + ".iuv", o.iuv);
      if (!iuvs.insert(o.iuv).second) return svc_invalid("payments.iuv_exists", where + ".iuv", o.iuv, 409);
    }
    if (auto st = svc_check_transfers(o, oi); !st) return st;
  }
  if (!in.replaces_iupd.empty() && !svc_valid_iupd(in.replaces_iupd))
    return svc_invalid("payments.replaces", "replacesIupd", in.replaces_iupd);
  return Ok{};
}

Status PaymentsService::set_creditor(const Actor& who, const Creditor& in) {
  auto actor = svc_actor_id(who, in.tenant_id, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  Creditor c = in;
  if (c.fiscal_code.size() != 11 || !piva::validate(c.fiscal_code))
    return svc_invalid("payments.creditor_fiscal_code", "fiscal_code", c.fiscal_code);
  if (svc_blank(c.company_name) || svc_chars(c.company_name) > kSvcMaxText)
    return svc_invalid("payments.company_name", "company_name");
  if (auto st = svc_check_text(c.office_name, "office_name"); !st) return st;
  if (c.segregation_codes.empty())
    return svc_invalid("payments.segregation_code", "segregation_codes", "none");
  std::set<std::string> seen;
  for (const auto& s : c.segregation_codes) {
    if (!svc_digits(s, 2) || !seen.insert(s).second)
      return svc_invalid("payments.segregation_code", "segregation_codes", s);
  }
  auto iban = validate_iban(c.iban);
  if (!iban) return svc_invalid(iban.error().code, "iban", iban.error().detail);
  c.iban = *iban;
  if (!c.postal_iban.empty()) {
    auto postal = validate_postal_iban(c.postal_iban);
    if (!postal) return svc_invalid(postal.error().code, "postal_iban", postal.error().detail);
    c.postal_iban = *postal;
  }
  if (!svc_valid_iupd(c.broker_id) || !svc_valid_iupd(c.station_id))
    return svc_invalid("payments.station", "station_id", c.broker_id + "/" + c.station_id);
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    PaymentsStore::upsert_creditor(tx, c, time::format_iso_utc_millis(clock_.now()));
    boost::json::array codes;
    for (const auto& s : c.segregation_codes) codes.push_back(boost::json::value(s));
    svc_audit(audit_, tx, who, c.tenant_id, "payment_creditor.set", "payment_creditor", c.fiscal_code,
              {{"fiscal_code", c.fiscal_code},
               {"segregation_codes", codes},
               {"iban", c.iban},
               {"postal_iban", c.postal_iban},
               {"broker_id", c.broker_id},
               {"station_id", c.station_id}});
    return Ok{};
  });
}

Result<Creditor> PaymentsService::creditor(tenants::TenantId tenant) {
  return svc_creditor_or_error(store_.creditor(tenant));
}

Result<std::int64_t> PaymentsService::reserve(tenants::TenantId tenant, const std::string& segregation_code,
                                              std::int64_t n) {
  if (n == 0) return std::int64_t{0};
  std::optional<std::int64_t> first;
  // A transaction of its own, committed before the position's: the counter's row is locked only for
  // this one statement's transaction.
  db_.write([&](db::Conn& tx) { first = PaymentsStore::reserve_bases(tx, tenant, segregation_code, n); });
  if (!first) return Error::make("payments.segregation_code", 409, segregation_code);
  if (*first + n > 10'000'000'000'000) return Error::make("nav.base", 409, std::to_string(*first + n));
  return *first;
}

Result<Position> PaymentsService::build(const NewPosition& in, const Creditor& c, tenants::TenantId tenant,
                                        const std::string& actor, std::int64_t& next_base) {
  const auto now = clock_.now();
  Position p;
  p.id = ids::uuid_v7();
  p.tenant_id = tenant;
  p.iupd = in.iupd.empty() ? c.fiscal_code + "-" + p.id : in.iupd;
  p.debtor = in.debtor;
  p.debtor.fiscal_code = cf::normalize(in.debtor.fiscal_code);
  p.company_name = c.company_name;
  p.office_name = c.office_name;
  p.status = PositionStatus::draft;
  if (!in.validity_date.empty()) p.validity_date = *time::parse_iso_utc(in.validity_date);
  p.switch_to_expired = in.switch_to_expired;
  p.created_by = actor;
  p.created_at = now;
  p.updated_at = now;
  for (const auto& o : in.options) {
    Option out;
    if (o.iuv.empty()) {
      auto n = make_aux3(c.segregation_codes.front(), next_base++);
      if (!n) return n.error();
      out.iuv = n->iuv;
      out.nav = n->nav;
    } else {
      out.iuv = o.iuv;
      out.nav = "3" + o.iuv;
    }
    out.amount = o.amount;
    out.description = o.description;
    out.due_date = *time::parse_iso_date(o.due_date);
    if (!o.retention_date.empty()) out.retention_date = *time::parse_iso_date(o.retention_date);
    out.is_partial_payment = o.is_partial_payment;
    for (std::size_t i = 0; i < o.transfers.size(); ++i)
      out.transfers.push_back(svc_transfer_of(o.transfers[i], i));
    std::sort(out.transfers.begin(), out.transfers.end(),
              [](const Transfer& a, const Transfer& b) { return a.index < b.index; });
    p.options.push_back(std::move(out));
  }
  return p;
}

Result<Position> PaymentsService::insert_checked(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                 Position p, const std::string& replaces_iupd,
                                                 bool check_existing) {
  if (check_existing) {
    if (PaymentsStore::iupd_exists(tx, tenant, p.iupd))
      return svc_invalid("payments.iupd_exists", "iupd", p.iupd, 409);
    for (const auto& o : p.options) {
      if (PaymentsStore::iuv_exists(tx, tenant, o.iuv))
        return svc_invalid("payments.iuv_exists", "iuv", o.iuv, 409);
    }
  }
  const std::string now = time::format_iso_utc_millis(clock_.now());
  if (!replaces_iupd.empty()) {
    auto old = PaymentsStore::position_by_iupd(tx, tenant, replaces_iupd);
    if (!old) return svc_invalid("payments.replaces", "replacesIupd", replaces_iupd, 404);
    p.replaces_id = old->id;
    // The corrected position stops being payable, unless money already came in: a paid (or partly paid)
    // position stays as it is and the correction only points at it.
    if (old->status == PositionStatus::draft || old->status == PositionStatus::published ||
        old->status == PositionStatus::valid) {
      if (!PaymentsStore::update_status(tx, *old, PositionStatus::invalid, now, std::nullopt, std::nullopt))
        return Error::make("payments.state", 409, "concurrent change");
      svc_audit(audit_, tx, who, tenant, "payment_position.invalidate", "payment_position", old->id,
                {{"iupd", old->iupd}, {"from", to_string(old->status)}, {"replaced_by", p.iupd}});
    }
  }
  PaymentsStore::insert_position(tx, p);
  svc_audit(audit_, tx, who, tenant, "payment_position.create", "payment_position", p.id,
            svc_position_details(p));
  if (p.published_at) {
    svc_audit(audit_, tx, who, tenant, "payment_position.publish", "payment_position", p.id,
              {{"iupd", p.iupd}, {"status", to_string(p.status)}});
  }
  return p;
}

namespace {
// publish(): VALID at once, or PUBLISHED until the validity date.
void svc_publish_now(Position& p, time::TimePoint now) {
  p.published_at = now;
  p.status = p.validity_date && *p.validity_date > now ? PositionStatus::published : PositionStatus::valid;
}
}  // namespace

Result<Position> PaymentsService::create(const Actor& who, tenants::TenantId tenant, const NewPosition& in) {
  auto actor = svc_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  auto c = creditor(tenant);
  if (!c) return c.error();
  if (auto st = validate(in, *c, time::rome_date(clock_.now())); !st) return st.error();
  const auto needed =
      std::count_if(in.options.begin(), in.options.end(), [](const NewOption& o) { return o.iuv.empty(); });
  auto first = reserve(tenant, c->segregation_codes.front(), needed);
  if (!first) return first.error();
  std::int64_t next = *first;
  auto p = build(in, *c, tenant, *actor, next);
  if (!p) return p.error();
  if (in.publish) svc_publish_now(*p, clock_.now());
  try {
    return db::transact(db_,
                        [&](db::Conn& tx) { return insert_checked(tx, who, tenant, *p, in.replaces_iupd); });
  } catch (const db::DbError& e) {
    // A concurrent creation with the same IUPD or IUV got there first.
    if (e.kind == db::DbError::Kind::unique_violation)
      return svc_invalid("payments.iupd_exists", "iupd", p->iupd, 409);
    throw;
  }
}

Result<Position> PaymentsService::create(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                         const NewPosition& in) {
  auto actor = svc_actor_id(who, tenant);
  if (!actor) return actor.error();
  auto c = svc_creditor_or_error(PaymentsStore::creditor(tx, tenant));
  if (!c) return c.error();
  if (auto st = validate(in, *c, time::rome_date(clock_.now())); !st) return st.error();
  const auto needed =
      std::count_if(in.options.begin(), in.options.end(), [](const NewOption& o) { return o.iuv.empty(); });
  std::int64_t next = 0;
  if (needed > 0) {
    auto first = PaymentsStore::reserve_bases(tx, tenant, c->segregation_codes.front(), needed);
    if (!first) return Error::make("payments.segregation_code", 409, c->segregation_codes.front());
    next = *first;
  }
  auto p = build(in, *c, tenant, *actor, next);
  if (!p) return p.error();
  if (in.publish) svc_publish_now(*p, clock_.now());
  return insert_checked(tx, who, tenant, *p, in.replaces_iupd);
}

Result<std::int64_t> PaymentsService::reserve_iuv_bases(tenants::TenantId tenant, std::int64_t n) {
  auto c = creditor(tenant);
  if (!c) return c.error();
  if (n <= 0) return std::int64_t{0};
  return reserve(tenant, c->segregation_codes.front(), n);
}

Result<Position> PaymentsService::create_reserved(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                  const NewPosition& in, std::int64_t& next_base) {
  auto actor = svc_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  auto c = svc_creditor_or_error(PaymentsStore::creditor(tx, tenant));
  if (!c) return c.error();
  if (auto st = validate(in, *c, time::rome_date(clock_.now())); !st) return st.error();
  auto p = build(in, *c, tenant, *actor, next_base);
  if (!p) return p.error();
  if (in.publish) svc_publish_now(*p, clock_.now());
  // The caller checked beforehand (the import's first reading); UNIQUE (body, IUPD) and (body, IUV) refuse
  // what was created since, with a unique violation that rolls its transaction back.
  return insert_checked(tx, who, tenant, *p, in.replaces_iupd, /*check_existing=*/false);
}

Result<BulkOutcome> PaymentsService::create_bulk(const Actor& who, tenants::TenantId tenant,
                                                 const std::vector<NewPosition>& in) {
  auto actor = svc_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  if (in.empty() || in.size() > kMaxBulk) return Error::make("payments.bulk", 422, std::to_string(in.size()));
  auto c = creditor(tenant);
  if (!c) return c.error();
  BulkOutcome out;
  const auto today = time::rome_date(clock_.now());
  std::set<std::string> iupds;
  std::int64_t needed = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (auto st = validate(in[i], *c, today); !st) {
      out.errors.push_back({i, st.error()});
    } else if (!in[i].iupd.empty() && !iupds.insert(in[i].iupd).second) {
      out.errors.push_back({i, svc_invalid("payments.iupd_exists", "iupd", in[i].iupd, 409)});
    }
    for (const auto& o : in[i].options) needed += o.iuv.empty() ? 1 : 0;
  }
  if (!out.errors.empty()) return out;
  auto first = reserve(tenant, c->segregation_codes.front(), needed);
  if (!first) return first.error();
  std::int64_t next = *first;
  std::vector<Position> built;
  for (const auto& row : in) {
    auto p = build(row, *c, tenant, *actor, next);
    if (!p) return p.error();
    if (row.publish) svc_publish_now(*p, clock_.now());
    built.push_back(std::move(*p));
  }
  // One transaction: a refused row (an IUPD or IUV already there) rolls every row back.
  std::vector<RowError> row_errors;
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<std::vector<Position>> {
    std::vector<Position> created;
    for (std::size_t i = 0; i < built.size(); ++i) {
      auto p = insert_checked(tx, who, tenant, built[i], in[i].replaces_iupd);
      if (!p) {
        row_errors.push_back({i, p.error()});
        continue;
      }
      created.push_back(std::move(*p));
    }
    if (!row_errors.empty()) return Error::make("payments.bulk_rows", 422, std::to_string(row_errors.size()));
    return created;
  });
  if (!done) {
    if (row_errors.empty()) return done.error();
    out.errors = std::move(row_errors);
    return out;
  }
  out.created = std::move(*done);
  return out;
}

Result<Position> PaymentsService::create_fine(const Actor& who, tenants::TenantId tenant, const NewFine& in) {
  auto actor = svc_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  auto c = creditor(tenant);
  if (!c) return c.error();
  const auto& f = in.terms;
  if (!f.notification_date.ok()) return svc_invalid("payments.fine", "notificationDate", "date");
  if (f.sanction <= 0) return svc_invalid("payments.fine", "sanctionAmount", std::to_string(f.sanction));
  if (f.expenses < 0) return svc_invalid("payments.fine", "expensesAmount", std::to_string(f.expenses));
  const auto today = time::rome_date(clock_.now());
  if (std::chrono::sys_days{f.notification_date} > std::chrono::sys_days{today})
    return svc_invalid("payments.fine", "notificationDate", time::format_iso_date(f.notification_date));
  const int full_days = in.full_due_days > kFineReducedDays ? in.full_due_days : kDefaultFullDueDays;
  const auto full_due = time::next_working_day(time::add_calendar_days(f.notification_date, full_days));
  if (std::chrono::sys_days{full_due} < std::chrono::sys_days{today})
    return svc_invalid("payments.fine", "notificationDate", time::format_iso_date(f.notification_date));
  // The options are built here (the reduced one may be past its due date: still created, and the amount
  // due follows the day of payment, not the notice presented).
  NewPosition np;
  np.iupd = in.iupd;
  np.debtor = in.debtor;
  np.publish = in.publish;
  auto option = [&](Cents amount, time::Date due) {
    NewOption o;
    o.amount = amount;
    o.description = in.description;
    o.due_date = time::format_iso_date(due);
    NewTransfer t;
    t.amount = amount;
    t.iban = c->iban;
    t.remittance = in.description;
    t.category = in.category;
    o.transfers.push_back(t);
    return o;
  };
  np.options.push_back(option(reduced_fine_amount(f), reduced_until(f)));
  np.options.push_back(option(full_fine_amount(f), full_due));
  // The reduced option's due date may already be behind: validate against the notification day.
  if (auto st = validate(np, *c, f.notification_date); !st) return st.error();
  auto first = reserve(tenant, c->segregation_codes.front(), 2);
  if (!first) return first.error();
  std::int64_t next = *first;
  auto p = build(np, *c, tenant, *actor, next);
  if (!p) return p.error();
  p->kind = PositionKind::fine;
  p->fine = f;
  p->options[0].fine_role = FineRole::reduced;
  p->options[1].fine_role = FineRole::full;
  if (np.publish) svc_publish_now(*p, clock_.now());
  try {
    return db::transact(db_, [&](db::Conn& tx) { return insert_checked(tx, who, tenant, *p, {}); });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation)
      return svc_invalid("payments.iupd_exists", "iupd", p->iupd, 409);
    throw;
  }
}

Result<Position> PaymentsService::transition(const Actor& who, tenants::TenantId tenant,
                                             const std::string& iupd, const std::string& action) {
  auto actor = svc_actor_id(who, tenant, identity::Permission::manage_payments);
  if (!actor) return actor.error();
  return db::transact(db_, [&](db::Conn& tx) -> Result<Position> {
    auto p = PaymentsStore::position_by_iupd(tx, tenant, iupd);
    if (!p) return Error::not_found(iupd);
    const auto now_tp = clock_.now();
    const std::string now = time::format_iso_utc_millis(now_tp);
    const PositionStatus from = p->status;
    if (from == PositionStatus::paid || from == PositionStatus::reported)
      return Error::make("payments.paid", 409, std::string(to_string(from)));
    std::optional<std::string> published_at;
    if (action == "publish") {
      if (from != PositionStatus::draft)
        return Error::make("payments.state", 409, std::string(to_string(from)));
      svc_publish_now(*p, now_tp);
      published_at = now;
    } else if (action == "invalidate") {
      if (from != PositionStatus::draft && from != PositionStatus::published && from != PositionStatus::valid)
        return Error::make("payments.state", 409, std::string(to_string(from)));
      p->status = PositionStatus::invalid;
    } else if (action == "expire") {
      // Only a VALID fine, or a position created with switchToExpired, whose every option is past due
      // (the job's query says so; checked again here).
      const auto today = time::rome_date(now_tp);
      const bool past = std::all_of(p->options.begin(), p->options.end(), [&](const Option& o) {
        return std::chrono::sys_days{o.due_date} < std::chrono::sys_days{today};
      });
      if (from != PositionStatus::valid || (p->kind != PositionKind::fine && !p->switch_to_expired) || !past)
        return Error::make("payments.state", 409, std::string(to_string(from)));
      p->status = PositionStatus::expired;
    } else if (action == "activate") {
      if (from != PositionStatus::published || (p->validity_date && *p->validity_date > now_tp))
        return Error::make("payments.state", 409, std::string(to_string(from)));
      p->status = PositionStatus::valid;
    } else {
      throw std::logic_error("payments: unknown transition " + action);
    }
    Position before = *p;
    before.status = from;
    if (!PaymentsStore::update_status(tx, before, p->status, now, published_at, std::nullopt))
      return Error::make("payments.state", 409, "concurrent change");
    p->version += 1;
    p->updated_at = now_tp;
    svc_audit(audit_, tx, who, tenant, "payment_position." + action, "payment_position", p->id,
              {{"iupd", p->iupd}, {"from", to_string(from)}, {"to", to_string(p->status)}});
    return *p;
  });
}

Result<Position> PaymentsService::publish(const Actor& who, tenants::TenantId tenant,
                                          const std::string& iupd) {
  return transition(who, tenant, iupd, "publish");
}

Result<Position> PaymentsService::invalidate(const Actor& who, tenants::TenantId tenant,
                                             const std::string& iupd) {
  return transition(who, tenant, iupd, "invalidate");
}

Result<int> PaymentsService::activate_due(const Actor& who, tenants::TenantId tenant) {
  auto actor = svc_actor_id(who, tenant);
  if (!actor) return actor.error();
  PositionQuery q;
  q.status = PositionStatus::published;
  q.limit = 1000;
  int n = 0;
  for (const auto& p : store_.positions(tenant, q)) {
    if (p.validity_date && *p.validity_date > clock_.now()) continue;
    if (transition(who, tenant, p.iupd, "activate")) ++n;
  }
  return n;
}

Result<Position> PaymentsService::record_option_paid(db::Conn& tx, const Actor& who, tenants::TenantId tenant,
                                                     const std::string& iuv, time::TimePoint paid_at,
                                                     bool allow_expired) {
  auto actor = svc_actor_id(who, tenant);
  if (!actor) return actor.error();
  auto p = PaymentsStore::position_by_iuv(tx, tenant, iuv);
  if (!p) return Error::not_found(iuv);
  if (!payable(p->status) && !(allow_expired && p->status == PositionStatus::expired))
    return Error::make("payments.not_payable", 409, std::string(to_string(p->status)));
  auto it = std::find_if(p->options.begin(), p->options.end(), [&](const Option& o) { return o.iuv == iuv; });
  if (it->status != OptionStatus::unpaid) return Error::make("payments.not_payable", 409, "option paid");
  const std::string at = time::format_iso_utc_millis(paid_at);
  PaymentsStore::set_option_paid(tx, it->id, at);
  it->status = OptionStatus::paid;
  it->paid_at = paid_at;
  for (auto& t : it->transfers) t.status = OptionStatus::paid;
  // Paid: a fine by either option; otherwise the single payment, or every instalment.
  bool all_instalments = true;
  for (const auto& o : p->options)
    if (o.is_partial_payment && o.status == OptionStatus::unpaid) all_instalments = false;
  const bool paid = p->kind == PositionKind::fine || !it->is_partial_payment || all_instalments;
  const PositionStatus next = paid ? PositionStatus::paid : PositionStatus::partially_paid;
  const PositionStatus from = p->status;
  // Always through the version check, even when the state stays (an instalment of a partially paid
  // position): two receipts paying the last two instalments at once (PostgreSQL, READ COMMITTED) each saw
  // the other's still unpaid and both left the position partially paid. Now the second finds the
  // version moved and fails (409, nothing of it committed); the node sends its receipt again and it then
  // sees every instalment paid.
  {
    // The option's and the position's updates go out with the chain's lock and head for the entry below,
    // in one round trip (PostgreSQL), in this order: the rows are locked before the chain, as in every
    // transaction that writes and audits.
    auto updated = PaymentsStore::update_status_later(tx, *p, next, time::format_iso_utc_millis(clock_.now()),
                                                      paid ? std::optional<std::string>(at) : std::nullopt);
    audit::prefetch_chain_head(tx, tenant);
    if (updated.rows().empty()) return Error::make("payments.state", 409, "concurrent change");
    p->version += 1;
    p->status = next;
    if (paid) p->paid_at = paid_at;
  }
  svc_audit(audit_, tx, who, tenant, "payment_position.paid", "payment_position", p->id,
            {{"iupd", p->iupd}, {"iuv", iuv}, {"from", to_string(from)}, {"to", to_string(p->status)}});
  for (const auto& l : paid_listeners_) l(tx, *p, *it);
  return *p;
}

int PaymentsService::activate_due_all(const SystemActor& who) {
  int n = 0;
  // Batches, each position in a transaction of its own (transition()): a long backlog never holds one
  // big transaction, and a position another node moved meanwhile is skipped (its state is checked again).
  for (int round = 0; round < 1000; ++round) {
    std::vector<PositionRef> due;
    db_.read([&](db::Conn& c) {
      due = PaymentsStore::published_due(c, time::format_iso_utc_millis(clock_.now()), 500);
    });
    int moved = 0;
    for (const auto& [tenant, iupd] : due)
      if (transition(who, tenant, iupd, "activate")) ++moved;
    n += moved;
    if (due.size() < 500 || moved == 0) break;
  }
  return n;
}

std::vector<DueOption> PaymentsService::options_due(time::Date from, time::Date to, int limit) {
  std::vector<DueOption> out;
  db_.read([&](db::Conn& c) {
    out = PaymentsStore::options_due(c, time::format_iso_date(from), time::format_iso_date(to), limit);
  });
  return out;
}

int PaymentsService::expire_due_all(const SystemActor& who) {
  int n = 0;
  const std::string today = time::format_iso_date(time::rome_date(clock_.now()));
  for (int round = 0; round < 1000; ++round) {
    std::vector<PositionRef> due;
    db_.read([&](db::Conn& c) { due = PaymentsStore::fines_past_due(c, today, 500); });
    int moved = 0;
    for (const auto& [tenant, iupd] : due)
      if (transition(who, tenant, iupd, "expire")) ++moved;
    n += moved;
    if (due.size() < 500 || moved == 0) break;
  }
  return n;
}

Result<Position> PaymentsService::record_option_paid(const Actor& who, tenants::TenantId tenant,
                                                     const std::string& iuv, time::TimePoint paid_at) {
  return db::transact(db_, [&](db::Conn& tx) { return record_option_paid(tx, who, tenant, iuv, paid_at); });
}

Status PaymentsService::may_act(const Actor& who, tenants::TenantId tenant) {
  if (auto a = svc_actor_id(who, tenant); !a) return a.error();
  return Ok{};
}

Status PaymentsService::may_manage(const Actor& who, tenants::TenantId tenant) {
  if (auto a = svc_actor_id(who, tenant, identity::Permission::manage_payments); !a) return a.error();
  return Ok{};
}

Result<Position> PaymentsService::get(const Actor& who, tenants::TenantId tenant, const std::string& iupd) {
  if (auto a = svc_actor_id(who, tenant); !a) return a.error();
  auto p = store_.position_by_iupd(tenant, iupd);
  if (!p) return Error::not_found(iupd);
  return *p;
}

Result<Position> PaymentsService::by_iuv(const Actor& who, tenants::TenantId tenant, const std::string& iuv) {
  if (auto a = svc_actor_id(who, tenant); !a) return a.error();
  std::optional<Position> p;
  db_.read([&](db::Conn& c) { p = PaymentsStore::position_by_iuv(c, tenant, iuv); });
  if (!p) return Error::not_found(iuv);
  return *p;
}

Result<std::vector<Position>> PaymentsService::list(const Actor& who, tenants::TenantId tenant,
                                                    const PositionQuery& q) {
  if (auto a = svc_actor_id(who, tenant); !a) return a.error();
  PositionQuery bounded = q;
  bounded.limit = std::clamp(q.limit, 1, 500);
  bounded.offset = std::max(q.offset, 0);
  return store_.positions(tenant, bounded);
}

std::vector<Position> PaymentsService::positions_of(const std::string& fiscal_code, int limit) {
  return store_.positions_of_debtor(cf::normalize(fiscal_code), limit);
}

}  // namespace sp::payments
