#pragma once
// SQL of the help desk (migrations 0055, 0056). Every query of a body's tickets carries the tenant in its
// WHERE; the agents' queries across bodies say so in their name (`all_`). Times are ISO 8601 UTC text.
#include <optional>
#include <string>
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

void insert_answer(db::Conn& tx, const Answer& a);
// Newest first; `words` (lower case) must appear in the title or the text: every one, or any one.
std::vector<Answer> answers(db::Conn& c, const std::vector<std::string>& words, bool every_word, int limit);

}  // namespace sp::helpdesk::store
