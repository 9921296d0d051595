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
#include "core/ids.hpp"
#include "core/money.hpp"
#include "forms/context.hpp"
#include "identity/applicant.hpp"
#include "identity/permissions.hpp"

namespace sp::cases {
using namespace service_detail;

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
    return applicant_answer(ctx, protocol_, c, MessageKind::additions_answer,
                            register_subject(i18n_, Action::answer_additions, c.title), message, file_ids,
                            options_.max_attachments);
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
      return Error::make(
          "cases.answer_late", 409,
          c.grounds_notified_on ? time::format_iso_date(*c.grounds_notified_on) : std::string());
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, true);
    c.grounds_answered_on = today;
    return Ok{};
  };
  ch.record = [this, message, file_ids](RecordContext& ctx, const Case& c) {
    return applicant_answer(ctx, protocol_, c, MessageKind::grounds_answer,
                            register_subject(i18n_, Action::answer_grounds, c.title), message, file_ids,
                            options_.max_attachments);
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
    c.suspended_since = today;
    return Ok{};
  };
  const std::string body = body_name(tenants_, tenant);
  ch.record = [this, message, body, staff](RecordContext& ctx, const Case& c) -> Status {
    const Letter l = decision_letter(i18n_, c, nullptr, Action::request_additions, "it", message, body,
                                     staff_name(staff), ctx.now);
    auto d = outgoing_letter(ctx, files_, protocol_, c, DocumentKind::notice,
                             letter_file_stem(i18n_, Action::request_additions) + ".pdf",
                             register_subject(i18n_, Action::request_additions, c.title), l, "it");
    if (!d) return d.error();
    add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, MessageKind::additions_request,
                message, {*d}, ctx.who.actor, ctx.at);
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
    c.suspended_since = today;
    c.grounds_notified_on = today;
    c.grounds_answered_on.reset();
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
    const Letter l = decision_letter(i18n_, c, tmpl, Action::notice_of_grounds, lang, text, body,
                                     staff_name(staff), ctx.now);
    auto d = outgoing_letter(ctx, files_, protocol_, c, DocumentKind::notice,
                             letter_file_stem(i18n_, Action::notice_of_grounds) + ".pdf",
                             register_subject(i18n_, Action::notice_of_grounds, c.title), l, lang);
    if (!d) return d.error();
    add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, MessageKind::grounds, grounds, {*d},
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

// Accepting and rejecting: the decision's text (no placeholder left), the template it says it came from,
// the suspension ended, and the decision letter registered as outgoing protocol. `precondition` adds what
// one of them alone requires (rejecting: the notice of grounds and its days first).
Status CaseService::decide(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& decision, const DecisionFrom& from,
                           Action action, std::function<Status(const Case&, time::Date)> precondition) {
  if (auto st = check_text(decision, "decision", options_.max_text); !st) return st;
  if (auto left = decisions_.unfilled_placeholder(decision))
    return Error::for_field("cases.placeholder", "text", 400, *left);
  Change ch;
  ch.needs_aoo = true;
  ch.mutate = [this, from, action, precondition](Case& c, time::Date today) -> Status {
    if (auto t = template_for(decisions_, c, from, action); !t) return t.error();
    if (precondition) {
      if (auto st = precondition(c, today); !st) return st;
    }
    end_suspension(c, today, options_.grounds_answer_days, options_.max_additions_suspension_days, false);
    return Ok{};
  };
  const std::string body = body_name(tenants_, tenant);
  ch.record = [this, decision, body, staff, from, action](RecordContext& ctx, const Case& c) -> Status {
    const auto* tmpl = template_for(decisions_, c, from, action).value();
    return record_decision(ctx, files_, protocol_, c, action, decision, body, staff, tmpl,
                           decision_lang(from));
  };
  const std::string notice = action == Action::accept ? "accepted" : "rejected";
  ch.notice = [notice](const Case&) { return Notice{notice, true, {}}; };
  return apply(staff, tenant, case_id, action, decision, ch);
}

Status CaseService::accept(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& decision,
                           const DecisionFrom& from) {
  return decide(staff, tenant, case_id, decision, from, Action::accept, {});
}

Status CaseService::reject(const identity::Principal* staff, tenants::TenantId tenant,
                           const std::string& case_id, const std::string& decision,
                           const DecisionFrom& from) {
  // Art. 10-bis: first the notice of grounds, then the applicant's observations or the end of their days.
  auto grounds_done = [this](const Case& c, time::Date today) -> Status {
    if (!c.grounds_notified_on) return Error::make("cases.grounds_required", 409, c.id);
    const auto notified = *c.grounds_notified_on;
    const bool answered = c.grounds_answered_on && *c.grounds_answered_on >= notified;
    const auto last_day = grounds_answer_last_day(notified, options_.grounds_answer_days);
    if (!answered && today <= last_day)
      return Error::make("cases.grounds_pending", 409,
                         time::format_iso_date(time::add_calendar_days(last_day, 1)));
    return Ok{};
  };
  return decide(staff, tenant, case_id, decision, from, Action::reject, grounds_done);
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
    if (auto cf = store_.applicant_of(tenant, case_id)) recipient = recipient_of(*cf, tenant);
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
    const auto at = stored_instant(clock_.now());
    auto fs = message_files(tx, tenant, file_ids, options_.max_attachments);
    if (!fs) return fs.error();
    std::vector<Document> docs;
    for (const auto& f : *fs) {
      docs.push_back(document_of(*c, f, DocumentKind::attachment, acc->actor, at, nullptr));
      CaseStore::insert_document(tx, tenant, docs.back());
    }
    add_message(tx, tenant, *c,
                acc->staff ? MessageDirection::to_applicant : MessageDirection::from_applicant,
                MessageKind::message, body, docs, acc->actor, at);
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
    n.at = stored_instant(clock_.now());
    CaseStore::insert_note(tx, tenant, n);
    return Ok{};
  });
}

Status CaseService::add_counter_note(const identity::Principal* counter, tenants::TenantId tenant,
                                     const std::string& case_id, const std::string& body) {
  if (!identity::applies_at_counter(counter)) return Error::forbidden("case");
  if (auto st = check_text(body, "body", options_.max_text); !st) return st;
  const std::string cf = identity::applicant_cf(counter);
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto c = CaseStore::find(tx, tenant, case_id);
    if (!c || c->applicant_cf != cf) return Error::not_found("case " + case_id);
    Note n;
    n.case_id = c->id;
    n.body = body;
    n.who = "staff:" + counter->subject;
    n.at = stored_instant(clock_.now());
    CaseStore::insert_note(tx, tenant, n);
    return Ok{};
  });
}

}  // namespace sp::cases
