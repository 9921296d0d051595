// The relata confirmed with the body's stamp key carries the hub's digital stamp and verifies offline with
// `sportello verify` (and not with another body's keys); the minute tick leaves a job row only for the
// runs that did something. SQLite and PostgreSQL.
#include <filesystem>
#include <fstream>

#include "albo_fixture.hpp"
#include "audit/service.hpp"
#include "core/keys/key_ring.hpp"
#include "jobs/store.hpp"
#include "stamp/service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::albo::testing {
namespace {

using namespace std::chrono_literals;

class AlboStampTest : public AlboTest {
 protected:
  void SetUp() override {
    AlboService::Options o;
    o.heartbeat_gap = 6h;  // the clock moves in steps of hours
    make(o);
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = body(*hub, "asti", "Comune di Asti");
    novara_ = body(*hub, "novara", "Comune di Novara");
    ASSERT_TRUE(protocol_->create_aoo(asti_, "c_a479_s", "c_a479_s", "Comune di Asti").ok());
    keys_dir_ = (dir_.path() / "keys").string();
    for (const char* slug : {"asti", "novara"})
      ASSERT_TRUE(keys::rotate(keys_dir_, slug, keys::Purpose::stamp_signing, clock_.now()).ok());
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    stamps_ =
        std::make_unique<stamp::StampService>(db(), *audit_, clock_, sp::testing::locales(), *tenants_,
                                              stamp::StampOptions{keys_dir_, "https://sportello.example"});
    albo_->set_stamps(stamps_.get());
    runner_->run_until_idle();
  }

  tenants::TenantId body(std::int64_t hub, const std::string& slug, const std::string& name) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    b.province = "AT";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  std::string write(const std::string& name, const std::string& bytes) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  sp::testing::TempDir dir_;
  std::string keys_dir_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<stamp::StampService> stamps_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

TEST_P(AlboStampTest, AConfirmedRelataIsStampedAndVerifiesOfflineWithItsBodysKeysOnly) {
  const auto officer = staff(asti_, "resp-asti", {identity::Role::office_manager});
  const auto desk = staff(asti_, "op-asti", {identity::Role::operator_});
  auto published = albo_->publish(&desk, asti_, act());
  ASSERT_TRUE(published.ok() && published->published) << (published.ok() ? "" : published.error().code);
  const auto id = published->published->id;
  run_until(rome(2026, 3, 17, 0, 1), 5h);  // day 16: ended, relata waiting

  // Another body's officer cannot confirm it (nor stamp it with their key).
  const auto foreign = staff(novara_, "resp-novara", {identity::Role::office_manager});
  EXPECT_EQ(albo_->confirm_relata(&foreign, asti_, id, "Comune di Asti").error().code, "forbidden");
  auto r = albo_->confirm_relata(&officer, asti_, id, "Comune di Asti");
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  auto pdf = albo_->relata_pdf(&officer, asti_, id, "Comune di Asti");
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(digest::sha256_hex(*pdf), r->sha256) << "the protocol holds the stamped bytes";

  // The registry says valid for the uploaded file ...
  auto found = stamps_->check_file(*pdf);
  EXPECT_EQ(found.verdict, stamp::Verdict::valid) << static_cast<int>(found.verdict);

  // ... and so does `sportello verify`, offline, from the body's published keys; not from another body's.
  auto jwks = [&](const std::string& owner) {
    return keys::public_jwks_json(*keys::load_ring(keys_dir_, owner, keys::Purpose::stamp_signing));
  };
  const auto file = write("relata.pdf", *pdf);
  auto run = [&](const std::string& keys) {
    return sp::testing::run_command("'" + sp::testing::binary() + "' verify '" + file + "' --keys '" + keys +
                                    "' 2>&1");
  };
  auto ok = run(write("asti.json", jwks("asti")));
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_NE(ok.out.find("valid"), std::string::npos) << ok.out;
  EXPECT_EQ(run(write("novara.json", jwks("novara"))).rc, 1);
}

// albo.tick runs every minute: a run that only beat the heartbeat leaves no job row (the table grew by
// ~1,440 rows a day); the run that ends a publication keeps its row.
class AlboTickRowsTest : public AlboTest {
 protected:
  void SetUp() override {
    AlboService::Options o;
    o.heartbeat_gap = 6h;  // steps of 5 hours are no outage
    make(o);
  }
  std::size_t count(jobs::State state) {
    jobs::ListQuery q;
    q.kind = kTickKind;
    q.state = state;
    return jobs::list(db(), q).size();
  }
};

TEST_P(AlboTickRowsTest, TheMinuteTickLeavesAJobRowOnlyWhenItDidSomething) {
  auto pub = publish(act());
  auto p = albo_->public_publication(kBody, pub.year, pub.number);
  ASSERT_TRUE(p);
  run_until(p->end_at - 1min, 5h);  // ~70 runs, each only a heartbeat
  EXPECT_EQ(count(jobs::State::done), 0u);
  EXPECT_EQ(count(jobs::State::queued) + count(jobs::State::running), 0u);
  EXPECT_TRUE(on_board(pub.id));
  run_until(p->end_at + 2min, 1min);
  EXPECT_EQ(count(jobs::State::done), 1u) << "the run that ended the publication stays on record";
  EXPECT_FALSE(on_board(pub.id));
}

INSTANTIATE_TEST_SUITE_P(Databases, AlboTickRowsTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);
INSTANTIATE_TEST_SUITE_P(Databases, AlboStampTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::albo::testing
