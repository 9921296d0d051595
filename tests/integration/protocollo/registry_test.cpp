// Annulment, editable fields and their history, the database's own refusal to change mandatory fields,
// the segnatura, search, and one body never seeing or touching another's entries — on both databases.
#include <atomic>
#include <pugixml.hpp>
#include <thread>
#include <vector>

#include "protocollo/segnatura.hpp"
#include "protocollo_fixture.hpp"

namespace sp::protocollo::testing {
namespace {

class ProtocolRegistryTest : public ProtocolloTest {};

TEST_P(ProtocolRegistryTest, AnnulmentKeepsTheEntryMarksItAndIsRecordedOnce) {
  auto r = register_one(incoming(aoo_));
  EXPECT_EQ(protocol().annul(&staff_, kBody, r.id, "", "Det. 12/2026").error().code,
            "protocollo.annulment_reason");
  EXPECT_EQ(protocol().annul(&staff_, kBody, r.id, "Oggetto errato", " ").error().code,
            "protocollo.annulment_authorisation");
  clock_.advance(std::chrono::minutes(5));
  ASSERT_TRUE(protocol().annul(&staff_, kBody, r.id, "Oggetto errato", "Det. 12/2026").ok());

  auto e = protocol().get(&staff_, kBody, r.id);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->annulled());
  EXPECT_EQ(e->annulment->reason, "Oggetto errato");
  EXPECT_EQ(e->annulment->authorisation, "Det. 12/2026");
  EXPECT_EQ(e->annulment->by, "staff:staff-7");
  EXPECT_EQ(time::format_iso_utc_millis(e->annulment->at), "2026-03-02T10:05:00.000Z");
  EXPECT_EQ(e->subject, "Istanza di accesso agli atti");  // the original stays readable
  EXPECT_EQ(e->number, 1);

  auto h = protocol().history(&staff_, kBody, r.id);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].kind, HistoryKind::annulment);
  EXPECT_EQ((*h)[0].field, HistoryField::annulment_reason);
  EXPECT_EQ((*h)[0].new_value, "Oggetto errato");
  EXPECT_EQ((*h)[1].new_value, "Det. 12/2026");

  auto again = protocol().annul(&staff_, kBody, r.id, "Altro motivo", "Det. 13/2026");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "protocollo.annulled");
  EXPECT_EQ(protocol().get(&staff_, kBody, r.id)->annulment->reason, "Oggetto errato");
  EXPECT_EQ(protocol().history(&staff_, kBody, r.id)->size(), 2u);

  // The database refuses a second annulment too, even behind the service's back.
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("UPDATE protocol_entries SET annulment_reason = 'x' WHERE id = $1", {r.id});
  }),
               db::DbError);
  // A new entry may be made; the annulled one keeps its number.
  EXPECT_EQ(register_one(incoming(aoo_)).number, 2);
}

TEST_P(ProtocolRegistryTest, ClassificationFascicoloAndOfficeChangeWithHistory) {
  auto r = register_one(incoming(aoo_));
  clock_.advance(std::chrono::hours(1));
  ASSERT_TRUE(
      protocol()
          .update_classification(&staff_, kBody, r.id, {.classification = "7.1", .office = "Anagrafe"})
          .ok());
  auto e = protocol().get(&staff_, kBody, r.id);
  EXPECT_EQ(e->classification, "7.1");
  EXPECT_EQ(e->office, "Anagrafe");
  EXPECT_EQ(e->fascicolo, "2026-6.3-12");  // untouched
  auto h = protocol().history(&staff_, kBody, r.id);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].field, HistoryField::classification);
  EXPECT_EQ((*h)[0].old_value, "6.3");
  EXPECT_EQ((*h)[0].new_value, "7.1");
  EXPECT_EQ((*h)[0].kind, HistoryKind::edit);
  EXPECT_EQ((*h)[0].who, "staff:staff-7");
  EXPECT_EQ(time::format_iso_utc_millis((*h)[0].at), "2026-03-02T11:00:00.000Z");
  EXPECT_EQ((*h)[1].field, HistoryField::office);
  EXPECT_EQ(
      protocol().update_classification(&other_staff_, kBody, r.id, {.classification = "1"}).error().code,
      "forbidden");
}

TEST_P(ProtocolRegistryTest, TheDatabaseRefusesChangesToMandatoryFields) {
  auto r = register_one(incoming(aoo_));
  auto refused = [&](const std::string& sql) {
    EXPECT_THROW(db().write([&](db::Conn& c) { c.exec(sql, {r.id}); }), db::DbError) << sql;
  };
  refused("UPDATE protocol_entries SET subject = 'Altro oggetto' WHERE id = $1");
  refused("UPDATE protocol_entries SET number = 99 WHERE id = $1");
  refused("UPDATE protocol_entries SET year = 2025 WHERE id = $1");
  refused("UPDATE protocol_entries SET registered_at = '2020-01-01T00:00:00.000Z' WHERE id = $1");
  refused("UPDATE protocol_entries SET correspondents = '[]' WHERE id = $1");
  refused("UPDATE protocol_entries SET direction = 'outgoing' WHERE id = $1");
  refused("DELETE FROM protocol_entries WHERE id = $1");
  refused("UPDATE protocol_documents SET sha256 = '" + std::string(64, '0') + "' WHERE entry_id = $1");
  refused("DELETE FROM protocol_documents WHERE entry_id = $1");
  auto e = protocol().get(&staff_, kBody, r.id);
  EXPECT_EQ(e->subject, "Istanza di accesso agli atti");
  EXPECT_EQ(e->documents.size(), 2u);
  // The editable fields may change directly.
  db().write([&](db::Conn& c) {
    EXPECT_EQ(
        c.exec("UPDATE protocol_entries SET classification = '9.9', office = 'X' WHERE id = $1", {r.id}), 1);
  });
  EXPECT_EQ(protocol().get(&staff_, kBody, r.id)->classification, "9.9");
}

TEST_P(ProtocolRegistryTest, SegnaturaXmlCarriesTheEntrysValues) {
  // (Signed and checked against AgID's schema: tests/integration/protocollo_interop.)
  auto r = register_one(incoming(aoo_));
  auto e = protocol().get(&staff_, kBody, r.id);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ProtocolService::segnatura_text(*e), "AOO_ROMA - 2026 - 0000001 - 02/03/2026");
  auto xml = segnatura_unsigned(*e, {"Roma Capitale", "02438750586", "Protocollo generale", ""});
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml->find("prot:versione=\"3.0.0\""), std::string::npos) << *xml;
  EXPECT_EQ(xml->find("codifica"), std::string::npos) << *xml;  // not in AgID's schema
  auto read = read_segnatura(*xml);
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(read->id.admin_code, "c_h501");
  EXPECT_EQ(read->id.aoo_code, "AOO_ROMA");
  EXPECT_EQ(read->id.registry, "PROTOCOLLO");
  EXPECT_EQ(read->id.number, "0000001");
  EXPECT_EQ(read->id.date, "2026-03-02");
  EXPECT_EQ(read->subject, "Istanza di accesso agli atti");
  EXPECT_EQ(read->classification, "6.3");
  EXPECT_EQ(read->fascicolo, "2026-6.3-12");
  EXPECT_EQ(read->sender.name, "Mario Rossi");
  EXPECT_EQ(read->sender.fiscal_code, "RSSMRA80A01H501U");
  ASSERT_EQ(read->recipients.size(), 1u);
  EXPECT_EQ(read->recipients[0].aoo_code, "AOO_ROMA");
  ASSERT_EQ(read->documents.size(), 2u);
  EXPECT_EQ(read->documents[0].file_name, "istanza.pdf");
  EXPECT_EQ(read->documents[0].mime_type, "application/pdf");
  // SHA-256("hello") in base64 in the XML, hex once read.
  EXPECT_NE(xml->find("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="), std::string::npos);
  EXPECT_EQ(read->documents[0].sha256_hex, digest::sha256_hex("hello"));
  EXPECT_EQ(read->documents[1].sha256_hex, digest::sha256_hex("abc"));

  // Outgoing: the AOO sends, the correspondent receives.
  auto out = incoming(aoo_, "Provvedimento");
  out.direction = Direction::outgoing;
  auto r2 = register_one(out);
  auto read2 = read_segnatura(segnatura_unsigned(*protocol().get(&staff_, kBody, r2.id), {}).value()).value();
  EXPECT_EQ(read2.sender.aoo_code, "AOO_ROMA");
  ASSERT_EQ(read2.recipients.size(), 1u);
  EXPECT_EQ(read2.recipients[0].name, "Mario Rossi");
  EXPECT_EQ(read2.id.number, "0000002");
}

TEST_P(ProtocolRegistryTest, SearchByNumberYearDatesSubjectCorrespondentAndClassification) {
  auto a = register_one(incoming(aoo_, "Richiesta contributo"));
  clock_.advance(std::chrono::hours(24));  // 3 March
  auto b_in = incoming(aoo_, "Segnalazione buca stradale");
  b_in.correspondents = {
      {protocollo::CorrespondentKind::business, "Edil Srl", "01234567890", "", "info@edil.example.it"}};
  b_in.classification = "7.1";
  auto b = register_one(b_in);

  auto ids = [&](const SearchQuery& q) {
    std::vector<std::int64_t> out;
    auto r = protocol().search(&staff_, kBody, q);
    EXPECT_TRUE(r.ok());
    if (r.ok())
      for (const auto& e : *r) out.push_back(e.number);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(ids({.year = 2026, .number = 1}), std::vector<std::int64_t>{1});
  EXPECT_TRUE(ids({.year = 2025}).empty());
  EXPECT_EQ(ids({.from = "2026-03-03"}), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids({.to = "2026-03-03"}), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids({.from = "2026-03-02T00:00:00Z", .to = "2026-03-04T00:00:00+01:00"}),
            (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(ids({.subject = "BUCA"}), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids({.correspondent = "edil"}), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids({.correspondent = "RSSMRA80A01H501U"}), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids({.classification = "7.1"}), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids({.classification = "6*"}), std::vector<std::int64_t>{1});
  EXPECT_TRUE(ids({.subject = "100%"}).empty());
  EXPECT_EQ(protocol().search(&staff_, kBody, {.from = "ieri"}).error().code, "protocollo.search");
  auto found = protocol().search(&staff_, kBody, {.number = 2});
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, b.id);
  EXPECT_EQ(found->front().correspondents, b_in.correspondents);
  EXPECT_EQ(found->front().documents, b_in.documents);
  (void)a;
}

TEST_P(ProtocolRegistryTest, AnotherBodyCanNeitherSeeNorAnnulTheEntry) {
  auto r = register_one(incoming(aoo_));
  // Staff of the other body, in their own body: nothing of ours is there.
  EXPECT_EQ(protocol().get(&other_staff_, kOtherBody, r.id).error().code, "not_found");
  EXPECT_EQ(protocol().history(&other_staff_, kOtherBody, r.id).error().code, "not_found");
  auto s = protocol().search(&other_staff_, kOtherBody, {});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
  EXPECT_EQ(protocol().annul(&other_staff_, kOtherBody, r.id, "motivo", "Det. 1").error().code, "not_found");
  EXPECT_EQ(
      protocol().update_classification(&other_staff_, kOtherBody, r.id, {.classification = "1"}).error().code,
      "not_found");
  // Asking for our body outright is forbidden.
  EXPECT_EQ(protocol().get(&other_staff_, kBody, r.id).error().code, "forbidden");
  EXPECT_EQ(protocol().search(&other_staff_, kBody, {}).error().code, "forbidden");
  EXPECT_EQ(protocol().annul(&other_staff_, kBody, r.id, "motivo", "Det. 1").error().code, "forbidden");
  EXPECT_EQ(protocol().get(nullptr, kBody, r.id).error().code, "auth.required");
  // Still intact for its own body.
  auto e = protocol().get(&staff_, kBody, r.id);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->annulled());
  EXPECT_EQ(e->classification, "6.3");
  EXPECT_TRUE(protocol().history(&staff_, kBody, r.id)->empty());
}

TEST_P(ProtocolRegistryTest, OfTwoConcurrentAnnulmentsExactlyOneSucceeds) {
  for (int round = 0; round < 10; ++round) {
    auto r = register_one(incoming(aoo_));
    std::atomic<int> ok{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto st = protocol().annul(&staff_, kBody, r.id, "motivo " + std::to_string(t),
                                   "Det. " + std::to_string(t));
        if (st.ok())
          ++ok;
        else if (st.error().code == "protocollo.annulled")
          ++refused;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(refused.load(), 3);
    EXPECT_EQ(protocol().history(&staff_, kBody, r.id)->size(), 2u);
  }
}

TEST_P(ProtocolRegistryTest, OnlyTheRegistrysManagersMayAnnul) {
  auto r = register_one(incoming(aoo_));
  auto clerk = make_staff(kBody, "clerk-7");
  clerk.roles = {identity::Role::operator_};
  EXPECT_EQ(protocol().annul(&clerk, kBody, r.id, "Oggetto errato", "Det. 1/2026").error().code, "forbidden");
  EXPECT_FALSE(protocol().get(&staff_, kBody, r.id)->annulled());
  // A system of the body (an API key checked by the caller) may.
  EXPECT_TRUE(protocol().annul(SystemActor{"api-key:k1"}, kBody, r.id, "Oggetto errato", "Det. 1/2026").ok());
  EXPECT_EQ(protocol().get(&staff_, kBody, r.id)->annulment->by, "system:api-key:k1");
}

TEST_P(ProtocolRegistryTest, RegistrationsAnnulmentsAndClassificationsAreAudited) {
  auto r = register_one(incoming(aoo_));
  ASSERT_TRUE(protocol().update_classification(&staff_, kBody, r.id, {.classification = "1.2"}).ok());
  ASSERT_TRUE(protocol().annul(&staff_, kBody, r.id, "Duplicato", "Det. 2/2026").ok());
  audit::AuditService audit(db(), clock_);
  auto page = audit.entries(kBody, {});
  std::vector<std::string> actions;
  for (const auto& e : page.entries) {
    if (e.entry.record_id == r.id) actions.push_back(e.entry.action);
  }
  std::sort(actions.begin(), actions.end());
  EXPECT_EQ(actions,
            (std::vector<std::string>{"protocollo.annul", "protocollo.classify", "protocollo.register"}));
  EXPECT_TRUE(audit.verify(kBody).intact);
  // Nothing of it lands in the other body's log.
  EXPECT_TRUE(audit.entries(kOtherBody, {}).entries.empty());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ProtocolRegistryTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::testing
