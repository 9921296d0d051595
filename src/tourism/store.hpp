#pragma once
// SQL for tourist information (migration 0058): free functions on a connection, the tenant in every WHERE.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tourism/model.hpp"

namespace sp::tourism::store {

void insert_item(db::Conn& tx, const Item& item);
// Writes the item's fields and state with version+1 when its version is still `expected`; false when
// someone changed it meanwhile.
bool update_item(db::Conn& tx, const Item& item, std::int64_t expected);
std::optional<Item> find_item(db::Conn& c, std::int64_t tenant, const std::string& id);
std::vector<Item> body_items(db::Conn& c, std::int64_t tenant);
std::vector<Item> submitted_items(db::Conn& c);  // every body's: the hub editors' queue
std::vector<Item> published_items(db::Conn& c, const PublicQuery& q);

void append_history(db::Conn& tx, const Item& item, Action action, State from, const std::string& actor,
                    const std::string& at, const std::string& reason);
std::vector<HistoryEntry> history(db::Conn& c, std::int64_t tenant, const std::string& id);

std::string widget_origins(db::Conn& c, std::int64_t tenant);
void set_widget_origins(db::Conn& tx, std::int64_t tenant, const std::string& origins, const std::string& at,
                        const std::string& by);

}  // namespace sp::tourism::store
