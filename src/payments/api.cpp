// The payments JSON API: GPD-shaped debt positions (field names of pagoPA's PaymentPositionModel) for a
// body's other systems, behind an API key of the body with payments:read / payments:write, and the
// public notice-number check. Handlers parse, make one service call and render.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include "core/text.hpp"
#include "identity/guards.hpp"
#include "payments/notice_report.hpp"
#include "payments/web.hpp"
#include "web/json.hpp"

namespace sp::payments {
namespace {

namespace json = boost::json;

using identity::actor_of;
using identity::api_route;
using identity::ApiCall;
using web::json_error;
using web::json_response;
using web::str_or_null;

json::object transfer_json(const Transfer& t) {
  json::object o{{"idTransfer", std::to_string(t.index)},
                 {"amount", t.amount},
                 {"organizationFiscalCode", str_or_null(t.organization_fiscal_code)},
                 {"remittanceInformation", t.remittance},
                 {"category", t.category},
                 {"iban", str_or_null(t.iban)},
                 {"postalIban", str_or_null(t.postal_iban)},
                 {"status", to_string(t.status)}};
  if (t.stamp) {
    o["stamp"] = json::object{{"hashDocument", t.stamp->hash_document},
                              {"stampType", t.stamp->type},
                              {"provincialResidence", t.stamp->provincial_residence}};
  }
  return o;
}

json::object position_json(const Position& p) {
  json::array options;
  for (const auto& o : p.options) {
    json::array transfers;
    for (const auto& t : o.transfers) transfers.push_back(transfer_json(t));
    json::object jo{{"nav", o.nav},
                    {"iuv", o.iuv},
                    {"amount", o.amount},
                    {"description", o.description},
                    {"isPartialPayment", o.is_partial_payment},
                    {"dueDate", time::format_iso_date(o.due_date)},
                    {"retentionDate", o.retention_date ? json::value(time::format_iso_date(*o.retention_date))
                                                       : json::value(nullptr)},
                    {"status", to_string(o.status)},
                    {"paymentDate",
                     o.paid_at ? json::value(time::format_iso_utc_millis(*o.paid_at)) : json::value(nullptr)},
                    {"transfer", transfers}};
    if (o.fine_role != FineRole::none) jo["fineRole"] = to_string(o.fine_role);
    options.push_back(std::move(jo));
  }
  json::object out{
      {"iupd", p.iupd},
      {"type", to_string(p.debtor.type)},
      {"fiscalCode", p.debtor.fiscal_code},
      {"fullName", p.debtor.full_name},
      {"streetName", str_or_null(p.debtor.street_name)},
      {"civicNumber", str_or_null(p.debtor.civic_number)},
      {"postalCode", str_or_null(p.debtor.postal_code)},
      {"city", str_or_null(p.debtor.city)},
      {"province", str_or_null(p.debtor.province)},
      {"region", str_or_null(p.debtor.region)},
      {"country", str_or_null(p.debtor.country)},
      {"email", str_or_null(p.debtor.email)},
      {"phone", str_or_null(p.debtor.phone)},
      {"companyName", p.company_name},
      {"officeName", str_or_null(p.office_name)},
      {"status", to_string(p.status)},
      {"insertedDate", time::format_iso_utc_millis(p.created_at)},
      {"lastUpdatedDate", time::format_iso_utc_millis(p.updated_at)},
      {"publishDate",
       p.published_at ? json::value(time::format_iso_utc_millis(*p.published_at)) : json::value(nullptr)},
      {"validityDate",
       p.validity_date ? json::value(time::format_iso_utc_millis(*p.validity_date)) : json::value(nullptr)},
      {"paymentDate",
       p.paid_at ? json::value(time::format_iso_utc_millis(*p.paid_at)) : json::value(nullptr)},
      {"paymentOption", options}};
  if (p.fine) {
    out["fine"] = json::object{{"notificationDate", time::format_iso_date(p.fine->notification_date)},
                               {"sanctionAmount", p.fine->sanction},
                               {"expensesAmount", p.fine->expenses},
                               {"reducedUntil", time::format_iso_date(reduced_until(*p.fine))},
                               {"reducedAmount", reduced_fine_amount(*p.fine)},
                               {"fullAmount", full_fine_amount(*p.fine)}};
  }
  return out;
}

std::string str_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Error bad(const std::string& code, const std::string& field) {
  Error e = Error::make(code, 400);
  e.field = field;
  return e;
}

// Whole cents: a JSON integer (or an integral number such as 100.0), never a fraction of a cent.
Result<Cents> cents_member(const json::object& o, const char* key, const std::string& field) {
  auto* v = o.if_contains(key);
  if (!v) return bad("payments.amount", field);
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<Cents>::max()))
    return static_cast<Cents>(v->as_uint64());
  return bad("payments.amount", field);
}

// GPD sends dates as date-times ("2026-12-31T23:59:59", with or without zone): the Rome day is kept.
Result<std::string> day_member(const json::object& o, const char* key, const std::string& field,
                               bool required) {
  const std::string s = str_member(o, key);
  if (s.empty()) {
    if (required)
      return bad(std::string("payments.") + (std::string(key) == "dueDate" ? "due_date" : "retention_date"),
                 field);
    return std::string();
  }
  if (s.size() == 10) return s;
  if (auto tp = time::parse_iso_utc(s)) return time::format_iso_date(time::rome_date(*tp));
  if (s.size() > 10 && s[10] == 'T') return s.substr(0, 10);  // a local date-time: its day
  return s;                                                   // the service names what is wrong
}

Result<NewTransfer> parse_transfer(const json::value& v, const std::string& field) {
  if (!v.is_object()) return bad("payments.transfers", field);
  const auto& o = v.as_object();
  NewTransfer t;
  if (auto* id = o.if_contains("idTransfer")) {
    if (id->is_string()) {
      auto n = text::parse_decimal(std::string(id->as_string()));
      if (!n || *n > 5) return bad("payments.transfer_index", field + ".idTransfer");
      t.index = static_cast<int>(*n);
    } else if (id->is_int64()) {
      t.index = static_cast<int>(std::clamp<std::int64_t>(id->as_int64(), -1, 6));
    } else {
      return bad("payments.transfer_index", field + ".idTransfer");
    }
    if (t.index == 0) t.index = -1;  // 0 is not an index
  }
  auto amount = cents_member(o, "amount", field + ".amount");
  if (!amount) return amount.error();
  t.amount = *amount;
  t.iban = str_member(o, "iban");
  t.postal_iban = str_member(o, "postalIban");
  t.remittance = str_member(o, "remittanceInformation");
  t.category = str_member(o, "category");
  t.organization_fiscal_code = str_member(o, "organizationFiscalCode");
  if (auto* s = o.if_contains("stamp"); s && !s->is_null()) {
    if (!s->is_object()) return bad("payments.stamp", field + ".stamp");
    const auto& so = s->as_object();
    t.stamp = Stamp{str_member(so, "stampType"), str_member(so, "hashDocument"),
                    str_member(so, "provincialResidence")};
  }
  return t;
}

Result<NewOption> parse_option(const json::value& v, const std::string& field) {
  if (!v.is_object()) return bad("payments.options", field);
  const auto& o = v.as_object();
  NewOption out;
  out.iuv = str_member(o, "iuv");
  auto amount = cents_member(o, "amount", field + ".amount");
  if (!amount) return amount.error();
  out.amount = *amount;
  out.description = str_member(o, "description");
  auto due = day_member(o, "dueDate", field + ".dueDate", true);
  if (!due) return due.error();
  out.due_date = *due;
  auto keep = day_member(o, "retentionDate", field + ".retentionDate", false);
  if (!keep) return keep.error();
  out.retention_date = *keep;
  if (auto* partial = o.if_contains("isPartialPayment"); partial && partial->is_bool())
    out.is_partial_payment = partial->as_bool();
  auto* ts = o.if_contains("transfer");
  if (!ts || !ts->is_array()) return bad("payments.transfers", field + ".transfer");
  for (std::size_t i = 0; i < ts->as_array().size(); ++i) {
    auto t = parse_transfer(ts->as_array()[i], field + ".transfer[" + std::to_string(i) + "]");
    if (!t) return t.error();
    out.transfers.push_back(std::move(*t));
  }
  return out;
}

Debtor parse_debtor(const json::object& o) {
  Debtor d;
  d.type = parse_debtor_type(str_member(o, "type")).value_or(DebtorType::person);
  d.fiscal_code = str_member(o, "fiscalCode");
  d.full_name = str_member(o, "fullName");
  d.street_name = str_member(o, "streetName");
  d.civic_number = str_member(o, "civicNumber");
  d.postal_code = str_member(o, "postalCode");
  d.city = str_member(o, "city");
  d.province = str_member(o, "province");
  d.region = str_member(o, "region");
  d.country = str_member(o, "country");
  d.email = str_member(o, "email");
  d.phone = str_member(o, "phone");
  return d;
}

// A position, or a fine when the object carries "fine" (then without paymentOption).
struct Parsed {
  std::optional<NewPosition> position;
  std::optional<NewFine> fine;
};

Result<Parsed> parse_position(const json::value& v, bool publish) {
  if (!v.is_object()) return Error::make("api.json", 400, "not an object");
  const auto& o = v.as_object();
  if (auto type = str_member(o, "type"); !parse_debtor_type(type)) return bad("payments.debtor_type", "type");
  Parsed out;
  if (auto* f = o.if_contains("fine"); f && !f->is_null()) {
    if (!f->is_object()) return bad("payments.fine", "fine");
    const auto& fo = f->as_object();
    NewFine nf;
    nf.iupd = str_member(o, "iupd");
    nf.debtor = parse_debtor(o);
    auto day = time::parse_iso_date(str_member(fo, "notificationDate"));
    if (!day) return bad("payments.fine", "fine.notificationDate");
    nf.terms.notification_date = *day;
    auto sanction = cents_member(fo, "sanctionAmount", "fine.sanctionAmount");
    if (!sanction) return sanction.error();
    nf.terms.sanction = *sanction;
    if (fo.if_contains("expensesAmount")) {
      auto expenses = cents_member(fo, "expensesAmount", "fine.expensesAmount");
      if (!expenses) return expenses.error();
      nf.terms.expenses = *expenses;
    }
    nf.description = str_member(fo, "description");
    nf.category = str_member(fo, "category");
    nf.publish = publish;
    out.fine = std::move(nf);
    return out;
  }
  NewPosition np;
  np.iupd = str_member(o, "iupd");
  np.debtor = parse_debtor(o);
  np.validity_date = str_member(o, "validityDate");
  np.replaces_iupd = str_member(o, "replacesIupd");
  np.publish = publish;
  auto* opts = o.if_contains("paymentOption");
  if (!opts || !opts->is_array()) return bad("payments.options", "paymentOption");
  for (std::size_t i = 0; i < opts->as_array().size(); ++i) {
    auto opt = parse_option(opts->as_array()[i], "paymentOption[" + std::to_string(i) + "]");
    if (!opt) return opt.error();
    np.options.push_back(std::move(*opt));
  }
  out.position = std::move(np);
  return out;
}

bool to_publish(const http::Request& req) {
  return req.query_param("toPublish") == "true";
}

http::Response created(WebDeps& d, http::Request& req, const ApiCall& a, const Result<Position>& p) {
  if (!p) return json_error(d.view, req, p.error());
  auto r = json_response(position_json(*p), 201);
  r.header("Location", "/api/v1/backoffice/" + a.body->slug + "/pagopa/debt-positions/" + p->iupd);
  return r;
}

http::Response create_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  auto parsed = parse_position(v, to_publish(req));
  if (!parsed) return json_error(d.view, req, parsed.error());
  if (parsed->fine) return created(d, req, a, d.payments.create_fine(actor_of(a), a.body->id, *parsed->fine));
  return created(d, req, a, d.payments.create(actor_of(a), a.body->id, *parsed->position));
}

http::Response bulk_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  json::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec) return json_error(d.view, req, Error::make("api.json", 400, ec.message()));
  const json::value* list = &v;
  if (v.is_object()) list = v.as_object().if_contains("paymentPositions");
  if (!list || !list->is_array()) return json_error(d.view, req, bad("payments.bulk", "paymentPositions"));
  const auto& items = list->as_array();
  if (items.empty() || items.size() > kMaxBulk)
    return json_error(d.view, req, Error::make("payments.bulk", 422, std::to_string(items.size())));
  const auto lang = req.ctx.locale;
  const auto& i18n = d.view.i18n();
  json::array rows;
  std::vector<NewPosition> positions;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto p = parse_position(items[i], to_publish(req));
    if (p && p->fine) p = Error::make("payments.fine", 400, "bulk");  // fines one at a time
    if (!p) {
      rows.push_back(json::object{{"row", i},
                                  {"error", p.error().code},
                                  {"message", i18n.message(lang, p.error())},
                                  {"field", str_or_null(p.error().field)}});
      continue;
    }
    positions.push_back(std::move(*p->position));
  }
  if (rows.empty()) {
    auto out = d.payments.create_bulk(actor_of(a), a.body->id, positions);
    if (!out) return json_error(d.view, req, out.error());
    for (const auto& e : out->errors) {
      rows.push_back(json::object{{"row", e.row},
                                  {"error", e.error.code},
                                  {"message", i18n.message(lang, e.error)},
                                  {"field", str_or_null(e.error.field)}});
    }
    if (rows.empty()) {
      json::array created;
      for (const auto& p : out->created) created.push_back(position_json(p));
      return json_response(json::object{{"paymentPositions", created}, {"count", created.size()}}, 201);
    }
  }
  Error e = Error::make("payments.bulk_rows", 422, std::to_string(rows.size()));
  return json_response(
      json::object{{"error", json::object{{"error", e.code}, {"message", i18n.message(lang, e)}}},
                   {"rows", rows}},
      422);
}

http::Response get_one(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto p = d.payments.get(actor_of(a), a.body->id, req.param("iupd"));
  if (!p) return json_error(d.view, req, p.error());
  return json_response(position_json(*p));
}

http::Response list_get(WebDeps& d, http::Request& req, const ApiCall& a) {
  PositionQuery q;
  if (auto s = req.query_param("status"); !s.empty()) {
    q.status = parse_position_status(s);
    if (!q.status) return json_error(d.view, req, bad("payments.state", "status"));
  }
  const auto limit = text::parse_decimal(req.query_param("limit", "50"));
  const auto page = text::parse_decimal(req.query_param("page", "0"));
  if (!limit || !page || *limit < 1 || *limit > 500)
    return json_error(d.view, req, bad("payments.field_length", "limit"));
  q.limit = static_cast<int>(*limit);
  q.offset = static_cast<int>(std::min<std::int64_t>(*page * *limit, 1'000'000'000));
  auto found = d.payments.list(actor_of(a), a.body->id, q);
  if (!found) return json_error(d.view, req, found.error());
  json::array items;
  for (const auto& p : *found) items.push_back(position_json(p));
  return json_response(json::object{
      {"paymentPositions", items},
      {"pageInfo", json::object{{"page", *page}, {"limit", *limit}, {"itemsFound", items.size()}}}});
}

http::Response publish_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto p = d.payments.publish(actor_of(a), a.body->id, req.param("iupd"));
  if (!p) return json_error(d.view, req, p.error());
  return json_response(position_json(*p));
}

http::Response invalidate_post(WebDeps& d, http::Request& req, const ApiCall& a) {
  auto p = d.payments.invalidate(actor_of(a), a.body->id, req.param("iupd"));
  if (!p) return json_error(d.view, req, p.error());
  return json_response(position_json(*p));
}

}  // namespace

void register_api(http::Router& router, WebDeps& d) {
  router.get("/api/v1/pagopa/notice-numbers/{nav}", [&d](http::Request& req) {
    auto report = notice_number_report(req.param("nav"), d.view.i18n(), req.ctx.locale);
    const bool valid = report.at("valid").as_bool();
    // A notice number says nothing about a person, but keep it out of shared caches all the same.
    return json_response(report, valid ? 200 : 422);
  });
  const std::string b = "/api/v1/backoffice/{slug}/pagopa/debt-positions";
  router.post(b, api_route(d, "payments:write", create_post));
  router.post(b + "/bulk", api_route(d, "payments:write", bulk_post));
  router.get(b, api_route(d, "payments:read", list_get));
  router.get(b + "/{iupd}", api_route(d, "payments:read", get_one));
  router.post(b + "/{iupd}/publish", api_route(d, "payments:write", publish_post));
  router.post(b + "/{iupd}/invalidate", api_route(d, "payments:write", invalidate_post));
}

}  // namespace sp::payments
