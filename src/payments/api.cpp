// The payments JSON API: GPD-shaped debt positions (field names of pagoPA's PaymentPositionModel) for a
// body's other systems, behind an API key of the body with payments:read / payments:write, and the
// public notice-number check. Handlers parse, make one service call and render.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>

#include "core/text.hpp"
#include "identity/guards.hpp"
#include "payments/import_gpd.hpp"
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
      {"switchToExpired", p.switch_to_expired},
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
  auto parsed = parse_gpd_position(v, to_publish(req));
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
  if (!list || !list->is_array())
    return json_error(d.view, req, gpd_bad("payments.bulk", "paymentPositions"));
  const auto& items = list->as_array();
  if (items.empty() || items.size() > kMaxBulk)
    return json_error(d.view, req, Error::make("payments.bulk", 422, std::to_string(items.size())));
  const auto lang = req.ctx.locale;
  const auto& i18n = d.view.i18n();
  json::array rows;
  std::vector<NewPosition> positions;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto p = parse_gpd_position(items[i], to_publish(req));
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
    if (!q.status) return json_error(d.view, req, gpd_bad("payments.state", "status"));
  }
  const auto limit = text::parse_decimal(req.query_param("limit", "50"));
  const auto page = text::parse_decimal(req.query_param("page", "0"));
  if (!limit || !page || *limit < 1 || *limit > 500)
    return json_error(d.view, req, gpd_bad("payments.field_length", "limit"));
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
