// Issue 15, "Performance": stamped documents per second on one core (PDF + 2D code + signature) against
// the same PDF without the stamp. Target: the stamp costs under 20 %. Each iteration renders a case's
// decision letter (cases::render_letter, two pages of the hub's usual letter) once without the stamp and
// once through StampService::issue (the stamp's block and placeholder code, SHA-256 of the bytes, the
// body's key ring read from keys_dir, the Ed25519 seal, the incremental update with the final code, the
// registry's row), alternately, so that the machine's load weighs on both alike; the registry's rows go
// into one transaction for the whole run (a producer's own transaction, not one commit per document).
//   build/bench/sportello_bench --benchmark_filter=Stamp
// Counters: plain_docs/s, stamped_docs/s and stamp_cost_% (stamped time over plain time, minus 100), from
// the wall clock; stamp_cost_cpu_% the same from the thread's CPU time, which the other processes of a
// shared machine do not inflate (on a quiet machine the two agree).
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>

#include "audit/service.hpp"
#include "cases/pdf.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "core/keys/key_ring.hpp"
#include "db/database.hpp"
#include "stamp/service.hpp"
#include "tenants/service.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// This thread's CPU time, in seconds.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

sp::cases::Letter decision_letter() {
  sp::cases::Letter l;
  l.lang = "it-IT";
  l.heading = "Comune di Asti\nUfficio Servizi Demografici";
  l.title = "Provvedimento di accoglimento";
  l.facts = {{"Protocollo della domanda", "0000042/2026"},
             {"Data di presentazione", "05/12/2026"},
             {"Richiedente", "Anna Ferraro (FRRNNA78S70A479X)"},
             {"Servizio", "Iscrizione al servizio di refezione scolastica"}};
  const std::string p =
      "Vista la domanda in oggetto e la documentazione allegata; visto il regolamento comunale del servizio; "
      "accertato il possesso dei requisiti previsti, la domanda è accolta per l'anno scolastico 2026/2027. "
      "Contro il presente provvedimento è ammesso ricorso al Tribunale amministrativo regionale entro "
      "sessanta giorni dalla notifica, o ricorso straordinario al Presidente della Repubblica entro "
      "centoventi giorni.";
  for (int i = 0; i < 8; ++i) l.paragraphs.push_back(p);
  l.footer = "Comune di Asti – Piazza San Secondo 1, 14100 Asti";
  l.page_label = "Pagina {page} di {pages}";
  return l;
}

class StampFixture {
 public:
  StampFixture() {
    dir_ = fs::temp_directory_path() / ("sportello-bench-stamp-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    db_ = sp::db::open("sqlite:" + (dir_ / "stamp.db").string());
    sp::db::migrate(*db_, sp::built_in_share_dir() + "/migrations");
    tenants_ = std::make_unique<sp::tenants::TenantService>(*db_);
    auto hub = tenants_->create_hub({0, "bench", "Polo", "00743110157", "", "", ""});
    sp::tenants::Body b;
    b.hub_id = hub ? *hub : 1;
    b.slug = "asti";
    b.name = "Comune di Asti";
    b.fiscal_code = "00072360050";
    tenant_ = tenants_->create_body(b).value();
    const auto keys_dir = (dir_ / "keys").string();
    (void)sp::keys::rotate(keys_dir, "asti", sp::keys::Purpose::stamp_signing,
                           sp::time::system_clock().now() - std::chrono::hours(1));
    i18n_.load(sp::built_in_share_dir() + "/web/locales");
    audit_ = std::make_unique<sp::audit::AuditService>(*db_, sp::time::system_clock());
    stamps_ =
        std::make_unique<sp::stamp::StampService>(*db_, *audit_, sp::time::system_clock(), i18n_, *tenants_,
                                                  sp::stamp::StampOptions{keys_dir, "https://hub.example"});
  }
  ~StampFixture() {
    stamps_.reset();
    audit_.reset();
    tenants_.reset();
    db_->close();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  sp::db::Database& db() { return *db_; }
  sp::stamp::StampService& stamps() { return *stamps_; }
  [[nodiscard]] sp::tenants::TenantId tenant() const { return tenant_; }

 private:
  fs::path dir_;
  std::unique_ptr<sp::db::Database> db_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  sp::I18n i18n_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<sp::stamp::StampService> stamps_;
  sp::tenants::TenantId tenant_ = 0;
};

void BM_StampCost(benchmark::State& state) {
  StampFixture f;
  auto letter = decision_letter();
  sp::stamp::IssueRequest request;
  request.tenant = f.tenant();
  request.kind = "case-letter";
  request.title = letter.title;
  request.protocol = "0000043/2026";
  double plain_s = 0, stamped_s = 0;
  double plain_cpu = 0, stamped_cpu = 0;
  std::size_t bytes = 0;
  f.db().write([&](sp::db::Conn& tx) {
    for (auto _ : state) {
      const double c0 = thread_cpu_seconds();
      auto t0 = Clock::now();
      letter.stamp = nullptr;
      auto plain = sp::cases::render_letter(letter);
      auto t1 = Clock::now();
      const double c1 = thread_cpu_seconds();
      auto stamped = f.stamps().issue(tx, request, [&](const sp::stamp::Block& block) {
        letter.stamp = &block;
        return sp::cases::render_letter(letter);
      });
      auto t2 = Clock::now();
      const double c2 = thread_cpu_seconds();
      plain_cpu += c1 - c0;
      stamped_cpu += c2 - c1;
      if (!stamped) {
        state.SkipWithError(stamped.error().code.c_str());
        break;
      }
      bytes = stamped->pdf.size();
      benchmark::DoNotOptimize(plain);
      plain_s += std::chrono::duration<double>(t1 - t0).count();
      stamped_s += std::chrono::duration<double>(t2 - t1).count();
      state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count());
    }
  });
  const auto n = static_cast<double>(state.iterations());
  if (plain_s > 0 && stamped_s > 0) {
    state.counters["plain_docs/s"] = n / plain_s;
    state.counters["stamped_docs/s"] = n / stamped_s;
    state.counters["stamp_cost_%"] = (stamped_s / plain_s - 1) * 100;
    if (plain_cpu > 0) state.counters["stamp_cost_cpu_%"] = (stamped_cpu / plain_cpu - 1) * 100;
    state.counters["stamped_bytes"] = static_cast<double>(bytes);
  }
}
BENCHMARK(BM_StampCost)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace
