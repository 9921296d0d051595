#pragma once
// Each body's App IO subscription key (the primary key of the body's IO service, from IO's back office):
// a secret outside the database, next to the body's other keys (docs/keys.md):
//
//   <keys_dir>/<slug>/appio/subscription-key     one line, mode 600; absent: the body has no IO service
//
// The hub never uses one body's key for another body's message: the key is looked up by the message's
// tenant (sender.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sp::appio {

// <keys_dir>/<slug>/appio/subscription-key
std::string key_path(const std::string& keys_dir, const std::string& slug);

// Reads the key of `slug`; nullopt when the file is missing or empty. Errors: appio.key (unreadable,
// or readable by group or others: "chmod 600").
Result<std::optional<std::string>> read_key(const std::string& keys_dir, const std::string& slug);
// Writes it (folders 700, file 600), replacing the old one. Demo set-ups and `sportello sim appio`.
Status write_key(const std::string& keys_dir, const std::string& slug, const std::string& key);

// The keys of the bodies that have one, by tenant id; problems (a key readable by others is skipped)
// go to `problems`.
std::map<std::int64_t, std::string> load_keys(const std::string& keys_dir,
                                              const std::vector<std::pair<std::int64_t, std::string>>& bodies,
                                              std::vector<std::string>& problems);

}  // namespace sp::appio
