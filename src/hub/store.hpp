#pragma once
// SQL of the hub's packages, credit rules, credit ledger and onboarding drafts. Ledger rows are per body
// (tenant_id in every WHERE); packages, rules and drafts are the hub's own.
#include <optional>
#include <vector>

#include "db/database.hpp"
#include "hub/model.hpp"

namespace sp::hub {

class HubStore {
 public:
  explicit HubStore(db::Database& db) : db_(db) {}

  Rules rules();
  void save_rules(db::Conn& tx, const Rules& r);

  std::vector<Package> packages();
  std::optional<Package> package_by_code(const std::string& code);
  std::optional<Package> package_by_id(std::int64_t id);
  std::int64_t save_package(db::Conn& tx, const Package& p);  // upsert by code, items replaced

  // The package a body received (nullopt: none recorded; a row with no package: its services predate).
  std::optional<std::int64_t> body_package_id(tenants::TenantId tenant);
  std::vector<std::pair<tenants::TenantId, std::int64_t>> body_packages();
  void set_body_package(db::Conn& tx, tenants::TenantId tenant, std::optional<std::int64_t> package_id,
                        const std::string& at);

  // The last ledger entry of the body, read in the caller's transaction (balance and next seq).
  std::optional<LedgerEntry> last_entry(db::Conn& c, tenants::TenantId tenant);
  void append(db::Conn& tx, const LedgerEntry& e);
  std::vector<LedgerEntry> ledger(tenants::TenantId tenant, int limit);
  // Every body's current balance.
  std::vector<std::pair<tenants::TenantId, std::int64_t>> balances();

  // ISTAT's list of comuni: the date of the list loaded (nullopt: none), a comune by its ISTAT code, and
  // a new list replacing the old one (recorded with its date and digest).
  std::optional<std::string> comuni_as_of();
  std::optional<Comune> comune(const std::string& istat_code);
  void replace_comuni(db::Conn& tx, const std::vector<Comune>& list, const std::string& as_of,
                      const std::string& imported_at, const std::string& sha256);

  std::optional<Logo> logo(tenants::TenantId tenant);
  void set_logo(db::Conn& tx, const Logo& l);
  void remove_logo(db::Conn& tx, tenants::TenantId tenant);

  void insert_draft(db::Conn& tx, const Draft& d, const std::string& data_json);
  void update_draft(db::Conn& tx, const Draft& d, const std::string& data_json);
  // (draft, its data as JSON text)
  std::optional<std::pair<Draft, std::string>> draft(const std::string& id);
  std::vector<std::pair<Draft, std::string>> open_drafts();

 private:
  db::Database& db_;
};

}  // namespace sp::hub
