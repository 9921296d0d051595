// The whole-registry checks the stress tests rely on must themselves be able to fail: a registry with a
// gap in its numbers and an entry without documents or audit record (written behind the service's back)
// is reported, and the same registry without that entry is not.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "stress_fixture.hpp"

namespace sp::protocollo_stress {
namespace {

class ChecksTest : public ::testing::TestWithParam<db::Dialect> {};

// The messages of the failures `fn` reports, instead of failing this test.
template <typename Fn>
std::string failures_of(Fn fn) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    fn();
  }
  std::string out;
  for (int i = 0; i < results.size(); ++i) out += std::string(results.GetTestPartResult(i).message()) + "\n";
  return out;
}

TEST_P(ChecksTest, AGapAndAHalfWrittenEntryAreReported) {
  sp::testing::TestDatabase database(GetParam());
  const auto seeded = seed(database.url());
  auto& db = database.db(false);
  protocollo::ProtocolService protocol(db, time::system_clock());
  protocollo::NewEntry e;
  e.aoo_id = seeded.aoo;
  e.direction = protocollo::Direction::incoming;
  e.subject = "Istanza";
  e.correspondents = {{protocollo::CorrespondentKind::person, "Mario Rossi", "", "", ""}};
  e.documents = {
      {protocollo::DocumentRole::primary, "a.pdf", "application/pdf", 5, digest::sha256_hex("hello")},
      {protocollo::DocumentRole::attachment, "b.pdf", "application/pdf", 3, digest::sha256_hex("abc")}};
  int year = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = protocol.register_entry(protocollo::SystemActor{"api-key:test"}, seeded.asti, e);
    ASSERT_TRUE(r.ok()) << r.error().code;
    year = r->year;
  }
  EXPECT_EQ(failures_of([&] { expect_whole_registry(db, seeded.asti, seeded.aoo); }), "");

  // Number 5 (4 skipped), no documents, no audit record.
  db.write([&](db::Conn& tx) {
    tx.exec(
        "INSERT INTO protocol_entries (id, tenant_id, aoo_id, year, number, registered_at, direction, "
        "subject, correspondents, registered_by, channel) VALUES ($1, $2, $3, $4, 5, "
        "'2999-01-01T00:00:00.000Z', 'incoming', 'x', '[]', 'system:test', 'pec')",
        {std::string("half-written"), seeded.asti, seeded.aoo, std::int64_t{year}});
  });
  const auto reported = failures_of([&] { expect_whole_registry(db, seeded.asti, seeded.aoo); });
  EXPECT_NE(reported.find("after 3"), std::string::npos) << reported;
  EXPECT_NE(reported.find("without their primary document"), std::string::npos) << reported;
  EXPECT_NE(reported.find("documents rows"), std::string::npos) << reported;
  EXPECT_NE(reported.find("without the audit record"), std::string::npos) << reported;
  EXPECT_NE(reported.find("registration audit records"), std::string::npos) << reported;
  // Novara's registry is another matter: empty, and whole.
  EXPECT_EQ(failures_of([&] { expect_whole_registry(db, seeded.novara, seeded.novara_aoo); }), "");
}

INSTANTIATE_TEST_SUITE_P(Drivers, ChecksTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::protocollo_stress
