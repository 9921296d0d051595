#pragma once
// `sportello audit verify`: walks every tenant's chain and prints one line per tenant. The CLI wires
// the subcommand to run_verify_command.
#include <ostream>

#include "db/database.hpp"

namespace sp::audit {

// Prints "tenant N: ok, K entries" or "tenant N: BROKEN at seq S: <problem> (K entries intact before
// it)" for each tenant with entries. Returns 0 when every chain is intact, 1 when one is broken, 2 when
// the log could not be read (the error is printed).
int run_verify_command(db::Database& db, std::ostream& out);

}  // namespace sp::audit
