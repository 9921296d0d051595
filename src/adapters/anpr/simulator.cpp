// The ANPR simulator's rules (simulator.hpp lists them with their codes).
#include "adapters/anpr/simulator.hpp"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <stdexcept>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::anpr::sim {
namespace {

// ANPR's wire texts (testoErroreAnomalia) for the refusals: part of the simulated external system's
// messages, in Italian as ANPR writes them. The hub never shows them: it maps the codes to its locales.
struct Refusal {
  const char* code;
  const char* text;
};
constexpr Refusal kNoResult{"EN122", "La richiesta effettuata non produce alcun risultato"};
constexpr Refusal kNotCertifiable{"EC001", "Soggetto non certificabile"};
constexpr Refusal kPartial{"EC002", "Soggetto certificabile solo per residenza e stato di famiglia"};
constexpr Refusal kDeceased{"EC003", "Soggetto deceduto: certificato non emettibile"};
constexpr Refusal kEmigrated{"EC004", "Soggetto cancellato dall'anagrafe per emigrazione"};
constexpr Refusal kUntraceable{"EC005", "Soggetto cancellato dall'anagrafe per irreperibilita'"};
constexpr Refusal kThirdParty{
    "EC006",
    "Emissione via Internet consentita solo per l'intestatario o un componente della "
    "sua famiglia anagrafica"};
constexpr Refusal kNoDuty{"EC007",
                          "Certificato soggetto a imposta di bollo: indicare il bollo o l'esenzione"};
constexpr Refusal kBadExemption{"EC008", "Codice di esenzione dal bollo non presente nella tabella 39"};
constexpr Refusal kNoExemptionText{"EC009", "Esenzione 99: descrizioneEsenzioneBollo obbligatoria"};
constexpr Refusal kBadType{"EC010", "Tipo certificato non presente nella tabella 13"};
constexpr Refusal kNotDeceased{"EC011", "Certificato di morte richiesto per un soggetto non deceduto"};
constexpr Refusal kWrongSender{"EA002", "Comune mittente diverso da quello della postazione autenticata"};
constexpr Refusal kOldId{"EA003", "idOperazioneComune inferiore all'ultimo inviato"};

AnprError error_of(const Refusal& r, std::string field = {}, std::string value = {}) {
  return AnprError{r.code, "E", r.text, std::move(field), std::move(value)};
}

// Stamp-duty exempt by type (SPEC.md §5, "Stato civile certificates are exempt"): nascita, morte,
// matrimonio and stato civile.
bool exempt_type(int type) {
  return type == 1 || type == 2 || type == 3 || type == 11;
}

bool family_type(int type) {
  return type == 12 || type == 13 || type == 15 || type == 16;
}

// Compares two digit strings as numbers.
bool less_number(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

bool digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2026-12-05" → "2026-12-05T00:00:00"; a dateTime is kept up to its seconds.
std::string local_instant(const std::string& t) {
  if (t.size() == 10) return t + "T00:00:00";
  return t.substr(0, 19);
}

std::string population_line(const Resident& r) {
  boost::json::object o;
  for (const auto& [k, v] : r.fields) o[k] = v;
  return boost::json::serialize(o);
}

std::string verification_code() {
  unsigned char bytes[10];
  ids::random_bytes(bytes, sizeof bytes);
  const std::string b32 =
      crypto::base32_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes), false);
  // 16 characters in four groups: easy to type from the paper copy.
  return b32.substr(0, 4) + "-" + b32.substr(4, 4) + "-" + b32.substr(8, 4) + "-" + b32.substr(12, 4);
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::valid:
      return "valid";
    case Verdict::unknown:
      return "unknown";
  }
  return "unknown";
}

Simulator::Simulator(SimulatorOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : time::system_clock()),
      base_url_(options_.base_url),
      credentials_(options_.credentials) {
  for (const auto& f : options_.population_files) {
    if (auto st = population_.load_file(f); !st) throw std::runtime_error(st.error().detail);
  }
  if (!options_.comuni_file.empty()) {
    if (auto st = population_.load_comuni(options_.comuni_file); !st)
      throw std::runtime_error(st.error().detail);
  }
  if (!options_.share_dir.empty()) i18n_.load(options_.share_dir + "/web/locales");
}

void Simulator::set_base_url(std::string url) {
  std::lock_guard lock(mutex_);
  base_url_ = std::move(url);
}

std::string Simulator::base_url() const {
  std::lock_guard lock(mutex_);
  return base_url_;
}

void Simulator::set_credential(const std::string& secret, const std::string& istat) {
  std::lock_guard lock(mutex_);
  credentials_[secret] = istat;
}

Simulator::Caller Simulator::caller(const std::string& authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.rfind(kBearer, 0) != 0) return {};
  const std::string secret = authorization.substr(kBearer.size());
  std::lock_guard lock(mutex_);
  for (const auto& [s, istat] : credentials_)
    if (digest::equal_constant_time(s, secret)) return Caller{istat, true};
  return {};
}

std::string Simulator::today() const {
  return time::format_iso_date(time::rome_date(clock_.now()));
}

std::string Simulator::now_local() const {
  return date::format("%Y-%m-%dT%H:%M:%S", time::to_rome_local(clock_.now()));
}

std::string Simulator::next_anpr_id() {
  std::lock_guard lock(mutex_);
  return std::to_string(++anpr_ids_ + 700000000);
}

bool Simulator::replay(const std::string& istat, const std::string& op, const std::string& id,
                       std::string& answer, std::vector<AnprError>& errors) {
  std::lock_guard lock(mutex_);
  const std::string key = istat + "|" + op + "|" + id;
  if (auto it = answers_.find(key); it != answers_.end()) {
    answer = it->second;
    return true;
  }
  auto last = last_ids_.find(istat + "|" + op);
  if (!digits(id)) {
    errors.push_back(error_of(kOldId, "idOperazioneComune", id));
  } else if (last != last_ids_.end() && less_number(id, last->second)) {
    errors.push_back(error_of(kOldId, "idOperazioneComune", id));
  }
  return false;
}

void Simulator::remember(const std::string& istat, const std::string& op, const std::string& id,
                         const std::string& answer) {
  std::lock_guard lock(mutex_);
  answers_[istat + "|" + op + "|" + id] = answer;
  auto& last = last_ids_[istat + "|" + op];
  if (last.empty() || less_number(last, id)) last = id;
}

SoapAnswer Simulator::consult(const std::string& authorization, const std::string& body) {
  const auto who = caller(authorization);
  if (!who.ok) return {401, render_soap_fault("Client", "credenziale mancante o non valida")};
  auto req = parse_consult_request(body);
  if (!req) return {500, render_soap_fault("Client", req.error().detail)};
  ConsultResponse res;
  res.header = {req->header.operation_id, req->header.sender, "3002", now_local(), next_anpr_id(), "2"};
  if (req->header.sender != who.istat) {
    res.errors.push_back(error_of(kWrongSender, "codMittente", req->header.sender));
  } else {
    std::string answer;
    if (replay(who.istat, "3002", req->header.operation_id, answer, res.errors)) return {200, answer};
  }
  std::unique_lock people(population_mutex_);
  if (res.errors.empty()) {
    const std::string day = req->reference_date.empty() ? today() : req->reference_date;
    const Resident* r = population_.find(req->codice_fiscale, day);
    if (!r) {
      res.errors.push_back(error_of(kNoResult, "codiceFiscale", req->codice_fiscale));
    } else {
      res.ok = true;
      res.people.push_back(population_.person(*r));
      if (req->household && r->get("data_cancellazione").empty()) {
        res.household_id = r->get("id_famiglia");
        res.household_istat = r->get("comune_istat");
        for (const Resident* m : population_.household(res.household_istat, res.household_id, day))
          if (m->get("codice_fiscale") != r->get("codice_fiscale"))
            res.people.push_back(population_.person(*m));
      }
    }
  }
  if (!res.ok) res.header.outcome = "3";
  std::string envelope = render_consult_response(res);
  if (req->header.sender == who.istat && digits(req->header.operation_id) &&
      (res.ok || res.errors.front().code != kOldId.code))
    remember(who.istat, "3002", req->header.operation_id, envelope);
  return {200, std::move(envelope)};
}

SoapAnswer Simulator::certify(const std::string& authorization, const std::string& body) {
  const auto who = caller(authorization);
  if (!who.ok) return {401, render_soap_fault("Client", "credenziale mancante o non valida")};
  auto req = parse_certificate_request(body);
  if (!req) return {500, render_soap_fault("Client", req.error().detail)};
  std::lock_guard serial(certify_mutex_);
  std::lock_guard people(population_mutex_);
  CertificateResponse res;
  res.header = {req->header.operation_id, req->header.sender, "6001", now_local(), next_anpr_id(), "2"};
  std::vector<AnprError>& errors = res.errors;
  if (req->header.sender != who.istat) {
    errors.push_back(error_of(kWrongSender, "codMittente", req->header.sender));
  } else {
    std::string answer;
    if (replay(who.istat, "6001", req->header.operation_id, answer, errors)) return {200, answer};
  }
  const std::string day = today();
  const Resident* subject = errors.empty() ? population_.find(req->subject.codice_fiscale, day) : nullptr;
  if (errors.empty() && !subject)
    errors.push_back(error_of(kNoResult, "codFiscale", req->subject.codice_fiscale));
  bool deceased = false;
  if (errors.empty()) {
    const auto& why = subject->get("motivo_cancellazione");
    deceased = !subject->get("data_decesso").empty() || why == "decesso";
    for (int t : req->types)
      if (t < 1 || t > 20) errors.push_back(error_of(kBadType, "tipoCertificato", std::to_string(t)));
    if (errors.empty()) {
      const bool death_only = std::all_of(req->types.begin(), req->types.end(), [](int t) { return t == 2; });
      if (deceased && !death_only) errors.push_back(error_of(kDeceased));
      if (!deceased && std::any_of(req->types.begin(), req->types.end(), [](int t) { return t == 2; }))
        errors.push_back(error_of(kNotDeceased));
      if (!deceased && why == "emigrazione") errors.push_back(error_of(kEmigrated));
      if (!deceased && why == "irreperibilita") errors.push_back(error_of(kUntraceable));
    }
  }
  if (errors.empty()) {
    const auto& cert = subject->get("certificabilita");
    if (cert == "0" || cert == "3") errors.push_back(error_of(kNotCertifiable));
    if (cert == "1")
      for (int t : req->types)
        if (t != 8 && t != 12) errors.push_back(error_of(kPartial, "tipoCertificato", std::to_string(t)));
  }
  const bool preview = req->channel == Channel::preview;  // checked as online, no certificate issued
  if (errors.empty() && (req->channel == Channel::online || preview)) {
    // Online: the subject, or a member of the requester's household (DM 3 Nov 2021).
    std::string requester_cf = req->requester ? req->requester->codice_fiscale : std::string();
    if (req->requester_type == RequesterType::self) {
      if (!requester_cf.empty() && requester_cf != subject->get("codice_fiscale"))
        errors.push_back(error_of(kThirdParty, "codFiscale", requester_cf));
    } else {
      const Resident* requester = requester_cf.empty() ? nullptr : population_.find(requester_cf, day);
      const bool same_household = requester && requester->get("data_cancellazione").empty() &&
                                  !requester->get("id_famiglia").empty() &&
                                  requester->get("id_famiglia") == subject->get("id_famiglia") &&
                                  requester->get("comune_istat") == subject->get("comune_istat");
      if (!same_household) errors.push_back(error_of(kThirdParty, "codFiscale", requester_cf));
    }
  }
  if (errors.empty()) {
    const bool all_exempt = std::all_of(req->types.begin(), req->types.end(), exempt_type);
    if (req->exemption != 0) {
      static const std::set<int> kTable39 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99};
      if (!kTable39.contains(req->exemption))
        errors.push_back(error_of(kBadExemption, "esenzioneBollo", std::to_string(req->exemption)));
      else if (req->exemption == 99 && req->exemption_text.empty())
        errors.push_back(error_of(kNoExemptionText, "descrizioneEsenzioneBollo"));
    } else if (req->stamp_duty == 0 && !all_exempt) {
      errors.push_back(error_of(kNoDuty, "bollo", "0"));
    }
  }
  if (errors.empty()) {
    res.ok = true;
    res.types = req->types;
    res.subject = population_.person(*subject);
    if (std::any_of(req->types.begin(), req->types.end(), family_type)) {
      for (const Resident* m :
           population_.household(subject->get("comune_istat"), subject->get("id_famiglia"), day))
        if (m->get("codice_fiscale") != subject->get("codice_fiscale"))
          res.members.push_back(population_.person(*m));
    }
    res.protocol = res.header.anpr_operation_id;
    res.requester_type = static_cast<int>(req->requester_type);
    res.channel = static_cast<int>(req->channel);
    res.stamp_duty = req->stamp_duty;
    res.stamp_mode = req->stamp_mode;
    res.fees = req->fees;
    res.exemption = req->exemption;
    if (!preview) {
      const std::string code = verification_code();
      const std::string comune_name = population_.comune(who.istat).name;
      res.pdf = render_pdf(*req, res.subject, res.members, code, comune_name);
      Issued issued{code,
                    res.protocol,
                    digest::sha256_hex(res.pdf),
                    res.subject.name + " " + res.subject.surname,
                    res.subject.codice_fiscale,
                    comune_name,
                    res.types,
                    day};
      std::lock_guard lock(mutex_);
      issued_[code] = std::move(issued);
    }
  } else {
    res.header.outcome = "3";
  }
  std::string envelope = render_certificate_response(res);
  if (req->header.sender == who.istat && digits(req->header.operation_id) &&
      (res.ok || res.errors.front().code != kOldId.code))
    remember(who.istat, "6001", req->header.operation_id, envelope);
  return {200, std::move(envelope)};
}

std::string Simulator::render_pdf(const CertificateRequest& req, const Person& subject,
                                  const std::vector<Person>& members, const std::string& code,
                                  const std::string& comune_name) const {
  const std::string url = base_url() + "/verifica?codice=" + code;
  return render_certificate_pdf(i18n_, req, subject, members, code, url, comune_name,
                                time::format_it_date(clock_.now()));
}

Verdict Simulator::verify(const std::string& code, const std::string& sha256_hex, Issued* found) const {
  std::string normalized;
  for (char c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) normalized += c;
  }
  if (normalized.size() == 16)
    normalized = normalized.substr(0, 4) + "-" + normalized.substr(4, 4) + "-" + normalized.substr(8, 4) +
                 "-" + normalized.substr(12, 4);
  std::string hash;
  for (char c : sha256_hex) hash += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  std::lock_guard lock(mutex_);
  auto it = issued_.find(normalized);
  // A changed PDF is not a certificate ANPR issued: "unknown", like a code never issued.
  if (it == issued_.end() || !digest::equal_constant_time(it->second.sha256_hex, hash))
    return Verdict::unknown;
  if (found) *found = it->second;
  return Verdict::valid;
}

std::vector<Issued> Simulator::issued() const {
  std::lock_guard lock(mutex_);
  std::vector<Issued> out;
  for (const auto& [code, i] : issued_) out.push_back(i);
  return out;
}

}  // namespace sp::anpr::sim

namespace sp::anpr::sim {

void Simulator::add_version(Resident r) {
  std::lock_guard people(population_mutex_);
  population_.add(std::move(r));
}

Notification Simulator::notify(const std::string& istat, const Resident& r, const std::string& operation) {
  Notification n;
  n.anpr_operation_id = next_anpr_id();
  n.operation = operation;
  n.state = "2";
  n.format = "JSON";
  n.content = population_line(r);
  std::lock_guard lock(mutex_);
  notifications_.push_back(Queued{istat, now_local(), n});
  return n;
}

Result<std::vector<Notification>> Simulator::move(const Move& m) {
  auto fail = [](int status, std::string detail) { return Error::make("anpr_sim.move", status, detail); };
  std::lock_guard people(population_mutex_);
  const std::string day = m.date.empty() ? today() : m.date;
  const Resident* now = population_.find(m.codice_fiscale, day);
  if (!now || !now->get("data_cancellazione").empty())
    return fail(404, "nobody resident with codice fiscale " + m.codice_fiscale);
  if (now->get("data_variazione") == day)
    return fail(409, "a version of that person is already dated " + day);
  if (m.street_type.empty() || m.street_name.empty() || m.civico.empty())
    return fail(400, "the new address needs street type, street name and number");
  const Resident before = *now;
  const std::string from_istat = before.get("comune_istat");
  const std::string to_istat = m.comune_istat.empty() ? from_istat : m.comune_istat;
  Resident after = before;
  auto& f = after.fields;
  f["specie_via"] = m.street_type;
  f["denominazione_via"] = m.street_name;
  f["civico"] = m.civico;
  f["esponente"] = "";
  f["interno"] = "";
  if (!m.cap.empty()) f["cap"] = m.cap;
  f["data_variazione"] = day;
  std::vector<Notification> out;
  if (to_istat == from_istat) {
    if (!m.id_famiglia.empty()) {
      f["id_famiglia"] = m.id_famiglia;
      f["relazione_parentela"] = "1";
    }
    population_.add(after);
    out.push_back(notify(to_istat, after, "5005"));  // mutazione_residenza
    return out;
  }
  // Residence in another comune: registered there (a household of their own unless one is named), and
  // the comune they left gets the version cancelling them.
  f["comune_istat"] = to_istat;
  f["id_famiglia"] = m.id_famiglia.empty() ? "T" + before.get("codice_fiscale") : m.id_famiglia;
  f["relazione_parentela"] = "1";
  f["data_iscrizione"] = day;
  population_.add(after);
  Resident left = before;
  left.fields["data_variazione"] = day;
  left.fields["data_cancellazione"] = day;
  left.fields["motivo_cancellazione"] = "emigrazione";
  out.push_back(notify(to_istat, after, "1002"));   // iscrizione_altriMotivi (immigration)
  out.push_back(notify(from_istat, left, "1002"));  // the same event, seen by the comune left
  return out;
}

SoapAnswer Simulator::notifications(const std::string& authorization, const std::string& body) {
  const auto who = caller(authorization);
  if (!who.ok) return {401, render_soap_fault("Client", "credenziale mancante o non valida")};
  auto req = parse_notifications_request(body);
  if (!req) return {500, render_soap_fault("Client", req.error().detail)};
  NotificationsResponse res;
  res.header = {req->header.operation_id, req->header.sender, "4005", now_local(), next_anpr_id(), "2"};
  if (req->header.sender != who.istat)
    res.errors.push_back(error_of(kWrongSender, "codMittente", req->header.sender));
  std::lock_guard lock(mutex_);
  if (res.errors.empty() && !req->check) {
    // elaborazione: queued (statoRichiesta 0), ready at once.
    res.ok = true;
    res.state = "0";
    res.anpr_request_id = res.header.anpr_operation_id;
    res.available_at = res.header.sent_at;
    async_requests_[res.anpr_request_id] = {who.istat,
                                            {local_instant(req->period_from), local_instant(req->period_to)}};
  } else if (res.errors.empty()) {
    auto it = async_requests_.find(req->anpr_request_id);
    if (it == async_requests_.end() || it->second.first != who.istat) {
      res.errors.push_back(error_of(kNoResult, "idOperazioneANPR", req->anpr_request_id));
    } else {
      const auto& [from, to] = it->second.second;
      std::vector<const Notification*> found;
      for (const auto& q : notifications_)
        if (q.istat == who.istat && q.at >= from && q.at <= to) found.push_back(&q.n);
      res.ok = true;
      res.state = "2";
      res.anpr_request_id = req->anpr_request_id;
      res.available_at = res.header.sent_at;
      res.pages = std::max<int>(1, static_cast<int>((found.size() + kPageSize - 1) / kPageSize));
      res.page = std::clamp(req->page, 1, res.pages);
      const std::size_t first = static_cast<std::size_t>(res.page - 1) * kPageSize;
      for (std::size_t i = first; i < found.size() && i < first + kPageSize; ++i)
        res.notifications.push_back(*found[i]);
    }
  }
  if (!res.ok) res.header.outcome = "3";
  return {200, render_notifications_response(res)};
}

}  // namespace sp::anpr::sim
