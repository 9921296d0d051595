// The registry's back-office pages through the whole application: registering an uploaded document,
// the entry page, download, search, classification, annulment, and the wall between bodies.
#include <fstream>
#include <iterator>

#include "app_fixture.hpp"
#include "core/digest.hpp"

namespace sp::protocollo::webtest {
namespace {

using PagesTest = AppTest;

const std::string kBase = "/backoffice/asti/protocollo";

// Registers one incoming document through the form; returns the entry's id (from the redirect).
std::string register_through_form(AppTest& t, const std::string& session, const std::string& subject,
                                  const std::string& pdf) {
  auto r =
      t.post_multipart(kBase + "/nuovo", session,
                       {{"direction", "incoming"},
                        {"channel", "pec"},
                        {"subject", subject},
                        {"correspondent_kind", "person"},
                        {"correspondent_name", "Maria Bianchi"},
                        {"correspondent_fiscal_code", "bncmra80a41a479x"},
                        {"correspondent_pec", "maria.bianchi@pec.example.it"},
                        {"classification", "6.3"}},
                       {{"document", "istanza.pdf", "application/pdf", pdf},
                        {"attachments", "documento.pdf", "application/pdf", sample_pdf("carta identita")}});
  EXPECT_EQ(r.status, 303) << r.body.substr(0, 2000);
  const auto location = AppTest::header(r, "location");
  const auto start = location.rfind('/');
  const auto end = location.find('?');
  return location.substr(start + 1, end - start - 1);
}

TEST_P(PagesTest, AnOperatorRegistersAnUploadedDocumentAndFindsIt) {
  const auto op = operator_session();
  const auto pdf = sample_pdf("domanda di accesso agli atti");
  const auto id = register_through_form(*this, op, "Richiesta di accesso agli atti", pdf);
  ASSERT_FALSE(id.empty());

  auto page = get(kBase + "/" + id + "?registrata=1", op);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"registered-notice\""), std::string::npos);
  EXPECT_NE(page.body.find("0000001/"), std::string::npos);
  EXPECT_NE(page.body.find("c_a479 - "), std::string::npos) << "segnatura with Asti's AOO code";
  EXPECT_NE(page.body.find("BNCMRA80A41A479X"), std::string::npos) << "fiscal code upper-cased";
  EXPECT_NE(page.body.find(digest::sha256_hex(pdf)), std::string::npos);

  // The stored document comes back byte for byte, as a download that browsers never sniff.
  auto doc = get(kBase + "/" + id + "/documenti/0", op);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, pdf);
  EXPECT_EQ(doc.content_type, "application/pdf");
  EXPECT_EQ(header(doc, "x-content-type-options"), "nosniff");
  EXPECT_NE(header(doc, "content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(get(kBase + "/" + id + "/documenti/7", op).status, 404);

  auto xml = get(kBase + "/" + id + "/segnatura.xml", op);
  ASSERT_EQ(xml.status, 200);
  EXPECT_NE(xml.body.find("<prot:NumeroRegistrazione>0000001</prot:NumeroRegistrazione>"), std::string::npos);
  EXPECT_NE(xml.body.find("<ds:Signature"), std::string::npos);  // signed (XAdES): protocollo_interop

  // A second registration takes the next number.
  const auto id2 = register_through_form(*this, op, "Segnalazione buca stradale", sample_pdf("buca"));
  EXPECT_NE(get(kBase + "/" + id2, op).body.find("0000002/"), std::string::npos);

  // Search: by subject (case-insensitive), by number, by correspondent, by classification, by days.
  auto by_subject = get(kBase + "?oggetto=ACCESSO", op);
  ASSERT_EQ(by_subject.status, 200);
  EXPECT_NE(by_subject.body.find("data-entry-id=\"" + id + "\""), std::string::npos);
  EXPECT_EQ(by_subject.body.find("data-entry-id=\"" + id2 + "\""), std::string::npos);
  auto by_number = get(kBase + "?numero=2", op);
  EXPECT_NE(by_number.body.find("data-entry-id=\"" + id2 + "\""), std::string::npos);
  EXPECT_EQ(by_number.body.find("data-entry-id=\"" + id + "\""), std::string::npos);
  auto by_person = get(kBase + "?corrispondente=bianchi", op);
  EXPECT_NE(by_person.body.find("2 registrazioni trovate"), std::string::npos);
  auto by_class = get(kBase + "?classificazione=6.*", op);
  EXPECT_NE(by_class.body.find("2 registrazioni trovate"), std::string::npos);
  auto old_days = get(kBase + "?dal=2020-01-01&al=2020-12-31", op);
  EXPECT_NE(old_days.body.find("0 registrazioni trovate"), std::string::npos);
  auto bad = get(kBase + "?dal=ieri", op);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Criteri di ricerca non validi"), std::string::npos);
}

TEST_P(PagesTest, AMissingSubjectKeepsWhatWasTypedAndExplainsInBothLanguages) {
  const auto op = operator_session();
  for (const std::string lang : {"it", "en"}) {
    auto r = post_multipart(
        kBase + "/nuovo", op,
        {{"subject", "  "}, {"correspondent_name", "Ditta Rossi Srl"}, {"classification", "9.1"}},
        {{"document", "a.pdf", "application/pdf", sample_pdf()}}, lang);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("value=\"Ditta Rossi Srl\""), std::string::npos);
    EXPECT_NE(r.body.find("value=\"9.1\""), std::string::npos);
    EXPECT_NE(r.body.find(lang == "it" ? "oggetto del documento da protocollare" : "subject of the document"),
              std::string::npos);
  }
  // Without a main document an incoming registration is refused, and nothing is numbered.
  auto r =
      post_multipart(kBase + "/nuovo", op, {{"subject", "Esposto"}, {"correspondent_name", "Anonimo"}}, {});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("documento principale"), std::string::npos);
  EXPECT_NE(get(kBase, op).body.find("0 registrazioni trovate"), std::string::npos);

  // An administration outside the hub, by its IPA and AOO codes: both codes, well formed, and the AOO's
  // PEC address; each refusal explains and keeps what was typed.
  std::map<std::string, std::string> outside{
      {"direction", "outgoing"},      {"subject", "Trasmissione della determina"},
      {"correspondent_kind", "body"}, {"correspondent_name", "Regione Simulata"},
      {"correspondent_ipa", "r_sim"}, {"correspondent_aoo_code", ""}};
  const std::vector<Upload> doc{{"document", "determina.pdf", "application/pdf", sample_pdf()}};
  r = post_multipart(kBase + "/nuovo", op, outside, doc);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Codice IPA e codice AOO vanno indicati entrambi"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"r_sim\""), std::string::npos);
  outside["correspondent_aoo_code"] = "AOO <1>";
  EXPECT_EQ(post_multipart(kBase + "/nuovo", op, outside, doc).status, 400) << "not a code";
  outside["correspondent_aoo_code"] = "AOO_SIM";
  r = post_multipart(kBase + "/nuovo", op, outside, doc, "en");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("outside the hub give its AOO"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"AOO_SIM\""), std::string::npos);
  outside["correspondent_pec"] = "protocollo@pec.regione-simulata.example";
  r = post_multipart(kBase + "/nuovo", op, outside, doc);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 1500);
  auto entry = get(AppTest::header(r, "location"), op);
  EXPECT_NE(entry.body.find("IPA/AOO <span class=\"correspondent-codes\">r_sim/AOO_SIM</span>"),
            std::string::npos);
  EXPECT_NE(entry.body.find("protocollo@pec.regione-simulata.example"), std::string::npos);
}

TEST_P(PagesTest, AnExecutableIsRefusedWhateverItsNameAndNothingIsRegistered) {
  const auto op = operator_session();
  // A real program: this test binary, renamed.
  // Its first 256 KiB (ELF header included) only: reading the whole sanitized binary with its debug
  // information byte by byte took ~10 s per database.
  std::ifstream exe("/proc/self/exe", std::ios::binary);
  std::string program(256 * 1024, '\0');
  exe.read(program.data(), static_cast<std::streamsize>(program.size()));
  program.resize(static_cast<std::size_t>(exe.gcount()));
  ASSERT_EQ(program.substr(0, 4),
            "\x7f"
            "ELF");
  auto r =
      post_multipart(kBase + "/nuovo", op, {{"subject", "Istanza"}, {"correspondent_name", "Mario Rossi"}},
                     {{"document", "istanza.pdf", "application/pdf", program}});
  EXPECT_EQ(r.status, 415) << r.body.substr(0, 500);
  EXPECT_NE(get(kBase, op).body.find("0 registrazioni trovate"), std::string::npos);
}

TEST_P(PagesTest, ClassificationChangesGoToHistoryAndOnlyManagersAnnul) {
  const auto op = operator_session();
  const auto id = register_through_form(*this, op, "Domanda di contributo", sample_pdf());
  auto c = post_form(kBase + "/" + id + "/classificazione", op,
                     "classification=7.1&fascicolo=2026-7.1-4&office=Servizi+sociali");
  EXPECT_EQ(c.status, 303);
  auto page = get(kBase + "/" + id, op);
  EXPECT_NE(page.body.find("id=\"history-table\""), std::string::npos);
  EXPECT_NE(page.body.find("<td>6.3</td><td>7.1</td>"), std::string::npos);

  // An operator may not annul.
  auto refused = post_form(kBase + "/" + id + "/annulla", op, "reason=Errore&authorisation=Det.+1%2F2026");
  EXPECT_EQ(refused.status, 403);
  // The registry's manager may, with reason and authorisation; the entry stays, marked.
  const auto mgr = manager_session();
  auto missing = post_form(kBase + "/" + id + "/annulla", mgr, "reason=Errore+materiale&authorisation=");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("value=\"\""), std::string::npos);
  EXPECT_NE(missing.body.find("Errore materiale"), std::string::npos) << "the typed reason is kept";
  auto ok =
      post_form(kBase + "/" + id + "/annulla", mgr, "reason=Errore+materiale&authorisation=Det.+12%2F2026");
  EXPECT_EQ(ok.status, 303);
  page = get(kBase + "/" + id, op);
  EXPECT_NE(page.body.find("id=\"annulled-badge\""), std::string::npos);
  EXPECT_NE(page.body.find("Det. 12/2026"), std::string::npos);
  EXPECT_EQ(page.body.find("id=\"annul-form\""), std::string::npos);
  auto again = post_form(kBase + "/" + id + "/annulla", mgr, "reason=Altro&authorisation=Det.+13%2F2026");
  EXPECT_EQ(again.status, 409);
  // Search shows it as annulled.
  EXPECT_NE(get(kBase, op).body.find(">Annullata<"), std::string::npos);
}

TEST_P(PagesTest, AnotherBodysStaffCanNeitherSeeNorAnnulAstisEntries) {
  const auto op = operator_session();
  const auto id = register_through_form(*this, op, "Istanza riservata", sample_pdf());
  const auto novara = novara_session();
  // On Asti's pages: refused outright.
  EXPECT_EQ(get(kBase, novara).status, 403);
  EXPECT_EQ(get(kBase + "/" + id, novara).status, 403);
  EXPECT_EQ(get(kBase + "/" + id + "/documenti/0", novara).status, 403);
  EXPECT_EQ(post_form(kBase + "/" + id + "/annulla", novara, "reason=x&authorisation=y").status, 403);
  // Through Novara's own pages with Asti's id: nothing there.
  EXPECT_EQ(get("/backoffice/novara/protocollo/" + id, novara).status, 404);
  EXPECT_EQ(post_form("/backoffice/novara/protocollo/" + id + "/annulla", novara, "reason=x&authorisation=y")
                .status,
            404);
  EXPECT_EQ(get("/backoffice/novara/protocollo/" + id + "/documenti/0", novara).status, 404);
  EXPECT_EQ(get("/backoffice/novara/protocollo?oggetto=riservata", novara).body.find(id), std::string::npos);
  // Anonymous visitors are sent to sign in.
  EXPECT_EQ(get(kBase + "/" + id, "").status, 303);
  // Still intact.
  EXPECT_EQ(get(kBase + "/" + id, op).body.find("id=\"annulled-badge\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PagesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
