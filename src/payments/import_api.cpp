#include "payments/import_api.hpp"

#include <sstream>
#include <streambuf>

#include "identity/guards.hpp"
#include "web/json.hpp"

namespace sp::payments {
namespace {

// The request body read as a stream without copying it.
class ImportBodyBuf : public std::streambuf {
 public:
  explicit ImportBodyBuf(const std::string& s) {
    char* p = const_cast<char*>(s.data());  // read only: get area
    setg(p, p, p + s.size());
  }
};
class ImportBodyStream : public std::istream {
 public:
  explicit ImportBodyStream(const std::string& s) : std::istream(nullptr), buf_(s) { rdbuf(&buf_); }

 private:
  ImportBodyBuf buf_;
};

http::Response import_post(ImportDeps& d, http::Request& req, const identity::ApiCall& a) {
  ImportOptions o;
  std::string format = req.query_param("format");
  if (format.empty()) {
    const std::string* type = req.header("content-type");
    format = type && type->find("json") != std::string::npos ? "json" : "csv";
  }
  auto f = parse_import_format(format);
  if (!f) return web::json_error(d.view, req, Error::for_field("import.format", "format", 400, format));
  o.format = *f;
  o.dry_run = req.query_param("dryRun") == "true";
  o.publish = req.query_param("toPublish") == "true";
  const std::string& body = req.body;
  auto report = d.import.run(identity::actor_of(a), a.body->id, o,
                             [&body] { return std::make_unique<ImportBodyStream>(body); });
  if (!report) return web::json_error(d.view, req, report.error());
  const bool ok = report->imported || (report->dry_run && report->refused == 0 && !report->file_error);
  const int status = ok ? (report->imported ? 201 : 200) : 422;
  if (req.query_param("report") == "csv") {
    std::ostringstream out;
    write_import_report_csv(out, *report, d.view.i18n(), req.ctx.locale);
    auto r = http::Response::text(out.str(), status);
    r.header("Content-Type", "text/csv; charset=utf-8");
    return r;
  }
  return web::json_response(import_report_json(*report, d.view.i18n(), req.ctx.locale), status);
}

}  // namespace

void register_import_api(http::Router& router, ImportDeps& d) {
  router.post("/api/v1/backoffice/{slug}/pagopa/debt-positions/import",
              identity::api_route(d, "payments:write", import_post));
}

}  // namespace sp::payments
