// The delivery-state table (adapters/messaging/state.hpp), every edge: each of the 7 states × 8 events
// against the table drawn in docs/messaging.md. Pure: no database (it lives in this suite to save a link).
#include "adapters/messaging/state.hpp"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace {

using sp::messaging::Change;
using sp::messaging::Event;
using sp::messaging::next;
using sp::messaging::State;

constexpr State kAllStates[] = {
    State::queued,    State::sending, State::delivered, State::temporary_failure, State::permanent_failure,
    State::cancelled, State::dead};
constexpr Event kAllEvents[] = {Event::claim,
                                Event::delivered,
                                Event::temporary_failure,
                                Event::permanent_failure,
                                Event::bounced,
                                Event::give_up,
                                Event::cancel,
                                Event::retry};

struct StateCell {
  Change change;
  State to;
};

// The docs' table, row by row. Cells not listed are refused.
std::map<std::pair<State, Event>, StateCell> expected_table() {
  using C = Change;
  using S = State;
  using E = Event;
  return {
      // queued
      {{S::queued, E::claim}, {C::moved, S::sending}},
      {{S::queued, E::give_up}, {C::moved, S::dead}},
      {{S::queued, E::cancel}, {C::moved, S::cancelled}},
      // sending
      {{S::sending, E::claim}, {C::moved, S::sending}},  // claimed again after its runner died
      {{S::sending, E::delivered}, {C::moved, S::delivered}},
      {{S::sending, E::temporary_failure}, {C::moved, S::temporary_failure}},
      {{S::sending, E::permanent_failure}, {C::moved, S::permanent_failure}},
      {{S::sending, E::bounced}, {C::moved, S::permanent_failure}},
      {{S::sending, E::give_up}, {C::moved, S::dead}},
      // delivered: final; the late bounce is the one way out
      {{S::delivered, E::delivered}, {C::unchanged, S::delivered}},
      {{S::delivered, E::temporary_failure}, {C::unchanged, S::delivered}},
      {{S::delivered, E::permanent_failure}, {C::unchanged, S::delivered}},
      {{S::delivered, E::bounced}, {C::moved, S::permanent_failure}},
      {{S::delivered, E::give_up}, {C::unchanged, S::delivered}},
      // temporary_failure
      {{S::temporary_failure, E::claim}, {C::moved, S::sending}},
      {{S::temporary_failure, E::delivered}, {C::moved, S::delivered}},
      {{S::temporary_failure, E::temporary_failure}, {C::unchanged, S::temporary_failure}},
      {{S::temporary_failure, E::permanent_failure}, {C::moved, S::permanent_failure}},
      {{S::temporary_failure, E::bounced}, {C::moved, S::permanent_failure}},
      {{S::temporary_failure, E::give_up}, {C::moved, S::dead}},
      {{S::temporary_failure, E::cancel}, {C::moved, S::cancelled}},
      // permanent_failure: final
      {{S::permanent_failure, E::delivered}, {C::unchanged, S::permanent_failure}},
      {{S::permanent_failure, E::temporary_failure}, {C::unchanged, S::permanent_failure}},
      {{S::permanent_failure, E::permanent_failure}, {C::unchanged, S::permanent_failure}},
      {{S::permanent_failure, E::bounced}, {C::unchanged, S::permanent_failure}},
      {{S::permanent_failure, E::give_up}, {C::unchanged, S::permanent_failure}},
      // cancelled: final
      {{S::cancelled, E::delivered}, {C::unchanged, S::cancelled}},
      {{S::cancelled, E::temporary_failure}, {C::unchanged, S::cancelled}},
      {{S::cancelled, E::permanent_failure}, {C::unchanged, S::cancelled}},
      {{S::cancelled, E::bounced}, {C::unchanged, S::cancelled}},
      {{S::cancelled, E::give_up}, {C::unchanged, S::cancelled}},
      {{S::cancelled, E::cancel}, {C::unchanged, S::cancelled}},
      // dead: waits for staff
      {{S::dead, E::delivered}, {C::moved, S::delivered}},  // a late report: it arrived after all
      {{S::dead, E::bounced}, {C::moved, S::permanent_failure}},
      {{S::dead, E::give_up}, {C::unchanged, S::dead}},
      {{S::dead, E::cancel}, {C::moved, S::cancelled}},
      {{S::dead, E::retry}, {C::moved, S::queued}},
  };
}

TEST(MessagingStateTable, EveryEdgeIsTheDocumentedOne) {
  const auto table = expected_table();
  int moved = 0, unchanged = 0, refused = 0;
  for (auto from : kAllStates) {
    for (auto e : kAllEvents) {
      const auto t = next(from, e);
      const auto label = std::string(to_string(from)) + " + " + std::string(to_string(e));
      auto it = table.find({from, e});
      if (it == table.end()) {
        EXPECT_EQ(t.change, Change::refused) << label;
        EXPECT_EQ(t.to, from) << label << ": a refusal leaves the state";
        ++refused;
        continue;
      }
      EXPECT_EQ(t.change, it->second.change) << label;
      EXPECT_EQ(t.to, it->second.to) << label;
      if (t.change == Change::unchanged) EXPECT_EQ(t.to, from) << label;
      (t.change == Change::moved ? moved : unchanged)++;
    }
  }
  EXPECT_EQ(moved + unchanged + refused, 56);
  EXPECT_EQ(refused, 56 - static_cast<int>(table.size()));
}

TEST(MessagingStateTable, FinalStatesNeverMoveBackExceptTheLateBounce) {
  for (auto from : kAllStates) {
    if (!sp::messaging::is_final(from)) continue;
    for (auto e : kAllEvents) {
      const auto t = next(from, e);
      if (t.change != Change::moved) continue;
      EXPECT_EQ(from, State::delivered) << to_string(e);
      EXPECT_EQ(e, Event::bounced);
      EXPECT_EQ(t.to, State::permanent_failure);
    }
  }
}

TEST(MessagingStateTable, DuplicateReportsChangeNothing) {
  // Applying a report twice: the second is unchanged, whatever the first did.
  for (auto from : kAllStates) {
    for (auto e : {Event::delivered, Event::bounced, Event::permanent_failure}) {
      const auto first = next(from, e);
      if (first.change == Change::refused) continue;
      const auto second = next(first.to, e);
      EXPECT_EQ(second.change, Change::unchanged) << to_string(from) << " + " << to_string(e) << " twice";
      EXPECT_EQ(second.to, first.to);
    }
  }
}

TEST(MessagingStateTable, NamesRoundTrip) {
  for (auto s : kAllStates) EXPECT_EQ(sp::messaging::parse_state(to_string(s)), s);
  EXPECT_FALSE(sp::messaging::parse_state("sent").has_value());
  EXPECT_FALSE(sp::messaging::parse_state("").has_value());
}

}  // namespace
