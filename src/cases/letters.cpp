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

// ---- Pieces the actions record ----------------------------------------------------------------------------

namespace service_detail {

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
                 MessageKind kind, const std::string& body, const std::vector<Document>& documents,
                 const std::string& who, time::TimePoint at) {
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

}  // namespace service_detail

namespace service_detail {

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
        l.lang = ctx.i18n->t(lang, "pdf.lang");
        l.page_label = ctx.i18n->t(lang, "pdf.page_of");
        const std::string number = protocollo::format_number(r.number) + "/" + std::to_string(r.year);
        l.facts.insert(l.facts.begin(), {ctx.i18n->t(lang, "case_letter.protocol"),
                                         ctx.i18n->format(lang, "case_letter.protocol_value",
                                                          {{"number", number},
                                                           {"date", time::format_it_date(r.registered_at)},
                                                           {"segnatura", r.segnatura}})});
        std::string bytes;
        if (ctx.stamps != nullptr) {
          stamp::IssueRequest sr{
              c.tenant_id, "case-letter",     l.title,
              number,      std::string(lang), ctx.principal != nullptr ? ctx.principal->subject : "system"};
          auto issued = ctx.stamps->issue(ctx.tx, sr, [&](const stamp::Block& b) {
            l.stamp = &b;
            return render_letter(l);
          });
          if (issued) {
            bytes = std::move(issued->pdf);
          } else {
            spdlog::warn("letter of case {} without the digital stamp: {} {}", c.id, issued.error().code,
                         issued.error().detail);
          }
        }
        if (bytes.empty()) {
          l.stamp = nullptr;
          bytes = render_letter(l);
        }
        auto s = files.put(ctx.tx, c.tenant_id, file_name, bytes, pdf_only);
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
  ctx.notice_documents.emplace_back(stored->id, stored->file_name);
  return d;
}

// What the applicant sends back (additions, observations): a message, its files as documents and, when
// there are files, an incoming protocol entry holding them (the first file as the primary document).
Status applicant_answer(RecordContext& ctx, protocollo::ProtocolService& protocol, const Case& c,
                        MessageKind kind, const std::string& subject, const std::string& text,
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
    e.channel = c.channel == Channel::counter ? protocollo::Channel::counter : protocollo::Channel::online;
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
  const std::string submitted_on = time::format_it_date(c.submitted_at);
  v["protocol_date"] = submitted_on;  // registered in the same transaction as the submission
  v["submitted_on"] = submitted_on;
  v["case_id"] = c.id;
  v["deadline_days"] = std::to_string(c.deadline_days);
  v["due_date"] = time::format_it_date(deadline_at(c, f.today, f.grounds_days, f.max_additions_days).due);
  v["today"] = time::format_it_date(f.today);
  v["fee"] = c.fee_cents_due ? money::format(*c.fee_cents_due, lang) : std::string();
  v["grounds_days"] = std::to_string(f.grounds_days);
  v["grounds_date"] = c.grounds_notified_on ? time::format_it_date(*c.grounds_notified_on) : std::string();
  // The letter of the last notice of grounds (a request for additions is a "notice" document too).
  std::string grounds_protocol;
  for (const auto& m : f.messages) {
    if (m.kind != MessageKind::grounds || m.attachments.empty()) continue;
    for (const auto& d : f.documents) {
      if (d.id == m.attachments.front() && d.protocol_number > 0)
        grounds_protocol =
            protocollo::format_number(d.protocol_number) + "/" + std::to_string(d.protocol_year);
    }
  }
  v["grounds_protocol"] = grounds_protocol;
  std::string observations, observations_date;
  for (const auto& m : f.messages) {
    if (m.kind == MessageKind::grounds_answer) {
      observations = m.body;
      observations_date = time::format_it_date(m.at);
    }
  }
  v["observations"] = observations;
  v["observations_date"] = observations_date;
  v["reasons"] = f.reasons;
  v["answers"] = f.answers.empty() ? c.answers : f.answers;  // labels, not codes
  v["answer_codes"] = c.answers;
  return v;
}

std::string register_subject(const I18n& i18n, Action action, const std::string& title) {
  return i18n.format("it", "case_register.subject." + std::string(to_string(action)), {{"title", title}});
}

std::string letter_file_stem(const I18n& i18n, Action action) {
  return i18n.t("it", "case_register.file." + std::string(to_string(action)));
}

// A decision's letter: the body (and office) as heading, the template's title (or the action's), the
// references, the text in paragraphs (blank lines), and the officer responsible.
Letter decision_letter(const I18n& i18n, const Case& c, const DecisionTemplate* tmpl, Action action,
                       std::string_view lang, const std::string& text, const std::string& body,
                       const std::string& officer, time::TimePoint now) {
  Letter l;
  l.heading = c.office.empty() ? body : body + "\n" + c.office;
  l.title = tmpl != nullptr ? tmpl->title(lang)
                            : i18n.t(lang, "case_letter.title." + std::string(to_string(action)));
  const auto t = [&](const char* key) { return i18n.t(lang, std::string("case_letter.") + key); };
  l.facts = {{t("addressee"), c.applicant_name + " (" + c.applicant_cf + ")"},
             {t("application"), c.title},
             {t("application_protocol"), i18n.format(lang, "case_letter.application_protocol_value",
                                                     {{"protocol", c.protocol_label()},
                                                      {"at", time::format_it_datetime(c.submitted_at)}})},
             {t("date"), time::format_it_date(now)}};
  if (!c.on_behalf_of.empty())
    l.facts.insert(l.facts.begin() + 1,
                   {t("on_behalf_of"), c.on_behalf_of_name + " (" + c.on_behalf_of + ")"});
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
  l.paragraphs.push_back(t("officer") + "\n" + officer);
  l.footer = i18n.format(lang, "case_letter.footer", {{"body", body}, {"protocol", c.protocol_label()}});
  return l;
}

// The decision: a letter registered as outgoing protocol, and a message to the applicant carrying it.
Status record_decision(RecordContext& ctx, files::FileService& files, protocollo::ProtocolService& protocol,
                       const Case& c, Action action, const std::string& decision, const std::string& body,
                       const identity::Principal* staff, const DecisionTemplate* tmpl,
                       std::string_view lang) {
  const Letter l =
      decision_letter(*ctx.i18n, c, tmpl, action, lang, decision, body, staff_name(staff), ctx.now);
  std::string file_name = letter_file_stem(*ctx.i18n, action);
  if (tmpl != nullptr && tmpl->outcome != to_string(action)) file_name += "-" + tmpl->outcome;
  const std::string subject =
      tmpl != nullptr ? tmpl->title_it + ": " + c.title : register_subject(*ctx.i18n, action, c.title);
  auto d =
      outgoing_letter(ctx, files, protocol, c, DocumentKind::decision, file_name + ".pdf", subject, l, lang);
  if (!d) return d.error();
  add_message(ctx.tx, c.tenant_id, c, MessageDirection::to_applicant, MessageKind::decision, decision, {*d},
              ctx.who.actor, ctx.at);
  return Ok{};
}

}  // namespace service_detail

}  // namespace sp::cases
