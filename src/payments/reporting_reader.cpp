#include "payments/reporting_reader.hpp"

#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <cstring>
#include <optional>
#include <string>

#include "core/text.hpp"

namespace sp::payments::reporting {
namespace {

// The first error libxml2 reports (parser or schema validator), with its line.
struct ErrorSink {
  bool failed = false;
  bool validity = false;  // a schema violation rather than a well-formedness error
  std::int64_t line = 0;
  std::string message;
};

std::string trimmed_message(const char* msg) {
  std::string m = msg != nullptr ? msg : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ' || m.back() == '.'))
    m.pop_back();  // our messages end the sentence
  return m;
}

void on_structured_error(void* arg, xmlErrorPtr error) {
  auto* sink = static_cast<ErrorSink*>(arg);
  if (error == nullptr || error->level == XML_ERR_WARNING || sink->failed) return;
  sink->failed = true;
  sink->validity = error->domain == XML_FROM_SCHEMASV || error->domain == XML_FROM_VALID;
  sink->line = error->line;
  sink->message = trimmed_message(error->message);
}

void on_schema_parse_error(void* arg, xmlErrorPtr error) {
  auto* sink = static_cast<ErrorSink*>(arg);
  if (error == nullptr || error->level == XML_ERR_WARNING || sink->failed) return;
  sink->failed = true;
  sink->line = error->line;
  sink->message = trimmed_message(error->message);
}

Error flow_error(const char* code, std::int64_t line, const std::string& what, ReadFailure* failure) {
  if (failure != nullptr) failure->line = line;
  return Error::make(code, 422, std::to_string(line) + ": " + what);  // the message says "line {detail}"
}

constexpr int kReaderOptions = XML_PARSE_NONET;

struct ReaderDeleter {
  void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};
using ReaderPtr = std::unique_ptr<xmlTextReader, ReaderDeleter>;

// Which text we are collecting: the element's place in the flow, decided when it opens.
enum class Field : std::uint8_t {
  none,
  version,
  flow_id,
  flow_time,
  settlement_iur,
  settlement_date,
  settlement_bic,
  id_type,
  id_code,
  party_name,
  declared_count,
  declared_total,
  iuv,
  iur,
  index,
  amount,
  outcome,
  outcome_date,
};

enum class Section : std::uint8_t { header, sender, receiver, row };

bool is(const xmlChar* name, const char* literal) {
  return std::strcmp(reinterpret_cast<const char*>(name), literal) == 0;
}

Field header_field(const xmlChar* n) {
  if (is(n, "versioneOggetto")) return Field::version;
  if (is(n, "identificativoFlusso")) return Field::flow_id;
  if (is(n, "dataOraFlusso")) return Field::flow_time;
  if (is(n, "identificativoUnivocoRegolamento")) return Field::settlement_iur;
  if (is(n, "dataRegolamento")) return Field::settlement_date;
  if (is(n, "codiceBicBancaDiRiversamento")) return Field::settlement_bic;
  if (is(n, "numeroTotalePagamenti")) return Field::declared_count;
  if (is(n, "importoTotalePagamenti")) return Field::declared_total;
  return Field::none;
}

Field party_field(const xmlChar* n) {
  if (is(n, "tipoIdentificativoUnivoco")) return Field::id_type;
  if (is(n, "codiceIdentificativoUnivoco")) return Field::id_code;
  if (is(n, "denominazioneMittente") || is(n, "denominazioneRicevente")) return Field::party_name;
  return Field::none;
}

Field row_field(const xmlChar* n) {
  if (is(n, "identificativoUnivocoVersamento")) return Field::iuv;
  if (is(n, "identificativoUnivocoRiscossione")) return Field::iur;
  if (is(n, "indiceDatiSingoloPagamento")) return Field::index;
  if (is(n, "singoloImportoPagato")) return Field::amount;
  if (is(n, "codiceEsitoSingoloPagamento")) return Field::outcome;
  if (is(n, "dataEsitoSingoloPagamento")) return Field::outcome_date;
  return Field::none;
}

// XSD's whiteSpace="collapse" for the non-string types (decimals, integers, dates): the schema checks the
// value without the surrounding blanks, so we read it the same way.
std::string_view collapsed(std::string_view v) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = v.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return v.substr(first, v.find_last_not_of(kBlanks) - first + 1);
}

// An xsd:decimal with no fraction digits or an xsd:integer: "+3", "003", "3.00" are all 3.
std::optional<std::int64_t> xsd_whole_number(std::string_view v) {
  v = collapsed(v);
  if (v.starts_with('+')) v.remove_prefix(1);
  if (const auto dot = v.find('.'); dot != std::string_view::npos) {
    if (v.substr(dot + 1).find_first_not_of('0') != std::string_view::npos) return std::nullopt;
    v = v.substr(0, dot);
  }
  return text::parse_decimal(v);
}

// One pass over a reader already set up with its schema and error sink.
class FlowParser {
 public:
  FlowParser(xmlTextReaderPtr reader, ErrorSink& sink, const FlowCallbacks& callbacks, ReadFailure* failure)
      : reader_(reader), sink_(sink), callbacks_(callbacks), failure_(failure) {}

  Status run() {
    for (;;) {
      const int ret = xmlTextReaderRead(reader_);
      if (sink_.failed) return libxml_error();
      if (ret == 0) break;
      if (ret < 0) return libxml_error();
      if (auto st = on_node(); !st) return st;
    }
    if (xmlTextReaderIsValid(reader_) != 1) {
      if (sink_.failed) return libxml_error();
      return flow_error("fdr.invalid", xmlTextReaderGetParserLineNumber(reader_),
                        "not valid against the schema", failure_);
    }
    if (!header_sent_) return flow_error("fdr.invalid", line(), "no payments in the flow", failure_);
    return Ok{};
  }

 private:
  std::int64_t line() const { return xmlTextReaderGetParserLineNumber(reader_); }

  Error libxml_error() const {
    const bool malformed = !sink_.failed || !sink_.validity;
    const std::int64_t at = sink_.failed && sink_.line > 0 ? sink_.line : line();
    return flow_error(malformed ? "fdr.malformed" : "fdr.invalid", at,
                      sink_.failed ? sink_.message : "cannot read the document", failure_);
  }

  Error value_error(std::string_view what) const {
    return flow_error("fdr.invalid", line(), std::string(what) + ": «" + text_.substr(0, 60) + "»", failure_);
  }

  Status on_node() {
    switch (xmlTextReaderNodeType(reader_)) {
      case XML_READER_TYPE_ELEMENT: {
        const int depth = xmlTextReaderDepth(reader_);
        const xmlChar* name = xmlTextReaderConstLocalName(reader_);
        if (depth == 1) {
          field_ = Field::none;
          if (is(name, "datiSingoliPagamenti")) {
            if (!header_sent_) {
              if (auto st = send_header(); !st) return st;
            }
            section_ = Section::row;
            row_.iuv.clear();
            row_.iur.clear();
            row_.index = 1;
            row_.amount = 0;
          } else if (is(name, "istitutoMittente")) {
            section_ = Section::sender;
          } else if (is(name, "istitutoRicevente")) {
            section_ = Section::receiver;
          } else {
            section_ = Section::header;
            field_ = header_field(name);
          }
        } else if (section_ == Section::row && depth == 2) {
          field_ = row_field(name);
        } else if ((section_ == Section::sender || section_ == Section::receiver) && depth >= 2) {
          field_ = party_field(name);
        } else {
          field_ = Field::none;
        }
        text_.clear();
        if (xmlTextReaderIsEmptyElement(reader_) == 1) return close_field();
        return Ok{};
      }
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        if (field_ != Field::none) {
          if (const xmlChar* v = xmlTextReaderConstValue(reader_)) text_ += reinterpret_cast<const char*>(v);
        }
        return Ok{};
      case XML_READER_TYPE_END_ELEMENT: {
        if (field_ != Field::none) return close_field();
        if (xmlTextReaderDepth(reader_) == 1 && section_ == Section::row) return send_row();
        return Ok{};
      }
      default:
        return Ok{};
    }
  }

  Status close_field() {
    const Field f = field_;
    field_ = Field::none;
    Party* party = section_ == Section::sender ? &header_.sender : &header_.receiver;
    switch (f) {
      case Field::none:
        return Ok{};
      case Field::version:
        header_.version = text_;
        return Ok{};
      case Field::flow_id:
        header_.flow_id = text_;
        return Ok{};
      case Field::flow_time: {
        auto t = parse_flow_time(collapsed(text_));
        if (!t) return value_error("dataOraFlusso");
        header_.flow_time_text = collapsed(text_);
        header_.flow_time = *t;
        return Ok{};
      }
      case Field::settlement_iur:
        header_.settlement_iur = text_;
        return Ok{};
      case Field::settlement_date: {
        auto d = parse_flow_date(collapsed(text_));
        if (!d) return value_error("dataRegolamento");
        header_.settlement_date = *d;
        return Ok{};
      }
      case Field::settlement_bic:
        header_.settlement_bic = text_;
        return Ok{};
      case Field::id_type:
        party->id_type = text_;
        return Ok{};
      case Field::id_code:
        party->id = text_;
        return Ok{};
      case Field::party_name:
        party->name = text_;
        return Ok{};
      case Field::declared_count: {
        auto n = xsd_whole_number(text_);
        if (!n) return value_error("numeroTotalePagamenti");
        header_.declared_count = *n;
        return Ok{};
      }
      case Field::declared_total: {
        auto c = money::parse_fixed2(collapsed(text_));
        if (!c) return value_error("importoTotalePagamenti");
        header_.declared_total = *c;
        return Ok{};
      }
      case Field::iuv:
        row_.iuv = text_;
        return Ok{};
      case Field::iur:
        row_.iur = text_;
        return Ok{};
      case Field::index: {
        auto n = xsd_whole_number(text_);
        if (!n || *n < 1 || *n > 5) return value_error("indiceDatiSingoloPagamento");
        row_.index = static_cast<int>(*n);
        return Ok{};
      }
      case Field::amount: {
        auto c = money::parse_fixed2(collapsed(text_));
        if (!c) return value_error("singoloImportoPagato");
        row_.amount = *c;
        return Ok{};
      }
      case Field::outcome: {
        auto o = parse_outcome_code(text_);
        if (!o) return value_error("codiceEsitoSingoloPagamento");
        row_.outcome = *o;
        return Ok{};
      }
      case Field::outcome_date: {
        auto d = parse_flow_date(collapsed(text_));
        if (!d) return value_error("dataEsitoSingoloPagamento");
        row_.outcome_date = *d;
        return Ok{};
      }
    }
    return Ok{};
  }

  Status send_header() {
    header_sent_ = true;
    if (callbacks_.on_header) return callbacks_.on_header(header_);
    return Ok{};
  }

  Status send_row() {
    section_ = Section::header;
    ++row_.ordinal;
    if (callbacks_.on_row) return callbacks_.on_row(row_);
    return Ok{};
  }

  xmlTextReaderPtr reader_;
  ErrorSink& sink_;
  const FlowCallbacks& callbacks_;
  ReadFailure* failure_;
  FlowHeader header_;
  FlowRow row_;
  Section section_ = Section::header;
  Field field_ = Field::none;
  std::string text_;
  bool header_sent_ = false;
};

Status read_with(ReaderPtr reader, const FlowSchema& schema, const FlowCallbacks& callbacks,
                 ReadFailure* failure) {
  ErrorSink sink;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), on_structured_error, &sink);
  if (xmlTextReaderSetSchema(reader.get(), static_cast<xmlSchemaPtr>(schema.native())) != 0)
    return Error::make("fdr.schema", 500, "the reader refused the schema");
  FlowParser parser(reader.get(), sink, callbacks, failure);
  return parser.run();
}

}  // namespace

FlowSchema::~FlowSchema() {
  if (schema_ != nullptr) xmlSchemaFree(static_cast<xmlSchemaPtr>(schema_));
}

Result<std::shared_ptr<const FlowSchema>> FlowSchema::load(const std::string& xsd_path) {
  xmlInitParser();  // idempotent; libxml2 wants it before use from several threads
  ErrorSink sink;
  xmlSchemaParserCtxtPtr ctxt = xmlSchemaNewParserCtxt(xsd_path.c_str());
  if (ctxt == nullptr) return Error::make("fdr.schema", 500, xsd_path);
  xmlSchemaSetParserStructuredErrors(ctxt, on_schema_parse_error, &sink);
  xmlSchemaPtr parsed = xmlSchemaParse(ctxt);
  xmlSchemaFreeParserCtxt(ctxt);
  if (parsed == nullptr) {
    return Error::make(
        "fdr.schema", 500,
        xsd_path + ":" + std::to_string(sink.line) + ": " + (sink.failed ? sink.message : "unreadable"));
  }
  std::shared_ptr<FlowSchema> schema(new FlowSchema());
  schema->schema_ = parsed;
  return std::shared_ptr<const FlowSchema>(std::move(schema));
}

std::string default_schema_path(const std::string& share_dir) {
  return share_dir + "/data/pagopa/fdr.xsd";
}

Status read_flow_file(const std::string& path, const FlowSchema& schema, const FlowCallbacks& callbacks,
                      ReadFailure* failure) {
  // xmlReaderForFile reports a missing file only as a null reader: say it plainly first.
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    if (failure != nullptr) failure->line = 0;
    return Error::make("fdr.io", 400, path);
  }
  ReaderPtr reader(xmlReaderForFile(path.c_str(), nullptr, kReaderOptions));
  if (!reader) return flow_error("fdr.malformed", 1, "cannot read the document", failure);
  return read_with(std::move(reader), schema, callbacks, failure);
}

Status read_flow_memory(std::string_view xml, const FlowSchema& schema, const FlowCallbacks& callbacks,
                        ReadFailure* failure) {
  ReaderPtr reader(
      xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), "flow.xml", nullptr, kReaderOptions));
  if (!reader) return flow_error("fdr.malformed", 1, "cannot read the document", failure);
  return read_with(std::move(reader), schema, callbacks, failure);
}

Result<std::int64_t> validate_flow_file(const std::string& path, const FlowSchema& schema,
                                        ReadFailure* failure) {
  ReaderPtr reader(xmlReaderForFile(path.c_str(), nullptr, kReaderOptions));
  if (!reader) return Error::make("fdr.io", 400, path);
  ErrorSink sink;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), on_structured_error, &sink);
  if (xmlTextReaderSetSchema(reader.get(), static_cast<xmlSchemaPtr>(schema.native())) != 0)
    return Error::make("fdr.schema", 500, "the reader refused the schema");
  std::int64_t elements = 0;
  int ret = 0;
  while ((ret = xmlTextReaderRead(reader.get())) == 1) {
    if (xmlTextReaderNodeType(reader.get()) == XML_READER_TYPE_ELEMENT) ++elements;
  }
  if (ret < 0 || sink.failed || xmlTextReaderIsValid(reader.get()) != 1) {
    return flow_error(sink.failed && sink.validity ? "fdr.invalid" : "fdr.malformed",
                      sink.line > 0 ? sink.line : xmlTextReaderGetParserLineNumber(reader.get()),
                      sink.failed ? sink.message : "not valid", failure);
  }
  return elements;
}

Result<time::TimePoint> parse_flow_time(std::string_view text) {
  // A zone is 'Z' or '±HH:MM' after the seconds (and their fraction).
  const bool zoned =
      !text.empty() && (text.back() == 'Z' || text.back() == 'z' ||
                        (text.size() > 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
                         text[text.size() - 3] == ':' && text.find('T') != std::string_view::npos &&
                         text.size() - 6 > text.find('T')));
  if (zoned) return time::parse_iso_utc(text);
  auto as_utc = time::parse_iso_utc(std::string(text) + "Z");
  if (!as_utc) return as_utc.error();
  const auto whole = std::chrono::floor<std::chrono::seconds>(*as_utc);
  const auto fraction = *as_utc - whole;
  const date::local_seconds local{whole.time_since_epoch()};
  return time::from_rome_local(local) + fraction;
}

Result<time::Date> parse_flow_date(std::string_view text) {
  if (text.size() > 10) {
    const std::string_view zone = text.substr(10);
    const bool is_zone =
        zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':');
    if (!is_zone) return Error::make("time.format", 400, std::string(text.substr(0, 40)));
    text = text.substr(0, 10);
  }
  return time::parse_iso_date(text);
}

}  // namespace sp::payments::reporting
