#include "messaging/store.hpp"

namespace sp::messaging::store {
namespace {

constexpr const char* kDueDays = "SELECT payment_due_days FROM messaging_settings WHERE tenant_id = $1";
constexpr const char* kAllDueDays = "SELECT tenant_id, payment_due_days FROM messaging_settings";
constexpr const char* kSetDueDays =
    "INSERT INTO messaging_settings (tenant_id, payment_due_days, updated_at, updated_by) VALUES ($1, $2, "
    "$3, $4) "
    "ON CONFLICT (tenant_id) DO UPDATE SET payment_due_days = excluded.payment_due_days, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by";
constexpr const char* kReminded =
    "SELECT 1 FROM payment_due_reminders WHERE tenant_id = $1 AND option_id = $2";
constexpr const char* kRecordReminder =
    "INSERT INTO payment_due_reminders (tenant_id, option_id, due_date, person, messages, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

constexpr const char* kPreferences =
    "SELECT message_type, channel FROM message_preferences WHERE fiscal_code = $1 ORDER BY message_type";
constexpr const char* kSetPreference =
    "INSERT INTO message_preferences (fiscal_code, message_type, channel, updated_at) VALUES ($1, $2, $3, "
    "$4) "
    "ON CONFLICT (fiscal_code, message_type) DO UPDATE SET channel = excluded.channel, "
    "updated_at = excluded.updated_at";
constexpr const char* kDeletePreference =
    "DELETE FROM message_preferences WHERE fiscal_code = $1 AND message_type = $2";

constexpr const char* kTemplateColumns =
    "tenant_id, message_type, lang, subject, body, sms, version, updated_at, updated_by";
const std::string kTemplates = std::string("SELECT ") + kTemplateColumns +
                               " FROM message_templates WHERE tenant_id = $1 ORDER BY message_type, lang";
const std::string kTemplate =
    std::string("SELECT ") + kTemplateColumns +
    " FROM message_templates WHERE tenant_id = $1 AND message_type = $2 AND lang = $3";
constexpr const char* kVersion =
    "SELECT version FROM message_templates WHERE tenant_id = $1 AND message_type = $2 AND lang = $3";
constexpr const char* kPutTemplate =
    "INSERT INTO message_templates (tenant_id, message_type, lang, subject, body, sms, version, updated_at, "
    "updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, message_type, lang) DO "
    "UPDATE SET subject = excluded.subject, body = excluded.body, sms = excluded.sms, version = "
    "excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
constexpr const char* kDeleteTemplate =
    "DELETE FROM message_templates WHERE tenant_id = $1 AND message_type = $2 AND lang = $3";

TemplateRow template_row(const db::Row& r) {
  TemplateRow t;
  t.tenant_id = r.i64(0);
  t.type = r.text(1);
  t.lang = r.text(2);
  t.subject = r.text(3);
  t.body = r.text(4);
  t.sms = r.text(5);
  t.version = static_cast<int>(r.i64(6));
  t.updated_at = r.text(7);
  t.updated_by = r.text(8);
  return t;
}

}  // namespace

std::map<std::string, std::string> preferences(db::Database& db, const std::string& fiscal_code) {
  std::map<std::string, std::string> out;
  for (auto& [type, channel] : db::read_all(db, kPreferences, {fiscal_code}, [](const db::Row& r) {
         return std::pair<std::string, std::string>(r.text(0), r.text(1));
       }))
    out.emplace(type, channel);
  return out;
}

void set_preference(db::Conn& tx, const std::string& fiscal_code, const std::string& type,
                    const std::string& channel, const std::string& now) {
  if (channel.empty()) {
    tx.exec(kDeletePreference, {fiscal_code, type});
  } else {
    tx.exec(kSetPreference, {fiscal_code, type, channel, now});
  }
}

std::vector<TemplateRow> templates(db::Database& db, std::int64_t tenant_id) {
  return db::read_all(db, kTemplates, {tenant_id}, template_row);
}

std::optional<TemplateRow> template_for(db::Database& db, std::int64_t tenant_id, const std::string& type,
                                        const std::string& lang) {
  return db::read_one(db, kTemplate, {tenant_id, type, lang}, template_row);
}

int put_template(db::Conn& tx, const TemplateRow& t) {
  auto v = tx.query_one(kVersion, {t.tenant_id, t.type, t.lang});
  const int version = v ? static_cast<int>(v->i64(0)) + 1 : 1;
  tx.exec(kPutTemplate, {t.tenant_id, t.type, t.lang, t.subject, t.body, t.sms, std::int64_t{version},
                         t.updated_at, t.updated_by});
  return version;
}

bool delete_template(db::Conn& tx, std::int64_t tenant_id, const std::string& type, const std::string& lang) {
  return tx.exec(kDeleteTemplate, {tenant_id, type, lang}) > 0;
}

int payment_due_days(db::Database& db, std::int64_t tenant_id) {
  auto v =
      db::read_one(db, kDueDays, {tenant_id}, [](const db::Row& r) { return static_cast<int>(r.i64(0)); });
  return v.value_or(3);
}

std::map<std::int64_t, int> all_payment_due_days(db::Database& db) {
  std::map<std::int64_t, int> out;
  db.read([&](db::Conn& c) {
    for (const auto& r : c.query(kAllDueDays)) out[r.i64(0)] = static_cast<int>(r.i64(1));
  });
  return out;
}

void set_payment_due_days(db::Conn& tx, std::int64_t tenant_id, int days, const std::string& now,
                          const std::string& by) {
  tx.exec(kSetDueDays, {tenant_id, std::int64_t{days}, now, by});
}

bool payment_reminded(db::Conn& tx, std::int64_t tenant_id, std::int64_t option_id) {
  return tx.query_one(kReminded, {tenant_id, option_id}).has_value();
}

void record_payment_reminder(db::Conn& tx, std::int64_t tenant_id, std::int64_t option_id,
                             const std::string& due_date, const std::string& person, int messages,
                             const std::string& now) {
  tx.exec(kRecordReminder, {tenant_id, option_id, due_date, person, std::int64_t{messages}, now});
}

}  // namespace sp::messaging::store
