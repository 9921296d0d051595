#pragma once
// All the SQL of the register mirror (migration 0033). Free functions on a connection, as in
// protocollo; the tenant is in every WHERE.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "anagrafe/model.hpp"
#include "db/database.hpp"

namespace sp::anagrafe::store {

std::int64_t begin_import(db::Conn& tx, std::int64_t tenant, const std::string& file_name, Format format,
                          const std::string& actor, const std::string& started_at);
void finish_import(db::Conn& tx, std::int64_t tenant, std::int64_t import_id, const std::string& finished_at,
                   const ImportReport& report);
void add_import_errors(db::Conn& tx, std::int64_t import_id, const std::vector<RowError>& errors);

// What became of one version handed to insert_versions.
enum class Outcome { inserted, unchanged, conflict };
// Appends the versions (ON CONFLICT DO NOTHING on tenant, codice fiscale and data_variazione); a
// version already there is `unchanged` when its values are the same, `conflict` when they differ (a
// kept version is never overwritten). `hashes[i]` is versions[i].content_hash().
std::vector<Outcome> insert_versions(db::Conn& tx, std::int64_t tenant, std::int64_t import_id,
                                     const std::vector<PersonVersion>& versions,
                                     const std::vector<std::string>& hashes);
// Adds the streets the body's list lacks; returns how many were added.
std::size_t add_streets(db::Conn& tx, std::int64_t tenant, std::int64_t import_id,
                        const std::vector<Street>& streets);

// The version in force on `day` (YYYY-MM-DD): the latest data_variazione not after it.
std::optional<PersonVersion> current(db::Conn& c, std::int64_t tenant, const std::string& cf,
                                     const std::string& day);
std::vector<PersonVersion> history(db::Conn& c, std::int64_t tenant, const std::string& cf);
// The current versions of everyone who ever belonged to the household (the caller keeps those still in
// it and not cancelled).
std::vector<PersonVersion> household(db::Conn& c, std::int64_t tenant, const std::string& id_famiglia,
                                     const std::string& day);
// The current versions of a codice fiscale in every body (a person moves between member comuni).
std::vector<Residence> residences(db::Conn& c, const std::string& cf, const std::string& day);
std::vector<Street> streets(db::Conn& c, std::int64_t tenant);
// The codici fiscali of the body's residents on `day` (current version not cancelled, not dead), in code
// order; only those living on one of `streets` ("SPECIE DENOMINAZIONE") when it is not empty.
std::vector<std::string> residents(db::Conn& c, std::int64_t tenant, const std::string& day,
                                   const std::vector<std::string>& streets);
RegisterCounts counts(db::Conn& c, std::int64_t tenant);
bool any_version(db::Conn& c);
std::vector<ImportRun> imports(db::Conn& c, std::int64_t tenant, int limit);
std::optional<ImportRun> import_run(db::Conn& c, std::int64_t tenant, std::int64_t import_id);
std::vector<RowError> import_errors(db::Conn& c, std::int64_t tenant, std::int64_t import_id);

// ANPR notifications (migration 0040).
// The end of the body's latest poll, or nullopt before the first.
std::optional<std::string> last_poll_end(db::Conn& c, std::int64_t tenant);
// Which of these ANPR operation ids the body has already received.
std::vector<std::string> known_notifications(db::Conn& c, std::int64_t tenant,
                                             const std::vector<std::string>& ids);
std::int64_t add_poll(db::Conn& tx, std::int64_t tenant, const SyncReport& r, const std::string& created_at);
// Records the received ones (outcome applied/refused; ON CONFLICT DO NOTHING).
void add_notifications(db::Conn& tx, std::int64_t tenant, std::int64_t poll_id,
                       const std::vector<NotificationOutcome>& outcomes,
                       const std::vector<std::string>& operations);

}  // namespace sp::anagrafe::store
