#include "certificates/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "certificates/store.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"
#include "jobs/store.hpp"
#include "messaging/service.hpp"

namespace sp::certificates {
namespace {

constexpr const char* kSystemActor = "certificati";
// Taxonomy of the remittances (pagoPA's "tipo/codice tassonomico"): the comune's registry fees.
constexpr const char* kFeeCategory = "9/0101100IM/";
constexpr const char* kStampCategory = "9/0301116TS/";  // the marca da bollo digitale

Error cert_error(std::string code, int status, std::string detail = {}) {
  return Error::make(std::move(code), status, std::move(detail));
}

std::string display_name(const std::string& first, const std::string& surname) {
  return first.empty() ? surname : first + " " + surname;
}

bool exempt_by_type(const Kind& k) {
  return k.stamp_exempt;
}

}  // namespace

std::map<std::string, std::string> parse_credentials(const std::string& pairs) {
  return anpr::parse_credentials(pairs);
}

Error refusal_error(const std::string& code) {
  if (code == "EN122") return cert_error("certificates.subject_unknown", 404, code);
  if (code == "EC001" || code == "EC002") return cert_error("certificates.not_certifiable", 422, code);
  if (code == "EC003") return cert_error("certificates.deceased", 422, code);
  if (code == "EC004") return cert_error("certificates.emigrated", 422, code);
  if (code == "EC005") return cert_error("certificates.untraceable", 422, code);
  if (code == "EC006") return cert_error("certificates.third_party", 403, code);
  if (code == "EC007") return cert_error("certificates.stamp_duty", 422, code);
  if (code == "EC008" || code == "EC009") return cert_error("certificates.exemption", 422, code);
  return cert_error("certificates.anpr_refused", 422, code);
}

CertificateService::CertificateService(db::Database& db, time::Clock& clock, tenants::TenantService& tenants,
                                       payments::PaymentsService& payments, files::FileService& files,
                                       audit::AuditService& audit, Options options)
    : db_(db),
      clock_(clock),
      tenants_(tenants),
      payments_(payments),
      files_(files),
      audit_(audit),
      options_(std::move(options)) {}

money::Cents CertificateService::fee_for(std::int64_t tenant, const std::string& kind) {
  std::map<std::string, money::Cents> set;
  db_.read([&](db::Conn& c) { set = store::fees(c, tenant); });
  if (auto it = set.find(kind); it != set.end()) return it->second;
  if (auto it = options_.fees.find(tenant); it != options_.fees.end()) return it->second;
  return 0;
}

Result<std::map<std::string, money::Cents>> CertificateService::fees(const identity::Principal* who,
                                                                     std::int64_t tenant) {
  if (auto st = identity::authorize(who, identity::Permission::manage_payments, tenant); !st)
    return st.error();
  std::map<std::string, money::Cents> out;
  for (const auto& k : kinds()) out[k.code] = fee_for(tenant, k.code);
  return out;
}

Status CertificateService::set_fees(const identity::Principal* who, std::int64_t tenant,
                                    const std::map<std::string, money::Cents>& amounts) {
  if (auto st = identity::authorize(who, identity::Permission::manage_payments, tenant); !st)
    return st.error();
  for (const auto& [kind, cents] : amounts) {
    if (!find_kind(kind)) return Error::for_field("certificates.kind", "kind", 400, kind);
    if (cents < 0 || cents > 100000) return Error::for_field("certificates.fee", "fee_" + kind, 422);
  }
  const std::string at = time::format_iso_utc_millis(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    boost::json::object changed;
    const auto before = store::fees(tx, tenant);
    for (const auto& [kind, cents] : amounts) {
      auto it = before.find(kind);
      auto def = options_.fees.find(tenant);
      const money::Cents old = it != before.end() ? it->second : def != options_.fees.end() ? def->second : 0;
      if (old == cents) continue;
      store::add_fee(tx, tenant, kind, cents, who->subject, at);
      changed[kind] = cents;
    }
    if (changed.empty()) return Ok{};
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "certificate.fees", "certificate_fees",
                                                  std::to_string(tenant), boost::json::serialize(changed)));
    return Ok{};
  });
}

Result<std::vector<Refund>> CertificateService::refunds(const identity::Principal* who, std::int64_t tenant) {
  if (auto st = identity::authorize(who, identity::Permission::manage_payments, tenant); !st)
    return st.error();
  std::vector<Refund> out;
  db_.read([&](db::Conn& c) { out = store::refunds(c, tenant); });
  return out;
}

std::optional<Refund> CertificateService::refund_of(const Request& r) {
  std::optional<Refund> out;
  db_.read([&](db::Conn& c) { out = store::refund_of(c, r.tenant_id, r.id); });
  return out;
}

Result<Refund> CertificateService::record_refund_paid(const identity::Principal* who, std::int64_t tenant,
                                                      const std::string& request_id,
                                                      const std::string& paid_on, std::string reference) {
  if (auto st = identity::authorize(who, identity::Permission::manage_payments, tenant); !st)
    return st.error();
  reference = std::string(text::trim(reference));
  const bool reference_ok =
      !reference.empty() && reference.size() <= 35 && std::ranges::all_of(reference, [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == ' ' || ch == '-' || ch == '/' ||
               ch == '.';
      });
  if (!reference_ok) return Error::for_field("certificates.refund_reference", "reference", 422);
  auto day = time::parse_iso_date(paid_on);
  const std::string at = time::format_iso_utc_millis(clock_.now());
  // The person's message, read before the change (queued with it, so once).
  messaging::Composed told;
  {
    std::optional<Request> r;
    std::optional<Refund> due;
    db_.read([&](db::Conn& c) {
      r = store::by_id(c, tenant, request_id);
      due = store::refund_of(c, tenant, request_id);
    });
    if (r && due && day)
      told = notice(*r, "certificate.refund_paid",
                    {{"amount", std::to_string(due->amount)},
                     {"paid_on", time::format_iso_date(*day)},
                     {"reference", reference}});
  }
  return db::transact(db_, [&](db::Conn& tx) -> Result<Refund> {
    auto refund = store::refund_of(tx, tenant, request_id);
    if (!refund) return cert_error("certificates.refund_unknown", 404);
    if (!refund->paid_on.empty()) return cert_error("certificates.refund_already_paid", 409);
    // The value date: a real day, not after today in Rome, not before the day the refund became due.
    const auto created = time::parse_iso_utc(refund->created_at);
    const auto due_day = time::rome_date(created ? *created : clock_.now());
    if (!day || *day > time::rome_date(clock_.now()) || *day < due_day)
      return Error::for_field("certificates.refund_date", "paid_on", 422);
    const std::string on = time::format_iso_date(*day);
    if (!store::add_refund_payment(tx, tenant, request_id, on, reference, refund->amount, who->subject, at))
      return cert_error("certificates.refund_already_paid", 409);
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "certificate.refund_paid", "certificate_refund", request_id,
                               boost::json::serialize(boost::json::object{
                                   {"paid_on", on}, {"reference", reference}, {"amount", refund->amount}})));
    if (auto q = messaging::enqueue_composed(tx, told, clock_); !q) return q.error();
    refund->paid_on = on;
    refund->paid_reference = reference;
    return *refund;
  });
}

// The audit entry of a change to a request: by the person (online), the operator (counter) or the
// system (the issue job, ANPR's answer).
audit::Entry CertificateService::entry(const Request& r, const std::string& action, bool by_system,
                                       boost::json::object details) const {
  audit::Entry e;
  e.tenant_id = r.tenant_id;
  if (by_system) {
    e.actor_kind = audit::ActorKind::system;
    e.actor_id = kSystemActor;
    e.channel = audit::Channel::system;
  } else if (r.channel == Channel::counter) {
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = r.operator_user;
    e.channel = audit::Channel::counter;
  } else {
    e.actor_kind = audit::ActorKind::person;
    e.actor_id = r.requester_cf;
    e.channel = audit::Channel::web;
  }
  e.action = action;
  e.record_type = "certificate_request";
  e.record_id = r.id;
  details["kind"] = r.kind;
  details["subject_cf"] = r.subject_cf;
  e.details = boost::json::serialize(details);
  return e;
}

void CertificateService::attach(jobs::Runner& runner) {
  runner_ = &runner;
  payments_.on_option_paid(
      [this](db::Conn& tx, const payments::Position& p, const payments::Option& o) { paid(tx, p, o); });
  jobs::Kind k;
  k.name = kIssueJob;
  k.retry.max_attempts = 20;
  k.retry.base_backoff = std::chrono::seconds(30);
  k.retry.max_backoff = std::chrono::seconds(1800);
  k.run = [this](jobs::JobRun& run) -> Status {
    auto r = issue(run.job().tenant_id, run.job().payload);
    if (!r) return r.error();
    return Ok{};
  };
  runner.add(std::move(k));
}

void CertificateService::set_messaging(messaging::MessagingService* messaging, const I18n* i18n,
                                       std::string public_url) {
  messaging_ = messaging;
  i18n_ = i18n;
  public_url_ = std::move(public_url);
}

messaging::Composed CertificateService::notice(const Request& r, const std::string& type,
                                               std::map<std::string, std::string> values) {
  if (messaging_ == nullptr || i18n_ == nullptr || r.channel != Channel::online) return {};
  const std::string lang = messaging_->language_of(r.requester_cf);
  auto body = tenants_.by_id(r.tenant_id);
  values["service"] = i18n_->t(lang, "ui.cert_kind_" + r.kind);
  values.emplace("protocol", r.anpr_protocol);
  values["link"] = public_url_ + "/" + (body ? body->slug : std::string()) + "/certificati/" + r.token;
  // Placeholders named after a message in the person's language: the reason and the amounts.
  if (auto it = values.find("reason"); it != values.end())
    it->second = i18n_->message(lang, refusal_error(it->second));
  if (auto it = values.find("amount"); it != values.end())
    it->second = money::format(std::stoll(it->second), lang);
  if (auto it = values.find("paid_on"); it != values.end()) it->second = time::it_date_text(it->second);
  messaging::NoticeRequest n;
  n.tenant_id = r.tenant_id;
  n.person = r.requester_cf;
  n.type = type;
  n.values = std::move(values);
  n.remote = true;  // about the person's registry data: never at IO
  n.precondition = "certificate";
  return messaging::compose(*messaging_, *i18n_, n);
}

std::string CertificateService::today() const {
  return time::format_iso_date(time::rome_date(clock_.now()));
}

std::vector<Exemption> CertificateService::exemptions_today(bool online) const {
  return exemptions_on(options_.exemptions, today(), online);
}

Result<anpr::Client> CertificateService::client(std::int64_t tenant) {
  auto body = tenants_.by_id(tenant);
  if (!body) return cert_error("not_found", 404);
  if (body->istat_code.size() != 6) return cert_error("certificates.not_comune", 404, body->slug);
  anpr::ClientConfig cfg;
  cfg.base_url = options_.anpr_url;
  cfg.sender = body->istat_code;
  cfg.send_type = options_.anpr_send_type;
  cfg.tls = options_.anpr_tls;
  if (auto it = options_.anpr_credentials.find(body->istat_code); it != options_.anpr_credentials.end())
    cfg.secret = it->second;
  return anpr::Client(std::move(cfg), clock_);
}

Result<std::vector<anpr::Person>> CertificateService::household(std::int64_t tenant, const std::string& cf) {
  auto c = client(tenant);
  if (!c) return c.error();
  auto res = c->consult(cf, today(), true);
  if (!res) return cert_error("certificates.anpr_unavailable", 503, res.error().code);
  if (!res->ok) return refusal_error(res->errors.empty() ? std::string() : res->errors.front().code);
  // Any comune issues ANPR's certificates about anyone registered in ANPR: residence elsewhere is no
  // reason to refuse (issue 15; ANPR is one national register). Online, only about oneself and one's
  // household (DM 3 Nov 2021): the household is ANPR's answer for the signed-in person.
  if (res->people.empty()) return refusal_error(std::string());
  return res->people;
}

Status CertificateService::check_exemption(const Choice& c, bool online) const {
  if (c.exemption == 0) return Ok{};
  if (!exemption_on(options_.exemptions, c.exemption, today(), online))
    return Error::for_field("certificates.exemption", "exemption", 422, std::to_string(c.exemption));
  if (c.exemption == 99 && (c.exemption_text.empty() || c.exemption_text.size() > 256))
    return Error::for_field("certificates.exemption_text", "exemption_text", 422);
  return Ok{};
}

anpr::CertificateRequest CertificateService::anpr_request(const Request& r, anpr::Channel channel) const {
  anpr::CertificateRequest a;
  a.header.operation_id = r.anpr_operation_id;
  a.types = r.types;
  a.subject.codice_fiscale = r.subject_cf;
  a.subject.surname = r.subject_surname;
  a.subject.name = r.subject_first;
  if (r.requester_cf != r.subject_cf || r.requester_type != 2) {
    anpr::Person req;
    req.codice_fiscale = r.requester_cf;
    req.surname = r.requester_surname.empty() ? r.requester_name : r.requester_surname;
    req.name = r.requester_first.empty() ? r.requester_name : r.requester_first;
    a.requester = req;
  }
  if (r.channel == Channel::counter && !r.operator_user.empty()) {
    a.office_surname = options_.office_surname;
    a.office_name = "OPERATORE";
  } else {
    a.office_surname = options_.office_surname;
    a.office_name = options_.office_name;
  }
  a.requester_type = static_cast<anpr::RequesterType>(r.requester_type);
  a.channel = channel;
  a.stamp_duty = r.stamp_duty;
  a.stamp_mode = r.stamp_mode;
  a.fees = r.fees;
  a.exemption = r.exemption;
  a.exemption_text = r.exemption_text;
  if (!r.purpose.empty()) a.notes.push_back(r.purpose);
  return a;
}

Result<Preview> CertificateService::preview(std::int64_t tenant, const Person& who, const Choice& c) {
  const Kind* kind = find_kind(c.kind);
  if (!kind) return Error::for_field("certificates.kind", "kind", 400, c.kind);
  if (auto st = check_exemption(c, true); !st) return st.error();
  auto people = household(tenant, who.codice_fiscale);
  if (!people) return people.error();
  const bool in_household = std::any_of(people->begin(), people->end(), [&](const anpr::Person& p) {
    return p.codice_fiscale == c.subject_cf;
  });
  if (!in_household) return cert_error("certificates.third_party", 403);
  auto cl = client(tenant);
  if (!cl) return cl.error();
  Request r;
  r.anpr_operation_id = anpr::Client::next_operation_id(clock_);
  r.types = kind->types;
  r.subject_cf = c.subject_cf;
  for (const auto& p : *people)
    if (p.codice_fiscale == c.subject_cf) {
      r.subject_surname = p.surname;
      r.subject_first = p.name;
    }
  // The requester's names as ANPR has them (the sign-in gives a display name only).
  anpr::Person requester = people->front();
  r.requester_cf = who.codice_fiscale;
  r.requester_surname = requester.surname;
  r.requester_first = requester.name;
  r.requester_name = display_name(requester.name, requester.surname);
  r.requester_type = who.codice_fiscale == c.subject_cf ? 2 : 1;
  r.exemption = c.exemption;
  r.exemption_text = c.exemption_text;
  if (c.exemption == 0 && !exempt_by_type(*kind)) {
    r.stamp_duty = kStampDuty;
    r.stamp_mode = 1;
  }
  auto res = cl->issue(anpr_request(r, anpr::Channel::preview));
  if (!res) return cert_error("certificates.anpr_unavailable", 503, res.error().code);
  if (!res->ok) return refusal_error(res->errors.empty() ? std::string() : res->errors.front().code);
  return Preview{requester, res->subject, res->members, kind};
}

Result<Request> CertificateService::request_online(std::int64_t tenant, const Person& who, const Choice& c) {
  auto p = preview(tenant, who, c);
  if (!p) return p.error();
  Person requester{who.codice_fiscale, p->requester.surname, p->requester.name};
  return make(tenant, Channel::online, "", requester, who.codice_fiscale == c.subject_cf ? 2 : 1, c,
              p->subject);
}

Result<Request> CertificateService::issue_at_counter(std::int64_t tenant, const std::string& operator_user,
                                                     const Person& requester, int requester_type,
                                                     const Choice& c) {
  const Kind* kind = find_kind(c.kind);
  if (!kind) return Error::for_field("certificates.kind", "kind", 400, c.kind);
  if (requester_type < 1 || requester_type > 3)
    return Error::for_field("certificates.requester", "requester_type", 400);
  if (auto st = check_exemption(c, false); !st) return st.error();
  // The diritti are paid at the counter: how, before anything is asked of ANPR.
  const auto means = parse_means(c.means);
  if (c.exemption != 4 && fee_for(tenant, kind->code) > 0 && !means)
    return Error::for_field("certificates.means", "means", 400);
  auto cl = client(tenant);
  if (!cl) return cl.error();
  // Anyone registered in ANPR, wherever they live: the person alone (3002, individual record).
  auto res = cl->consult(c.subject_cf, today(), false);
  if (!res) {
    // Staff are told what to fix when it is the hub's certificate that ANPR refused (mutual TLS); the
    // online pages keep saying that ANPR cannot be reached, which is all a citizen can act on.
    if (res.error().code == "anpr.client_certificate")
      return cert_error("certificates.anpr_certificate", 503, res.error().detail);
    return cert_error("certificates.anpr_unavailable", 503, res.error().code);
  }
  if (!res->ok || res->people.empty())
    return refusal_error(res->errors.empty() ? std::string("EN122") : res->errors.front().code);
  auto r = make(tenant, Channel::counter, operator_user, requester, requester_type, c, res->people.front());
  // Collected once there is a certificate to hand over; a request ANPR answers later (the job) is
  // collected from the counter's list.
  if (r && r->state == State::issued && r->fees > 0 && means)
    if (auto f = collect_at_counter(tenant, operator_user, r->id, *means); !f)
      spdlog::warn("certificates: counter fee of {} not recorded: {}", r->id, f.error().code);
  return r;
}

Result<CounterFee> CertificateService::collect_at_counter(std::int64_t tenant,
                                                          const std::string& operator_user,
                                                          const std::string& request_id, Means means) {
  const auto now = clock_.now();
  return db::transact(db_, [&](db::Conn& tx) -> Result<CounterFee> {
    auto r = store::by_id(tx, tenant, request_id);
    if (!r || r->channel != Channel::counter) return cert_error("not_found", 404);
    if (r->state != State::issued) return cert_error("certificates.not_issued", 409);
    if (r->fees <= 0) return cert_error("certificates.no_fee", 409);
    CounterFee f;
    f.request_id = r->id;
    f.tenant_id = tenant;
    f.amount = r->fees;
    f.means = means;
    const auto day = time::rome_date(now);
    f.receipt_year = static_cast<int>(day.year());
    f.day = time::format_iso_date(day);
    f.collected_by = operator_user;
    f.collected_at = time::format_iso_utc_millis(now);
    if (!store::add_counter_fee(tx, f)) return cert_error("certificates.fee_collected", 409);
    Request who = *r;
    who.operator_user = operator_user;  // the audit's actor: the operator collecting, not the one who issued
    audit_.record_or_throw(tx, entry(who, "certificate.counter_fee", false,
                                     boost::json::object{{"amount", f.amount},
                                                         {"means", std::string(to_string(means))},
                                                         {"receipt", std::to_string(f.receipt_no) + "/" +
                                                                         std::to_string(f.receipt_year)}}));
    auto stored = store::counter_fee(tx, tenant, r->id);
    if (!stored) return cert_error("not_found", 404);
    return *stored;
  });
}

std::optional<CounterFee> CertificateService::counter_fee(const Request& r) {
  std::optional<CounterFee> out;
  db_.read([&](db::Conn& c) { out = store::counter_fee(c, r.tenant_id, r.id); });
  return out;
}

Result<std::vector<CounterFee>> CertificateService::takings(const identity::Principal* who,
                                                            std::int64_t tenant, const std::string& day) {
  if (auto st = identity::authorize(who, identity::Permission::manage_payments, tenant); !st)
    return st.error();
  auto d = time::parse_iso_date(day);
  if (!d) return Error::for_field("certificates.day", "giorno", 400);
  std::vector<CounterFee> out;
  db_.read([&](db::Conn& c) { out = store::counter_fees_of_day(c, tenant, time::format_iso_date(*d)); });
  return out;
}

Result<Request> CertificateService::make(std::int64_t tenant, Channel channel,
                                         const std::string& operator_user, const Person& requester,
                                         int requester_type, const Choice& c, const anpr::Person& subject) {
  const Kind* kind = find_kind(c.kind);
  const auto now = clock_.now();
  Request r;
  r.id = ids::uuid_v7();
  r.tenant_id = tenant;
  r.token = ids::random_token(24);
  r.channel = channel;
  r.requester_cf = requester.codice_fiscale;
  r.requester_surname = requester.surname;
  r.requester_first = requester.first_name;
  r.requester_name = display_name(requester.first_name, requester.surname);
  r.requester_type = requester_type;
  r.operator_user = operator_user;
  r.subject_cf = subject.codice_fiscale.empty() ? c.subject_cf : subject.codice_fiscale;
  r.subject_surname = subject.surname;
  r.subject_first = subject.name;
  r.subject_name = display_name(subject.name, subject.surname);
  r.kind = kind->code;
  r.types = kind->types;
  r.purpose = c.purpose;
  r.exemption = c.exemption;
  r.exemption_text = c.exemption == 99 ? c.exemption_text : std::string();
  if (c.exemption == 0 && !exempt_by_type(*kind)) {
    r.stamp_duty = kStampDuty;
    r.stamp_mode =
        channel == Channel::online ? 1 : 9;  // pagoPA's marca da bollo digitale; paid at the counter
  }
  // The body's diritti: online in the pagoPA position, at the counter collected there (collect_at_counter).
  if (c.exemption != 4) r.fees = fee_for(tenant, kind->code);
  r.anpr_operation_id = "";  // fixed by the first call to ANPR (issue())
  r.created_at = time::format_iso_utc_millis(now);
  const bool pay_online = channel == Channel::online && (r.stamp_duty > 0 || r.fees > 0);
  r.state = pay_online ? State::awaiting_payment : State::queued;
  if (!pay_online && channel == Channel::counter && r.stamp_duty > 0) r.paid_at = r.created_at;

  std::optional<payments::Creditor> creditor;
  if (pay_online) {
    auto cr = payments_.creditor(tenant);
    if (!cr) return cert_error("certificates.not_payable", 409);
    creditor = *cr;
  }
  auto body = tenants_.by_id(tenant);
  auto made = db::transact(db_, [&](db::Conn& tx) -> Result<Request> {
    if (pay_online) {
      payments::NewPosition np;
      np.iupd = std::string(kIupdPrefix) + r.id;
      np.debtor.fiscal_code = r.requester_cf;
      np.debtor.full_name = r.requester_name.empty() ? r.requester_cf : r.requester_name;
      np.debtor.type = payments::DebtorType::person;
      payments::NewOption o;
      o.amount = r.stamp_duty + r.fees;
      o.description = "Certificato anagrafico " + r.subject_name;
      o.due_date = time::format_iso_date(time::add_calendar_days(time::rome_date(now), 30));
      if (r.stamp_duty > 0) {
        payments::NewTransfer stamp;
        stamp.amount = r.stamp_duty;
        // The digital stamp's document: the request itself (its id, subject and types), as the certificate
        // does not exist before the duty is paid. docs/certificates.md explains the choice.
        const std::string doc = r.id + "|" + r.subject_cf + "|" + types_text(r.types);
        stamp.stamp =
            payments::Stamp{"01", crypto::base64_encode(digest::sha256_raw(doc)),
                            body && body->province.size() == 2 ? body->province : std::string("RM")};
        stamp.remittance = "Imposta di bollo - certificato anagrafico";
        stamp.category = kStampCategory;
        o.transfers.push_back(std::move(stamp));
      }
      if (r.fees > 0) {
        payments::NewTransfer fee;
        fee.amount = r.fees;
        fee.iban = creditor->iban;
        fee.remittance = "Diritti di segreteria - certificato anagrafico";
        fee.category = kFeeCategory;
        o.transfers.push_back(std::move(fee));
      }
      np.options.push_back(std::move(o));
      np.publish = true;
      auto p = payments_.create(tx, payments::SystemActor{kSystemActor}, tenant, np);
      if (!p) return p.error();
      r.iupd = p->iupd;
      r.iuv = p->options.front().iuv;
    }
    store::insert(tx, r);
    audit_.record_or_throw(tx, entry(r, "certificate.request", false,
                                     boost::json::object{{"channel", std::string(to_string(r.channel))},
                                                         {"requester_cf", r.requester_cf},
                                                         {"requester_type", r.requester_type},
                                                         {"stamp_duty", r.stamp_duty},
                                                         {"fees", r.fees},
                                                         {"exemption", r.exemption}}));
    if (r.state == State::queued) {
      auto job = jobs::enqueue(tx, jobs::NewJob{kIssueJob, tenant, r.id, "certificate:" + r.id, std::nullopt},
                               clock_.now());
      if (!job) return job.error();
    }
    return r;
  });
  if (!made) return made.error();
  if (made->state != State::queued) return made;
  if (runner_) runner_->notify();
  // At once when ANPR answers; otherwise the job tries again.
  auto issued = issue(tenant, made->id);
  return issued ? issued : made;
}

void CertificateService::paid(db::Conn& tx, const payments::Position& p, const payments::Option& o) {
  if (p.iupd.rfind(kIupdPrefix, 0) != 0) return;  // not a certificate's
  auto r = store::awaiting_by_iuv(tx, p.tenant_id, o.iuv);
  if (!r) return;
  if (!store::mark_paid(tx, p.tenant_id, r->id, time::format_iso_utc_millis(clock_.now()))) return;
  auto job = jobs::enqueue(
      tx, jobs::NewJob{kIssueJob, p.tenant_id, r->id, "certificate:" + r->id, std::nullopt}, clock_.now());
  // Thrown: the receipt rolls back and the node sends it again (payments/service.hpp).
  if (!job) throw std::runtime_error("certificates: job not queued: " + job.error().code);
}

Result<Request> CertificateService::issue(std::int64_t tenant, const std::string& id) {
  std::optional<Request> r;
  db_.read([&](db::Conn& c) { r = store::by_id(c, tenant, id); });
  if (!r) return cert_error("not_found", 404);
  if (r->state != State::queued) return *r;
  auto cl = client(tenant);
  if (!cl) return cl.error();
  // The operation id is fixed before the first call and kept for the retries: ANPR answers an id it knows
  // with its first answer (no second certificate). ANPR wants ids increasing per comune, so the id is
  // taken now rather than when the request was made; an id ANPR refuses as lower than its last (EA003)
  // is one it never received, and a fresh one is taken. Of two attempts at once, the first to fix the id
  // wins and both use it.
  auto fix_id = [&](const std::string& old) -> Status {
    const std::string fresh = anpr::Client::next_operation_id(clock_);
    db_.write([&](db::Conn& tx) { store::set_operation_id(tx, tenant, r->id, old, fresh); });
    db_.read([&](db::Conn& c) { r = store::by_id(c, tenant, id); });
    if (!r) return cert_error("not_found", 404);
    return Ok{};
  };
  if (r->anpr_operation_id.empty()) {
    if (auto st = fix_id(""); !st) return st.error();
    if (r->state != State::queued) return *r;
  }
  const auto channel = r->channel == Channel::counter ? anpr::Channel::counter : anpr::Channel::online;
  auto res = cl->issue(anpr_request(*r, channel));
  if (res && !res->ok && !res->errors.empty() && res->errors.front().code == "EA003") {
    if (auto st = fix_id(r->anpr_operation_id); !st) return st.error();
    if (r->state != State::queued) return *r;
    res = cl->issue(anpr_request(*r, channel));
  }
  if (!res) return cert_error("certificates.anpr_unavailable", 503, res.error().code);
  const std::string at = time::format_iso_utc_millis(clock_.now());
  // Paid online and refused: the amount is owed back (the person is told on the request's page).
  const bool refund = r->channel == Channel::online && !r->paid_at.empty() && r->stamp_duty + r->fees > 0;
  const std::string refusal = res->errors.empty() ? std::string("E") : res->errors.front().code;
  // The person's message, read before the change; queued with it (once: the change is a compare-and-set).
  const messaging::Composed told =
      res->ok  ? notice(*r, "certificate.issued", {{"protocol", res->protocol}})
      : refund ? notice(*r, "certificate.refund_due",
                        {{"reason", refusal}, {"amount", std::to_string(r->stamp_duty + r->fees)}})
               : notice(*r, "certificate.refused", {{"reason", refusal}});
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    auto message = told;
    if (!res->ok) {
      const std::string& code = refusal;
      if (!store::mark_refused(tx, tenant, r->id, code, at))
        return cert_error("certificates.already_done", 409);
      if (refund)
        store::add_refund(tx, Refund{r->id,
                                     tenant,
                                     r->stamp_duty + r->fees,
                                     r->stamp_duty,
                                     r->fees,
                                     r->iuv,
                                     code,
                                     at,
                                     {},
                                     {},
                                     {}});
      audit_.record_or_throw(
          tx, entry(*r, "certificate.refuse", true,
                    boost::json::object{{"anpr_code", code},
                                        {"refund_due", refund ? r->stamp_duty + r->fees : 0}}));
      if (auto q = messaging::enqueue_composed(tx, message, clock_); !q) return q.error();
      return true;
    }
    files::Limits limits;
    limits.max_size = 20 * 1024 * 1024;
    limits.allowed_types = {"application/pdf"};
    auto f = files_.put(tx, tenant, "certificato-" + res->protocol + ".pdf", res->pdf, limits);
    if (!f) return f.error();
    if (!store::mark_issued(tx, tenant, r->id, res->protocol, f->id, f->sha256, at))
      return cert_error("certificates.already_done", 409);  // someone else finished it: roll this back
    audit_.record_or_throw(
        tx, entry(*r, "certificate.issue", true,
                  boost::json::object{{"anpr_protocol", res->protocol}, {"sha256", f->sha256}}));
    // On App IO the PDF is the message's attachment, served from the file store byte for byte.
    messaging::attach(message, f->id, "certificato-" + res->protocol + ".pdf");
    if (auto q = messaging::enqueue_composed(tx, message, clock_); !q) return q.error();
    return true;
  });
  if (!done && done.error().code != "certificates.already_done") return done.error();
  std::optional<Request> now;
  db_.read([&](db::Conn& c) { now = store::by_id(c, tenant, id); });
  if (!now) return cert_error("not_found", 404);
  return *now;
}

std::vector<Request> CertificateService::mine(std::int64_t tenant, const std::string& cf) {
  std::vector<Request> out;
  db_.read([&](db::Conn& c) { out = store::of_requester(c, tenant, cf); });
  return out;
}

std::vector<Request> CertificateService::counter_list(std::int64_t tenant) {
  std::vector<Request> out;
  db_.read([&](db::Conn& c) { out = store::at_counter(c, tenant); });
  return out;
}

Result<Request> CertificateService::own(std::int64_t tenant, const std::string& cf,
                                        const std::string& token) {
  std::optional<Request> r;
  db_.read([&](db::Conn& c) { r = store::by_token(c, tenant, token); });
  if (!r || r->requester_cf != cf || r->channel != Channel::online) return cert_error("not_found", 404);
  return *r;
}

Result<Request> CertificateService::of_body(std::int64_t tenant, const std::string& token) {
  std::optional<Request> r;
  db_.read([&](db::Conn& c) { r = store::by_token(c, tenant, token); });
  if (!r) return cert_error("not_found", 404);
  return *r;
}

Result<std::string> CertificateService::pdf(const Request& r) {
  if (r.state != State::issued || r.file_id.empty()) return cert_error("not_found", 404);
  auto bytes = files_.read_content(r.tenant_id, r.file_id);
  if (!bytes) return bytes.error();
  if (!*bytes) return cert_error("not_found", 404);
  return std::move(**bytes);
}

}  // namespace sp::certificates
