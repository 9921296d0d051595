// Decision documents from per-service templates (data/decisions/) against real SQLite and PostgreSQL: the
// drafts carry the case's values, a service without a template (or an outcome) gets the hub's default, the
// document takes the template's title, and another body's case is refused.
#include <fstream>

#include "cases_fixture.hpp"

namespace sp::cases::testing {
namespace {

constexpr const char* kAccess = "accesso-atti";

const DecisionDraft* draft(const std::vector<DecisionDraft>& drafts, const std::string& outcome) {
  for (const auto& d : drafts) {
    if (d.outcome == outcome) return &d;
  }
  return nullptr;
}

std::vector<std::string> outcomes(const std::vector<DecisionDraft>& drafts) {
  std::vector<std::string> out;
  for (const auto& d : drafts) out.push_back(d.outcome);
  return out;
}

std::vector<std::string> outcomes(const std::vector<const DecisionTemplate*>& templates) {
  std::vector<std::string> out;
  for (const auto* t : templates) out.push_back(t->outcome + "/" + t->source);
  return out;
}

Document decision_of(const CaseView& v) {
  for (const auto& d : v.documents) {
    if (d.kind == DocumentKind::decision) return d;
  }
  return {};
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(DecisionTemplates, TheRepositorysTemplatesLoadAndCoverTheSeedServices) {
  auto t = DecisionTemplates::load_dir(sp::testing::source_dir() + "/data/decisions");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_EQ(outcomes(t->for_service("iscrizione-scuola-primaria")),
            (std::vector<std::string>{"accept/iscrizione-scuola-primaria",
                                      "reject/iscrizione-scuola-primaria", "grounds/default"}));
  EXPECT_EQ(outcomes(t->for_service(kAccess)),
            (std::vector<std::string>{"accept/accesso-atti", "differ/accesso-atti", "reject/accesso-atti",
                                      "grounds/default"}));
  EXPECT_EQ(outcomes(t->for_service("occupazione-suolo-pubblico")),
            (std::vector<std::string>{"accept/occupazione-suolo-pubblico",
                                      "reject/occupazione-suolo-pubblico", "grounds/default"}));
  EXPECT_EQ(outcomes(t->for_service("permesso-ztl")),
            (std::vector<std::string>{"accept/default", "reject/default", "grounds/default"}));
  EXPECT_EQ(t->find(kAccess, "differ")->action, Action::accept);
  EXPECT_EQ(t->find("permesso-ztl", "differ"), nullptr);
}

TEST(DecisionTemplates, ABrokenFileIsRefusedWithItsNameAndProblem) {
  auto error_of = [](const std::string& json) {
    auto r = DecisionTemplates::parse(json, "permesso-ztl");
    return r.ok() ? std::string("ok") : r.error().code + " " + r.error().detail;
  };
  const std::string good =
      R"({"service": "permesso-ztl", "outcomes": [{"code": "accept", "action": "accept",
          "title": {"it": "Permesso"}, "text": {"it": "Per {{applicant}}."}}]})";
  EXPECT_EQ(error_of(good), "ok");
  EXPECT_NE(error_of(R"({"service": "altro", "outcomes": []})").find("the file's name"), std::string::npos);
  std::string bad_action = good;
  bad_action.replace(bad_action.find("\"action\": \"accept\""), 18, "\"action\": \"close\"");
  EXPECT_NE(error_of(bad_action).find("action must be"), std::string::npos);
  std::string unclosed = good;
  unclosed.replace(unclosed.find("{{applicant}}"), 13, "{{#applicant}}");
  EXPECT_EQ(error_of(unclosed).rfind("cases.templates data/decisions/permesso-ztl.json: accept: ", 0), 0U)
      << error_of(unclosed);
  std::string no_italian = good;
  no_italian.replace(no_italian.find("{\"it\": \"Per {{"), 5, "{\"en\"");
  EXPECT_NE(error_of(no_italian).find("text.it missing"), std::string::npos) << error_of(no_italian);
  // Without the default's three outcomes the folder does not load.
  sp::testing::TempDir dir;
  write_file(dir.path() / "permesso-ztl.json", good);
  auto loaded = DecisionTemplates::load_dir(dir.path().string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().detail.find("default.json: missing"), std::string::npos);
}

class DecisionsTest : public CasesTest {
 protected:
  void add_access_service() {
    catalog::Service s = service(kAccess, "Accesso agli atti", 3);
    s.office = {"Ufficio relazioni con il pubblico", "Public relations office"};
    ASSERT_TRUE(catalog_->save_service(s).ok());
    ASSERT_TRUE(catalog_->activate(body_, {kAccess, 0, std::nullopt, {}, {}}).ok());
  }

  Case started(const identity::Principal& who, Submission s) {
    auto r = cases().submit(&who, body_, s);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code);
    if (!r.ok()) return {};
    EXPECT_TRUE(cases().start(&staff_, body_, r->c.id).ok());
    return r->c;
  }

  std::vector<DecisionDraft> drafts(const std::string& id, const std::string& lang = "it",
                                    const std::string& reasons = {}) {
    auto r = cases().decision_drafts(&staff_, body_, id, lang, reasons);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().detail);
    return r.ok() ? *r : std::vector<DecisionDraft>{};
  }

  protocollo::Entry last_outgoing() {
    std::string id;
    db().read([&](db::Conn& c) {
      id = c.query_one(
                "SELECT id FROM protocol_entries WHERE tenant_id = $1 AND direction = 'outgoing' "
                "ORDER BY number DESC",
                {body_})
               ->text(0);
    });
    return protocol_->get(protocollo::SystemActor{"test"}, body_, id).value();
  }
};

TEST_P(DecisionsTest, TheDraftCarriesTheCasesValuesAndTheDocumentTheTemplatesTitle) {
  Case c = in_progress_case();  // primary school enrolment, Mario Rossi, 2 March 2026
  auto it = drafts(c.id, "it", "Ci sono posti nella scuola scelta.");
  // In progress: accept and the notice of grounds; a rejection is not possible yet.
  EXPECT_EQ(outcomes(it), (std::vector<std::string>{"accept", "grounds"}));
  const DecisionDraft* accept = draft(it, "accept");
  ASSERT_NE(accept, nullptr);
  EXPECT_EQ(accept->source, "iscrizione-scuola-primaria");
  EXPECT_EQ(accept->title, "Provvedimento di accoglimento della domanda di iscrizione alla scuola primaria");
  for (const std::string& value :
       {std::string("Mario Rossi"), c.protocol_label(), std::string("del 02/03/2026"), std::string("Luca"),
        std::string("Scuola Rio Crosio"), std::string("Iscrizione alla scuola primaria"),
        std::string("Ci sono posti nella scuola scelta.")}) {
    EXPECT_NE(accept->text.find(value), std::string::npos) << value << " in\n" << accept->text;
  }
  EXPECT_EQ(accept->text.find("{{"), std::string::npos);
  EXPECT_EQ(accept->text.find("&#39;"), std::string::npos);  // plain text, not HTML
  const DecisionDraft* grounds = draft(it, "grounds");
  ASSERT_NE(grounds, nullptr);
  EXPECT_EQ(grounds->source, "default");
  EXPECT_NE(grounds->text.find("Entro 10 giorni"), std::string::npos);
  auto en = drafts(c.id, "en");
  ASSERT_NE(draft(en, "accept"), nullptr);
  EXPECT_NE(draft(en, "accept")->text.find("THE ENROLMENT IN PRIMARY SCHOOL IS GRANTED"), std::string::npos);

  // The officer edits the text and sends it: the document is titled after the template, and the text is
  // what the applicant receives.
  const std::string sent = accept->text + "\n\nIl servizio di mensa decorre da settembre.";
  ASSERT_TRUE(cases().accept(&staff_, body_, c.id, sent, {"accept", "it"}).ok());
  auto entry = last_outgoing();
  EXPECT_EQ(entry.subject,
            "Provvedimento di accoglimento della domanda di iscrizione alla scuola primaria: Iscrizione alla "
            "scuola primaria");
  auto v = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->messages.back().kind, MessageKind::decision);
  EXPECT_EQ(v->messages.back().body, sent);
  EXPECT_EQ(decision_of(*v).file_name, "provvedimento-accoglimento.pdf");
  // Decided: nothing left to draft.
  EXPECT_TRUE(drafts(c.id).empty());
}

TEST_P(DecisionsTest, AccessToRecordsIsGrantedDeferredOrRefused) {
  add_access_service();
  Submission s = submission("access", kAccess);
  s.answers = boost::json::parse(R"({"records_description": "Permesso di costruire n. 12/2020",
                                     "reason": "Confinante"})")
                  .as_object();
  Case c = started(mario_, s);
  auto it = drafts(c.id, "it", "Indagini in corso.");
  EXPECT_EQ(outcomes(it), (std::vector<std::string>{"accept", "differ", "grounds"}));
  ASSERT_NE(draft(it, "differ"), nullptr);
  EXPECT_NE(draft(it, "differ")->text.find("SI DIFFERISCE"), std::string::npos);
  EXPECT_NE(draft(it, "differ")->text.find("Permesso di costruire n. 12/2020"), std::string::npos);
  EXPECT_NE(draft(it, "differ")->text.find("Indagini in corso."), std::string::npos);
  EXPECT_NE(draft(it, "accept")->text.find("quindici giorni"), std::string::npos);
  // An outcome the service does not have, or one of another action, is refused and changes nothing.
  EXPECT_EQ(cases().accept(&staff_, body_, c.id, "x", {"reject", "it"}).error().code, "cases.outcome");
  EXPECT_EQ(cases().accept(&staff_, body_, c.id, "x", {"rinvio", "it"}).error().code, "cases.outcome");
  EXPECT_EQ(load(c.id).state, State::in_progress);
  // Deferring concludes the case, titled as a deferral, once the officer has filled in the template's
  // "[...]" (issue 11: a placeholder left in is refused).
  std::string differ = draft(it, "differ")->text;
  EXPECT_EQ(cases().accept(&staff_, body_, c.id, differ, {"differ", "it"}).error().code, "cases.placeholder");
  const std::string blank = "[indicare la data o la durata del differimento, art. 9 d.P.R. 184/2006]";
  ASSERT_NE(differ.find(blank), std::string::npos);
  differ.replace(differ.find(blank), blank.size(), "31/05/2026");
  ASSERT_TRUE(cases().accept(&staff_, body_, c.id, differ, {"differ", "it"}).ok());
  EXPECT_EQ(load(c.id).state, State::accepted);
  EXPECT_EQ(last_outgoing().subject,
            "Provvedimento di differimento dell'accesso agli atti: Accesso agli atti");
  auto v = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(decision_of(*v).file_name, "provvedimento-accoglimento-differ.pdf");

  // Refusal: after the notice of grounds (the default's, around the officer's grounds) and the applicant's
  // observations, the draft refers to both.
  Case refused = started(anna_, submission("access-2", kAccess));
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, refused.id, "Documenti sottratti all'accesso.").ok());
  ASSERT_TRUE(cases().answer_grounds(&anna_, body_, refused.id, "Ne ho diritto come confinante.", {}).ok());
  auto after = drafts(refused.id, "it", "Il confinante non ha un interesse diretto.");
  EXPECT_EQ(outcomes(after), (std::vector<std::string>{"accept", "differ", "reject", "grounds"}));
  const DecisionDraft* reject = draft(after, "reject");
  ASSERT_NE(reject, nullptr);
  EXPECT_NE(reject->text.find("SI NEGA"), std::string::npos);
  EXPECT_NE(reject->text.find("esaminate le osservazioni presentate il 02/03/2026"), std::string::npos)
      << reject->text;
  auto seen = cases().get(&anna_, body_, refused.id);
  ASSERT_TRUE(seen.ok());
  const Document* notice = nullptr;
  for (const auto& d : seen->documents) {
    if (d.kind == DocumentKind::notice) notice = &d;
  }
  ASSERT_NE(notice, nullptr);
  const std::string notice_label =
      protocollo::format_number(notice->protocol_number) + "/" + std::to_string(notice->protocol_year);
  EXPECT_NE(reject->text.find("protocollo n. " + notice_label), std::string::npos) << reject->text;
  EXPECT_EQ(seen->messages[0].body, "Documenti sottratti all'accesso.");  // the grounds, as given
  EXPECT_EQ(last_outgoing().subject, "Preavviso di rigetto (art. 10-bis L. 241/1990): Accesso agli atti");
  ASSERT_TRUE(cases().reject(&staff_, body_, refused.id, reject->text, {"reject", "it"}).ok());
  EXPECT_EQ(last_outgoing().subject, "Provvedimento di diniego dell'accesso agli atti: Accesso agli atti");
}

TEST_P(DecisionsTest, ALandOccupationIsGrantedWithItsFee) {
  Submission s = submission("land", kLand);
  s.answers = boost::json::parse(R"({"location": {"street": "Via Roma", "number": "12"}, "area": 12.5,
                                     "date_from": "2026-04-01", "date_to": "2026-04-10", "days": 10,
                                     "fee_estimate": 15000})")
                  .as_object();
  Case c = started(anna_, s);
  auto it = drafts(c.id);
  const DecisionDraft* accept = draft(it, "accept");
  ASSERT_NE(accept, nullptr);
  EXPECT_EQ(accept->title, "Concessione per l'occupazione temporanea di suolo pubblico");
  for (const std::string& value :
       {std::string("in Via Roma 12"), std::string("12,5 m²"),
        std::string("dal 01/04/2026 al 10/04/2026 (10 giorni)"), std::string("del canone di € 150,00")}) {
    EXPECT_NE(accept->text.find(value), std::string::npos) << value << " in\n" << accept->text;
  }
  // Without the applicant's estimate, the fee recorded with the case (the catalog's, € 16,00 here).
  Case other = started(anna_, submission("land-2", kLand));
  EXPECT_NE(draft(drafts(other.id), "accept")->text.find("del canone di € 16,00"), std::string::npos);
  EXPECT_NE(draft(drafts(other.id, "en"), "accept")->text.find("the charge of €16.00"), std::string::npos);
}

TEST_P(DecisionsTest, AServiceWithoutATemplateFallsBackToTheHubsDefault) {
  sp::testing::TempDir dir;
  const std::string source = sp::testing::source_dir() + "/data/decisions/default.json";
  std::filesystem::copy_file(source, dir.path() / "default.json");
  write_file(dir.path() / "iscrizione-scuola-primaria.json",
             R"({"service": "iscrizione-scuola-primaria", "outcomes": [{"code": "accept", "action": "accept",
                 "title": {"it": "Iscrizione accolta"}, "text": {"it": "Iscritto {{#answers.children}}{{given_name}}{{/answers.children}}."}}]})");
  Options o;
  o.decisions_dir = dir.path().string();
  CaseService own(db(), clock_, *protocol_, *files_, *catalog_, *tenants_, nullptr, o);
  Case school = in_progress_case("school");
  Case land = started(anna_, submission("land", kLand));
  auto school_drafts = own.decision_drafts(&staff_, body_, school.id);
  ASSERT_TRUE(school_drafts.ok());
  ASSERT_EQ(outcomes(*school_drafts), (std::vector<std::string>{"accept", "grounds"}));
  EXPECT_EQ((*school_drafts)[0].source, "iscrizione-scuola-primaria");
  EXPECT_EQ((*school_drafts)[0].text, "Iscritto Luca.");
  // English missing: the Italian text.
  EXPECT_EQ(own.decision_drafts(&staff_, body_, school.id, "en")->at(0).text, "Iscritto Luca.");
  EXPECT_EQ((*school_drafts)[1].source, "default");
  // The land service has no file here: every outcome is the default's.
  auto land_drafts = own.decision_drafts(&staff_, body_, land.id);
  ASSERT_TRUE(land_drafts.ok());
  ASSERT_EQ(outcomes(*land_drafts), (std::vector<std::string>{"accept", "grounds"}));
  EXPECT_EQ((*land_drafts)[0].source, "default");
  EXPECT_EQ((*land_drafts)[0].title, "Provvedimento di accoglimento della domanda");
  EXPECT_NE((*land_drafts)[0].text.find("Anna Bianchi"), std::string::npos);
  ASSERT_TRUE(own.accept(&staff_, body_, land.id, (*land_drafts)[0].text, {"accept", "it"}).ok());
  EXPECT_EQ(last_outgoing().subject,
            "Provvedimento di accoglimento della domanda: Occupazione di suolo pubblico");
  // A folder without the default does not make a service.
  std::filesystem::remove(dir.path() / "default.json");
  EXPECT_THROW({ CaseService broken(db(), clock_, *protocol_, *files_, *catalog_, *tenants_, nullptr, o); },
               std::runtime_error);
}

TEST_P(DecisionsTest, AnotherBodysCaseIsRefused) {
  Case c = in_progress_case();
  EXPECT_EQ(cases().decision_drafts(&other_staff_, body_, c.id).error().code, "forbidden");
  EXPECT_EQ(cases().decision_drafts(&other_staff_, other_body_, c.id).error().code, "not_found");
  EXPECT_EQ(cases().decision_drafts(&mario_, body_, c.id).error().code, "forbidden");
  EXPECT_EQ(cases().decision_drafts(nullptr, body_, c.id).error().code, "auth.required");
  EXPECT_EQ(cases().accept(&other_staff_, body_, c.id, "Accolta.", {"accept", "it"}).error().code,
            "forbidden");
  EXPECT_EQ(load(c.id).state, State::in_progress);
}

INSTANTIATE_TEST_SUITE_P(Dialects, DecisionsTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::cases::testing
