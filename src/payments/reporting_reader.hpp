#pragma once
// Streaming reader of pagoPA reporting flows (FdR XML, namespace
// http://www.digitpa.gov.it/schemas/2011/Pagamenti/) with libxml2's xmlTextReader, validating against an
// XSD while it reads: the document is never held as a tree, so memory does not grow with the rows.
// The schema is ours (data/pagopa/fdr.xsd, written from SPEC §4; tests check it agrees with pagoPA's
// develop XSD on every public sample and on our negative cases).
//
// Rules:
//  - The header (everything before the first datiSingoliPagamenti) is handed over once, then each row,
//    in document order. A callback's error stops the reading and is returned as is.
//  - A row is handed over only once it is complete and valid; a document that turns out malformed or
//    invalid further on still returns the error (callers must treat what they saw as not final).
//  - Amounts are parsed to integer cents exactly (money::parse_fixed2); an absent
//    indiceDatiSingoloPagamento is 1; a dataOraFlusso without zone is Rome's wall clock.
//  - No network access, no DTD loading, no entity expansion (XML_PARSE_NONET, no NOENT/DTDLOAD).
//
// Errors (detail "N: what libxml2 or we said", N the line; the messages read "line {detail}"):
//   fdr.malformed  not well-formed XML (or not XML at all, or an empty file)
//   fdr.invalid    well-formed but not valid against the schema (or a value we cannot read)
//   fdr.io         the file cannot be opened
//   fdr.schema     the XSD itself cannot be loaded (a deployment problem)
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "payments/reporting_model.hpp"

namespace sp::payments::reporting {

// A compiled XSD, loaded once and shared by every reading (libxml2 schemas are read-only once parsed).
class FlowSchema {
 public:
  // Errors: fdr.schema (detail names the file and libxml2's complaint).
  static Result<std::shared_ptr<const FlowSchema>> load(const std::string& xsd_path);
  ~FlowSchema();
  FlowSchema(const FlowSchema&) = delete;
  FlowSchema& operator=(const FlowSchema&) = delete;
  [[nodiscard]] void* native() const { return schema_; }  // xmlSchemaPtr

 private:
  FlowSchema() = default;
  void* schema_ = nullptr;
};

// The shipped schema under a share directory (Config::share_dir): <share_dir>/data/pagopa/fdr.xsd.
std::string default_schema_path(const std::string& share_dir);

struct FlowCallbacks {
  std::function<Status(const FlowHeader&)> on_header;
  std::function<Status(const FlowRow&)> on_row;
};

struct ReadFailure {
  std::int64_t line = 0;  // 0 when no line applies (fdr.io)
};

// Streams the file at `path`. On error, `failure` (when given) receives the line.
Status read_flow_file(const std::string& path, const FlowSchema& schema, const FlowCallbacks& callbacks,
                      ReadFailure* failure = nullptr);
// The same over a document in memory (tests, and flows fetched over the network).
Status read_flow_memory(std::string_view xml, const FlowSchema& schema, const FlowCallbacks& callbacks,
                        ReadFailure* failure = nullptr);

// Only parses and validates, handing nothing over: the yardstick `make bench` compares reconciliation
// with (the same library, the same schema, the same reader settings). Returns the elements seen.
Result<std::int64_t> validate_flow_file(const std::string& path, const FlowSchema& schema,
                                        ReadFailure* failure = nullptr);

// dataOraFlusso (xsd:dateTime) to an instant: with a zone as written, without one as Rome's wall clock.
// Errors: time.format, time.range.
Result<time::TimePoint> parse_flow_time(std::string_view text);
// xsd:date ("2021-11-21", optionally followed by a zone, which a civil date ignores).
Result<time::Date> parse_flow_date(std::string_view text);

}  // namespace sp::payments::reporting
