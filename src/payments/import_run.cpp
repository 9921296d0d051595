#include "payments/import_run.hpp"

#include <boost/json.hpp>
#include <unordered_set>

#include "core/money.hpp"
#include "payments/import_json.hpp"
#include "payments/store.hpp"

namespace sp::payments {
namespace {

// Thrown to roll the import's transaction back after a refused position (recorded in the report).
struct ImportRefused {};

double import_seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Status import_read(std::istream& in, const ImportOptions& o, const std::string& iban,
                   const ImportSink& sink) {
  if (o.format == ImportFormat::json) return read_json_positions(in, o.publish, sink);
  return read_csv_positions(in, CsvDefaults{iban, o.publish}, sink);
}

std::string import_csv_field(const std::string& s) {
  if (s.find_first_of(";\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::optional<ImportFormat> parse_import_format(std::string_view s) {
  if (s == "csv") return ImportFormat::csv;
  if (s == "json") return ImportFormat::json;
  return std::nullopt;
}

std::string_view to_string(ImportOutcome o) {
  switch (o) {
    case ImportOutcome::valid:
      return "valid";
    case ImportOutcome::imported:
      return "imported";
    case ImportOutcome::invalid:
      return "invalid";
    case ImportOutcome::not_imported:
      return "not_imported";
  }
  return "invalid";
}

Result<ImportReport> PositionImport::run(const Actor& who, tenants::TenantId tenant,
                                         const ImportOptions& options,
                                         const std::function<std::unique_ptr<std::istream>()>& open) {
  auto creditor = payments_.creditor(tenant);  // also: another body's actor is refused here
  if (!creditor) return creditor.error();
  if (auto st = payments_.may_act(who, tenant); !st) return st.error();
  ImportReport report;
  report.dry_run = options.dry_run;
  const auto today = time::rome_date(clock_.now());

  // 1. Check every position.
  auto t0 = std::chrono::steady_clock::now();
  std::unordered_set<std::string> iupds, iuvs;
  std::size_t needed_iuvs = 0;
  Status read = Ok{};
  db_.read([&](db::Conn& c) {
    auto in = open();
    read = import_read(*in, options, creditor->iban, [&](ImportItem&& item) {
      ImportRow row{item.row, item.error_row, item.iupd, item.options, ImportOutcome::valid, std::nullopt};
      if (report.rows.size() >= options.max_positions) {
        report.file_error = Error::make("import.too_many", 422, std::to_string(options.max_positions));
        return false;
      }
      auto refuse = [&](Error e) {
        row.outcome = ImportOutcome::invalid;
        if (row.error_row == 0) row.error_row = row.row;
        row.error = std::move(e);
      };
      if (!item.position) {
        refuse(item.position.error());
      } else if (auto st = PaymentsService::validate(*item.position, *creditor, today); !st) {
        refuse(st.error());
      } else if (!item.iupd.empty() && !iupds.insert(item.iupd).second) {
        refuse(Error::for_field("import.iupd_repeated", "iupd", 422, std::to_string(item.row)));
      } else if (!item.iupd.empty() && PaymentsStore::iupd_exists(c, tenant, item.iupd)) {
        Error e = Error::make("payments.iupd_exists", 409, item.iupd);
        e.field = "iupd";
        refuse(std::move(e));
      } else {
        for (const auto& o : item.position->options) {
          if (o.iuv.empty()) continue;
          if (!iuvs.insert(o.iuv).second || PaymentsStore::iuv_exists(c, tenant, o.iuv)) {
            Error e = Error::make("payments.iuv_exists", 409, o.iuv);
            e.field = "iuv";
            refuse(std::move(e));
            break;
          }
        }
      }
      if (row.outcome != ImportOutcome::invalid) {
        for (const auto& o : item.position->options) {
          report.total += o.amount;
          needed_iuvs += o.iuv.empty() ? 1 : 0;
        }
        report.options += item.position->options.size();
      } else {
        ++report.refused;
      }
      report.rows.push_back(std::move(row));
      return true;
    });
  });
  if (!read) report.file_error = read.error();
  report.positions = report.rows.size();
  report.check_seconds = import_seconds_since(t0);
  if (report.positions == 0 && !report.file_error) report.file_error = Error::make("import.empty", 422, "1");
  const bool ok = !report.file_error && report.refused == 0;
  if (!ok) {
    for (auto& r : report.rows)
      if (r.outcome == ImportOutcome::valid) r.outcome = ImportOutcome::not_imported;
    return report;
  }
  if (options.dry_run) return report;

  // 2. Create them all, in one transaction, with IUVs from bases reserved beforehand.
  t0 = std::chrono::steady_clock::now();
  auto first = payments_.reserve_iuv_bases(tenant, static_cast<std::int64_t>(needed_iuvs));
  if (!first) return first.error();
  std::size_t i = 0;
  try {
    db_.write([&](db::Conn& tx) {
      i = 0;
      std::int64_t next = *first;
      auto in = open();
      Status again = import_read(*in, options, creditor->iban, [&](ImportItem&& item) {
        if (i >= report.rows.size() || !item.position) {
          if (i < report.rows.size()) report.rows[i].error = Error::make("import.changed", 409);
          throw ImportRefused{};  // the file changed between the two readings
        }
        auto p = payments_.create_reserved(tx, who, tenant, *item.position, next);
        if (!p) {
          report.rows[i].outcome = ImportOutcome::invalid;
          report.rows[i].error_row = report.rows[i].row;
          report.rows[i].error = p.error();
          throw ImportRefused{};
        }
        ++i;
        return true;
      });
      if (!again || i != report.rows.size()) {
        if (i < report.rows.size()) report.rows[i].error = Error::make("import.changed", 409);
        throw ImportRefused{};
      }
    });
  } catch (const db::DbError& e) {
    // An IUPD or IUV created meanwhile by someone else (the unique indexes): everything rolled back.
    if (e.kind != db::DbError::Kind::unique_violation) throw;
    if (i < report.rows.size())
      report.rows[i].error = Error::make("import.conflict", 409, report.rows[i].iupd);
    report.refused = 1;
    for (auto& r : report.rows) r.outcome = r.error ? ImportOutcome::invalid : ImportOutcome::not_imported;
    report.import_seconds = import_seconds_since(t0);
    return report;
  } catch (const ImportRefused&) {
    report.refused = 1;
    for (auto& r : report.rows) {
      if (r.error)
        r.outcome = ImportOutcome::invalid;
      else
        r.outcome = ImportOutcome::not_imported;
    }
    report.import_seconds = import_seconds_since(t0);
    return report;
  }
  for (auto& r : report.rows) r.outcome = ImportOutcome::imported;
  report.imported = true;
  report.import_seconds = import_seconds_since(t0);
  return report;
}

boost::json::object import_report_json(const ImportReport& r, const I18n& i18n, const std::string& lang) {
  boost::json::array rows;
  for (const auto& x : r.rows) {
    boost::json::object o{
        {"row", x.row}, {"iupd", x.iupd}, {"options", x.options}, {"outcome", to_string(x.outcome)}};
    if (x.error) {
      o["errorRow"] = x.error_row;
      o["error"] = x.error->code;
      o["message"] = i18n.message(lang, *x.error);
      o["field"] = x.error->field.empty() ? boost::json::value(nullptr) : boost::json::value(x.error->field);
    }
    rows.push_back(std::move(o));
  }
  boost::json::object out{{"dryRun", r.dry_run},    {"imported", r.imported}, {"positions", r.positions},
                          {"options", r.options},   {"totalCents", r.total},  {"refused", r.refused},
                          {"rows", std::move(rows)}};
  if (r.file_error) {
    out["fileError"] = boost::json::object{{"error", r.file_error->code},
                                           {"message", i18n.message(lang, *r.file_error)},
                                           {"field", r.file_error->field}};
  }
  return out;
}

void write_import_report_csv(std::ostream& out, const ImportReport& r, const I18n& i18n,
                             const std::string& lang) {
  out << "row;iupd;options;outcome;error;field;message\n";
  if (r.file_error) {
    out << r.file_error->detail << ";;;invalid;" << r.file_error->code << ";"
        << import_csv_field(r.file_error->field) << ";" << import_csv_field(i18n.message(lang, *r.file_error))
        << "\n";
  }
  for (const auto& x : r.rows) {
    out << (x.error ? x.error_row : x.row) << ";" << import_csv_field(x.iupd) << ";" << x.options << ";"
        << to_string(x.outcome) << ";";
    if (x.error)
      out << x.error->code << ";" << import_csv_field(x.error->field) << ";"
          << import_csv_field(i18n.message(lang, *x.error));
    else
      out << ";;";
    out << "\n";
  }
}

void write_import_report_text(std::ostream& out, const ImportReport& r, const I18n& i18n,
                              const std::string& lang) {
  const std::string key = r.imported                                     ? "import.report.imported"
                          : r.dry_run && r.refused == 0 && !r.file_error ? "import.report.valid"
                                                                         : "import.report.refused";
  out << i18n.format(lang, key,
                     {{"positions", std::to_string(r.positions)},
                      {"options", std::to_string(r.options)},
                      {"total", money::format(r.total, lang)},
                      {"refused", std::to_string(r.refused)}})
      << "\n";
  if (r.file_error) out << i18n.message(lang, *r.file_error) << "\n";
  for (const auto& x : r.rows) {
    if (!x.error) continue;
    out << x.error_row << "\t" << x.iupd << "\t" << i18n.message(lang, *x.error)
        << (x.error->field.empty() ? "" : " (" + x.error->field + ")") << "\n";
  }
}

}  // namespace sp::payments
