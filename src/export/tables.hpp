#pragma once
// Which tables a body's export holds, and how each one's rows of that body are found (docs/export.md).
//
// Every table with a body column (tenant_id, or a column ending in _tenant_id) is either exported or
// listed in excluded_tables() with the reason; tests/integration/export fails for a table in neither list,
// so a module that adds a table cannot be forgotten. Tables without a body column are exported as children
// of a parent that has one (a protocol entry's documents), or as the hub's records the body's rows name
// (the catalog services it offers, the form versions its cases were filled with).
//
// The order is the order of import: parents before the rows that reference them (SQLite enforces foreign
// keys).
#include <string>
#include <string_view>
#include <vector>

namespace sp::body_export {

enum class Scope {
  body,        // the bodies row itself: id = the body
  hub,         // the hub the body belongs to: id = bodies.hub_id
  direct,      // <column> = the body
  child,       // <column> IN (SELECT <parent_key> FROM <parent> WHERE tenant_id = the body)
  referenced,  // the hub's rows the body's rows name: <select> (a SQL expression of $1)
};

struct TableSpec {
  std::string name;
  Scope scope = Scope::direct;
  std::string column = "tenant_id";  // direct: the body column; child: the column naming the parent
  std::string parent;                // child: the parent table
  std::string parent_key;            // child: the parent's key
  std::string referenced_where;      // referenced: the WHERE clause ($1 = the body)
  std::vector<std::string> key;      // the primary key: the order of rows, and keyset paging
  bool csv = false;                  // also written as CSV for staff (csv/<name>.csv)
  // Columns whose value is not exported (secrets the new provider must not receive); on import they take
  // the value given here ("" = NULL).
  std::vector<std::pair<std::string, std::string>> withheld;
  // Import: the hub's own rows (hub, referenced) are merged: inserted when the target hub lacks them (by
  // their natural key), kept when it has them. The body's rows are inserted and must not exist yet.
  bool merge = false;
  std::string natural_key;  // merge: the column that identifies the row across hubs (services: code)
};

struct Excluded {
  std::string name;
  std::string reason;
};

// The exported tables, in import order.
const std::vector<TableSpec>& exported_tables();
// The tables with a body column that are deliberately not exported, and why.
const std::vector<Excluded>& excluded_tables();
// True for a column that names a body: tenant_id, *_tenant_id.
bool is_body_column(std::string_view column);

}  // namespace sp::body_export
