#pragma once
// `sportello bodies add FILE`: onboards the bodies of FILE (one body's JSON, an array, or {"bodies": [...]},
// docs/hub.md) as the program "cli-onboarding": every body is checked first and nothing is made unless all
// pass. Prints "slug id portal" for each body made; for refusals "body N (slug): field: message" on stderr.
// Exit 0 all made, 1 refused, 2 cannot run (unreadable file, not JSON).
// `sportello bodies api-key [--name N]`: a hub API key with the scope hub:write, printed once.
#include <ostream>
#include <string>

#include "app/app.hpp"

namespace sp::app {

int run_bodies_add(App& app, const std::string& file, std::ostream& out, std::ostream& err);
int run_bodies_api_key(App& app, const std::string& name, std::ostream& out, std::ostream& err);

}  // namespace sp::app
