#include "adapters/anpr/wire.hpp"

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "core/crypto/encoding.hpp"

namespace sp::anpr {
namespace {

constexpr const char* kSoapEnvNs = "http://schemas.xmlsoap.org/soap/envelope/";

Error anpr_syntax(std::string detail) {
  return Error::make("anpr.soap_syntax", 400, std::move(detail));
}

// ---- Writing ------------------------------------------------------------------------------------------

// Text for a field whose XSD pattern allows letters (accented too), digits and the `extra` punctuation:
// anything else becomes a space (e.g. ':' in a note, '(' in a state's name). Bytes >= 0x80 are kept (the
// accented letters the patterns allow are all outside ASCII).
std::string wire_text(std::string_view in, std::string_view extra) {
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    extra.find(c) != std::string_view::npos;
    out += ok ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}
constexpr std::string_view kStateChars = " -'.,";    // alfanumerico120char
constexpr std::string_view kNoteChars = " -'/.,()";  // tipoRigaAnnotazione (its euro sign is not ASCII)
// idFamigliaConvivenza: letters and digits only (a register's "CM-0001" goes as "CM0001").
std::string wire_id(std::string_view in) {
  std::string out;
  for (char c : in)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) out += c;
  return out;
}

// An envelope whose body holds `op` (prefix "ns" bound to `ns`); returns the operation element.
pugi::xml_node envelope(pugi::xml_document& doc, std::string_view ns, const char* op) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = doc.append_child("soapenv:Envelope");
  env.append_attribute("xmlns:soapenv") = kSoapEnvNs;
  env.append_attribute("xmlns:ns") = std::string(ns).c_str();
  env.append_child("soapenv:Header");
  auto body = env.append_child("soapenv:Body");
  return body.append_child((std::string("ns:") + op).c_str());
}

pugi::xml_node add(pugi::xml_node parent, const char* name) {
  return parent.append_child(name);
}

void add_text(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(std::string(value).c_str());
}

void add_opt(pugi::xml_node parent, const char* name, std::string_view value) {
  if (!value.empty()) add_text(parent, name, value);
}

void add_num(pugi::xml_node parent, const char* name, long long value) {
  add_text(parent, name, std::to_string(value));
}

std::string to_xml(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

void write_request_header(pugi::xml_node op, const RequestHeader& h) {
  auto t = add(op, "testataRichiesta");
  add_text(t, "idOperazioneComune", h.operation_id);
  add_text(t, "codMittente", h.sender);
  add_text(t, "codDestinatario", kAnprCode);
  add_text(t, "operazioneRichiesta", h.operation);
  add_text(t, "dataOraRichiesta", h.sent_at);
  add_text(t, "tipoOperazione", "C");  // at the citizen's request
  add_text(t, "tipoInvio", h.send_type);
  add_text(t, "nomeApplicativo", "Sportello");
}

void write_response_header(pugi::xml_node op, const ResponseHeader& h) {
  auto t = add(op, "testataRisposta");
  add_text(t, "idOperazioneComune", h.operation_id);
  add_text(t, "codMittente", kAnprCode);
  add_text(t, "codDestinatario", h.recipient);
  add_text(t, "operazioneRichiesta", h.operation);
  add_text(t, "dataOraRichiesta", h.sent_at);
  add_text(t, "idOperazioneANPR", h.anpr_operation_id);
  add_text(t, "esitoOperazione", h.outcome);
}

void write_errors(pugi::xml_node parent, const char* list_name, const char* item_name,
                  const std::vector<AnprError>& errors) {
  if (errors.empty()) return;
  auto list = add(parent, list_name);
  for (const auto& e : errors) {
    auto n = add(list, item_name);
    add_text(n, "codiceErroreAnomalia", e.code);
    add_text(n, "tipoErroreAnomalia", e.type);
    add_text(n, "testoErroreAnomalia", e.text.substr(0, 240));
    add_opt(n, "campoErroreAnomalia", e.field);
    add_opt(n, "valoreErroreAnomalia", e.value);
  }
}

void write_comune(pugi::xml_node parent, const char* name, std::string_view comune_name,
                  std::string_view istat, std::string_view province) {
  auto c = add(parent, name);
  add_text(c, "nomeComune", comune_name);
  add_opt(c, "codiceIstat", istat);
  add_text(c, "siglaProvinciaIstat", province);
}

// tipoGeneralita
void write_generalita(pugi::xml_node parent, const char* name, const Person& p, bool full) {
  auto g = add(parent, name);
  if (!p.codice_fiscale.empty()) add_text(add(g, "codiceFiscale"), "codFiscale", p.codice_fiscale);
  add_text(g, "cognome", p.surname);
  add_text(g, "nome", p.name);
  if (!full) return;
  add_opt(g, "sesso", p.sex);
  add_opt(g, "dataNascita", p.birth_date);
  if (!p.birth_place.empty()) {
    auto l = add(g, "luogoNascita");
    if (!p.birth_province.empty()) {
      write_comune(l, "comune", p.birth_place, p.birth_comune_istat, p.birth_province);
    } else {
      auto loc = add(l, "localita");
      add_text(loc, "descrizioneLocalita", wire_text(p.birth_place, " -'/.,()"));
      add_text(loc, "descrizioneStato", wire_text(p.birth_place, kStateChars));
      add_text(loc, "codiceStato", p.birth_state.empty() ? "999" : p.birth_state);
    }
  }
}

void write_residence(pugi::xml_node parent, const Address& a) {
  auto r = add(parent, "residenza");
  add_text(r, "tipoIndirizzo", "1");
  auto i = add(r, "indirizzo");
  add_text(i, "cap", a.cap);
  write_comune(i, "comune", a.comune_name, a.comune_istat, a.province);
  auto t = add(i, "toponimo");
  add_opt(t, "specie", a.street_type);
  add_opt(t, "denominazioneToponimo", a.street_name);
  if (!a.number.empty() || !a.flat.empty()) {
    auto n = add(i, "numeroCivico");
    add_opt(n, "numero", a.number);
    add_opt(n, "esponente1", a.number_suffix);
    if (!a.flat.empty()) add_text(add(n, "civicoInterno"), "interno1", a.flat);
  }
  add_opt(r, "dataDecorrenzaResidenza", a.since);
}

void write_civil_status(pugi::xml_node parent, std::string_view code) {
  if (!code.empty()) add_text(add(parent, "statoCivile"), "statoCivile", code);
}

// One member in 3002's listaSoggetti (tipoDatiRispostaEstrazioneSoggetti, in the schema's order).
void write_consult_person(pugi::xml_node list, const Person& p) {
  auto d = add(list, "datiSoggetto");
  write_generalita(d, "generalita", p, true);
  write_civil_status(d, p.civil_status);
  for (const auto& c : p.citizenships) {
    auto n = add(d, "cittadinanza");
    add_text(n, "descrizioneStato", c == "100" ? "ITALIA" : "STATO " + wire_id(c));
    add_text(n, "codiceStato", c);
  }
  if (!p.residence.comune_istat.empty()) write_residence(d, p.residence);
  if (!p.relation.empty() && !(p.residence.since.empty() && p.birth_date.empty())) {
    auto l = add(d, "legameSoggetto");
    add_text(l, "dataDecorrenza", p.residence.since.empty() ? p.birth_date : p.residence.since);
    add_text(l, "codiceLegame", p.relation);
  }
  if (!p.cancellation_date.empty()) {
    auto c = add(d, "datiCancellazione");
    add_text(c, "motivoCancellazione", p.cancellation_reason.empty() ? "99" : p.cancellation_reason);
    add_text(c, "dataDecorrenzaCancellazione", p.cancellation_date);
  }
  if (!p.death_date.empty()) add_text(add(d, "datiDecesso"), "dataEvento", p.death_date);
}

// ---- Reading ------------------------------------------------------------------------------------------

std::string_view local_name(const char* name) {
  std::string_view n(name);
  auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (auto c : parent.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  return {};
}

std::vector<pugi::xml_node> children(pugi::xml_node parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : parent.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) out.push_back(c);
  return out;
}

std::string text_of(pugi::xml_node parent, std::string_view name) {
  auto c = child(parent, name);
  return c ? std::string(c.text().get()) : std::string();
}

// Collects the first problem; later reads keep going so that one message names one problem.
struct Reader {
  std::string problem;
  std::string required(pugi::xml_node parent, std::string_view name) {
    auto c = child(parent, name);
    if (!c && problem.empty()) problem = std::string(name) + " missing";
    return c ? std::string(c.text().get()) : std::string();
  }
  long long number(pugi::xml_node parent, std::string_view name, bool is_required) {
    auto c = child(parent, name);
    if (!c) {
      if (is_required && problem.empty()) problem = std::string(name) + " missing";
      return 0;
    }
    std::string_view t = c.text().get();
    long long v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if ((ec != std::errc() || p != t.data() + t.size() || v < 0) && problem.empty())
      problem = std::string(name) + " not a number";
    return v;
  }
};

Result<pugi::xml_node> load_operation(pugi::xml_document& doc, std::string_view xml,
                                      std::string_view expected) {
  auto res = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!res) return anpr_syntax(std::string("not XML: ") + res.description());
  auto env = doc.document_element();
  if (local_name(env.name()) != "Envelope") return anpr_syntax("not a SOAP envelope");
  auto body = child(env, "Body");
  if (!body) return anpr_syntax("no SOAP Body");
  pugi::xml_node op;
  for (auto c : body.children())
    if (c.type() == pugi::node_element) {
      op = c;
      break;
    }
  if (!op) return anpr_syntax("empty SOAP Body");
  if (local_name(op.name()) == "Fault")
    return Error::make("anpr.soap_fault", 502, text_of(op, "faultcode") + " " + text_of(op, "faultstring"));
  if (local_name(op.name()) != expected)
    return anpr_syntax("expected " + std::string(expected) + ", got " + std::string(local_name(op.name())));
  return op;
}

RequestHeader read_request_header(Reader& r, pugi::xml_node op) {
  RequestHeader h;
  auto t = child(op, "testataRichiesta");
  if (!t) {
    r.problem = "testataRichiesta missing";
    return h;
  }
  h.operation_id = r.required(t, "idOperazioneComune");
  h.sender = r.required(t, "codMittente");
  h.operation = r.required(t, "operazioneRichiesta");
  h.sent_at = r.required(t, "dataOraRichiesta");
  h.send_type = r.required(t, "tipoInvio");
  return h;
}

ResponseHeader read_response_header(Reader& r, pugi::xml_node op) {
  ResponseHeader h;
  auto t = child(op, "testataRisposta");
  if (!t) {
    r.problem = "testataRisposta missing";
    return h;
  }
  h.operation_id = r.required(t, "idOperazioneComune");
  h.recipient = r.required(t, "codDestinatario");
  h.operation = r.required(t, "operazioneRichiesta");
  h.sent_at = r.required(t, "dataOraRichiesta");
  h.anpr_operation_id = r.required(t, "idOperazioneANPR");
  h.outcome = r.required(t, "esitoOperazione");
  return h;
}

std::vector<AnprError> read_errors(pugi::xml_node list) {
  std::vector<AnprError> out;
  if (!list) return out;
  for (auto n : list.children()) {
    if (n.type() != pugi::node_element) continue;
    AnprError e;
    e.code = text_of(n, "codiceErroreAnomalia");
    e.type = text_of(n, "tipoErroreAnomalia");
    e.text = text_of(n, "testoErroreAnomalia");
    e.field = text_of(n, "campoErroreAnomalia");
    e.value = text_of(n, "valoreErroreAnomalia");
    out.push_back(std::move(e));
  }
  return out;
}

void read_generalita(pugi::xml_node g, Person& p) {
  p.codice_fiscale = text_of(child(g, "codiceFiscale"), "codFiscale");
  p.surname = text_of(g, "cognome");
  p.name = text_of(g, "nome");
  p.sex = text_of(g, "sesso");
  p.birth_date = text_of(g, "dataNascita");
  if (auto l = child(g, "luogoNascita")) {
    if (auto c = child(l, "comune")) {
      p.birth_place = text_of(c, "nomeComune");
      p.birth_comune_istat = text_of(c, "codiceIstat");
      p.birth_province = text_of(c, "siglaProvinciaIstat");
    } else if (auto loc = child(l, "localita")) {
      p.birth_place = text_of(loc, "descrizioneLocalita");
      p.birth_state = text_of(loc, "codiceStato");
    }
  }
}

void read_residence(pugi::xml_node r, Address& a) {
  auto i = child(r, "indirizzo");
  a.cap = text_of(i, "cap");
  auto c = child(i, "comune");
  a.comune_name = text_of(c, "nomeComune");
  a.comune_istat = text_of(c, "codiceIstat");
  a.province = text_of(c, "siglaProvinciaIstat");
  auto t = child(i, "toponimo");
  a.street_type = text_of(t, "specie");
  a.street_name = text_of(t, "denominazioneToponimo");
  auto n = child(i, "numeroCivico");
  a.number = text_of(n, "numero");
  a.number_suffix = text_of(n, "esponente1");
  a.flat = text_of(child(n, "civicoInterno"), "interno1");
  a.since = text_of(r, "dataDecorrenzaResidenza");
}

Person read_consult_person(pugi::xml_node d) {
  Person p;
  read_generalita(child(d, "generalita"), p);
  p.civil_status = text_of(child(d, "statoCivile"), "statoCivile");
  for (auto c : children(d, "cittadinanza")) p.citizenships.push_back(text_of(c, "codiceStato"));
  if (auto r = child(d, "residenza")) read_residence(r, p.residence);
  p.relation = text_of(child(d, "legameSoggetto"), "codiceLegame");
  if (auto c = child(d, "datiCancellazione")) {
    p.cancellation_reason = text_of(c, "motivoCancellazione");
    p.cancellation_date = text_of(c, "dataDecorrenzaCancellazione");
  }
  p.death_date = text_of(child(d, "datiDecesso"), "dataEvento");
  return p;
}

// The numbers of tipoDatiControllo6001 and tipoparametriRisposta6001 (same names, same order).
void write_parameters(pugi::xml_node n, int requester_type, int request_type, int foreign_use, int channel,
                      money::Cents stamp_duty, int stamp_mode, bool fees_exempt, money::Cents fees,
                      int exemption, std::string_view exemption_text) {
  add_num(n, "tipoRichiedente", requester_type);
  add_num(n, "tipoRichiesta", request_type);
  add_num(n, "paEstera", foreign_use);
  add_num(n, "emissione", channel);
  add_num(n, "bollo", stamp_duty);
  if (stamp_mode != 0) add_num(n, "bolloVirtuale", stamp_mode);
  if (fees_exempt) add_num(n, "esenzioneDiritti", 1);
  add_num(n, "diritti", fees);
  if (exemption != 0) add_num(n, "esenzioneBollo", exemption);
  add_opt(n, "descrizioneEsenzioneBollo", exemption_text.substr(0, 256));
}

}  // namespace

// ---- 3002 ------------------------------------------------------------------------------------------------

std::string render_consult_request(const ConsultRequest& r) {
  pugi::xml_document doc;
  auto op = envelope(doc, kNs3000, "Richiesta3002");
  write_request_header(op, r.header);
  add_text(add(op, "criteriRicerca"), "codiceFiscale", r.codice_fiscale);
  auto d = add(op, "datiRichiesta");
  add_text(d, "schedaAnagraficaRichiesta", r.household ? "2" : "1");
  add_text(d, "dataRiferimentoRichiesta", r.reference_date);
  add_text(d, "ricercaNazionale", "1");  // anyone registered in ANPR, wherever they live
  return to_xml(doc);
}

std::string render_consult_response(const ConsultResponse& r) {
  pugi::xml_document doc;
  auto wrap = envelope(doc, kNs3000, "Risposta3002");
  if (!r.ok) {
    auto ko = wrap.append_child("ns:rispostaKO");
    write_response_header(ko, r.header);
    write_errors(ko, "listaErrori", "errore", r.errors);
    return to_xml(doc);
  }
  auto ok = wrap.append_child("ns:Risposta3002_OK");
  write_response_header(ok, r.header);
  if (!r.people.empty()) {
    auto list = add(ok, "listaSoggetti");
    for (const auto& p : r.people) write_consult_person(list, p);
  }
  if (!r.household_id.empty()) {
    auto f = add(add(ok, "datiFamigliaConvivenza"), "famigliaConvivenza");
    auto id = add(f, "idFamigliaConvivenzaComune");
    add_text(id, "idFamigliaConvivenzaComuneIstat", r.household_istat);
    add_text(id, "idFamigliaConvivenza", wire_id(r.household_id));
    add_text(f, "tipoScheda", "1");  // famiglia (not a convivenza)
  }
  write_errors(ok, "listaAnomalie", "errore", r.errors);
  return to_xml(doc);
}

Result<ConsultRequest> parse_consult_request(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Richiesta3002");
  if (!op) return op.error();
  Reader r;
  ConsultRequest out;
  out.header = read_request_header(r, *op);
  out.codice_fiscale = text_of(child(*op, "criteriRicerca"), "codiceFiscale");
  auto d = child(*op, "datiRichiesta");
  if (!d) r.problem = r.problem.empty() ? "datiRichiesta missing" : r.problem;
  out.household = r.number(d, "schedaAnagraficaRichiesta", true) == 2;
  out.reference_date = r.required(d, "dataRiferimentoRichiesta");
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

Result<ConsultResponse> parse_consult_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Risposta3002");
  if (!op) return op.error();
  Reader r;
  ConsultResponse out;
  if (auto ko = child(*op, "rispostaKO")) {
    out.header = read_response_header(r, ko);
    out.errors = read_errors(child(ko, "listaErrori"));
  } else if (auto ok = child(*op, "Risposta3002_OK")) {
    out.ok = true;
    out.header = read_response_header(r, ok);
    for (auto d : children(child(ok, "listaSoggetti"), "datiSoggetto"))
      out.people.push_back(read_consult_person(d));
    auto f = child(child(ok, "datiFamigliaConvivenza"), "famigliaConvivenza");
    auto id = child(f, "idFamigliaConvivenzaComune");
    out.household_id = text_of(id, "idFamigliaConvivenza");
    out.household_istat = text_of(id, "idFamigliaConvivenzaComuneIstat");
    for (auto& p : out.people)
      if (p.household_id.empty() && !out.household_id.empty()) p.household_id = out.household_id;
    out.errors = read_errors(child(ok, "listaAnomalie"));
  } else {
    return anpr_syntax("Risposta3002 holds neither Risposta3002_OK nor rispostaKO");
  }
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

// ---- 6001 ------------------------------------------------------------------------------------------------

std::string render_certificate_request(const CertificateRequest& r) {
  pugi::xml_document doc;
  auto op = envelope(doc, kNs6001, "Richiesta6001");
  write_request_header(op, r.header);
  if (!r.language.empty()) add_text(add(op, "linguaCertificato"), "tipoLinguaCertificato", r.language);
  auto types = add(op, "listaTipiCertificati");
  for (int t : r.types) add_num(types, "tipoCertificato", t);
  if (r.requester) {
    auto req = add(op, "generalitaRichiedente");
    write_generalita(req, "generalita", *r.requester, false);
  }
  write_generalita(add(op, "soggettoIntestatario"), "generalita", r.subject, false);
  auto c = add(op, "datiControllo");
  add_text(c, "cognomeUffAnagrafe", r.office_surname);
  add_text(c, "nomeUffAnagrafe", r.office_name);
  write_parameters(c, static_cast<int>(r.requester_type), r.request_type, r.foreign_use,
                   static_cast<int>(r.channel), r.stamp_duty, r.stamp_mode, r.fees_exempt, r.fees,
                   r.exemption, r.exemption_text);
  if (!r.notes.empty()) {
    auto n = add(c, "listaAnnotazioni");
    for (const auto& line : r.notes) add_text(n, "rigaAnnotazione", wire_text(line, kNoteChars));
  }
  return to_xml(doc);
}

std::string render_certificate_response(const CertificateResponse& r) {
  pugi::xml_document doc;
  auto wrap = envelope(doc, kNs6001, "Risposta6001");
  if (!r.ok) {
    auto ko = wrap.append_child("ns:Risposta6001KO");
    write_response_header(ko, r.header);
    write_errors(ko, "listaErrori", "errore", r.errors);
    return to_xml(doc);
  }
  auto ok = wrap.append_child("ns:Risposta6001OK");
  write_response_header(ok, r.header);
  auto types = add(ok, "listaTipiCertificato");
  for (int t : r.types) add_num(types, "tipoCertificato", t);
  write_generalita(add(ok, "soggettoIntestatario"), "generalita", r.subject, false);
  if (!r.protocol.empty()) add_text(add(ok, "protocolloANPR"), "numeroProtocolloANPR", r.protocol);
  write_parameters(add(ok, "parametriRichiesta"), r.requester_type, 1, 0, r.channel, r.stamp_duty,
                   r.stamp_mode, false, r.fees, r.exemption, {});
  if (!r.pdf.empty()) add_text(add(ok, "file"), "certificatoPdf", crypto::base64_encode(r.pdf));
  auto data = add(ok, "datiCertificato");
  write_generalita(data, "generalitaAttuali", r.subject, true);
  for (const auto& m : r.members) {
    auto s = add(data, "listaDatiSoggetti");
    write_generalita(s, "generalitaAttuali", m, true);
    if (!m.relation.empty() && !(m.residence.since.empty() && m.birth_date.empty())) {
      auto l = add(s, "legameSoggetto");
      add_text(l, "dataDecorrenza", m.residence.since.empty() ? m.birth_date : m.residence.since);
      add_text(l, "codiceLegame", m.relation);
    }
    write_civil_status(s, m.civil_status);
  }
  write_errors(ok, "listaAnomalie", "anomalie", {});
  return to_xml(doc);
}

Result<CertificateRequest> parse_certificate_request(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Richiesta6001");
  if (!op) return op.error();
  Reader r;
  CertificateRequest out;
  out.header = read_request_header(r, *op);
  out.language = text_of(child(*op, "linguaCertificato"), "tipoLinguaCertificato");
  for (auto t : children(child(*op, "listaTipiCertificati"), "tipoCertificato"))
    out.types.push_back(t.text().as_int(-1));
  if (out.types.empty() && r.problem.empty()) r.problem = "listaTipiCertificati empty";
  if (auto g = child(child(*op, "generalitaRichiedente"), "generalita")) {
    Person p;
    read_generalita(g, p);
    out.requester = p;
  }
  auto subject = child(child(*op, "soggettoIntestatario"), "generalita");
  if (!subject && r.problem.empty()) r.problem = "soggettoIntestatario missing";
  read_generalita(subject, out.subject);
  auto c = child(*op, "datiControllo");
  if (!c && r.problem.empty()) r.problem = "datiControllo missing";
  out.office_surname = r.required(c, "cognomeUffAnagrafe");
  out.office_name = r.required(c, "nomeUffAnagrafe");
  out.requester_type = static_cast<RequesterType>(r.number(c, "tipoRichiedente", true));
  out.request_type = static_cast<int>(r.number(c, "tipoRichiesta", true));
  out.foreign_use = static_cast<int>(r.number(c, "paEstera", true));
  out.channel = static_cast<Channel>(r.number(c, "emissione", true));
  out.stamp_duty = r.number(c, "bollo", true);
  out.stamp_mode = static_cast<int>(r.number(c, "bolloVirtuale", false));
  out.fees_exempt = r.number(c, "esenzioneDiritti", false) == 1;
  out.fees = r.number(c, "diritti", true);
  out.exemption = static_cast<int>(r.number(c, "esenzioneBollo", false));
  out.exemption_text = text_of(c, "descrizioneEsenzioneBollo");
  for (auto n : children(child(c, "listaAnnotazioni"), "rigaAnnotazione"))
    out.notes.emplace_back(n.text().get());
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

Result<CertificateResponse> parse_certificate_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Risposta6001");
  if (!op) return op.error();
  Reader r;
  CertificateResponse out;
  if (auto ko = child(*op, "Risposta6001KO")) {
    out.header = read_response_header(r, ko);
    out.errors = read_errors(child(ko, "listaErrori"));
  } else if (auto ok = child(*op, "Risposta6001OK")) {
    out.header = read_response_header(r, ok);
    for (auto t : children(child(ok, "listaTipiCertificato"), "tipoCertificato"))
      out.types.push_back(t.text().as_int(-1));
    read_generalita(child(child(ok, "soggettoIntestatario"), "generalita"), out.subject);
    out.protocol = text_of(child(ok, "protocolloANPR"), "numeroProtocolloANPR");
    auto p = child(ok, "parametriRichiesta");
    out.requester_type = static_cast<int>(r.number(p, "tipoRichiedente", true));
    out.channel = static_cast<int>(r.number(p, "emissione", true));
    out.stamp_duty = r.number(p, "bollo", true);
    out.stamp_mode = static_cast<int>(r.number(p, "bolloVirtuale", false));
    out.fees = r.number(p, "diritti", true);
    out.exemption = static_cast<int>(r.number(p, "esenzioneBollo", false));
    auto data = child(ok, "datiCertificato");
    if (auto g = child(data, "generalitaAttuali")) read_generalita(g, out.subject);
    for (auto s : children(data, "listaDatiSoggetti")) {
      Person m;
      read_generalita(child(s, "generalitaAttuali"), m);
      m.relation = text_of(child(s, "legameSoggetto"), "codiceLegame");
      m.civil_status = text_of(child(s, "statoCivile"), "statoCivile");
      out.members.push_back(std::move(m));
    }
    for (auto& l : children(*op, "listaErrori")) {
      auto more = read_errors(l);
      out.errors.insert(out.errors.end(), more.begin(), more.end());
    }
    const std::string b64 = text_of(child(ok, "file"), "certificatoPdf");
    if (!b64.empty()) {
      std::string compact;
      for (char ch : b64)
        if (ch != '\n' && ch != '\r' && ch != ' ' && ch != '\t') compact += ch;
      auto bytes = crypto::base64_decode(compact);
      if (!bytes && r.problem.empty()) r.problem = "certificatoPdf not base64";
      if (bytes) out.pdf = std::move(*bytes);
    }
    // OK without blocking errors; the PDF is absent for a preview (emissione 3) or a data request.
    out.ok =
        std::none_of(out.errors.begin(), out.errors.end(), [](const AnprError& e) { return e.type == "E"; });
  } else {
    return anpr_syntax("Risposta6001 holds neither Risposta6001OK nor Risposta6001KO");
  }
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

// ---- 4005 ------------------------------------------------------------------------------------------------

std::string render_notifications_request(const NotificationsRequest& r) {
  pugi::xml_document doc;
  auto op = envelope(doc, kNs4000, "Richiesta4005");
  write_request_header(op, r.header);
  if (r.check) {
    auto v = add(op, "verificaStato");
    add_text(v, "idOperazioneANPR", r.anpr_request_id);
    add_num(v, "progressivo", r.page);
  } else {
    auto e = add(op, "elaborazione");
    add_text(e, "dettaglioDati", "TUTTO");
    auto q = add(e, "ricercaElenchiRichieste");
    add_text(q, "statoLavorazione", "9");  // every state (as comuni ask, italia/ansc issue 1258)
    auto p = add(q, "periodoRiferimentoRichieste");
    add_text(p, "dataOraIniziale", r.period_from);
    add_text(p, "dataOraFinale", r.period_to);
  }
  return to_xml(doc);
}

std::string render_notifications_response(const NotificationsResponse& r) {
  pugi::xml_document doc;
  auto wrap = envelope(doc, kNs4000, "Risposta4005");
  if (!r.ok) {
    auto ko = wrap.append_child("ns:rispostaKO");
    write_response_header(ko, r.header);
    write_errors(ko, "listaErrori", "errore", r.errors);
    return to_xml(doc);
  }
  auto ok = wrap.append_child("ns:RispostaMultipla4005");
  write_response_header(ok, r.header);
  add_text(ok, "statoRichiesta", r.state);
  add_text(ok, "idOperazioneANPR", r.anpr_request_id);
  add_text(ok, "dataDisponibilita", r.available_at);
  if (r.pages > 0) {
    auto f = add(ok, "datiFornitura");
    add_num(f, "progressivoCorrente", r.page);
    add_num(f, "progressivoTotale", r.pages);
  }
  for (const auto& n : r.notifications) {
    auto e = add(ok, "elencoRisposte");
    add_text(e, "idOperazioneANPR", n.anpr_operation_id);
    add_opt(e, "statoLavorazione", n.state);
    add_opt(e, "tipoOperazione", n.operation);
    add_text(e, "contenutoRisposta", crypto::base64_encode(n.content));
    add_text(e, "formatoRisposta", n.format);
  }
  return to_xml(doc);
}

Result<NotificationsRequest> parse_notifications_request(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Richiesta4005");
  if (!op) return op.error();
  Reader r;
  NotificationsRequest out;
  out.header = read_request_header(r, *op);
  if (auto v = child(*op, "verificaStato")) {
    out.check = true;
    out.anpr_request_id = r.required(v, "idOperazioneANPR");
    out.page = static_cast<int>(r.number(v, "progressivo", true));
  } else if (auto e = child(*op, "elaborazione")) {
    auto p = child(child(e, "ricercaElenchiRichieste"), "periodoRiferimentoRichieste");
    out.period_from = r.required(p, "dataOraIniziale");
    out.period_to = r.required(p, "dataOraFinale");
  } else if (r.problem.empty()) {
    r.problem = "neither elaborazione nor verificaStato";
  }
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

Result<NotificationsResponse> parse_notifications_response(std::string_view xml) {
  pugi::xml_document doc;
  auto op = load_operation(doc, xml, "Risposta4005");
  if (!op) return op.error();
  Reader r;
  NotificationsResponse out;
  if (auto ko = child(*op, "rispostaKO")) {
    out.header = read_response_header(r, ko);
    out.errors = read_errors(child(ko, "listaErrori"));
  } else if (auto ok = child(*op, "RispostaMultipla4005")) {
    out.ok = true;
    out.header = read_response_header(r, ok);
    out.state = r.required(ok, "statoRichiesta");
    out.anpr_request_id = r.required(ok, "idOperazioneANPR");
    out.available_at = text_of(ok, "dataDisponibilita");
    if (auto f = child(ok, "datiFornitura")) {
      out.page = static_cast<int>(r.number(f, "progressivoCorrente", true));
      out.pages = static_cast<int>(r.number(f, "progressivoTotale", true));
    }
    for (auto e : children(ok, "elencoRisposte")) {
      Notification n;
      n.anpr_operation_id = r.required(e, "idOperazioneANPR");
      n.state = text_of(e, "statoLavorazione");
      n.operation = text_of(e, "tipoOperazione");
      n.format = text_of(e, "formatoRisposta");
      auto content = crypto::base64_decode(text_of(e, "contenutoRisposta"));
      if (!content && r.problem.empty()) r.problem = "contenutoRisposta not base64";
      if (content) n.content = std::move(*content);
      out.notifications.push_back(std::move(n));
    }
  } else {
    return anpr_syntax("Risposta4005 holds neither RispostaMultipla4005 nor rispostaKO");
  }
  if (!r.problem.empty()) return anpr_syntax(r.problem);
  return out;
}

std::string request_operation(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8)) return {};
  auto body = child(doc.document_element(), "Body");
  for (auto c : body.children()) {
    if (c.type() != pugi::node_element) continue;
    auto n = local_name(c.name());
    if (n == "Richiesta3002") return "3002";
    if (n == "Richiesta6001") return "6001";
    if (n == "Richiesta4005") return "4005";
    return {};
  }
  return {};
}

std::string render_soap_fault(std::string_view code, std::string_view text) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto env = doc.append_child("soapenv:Envelope");
  env.append_attribute("xmlns:soapenv") = kSoapEnvNs;
  auto f = env.append_child("soapenv:Body").append_child("soapenv:Fault");
  add_text(f, "faultcode", "soapenv:" + std::string(code));
  add_text(f, "faultstring", text);
  return to_xml(doc);
}

}  // namespace sp::anpr
