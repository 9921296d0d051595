#include "adapters/pagopa/fdr_org.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <pugixml.hpp>
#include <regex>
#include <sstream>

namespace sp::pagopa::fdr {
namespace {

namespace json = boost::json;

// Amounts are written by hand: Boost.JSON would print a double (1234.56 as 1.23456E3) and we never hold
// euros as a double. A marker string is replaced by the number after serialisation.
std::string fdr_amount_marker(money::Cents c) {
  return "\x01" + std::to_string(c) + "\x01";
}

std::string fdr_serialize(const json::value& v) {
  static const std::regex marker("\"\\\\u0001(-?[0-9]+)\\\\u0001\"");
  const std::string s = json::serialize(v);
  std::string out;
  std::sregex_iterator it(s.begin(), s.end(), marker), end;
  std::size_t at = 0;
  for (; it != end; ++it) {
    out.append(s, at, static_cast<std::size_t>(it->position()) - at);
    out += euros_text(std::stoll((*it)[1].str()));
    at = static_cast<std::size_t>(it->position() + it->length());
  }
  out.append(s, at);
  return out;
}

json::object fdr_metadata(std::int64_t page, std::int64_t size, std::int64_t total) {
  const std::int64_t pages = total == 0 ? 1 : (total + size - 1) / size;
  return {{"pageSize", size}, {"pageNumber", page}, {"totPage", pages}};
}

// Cents from a JSON number written with at most two decimals. A double parsed from "1234.56" is the
// nearest binary value; rounding it times 100 gives the cents exactly for any amount below 2^53 / 100.
std::optional<money::Cents> fdr_cents(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64() * 100;
  if (v->is_uint64()) return static_cast<money::Cents>(v->as_uint64()) * 100;
  if (v->is_double()) {
    const double d = v->as_double();
    if (!(d >= 0) || d > 9e13) return std::nullopt;
    return static_cast<money::Cents>(std::llround(d * 100.0));
  }
  return std::nullopt;
}

std::string fdr_str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t fdr_int(const json::object& o, std::string_view k, std::int64_t fallback = 0) {
  const auto* v = o.if_contains(k);
  if (v && v->is_int64()) return v->as_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return fallback;
}

Result<json::object> fdr_parse_object(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make("fdr_api.json", 502, "not a JSON object");
  return v.as_object();
}

std::int64_t fdr_total_pages(const json::object& o) {
  const auto* m = o.if_contains("metadata");
  if (!m || !m->is_object()) return 1;
  return std::max<std::int64_t>(1, fdr_int(m->as_object(), "totPage", 1));
}

// The sender's identifier type in the XML: an 11-digit fiscal code (G), an ABI code (A), else a BIC (B).
std::string fdr_sender_type(const std::string& id) {
  if (id.size() == 11 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return "G";
  if (id.rfind("ABI", 0) == 0) return "A";
  return "B";
}

void fdr_text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

}  // namespace

std::string euros_text(money::Cents cents) {
  const bool negative = cents < 0;
  const auto a = negative ? -cents : cents;
  std::string frac = std::to_string(a % 100);
  if (frac.size() < 2) frac.insert(frac.begin(), '0');
  return (negative ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

std::string_view outcome_code(std::string_view s) {
  if (s == "EXECUTED") return "0";
  if (s == "REVOKED") return "3";
  if (s == "STAND_IN") return "4";
  if (s == "STAND_IN_NO_RPT") return "8";
  if (s == "NO_RPT") return "9";
  return "";
}

std::string_view pay_status_of_code(std::string_view c) {
  if (c == "0") return "EXECUTED";
  if (c == "3") return "REVOKED";
  if (c == "4") return "STAND_IN";
  if (c == "8") return "STAND_IN_NO_RPT";
  if (c == "9") return "NO_RPT";
  return "";
}

std::string list_json(const std::vector<Flow>& flows, std::int64_t page, std::int64_t size) {
  json::array data;
  const auto total = static_cast<std::int64_t>(flows.size());
  for (std::int64_t i = (page - 1) * size; i < std::min(total, page * size); ++i) {
    const auto& f = flows[static_cast<std::size_t>(i)];
    data.push_back(json::object{{"fdr", f.fdr},
                                {"pspId", f.psp_id},
                                {"revision", f.revision},
                                {"published", f.published},
                                {"flowDate", f.fdr_date}});
  }
  json::object o{{"metadata", fdr_metadata(page, size, total)}, {"count", total}, {"data", std::move(data)}};
  return fdr_serialize(o);
}

std::string flow_json(const Flow& f) {
  json::object o{
      {"status", "PUBLISHED"},
      {"revision", f.revision},
      {"created", f.published},
      {"updated", f.published},
      {"fdr", f.fdr},
      {"fdrDate", f.fdr_date},
      {"regulation", f.regulation},
      {"regulationDate", f.regulation_date},
      {"bicCodePouringBank", f.bic_code_pouring_bank},
      {"sender", json::object{{"type", fdr_sender_type(f.psp_id) == "G"   ? "LEGAL_PERSON"
                                       : fdr_sender_type(f.psp_id) == "A" ? "ABI_CODE"
                                                                          : "BIC_CODE"},
                              {"id", f.psp_id},
                              {"pspId", f.psp_id},
                              {"pspName", f.psp_name},
                              {"pspBrokerId", f.psp_broker_id},
                              {"channelId", f.channel_id}}},
      {"receiver", json::object{{"id", f.organization_id},
                                {"organizationId", f.organization_id},
                                {"organizationName", f.organization_name}}},
      {"published", f.published},
      {"computedTotPayments", static_cast<std::int64_t>(f.payments.size())},
      {"totPayments", f.tot_payments},
      {"sumPayments", fdr_amount_marker(f.sum_payments)},
  };
  money::Cents computed = 0;
  for (const auto& p : f.payments) computed += p.amount;
  o["computedSumPayments"] = fdr_amount_marker(computed);
  return fdr_serialize(o);
}

std::string payments_json(const Flow& f, std::int64_t page, std::int64_t size) {
  json::array data;
  const auto total = static_cast<std::int64_t>(f.payments.size());
  for (std::int64_t i = (page - 1) * size; i < std::min(total, page * size); ++i) {
    const auto& p = f.payments[static_cast<std::size_t>(i)];
    data.push_back(json::object{{"index", i + 1},
                                {"iuv", p.iuv},
                                {"iur", p.iur},
                                {"idTransfer", p.index},
                                {"pay", fdr_amount_marker(p.amount)},
                                {"payStatus", p.pay_status},
                                {"payDate", p.pay_date}});
  }
  json::object o{{"metadata", fdr_metadata(page, size, total)}, {"count", total}, {"data", std::move(data)}};
  return fdr_serialize(o);
}

Result<ListPage> parse_list(std::string_view text) {
  auto o = fdr_parse_object(text);
  if (!o) return o.error();
  ListPage out;
  out.total_pages = fdr_total_pages(*o);
  const auto* data = o->if_contains("data");
  if (!data || !data->is_array()) return Error::make("fdr_api.json", 502, "data");
  for (const auto& v : data->as_array()) {
    if (!v.is_object()) return Error::make("fdr_api.json", 502, "data item");
    const auto& x = v.as_object();
    FlowRef r{fdr_str(x, "fdr"), fdr_str(x, "pspId"), fdr_int(x, "revision", 1), fdr_str(x, "published"),
              fdr_str(x, "flowDate")};
    if (r.fdr.empty() || r.psp_id.empty()) return Error::make("fdr_api.json", 502, "fdr, pspId");
    out.flows.push_back(std::move(r));
  }
  return out;
}

Result<Flow> parse_flow(std::string_view text) {
  auto o = fdr_parse_object(text);
  if (!o) return o.error();
  Flow f;
  f.fdr = fdr_str(*o, "fdr");
  f.revision = fdr_int(*o, "revision", 1);
  f.fdr_date = fdr_str(*o, "fdrDate");
  f.published = fdr_str(*o, "published");
  f.regulation = fdr_str(*o, "regulation");
  f.regulation_date = fdr_str(*o, "regulationDate");
  f.bic_code_pouring_bank = fdr_str(*o, "bicCodePouringBank");
  if (const auto* s = o->if_contains("sender"); s && s->is_object()) {
    const auto& x = s->as_object();
    f.psp_id = fdr_str(x, "pspId");
    if (f.psp_id.empty()) f.psp_id = fdr_str(x, "id");
    f.psp_name = fdr_str(x, "pspName");
    f.psp_broker_id = fdr_str(x, "pspBrokerId");
    f.channel_id = fdr_str(x, "channelId");
  }
  if (const auto* r = o->if_contains("receiver"); r && r->is_object()) {
    const auto& x = r->as_object();
    f.organization_id = fdr_str(x, "organizationId");
    f.organization_name = fdr_str(x, "organizationName");
  }
  f.tot_payments = fdr_int(*o, "totPayments");
  auto sum = fdr_cents(o->if_contains("sumPayments"));
  if (!sum) return Error::make("fdr_api.json", 502, "sumPayments");
  f.sum_payments = *sum;
  if (f.fdr.empty() || f.psp_id.empty() || f.fdr_date.empty() || f.organization_id.empty())
    return Error::make("fdr_api.json", 502, "fdr, fdrDate, sender.pspId, receiver.organizationId");
  return f;
}

Result<PaymentsPage> parse_payments(std::string_view text) {
  auto o = fdr_parse_object(text);
  if (!o) return o.error();
  PaymentsPage out;
  out.total_pages = fdr_total_pages(*o);
  const auto* data = o->if_contains("data");
  if (!data || !data->is_array()) return Error::make("fdr_api.json", 502, "data");
  for (const auto& v : data->as_array()) {
    if (!v.is_object()) return Error::make("fdr_api.json", 502, "data item");
    const auto& x = v.as_object();
    Payment p;
    p.iuv = fdr_str(x, "iuv");
    p.iur = fdr_str(x, "iur");
    p.index = static_cast<int>(fdr_int(x, "idTransfer", 1));
    auto pay = fdr_cents(x.if_contains("pay"));
    if (!pay) return Error::make("fdr_api.json", 502, "pay");
    p.amount = *pay;
    p.pay_status = fdr_str(x, "payStatus");
    p.pay_date = fdr_str(x, "payDate");
    if (p.iuv.empty() || p.iur.empty() || outcome_code(p.pay_status).empty())
      return Error::make("fdr_api.json", 502, "iuv, iur, payStatus");
    out.payments.push_back(std::move(p));
  }
  return out;
}

std::string render_fdr_xml(const Flow& f) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("FlussoRiversamento");
  root.append_attribute("xmlns") = "http://www.digitpa.gov.it/schemas/2011/Pagamenti/";
  fdr_text(root, "versioneOggetto", "1.0");
  fdr_text(root, "identificativoFlusso", f.fdr);
  fdr_text(root, "dataOraFlusso", f.fdr_date);
  fdr_text(root, "identificativoUnivocoRegolamento", f.regulation);
  fdr_text(root, "dataRegolamento", f.regulation_date.substr(0, 10));
  auto sender = root.append_child("istitutoMittente");
  auto sid = sender.append_child("identificativoUnivocoMittente");
  fdr_text(sid, "tipoIdentificativoUnivoco", fdr_sender_type(f.psp_id));
  fdr_text(sid, "codiceIdentificativoUnivoco", f.psp_id);
  if (!f.psp_name.empty()) fdr_text(sender, "denominazioneMittente", f.psp_name.substr(0, 70));
  if (!f.bic_code_pouring_bank.empty())
    fdr_text(root, "codiceBicBancaDiRiversamento", f.bic_code_pouring_bank);
  auto receiver = root.append_child("istitutoRicevente");
  auto rid = receiver.append_child("identificativoUnivocoRicevente");
  fdr_text(rid, "tipoIdentificativoUnivoco", "G");
  fdr_text(rid, "codiceIdentificativoUnivoco", f.organization_id);
  if (!f.organization_name.empty())
    fdr_text(receiver, "denominazioneRicevente", f.organization_name.substr(0, 140));
  fdr_text(root, "numeroTotalePagamenti", std::to_string(f.tot_payments));
  fdr_text(root, "importoTotalePagamenti", euros_text(f.sum_payments));
  for (const auto& p : f.payments) {
    auto row = root.append_child("datiSingoliPagamenti");
    fdr_text(row, "identificativoUnivocoVersamento", p.iuv);
    fdr_text(row, "identificativoUnivocoRiscossione", p.iur);
    fdr_text(row, "indiceDatiSingoloPagamento", std::to_string(p.index));
    fdr_text(row, "singoloImportoPagato", euros_text(p.amount));
    fdr_text(row, "codiceEsitoSingoloPagamento", std::string(outcome_code(p.pay_status)));
    fdr_text(row, "dataEsitoSingoloPagamento", p.pay_date.substr(0, 10));
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

Result<std::string> Client::get(const std::string& path_and_query) const {
  adapters::HttpHeaders headers{{"Accept", "application/json"}};
  if (!options_.subscription_key.empty())
    headers.emplace_back("Ocp-Apim-Subscription-Key", options_.subscription_key);
  auto base = options_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto r = http_.get(base + path_and_query, headers);
  if (!r) return r.error();
  if (r->status != 200)
    return Error::make("fdr_api.status", 502, std::to_string(r->status) + " " + path_and_query);
  return r->body;
}

Result<std::vector<FlowRef>> Client::list(const std::string& organization_id) const {
  std::vector<FlowRef> out;
  for (std::int64_t page = 1, pages = 1; page <= pages; ++page) {
    std::string q = "/organizations/" + adapters::url_encode(organization_id) +
                    "/fdrs?page=" + std::to_string(page) + "&size=" + std::to_string(options_.page_size);
    if (!options_.published_gt.empty()) q += "&publishedGt=" + adapters::url_encode(options_.published_gt);
    auto body = get(q);
    if (!body) return body.error();
    auto parsed = parse_list(*body);
    if (!parsed) return parsed.error();
    pages = parsed->total_pages;
    out.insert(out.end(), parsed->flows.begin(), parsed->flows.end());
  }
  return out;
}

Result<Flow> Client::fetch(const std::string& organization_id, const FlowRef& ref) const {
  const std::string path = "/organizations/" + adapters::url_encode(organization_id) + "/fdrs/" +
                           adapters::url_encode(ref.fdr) + "/revisions/" + std::to_string(ref.revision) +
                           "/psps/" + adapters::url_encode(ref.psp_id);
  auto body = get(path);
  if (!body) return body.error();
  auto flow = parse_flow(*body);
  if (!flow) return flow.error();
  for (std::int64_t page = 1, pages = 1; page <= pages; ++page) {
    auto pbody =
        get(path + "/payments?page=" + std::to_string(page) + "&size=" + std::to_string(options_.page_size));
    if (!pbody) return pbody.error();
    auto parsed = parse_payments(*pbody);
    if (!parsed) return parsed.error();
    pages = parsed->total_pages;
    flow->payments.insert(flow->payments.end(), parsed->payments.begin(), parsed->payments.end());
  }
  return flow;
}

}  // namespace sp::pagopa::fdr
