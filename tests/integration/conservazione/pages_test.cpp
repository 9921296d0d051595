// Preservation's pages and API through the whole application on the demo (both databases), with the
// demo's own simulated conservator: a refused package is shown to Asti's registry managers with the
// conservator's answer and sent again from the page; the body's administrator chooses what to preserve;
// Novara's staff and API keys never see Asti's packages.
#include <gtest/gtest.h>

#include "conservazione/sincro.hpp"
#include "conservazione/store.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "identity/api_keys.hpp"
#include "integration/protocollo_web/app_fixture.hpp"

namespace sp::conservazione {
namespace {

using protocollo::webtest::AppTest;

class ConservazionePagesTest : public AppTest {
 protected:
  // A package of one of Asti's stored files, as plan() makes them for the protocol's documents.
  std::string add_package(const std::string& due_day = "2026-12-09",
                          const std::string& bytes = "%PDF-1.4 delibera di prova") {
    auto stored = app_->files().put(asti_, "delibera.pdf", bytes, files::Limits{});
    EXPECT_TRUE(stored.ok());
    Package p;
    p.id = ids::uuid_v7();
    p.tenant_id = asti_;
    p.klass = kProtocolDocuments;
    p.object_id = stored->id;
    p.title = "2026/0000001 delibera.pdf";
    p.idempotency_key = "sportello-" + p.id;
    p.due_day = due_day;
    p.next_attempt_at = "2026-01-01T00:00:00Z";
    p.created_at = p.next_attempt_at;
    IndexInput in;
    in.package_id = p.id;
    in.volume_id = "asti/documenti_protocollo/2026/0000001";
    in.body_name = "Comune di Asti";
    in.klass = p.klass;
    in.made_at = p.created_at;
    in.files = {IndexFile{"delibera.pdf", digest::sha256_raw(bytes)}};
    p.index_xml = build_index(in);
    p.index_sha256 = digest::sha256_hex(p.index_xml);
    app_->database().write([&](db::Conn& tx) { EXPECT_TRUE(store::insert_package(tx, p)); });
    return p.id;
  }
};

TEST_P(ConservazionePagesTest, conservazione_ARefusedPackageIsShownAndSentAgainAndOtherBodiesSeeNothing) {
  ASSERT_NE(app_->conservazione_simulator(), nullptr) << "demo mode starts the conservator";
  const std::string id = add_package();
  app_->conservazione_simulator()->simulator().set_modes(1, 0, 0);
  EXPECT_EQ(app_->conservazione().send_due().rejected, 1);

  const auto manager = manager_session();
  EXPECT_NE(get("/backoffice/", manager).body.find("href=\"/backoffice/asti/conservazione\""),
            std::string::npos)
      << "linked from the staff home";
  auto list = get("/backoffice/asti/conservazione", manager);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("data-package-id=\"" + id + "\" data-state=\"rejected\""), std::string::npos);
  EXPECT_NE(list.body.find("Rifiutato dal conservatore"), std::string::npos);
  EXPECT_NE(list.body.find("SIM-REJECT"), std::string::npos);
  EXPECT_NE(list.body.find("Invia di nuovo ora"), std::string::npos);
  EXPECT_NE(get("/backoffice/asti/conservazione?lang=en", manager, "en").body.find("Digital preservation"),
            std::string::npos);
  auto detail = get("/backoffice/asti/conservazione/" + id, manager);
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("data-outcome=\"rejected\""), std::string::npos);
  EXPECT_NE(detail.body.find("sincro:IdC"), std::string::npos) << "the index, escaped";

  auto retried = post_form("/backoffice/asti/conservazione/" + id + "/riprova", manager, "");
  EXPECT_EQ(retried.status, 303);
  EXPECT_EQ(header(retried, "location"), "/backoffice/asti/conservazione?riprova=1");
  EXPECT_EQ(app_->conservazione().send_due().accepted, 1);
  list = get("/backoffice/asti/conservazione", manager);
  EXPECT_NE(list.body.find("data-package-id=\"" + id + "\" data-state=\"accepted\""), std::string::npos);
  EXPECT_NE(list.body.find("RV-"), std::string::npos) << "the receipt's id";

  // The administrator chooses the protocol's documents; an unknown class is refused with its form kept.
  const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
  EXPECT_EQ(
      post_form("/backoffice/asti/conservazione/impostazioni", admin, "classe=documenti_protocollo").status,
      303);
  auto settings = get("/backoffice/asti/conservazione/impostazioni", admin);
  EXPECT_NE(settings.body.find("value=\"documenti_protocollo\" id=\"classe-documenti_protocollo\" checked"),
            std::string::npos);
  auto refused = post_form("/backoffice/asti/conservazione/impostazioni", admin,
                           "classe=documenti_protocollo&classe=tutto");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("Classe di documenti sconosciuta: tutto"), std::string::npos);
  EXPECT_EQ(get("/backoffice/asti/conservazione/impostazioni", manager).status, 403) << "administrators only";

  // Novara: not Asti's pages, not Asti's package under its own URL, not through the API.
  const auto novara = novara_session();
  EXPECT_NE(get("/backoffice/asti/conservazione", novara).status, 200);
  EXPECT_EQ(get("/backoffice/novara/conservazione/" + id, novara).status, 404);
  EXPECT_EQ(post_form("/backoffice/novara/conservazione/" + id + "/riprova", novara, "").status, 404);
  EXPECT_EQ(get("/backoffice/novara/conservazione", novara).body.find(id), std::string::npos);
  const auto asti_key = api_key(asti_, {"protocollo:read"});
  const auto novara_key = api_key(novara_, {"protocollo:read"});
  auto mine = api("GET", "/api/v1/backoffice/asti/conservazione/pacchetti", asti_key);
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find(id), std::string::npos);
  EXPECT_NE(mine.body.find("\"state\":\"accepted\""), std::string::npos);
  auto theirs = api("GET", "/api/v1/backoffice/asti/conservazione/pacchetti", novara_key);
  EXPECT_GE(theirs.status, 400);
  EXPECT_EQ(theirs.body.find(id), std::string::npos);
  EXPECT_EQ(api("GET", "/api/v1/backoffice/novara/conservazione/pacchetti", novara_key).body.find(id),
            std::string::npos);

  // A package not accepted by its due day is flagged to the registry managers (the page's warning, counted
  // over all the body's packages, and the /metrics gauge by class); once accepted after the deadline it
  // stays marked as preserved late. Novara's page shows no warning for Asti's package.
  const std::string late_id = add_package("2000-01-03", "%PDF-1.4 determina in ritardo");  // long past
  app_->conservazione_simulator()->simulator().set_modes(0, 1, 0);                         // not delivered
  EXPECT_EQ(app_->conservazione().send_due().failed, 1);

  list = get("/backoffice/asti/conservazione", manager);
  ASSERT_EQ(list.status, 200);
  const auto alert = list.body.find("id=\"conservazione-overdue\"");
  ASSERT_NE(alert, std::string::npos) << "the registry managers are warned";
  EXPECT_NE(list.body.find("Pacchetti non ancora conservati oltre la scadenza di legge: 1", alert),
            std::string::npos);
  EXPECT_NE(
      get("/backoffice/asti/conservazione?lang=en", manager, "en").body.find("past their legal deadline"),
      std::string::npos);
  const auto metrics = get("/metrics", manager).body;
  EXPECT_NE(metrics.find("sportello_conservazione_overdue{class=\"documenti_protocollo\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("sportello_conservazione_overdue{class=\"ricevute_pagamento\"} 0"),
            std::string::npos);
  EXPECT_EQ(get("/backoffice/novara/conservazione", novara).body.find("conservazione-overdue"),
            std::string::npos)
      << "another body's late package is not Novara's";

  // Sent again and accepted after the deadline: no more warning, the package marked as preserved late.
  retried = post_form("/backoffice/asti/conservazione/" + late_id + "/riprova", manager, "");
  EXPECT_EQ(retried.status, 303);
  EXPECT_EQ(app_->conservazione().send_due().accepted, 1);
  list = get("/backoffice/asti/conservazione", manager);
  EXPECT_EQ(list.body.find("id=\"conservazione-overdue\""), std::string::npos);
  const auto row = list.body.find("data-package-id=\"" + late_id + "\" data-state=\"accepted\"");
  ASSERT_NE(row, std::string::npos);
  EXPECT_NE(list.body.find("data-late=\"1\">conservato in ritardo", row), std::string::npos);
  EXPECT_NE(get("/backoffice/asti/conservazione/" + late_id, manager).body.find("conservato in ritardo"),
            std::string::npos);
  EXPECT_NE(
      get("/metrics", manager).body.find("sportello_conservazione_overdue{class=\"documenti_protocollo\"} 0"),
      std::string::npos);

  // A daily register's package is named by its AOO's name and the day as people write it, in each language
  // (its stored title is the conservator's "<AOO code> <ISO day>").
  const auto aoos = app_->protocol().aoos(asti_);
  ASSERT_FALSE(aoos.empty());
  Package reg;
  reg.id = ids::uuid_v7();
  reg.tenant_id = asti_;
  reg.klass = kDailyRegister;
  reg.object_id = "register-of-test";
  reg.title = aoos.front().code + " 2026-12-05";
  reg.idempotency_key = "sportello-" + reg.id;
  reg.index_xml = "<sincro:IdC/>";
  reg.due_day = "2026-12-07";
  reg.next_attempt_at = "2099-01-01T00:00:00Z";  // not sent by this test
  reg.created_at = "2026-12-06T00:05:00Z";
  app_->database().write([&](db::Conn& tx) { EXPECT_TRUE(store::insert_package(tx, reg)); });
  list = get("/backoffice/asti/conservazione", manager);
  EXPECT_NE(list.body.find(aoos.front().name + ", registro del 5 dicembre 2026"), std::string::npos)
      << list.body.substr(0, 4000);
  EXPECT_EQ(list.body.find(">" + reg.title + "<"), std::string::npos) << "not the raw code and ISO day";
  EXPECT_NE(get("/backoffice/asti/conservazione?lang=en", manager, "en")
                .body.find(aoos.front().name + ", register of 5 December 2026"),
            std::string::npos);
  EXPECT_NE(
      get("/backoffice/asti/conservazione/" + reg.id, manager).body.find("registro del 5 dicembre 2026"),
      std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ConservazionePagesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         protocollo::webtest::dialect_name);

}  // namespace
}  // namespace sp::conservazione
