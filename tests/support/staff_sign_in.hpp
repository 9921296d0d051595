#pragma once
// Staff sign-ins for the suites that build the whole App, without an argon2id verification in every
// test. Verifying a demo password at the interactive cost (64 MiB, two passes) took about a tenth of each
// staff test under the sanitizers, for a step the staff suites test on its own (tests/integration/staff).
//
// The first sign-in of an account in the process goes through StaffService::sign_in; a later one is the
// same NewSession when the account is the same row, with the same password hash (its salt is random per
// seeding, so a database seeded apart never matches), the same roles, active, not locked and without a
// second factor — what a copy of the same template database has. Anything else signs in for real.
#include <map>
#include <mutex>
#include <string>

#include "db/database.hpp"
#include "identity/session_service.hpp"
#include "identity/staff_service.hpp"
#include "identity/staff_store.hpp"

namespace sp::testing {

inline Result<identity::NewSession> staff_sign_in(identity::StaffService& staff, db::Database& db,
                                                  const std::string& email, const std::string& password) {
  identity::StaffStore store(db);
  const auto row = store.by_email(email);
  const bool plain = row && row->active && !row->locked_until &&
                     !(row->totp_secret && !row->totp_secret->empty()) && row->failed_attempts == 0 &&
                     !store.totp_required(row->tenant_id);
  if (!plain) return staff.sign_in(email, password, "");
  std::string key = email + '\n' + password + '\n' + row->id + '\n' + row->password_hash;
  for (const auto& role : store.roles(row->id)) key += '\n' + role;

  static std::mutex mutex;
  static std::map<std::string, identity::NewSession> signed_in;
  {
    const std::scoped_lock lock(mutex);
    if (auto it = signed_in.find(key); it != signed_in.end()) return it->second;
  }
  auto session = staff.sign_in(email, password, "");
  if (session) {
    const std::scoped_lock lock(mutex);
    signed_in.emplace(key, *session);
  }
  return session;
}

}  // namespace sp::testing
