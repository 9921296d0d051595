#include "payments/reconciliation_web.hpp"

#include <algorithm>

#include "core/text_numbers.hpp"
#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "payments/reconciliation_export.hpp"
#include "web/context.hpp"

namespace sp::payments::recon {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

std::string recon_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/pagamenti/riconciliazione";
}

std::optional<time::Date> recon_day_param(const http::Request& req) {
  const auto s = req.query_param("giorno");
  if (s.empty()) return std::nullopt;
  auto d = time::parse_iso_date(s);
  if (!d) return std::nullopt;
  return *d;
}

std::string recon_query(const DayView& v) {
  std::string q = "?giorno=" + time::format_iso_date(v.day);
  if (!v.psp.empty()) q += "&psp=" + text::percent_encode(v.psp);
  return q;
}

Data recon_results(ReconWebDeps& d, std::string_view lang, const std::vector<ResultCount>& results) {
  Data list = web::list();
  for (const auto& r : results) {
    Data x;
    x.set("label", d.view.t(lang, "payments_reconciliation.result." + std::string(to_string(r.result))));
    x.set("rows", text::group_digits(r.rows, lang));
    x.set("anomaly", is_anomaly(r.result));
    list.push_back(x);
  }
  return list;
}

http::Response recon_page(ReconWebDeps& d, http::Request& req, const StaffCall& a, const Error* error,
                          const std::string& notice) {
  const auto& lang = req.ctx.locale;
  const std::string title = d.view.t(lang, "payments_reconciliation.title");
  auto page = web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(),
                                   "payments_reconciliation", title, "", "", false);
  const auto base = recon_base(*a.body);
  page.data.set("base", base);
  auto view = d.recon.day(a.who, a.body->id, recon_day_param(req), req.query_param("psp"));
  if (!view) return identity::staff_refusal(d.view, req, view.error());
  const auto& v = *view;
  page.data.set("day", time::format_iso_date(v.day));
  page.data.set("day_text", time::format_it_date(v.day));
  page.data.set("csv_href", base + "/export.csv" + recon_query(v));
  // The upload forms and the pull button only for who may use them (the service checks again).
  page.data.set("can_import", d.recon.may_import(a.who, a.body->id).ok());
  page.data.set("can_pull", d.fdr != nullptr && d.db != nullptr);
  Data psps = web::list();
  for (const auto& p : v.psps) {
    Data x;
    x.set("id", p);
    x.set("selected", p == v.psp);
    psps.push_back(x);
  }
  page.data.set("psps", psps);
  page.data.set("receipts_total", money::format(v.receipts_total, lang));
  page.data.set("reported_total", money::format(v.reported_total, lang));
  page.data.set("cashed_total", money::format(v.cashed_total, lang));
  page.data.set("anomalies", std::to_string(v.anomalies));
  page.data.set("has_anomalies", v.anomalies > 0);
  Data flows = web::list();
  for (const auto& f : v.flows) {
    Data x;
    x.set("flow_id", f.flow_id);
    x.set("psp", f.psp_name.empty() ? f.psp_id : f.psp_name + " (" + f.psp_id + ")");
    x.set("count", text::group_digits(f.declared_count, lang));
    x.set("total", money::format(f.declared_total, lang));
    x.set("reported", money::format(f.reported, lang));
    x.set("cashed", money::format(f.cashed, lang));
    x.set("bank", d.view.t(lang, "payments_reconciliation.bank." + std::string(to_string(f.bank))));
    x.set("bank_anomaly", is_anomaly(f.bank));
    x.set("anomalies", std::to_string(f.anomalies));
    x.set("has_anomalies", f.anomalies > 0 || is_anomaly(f.bank));
    x.set("revision", f.is_revision);
    x.set("results", recon_results(d, lang, f.results));
    flows.push_back(x);
  }
  page.data.set("flows", flows);
  page.data.set("has_flows", !v.flows.empty());
  Data rows = web::list();
  for (const auto& r : v.rows) {
    Data x;
    x.set("flow_id", r.flow_id);
    x.set("iuv", r.iuv);
    x.set("iur", r.iur);
    x.set("index", std::to_string(r.transfer_index));
    x.set("amount", money::format(r.amount, lang));
    x.set("expected", r.expected ? money::format(*r.expected, lang) : std::string("—"));
    x.set("result", d.view.t(lang, "payments_reconciliation.result." + std::string(to_string(r.result))));
    x.set("anomaly", is_anomaly(r.result) || is_anomaly(r.bank));
    x.set("receipt", d.view.t(lang, r.has_receipt ? "payments_reconciliation.csv.yes"
                                                  : "payments_reconciliation.csv.no"));
    x.set("bank", d.view.t(lang, "payments_reconciliation.bank." + std::string(to_string(r.bank))));
    rows.push_back(x);
  }
  page.data.set("rows", rows);
  page.data.set("has_rows", !v.rows.empty());
  Data unreported = web::list();
  for (const auto& u : v.unreported) {
    Data x;
    x.set("iuv", u.iuv);
    x.set("iur", u.iur);
    x.set("psp", u.psp_id);
    x.set("index", std::to_string(u.transfer_index));
    x.set("amount", money::format(u.amount, lang));
    x.set("paid_at", time::it_datetime_text(u.payment_at));
    unreported.push_back(x);
  }
  page.data.set("unreported", unreported);
  page.data.set("has_unreported", !v.unreported.empty());
  Data movements = web::list();
  for (const auto& m : v.unmatched_movements) {
    Data x;
    x.set("value_date", time::it_date_text(m.value_date));
    x.set("amount", money::format(m.amount, lang));
    x.set("description", m.description);
    x.set("reference", m.bank_reference);
    movements.push_back(x);
  }
  page.data.set("movements", movements);
  page.data.set("has_movements", !v.unmatched_movements.empty());
  if (!notice.empty()) page.data.set("notice", notice);
  int status = 200;
  if (error != nullptr) {
    web::set_form_error(d.view, req, page, *error);
    status = web::form_status(*error);
  }
  return web::private_page(d.view, req, page, status);
}

http::Response recon_get(ReconWebDeps& d, http::Request& req, const StaffCall& a) {
  std::string notice;
  const auto& lang = req.ctx.locale;
  if (const auto o = req.query_param("importato"); o == "pull") {
    // Counts from our own redirect; anything else in the query shows as 0.
    auto count = [&](const char* k) {
      auto v = req.query_param(k);
      const bool digits = !v.empty() && v.size() < 10 &&
                          std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
      return digits ? std::string(v) : std::string("0");
    };
    notice = d.view.i18n().format(
        lang, "ui.recon_pulled",
        {{"new", count("nuovi")}, {"replaced", count("aggiornati")}, {"known", count("presenti")}});
  } else if (o == "recorded" || o == "replaced" || o == "unchanged" || o == "ignored" || o == "statement") {
    notice = d.view.t(lang, "ui.recon_imported_" + o);
  }
  return recon_page(d, req, a, nullptr, notice);
}

http::Response recon_csv(ReconWebDeps& d, http::Request& req, const StaffCall& a) {
  auto view = d.recon.day(a.who, a.body->id, recon_day_param(req), req.query_param("psp"), 1'000'000);
  if (!view) return identity::staff_refusal(d.view, req, view.error());
  const auto& lang = req.ctx.locale;
  auto r = http::Response::text(
      render_csv(*view, [&](std::string_view k) { return d.view.t(lang, std::string(k)); }));
  r.content_type = "text/csv; charset=utf-8";
  r.header("Content-Disposition", "attachment; filename=\"riconciliazione-" + a.body->slug + "-" +
                                      time::format_iso_date(view->day) + ".csv\"");
  r.header("Cache-Control", "no-store");
  return r;
}

struct ReconUpload {
  std::string name;
  std::string data;
};

// The uploaded file of field `name`, after the CSRF check.
Result<ReconUpload> recon_upload(const http::Request& req, const char* name) {
  auto parts = req.multipart();
  if (!parts) return parts.error();
  if (auto st = identity::check_csrf(req, parts->fields()); !st) return st.error();
  auto files = parts->files(name);
  if (files.size() != 1) return Error::make("recon.file_missing", 400, name);
  return ReconUpload{files[0]->filename.value_or(""), files[0]->data};
}

http::Response recon_flow_post(ReconWebDeps& d, http::Request& req, const StaffCall& a) {
  if (auto st = d.recon.may_import(a.who, a.body->id); !st)
    return identity::staff_refusal(d.view, req, st.error());
  auto file = recon_upload(req, "flusso");
  if (!file) return recon_page(d, req, a, &file.error(), "");
  auto imp = d.recon.import_flow(a.who, a.body->id, file->data, FlowSource::upload);
  if (!imp) return recon_page(d, req, a, &imp.error(), "");
  if (imp->outcome == ImportOutcome::refused) {
    Error e = imp->report.verdict() == "malformed"
                  ? Error::make(imp->report.error_code, 422, imp->report.error_detail)
                  : Error::make("recon.flow_" + std::string(imp->report.verdict()), 422,
                                imp->report.header.flow_id);
    return recon_page(d, req, a, &e, "");
  }
  return web::see_other(recon_base(*a.body) +
                        "?giorno=" + time::format_iso_date(imp->report.header.settlement_date) +
                        "&importato=" + std::string(to_string(imp->outcome)));
}

http::Response recon_statement_post(ReconWebDeps& d, http::Request& req, const StaffCall& a) {
  if (auto st = d.recon.may_import(a.who, a.body->id); !st)
    return identity::staff_refusal(d.view, req, st.error());
  auto file = recon_upload(req, "estratto");
  if (!file) return recon_page(d, req, a, &file.error(), "");
  auto imp = d.recon.import_statement(a.who, a.body->id, file->name, file->data);
  if (!imp) return recon_page(d, req, a, &imp.error(), "");
  return web::see_other(recon_base(*a.body) + "?importato=statement");
}

// "Download the flows now": the same pull as the hourly job, for this body, as the staff member.
http::Response recon_pull_post(ReconWebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (auto st = d.recon.may_import(a.who, a.body->id); !st)
    return identity::staff_refusal(d.view, req, st.error());
  if (d.fdr == nullptr || d.db == nullptr) return d.view.error_page(req, 404);
  auto r = pull_flows_as(d.recon, *d.db, *d.fdr, a.who, a.body->id);
  if (!r) return recon_page(d, req, a, &r.error(), "");
  if (!r->errors.empty()) {
    // Flows fetched before the failure are recorded; the message names what failed.
    const Error e = Error::make("recon.pull_failed", 502, r->errors.front());
    return recon_page(d, req, a, &e, "");
  }
  return web::see_other(recon_base(*a.body) + "?importato=pull&nuovi=" + std::to_string(r->recorded) +
                        "&aggiornati=" + std::to_string(r->replaced) +
                        "&presenti=" + std::to_string(r->skipped + r->unchanged + r->ignored));
}

// Staff of another body get 404, not the guard's 403: whether a body reconciles payments here is none of
// their business, and the page of another body simply does not exist for them.
http::Handler recon_route(ReconWebDeps& d,
                          http::Response (*fn)(ReconWebDeps&, http::Request&, const StaffCall&)) {
  auto inner = staff_route(d, Permission::backoffice, fn);
  return [&d, inner](http::Request& r) {
    const auto* who = identity::principal_of(r);
    const auto body = d.tenants.by_slug(r.param("slug"));
    if (who != nullptr && who->is_staff() && body && who->tenant_id != 0 && who->tenant_id != body->id)
      return d.view.error_page(r, 404);
    return inner(r);
  };
}

}  // namespace

void register_reconciliation_pages(http::Router& router, ReconWebDeps& d) {
  const std::string b = "/backoffice/{slug}/pagamenti/riconciliazione";
  router.get(b, recon_route(d, recon_get));
  router.get(b + "/export.csv", recon_route(d, recon_csv));
  router.post(b + "/flusso", recon_route(d, recon_flow_post));
  router.post(b + "/estratto-conto", recon_route(d, recon_statement_post));
  router.post(b + "/scarica", recon_route(d, recon_pull_post));
}

}  // namespace sp::payments::recon
