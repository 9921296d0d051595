// Reading the audit log against real SQLite and PostgreSQL: a body's entries (filters, newest first,
// paging) never include another body's, and a citizen sees every body's reads of their data.
#include <set>

#include "audit_fixture.hpp"

namespace sp::audit::testing {
namespace {

class AuditQueryTest : public AuditTest {
 protected:
  Entry read_of(tenants::TenantId tenant, const std::string& person, const std::string& actor,
                bool as_record) {
    Entry e = entry(tenant, "personal_data.read", actor);
    if (as_record) {
      e.record_type = std::string(kRecordPerson);
      e.record_id = person;
      e.on_behalf_of = "";
    } else {
      e.record_type = "case";
      e.record_id = "C-9";
      e.on_behalf_of = person;
    }
    return e;
  }
  void add(const Entry& e) {
    clock_.advance(std::chrono::seconds(1));
    auto r = audit().record(e);
    ASSERT_TRUE(r.ok()) << r.error().code;
  }
};

constexpr const char* kRossi = "RSSMRA85T10A562S";
constexpr const char* kBianchi = "BNCLCU80A41L219X";

TEST_P(AuditQueryTest, ATenantSeesOnlyItsOwnEntries) {
  append(1, 5, "case.open");
  append(2, 7, "case.open");
  auto a = audit().entries(1, {.limit = 100}).entries;
  ASSERT_EQ(a.size(), 5u);
  for (const auto& s : a) EXPECT_EQ(s.entry.tenant_id, 1);
  // Filters never widen the scope: tenant 2's entries match the filter but stay invisible to tenant 1.
  auto filtered = audit().entries(1, {.action = "case.open", .record_id = "C-1", .limit = 100}).entries;
  EXPECT_EQ(filtered.size(), 5u);
  for (const auto& s : filtered) EXPECT_EQ(s.entry.tenant_id, 1);
  EXPECT_TRUE(audit().entries(3, {}).entries.empty());
}

TEST_P(AuditQueryTest, FiltersAndNewestFirstPaging) {
  append(1, 3, "case.open");
  add(entry(1, "case.read", "staff-2"));
  append(1, 2, "case.close");
  auto e = entry(1, "case.read", "RSSMRA85T10A562S");
  e.actor_kind = ActorKind::person;
  e.record_id = "C-2";
  add(e);

  auto all = audit().entries(1, {.limit = 3});
  ASSERT_EQ(all.entries.size(), 3u);
  EXPECT_EQ(all.entries[0].seq, 7);
  EXPECT_EQ(all.entries[2].seq, 5);
  ASSERT_TRUE(all.next_before_seq);
  auto next = audit().entries(1, {.before_seq = all.next_before_seq, .limit = 3});
  ASSERT_EQ(next.entries.size(), 3u);
  EXPECT_EQ(next.entries[0].seq, 4);
  auto last = audit().entries(1, {.before_seq = next.next_before_seq, .limit = 3});
  ASSERT_EQ(last.entries.size(), 1u);
  EXPECT_EQ(last.entries[0].seq, 1);
  EXPECT_FALSE(last.next_before_seq);

  EXPECT_EQ(audit().entries(1, {.action = "case.read"}).entries.size(), 2u);
  EXPECT_EQ(audit().entries(1, {.action = "case.close"}).entries.size(), 2u);
  EXPECT_EQ(audit().entries(1, {.record_type = "case", .record_id = "C-2"}).entries.size(), 1u);
  EXPECT_EQ(audit().entries(1, {.actor_kind = ActorKind::person}).entries.size(), 1u);
  auto by_actor = audit().entries(1, {.actor_kind = ActorKind::staff, .actor_id = "staff-2"}).entries;
  ASSERT_EQ(by_actor.size(), 1u);
  EXPECT_EQ(by_actor[0].seq, 4);
  EXPECT_EQ(by_actor[0].entry.action, "case.read");
  EXPECT_EQ(by_actor[0].entry.remote_addr, "192.0.2.1");
  EXPECT_EQ(by_actor[0].entry.details, R"({"note":"test"})");
}

TEST_P(AuditQueryTest, ACitizenSeesEveryBodysReadsOfTheirData) {
  add(read_of(1, kRossi, "staff-1", true));    // Asti reads Rossi's person record
  add(read_of(2, kRossi, "staff-7", false));   // Novara reads a case on Rossi's behalf
  add(read_of(2, kBianchi, "staff-7", true));  // someone else's data
  auto write = read_of(1, kRossi, "staff-1", true);
  write.action = "personal_data.update";  // not a read
  add(write);
  auto hub = read_of(kHubTenant, kRossi, "hub-admin", true);
  hub.channel = Channel::counter;
  add(hub);

  auto seen = audit().accesses_to_person(kRossi);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].entry.tenant_id, kHubTenant);  // newest first
  EXPECT_EQ(seen[0].entry.channel, Channel::counter);
  EXPECT_EQ(seen[1].entry.tenant_id, 2);
  EXPECT_EQ(seen[1].entry.actor_id, "staff-7");
  EXPECT_EQ(seen[2].entry.tenant_id, 1);
  for (const auto& s : seen) EXPECT_TRUE(is_read_action(s.entry.action));

  EXPECT_EQ(audit().accesses_to_person(kBianchi).size(), 1u);
  EXPECT_TRUE(audit().accesses_to_person("").empty());
  EXPECT_TRUE(audit().accesses_to_person("XXXXXX00X00X000X").empty());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditQueryTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::audit::testing
