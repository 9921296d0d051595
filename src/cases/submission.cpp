#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <stdexcept>

#include "adapters/messaging/outbox.hpp"
#include "cases/pdf.hpp"
#include "cases/service_detail.hpp"
#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
using namespace service_detail;

// ---- Submission
// --------------------------------------------------------------------------------------------

struct CaseService::Applicant {
  std::string cf;
  std::string name;
  std::string on_behalf_of;
  std::string on_behalf_of_name;
  Channel channel = Channel::online;
  Access access;
};

Result<Submitted> CaseService::submit(const identity::Principal* applicant, tenants::TenantId tenant,
                                      const Submission& s) {
  if (applicant == nullptr) return Error::make("auth.required", 401, "submit");
  const std::string cf = applicant_cf_of(applicant);
  if (cf.empty()) return Error::make("cases.applicant", 403, "only a person or a counter operator submits");
  Applicant a;
  a.cf = cf;
  a.name = s.applicant_name;
  if (blank(a.name)) {
    a.name = applicant->kind == identity::PrincipalKind::person ? applicant->display_name
                                                                : applicant->assisting->name;
  }
  if (blank(a.name)) a.name = cf;
  if (applicant->kind == identity::PrincipalKind::person && applicant->acting_for) {
    a.on_behalf_of = applicant->acting_for->id;
    a.on_behalf_of_name = applicant->acting_for->name;
  }
  a.channel = applicant->kind == identity::PrincipalKind::person ? Channel::online : Channel::counter;
  a.access = applicant_access(applicant);
  return submit_as(a, tenant, s);
}

Result<Submitted> CaseService::submit_via_api(const ApiApplicant& program, tenants::TenantId tenant,
                                              const Submission& s) {
  if (program.key_id.empty()) return Error::make("auth.required", 401, "submit");
  if (!cf::validate_person(program.citizen_cf))
    return invalid("cases.applicant_cf", "fiscal_code", "not valid");
  Submission keyed = s;
  keyed.submission_key = api_key_prefix(program.key_id) + s.submission_key;
  Applicant a;
  a.cf = program.citizen_cf;
  a.name = blank(program.citizen_name) ? program.citizen_cf : program.citizen_name;
  a.channel = Channel::api;
  a.access.actor = "system:api-key:" + program.key_id;
  a.access.kind = audit::ActorKind::system;
  a.access.actor_id = "api-key:" + program.key_id;
  a.access.channel = audit::Channel::api;
  return submit_as(a, tenant, keyed);
}

std::string CaseService::api_key_prefix(const std::string& key_id) {
  return "api:" + key_id + ":";
}

Result<Case> CaseService::submitted_via_api(const std::string& key_id, tenants::TenantId tenant,
                                            const std::string& case_id) {
  std::optional<Case> c;
  if (!key_id.empty() && case_id.size() <= 64)
    db_.read([&](db::Conn& conn) { c = CaseStore::find(conn, tenant, case_id); });
  if (!c || c->channel != Channel::api || c->submission_key.rfind(api_key_prefix(key_id), 0) != 0)
    return Error::not_found("case " + case_id);
  return std::move(*c);
}

Result<Submitted> CaseService::submit_as(const Applicant& applicant, tenants::TenantId tenant,
                                         const Submission& s) {
  if (s.submission_key.empty() || s.submission_key.size() > kMaxKey || has_control(s.submission_key))
    return invalid("cases.submission_key", "submission_key", "1 to 200 printable characters");
  if (boost::json::serialize(s.answers).size() > kMaxAnswersBytes)
    return invalid("cases.answers", "answers", "too large");
  if (static_cast<int>(s.attachments.size()) > options_.max_attachments)
    return invalid("cases.attachment", "attachments", "too many");
  for (int attempt = 0;; ++attempt) {
    bool duplicate = false;
    try {
      auto r = submit_once(applicant, tenant, s, duplicate);
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

Result<Submitted> CaseService::submit_once(const Applicant& applicant, tenants::TenantId tenant,
                                           const Submission& s, bool& duplicate) {
  duplicate = false;
  // Outside the transaction: what does not change with it (reads on other connections).
  auto offering = catalog_.offering(tenant, s.service_code);
  if (!offering || offering->service.level < catalog::Level::online_application)
    return Error::make("cases.service", 404, s.service_code);
  const auto aoo = case_aoo(protocol_, tenant);
  const std::string body = body_name(tenants_, tenant);
  const std::string slug = body_slug(tenants_, tenant);
  const Recipient recipient = recipient_of(applicant.cf, tenant);
  const Access& who = applicant.access;

  auto out = db::transact(db_, [&](db::Conn& tx) -> Result<Submitted> {
    if (auto first = CaseStore::find_by_key(tx, tenant, applicant.cf, s.submission_key)) {
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
    c.applicant_cf = applicant.cf;
    c.applicant_name = applicant.name;
    c.on_behalf_of = applicant.on_behalf_of;
    c.on_behalf_of_name = applicant.on_behalf_of_name;
    c.channel = applicant.channel;
    c.answers = s.answers;
    c.state = State::submitted;
    c.office = offering->service.office.it;
    c.submitted_at = stored_instant(now);
    // Art. 2: the term runs from the receipt of the application; the day of receipt is not counted; a
    // term ending on a Sunday or a holiday ends on the next working day (model.hpp, legal_end()).
    c.deadline_days = offering->service.deadline_days.value_or(options_.default_deadline_days);
    c.due_date = legal_end(time::add_calendar_days(today, c.deadline_days));
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
      // The registered document is in Italian, the register's language.
      const auto t = [&](const char* key) { return i18n_.t("it", std::string("case_letter.") + key); };
      Letter l;
      l.heading = body;
      l.title = i18n_.format("it", "case_letter.summary_title", {{"title", c.title}});
      l.facts = {{t("applicant"), c.applicant_name + " (" + c.applicant_cf + ")"}};
      if (!c.on_behalf_of.empty())
        l.facts.emplace_back(t("on_behalf_of"), c.on_behalf_of_name + " (" + c.on_behalf_of + ")");
      l.facts.emplace_back(t("submitted_at"), time::format_it_datetime(now));
      l.facts.emplace_back(t("form_version"), std::to_string(c.form_version));  // not its code
      for (const auto& line : s.summary.empty() ? lines_from_answers(s.answers) : s.summary)
        l.paragraphs.push_back(line.label + ": " + line.value);
      // Its protocol number is stamped on the entry.
      l.footer = i18n_.format("it", "case_letter.summary_footer", {{"body", body}, {"title", c.title}});
      l.lang = i18n_.t("it", "pdf.lang");
      l.page_label = i18n_.t("it", "pdf.page_of");
      // The hub's digital stamp (docs/stamp.md), in this transaction: the registered file, its digest in
      // the protocol and the stamp registry are of the same bytes. The protocol number is not known yet
      // (the entry is registered below, with this file): the code carries none. A body without a stamp
      // key files an unstamped summary (logged), as the letters do.
      if (stamps_ != nullptr) {
        stamp::IssueRequest sr{tenant, "application-summary", l.title, "", "it", applicant.cf};
        auto issued = stamps_->issue(tx, sr, [&](const stamp::Block& b) {
          l.stamp = &b;
          return render_letter(l);
        });
        l.stamp = nullptr;
        if (issued) {
          pdf = std::move(issued->pdf);
        } else {
          spdlog::warn("application summary of case {} without the digital stamp: {} {}", c.id,
                       issued.error().code, issued.error().detail);
        }
      }
      if (pdf.empty()) pdf = render_letter(l);
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
    e.subject = i18n_.format("it", "case_register.subject.submit", {{"title", c.title}});
    e.correspondents = {applicant_party(c)};
    e.documents.push_back({protocollo::DocumentRole::primary, stored->file_name, stored->mime_type,
                           stored->size, stored->sha256, stored->id});
    for (const auto& f : attachments) {
      e.documents.push_back(
          {protocollo::DocumentRole::attachment, f.file_name, f.mime_type, f.size, f.sha256, f.id});
    }
    e.office = c.office;
    e.channel = c.channel == Channel::counter ? protocollo::Channel::counter : protocollo::Channel::online;
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

    // A service with a fee: its pagoPA position (or "pay at the counter") with the case, or nothing at all.
    if (auto st = open_fee(tx, registered, now); !st) return st.error();

    auto add_document = [&](const files::StoredFile& f, DocumentKind kind) {
      CaseStore::insert_document(tx, tenant, document_of(c, f, kind, who.actor, c.submitted_at, &*reg));
    };
    add_document(*stored, DocumentKind::application);
    for (const auto& f : attachments) add_document(f, DocumentKind::attachment);

    if (auto st = audit_case(audit_, tx, tenant, who, registered, "case.submit",
                             json_details({{"service", c.service_code},
                                           {"protocol", registered.protocol_label()},
                                           {"due_date", time::format_iso_date(c.due_date)}}));
        !st)
      return st.error();
    send_notice(tx,
                {i18n_, clock_, body, options_.public_url + "/area-personale/pratiche/" + slug + "/" + c.id,
                 c.submitted_at},
                registered, recipient,
                {"submitted",
                 false,
                 {{"segnatura", reg->segnatura}, {"due_date", time::format_it_date(c.due_date)}}});
    return Submitted{std::move(registered), false, reg->segnatura};
  });
  if (out && !duplicate && notifier_) notifier_();
  return out;
}

}  // namespace sp::cases
