#pragma once
// Staff passwords: argon2id hashes in libsodium's self-describing string format ("$argon2id$v=19$m=...")
// so the cost parameters travel with each hash and can be raised later (needs_rehash), plus the policy
// a new password must meet.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::crypto {

// argon2id cost. INTERACTIVE (2 passes, 64 MiB) keeps sign-in fast on a shared server; MODERATE
// (3 passes, 256 MiB) is for bodies that accept about a second per sign-in.
struct PasswordCost {
  unsigned long long opslimit;
  std::size_t memlimit;

  static PasswordCost interactive();
  static PasswordCost moderate();
};

// Longest password accepted, in bytes: argon2 reads the whole input, so an unbounded one is a cheap way
// to make the server work.
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// Shortest password accepted, in characters (UTF-8 code points).
inline constexpr std::size_t kMinPasswordChars = 12;

// A fresh random salt every call, so two hashes of one password differ. Errors: password.too_long,
// password.hash_failed (500: libsodium could not allocate the memory the cost asks for).
Result<std::string> hash_password(std::string_view password, PasswordCost cost = PasswordCost::interactive());

// True when `password` matches `stored_hash` (comparison in constant time inside libsodium). A malformed
// hash or an over-long password gives false.
bool verify_password(std::string_view stored_hash, std::string_view password);

// True when `hash` is an argon2id hash string that libsodium can verify against (e.g. one made by another
// installation and imported with its account).
bool is_argon2id_hash(std::string_view hash);

// True when `stored_hash` was made with other parameters than `cost` (or is not an argon2id hash at all):
// after a successful sign-in the caller re-hashes the password it has just verified.
bool needs_rehash(std::string_view stored_hash, PasswordCost cost = PasswordCost::interactive());

// The rules for a new staff password: at least 12 characters (password.too_short), at most
// kMaxPasswordBytes (password.too_long), not one character repeated (password.repeated), not the
// username, ignoring case (password.username), not one of the most common passwords, ignoring case
// (password.common). Errors carry field "password".
Status check_password_policy(std::string_view password, std::string_view username = {});

}  // namespace sp::crypto
