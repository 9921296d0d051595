#include "adapters/pagopa/node_soap.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <pugixml.hpp>
#include <sstream>
#include <utility>

namespace sp::pagopa {
namespace {

constexpr const char* kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr money::Cents kMaxAmount = 99999999999;  // 999999999.99

Error syntax(std::string detail) {
  return Error::make("pagopa.soap_syntax", 400, std::move(detail));
}

// ---- Reading ------------------------------------------------------------------------------------------

// The local part of a qualified name ("soapenv:Body" → "Body").
std::string_view local_name(const char* name) {
  std::string_view n(name);
  auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The first child element with this local name (whatever its prefix: senders choose their own).
pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (auto c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  }
  return {};
}

std::vector<pugi::xml_node> children(pugi::xml_node parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) out.push_back(c);
  }
  return out;
}

// A reader that remembers the first missing or malformed element, so a parse reads straight through and
// fails once at the end with the element's path.
class Reader {
 public:
  std::string text(pugi::xml_node parent, std::string_view name, bool required = true) {
    auto n = child(parent, name);
    if (!n) {
      if (required) fail(name);
      return {};
    }
    return n.child_value();
  }
  money::Cents amount(pugi::xml_node parent, std::string_view name) {
    auto a = optional_amount(parent, name, true);
    return a.value_or(0);
  }
  std::optional<money::Cents> optional_amount(pugi::xml_node parent, std::string_view name,
                                              bool required = false) {
    auto n = child(parent, name);
    if (!n) {
      if (required) fail(name);
      return std::nullopt;
    }
    auto a = parse_amount(n.child_value());
    if (!a) fail(name);
    return a;
  }
  pugi::xml_node node(pugi::xml_node parent, std::string_view name, bool required = true) {
    auto n = child(parent, name);
    if (!n && required) fail(name);
    return n;
  }
  void fail(std::string_view name) {
    if (error_.empty()) error_ = std::string(name);
  }
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::string error_;
};

StationIds read_ids(Reader& r, pugi::xml_node op) {
  return {r.text(op, "idPA"), r.text(op, "idBrokerPA"), r.text(op, "idStation")};
}

Subject read_subject(Reader& r, pugi::xml_node n) {
  Subject s;
  auto uid = r.node(n, "uniqueIdentifier");
  auto type = r.text(uid, "entityUniqueIdentifierType");
  if (type != "F" && type != "G") r.fail("entityUniqueIdentifierType");
  s.type = type.empty() ? 'F' : type[0];
  s.id = r.text(uid, "entityUniqueIdentifierValue");
  s.full_name = r.text(n, "fullName");
  s.street_name = r.text(n, "streetName", false);
  s.civic_number = r.text(n, "civicNumber", false);
  s.postal_code = r.text(n, "postalCode", false);
  s.city = r.text(n, "city", false);
  s.province = r.text(n, "stateProvinceRegion", false);
  s.country = r.text(n, "country", false);
  s.email = r.text(n, "e-mail", false);
  return s;
}

int read_index(Reader& r, pugi::xml_node t) {
  auto s = r.text(t, "idTransfer");
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 5) r.fail("idTransfer");
  return v;
}

std::vector<Transfer> read_transfers(Reader& r, pugi::xml_node list) {
  std::vector<Transfer> out;
  const auto items = children(list, "transfer");
  if (items.empty() || items.size() > 5) r.fail("transferList");
  for (auto t : items) {
    Transfer x;
    x.index = read_index(r, t);
    x.amount = r.amount(t, "transferAmount");
    x.fiscal_code_pa = r.text(t, "fiscalCodePA");
    x.company_name = r.text(t, "companyName", false);
    x.iban = r.text(t, "IBAN", false);
    x.stamp_attachment = r.text(t, "MBDAttachment", false);
    if (auto m = child(t, "richiestaMarcaDaBollo")) {
      x.stamp = Stamp{r.text(m, "hashDocumento"), r.text(m, "tipoBollo"), r.text(m, "provinciaResidenza")};
    }
    if (x.iban.empty() && x.stamp_attachment.empty() && !x.stamp) r.fail("IBAN");
    x.remittance = r.text(t, "remittanceInformation");
    x.category = r.text(t, "transferCategory");
    out.push_back(std::move(x));
  }
  return out;
}

Receipt read_receipt(Reader& r, pugi::xml_node n) {
  Receipt x;
  x.receipt_id = r.text(n, "receiptId");
  x.notice_number = r.text(n, "noticeNumber");
  x.fiscal_code = r.text(n, "fiscalCode");
  x.outcome = r.text(n, "outcome");
  if (x.outcome != "OK" && x.outcome != "KO") r.fail("outcome");
  x.creditor_reference_id = r.text(n, "creditorReferenceId");
  x.amount = r.amount(n, "paymentAmount");
  x.description = r.text(n, "description");
  x.company_name = r.text(n, "companyName");
  x.office_name = r.text(n, "officeName", false);
  x.debtor = read_subject(r, r.node(n, "debtor"));
  x.transfers = read_transfers(r, r.node(n, "transferList"));
  x.id_psp = r.text(n, "idPSP");
  x.psp_fiscal_code = r.text(n, "pspFiscalCode", false);
  x.psp_company_name = r.text(n, "PSPCompanyName");
  x.id_channel = r.text(n, "idChannel");
  x.channel_description = r.text(n, "channelDescription");
  if (auto p = child(n, "payer")) x.payer = read_subject(r, p);
  x.payment_method = r.text(n, "paymentMethod", false);
  x.fee = r.optional_amount(n, "fee");
  x.payment_date_time = r.text(n, "paymentDateTime", false);
  x.application_date = r.text(n, "applicationDate", false);
  x.transfer_date = r.text(n, "transferDate", false);
  x.stand_in = r.text(n, "standIn", false) == "true";
  return x;
}

// The operation element inside Envelope/Body, or an error.
Result<pugi::xml_node> operation(const pugi::xml_document& doc) {
  auto env = doc.document_element();
  if (!env || local_name(env.name()) != "Envelope") return syntax("Envelope");
  auto body = child(env, "Body");
  if (!body) return syntax("Body");
  auto op = body.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; });
  if (!op) return syntax("Body");
  return op;
}

Result<pugi::xml_node> load(pugi::xml_document& doc, std::string_view xml) {
  auto res = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!res) return syntax(std::string("xml: ") + res.description());
  return operation(doc);
}

std::optional<Fault> read_fault(Reader& r, pugi::xml_node op) {
  auto outcome = r.text(op, "outcome");
  if (outcome == "OK") return std::nullopt;
  if (outcome != "KO") {
    r.fail("outcome");
    return std::nullopt;
  }
  auto f = r.node(op, "fault");
  return Fault{r.text(f, "faultCode"), r.text(f, "faultString"), r.text(f, "id"),
               r.text(f, "description", false)};
}

// ---- Writing ------------------------------------------------------------------------------------------

// An envelope whose body holds `op` (prefix "pafn") and returns the operation node to fill.
class Envelope {
 public:
  explicit Envelope(const char* op) {
    auto decl = doc_.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto env = doc_.append_child("soapenv:Envelope");
    env.append_attribute("xmlns:soapenv") = kSoapNs;
    env.append_attribute("xmlns:pafn") = std::string(kPaForNodeNs).c_str();
    env.append_child("soapenv:Header");
    op_ = env.append_child("soapenv:Body").append_child((std::string("pafn:") + op).c_str());
  }
  pugi::xml_node op() { return op_; }
  std::string str() {
    std::ostringstream out;
    doc_.save(out, "", pugi::format_raw);
    return out.str();
  }

 private:
  pugi::xml_document doc_;
  pugi::xml_node op_;
};

void put(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

void put_if(pugi::xml_node parent, const char* name, const std::string& value) {
  if (!value.empty()) put(parent, name, value);
}

void put_ids(pugi::xml_node op, const StationIds& ids) {
  put(op, "idPA", ids.id_pa);
  put(op, "idBrokerPA", ids.id_broker_pa);
  put(op, "idStation", ids.id_station);
}

void put_qr(pugi::xml_node op, const std::string& fiscal_code, const std::string& nav) {
  auto qr = op.append_child("qrCode");
  put(qr, "fiscalCode", fiscal_code);
  put(qr, "noticeNumber", nav);
}

void put_subject(pugi::xml_node parent, const char* name, const Subject& s) {
  auto n = parent.append_child(name);
  auto uid = n.append_child("uniqueIdentifier");
  put(uid, "entityUniqueIdentifierType", std::string(1, s.type));
  put(uid, "entityUniqueIdentifierValue", s.id);
  put(n, "fullName", s.full_name);
  put_if(n, "streetName", s.street_name);
  put_if(n, "civicNumber", s.civic_number);
  put_if(n, "postalCode", s.postal_code);
  put_if(n, "city", s.city);
  put_if(n, "stateProvinceRegion", s.province);
  put_if(n, "country", s.country);
  put_if(n, "e-mail", s.email);
}

// `receipt`: the receipt's shape (MBDAttachment instead of richiestaMarcaDaBollo for a stamp).
void put_transfers(pugi::xml_node parent, const std::vector<Transfer>& transfers, bool receipt) {
  auto list = parent.append_child("transferList");
  for (const auto& t : transfers) {
    auto n = list.append_child("transfer");
    put(n, "idTransfer", std::to_string(t.index));
    put(n, "transferAmount", format_amount(t.amount));
    put(n, "fiscalCodePA", t.fiscal_code_pa);
    put_if(n, "companyName", t.company_name);
    if (!t.iban.empty()) {
      put(n, "IBAN", t.iban);
    } else if (receipt) {
      put(n, "MBDAttachment", t.stamp_attachment);
    } else if (t.stamp) {
      auto m = n.append_child("richiestaMarcaDaBollo");
      put(m, "hashDocumento", t.stamp->document_hash);
      put(m, "tipoBollo", t.stamp->type);
      put(m, "provinciaResidenza", t.stamp->province);
    }
    put(n, "remittanceInformation", t.remittance);
    put(n, "transferCategory", t.category);
  }
}

// outcome, and the faultBean when KO. Returns whether the response is OK (the data follows).
bool put_outcome(pugi::xml_node op, const std::optional<Fault>& fault) {
  put(op, "outcome", fault ? "KO" : "OK");
  if (!fault) return true;
  auto f = op.append_child("fault");
  put(f, "faultCode", fault->code);
  put(f, "faultString", fault->string.empty() ? fault_string(fault->code) : fault->string);
  put(f, "id", fault->id);
  put_if(f, "description", fault->description);
  return false;
}

}  // namespace

// ---- Amounts ------------------------------------------------------------------------------------------

std::optional<money::Cents> parse_amount(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot != 3 || dot > 9) return std::nullopt;
  money::Cents value = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == dot) continue;
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > kMaxAmount) return std::nullopt;
  return value;
}

std::string format_amount(money::Cents cents) {
  if (cents < 0) cents = 0;  // the schema has no negative amounts; callers never send one
  std::string out = std::to_string(cents / 100) + ".";
  const auto rest = cents % 100;
  out += static_cast<char>('0' + rest / 10);
  out += static_cast<char>('0' + rest % 10);
  return out;
}

// ---- Requests -----------------------------------------------------------------------------------------

std::string_view operation_name(const Request& r) {
  if (std::holds_alternative<VerifyRequest>(r)) return "paVerifyPaymentNotice";
  if (std::holds_alternative<GetPaymentRequest>(r)) return "paGetPaymentV2";
  return "paSendRTV2";
}

Result<Request> parse_request(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load(doc, xml);
  if (!op) return op.error();
  const auto name = local_name(op->name());
  Reader r;
  Request out;
  if (name == "paVerifyPaymentNoticeReq") {
    VerifyRequest v;
    v.ids = read_ids(r, *op);
    auto qr = r.node(*op, "qrCode");
    v.fiscal_code = r.text(qr, "fiscalCode");
    v.notice_number = r.text(qr, "noticeNumber");
    out = std::move(v);
  } else if (name == "paGetPaymentV2Request") {
    GetPaymentRequest g;
    g.ids = read_ids(r, *op);
    auto qr = r.node(*op, "qrCode");
    g.fiscal_code = r.text(qr, "fiscalCode");
    g.notice_number = r.text(qr, "noticeNumber");
    g.amount = r.optional_amount(*op, "amount");
    g.payment_note = r.text(*op, "paymentNote", false);
    g.transfer_type = r.text(*op, "transferType", false);
    g.due_date = r.text(*op, "dueDate", false);
    out = std::move(g);
  } else if (name == "paSendRTV2Request") {
    SendReceiptRequest s;
    s.ids = read_ids(r, *op);
    s.receipt = read_receipt(r, r.node(*op, "receipt"));
    out = std::move(s);
  } else {
    return Error::make("pagopa.soap_operation", 400, std::string(name));
  }
  if (!r.ok()) return syntax(r.error());
  return out;
}

std::string render_request(const VerifyRequest& r) {
  Envelope e("paVerifyPaymentNoticeReq");
  put_ids(e.op(), r.ids);
  put_qr(e.op(), r.fiscal_code, r.notice_number);
  return e.str();
}

std::string render_request(const GetPaymentRequest& r) {
  Envelope e("paGetPaymentV2Request");
  put_ids(e.op(), r.ids);
  put_qr(e.op(), r.fiscal_code, r.notice_number);
  if (r.amount) put(e.op(), "amount", format_amount(*r.amount));
  put_if(e.op(), "paymentNote", r.payment_note);
  put_if(e.op(), "transferType", r.transfer_type);
  put_if(e.op(), "dueDate", r.due_date);
  return e.str();
}

std::string render_request(const SendReceiptRequest& r) {
  Envelope e("paSendRTV2Request");
  put_ids(e.op(), r.ids);
  const auto& x = r.receipt;
  auto n = e.op().append_child("receipt");
  put(n, "receiptId", x.receipt_id);
  put(n, "noticeNumber", x.notice_number);
  put(n, "fiscalCode", x.fiscal_code);
  put(n, "outcome", x.outcome);
  put(n, "creditorReferenceId", x.creditor_reference_id);
  put(n, "paymentAmount", format_amount(x.amount));
  put(n, "description", x.description);
  put(n, "companyName", x.company_name);
  put_if(n, "officeName", x.office_name);
  put_subject(n, "debtor", x.debtor);
  put_transfers(n, x.transfers, true);
  put(n, "idPSP", x.id_psp);
  put_if(n, "pspFiscalCode", x.psp_fiscal_code);
  put(n, "PSPCompanyName", x.psp_company_name);
  put(n, "idChannel", x.id_channel);
  put(n, "channelDescription", x.channel_description);
  if (x.payer) put_subject(n, "payer", *x.payer);
  put_if(n, "paymentMethod", x.payment_method);
  if (x.fee) put(n, "fee", format_amount(*x.fee));
  put_if(n, "paymentDateTime", x.payment_date_time);
  put_if(n, "applicationDate", x.application_date);
  put_if(n, "transferDate", x.transfer_date);
  if (x.stand_in) put(n, "standIn", "true");
  return e.str();
}

// ---- Responses ----------------------------------------------------------------------------------------

std::string fault_string(std::string_view code) {
  // pagoPA's "Gestione degli errori", dominio EC: the faultString that goes with each code.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kStrings{{
      {"PAA_ID_DOMINIO_ERRATO", "La PAA non corrisponde al Dominio indicato"},
      {"PAA_ID_INTERMEDIARIO_ERRATO", "Identificativo intermediario non corrispondente"},
      {"PAA_STAZIONE_INT_ERRATA", "Stazione intermediario non corrispondente"},
      {"PAA_PAGAMENTO_SCONOSCIUTO", "Pagamento in attesa risulta sconosciuto all'Ente Creditore"},
      {"PAA_PAGAMENTO_SCADUTO", "Pagamento in attesa risulta scaduto all'Ente Creditore"},
      {"PAA_PAGAMENTO_ANNULLATO", "Pagamento in attesa risulta annullato all'Ente Creditore"},
      {"PAA_PAGAMENTO_DUPLICATO", "Pagamento in attesa risulta concluso all'Ente Creditore"},
      {"PAA_PAGAMENTO_IN_CORSO", "Pagamento in attesa risulta in corso all'Ente Creditore"},
      {"PAA_RECEIPT_DUPLICATA", "La ricevuta risulta già acquisita dall'Ente Creditore"},
      {"PAA_SEMANTICA", "Errore semantico"},
      {"PAA_SINTASSI_EXTRAXSD", "Errore di sintassi extra XSD"},
      {"PAA_SYSTEM_ERROR", "Errore generico"},
  }};
  for (const auto& [c, s] : kStrings) {
    if (c == code) return std::string(s);
  }
  return std::string(code);
}

Fault make_fault(std::string code, std::string id, std::string description) {
  Fault f;
  f.string = fault_string(code);
  f.code = std::move(code);
  f.id = std::move(id);
  f.description = std::move(description);
  return f;
}

std::string render_response(const VerifyResponse& r) {
  Envelope e("paVerifyPaymentNoticeRes");
  if (put_outcome(e.op(), r.fault)) {
    auto d = e.op().append_child("paymentList").append_child("paymentOptionDescription");
    put(d, "amount", format_amount(r.amount));
    put(d, "options", r.options);
    put_if(d, "dueDate", r.due_date);
    put_if(d, "detailDescription", r.detail_description);
    put(d, "allCCP", r.all_ccp ? "true" : "false");
    put(e.op(), "paymentDescription", r.payment_description);
    put(e.op(), "fiscalCodePA", r.fiscal_code_pa);
    put(e.op(), "companyName", r.company_name);
    put_if(e.op(), "officeName", r.office_name);
  }
  return e.str();
}

std::string render_response(const GetPaymentResponse& r) {
  Envelope e("paGetPaymentV2Response");
  if (put_outcome(e.op(), r.fault)) {
    auto d = e.op().append_child("data");
    put(d, "creditorReferenceId", r.creditor_reference_id);
    put(d, "paymentAmount", format_amount(r.amount));
    put(d, "dueDate", r.due_date);
    put_if(d, "retentionDate", r.retention_date);
    if (r.last_payment) put(d, "lastPayment", *r.last_payment ? "true" : "false");
    put(d, "description", r.description);
    put(d, "companyName", r.company_name);
    put_if(d, "officeName", r.office_name);
    put_subject(d, "debtor", r.debtor);
    put_transfers(d, r.transfers, false);
  }
  return e.str();
}

std::string render_response(const SendReceiptResponse& r) {
  Envelope e("paSendRTV2Response");
  put_outcome(e.op(), r.fault);
  return e.str();
}

// ---- Envelopes that do not parse -------------------------------------------------------------------------

std::optional<Peek> peek_request(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load(doc, xml);
  if (!op) return std::nullopt;
  Peek p;
  const auto name = local_name(op->name());
  p.operation = name == "paVerifyPaymentNoticeReq" ? "paVerifyPaymentNotice"
                : name == "paGetPaymentV2Request"  ? "paGetPaymentV2"
                : name == "paSendRTV2Request"      ? "paSendRTV2"
                                                   : std::string(name);
  Reader lenient;  // missing elements stay empty
  p.ids = {lenient.text(*op, "idPA", false), lenient.text(*op, "idBrokerPA", false),
           lenient.text(*op, "idStation", false)};
  auto holder = child(*op, "qrCode");
  if (!holder) holder = child(*op, "receipt");
  p.notice_number = lenient.text(holder, "noticeNumber", false);
  return p;
}

std::string render_fault_response(std::string_view operation, const Fault& fault) {
  if (operation == "paVerifyPaymentNotice") return render_response(VerifyResponse{.fault = fault});
  if (operation == "paGetPaymentV2") return render_response(GetPaymentResponse{.fault = fault});
  if (operation == "paSendRTV2") return render_response(SendReceiptResponse{.fault = fault});
  return {};
}

std::string render_soap_fault(std::string_view fault_string, std::string_view detail) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = doc.append_child("soapenv:Envelope");
  env.append_attribute("xmlns:soapenv") = kSoapNs;
  auto fault = env.append_child("soapenv:Body").append_child("soapenv:Fault");
  put(fault, "faultcode", "soapenv:Client");
  put(fault, "faultstring", std::string(fault_string));
  put(fault, "detail", std::string(detail));
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

Result<VerifyResponse> parse_verify_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load(doc, xml);
  if (!op) return op.error();
  if (local_name(op->name()) != "paVerifyPaymentNoticeRes") return syntax(op->name());
  Reader r;
  VerifyResponse v;
  v.fault = read_fault(r, *op);
  if (!v.fault && r.ok()) {
    auto d = r.node(r.node(*op, "paymentList"), "paymentOptionDescription");
    v.amount = r.amount(d, "amount");
    v.options = r.text(d, "options");
    v.due_date = r.text(d, "dueDate", false);
    v.detail_description = r.text(d, "detailDescription", false);
    v.all_ccp = r.text(d, "allCCP") == "true";
    v.payment_description = r.text(*op, "paymentDescription", false);
    v.fiscal_code_pa = r.text(*op, "fiscalCodePA", false);
    v.company_name = r.text(*op, "companyName", false);
    v.office_name = r.text(*op, "officeName", false);
  }
  if (!r.ok()) return syntax(r.error());
  return v;
}

Result<GetPaymentResponse> parse_get_payment_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load(doc, xml);
  if (!op) return op.error();
  if (local_name(op->name()) != "paGetPaymentV2Response") return syntax(op->name());
  Reader r;
  GetPaymentResponse g;
  g.fault = read_fault(r, *op);
  if (!g.fault && r.ok()) {
    auto d = r.node(*op, "data");
    g.creditor_reference_id = r.text(d, "creditorReferenceId");
    g.amount = r.amount(d, "paymentAmount");
    g.due_date = r.text(d, "dueDate");
    g.retention_date = r.text(d, "retentionDate", false);
    if (auto lp = child(d, "lastPayment")) g.last_payment = std::strcmp(lp.child_value(), "true") == 0;
    g.description = r.text(d, "description");
    g.company_name = r.text(d, "companyName");
    g.office_name = r.text(d, "officeName", false);
    g.debtor = read_subject(r, r.node(d, "debtor"));
    g.transfers = read_transfers(r, r.node(d, "transferList"));
  }
  if (!r.ok()) return syntax(r.error());
  return g;
}

Result<SendReceiptResponse> parse_send_receipt_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load(doc, xml);
  if (!op) return op.error();
  if (local_name(op->name()) != "paSendRTV2Response") return syntax(op->name());
  Reader r;
  SendReceiptResponse s;
  s.fault = read_fault(r, *op);
  if (!r.ok()) return syntax(r.error());
  return s;
}

}  // namespace sp::pagopa
