#pragma once
// Tourist information (issue 19; docs/tourism.md): a body's points of interest and events, with their
// review by the hub's editors before they reach the portal, the feeds and the widget.
//
//   draft ──submit──▶ submitted ──publish──▶ published
//     ▲                  │                      │
//     └──── save ◀── returned ◀──return──┘      └── save (an edit goes back to draft and off the portal
//                                                    until an editor publishes it again)
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::tourism {

enum class Kind { poi, event };
enum class State { draft, submitted, published, returned };
enum class Action { save, submit, publish, send_back };

std::string_view to_string(Kind k);
std::string_view to_string(State s);
std::string_view to_string(Action a);  // "save", "submit", "publish", "return"
std::optional<Kind> parse_kind(std::string_view s);
std::optional<State> parse_state(std::string_view s);

// The next state of `action` from `from`, or nothing when the action is not allowed there.
std::optional<State> next_state(State from, Action action);

// The categories an item may have (their names: ui.tour_cat_<code> in web/locales/*/tourism.json).
inline constexpr std::array<std::string_view, 8> kCategories = {"culture", "nature", "food_wine", "festival",
                                                                "music",   "sport",  "market",    "other"};
bool known_category(std::string_view code);

struct Item {
  std::string id;
  std::int64_t tenant_id = 0;
  Kind kind = Kind::poi;
  State state = State::draft;
  std::string name;
  std::string description_it;
  std::string description_en;
  std::string category;
  std::string address;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string opening_hours;
  std::string starts_on;  // events: YYYY-MM-DD (Europe/Rome); empty for points of interest
  std::string ends_on;
  std::string image_file_id;
  std::string image_alt;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  std::string published_at;
  std::int64_t version = 1;

  [[nodiscard]] const std::string& description(std::string_view lang) const {
    return lang == "en" && !description_en.empty() ? description_en : description_it;
  }
};

struct HistoryEntry {
  std::int64_t seq = 0;
  Action action = Action::save;
  State from = State::draft;
  State to = State::draft;
  std::string actor;
  std::string at;
  std::string reason;
};

// What the portal, the feeds and the widget ask for: published items only.
struct PublicQuery {
  std::int64_t tenant = 0;   // 0: every body
  std::string category;      // empty: any
  std::optional<Kind> kind;  // empty: both
  std::string from;          // YYYY-MM-DD: events ending on or after it (points of interest always match)
  std::string to;            // YYYY-MM-DD: events starting on or before it
  int limit = 200;
};

}  // namespace sp::tourism
