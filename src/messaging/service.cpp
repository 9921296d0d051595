#include "messaging/service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "identity/permissions.hpp"

namespace sp::messaging {
namespace {

constexpr std::size_t kMaxSubject = 200;
constexpr std::size_t kMaxBody = 10'000;
constexpr std::size_t kMaxSms = 480;  // three concatenated SMS

bool has_control(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

bool known(const MessageType& t, std::string_view name) {
  for (auto p : kCommonPlaceholders)
    if (p == name) return true;
  return std::find(t.placeholders.begin(), t.placeholders.end(), name) != t.placeholders.end();
}

Error field_error(std::string code, std::string field, std::string detail = {}, int status = 422) {
  return Error::for_field("messaging." + code, std::move(field), status, std::move(detail));
}

}  // namespace

Status check_placeholders(const MessageType& type, std::string_view text, bool subject,
                          const std::string& field) {
  std::size_t pos = 0;
  while ((pos = text.find('{', pos)) != std::string_view::npos) {
    const auto end = text.find('}', pos + 1);
    if (end == std::string_view::npos)
      return field_error("placeholder_syntax", field, std::string(text.substr(pos, 20)));
    const auto name = text.substr(pos + 1, end - pos - 1);
    if (name.find('{') != std::string_view::npos || name.empty())
      return field_error("placeholder_syntax", field, "{" + std::string(name.substr(0, 20)));
    if (subject) {
      for (auto p : kPersonalPlaceholders)
        if (p == name) return field_error("placeholder_personal", field, "{" + std::string(name) + "}");
    }
    if (!known(type, name))
      return field_error("placeholder_unknown", field, "{" + std::string(name.substr(0, 40)) + "}");
    pos = end + 1;
  }
  return Ok{};
}

MessagingService::MessagingService(db::Database& db, audit::AuditService& audit,
                                   identity::ProfileService& profiles, const time::Clock& clock)
    : db_(db), audit_(audit), profiles_(profiles), clock_(clock) {}

Contacts MessagingService::contacts_of(const std::string& fiscal_code) {
  Contacts c;
  c.fiscal_code = fiscal_code;
  c.preferred = "none";
  auto p = profiles_.show(fiscal_code);
  if (!p) return c;
  if (!p->email.empty() && !p->email_verified_at.empty()) c.email = p->email;
  if (!p->mobile.empty() && !p->mobile_verified_at.empty()) c.mobile = p->mobile;
  if (!p->pec.empty() && !p->pec_verified_at.empty()) c.pec = p->pec;
  c.preferred = p->preferred_channel;
  return c;
}

Plan MessagingService::route(const std::string& fiscal_code, const std::string& type) {
  const auto* t = find_type(type);
  if (!t || fiscal_code.empty()) return {};
  const auto choices = store::preferences(db_, fiscal_code);
  auto it = choices.find(type);
  return plan(contacts_of(fiscal_code), *t,
              it == choices.end() || !person_chooses(*t) ? std::string() : it->second);
}

std::map<std::string, Plan> MessagingService::plans(const std::string& fiscal_code,
                                                    const std::vector<std::string>& types) {
  std::map<std::string, Plan> out;
  if (fiscal_code.empty()) return out;
  const auto contacts = contacts_of(fiscal_code);
  const auto choices = store::preferences(db_, fiscal_code);
  for (const auto& type : types) {
    const auto* t = find_type(type);
    if (!t) continue;
    auto it = choices.find(type);
    out[type] = plan(contacts, *t, it == choices.end() || !person_chooses(*t) ? std::string() : it->second);
  }
  return out;
}

std::map<std::string, Texts> MessagingService::raw_texts(std::int64_t tenant_id, const std::string& lang) {
  std::map<std::string, Texts> out;
  for (const auto& row : store::templates(db_, tenant_id))
    if (row.lang == lang) out[row.type] = Texts{row.subject, row.body, row.sms};
  return out;
}

std::string MessagingService::language_of(const std::string& fiscal_code) {
  auto p = profiles_.show(fiscal_code);
  return p && p->preferred_language == "en" ? "en" : "it";
}

int MessagingService::payment_due_days(std::int64_t tenant_id) {
  return store::payment_due_days(db_, tenant_id);
}

Status MessagingService::set_payment_due_days(const identity::Principal* who, std::int64_t tenant,
                                              const std::string& days) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  int n = 0;
  try {
    std::size_t used = 0;
    n = std::stoi(days, &used);
    if (used != days.size()) n = 0;
  } catch (...) {
    n = 0;
  }
  if (n < 1 || n > 30) return Error::for_field("messaging.due_days", "payment_due_days", 422, days);
  db_.write([&](db::Conn& tx) {
    store::set_payment_due_days(tx, tenant, n, time::format_iso_utc(clock_.now()), who->subject);
    audit_staff(tx, who, tenant, "messaging.settings.update", "messaging_settings", std::to_string(tenant),
                R"({"payment_due_days":)" + std::to_string(n) + "}");
  });
  return Ok{};
}

BodyContacts MessagingService::body_contacts(std::int64_t tenant_id) {
  return body_contacts_ ? body_contacts_(tenant_id) : BodyContacts{};
}

std::optional<Texts> MessagingService::texts(std::int64_t tenant_id, const std::string& type,
                                             const std::string& lang,
                                             std::map<std::string, std::string> values) {
  auto row = store::template_for(db_, tenant_id, type, lang == "en" ? "en" : "it");
  if (!row) return std::nullopt;
  const auto b = body_contacts(tenant_id);
  if (!b.name.empty()) values["body"] = b.name;
  values.emplace("body_email", b.email.empty() ? "—" : b.email);
  values.emplace("body_pec", b.pec.empty() ? "—" : b.pec);
  values.emplace("body_phone", b.phone.empty() ? "—" : b.phone);
  return Texts{fill(row->subject, values), fill(row->body, values), fill(row->sms, values)};
}

// --- the person -------------------------------------------------------------------------------------

Result<std::vector<TypeChoice>> MessagingService::preferences(const identity::Principal* who) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  const auto contacts = contacts_of(who->subject);
  const auto choices = store::preferences(db_, who->subject);
  std::vector<TypeChoice> out;
  for (const auto& t : message_types()) {
    if (t.cls == TypeClass::code) continue;
    TypeChoice c;
    c.type = &t;
    if (auto it = choices.find(std::string(t.name)); it != choices.end() && person_chooses(t))
      c.choice = it->second;
    c.plan = plan(contacts, t, c.choice);
    out.push_back(std::move(c));
  }
  return out;
}

Status MessagingService::set_preferences(const identity::Principal* who,
                                         const std::map<std::string, std::string>& choices) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  if (who->assisting) return Error::make("forbidden", 403, "assisting");
  const auto contacts = contacts_of(who->subject);
  const auto usable = choosable(contacts);
  for (const auto& [type, channel] : choices) {
    const auto* t = find_type(type);
    if (!t || !person_chooses(*t))
      return field_error("type", "pref_" + type.substr(0, 40), type.substr(0, 40));
    if (channel.empty()) continue;
    auto ch = parse_channel(channel);
    if (!ch || std::find(usable.begin(), usable.end(), *ch) == usable.end())
      return field_error("channel_unusable", "pref_" + type, channel.substr(0, 16));
  }
  const auto now = time::format_iso_utc(clock_.now());
  const auto before = store::preferences(db_, who->subject);
  db_.write([&](db::Conn& tx) {
    boost::json::object changed;
    for (const auto& [type, channel] : choices) {
      auto it = before.find(type);
      const std::string old = it == before.end() ? std::string() : it->second;
      if (old == channel) continue;
      store::set_preference(tx, who->subject, type, channel, now);
      changed[type] = channel.empty() ? "default" : channel;
    }
    if (changed.empty()) return;
    audit::Entry e;
    e.tenant_id = audit::kHubTenant;
    e.actor_kind = audit::ActorKind::person;
    e.actor_id = who->subject;
    e.channel = audit::Channel::web;
    e.action = "messaging.preferences.update";
    e.record_type = std::string(audit::kRecordPerson);
    e.record_id = who->subject;
    e.details = boost::json::serialize(changed);
    audit_.record_or_throw(tx, e);
  });
  return Ok{};
}

Result<std::vector<StoredMessage>> MessagingService::my_messages(const identity::Principal* who) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  return list_messages(db_, MessageQuery{.person = who->subject, .limit = 200});
}

Result<MessageDetail> MessagingService::my_message(const identity::Principal* who, const std::string& id) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  auto m = find_message_for_person(db_, who->subject, id);
  if (!m) return Error::not_found("message");
  MessageDetail d{*m, list_attempts(db_, m->message.tenant_id, m->id)};
  return d;
}

// --- staff -------------------------------------------------------------------------------------------

Result<std::vector<StoredMessage>> MessagingService::body_messages(const identity::Principal* who,
                                                                   std::int64_t tenant,
                                                                   const std::string& status) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  if (!status.empty() && !parse_state(status)) return std::vector<StoredMessage>{};
  return list_messages(db_, MessageQuery{.tenant_id = tenant, .status = status, .limit = 200});
}

Result<MessageDetail> MessagingService::body_message(const identity::Principal* who, std::int64_t tenant,
                                                     const std::string& id) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  auto m = find_message(db_, tenant, id);
  if (!m) return Error::not_found("message");
  MessageDetail d{*m, list_attempts(db_, tenant, id), pec::list_receipts(db_, tenant, id),
                  fallback_for(db_, tenant, id).value_or("")};
  return d;
}

void MessagingService::audit_staff(db::Conn& tx, const identity::Principal* who, std::int64_t tenant,
                                   const std::string& action, const std::string& record_type,
                                   const std::string& record_id, const std::string& details) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = audit::ActorKind::staff;
  e.actor_id = who->subject;
  e.channel = audit::Channel::web;
  e.action = action;
  e.record_type = record_type;
  e.record_id = record_id;
  e.details = details;
  audit_.record_or_throw(tx, e);
}

Result<Change> MessagingService::retry(const identity::Principal* who, std::int64_t tenant,
                                       const std::string& id) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  auto r = retry_message(db_, tenant, id, clock_.now());
  if (!r) return r.error();
  if (*r == Change::moved) {
    db_.write([&](db::Conn& tx) { audit_staff(tx, who, tenant, "messaging.retry", "message", id, "{}"); });
    if (notifier_) notifier_();
  }
  return r;
}

Result<Change> MessagingService::cancel(const identity::Principal* who, std::int64_t tenant,
                                        const std::string& id) {
  if (auto st = identity::authorize(who, identity::Permission::backoffice, tenant); !st) return st.error();
  auto r = cancel_message(db_, tenant, id, clock_.now());
  if (!r) return r.error();
  if (*r == Change::moved)
    db_.write([&](db::Conn& tx) { audit_staff(tx, who, tenant, "messaging.cancel", "message", id, "{}"); });
  return r;
}

// --- templates -----------------------------------------------------------------------------------------

Result<std::vector<store::TemplateRow>> MessagingService::templates(const identity::Principal* who,
                                                                    std::int64_t tenant) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  return store::templates(db_, tenant);
}

Result<int> MessagingService::save_template(const identity::Principal* who, std::int64_t tenant,
                                            const TemplateForm& form) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  const auto* t = find_type(form.type);
  if (!t || !has_template(*t)) return field_error("type", "type", form.type.substr(0, 40));
  if (form.lang != "it" && form.lang != "en") return field_error("lang", "lang", form.lang.substr(0, 8));
  const struct {
    const std::string& text;
    const char* field;
    std::size_t max;
    bool subject, newlines;
  } parts[] = {{form.subject, "subject", kMaxSubject, true, false},
               {form.body, "body", kMaxBody, false, true},
               {form.sms, "sms", kMaxSms, false, false}};
  for (const auto& p : parts) {
    if (p.text.find_first_not_of(" \t\r\n") == std::string::npos)
      return field_error("template_empty", p.field);
    if (p.text.size() > p.max) return field_error("template_long", p.field, std::to_string(p.max));
    if (has_control(p.text, p.newlines)) return field_error("template_text", p.field);
    if (auto st = check_placeholders(*t, p.text, p.subject, p.field); !st) return st.error();
  }
  store::TemplateRow row{tenant,      form.type, form.lang, form.subject,
                         form.body,   form.sms,  0,         time::format_iso_utc(clock_.now()),
                         who->subject};
  int version = 0;
  db_.write([&](db::Conn& tx) {
    version = store::put_template(tx, row);
    audit_staff(tx, who, tenant, "messaging.template.save", "message_template", form.type + "/" + form.lang,
                boost::json::serialize(boost::json::object{{"version", version}}));
  });
  return version;
}

Status MessagingService::reset_template(const identity::Principal* who, std::int64_t tenant,
                                        const std::string& type, const std::string& lang) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  bool removed = false;
  db_.write([&](db::Conn& tx) {
    removed = store::delete_template(tx, tenant, type, lang);
    if (removed)
      audit_staff(tx, who, tenant, "messaging.template.reset", "message_template", type + "/" + lang, "{}");
  });
  if (!removed) return Error::not_found("template");
  return Ok{};
}

}  // namespace sp::messaging
