#include "cases/service.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "cases/pdf.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
// Named, not anonymous: CaseService::Change, declared in the header, holds a RecordContext.
namespace service_detail {

// Who acts on a case, and as what.
struct Access {
  bool staff = false;
  std::string actor;  // "staff:<id>" / "person:<cf>"
  audit::ActorKind kind = audit::ActorKind::person;
  std::string actor_id;
  audit::Channel channel = audit::Channel::web;
};

// What the `record` step of an action has at hand.
struct RecordContext {
  db::Conn& tx;
  const identity::Principal* principal;
  Access who;
  protocollo::AooId aoo = 0;  // when the action needs_aoo
  time::TimePoint now;
  std::string at;  // now, formatted
  // Values the record step adds to the notice to the applicant (e.g. the letter's protocol number).
  std::map<std::string, std::string> notice_values;
};

}  // namespace service_detail
using service_detail::Access;
using service_detail::RecordContext;

namespace {

constexpr std::size_t kMaxKey = 200;
constexpr std::size_t kMaxAnswersBytes = 1'000'000;
constexpr int kMyCasesCap = 500;
constexpr int kMaxPage = 500;
constexpr const char* kSystemActor = "cases";

Error invalid(const std::string& code, const std::string& field, const std::string& detail = {}) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

std::string format_at(time::TimePoint tp) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(tp));
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

int days_between(time::Date from, time::Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

time::Date date_or(const std::string& iso, time::Date fallback) {
  auto d = time::parse_iso_date(iso);
  return d ? *d : fallback;
}

std::string it_date(const std::string& iso_day) {
  auto d = time::parse_iso_date(iso_day);
  return d ? time::format_it_date(*d) : iso_day;
}

std::string it_datetime(const std::string& iso) {
  auto tp = time::parse_iso_utc(iso);
  return tp ? time::format_it_datetime(*tp) : iso;
}

// The codice fiscale an applicant-side principal acts as: a signed-in person, or a counter operator
// serving a citizen (assisted channel). "" for anyone else. The rule is identity's (applicant.hpp).
std::string applicant_cf_of(const identity::Principal* who) {
  return identity::applicant_cf(who);
}

Access applicant_access(const identity::Principal* who) {
  Access a;
  if (who->kind == identity::PrincipalKind::person) {
    a.actor = "person:" + who->subject;
    a.kind = audit::ActorKind::person;
    a.actor_id = who->subject;
  } else {  // counter operator for the citizen served
    a.actor = "staff:" + who->subject;
    a.kind = audit::ActorKind::staff;
    a.actor_id = who->subject;
    a.channel = audit::Channel::counter;
  }
  return a;
}

// Staff of the case's body see everything; the applicant (or whoever acts for the represented person or
// business) sees their own; others learn nothing (not_found), except staff of another body (forbidden).
Result<Access> access_to(const identity::Principal* who, tenants::TenantId tenant, const Case& c) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  if (identity::authorize(who, identity::Permission::backoffice, tenant)) {
    Access a;
    a.staff = true;
    a.actor = "staff:" + who->subject;
    a.kind = audit::ActorKind::staff;
    a.actor_id = who->subject;
    return a;
  }
  const std::string cf = applicant_cf_of(who);
  if (!cf.empty()) {
    const bool own = c.applicant_cf == cf;
    const bool represented = who->kind == identity::PrincipalKind::person && who->acting_for &&
                             !c.on_behalf_of.empty() && c.on_behalf_of == who->acting_for->id;
    if (own || represented) return applicant_access(who);
    return Error::not_found("case " + c.id);
  }
  return Error::forbidden("case");
}

Status check_text(const std::string& text, const std::string& field, std::size_t max) {
  if (blank(text)) return invalid("cases.text", field, "empty");
  if (text.size() > max) return invalid("cases.text", field, "longer than " + std::to_string(max));
  return Ok{};
}

std::string json_details(std::initializer_list<std::pair<const char*, std::string>> kv) {
  boost::json::object o;
  for (const auto& [k, v] : kv) o[k] = v;
  return boost::json::serialize(o);
}

// A case document for a stored file, with the protocol entry that registered it when there is one.
Document document_of(const Case& c, const files::StoredFile& f, DocumentKind kind, const std::string& who,
                     const std::string& at, const protocollo::Registered* reg) {
  Document d;
  d.id = ids::random_token(18);
  d.case_id = c.id;
  d.file_id = f.id;
  d.kind = kind;
  d.file_name = f.file_name;
  d.mime_type = f.mime_type;
  d.size = f.size;
  d.sha256 = f.sha256;
  if (reg != nullptr) {
    d.protocol_entry_id = reg->id;
    d.protocol_year = reg->year;
    d.protocol_number = reg->number;
  }
  d.who = who;
  d.at = at;
  return d;
}

// One line per top-level answer: the summary PDF when the page gave none.
std::vector<SummaryLine> lines_from_answers(const boost::json::object& answers) {
  std::vector<SummaryLine> out;
  for (const auto& [key, value] : answers) {
    std::string text;
    if (value.is_string()) {
      text = std::string(value.as_string());
    } else if (value.is_null()) {
      continue;
    } else {
      text = boost::json::serialize(value);
    }
    out.push_back({std::string(key), text});
  }
  return out;
}

protocollo::Correspondent applicant_party(const Case& c) {
  if (!c.on_behalf_of.empty() && c.on_behalf_of.size() == 11) {  // a partita IVA: a business
    return {"business", c.on_behalf_of_name.empty() ? c.on_behalf_of : c.on_behalf_of_name, c.on_behalf_of,
            "", ""};
  }
  return {"person", c.applicant_name, c.applicant_cf, "", ""};
}

std::string decision_word(Action a) {
  return a == Action::accept ? "accoglimento" : a == Action::reject ? "rigetto" : "";
}

}  // namespace

// What one action does, inside the transaction that applies it. `mutate` changes the case's fields (it may
// refuse, nothing written yet); `record` writes what goes with the change (messages, documents, protocol
// entries) after the case row is updated, and may refuse too (the transaction then rolls back).
struct CaseService::Change {
  enum class By { staff, applicant, either } by = By::staff;
  std::function<Status(Case&, time::Date today)> mutate;
  std::function<Status(RecordContext& ctx, const Case& c)> record;
  bool needs_aoo = false;
  // The notice to the applicant after the change (notify.hpp); none when unset.
  std::function<Notice(const Case& c)> notice;
};

CaseService::CaseService(db::Database& db, time::Clock& clock, protocollo::ProtocolService& protocol,
                         files::FileService& files, catalog::CatalogService& catalog,
                         tenants::TenantService& tenants, identity::ProfileService* profiles, Options options)
    : db_(db),
      clock_(clock),
      protocol_(protocol),
      files_(files),
      catalog_(catalog),
      tenants_(tenants),
      profiles_(profiles),
      options_(std::move(options)),
      store_(db),
      audit_(db, clock) {
  // A broken template stops the start, not a decision (data/decisions/README.md).
  auto loaded = DecisionTemplates::load_dir(options_.decisions_dir);
  if (!loaded) throw std::runtime_error("decision templates: " + loaded.error().detail);
  decisions_ = std::move(*loaded);
  i18n_.load(options_.locales_dir);
}

namespace {

// The body's registry office for cases: the first active AOO (by code). nullopt when it has none.
std::optional<protocollo::AooId> case_aoo(protocollo::ProtocolService& protocol, tenants::TenantId tenant) {
  for (const auto& a : protocol.aoos(tenant)) {
    if (a.active) return a.id;
  }
  return std::nullopt;
}

std::string body_name(tenants::TenantService& tenants, tenants::TenantId tenant) {
  auto b = tenants.by_id(tenant);
  return b ? b->name : std::string();
}

std::string body_slug(tenants::TenantService& tenants, tenants::TenantId tenant) {
  auto b = tenants.by_id(tenant);
  return b ? b->slug : std::string();
}

[[nodiscard]] Status audit_case(audit::AuditService& audit, db::Conn& tx, tenants::TenantId tenant,
                                const Access& who, const Case& c, const std::string& action,
                                const std::string& details) {
  audit::Entry a;
  a.tenant_id = tenant;
  a.actor_kind = who.kind;
  a.actor_id = who.actor_id;
  a.channel = who.channel;
  // The person whose case it is: staff actions show up in their "who accessed my data".
  if (who.staff || who.channel == audit::Channel::counter) {
    a.on_behalf_of = c.on_behalf_of.empty() ? c.applicant_cf : c.on_behalf_of;
  } else if (!c.on_behalf_of.empty()) {
    a.on_behalf_of = c.on_behalf_of;
  }
  a.action = action;
  a.record_type = "case";
  a.record_id = c.id;
  a.details = details;
  if (auto r = audit.record(tx, a); !r) return r.error();
  return Ok{};
}

}  // namespace

Recipient CaseService::recipient_of(const std::string& cf) {
  Recipient r;
  r.preferred = "none";
  if (profiles_ == nullptr || cf.empty()) return r;
  auto p = profiles_->show(cf);
  if (!p) return r;
  if (!p->email.empty() && !p->email_verified_at.empty()) r.email = p->email;
  if (!p->mobile.empty() && !p->mobile_verified_at.empty()) r.mobile = p->mobile;
  r.preferred = p->preferred_channel;
  if (options_.language_of) r.lang = options_.language_of(cf) == "en" ? "en" : "it";
  return r;
}

namespace {

// The label of `value` among `options`; the value itself when none matches.
boost::json::value option_label(const std::vector<forms::Option>& options, const boost::json::value& value,
                                std::string_view lang) {
  if (!value.is_string()) return value;
  for (const auto& o : options) {
    if (o.value == value.as_string()) return boost::json::value(o.label.in(lang));
  }
  return value;
}

void label_fields(const forms::Definition& def, const std::vector<const forms::Field*>& fields,
                  boost::json::object& answers, std::string_view lang) {
  const forms::Context none;
  for (const auto* f : fields) {
    auto* v = answers.if_contains(f->name);
    if (v == nullptr) continue;
    if (f->type == forms::FieldType::choice) {
      *v = option_label(forms::options_of(def, *f, none), *v, lang);
    } else if (f->type == forms::FieldType::multi_choice && v->is_array()) {
      const auto options = forms::options_of(def, *f, none);
      for (auto& x : v->as_array()) x = option_label(options, x, lang);
    } else if (f->type == forms::FieldType::group && v->is_array()) {
      std::vector<const forms::Field*> children;
      for (const auto& child : f->fields) children.push_back(&child);
      for (auto& item : v->as_array()) {
        if (item.is_object()) label_fields(def, children, item.as_object(), lang);
      }
    }
  }
}

}  // namespace

boost::json::object CaseService::labelled_answers(const Case& c, std::string_view lang) {
  boost::json::object out = c.answers;
  if (definitions_ == nullptr) return out;
  auto eff = definitions_->effective(c.tenant_id, c.form_code);
  if (!eff || !eff->def) return out;
  // The hub version the case was filled with, with the body's lists in force now.
  std::shared_ptr<const forms::Definition> def = eff->def;
  if (eff->hub_version != c.form_version) {
    if (auto then = definitions_->at(c.tenant_id, c.form_code, c.form_version, eff->overlay_version))
      def = then;
  }
  label_fields(*def, def->fields(), out, lang);
  return out;
}

boost::json::object CaseService::labelled_answers_of(tenants::TenantId tenant, const std::string& case_id,
                                                     std::string_view lang) {
  if (definitions_ == nullptr) return {};
  std::optional<Case> c;
  db_.read([&](db::Conn& k) { c = CaseStore::find(k, tenant, case_id); });
  return c ? labelled_answers(*c, lang) : boost::json::object();
}

NoticeContext CaseService::notice_context(tenants::TenantId tenant, const Case& c, const std::string& at) {
  return {i18n_, clock_, body_name(tenants_, tenant),
          options_.public_url + "/area-personale/pratiche/" + body_slug(tenants_, tenant) + "/" + c.id, at};
}

// ---- Submission
// --------------------------------------------------------------------------------------------

Result<Submitted> CaseService::submit(const identity::Principal* applicant, tenants::TenantId tenant,
                                      const Submission& s) {
  if (applicant == nullptr) return Error::make("auth.required", 401, "submit");
  const std::string cf = applicant_cf_of(applicant);
  if (cf.empty()) return Error::make("cases.applicant", 403, "only a person or a counter operator submits");
  std::string name = s.applicant_name;
  if (blank(name)) {
    name = applicant->kind == identity::PrincipalKind::person ? applicant->display_name
                                                              : applicant->assisting->name;
  }
  if (blank(name)) name = cf;
  if (s.submission_key.empty() || s.submission_key.size() > kMaxKey || has_control(s.submission_key))
    return invalid("cases.submission_key", "submission_key", "1 to 200 printable characters");
  if (boost::json::serialize(s.answers).size() > kMaxAnswersBytes)
    return invalid("cases.answers", "answers", "too large");
  if (static_cast<int>(s.attachments.size()) > options_.max_attachments)
    return invalid("cases.attachment", "attachments", "too many");
  for (int attempt = 0;; ++attempt) {
    bool duplicate = false;
    try {
      auto r = submit_once(applicant, tenant, s, cf, name, duplicate);
      if (!r || !duplicate) return r;
      // A replay: the first submission's case, with its segnatura read now that it is committed.
      Submitted out = std::move(*r);
      out.replayed = true;
      if (!out.c.protocol_entry_id.empty()) {
        auto e = protocol_.get(protocollo::SystemActor{kSystemActor}, tenant, out.c.protocol_entry_id);
        if (e) out.segnatura = protocollo::ProtocolService::segnatura_text(*e);
      }
      return out;
    } catch (const db::DbError& e) {
      // A concurrent submission with the same key committed first (PostgreSQL: our INSERT waited for it,
      // then failed, and our whole transaction, protocol number included, rolled back). Once more: the
      // idempotency check now finds the first case.
      if (e.kind != db::DbError::Kind::unique_violation || attempt > 0) throw;
    }
  }
}

Result<Submitted> CaseService::submit_once(const identity::Principal* applicant, tenants::TenantId tenant,
                                           const Submission& s, const std::string& applicant_cf,
                                           const std::string& applicant_name, bool& duplicate) {
  duplicate = false;
  // Outside the transaction: what does not change with it (reads on other connections).
  auto offering = catalog_.offering(tenant, s.service_code);
  if (!offering || offering->service.level < catalog::Level::online_application)
    return Error::make("cases.service", 404, s.service_code);
  const auto aoo = case_aoo(protocol_, tenant);
  const std::string body = body_name(tenants_, tenant);
  const std::string slug = body_slug(tenants_, tenant);
  const Recipient recipient = recipient_of(applicant_cf);
  const Access who = applicant_access(applicant);

  auto out = db::transact(db_, [&](db::Conn& tx) -> Result<Submitted> {
    if (auto first = CaseStore::find_by_key(tx, tenant, applicant_cf, s.submission_key)) {
      duplicate = true;
      return Submitted{std::move(*first), true, {}};
    }
    duplicate = false;
    if (!aoo) return Error::make("cases.no_aoo", 503, std::to_string(tenant));
    const auto now = clock_.now();
    const auto today = time::rome_date(now);

    Case c;
    c.id = ids::uuid_v7();
    c.tenant_id = tenant;
    c.service_code = s.service_code;
    c.title = offering->service.title.it;
    c.form_code = s.form_code.empty() ? s.service_code : s.form_code;
    c.form_version = s.form_version;
    c.applicant_cf = applicant_cf;
    c.applicant_name = applicant_name;
    if (applicant->kind == identity::PrincipalKind::person && applicant->acting_for) {
      c.on_behalf_of = applicant->acting_for->id;
      c.on_behalf_of_name = applicant->acting_for->name;
    }
    c.channel = applicant->kind == identity::PrincipalKind::person ? "online" : "counter";
    c.answers = s.answers;
    c.state = State::submitted;
    c.office = offering->service.office.it;
    c.submitted_at = format_at(now);
    // Art. 2: the term runs from the receipt of the application; the day of receipt is not counted; a
    // term ending on a Sunday or a holiday ends on the next working day (model.hpp, legal_end()).
    c.deadline_days = offering->service.deadline_days.value_or(options_.default_deadline_days);
    c.due_date = time::format_iso_date(legal_end(time::add_calendar_days(today, c.deadline_days)));
    c.silence_consent = offering->service.silence_consent;
    c.fee_cents_due = offering->service.fee_cents;
    c.submission_key = s.submission_key;
    c.version = 1;
    // First, so that a concurrent duplicate waits here (unique key) before taking a protocol number.
    CaseStore::insert_case(tx, c, keys_of(c));
    CaseStore::insert_transition(
        tx, tenant, {0, c.id, std::nullopt, State::submitted, "submit", who.actor, c.submitted_at, {}});

    // The application document.
    std::string pdf = s.summary_pdf;
    if (pdf.empty()) {
      Letter l;
      l.heading = body;
      l.title = "Domanda: " + c.title;
      l.facts = {{"Richiedente", c.applicant_name + " (" + c.applicant_cf + ")"}};
      if (!c.on_behalf_of.empty())
        l.facts.emplace_back("Per conto di", c.on_behalf_of_name + " (" + c.on_behalf_of + ")");
      l.facts.emplace_back("Presentata il", time::format_it_datetime(now));
      l.facts.emplace_back("Versione del modulo", std::to_string(c.form_version));  // not its code
      for (const auto& line : s.summary.empty() ? lines_from_answers(s.answers) : s.summary)
        l.paragraphs.push_back(line.label + ": " + line.value);
      l.footer = body + " - domanda: " + c.title;  // its protocol number is stamped on the entry
      pdf = render_letter(l);
    }
    files::Limits pdf_only;
    pdf_only.allowed_types = {"application/pdf"};
    auto stored = files_.put(tx, tenant, "domanda-" + c.service_code + ".pdf", pdf, pdf_only);
    if (!stored) return stored.error();

    std::vector<files::StoredFile> attachments;
    std::set<std::string> seen;
    for (const auto& id : s.attachments) {
      if (!seen.insert(id).second) continue;
      auto f = files::FileService::get(tx, tenant, id);
      if (!f) return invalid("cases.attachment", "attachments", id);
      attachments.push_back(std::move(*f));
    }

    protocollo::NewEntry e;
    e.aoo_id = *aoo;
    e.direction = protocollo::Direction::incoming;
    e.subject = "Domanda online: " + c.title;
    e.correspondents = {applicant_party(c)};
    e.documents.push_back({protocollo::DocumentRole::primary, stored->file_name, stored->mime_type,
                           stored->size, stored->sha256, stored->id});
    for (const auto& f : attachments) {
      e.documents.push_back(
          {protocollo::DocumentRole::attachment, f.file_name, f.mime_type, f.size, f.sha256, f.id});
    }
    e.office = c.office;
    e.channel = c.channel == "counter" ? protocollo::Channel::counter : protocollo::Channel::online;
    auto reg = protocol_.register_entry(tx, protocollo::SystemActor{kSystemActor}, tenant, e);
    if (!reg) return reg.error();

    Case registered = c;
    registered.protocol_entry_id = reg->id;
    registered.protocol_year = reg->year;
    registered.protocol_number = reg->number;
    registered.state = *next_state(c.state, Action::register_);
    if (CaseStore::update_case(tx, registered, keys_of(registered), c.version) != 1)
      throw std::logic_error("cases: new case changed");
    registered.version = c.version + 1;
    CaseStore::insert_transition(tx, tenant,
                                 {0, c.id, State::submitted, State::registered, "register",
                                  std::string("system:") + kSystemActor, reg->registered_at, reg->segnatura});

    auto add_document = [&](const files::StoredFile& f, DocumentKind kind) {
      CaseStore::insert_document(tx, tenant, document_of(c, f, kind, who.actor, c.submitted_at, &*reg));
    };
    add_document(*stored, DocumentKind::application);
    for (const auto& f : attachments) add_document(f, DocumentKind::attachment);

    if (auto st = audit_case(audit_, tx, tenant, who, registered, "case.submit",
                             json_details({{"service", c.service_code},
                                           {"protocol", registered.protocol_label()},
                                           {"due_date", c.due_date}}));
        !st)
      return st.error();
    send_notice(tx,
                {i18n_, clock_, body, options_.public_url + "/area-personale/pratiche/" + slug + "/" + c.id,
                 c.submitted_at},
                registered, recipient,
                {"submitted", false, {{"segnatura", reg->segnatura}, {"due_date", it_date(c.due_date)}}});
    return Submitted{std::move(registered), false, reg->segnatura};
  });
  if (out && !duplicate && notifier_) notifier_();
  return out;
}

// ---- Applying an action ----------------------------------------------------------------------------------

namespace {

// Ends a running suspension as of `today`, adding the days it counts to the term (model.hpp), and moves
// the due date off a Sunday or holiday.
void end_suspension(Case& c, time::Date today, int grounds_days, std::optional<int> max_additions_days,
                    bool observations_now) {
  if (c.suspended_since.empty()) return;
  const auto since = date_or(c.suspended_since, today);
  int days = std::max(0, days_between(since, today));
  if (c.state == State::grounds_notified) {
    // Art. 10-bis: the term starts again ten days after the observations, or when the applicant's days
    // to answer end without them.
    days = observations_now
               ? days + grounds_days
               : std::min(days, days_between(since, grounds_answer_last_day(since, grounds_days)));
  } else if (max_additions_days) {
    days = std::min(days, *max_additions_days);
  }
  c.suspended_days += days;
  c.due_date = time::format_iso_date(legal_end(term_end(c)));
  c.suspended_since.clear();
}

}  // namespace

Status CaseService::apply(const identity::Principal* who, tenants::TenantId tenant,
                          const std::string& case_id, Action action, const std::string& reason,
                          const Change& change) {
  if (who == nullptr) return Error::make("auth.required", 401, std::string(to_string(action)));
  // Reads that must not happen inside the write: the registry office and the applicant's e-mail.
  std::optional<protocollo::AooId> aoo;
  if (change.needs_aoo) {
    aoo = case_aoo(protocol_, tenant);
    if (!aoo) return Error::make("cases.no_aoo", 503, std::to_string(tenant));
  }
  Recipient recipient;
  recipient.preferred = "none";
  if (change.notice && profiles_ != nullptr) {
    if (auto cf = store_.applicant_of(tenant, case_id)) recipient = recipient_of(*cf);
  }
  bool refused = false;  // a person asked for someone else's case: audited below
  Status out = db::transact(db_, [&](db::Conn& tx) -> Status {
    auto c = CaseStore::find(tx, tenant, case_id);
    if (!c) {
      // Staff of another body learn nothing more than "forbidden"; everyone else "not found".
      if (who->is_staff() && !identity::authorize(who, identity::Permission::backoffice, tenant) &&
          applicant_cf_of(who).empty())
        return Error::forbidden("case");
      return Error::not_found("case " + case_id);
    }
    auto acc = access_to(who, tenant, *c);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      return acc.error();
    }
    if ((change.by == Change::By::staff && !acc->staff) ||
        (change.by == Change::By::applicant && acc->staff)) {
      return Error::make("cases.applicant", 403, std::string(to_string(action)));
    }
    auto next = next_state(c->state, action);
    if (!next) {
      return Error::make("cases.transition", 409,
                         std::string(to_string(c->state)) + " → " + std::string(to_string(action)));
    }
    const auto now = clock_.now();
    const auto today = time::rome_date(now);
    const Case before = *c;
    if (change.mutate) {
      if (auto st = change.mutate(*c, today); !st) return st.error();
    }
    c->state = *next;
    if (!is_open(c->state) && c->decided_at.empty()) c->decided_at = format_at(now);
    // The queue marks a case whose applicant has answered until the office acts on it (assigning
    // it to someone is not yet acting on the answer).
    if (!acc->staff && (action == Action::answer_additions || action == Action::answer_grounds)) {
      c->applicant_answered_at = format_at(now);
    } else if (acc->staff && action != Action::assign) {
      c->applicant_answered_at.clear();
    }
    if (CaseStore::update_case(tx, *c, keys_of(*c), before.version) != 1)
      return Error::make("cases.conflict", 409, case_id);
    c->version = before.version + 1;
    CaseStore::insert_transition(tx, tenant,
                                 {0, c->id, before.state, c->state, std::string(to_string(action)),
                                  acc->actor, format_at(now), reason});
    RecordContext ctx{tx, who, *acc, aoo.value_or(0), now, format_at(now), {}};
    if (change.record) {
      if (auto st = change.record(ctx, *c); !st) return st.error();
    }
    if (auto st = audit_case(audit_, tx, tenant, *acc, *c, "case." + std::string(to_string(action)),
                             json_details({{"from", std::string(to_string(before.state))},
                                           {"to", std::string(to_string(c->state))}}));
        !st)
      return st.error();
    if (change.notice) {
      Notice n = change.notice(*c);
      for (auto& [k, v] : ctx.notice_values) n.values.insert_or_assign(k, v);
      send_notice(tx, notice_context(tenant, *c, ctx.at), *c, recipient, n);
    }
    return Ok{};
  });
  if (refused) note_refused(who, tenant, case_id);
  if (out && change.notice && notifier_) notifier_();
  return out;
}

// ---- Pieces the actions record ----------------------------------------------------------------------------

namespace {

// The files a message carries (uploaded before, for this tenant), checked and de-duplicated.
Result<std::vector<files::StoredFile>> message_files(db::Conn& tx, tenants::TenantId tenant,
                                                     const std::vector<std::string>& ids, int max) {
  if (static_cast<int>(ids.size()) > max) return invalid("cases.attachment", "files", "too many");
  std::vector<files::StoredFile> out;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    auto f = files::FileService::get(tx, tenant, id);
    if (!f) return invalid("cases.attachment", "files", id);
    out.push_back(std::move(*f));
  }
  return out;
}

// Stores the files as case documents of `kind` and a message carrying them.
void add_message(db::Conn& tx, tenants::TenantId tenant, const Case& c, MessageDirection direction,
                 const std::string& kind, const std::string& body, const std::vector<Document>& documents,
                 const std::string& who, const std::string& at) {
  Message m;
  m.case_id = c.id;
  m.direction = direction;
  m.kind = kind;
  m.body = body;
  for (const auto& d : documents) m.attachments.push_back(d.id);
  m.who = who;
  m.at = at;
  CaseStore::insert_message(tx, tenant, m);
}

}  // namespace

namespace {

// A letter of the office (request for additions, notice of grounds, decision): registered as outgoing
// protocol to the applicant by the staff member, in the same transaction; the number is taken first, the
// letter is rendered with it ("Protocollo: 0000042/2026 del 02/03/2026", and the segnatura), and the
// digest of what was rendered is recorded (protocollo's register_entry with a PrimaryDocument). Stored,
// and kept as a case document. The notice to the applicant gets the number as {letter_protocol}.
Result<Document> outgoing_letter(RecordContext& ctx, files::FileService& files,
                                 protocollo::ProtocolService& protocol, const Case& c, DocumentKind kind,
                                 const std::string& file_name, const std::string& subject,
                                 const Letter& letter, std::string_view lang) {
  files::Limits pdf_only;
  pdf_only.allowed_types = {"application/pdf"};
  protocollo::NewEntry e;
  e.aoo_id = ctx.aoo;
  e.direction = protocollo::Direction::outgoing;
  e.subject = subject;
  e.correspondents = {applicant_party(c)};
  e.office = c.office;
  e.channel = protocollo::Channel::online;
  std::optional<files::StoredFile> stored;
  auto reg = protocol.register_entry(
      ctx.tx, protocollo::Actor{ctx.principal}, c.tenant_id, e,
      [&](const protocollo::Registered& r) -> Result<protocollo::Document> {
        Letter l = letter;
        const auto at = time::parse_iso_utc(r.registered_at);
        const std::string number = protocollo::format_number(r.number) + "/" + std::to_string(r.year);
        l.facts.insert(l.facts.begin(),
                       {lang == "en" ? "Protocol" : "Protocollo",
                        number + (lang == "en" ? " of " : " del ") +
                            (at ? time::format_it_date(*at) : r.registered_at) + " (" + r.segnatura + ")"});
        auto s = files.put(ctx.tx, c.tenant_id, file_name, render_letter(l), pdf_only);
        if (!s) return s.error();
        stored = *s;
        return protocollo::Document{
            protocollo::DocumentRole::primary, s->file_name, s->mime_type, s->size, s->sha256, s->id};
      });
  if (!reg) return reg.error();
  Document d = document_of(c, *stored, kind, ctx.who.actor, ctx.at, &*reg);
  CaseStore::insert_document(ctx.tx, c.tenant_id, d);
  ctx.notice_values["letter_protocol"] =
      protocollo::format_number(reg->number) + "/" + std::to_string(reg->year);
  return d;
}

// What the applicant sends back (additions, observations): a message, its files as documents and, when
// there are files, an incoming protocol entry holding them (the first file as the primary document).
Status applicant_answer(RecordContext& ctx, protocollo::ProtocolService& protocol, const Case& c,
                        const std::string& kind, const std::string& subject, const std::string& text,
                        const std::vector<std::string>& file_ids, int max_files) {
  auto fs = message_files(ctx.tx, c.tenant_id, file_ids, max_files);
  if (!fs) return fs.error();
  std::optional<protocollo::Registered> reg;
  if (!fs->empty()) {
    protocollo::NewEntry e;
    e.aoo_id = ctx.aoo;
    e.direction = protocollo::Direction::incoming;
    e.subject = subject;
    e.correspondents = {applicant_party(c)};
    bool first = true;
    for (const auto& f : *fs) {
      e.documents.push_back({first ? protocollo::DocumentRole::primary : protocollo::DocumentRole::attachment,
                             f.file_name, f.mime_type, f.size, f.sha256, f.id});
      first = false;
    }
    e.office = c.office;
    e.channel = c.channel == "counter" ? protocollo::Channel::counter : protocollo::Channel::online;
    auto r = protocol.register_entry(ctx.tx, protocollo::SystemActor{kSystemActor}, c.tenant_id, e);
    if (!r) return r.error();
    reg = *r;
  }
  std::vector<Document> docs;
  for (const auto& f : *fs) {
    docs.push_back(document_of(c, f, DocumentKind::addition, ctx.who.actor, ctx.at, reg ? &*reg : nullptr));
    CaseStore::insert_document(ctx.tx, c.tenant_id, docs.back());
  }
  add_message(ctx.tx, c.tenant_id, c, MessageDirection::from_applicant, kind, text, docs, ctx.who.actor,
              ctx.at);
  return Ok{};
}

std::string staff_name(const identity::Principal* p) {
  return p->display_name.empty() ? p->subject : p->display_name;
}

// The placeholders of a decision template (data/decisions/README.md) for a case.
struct DecisionFacts {
  std::string body;
  std::string officer;
  std::string reasons;
  time::Date today;
  int grounds_days = 10;
  std::optional<int> max_additions_days;
  std::vector<Message> messages;    // the applicant's observations are among them
  std::vector<Document> documents;  // the notice of grounds is among them
  boost::json::object answers;      // the answers with labels (CaseService::labelled_answers)
};

boost::json::object decision_placeholders(const Case& c, const DecisionFacts& f, std::string_view lang) {
  boost::json::object v;
  v["body"] = f.body;
  v["office"] = c.office;
  v["officer"] = f.officer;
  v["service"] = c.title;
  v["applicant"] = c.applicant_name;
  v["applicant_cf"] = c.applicant_cf;
  v["represented"] = c.on_behalf_of.empty() ? std::string() : c.on_behalf_of_name;
  v["represented_code"] = c.on_behalf_of;
  v["protocol"] = c.protocol_label();
  const auto submitted = time::parse_iso_utc(c.submitted_at);
  const std::string submitted_on = submitted ? time::format_it_date(*submitted) : c.submitted_at;
  v["protocol_date"] = submitted_on;  // registered in the same transaction as the submission
  v["submitted_on"] = submitted_on;
  v["case_id"] = c.id;
  v["deadline_days"] = std::to_string(c.deadline_days);
  v["due_date"] = time::format_it_date(deadline_at(c, f.today, f.grounds_days, f.max_additions_days).due);
  v["today"] = time::format_it_date(f.today);
  v["fee"] = c.fee_cents_due ? money::format(*c.fee_cents_due, lang) : std::string();
  v["grounds_days"] = std::to_string(f.grounds_days);
  v["grounds_date"] = it_date(c.grounds_notified_on);
  // The letter of the last notice of grounds (a request for additions is a "notice" document too).
  std::string grounds_protocol;
  for (const auto& m : f.messages) {
    if (m.kind != "grounds" || m.attachments.empty()) continue;
    for (const auto& d : f.documents) {
      if (d.id == m.attachments.front() && d.protocol_number > 0)
        grounds_protocol =
            protocollo::format_number(d.protocol_number) + "/" + std::to_string(d.protocol_year);
    }
  }
  v["grounds_protocol"] = grounds_protocol;
  std::string observations, observations_date;
  for (const auto& m : f.messages) {
    if (m.kind == "grounds_answer") {
      observations = m.body;
      observations_date = it_datetime(m.at).substr(0, 10);
    }
  }
  v["observations"] = observations;
  v["observations_date"] = observations_date;
  v["reasons"] = f.reasons;
  v["answers"] = f.answers.empty() ? c.answers : f.answers;  // labels, not codes
  v["answer_codes"] = c.answers;
  return v;
}

// A decision's letter: the body (and office) as heading, the template's title (or the action's), the
// references, the text in paragraphs (blank lines), and the officer responsible.
Letter decision_letter(const Case& c, const DecisionTemplate* tmpl, Action action, std::string_view lang,
                       const std::string& text, const std::string& body, const std::string& officer,
                       time::TimePoint now) {
  const bool en = lang == "en";
  Letter l;
  l.heading = c.office.empty() ? body : body + "\n" + c.office;
  if (tmpl != nullptr) {
    l.title = tmpl->title(lang);
  } else if (action == Action::notice_of_grounds) {
    l.title = "Comunicazione dei motivi ostativi all'accoglimento dell'istanza (art. 10-bis L. 241/1990)";
  } else if (action == Action::request_additions) {
    l.title = en ? "Request for additions to the application (Art. 2(7) Law 241/1990)"
                 : "Richiesta di integrazioni alla domanda (art. 2, comma 7, L. 241/1990)";
  } else {
    l.title = "Provvedimento di " + decision_word(action) + " della domanda";
  }
  l.facts = {{en ? "Addressee" : "Destinatario", c.applicant_name + " (" + c.applicant_cf + ")"},
             {en ? "Application" : "Domanda", c.title},
             {en ? "Application's protocol" : "Protocollo della domanda",
              c.protocol_label() + (en ? " of " : " del ") + it_datetime(c.submitted_at)},
             {en ? "Date" : "Data", time::format_it_date(now)}};
  if (!c.on_behalf_of.empty())
    l.facts.insert(l.facts.begin() + 1,
                   {en ? "On behalf of" : "Per conto di", c.on_behalf_of_name + " (" + c.on_behalf_of + ")"});
  // Paragraphs are separated by blank lines; single line breaks stay inside a paragraph.
  std::string paragraph;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find("\n\n", start);
    paragraph = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!blank(paragraph)) l.paragraphs.push_back(paragraph);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  l.paragraphs.push_back(
      (en ? "The officer responsible for the procedure\n" : "Il responsabile del procedimento\n") + officer);
  l.footer = body + (en ? " - application's protocol " : " - protocollo della domanda ") + c.protocol_label();
  return l;
}

// The decision: a letter registered as outgoing protocol, and a message to the applicant carrying it.
Status record_decision(RecordContext& ctx, files::FileService& files, protocollo::ProtocolService& protocol,
                       const Case& c, Action action, const std::string& decision, const std::string& body,
                       const identity::Principal* staff, const DecisionTemplate* tmpl,
                       std::string_view lang) {
  const std::string word = decision_word(action);
  const Letter l = decision_letter(c, tmpl, action, lang, decision, body, staff_name(staff), ctx.now);
  std::string file_name = "provvedimento-" + word;
  if (tmpl != nullptr && tmpl->outcome != to_string(action)) file_name += "-" + tmpl->outcome;
  const std::string subject =
      (tmpl != nullptr ? tmpl->title_it : "Provvedimento di " + word) + ": " + c.title;
  auto d =
      outgoing_letter(ctx, files, protocol, c, DocumentKind::decision, file_name + ".pdf", subject, l, lang);
  if (!d) return d.error();
  add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, "decision", decision, {*d},
              ctx.who.actor, ctx.at);
  return Ok{};
}

}  // namespace

// ---- The applicant's actions
// --------------------------------------------------------------------------------

Status CaseService::answer_additions(const identity::Principal* applicant, tenants::TenantId tenant,
                                     const std::string& case_id, const std::string& message,
                                     const std::vector<std::string>& file_ids) {
  if (file_ids.empty()) {
    if (auto st = check_text(message, "message", options_.max_text); !st) return st;
  } else if (message.size() > options_.max_text) {
    return invalid("cases.text", "message", "too long");
  }
  Change ch;
  ch.by = Change::By::applicant;
  ch.needs_aoo = !file_ids.empty();
  ch.mutate = [this](Case& c, time::Date today) -> Status {
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  ch.record = [this, message, file_ids](RecordContext& ctx, const Case& c) {
    return applicant_answer(ctx, protocol_, c, "additions_answer", "Integrazioni alla domanda: " + c.title,
                            message, file_ids, options_.max_attachments);
  };
  return apply(applicant, tenant, case_id, Action::answer_additions, {}, ch);
}

Status CaseService::answer_grounds(const identity::Principal* applicant, tenants::TenantId tenant,
                                   const std::string& case_id, const std::string& message,
                                   const std::vector<std::string>& file_ids) {
  if (auto st = check_text(message, "message", options_.max_text); !st) return st;
  Change ch;
  ch.by = Change::By::applicant;
  ch.needs_aoo = !file_ids.empty();
  ch.mutate = [this](Case& c, time::Date today) -> Status {
    const auto notified = date_or(c.grounds_notified_on, today);
    if (today > grounds_answer_last_day(notified, options_.grounds_answer_days))
      return Error::make("cases.answer_late", 409, c.grounds_notified_on);
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, true);
    c.grounds_answered_on = time::format_iso_date(today);
    return Ok{};
  };
  ch.record = [this, message, file_ids](RecordContext& ctx, const Case& c) {
    return applicant_answer(ctx, protocol_, c, "grounds_answer",
                            "Osservazioni al preavviso di rigetto (art. 10-bis L. 241/1990): " + c.title,
                            message, file_ids, options_.max_attachments);
  };
  return apply(applicant, tenant, case_id, Action::answer_grounds, {}, ch);
}

Status CaseService::withdraw(const identity::Principal* applicant, tenants::TenantId tenant,
                             const std::string& case_id, const std::string& reason) {
  if (reason.size() > options_.max_text) return invalid("cases.text", "reason", "too long");
  Change ch;
  ch.by = Change::By::applicant;
  ch.mutate = [this](Case& c, time::Date today) -> Status {
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  ch.notice = [](const Case&) { return Notice{"withdrawn", false, {}}; };
  return apply(applicant, tenant, case_id, Action::withdraw, reason, ch);
}

// ---- The office's actions
// ------------------------------------------------------------------------------------

Status CaseService::assign(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& assignee,
                           const std::string& office) {
  if (blank(assignee) || assignee.size() > 200 || has_control(assignee))
    return invalid("cases.assignee", "assignee", assignee);
  if (office.size() > 200 || has_control(office)) return invalid("cases.assignee", "office", office);
  // Only someone of the body's staff: any other text made a case nobody's (issue 11, point 6).
  std::string name = assignee;
  if (staff_directory_) {
    auto known = staff_directory_(tenant, assignee);
    if (!known) return invalid("cases.assignee", "assignee", "not one of the body's staff");
    name = *known;
  }
  Change ch;
  ch.mutate = [assignee, office](Case& c, time::Date) -> Status {
    c.assignee = assignee;
    if (!blank(office)) c.office = office;
    return Ok{};
  };
  std::string reason = "assegnata a " + name;
  if (!blank(office)) reason += " (" + office + ")";
  return apply(staff, tenant, case_id, Action::assign, reason, ch);
}

Status CaseService::start(const identity::Principal* staff, tenants::TenantId tenant,
                          const std::string& case_id) {
  Change ch;
  ch.mutate = [staff](Case& c, time::Date) -> Status {
    if (c.assignee.empty() && staff != nullptr) c.assignee = staff->subject;  // whoever starts it handles it
    return Ok{};
  };
  return apply(staff, tenant, case_id, Action::start, {}, ch);
}

Status CaseService::request_additions(const identity::Principal* staff, tenants::TenantId tenant,
                                      const std::string& case_id, const std::string& message) {
  if (auto st = check_text(message, "message", options_.max_text); !st) return st;
  Change ch;
  ch.needs_aoo = true;  // the request is a letter registered as outgoing, like the notice and the decision
  ch.mutate = [](Case& c, time::Date today) -> Status {
    c.suspended_since = time::format_iso_date(today);
    return Ok{};
  };
  const std::string body = body_name(tenants_, tenant);
  ch.record = [this, message, body, staff](RecordContext& ctx, const Case& c) -> Status {
    const Letter l = decision_letter(c, nullptr, Action::request_additions, "it", message, body,
                                     staff_name(staff), ctx.now);
    auto d = outgoing_letter(ctx, files_, protocol_, c, DocumentKind::notice, "richiesta-integrazioni.pdf",
                             "Richiesta di integrazioni: " + c.title, l, "it");
    if (!d) return d.error();
    add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, "additions_request", message, {*d},
                ctx.who.actor, ctx.at);
    return Ok{};
  };
  ch.notice = [](const Case&) { return Notice{"additions_request", true, {}}; };
  return apply(staff, tenant, case_id, Action::request_additions, message, ch);
}

Status CaseService::resume(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& reason) {
  if (auto st = check_text(reason, "reason", options_.max_text); !st) return st;
  Change ch;
  ch.mutate = [this](Case& c, time::Date today) -> Status {
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  return apply(staff, tenant, case_id, Action::resume, reason, ch);
}

namespace {

// The template a decision says it came from; an error when the service has no such outcome or it is not
// one for `action`. Null for a free text (no outcome).
Result<const DecisionTemplate*> template_for(const DecisionTemplates& templates, const Case& c,
                                             const DecisionFrom& from, Action action) {
  if (from.outcome.empty()) return static_cast<const DecisionTemplate*>(nullptr);
  const auto* t = templates.find(c.service_code, from.outcome);
  if (t == nullptr || t->action != action) return invalid("cases.outcome", "outcome", from.outcome);
  return t;
}

std::string decision_lang(const DecisionFrom& from) {
  return from.lang == "en" ? "en" : "it";
}

}  // namespace

Status CaseService::notice_of_grounds(const identity::Principal* staff, tenants::TenantId tenant,
                                      const std::string& case_id, const std::string& grounds,
                                      const DecisionFrom& from) {
  if (auto st = check_text(grounds, "grounds", options_.max_text); !st) return st;
  if (auto left = decisions_.unfilled_placeholder(grounds))
    return Error::for_field("cases.placeholder", "text", 400, *left);
  const std::string body = body_name(tenants_, tenant);
  const auto labelled = labelled_answers_of(tenant, case_id, decision_lang(from));
  Change ch;
  ch.needs_aoo = true;
  ch.mutate = [this, from](Case& c, time::Date today) -> Status {
    if (auto t = template_for(decisions_, c, from, Action::notice_of_grounds); !t) return t.error();
    c.suspended_since = time::format_iso_date(today);
    c.grounds_notified_on = time::format_iso_date(today);
    c.grounds_answered_on.clear();
    return Ok{};
  };
  ch.record = [this, grounds, body, staff, from, labelled](RecordContext& ctx, const Case& c) -> Status {
    const std::string lang = decision_lang(from);
    const DecisionTemplate* tmpl = template_for(decisions_, c, from, Action::notice_of_grounds).value();
    std::string text = grounds;
    if (tmpl == nullptr) {
      // Just the grounds: the service's (or the default) notice around them.
      for (const auto* t : decisions_.for_service(c.service_code)) {
        if (t->action == Action::notice_of_grounds) {
          tmpl = t;
          break;
        }
      }
      if (tmpl != nullptr) {
        DecisionFacts f{body,
                        staff_name(staff),
                        grounds,
                        time::rome_date(ctx.now),
                        options_.grounds_answer_days,
                        options_.max_additions_suspension_days,
                        {},
                        {},
                        labelled};
        auto rendered = render_decision_text(tmpl->text(lang), decision_placeholders(c, f, lang), lang);
        if (!rendered) return rendered.error();
        text = std::move(*rendered);
        if (auto left = decisions_.unfilled_placeholder(text))
          return Error::for_field("cases.placeholder", "text", 400, *left);
      }
    }
    const Letter l =
        decision_letter(c, tmpl, Action::notice_of_grounds, lang, text, body, staff_name(staff), ctx.now);
    auto d = outgoing_letter(ctx, files_, protocol_, c, DocumentKind::notice, "preavviso-di-rigetto.pdf",
                             "Preavviso di rigetto (art. 10-bis L. 241/1990): " + c.title, l, lang);
    if (!d) return d.error();
    add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, "grounds", grounds, {*d},
                ctx.who.actor, ctx.at);
    return Ok{};
  };
  ch.notice = [this](const Case& c) {
    const auto last = grounds_answer_last_day(date_or(c.grounds_notified_on, time::rome_date(clock_.now())),
                                              options_.grounds_answer_days);
    return Notice{
        "grounds",
        true,
        {{"days", std::to_string(options_.grounds_answer_days)}, {"last_day", time::format_it_date(last)}}};
  };
  return apply(staff, tenant, case_id, Action::notice_of_grounds, grounds, ch);
}

Status CaseService::accept(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& decision,
                           const DecisionFrom& from) {
  if (auto st = check_text(decision, "decision", options_.max_text); !st) return st;
  if (auto left = decisions_.unfilled_placeholder(decision))
    return Error::for_field("cases.placeholder", "text", 400, *left);
  Change ch;
  ch.needs_aoo = true;
  ch.mutate = [this, from](Case& c, time::Date today) -> Status {
    if (auto t = template_for(decisions_, c, from, Action::accept); !t) return t.error();
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  const std::string body = body_name(tenants_, tenant);
  ch.record = [this, decision, body, staff, from](RecordContext& ctx, const Case& c) -> Status {
    const auto* tmpl = template_for(decisions_, c, from, Action::accept).value();
    return record_decision(ctx, files_, protocol_, c, Action::accept, decision, body, staff, tmpl,
                           decision_lang(from));
  };
  ch.notice = [](const Case&) { return Notice{"accepted", true, {}}; };
  return apply(staff, tenant, case_id, Action::accept, decision, ch);
}

Status CaseService::reject(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& decision,
                           const DecisionFrom& from) {
  if (auto st = check_text(decision, "decision", options_.max_text); !st) return st;
  if (auto left = decisions_.unfilled_placeholder(decision))
    return Error::for_field("cases.placeholder", "text", 400, *left);
  Change ch;
  ch.needs_aoo = true;
  ch.mutate = [this, from](Case& c, time::Date today) -> Status {
    if (auto t = template_for(decisions_, c, from, Action::reject); !t) return t.error();
    // Art. 10-bis: first the notice of grounds, then the applicant's observations or the end of their days.
    if (c.grounds_notified_on.empty()) return Error::make("cases.grounds_required", 409, c.id);
    const auto notified = date_or(c.grounds_notified_on, today);
    const bool answered = !c.grounds_answered_on.empty() && c.grounds_answered_on >= c.grounds_notified_on;
    const auto last_day = grounds_answer_last_day(notified, options_.grounds_answer_days);
    if (!answered && today <= last_day)
      return Error::make("cases.grounds_pending", 409,
                         time::format_iso_date(time::add_calendar_days(last_day, 1)));
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  const std::string body = body_name(tenants_, tenant);
  ch.record = [this, decision, body, staff, from](RecordContext& ctx, const Case& c) -> Status {
    const auto* tmpl = template_for(decisions_, c, from, Action::reject).value();
    return record_decision(ctx, files_, protocol_, c, Action::reject, decision, body, staff, tmpl,
                           decision_lang(from));
  };
  ch.notice = [](const Case&) { return Notice{"rejected", true, {}}; };
  return apply(staff, tenant, case_id, Action::reject, decision, ch);
}

Status CaseService::close(const identity::Principal* staff, tenants::TenantId tenant,
                          const std::string& case_id, const std::string& reason) {
  if (auto st = check_text(reason, "reason", options_.max_text); !st) return st;
  Change ch;
  ch.mutate = [this](Case& c, time::Date today) -> Status {
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  return apply(staff, tenant, case_id, Action::close, reason, ch);
}

// ---- Messages and notes (no change of state)
// ---------------------------------------------------------------

Status CaseService::send_message(const identity::Principal* who, tenants::TenantId tenant,
                                 const std::string& case_id, const std::string& body,
                                 const std::vector<std::string>& file_ids) {
  if (who == nullptr) return Error::make("auth.required", 401, "message");
  if (auto st = check_text(body, "body", options_.max_text); !st) return st;
  // Who the applicant is told through, for a message from the office.
  Recipient recipient;
  recipient.preferred = "none";
  if (profiles_ != nullptr && identity::authorize(who, identity::Permission::backoffice, tenant)) {
    if (auto cf = store_.applicant_of(tenant, case_id)) recipient = recipient_of(*cf);
  }
  bool refused = false;  // a person asked for someone else's case: audited below
  Status out = db::transact(db_, [&](db::Conn& tx) -> Status {
    auto c = CaseStore::find(tx, tenant, case_id);
    if (!c) return Error::not_found("case " + case_id);
    auto acc = access_to(who, tenant, *c);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      return acc.error();
    }
    if (c->state == State::withdrawn || c->state == State::closed)
      return Error::make("cases.transition", 409, std::string(to_string(c->state)) + " → message");
    const auto at = format_at(clock_.now());
    auto fs = message_files(tx, tenant, file_ids, options_.max_attachments);
    if (!fs) return fs.error();
    std::vector<Document> docs;
    for (const auto& f : *fs) {
      docs.push_back(document_of(*c, f, DocumentKind::attachment, acc->actor, at, nullptr));
      CaseStore::insert_document(tx, tenant, docs.back());
    }
    add_message(tx, tenant, *c,
                acc->staff ? MessageDirection::to_applicant : MessageDirection::from_applicant, "message",
                body, docs, acc->actor, at);
    if (auto st = audit_case(audit_, tx, tenant, *acc, *c, "case.message",
                             json_details({{"files", std::to_string(docs.size())}}));
        !st)
      return st.error();
    if (acc->staff) {
      send_notice(tx, notice_context(tenant, *c, at), *c, recipient, {"message", false, {}});
    }
    return Ok{};
  });
  if (refused) note_refused(who, tenant, case_id);
  if (out && notifier_) notifier_();
  return out;
}

Status CaseService::add_note(const identity::Principal* staff, tenants::TenantId tenant,
                             const std::string& case_id, const std::string& body) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st;
  if (auto st = check_text(body, "body", options_.max_text); !st) return st;
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto c = CaseStore::find(tx, tenant, case_id);
    if (!c) return Error::not_found("case " + case_id);
    Note n;
    n.case_id = c->id;
    n.body = body;
    n.who = "staff:" + staff->subject;
    n.at = format_at(clock_.now());
    CaseStore::insert_note(tx, tenant, n);
    return Ok{};
  });
}

// ---- Reading
// -----------------------------------------------------------------------------------------------

namespace {

std::vector<std::string> allowed_actions(const Case& c, bool staff, time::Date today, const Options& o) {
  std::vector<std::string> out;
  auto add_if = [&](Action a) {
    if (next_state(c.state, a)) out.emplace_back(to_string(a));
  };
  if (staff) {
    for (auto a : {Action::assign, Action::start, Action::request_additions, Action::resume,
                   Action::notice_of_grounds, Action::accept})
      add_if(a);
    if (next_state(c.state, Action::reject) && !c.grounds_notified_on.empty()) {
      const bool answered = !c.grounds_answered_on.empty() && c.grounds_answered_on >= c.grounds_notified_on;
      if (answered ||
          today > grounds_answer_last_day(date_or(c.grounds_notified_on, today), o.grounds_answer_days))
        out.emplace_back(to_string(Action::reject));
    }
    add_if(Action::close);
  } else {
    add_if(Action::answer_additions);
    if (next_state(c.state, Action::answer_grounds) &&
        today <= grounds_answer_last_day(date_or(c.grounds_notified_on, today), o.grounds_answer_days))
      out.emplace_back(to_string(Action::answer_grounds));
    add_if(Action::withdraw);
  }
  return out;
}

}  // namespace

void CaseService::note_refused(const identity::Principal* who, tenants::TenantId tenant,
                               const std::string& case_id) {
  if (who == nullptr) return;
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = who->is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
  e.actor_id = who->subject;
  if (who->acting_for) e.on_behalf_of = who->acting_for->id;
  e.channel = audit::Channel::web;
  e.action = "case.access_refused";
  e.record_type = "case";
  e.record_id = case_id;
  if (auto st = audit_.record(e); !st) spdlog::error("audit of a refused case access: {}", st.error().code);
}

Status CaseService::check_applicant_action(const identity::Principal* who, tenants::TenantId tenant,
                                           const std::string& case_id, const std::string& action) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  bool refused = false;
  std::optional<Status> out;
  db_.read([&](db::Conn& c) {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) {
      out.emplace(Error::not_found("case " + case_id));
      return;
    }
    auto acc = access_to(who, tenant, *found);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      out.emplace(acc.error());
      return;
    }
    if (acc->staff) {
      out.emplace(Error::make("cases.applicant", 403, action));
      return;
    }
    if (action == "message") {
      const bool open = found->state != State::withdrawn && found->state != State::closed;
      out.emplace(open ? Status(Ok{})
                       : Status(Error::make("cases.transition", 409, std::string(to_string(found->state)))));
      return;
    }
    const auto allowed = allowed_actions(*found, false, time::rome_date(clock_.now()), options_);
    if (std::find(allowed.begin(), allowed.end(), action) == allowed.end()) {
      out.emplace(
          Error::make("cases.transition", 409, std::string(to_string(found->state)) + " → " + action));
      return;
    }
    out.emplace(Ok{});
  });
  if (refused) note_refused(who, tenant, case_id);
  return std::move(*out);
}

Result<CaseView> CaseService::get(const identity::Principal* who, tenants::TenantId tenant,
                                  const std::string& case_id) {
  if (who == nullptr) return Error::make("auth.required", 401, "case");
  const bool staff = identity::authorize(who, identity::Permission::backoffice, tenant).ok();
  if (who->is_staff() && !staff && applicant_cf_of(who).empty()) return Error::forbidden("case");
  bool refused = false;  // a person asked for someone else's case: audited below
  auto load = [&](db::Conn& c) -> Result<CaseView> {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) return Error::not_found("case " + case_id);
    auto acc = access_to(who, tenant, *found);
    if (!acc) {
      if (acc.error().http_status == 404) refused = true;
      return acc.error();
    }
    CaseView v;
    const auto today = time::rome_date(clock_.now());
    v.deadline =
        deadline_at(*found, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    v.transitions = CaseStore::transitions(c, tenant, case_id);
    v.messages = CaseStore::messages(c, tenant, case_id);
    v.documents = CaseStore::documents(c, tenant, case_id);
    v.viewer_is_staff = acc->staff;
    if (acc->staff) v.notes = CaseStore::notes(c, tenant, case_id);  // never for the applicant
    v.allowed_actions = allowed_actions(*found, acc->staff, today, options_);
    v.c = std::move(*found);
    // Staff reading someone's application: on their "who accessed my data".
    if (acc->staff) {
      if (auto st = audit_case(audit_, c, tenant, *acc, v.c, "case.read", "{}"); !st) return st.error();
    }
    return v;
  };
  std::optional<Result<CaseView>> read;
  if (!staff) db_.read([&](db::Conn& c) { read.emplace(load(c)); });
  Result<CaseView> out = staff ? db::transact(db_, load) : std::move(*read);
  if (refused) note_refused(who, tenant, case_id);
  return out;
}

Result<std::vector<DecisionDraft>> CaseService::decision_drafts(const identity::Principal* staff,
                                                                tenants::TenantId tenant,
                                                                const std::string& case_id,
                                                                const std::string& lang,
                                                                const std::string& reasons) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (reasons.size() > options_.max_text) return invalid("cases.text", "reasons", "too long");
  const std::string language = lang == "en" ? "en" : "it";
  std::optional<Case> found;
  DecisionFacts f;
  db_.read([&](db::Conn& c) {
    found = CaseStore::find(c, tenant, case_id);
    if (!found) return;
    f.messages = CaseStore::messages(c, tenant, case_id);
    f.documents = CaseStore::documents(c, tenant, case_id);
  });
  if (!found) return Error::not_found("case " + case_id);
  f.body = body_name(tenants_, tenant);
  f.officer = staff_name(staff);
  f.reasons = reasons;
  f.answers = labelled_answers(*found, language);
  f.today = time::rome_date(clock_.now());
  f.grounds_days = options_.grounds_answer_days;
  f.max_additions_days = options_.max_additions_suspension_days;
  const auto allowed = allowed_actions(*found, true, f.today, options_);
  const auto values = decision_placeholders(*found, f, language);
  std::vector<DecisionDraft> out;
  for (const auto* t : decisions_.for_service(found->service_code)) {
    if (std::find(allowed.begin(), allowed.end(), to_string(t->action)) == allowed.end()) continue;
    auto text = render_decision_text(t->text(language), values, language);
    if (!text) return text.error();
    out.push_back({t->outcome, t->action, t->title(language), std::move(*text), t->source, language});
  }
  return out;
}

Result<DocumentContent> CaseService::document(const identity::Principal* who, tenants::TenantId tenant,
                                              const std::string& case_id, const std::string& document_id) {
  if (who == nullptr) return Error::make("auth.required", 401, "document");
  if (who->is_staff() && !identity::authorize(who, identity::Permission::backoffice, tenant) &&
      applicant_cf_of(who).empty())
    return Error::forbidden("document");
  bool refused = false;  // a person asked for someone else's case: audited below
  std::optional<Result<DocumentContent>> out;
  db_.read([&](db::Conn& c) {
    auto found = CaseStore::find(c, tenant, case_id);
    if (!found) {
      out.emplace(Error::not_found("case " + case_id));
      return;
    }
    if (auto acc = access_to(who, tenant, *found); !acc) {
      out.emplace(acc.error());
      if (acc.error().http_status == 404) refused = true;
      return;
    }
    auto d = CaseStore::document(c, tenant, case_id, document_id);
    if (!d) {
      out.emplace(Error::not_found("document " + document_id));
      return;
    }
    out.emplace(DocumentContent{std::move(*d), {}});
  });
  if (refused) note_refused(who, tenant, case_id);
  if (!*out) return std::move(*out);
  auto bytes = files_.read_content(tenant, out->value().doc.file_id);
  if (!bytes) return bytes.error();
  if (!bytes->has_value()) return Error::internal("case document without its file");
  out->value().bytes = std::move(**bytes);
  return std::move(*out);
}

Result<QueuePage> CaseService::queue(const identity::Principal* staff, tenants::TenantId tenant,
                                     const QueueFilter& f) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (f.limit < 1 || f.limit > kMaxPage) return invalid("cases.filter", "limit", "1 to 500");
  if (f.offset < 0) return invalid("cases.filter", "offset", "negative");
  const auto today = time::rome_date(clock_.now());
  QueueQuery q;
  q.office = f.office;
  q.state = f.state;
  q.open_only = f.open_only;
  q.service_code = f.service_code;
  q.assignee = f.assignee;
  q.silence_consent_only = f.silence_consent_only;
  q.overdue = f.overdue;
  q.days_left_max = f.days_left_max;
  q.today_day = day_number(today);
  q.limit = f.limit;
  q.offset = f.offset;
  // The database filters, counts, orders and pages (store.hpp); deadlines are computed for the page only.
  std::vector<Case> rows;
  QueuePage page;
  db_.read([&](db::Conn& c) {
    page.total = static_cast<int>(CaseStore::queue_count(c, tenant, q));
    rows = CaseStore::queue(c, tenant, q);
  });
  page.items.reserve(rows.size());
  for (auto& c : rows) {
    auto d = deadline_at(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    page.items.push_back({std::move(c), d});
  }
  return page;
}

Result<std::vector<std::string>> CaseService::offices(const identity::Principal* staff,
                                                      tenants::TenantId tenant) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  std::vector<std::string> out;
  db_.read([&](db::Conn& c) { out = CaseStore::offices(c, tenant); });
  return out;
}

std::vector<Case> CaseService::standing_mentioning(tenants::TenantId tenant, const std::string& form_code,
                                                   const std::string& code) {
  std::vector<Case> out;
  if (code.empty() || code.size() > 32 ||
      !std::all_of(code.begin(), code.end(), [](unsigned char ch) { return std::isalnum(ch) != 0; }))
    return out;
  db_.read([&](db::Conn& c) { out = CaseStore::mentioning(c, tenant, form_code, code, 20); });
  return out;
}

Result<std::vector<CaseSummary>> CaseService::my_cases(const identity::Principal* applicant) {
  if (applicant == nullptr) return Error::make("auth.required", 401, "my_cases");
  const std::string cf = applicant_cf_of(applicant);
  if (cf.empty()) return Error::make("cases.applicant", 403, "my_cases");
  std::string represented;
  if (applicant->kind == identity::PrincipalKind::person && applicant->acting_for)
    represented = applicant->acting_for->id;
  std::vector<Case> rows;
  db_.read([&](db::Conn& c) { rows = CaseStore::by_applicant(c, cf, represented, kMyCasesCap); });
  const auto today = time::rome_date(clock_.now());
  std::vector<CaseSummary> out;
  for (auto& c : rows) {
    auto d = deadline_at(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days);
    out.push_back({std::move(c), d});
  }
  return out;
}

Result<BulkResult> CaseService::bulk(const identity::Principal* staff, tenants::TenantId tenant,
                                     const std::vector<std::string>& case_ids, const BulkAction& action) {
  if (auto st = identity::authorize(staff, identity::Permission::backoffice, tenant); !st) return st.error();
  if (case_ids.size() > static_cast<std::size_t>(kMaxPage))
    return invalid("cases.filter", "ids", "at most 500");
  BulkResult out;
  std::set<std::string> seen;
  for (const auto& id : case_ids) {
    if (!seen.insert(id).second) continue;
    Status st = Ok{};
    switch (action.kind) {
      case BulkAction::Kind::assign:
        st = assign(staff, tenant, id, action.assignee, action.office);
        break;
      case BulkAction::Kind::start:
        st = start(staff, tenant, id);
        break;
      case BulkAction::Kind::close:
        st = close(staff, tenant, id, action.reason);
        break;
    }
    if (st) {
      out.done.push_back(id);
    } else {
      out.failed.emplace_back(id, st.error());
    }
  }
  return out;
}

}  // namespace sp::cases
