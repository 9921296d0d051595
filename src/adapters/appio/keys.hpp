#pragma once
// Each body's App IO subscription key (the primary key of the body's IO service, from IO's back office):
// a secret outside the database, next to the body's other keys (docs/keys.md):
//
//   <keys_dir>/<slug>/appio/subscription-key     one line, mode 600; absent: the body has no IO service
//   <keys_dir>/<slug>/appio/remote-configuration one line, mode 600: the id (ULID) of the body's
//                                                remote-content configuration at IO; absent: no remote
//                                                content (such messages go by e-mail)
//
// The hub never uses one body's key for another body's message: the key is looked up by the message's
// tenant (sender.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::appio {

inline constexpr std::string_view kSubscriptionKeyFile = "subscription-key";
inline constexpr std::string_view kRemoteConfigurationFile = "remote-configuration";

// <keys_dir>/<slug>/appio/<file>
std::string key_path(const std::string& keys_dir, const std::string& slug,
                     std::string_view file = kSubscriptionKeyFile);

// Reads the key of `slug`; nullopt when the file is missing or empty. Errors: appio.key (unreadable,
// or readable by group or others: "chmod 600").
Result<std::optional<std::string>> read_key(const std::string& keys_dir, const std::string& slug,
                                            std::string_view file = kSubscriptionKeyFile);
// Writes it (folders 700, file 600), replacing the old one. Demo set-ups and `sportello sim appio`.
Status write_key(const std::string& keys_dir, const std::string& slug, const std::string& key,
                 std::string_view file = kSubscriptionKeyFile);

// The keys of the bodies that have one, by tenant id; problems (a key readable by others is skipped)
// go to `problems`.
std::map<std::int64_t, std::string> load_keys(const std::string& keys_dir,
                                              const std::vector<std::pair<std::int64_t, std::string>>& bodies,
                                              std::vector<std::string>& problems,
                                              std::string_view file = kSubscriptionKeyFile);

}  // namespace sp::appio
