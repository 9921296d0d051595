#pragma once
// Staging of a reporting flow's rows, so that per-flow checks need memory bounded by a constant however
// many rows a flow has: rows go to a table keyed by IUV + IUR + transfer index, and a second copy of a
// key is a duplicate row. The next step (matching against receipts and positions, issue 13) joins this
// table in sets instead of a round trip per row.
//
// SqliteStaging keeps the table in an SQLite database file of its own (the CLI puts it in a temporary
// folder and deletes it): not the hub's database, because `sportello reconcile` records nothing, and
// because an SQLite page cache of fixed size (cache_size) is what bounds memory — the rows spill to the
// file, never to the heap. No journal and no fsync: the file is scratch space, thrown away on any error.
#include <memory>
#include <string>

#include "core/result.hpp"
#include "payments/reporting_model.hpp"

namespace sp::payments::reporting {

class RowStaging {
 public:
  virtual ~RowStaging() = default;
  // Empties the staging area and starts a flow.
  virtual Status begin_flow() = 0;
  // Stages a row; false when the same IUV + IUR + index was already staged in this flow.
  virtual Result<bool> add(const FlowRow& row) = 0;
  // Ends the flow (its rows stay staged until the next begin_flow).
  virtual Status end_flow() = 0;
};

struct SqliteStagingOptions {
  int cache_kib = 2048;  // the page cache: the bound on memory (about 25,000 staged rows; the rest spill)
};

// Errors: fdr.staging (detail: SQLite's message).
Result<std::unique_ptr<RowStaging>> open_sqlite_staging(const std::string& path,
                                                        SqliteStagingOptions options = {});

}  // namespace sp::payments::reporting
