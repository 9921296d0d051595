#pragma once
// SQL for the profile: the person's row read inside a write transaction, and contact verification codes.
#include <optional>
#include <string>

#include "db/database.hpp"
#include "identity/person_store.hpp"

namespace sp::identity::profile_store {

// The person's row, read on the transaction (locked FOR UPDATE on PostgreSQL).
std::optional<Person> person_for_update(db::Conn& tx, const std::string& fiscal_code);

struct Verification {
  std::string fiscal_code;
  std::string channel;
  std::string address;
  std::string code_salt;
  std::string code_hash;
  std::string created_at;
  std::string expires_at;
  int attempts = 0;
  std::string consumed_at;
};

// Replaces the person's code for that channel.
void put(db::Conn& tx, const Verification& v);
std::optional<Verification> get(db::Conn& tx, const std::string& fiscal_code, const std::string& channel);
std::vector<Verification> list(db::Database& db, const std::string& fiscal_code);
// Counts one attempt; only while unused and under `max_attempts`. Returns false when not counted.
bool count_attempt(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
                   int max_attempts);
// Marks it used (single use).
void consume(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
             const std::string& now);
// Drops the code (address removed).
void remove(db::Conn& tx, const std::string& fiscal_code, const std::string& channel);

}  // namespace sp::identity::profile_store
