#pragma once
// SQL for people (hub-wide profiles keyed by codice fiscale) and sign-ins in progress.
#include <optional>
#include <string>

#include "db/database.hpp"

namespace sp::identity {

struct Person {
  std::string fiscal_code;
  std::string given_name;
  std::string family_name;
  std::string birth_date;  // YYYY-MM-DD
  std::string birth_place;
  std::string email;
  std::string email_verified_at;
  std::string mobile;
  std::string mobile_verified_at;
  std::string pec;  // certified e-mail (PEC), verified like the e-mail: legal notices go there
  std::string pec_verified_at;
  std::string preferred_channel = "email";  // email | sms | io | none
  std::string preferred_language = "it";    // it | en: the language the person is written to in
  std::string created_at;
  std::string updated_at;

  [[nodiscard]] std::string full_name() const { return given_name + " " + family_name; }
};

struct PendingSignIn {
  std::string provider;
  std::string nonce;
  std::string code_verifier;
  int acr_level = 2;
  std::string return_to = "/";
  std::string created_at;
};

class PersonStore {
 public:
  explicit PersonStore(db::Database& db) : db_(db) {}

  // Inserts or refreshes the identity attributes that came from the identity provider; contact
  // preferences the person set are kept. `p.preferred_language` is used only when the person is new.
  void upsert_from_sign_in(db::Conn& tx, const Person& p, const std::string& now_iso);
  std::optional<Person> by_fiscal_code(const std::string& cf);
  // Saves the contacts and the preferred channel and language.
  void update_contacts(db::Conn& tx, const Person& p, const std::string& now_iso);

  void insert_pending(db::Conn& tx, const std::string& state_hash, const PendingSignIn& p);
  // Marks the pending sign-in consumed and returns it; nullopt when unknown, already consumed or older
  // than `not_before_iso`.
  std::optional<PendingSignIn> consume_pending(db::Conn& tx, const std::string& state_hash,
                                               const std::string& not_before_iso, const std::string& now_iso);
  // Whether a sign-in that consume_pending() refused was this browser's and only came back too late
  // (unconsumed, started before `not_before_iso`): the citizen is told it expired, not that it is unknown.
  bool pending_expired(db::Conn& tx, const std::string& state_hash, const std::string& not_before_iso);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
