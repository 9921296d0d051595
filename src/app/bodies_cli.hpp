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
// `sportello comuni import FILE --as-of YYYY-MM-DD`: ISTAT's list of comuni (hub/comuni.hpp) replacing
// the one loaded. Prints "N comuni, list of DATE"; exit 0 loaded, 1 refused (the line and why), 2 unreadable.
int run_comuni_import(App& app, const std::string& file, const std::string& as_of, std::ostream& out,
                      std::ostream& err);

}  // namespace sp::app
