#include "payments/import_gpd.hpp"

#include <algorithm>
#include <limits>

#include "core/text.hpp"
#include "core/time.hpp"

namespace sp::payments {

namespace json = boost::json;

Error gpd_bad(const std::string& code, const std::string& field) {
  Error e = Error::make(code, 400);
  e.field = field;
  return e;
}

namespace {

std::string gpd_str_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Whole cents: a JSON integer (or an integral number such as 100.0), never a fraction of a cent.
Result<Cents> gpd_cents_member(const json::object& o, const char* key, const std::string& field) {
  auto* v = o.if_contains(key);
  if (!v) return gpd_bad("payments.amount", field);
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<Cents>::max()))
    return static_cast<Cents>(v->as_uint64());
  return gpd_bad("payments.amount", field);
}

// GPD sends dates as date-times ("2026-12-31T23:59:59", with or without zone): the Rome day is kept.
Result<std::string> gpd_day_member(const json::object& o, const char* key, const std::string& field,
                                   bool required) {
  const std::string s = gpd_str_member(o, key);
  if (s.empty()) {
    if (required)
      return gpd_bad(
          std::string("payments.") + (std::string(key) == "dueDate" ? "due_date" : "retention_date"), field);
    return std::string();
  }
  if (s.size() == 10) return s;
  if (auto tp = time::parse_iso_utc(s)) return time::format_iso_date(time::rome_date(*tp));
  if (s.size() > 10 && s[10] == 'T') return s.substr(0, 10);  // a local date-time: its day
  return s;                                                   // the service names what is wrong
}

Result<NewTransfer> gpd_parse_transfer(const json::value& v, const std::string& field) {
  if (!v.is_object()) return gpd_bad("payments.transfers", field);
  const auto& o = v.as_object();
  NewTransfer t;
  if (auto* id = o.if_contains("idTransfer")) {
    if (id->is_string()) {
      auto n = text::parse_decimal(std::string(id->as_string()));
      if (!n || *n > 5) return gpd_bad("payments.transfer_index", field + ".idTransfer");
      t.index = static_cast<int>(*n);
    } else if (id->is_int64()) {
      t.index = static_cast<int>(std::clamp<std::int64_t>(id->as_int64(), -1, 6));
    } else {
      return gpd_bad("payments.transfer_index", field + ".idTransfer");
    }
    if (t.index == 0) t.index = -1;  // 0 is not an index
  }
  auto amount = gpd_cents_member(o, "amount", field + ".amount");
  if (!amount) return amount.error();
  t.amount = *amount;
  t.iban = gpd_str_member(o, "iban");
  t.postal_iban = gpd_str_member(o, "postalIban");
  t.remittance = gpd_str_member(o, "remittanceInformation");
  t.category = gpd_str_member(o, "category");
  t.organization_fiscal_code = gpd_str_member(o, "organizationFiscalCode");
  if (auto* s = o.if_contains("stamp"); s && !s->is_null()) {
    if (!s->is_object()) return gpd_bad("payments.stamp", field + ".stamp");
    const auto& so = s->as_object();
    t.stamp = Stamp{gpd_str_member(so, "stampType"), gpd_str_member(so, "hashDocument"),
                    gpd_str_member(so, "provincialResidence")};
  }
  return t;
}

Result<NewOption> gpd_parse_option(const json::value& v, const std::string& field) {
  if (!v.is_object()) return gpd_bad("payments.options", field);
  const auto& o = v.as_object();
  NewOption out;
  out.iuv = gpd_str_member(o, "iuv");
  auto amount = gpd_cents_member(o, "amount", field + ".amount");
  if (!amount) return amount.error();
  out.amount = *amount;
  out.description = gpd_str_member(o, "description");
  auto due = gpd_day_member(o, "dueDate", field + ".dueDate", true);
  if (!due) return due.error();
  out.due_date = *due;
  auto keep = gpd_day_member(o, "retentionDate", field + ".retentionDate", false);
  if (!keep) return keep.error();
  out.retention_date = *keep;
  if (auto* partial = o.if_contains("isPartialPayment"); partial && partial->is_bool())
    out.is_partial_payment = partial->as_bool();
  auto* ts = o.if_contains("transfer");
  if (!ts || !ts->is_array()) return gpd_bad("payments.transfers", field + ".transfer");
  for (std::size_t i = 0; i < ts->as_array().size(); ++i) {
    auto t = gpd_parse_transfer(ts->as_array()[i], field + ".transfer[" + std::to_string(i) + "]");
    if (!t) return t.error();
    out.transfers.push_back(std::move(*t));
  }
  return out;
}

Debtor gpd_parse_debtor(const json::object& o) {
  Debtor d;
  d.type = parse_debtor_type(gpd_str_member(o, "type")).value_or(DebtorType::person);
  d.fiscal_code = gpd_str_member(o, "fiscalCode");
  d.full_name = gpd_str_member(o, "fullName");
  d.street_name = gpd_str_member(o, "streetName");
  d.civic_number = gpd_str_member(o, "civicNumber");
  d.postal_code = gpd_str_member(o, "postalCode");
  d.city = gpd_str_member(o, "city");
  d.province = gpd_str_member(o, "province");
  d.region = gpd_str_member(o, "region");
  d.country = gpd_str_member(o, "country");
  d.email = gpd_str_member(o, "email");
  d.phone = gpd_str_member(o, "phone");
  return d;
}

}  // namespace

Result<GpdParsed> parse_gpd_position(const json::value& v, bool publish) {
  if (!v.is_object()) return Error::make("api.json", 400, "not an object");
  const auto& o = v.as_object();
  if (auto type = gpd_str_member(o, "type"); !parse_debtor_type(type))
    return gpd_bad("payments.debtor_type", "type");
  GpdParsed out;
  if (auto* f = o.if_contains("fine"); f && !f->is_null()) {
    if (!f->is_object()) return gpd_bad("payments.fine", "fine");
    const auto& fo = f->as_object();
    NewFine nf;
    nf.iupd = gpd_str_member(o, "iupd");
    nf.debtor = gpd_parse_debtor(o);
    auto day = time::parse_iso_date(gpd_str_member(fo, "notificationDate"));
    if (!day) return gpd_bad("payments.fine", "fine.notificationDate");
    nf.terms.notification_date = *day;
    auto sanction = gpd_cents_member(fo, "sanctionAmount", "fine.sanctionAmount");
    if (!sanction) return sanction.error();
    nf.terms.sanction = *sanction;
    if (fo.if_contains("expensesAmount")) {
      auto expenses = gpd_cents_member(fo, "expensesAmount", "fine.expensesAmount");
      if (!expenses) return expenses.error();
      nf.terms.expenses = *expenses;
    }
    nf.description = gpd_str_member(fo, "description");
    nf.category = gpd_str_member(fo, "category");
    nf.publish = publish;
    out.fine = std::move(nf);
    return out;
  }
  NewPosition np;
  np.iupd = gpd_str_member(o, "iupd");
  np.debtor = gpd_parse_debtor(o);
  np.validity_date = gpd_str_member(o, "validityDate");
  np.replaces_iupd = gpd_str_member(o, "replacesIupd");
  np.publish = publish;
  if (auto* sw = o.if_contains("switchToExpired"); sw && sw->is_bool()) np.switch_to_expired = sw->as_bool();
  auto* opts = o.if_contains("paymentOption");
  if (!opts || !opts->is_array()) return gpd_bad("payments.options", "paymentOption");
  for (std::size_t i = 0; i < opts->as_array().size(); ++i) {
    auto opt = gpd_parse_option(opts->as_array()[i], "paymentOption[" + std::to_string(i) + "]");
    if (!opt) return opt.error();
    np.options.push_back(std::move(*opt));
  }
  out.position = std::move(np);
  return out;
}

}  // namespace sp::payments
