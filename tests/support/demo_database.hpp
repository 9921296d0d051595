#pragma once
// The demo hub's database for the suites that build the whole application (app::App with demo = true):
// seeded once per test process and dialect, then copied for each test (TestDatabase::Template). Seeding
// the demo — the catalog, the bodies, the staff and their password hashes, forms, payments, the albo,
// the population — costs seconds under the sanitizers; a copy costs milliseconds. The App each test
// then builds on the copy finds the demo there and seeds nothing again, as `serve --demo` on a restart.
#include <cstdlib>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "support/testing.hpp"

namespace sp::testing {

// `config` is the suite's own (share_dir, key files, simulators...): the template is built with it, so a
// suite whose tests need differently seeded demos gives each variant its own `name`.
inline std::unique_ptr<TestDatabase> demo_database(db::Dialect dialect, const Config& config,
                                                   const std::string& name = "demo") {
  return std::make_unique<TestDatabase>(dialect,
                                        TestDatabase::Template{name, [config](const std::string& url) {
                                                                 Config c = config;
                                                                 c.database = url;
                                                                 c.demo = true;
                                                                 const app::App seeded(c);
                                                               }});
}

}  // namespace sp::testing
