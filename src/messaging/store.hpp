#pragma once
// All the SQL of the messaging module's own tables: message_preferences (a person's channel per
// message type) and message_templates (a body's texts per message type and language). The messages and
// their attempts are the outbox's (adapters/messaging/outbox.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace sp::messaging::store {

// type → channel
std::map<std::string, std::string> preferences(db::Database& db, const std::string& fiscal_code);
// channel "" deletes the row (back to the default).
void set_preference(db::Conn& tx, const std::string& fiscal_code, const std::string& type,
                    const std::string& channel, const std::string& now);

struct TemplateRow {
  std::int64_t tenant_id = 0;
  std::string type, lang, subject, body, sms;
  int version = 0;
  std::string updated_at, updated_by;
};
std::vector<TemplateRow> templates(db::Database& db, std::int64_t tenant_id);
std::optional<TemplateRow> template_for(db::Database& db, std::int64_t tenant_id, const std::string& type,
                                        const std::string& lang);
// Inserts or replaces (version + 1). Returns the new version.
int put_template(db::Conn& tx, const TemplateRow& t);
bool delete_template(db::Conn& tx, std::int64_t tenant_id, const std::string& type, const std::string& lang);

// The body's messaging settings (messaging_settings): days before a due date the payment reminder goes
// (default 3 without a row).
int payment_due_days(db::Database& db, std::int64_t tenant_id);
std::map<std::int64_t, int> all_payment_due_days(db::Database& db);
void set_payment_due_days(db::Conn& tx, std::int64_t tenant_id, int days, const std::string& now,
                          const std::string& by);
// An option reminded already (payment_due_reminders)?
bool payment_reminded(db::Conn& tx, std::int64_t tenant_id, std::int64_t option_id);
void record_payment_reminder(db::Conn& tx, std::int64_t tenant_id, std::int64_t option_id,
                             const std::string& due_date, const std::string& person, int messages,
                             const std::string& now);

}  // namespace sp::messaging::store
