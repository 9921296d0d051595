#pragma once
// SQL of the help desk (migrations 0055, 0056). Every query of a body's tickets carries the tenant in its
// WHERE; the agents' queries across bodies say so in their name (`all_`). Times are ISO 8601 UTC text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "helpdesk/model.hpp"

namespace sp::helpdesk::store {

std::int64_t next_number(db::Conn& tx);
void insert_ticket(db::Conn& tx, const Ticket& t);
// The projection after an event; false when the version moved meanwhile (a concurrent change).
bool update_ticket(db::Conn& tx, const Ticket& t, std::int64_t expected_version);
// One ticket of `tenant` (0: of any body, for the agents).
std::optional<Ticket> ticket(db::Conn& c, tenants::TenantId tenant, const std::string& id);
std::vector<Ticket> tickets_of(db::Conn& c, tenants::TenantId tenant);
// The tickets of `tenant` (0: every body) opened in [lo, hi) (ISO instants), for the statistics.
std::vector<Ticket> opened_between(db::Conn& c, tenants::TenantId tenant, const std::string& lo,
                                   const std::string& hi);
// Every body's tickets not closed (the agents' queue), or all of them.
std::vector<Ticket> all_tickets(db::Conn& c, bool include_closed);

int next_seq(db::Conn& tx, const std::string& ticket_id);
void insert_event(db::Conn& tx, const Ticket& t, const Event& e);
void insert_text(db::Conn& tx, const std::string& id, const Ticket& t, bool internal,
                 const std::string& body);
std::vector<Event> events(db::Conn& c, const std::string& ticket_id);
// Blanks the text (redaction); false when it is not this ticket's.
bool redact_text(db::Conn& tx, const std::string& ticket_id, const std::string& text_id,
                 const std::string& now);

void insert_attachment(db::Conn& tx, const Ticket& t, int seq, int n, const std::string& file_id,
                       const std::string& name);
int next_attachment(db::Conn& tx, const std::string& ticket_id);
// A ticket's attachments that are not purged, by the seq of the event that carried them.
std::vector<std::pair<int, Attachment>> attachments(db::Conn& c, const std::string& ticket_id);
void purge_attachments_of(db::Conn& tx, const std::string& ticket_id, int seq, const std::string& now);

std::optional<Targets> targets(db::Conn& c, const std::string& category, Priority p);

// Closed tickets whose closing is older than `before` and whose content is still there.
std::vector<std::string> purge_candidates(db::Conn& c, const std::string& before, int limit);
void purge_content(db::Conn& tx, const std::string& ticket_id, const std::string& now);

// The answer's row and its version row (`action`: publish, edit, withdraw), in the caller's transaction.
void insert_answer(db::Conn& tx, const Answer& a);
// The next version of `a` (a.version: the new one); false when the version moved meanwhile.
bool update_answer(db::Conn& tx, const Answer& a, const std::string& action, const std::string& actor);
std::optional<Answer> answer(db::Conn& c, const std::string& id);
std::vector<AnswerVersion> answer_versions(db::Conn& c, const std::string& id);
// The words of a search: folded (lower case, accents removed), letters and digits only, at least
// `min_length` characters, at most `max_words`.
std::vector<std::string> search_words(std::string_view query, std::size_t min_length, std::size_t max_words);
// Never a withdrawn answer. With `words` (search_words): the database's full-text search (migration 0070),
// every word or any word found in the title or the text in any of its forms, best ranked first; without:
// the newest first.
std::vector<Answer> answers(db::Conn& c, const std::vector<std::string>& words, bool every_word, int limit);

// Settings (migration 0065): office hours, the centre's own holidays, the targets' table.
OfficeHours office_hours(db::Conn& c);
void set_office_hours(db::Conn& tx, int open_minute, int close_minute, const std::string& by,
                      const std::string& at);
std::vector<Holiday> holidays(db::Conn& c);
void add_holiday(db::Conn& tx, const Holiday& h, const std::string& by, const std::string& at);
bool remove_holiday(db::Conn& tx, const std::string& day);
std::vector<TargetSetting> all_targets(db::Conn& c);
void set_targets(db::Conn& tx, const std::string& category, Priority p, const Targets& t,
                 const std::string& by, const std::string& at);

}  // namespace sp::helpdesk::store
