// The citizen's application pages through the whole program (routing, sessions, CSRF, forms engine, file
// store, cases, protocol), on SQLite and PostgreSQL: a demo citizen of Asti enrols a child in primary
// school, prefilled from her profile, leaves halfway, comes back after a restart, sends it (twice) and
// gets one case and a receipt with its protocol number.
#include <gtest/gtest.h>

#include <thread>

#include "app_fixture.hpp"
#include "support/pdf_inspect.hpp"

namespace sp::applications::webtest {
namespace {

using namespace std::chrono;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class ApplicationPagesTest : public AppTest {
 protected:
  // Fills every step of Anna's draft; returns the draft's base URL.
  std::string fill_all(const std::string& session) {
    const std::string base = start_draft(session);
    auto r1 = post_form(base + "/passo/1", session, applicant_step());
    EXPECT_EQ(r1.status, 303) << r1.body.substr(0, 2000);
    EXPECT_EQ(location(r1), base + "/passo/2");
    auto r2 = post_form(base + "/passo/2", session, children_step());
    EXPECT_EQ(r2.status, 303) << r2.body.substr(0, 2000);
    EXPECT_EQ(location(r2), base + "/passo/3");
    auto r3 = post_form(base + "/passo/3", session, school_step());
    EXPECT_EQ(r3.status, 303) << r3.body.substr(0, 2000);
    auto r4 = post_form(base + "/passo/4", session, declarations_step());
    EXPECT_EQ(r4.status, 303) << r4.body.substr(0, 2000);
    EXPECT_EQ(location(r4), base + "/riepilogo");
    return base;
  }
};

TEST_P(ApplicationPagesTest, SignedOutVisitorsGoToTheSignInAndComeBack) {
  auto r = get("/asti/servizi/iscrizione-scuola-primaria/domanda", "");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(location(r), "/accedi?livello=2&next=/asti/servizi/iscrizione-scuola-primaria/domanda");
  // A level-1 sign-in is not enough for a level-2 service: sign in again (step-up).
  auto weak = citizen(kAnna, "Anna Ferraro", 1);
  EXPECT_EQ(
      location(get("/asti/servizi/iscrizione-scuola-primaria/domanda", weak)).rfind("/accedi?livello=2", 0),
      0u);
  // A service the body does not offer online: 404.
  EXPECT_EQ(get("/asti/servizi/informazioni-scolastiche/domanda", anna()).status, 404);
  EXPECT_EQ(get("/asti/servizi/non-esiste/domanda", anna()).status, 404);
}

TEST_P(ApplicationPagesTest, StartPrefillsFromTheProfileAndResumesTheSameDraft) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_FALSE(base.empty());
  EXPECT_EQ(base.rfind("/asti/domande/", 0), 0u);
  EXPECT_EQ(draft_id(base).size(), 43u);  // a random token, not a counter

  auto page = get(base + "/passo/1", s);
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 500);
  EXPECT_EQ(header(page, "cache-control"), "no-store");
  // The fiscal code comes from the digital identity: shown, locked.
  EXPECT_TRUE(contains(
      page.body, "id=\"f-applicant_fiscal_code\" name=\"applicant_fiscal_code\" value=\"FRRNNA78S70A479X\""));
  EXPECT_TRUE(contains(page.body, "data-field=\"applicant_fiscal_code\" data-locked=\"true\""));
  // The e-mail is prefilled and editable.
  EXPECT_TRUE(contains(page.body, "value=\"anna.ferraro@example.org\""));
  EXPECT_TRUE(contains(page.body, "data-field=\"applicant_email\" data-prefilled=\"true\""));
  EXPECT_TRUE(contains(page.body, "Dato precompilato"));
  EXPECT_TRUE(contains(page.body, "value=\"Ferraro\""));
  EXPECT_TRUE(contains(page.body, "Passo 1 di 4"));
  EXPECT_TRUE(contains(page.body, "enctype=\"multipart/form-data\""));

  // Again, from another device (another session): the same draft.
  EXPECT_EQ(start_draft(anna()), base);
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->owner_cf, kAnna);
  EXPECT_EQ(std::string(d->answers.at("applicant_email").as_string()), "anna.ferraro@example.org");
  EXPECT_NE(std::find(d->prefilled.begin(), d->prefilled.end(), "applicant_fiscal_code"), d->prefilled.end());
}

TEST_P(ApplicationPagesTest, InvalidInputIsSavedAndShownWithMessagesInBothLanguages) {
  const auto s = anna();
  const std::string base = start_draft(s);
  Fields f = applicant_step();
  for (auto& [k, v] : f) {
    if (k == "applicant_email") v = "anna@";
    if (k == "applicant_residence.postcode") v = "141";
    if (k == "applicant_fiscal_code") v = "RSSMRA80A01H501U";  // a locked value cannot be changed
  }
  auto r = post_form(base + "/passo/1", s, f);
  ASSERT_EQ(r.status, 422);
  // What was typed is on the page again, with the Italian messages, linked from the summary.
  EXPECT_TRUE(contains(r.body, "value=\"anna@\""));
  EXPECT_TRUE(contains(r.body, "value=\"141\""));
  EXPECT_TRUE(contains(r.body, "id=\"error-summary\""));
  EXPECT_TRUE(contains(r.body, "href=\"#f-applicant_email\""));
  EXPECT_TRUE(contains(r.body, "href=\"#f-applicant_residence-postcode\""));
  EXPECT_TRUE(contains(r.body, "aria-invalid=\"true\""));
  EXPECT_TRUE(contains(r.body, "Il modulo contiene errori"));
  // The locked fiscal code was put back.
  EXPECT_TRUE(contains(r.body, "value=\"FRRNNA78S70A479X\""));
  EXPECT_FALSE(contains(r.body, "RSSMRA80A01H501U"));
  // Saved anyway: nothing typed is lost.
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(d->answers.at("applicant_email").as_string()), "anna@");
  EXPECT_EQ(std::string(d->answers.at("applicant_fiscal_code").as_string()), kAnna);
  // A step too large to be a real answer is refused whole, and says why.
  Fields huge = applicant_step();
  huge[4].second = std::string(1100 * 1024, 'a');
  auto too_large = post_form(base + "/passo/1", s, huge);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_TRUE(contains(too_large.body, "troppo lunghe"));
  // Shown again later, still with the typed value.
  EXPECT_TRUE(contains(get(base + "/passo/1", s).body, "value=\"anna@\""));

  // In English.
  auto en = post_form(base + "/passo/1", s, f, "en");
  ASSERT_EQ(en.status, 422);
  EXPECT_TRUE(contains(en.body, "The form has errors") || contains(en.body, "errors"))
      << en.body.substr(0, 300);
  EXPECT_TRUE(contains(en.body, "value=\"anna@\""));
  EXPECT_FALSE(contains(en.body, "Il modulo contiene errori"));
}

TEST_P(ApplicationPagesTest, TheDraftSurvivesARestartAndFollowsThePersonToAnotherDevice) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  Fields half = children_step();
  half.back() = {"azione", "salva"};  // "save and continue later"
  auto saved = post_form(base + "/passo/2", s, half);
  ASSERT_EQ(saved.status, 303);
  EXPECT_EQ(location(saved), base + "/passo/2?salvata=1");
  EXPECT_TRUE(contains(get(location(saved), s).body, "id=\"notice\""));

  restart();
  const auto other_device = anna();
  EXPECT_EQ(start_draft(other_device), base);  // back to the same draft...
  auto r = get("/asti/servizi/iscrizione-scuola-primaria/domanda", other_device);
  EXPECT_EQ(location(r), base + "/passo/2");  // ...at the step she left
  auto page = get(base + "/passo/2", other_device);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "value=\"Giulia\""));
  EXPECT_TRUE(contains(page.body, "value=\"15/06/2021\""));
  EXPECT_TRUE(contains(get(base + "/passo/1", other_device).body, "value=\"Corso Alfieri\""));
  // Her list of applications has it.
  auto list = get("/area-personale/domande", other_device);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(contains(list.body, base + "/passo/2"));
}

TEST_P(ApplicationPagesTest, SummaryThenOneCaseForADoubleSubmitAndAReceipt) {
  const auto s = anna();
  const std::string base = fill_all(s);
  auto summary = get(base + "/riepilogo", s);
  ASSERT_EQ(summary.status, 200);
  EXPECT_TRUE(contains(summary.body, "Scuola primaria G. Rodari"));
  EXPECT_TRUE(contains(summary.body, "Giulia"));
  EXPECT_TRUE(contains(summary.body, "15/06/2021"));
  EXPECT_TRUE(contains(summary.body, "id=\"send\""));
  EXPECT_TRUE(contains(summary.body, base + "/passo/3"));  // "change" links

  // A double click: two POSTs.
  auto first = post_form(base + "/invia", s, {});
  auto second = post_form(base + "/invia", s, {});
  ASSERT_EQ(first.status, 303) << first.body.substr(0, 3000);
  EXPECT_EQ(location(first), base + "/ricevuta");
  EXPECT_EQ(second.status, 303);
  EXPECT_EQ(location(second), base + "/ricevuta");
  const std::string id = draft_id(base);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE tenant_id = $1 AND submission_key = $2", {asti_, id}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE applicant_cf = $1", {std::string(kAnna)}), 1);
  auto d = stored_draft(asti_, id);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->submitted());
  EXPECT_FALSE(d->protocol_label.empty());
  EXPECT_FALSE(d->due_date.empty());

  auto receipt = get(base + "/ricevuta", s);
  ASSERT_EQ(receipt.status, 200);
  EXPECT_TRUE(contains(receipt.body, "id=\"protocol-label\">" + d->protocol_label + "<"));
  EXPECT_TRUE(contains(receipt.body, "id=\"due-date\""));
  EXPECT_TRUE(contains(receipt.body, "Giulia"));
  auto pdf = get(base + "/ricevuta.pdf?compresso=no", s);
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  const std::string pdf_text = sp::testing::pdf_text(pdf.body);  // as a reader extracts it
  EXPECT_TRUE(contains(pdf_text, d->protocol_label)) << pdf_text;
  EXPECT_TRUE(contains(pdf_text, "Scuola primaria G. Rodari")) << pdf_text;
  // Tagged, in the reader's language: a screen reader reads it with headings and tables.
  const auto facts = sp::testing::pdf_facts(pdf.body);
  EXPECT_TRUE(facts.struct_tree);
  EXPECT_TRUE(facts.marked);
  EXPECT_EQ(facts.lang, "it-IT");
  EXPECT_EQ(facts.tags.count("H1"), 1U);
  EXPECT_GE(facts.tags.count("Table"), 2U);
  EXPECT_GE(facts.tags.count("TH"), 2U);
  EXPECT_TRUE(contains(header(pdf, "content-disposition"), "attachment"));

  // The sent draft is closed: its steps lead to the receipt; a new visit starts a new draft.
  EXPECT_EQ(location(get(base + "/passo/1", s)), base + "/ricevuta");
  EXPECT_EQ(location(post_form(base + "/passo/1", s, applicant_step())), base + "/ricevuta");
  EXPECT_NE(start_draft(s), base);
}

TEST_P(ApplicationPagesTest, AnIncompleteDraftIsNotSent) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  auto summary = get(base + "/riepilogo", s);
  ASSERT_EQ(summary.status, 200);
  EXPECT_FALSE(contains(summary.body, "id=\"send\""));
  EXPECT_TRUE(contains(summary.body, "id=\"error-summary\""));
  EXPECT_TRUE(contains(summary.body, base + "/passo/4#f-declaration_truth"));
  auto sent = post_form(base + "/invia", s, {});
  EXPECT_EQ(sent.status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE applicant_cf = $1", {std::string(kAnna)}), 0);
  EXPECT_EQ(location(get(base + "/ricevuta", s)), base + "/riepilogo");
}

TEST_P(ApplicationPagesTest, TheReceiptIsOnlyForItsOwner) {
  const auto s = anna();
  const std::string base = fill_all(s);
  ASSERT_EQ(post_form(base + "/invia", s, {}).status, 303);
  ASSERT_EQ(get(base + "/ricevuta.pdf", s).status, 200);
  const auto other = fabio();
  EXPECT_EQ(get(base + "/ricevuta.pdf", other).status, 404);
  EXPECT_EQ(get(base + "/ricevuta", other).status, 404);
  EXPECT_EQ(get("/novara/domande/" + draft_id(base) + "/ricevuta.pdf", s).status, 404);
  auto anonymous = get(base + "/ricevuta.pdf", "");
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_EQ(location(anonymous).rfind("/accedi?", 0), 0u);
}

TEST_P(ApplicationPagesTest, AnotherCitizenOrAnotherBodyCannotReachTheDraft) {
  const auto s = anna();
  const std::string base = start_draft(s);
  const std::string id = draft_id(base);
  const auto other = fabio();
  for (const std::string path : {"/passo/1", "/riepilogo", "/ricevuta"}) {
    EXPECT_EQ(get(base + path, other).status, 404) << path;
    EXPECT_EQ(get("/novara/domande/" + id + path, s).status, 404) << path;
  }
  Fields f = applicant_step();
  f[4].second = "intruso@example.org";
  EXPECT_EQ(post_form(base + "/passo/1", other, f).status, 404);
  EXPECT_EQ(post_form("/novara/domande/" + id + "/passo/1", s, f).status, 404);
  EXPECT_EQ(post_form(base + "/invia", other, {}).status, 404);
  // Each of the stranger's attempts is on Asti's audit log (issue 10, point 5); a made-up id is not.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = 'application.access_refused' "
            "AND record_id = $2",
            {asti_, id}),
      5);
  auto d = stored_draft(asti_, id);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(d->answers.at("applicant_email").as_string()), "anna.ferraro@example.org");
  // Fabio's own start at Asti is another draft; a made-up id is 404 as well.
  EXPECT_NE(start_draft(other), base);
  EXPECT_EQ(get("/asti/domande/" + std::string(43, 'A') + "/passo/1", s).status, 404);
}

TEST_P(ApplicationPagesTest, AStrangersUploadToSomeoneElsesCaseIsNeverStored) {
  // Issue 10, point 8: the case page stored the files of an answer before checking whose case it was.
  const auto s = anna();
  const std::string base = fill_all(s);
  ASSERT_EQ(post_form(base + "/invia", s, {}).status, 303);
  const auto case_id = db::read_one(app_->database(), "SELECT id FROM cases WHERE applicant_cf = $1",
                                    {std::string(kAnna)}, [](const db::Row& r) { return r.text(0); });
  ASSERT_TRUE(case_id);
  const std::string page = "/area-personale/pratiche/asti/" + *case_id;
  const auto files_before = count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1", {asti_});
  const std::string pdf =
      "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% intruso\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  auto stranger = post_multipart(page, fabio(), {{"action", "message"}, {"text", "ciao"}},
                                 {{"files", "intruso.pdf", "application/pdf", pdf}});
  EXPECT_EQ(stranger.status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1", {asti_}), files_before);
  // The owner's own answer to a request that does not exist is refused before storing too.
  auto early = post_multipart(page, s, {{"action", "answer_additions"}, {"text", "ecco"}},
                              {{"files", "documento.pdf", "application/pdf", pdf}});
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1", {asti_}), files_before);
  // And an owner's message with a file is stored as before.
  auto mine = post_multipart(page, s, {{"action", "message"}, {"text", "allego"}},
                             {{"files", "documento.pdf", "application/pdf", pdf}});
  EXPECT_EQ(mine.status, 303) << mine.body.substr(0, 2000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1", {asti_}), files_before + 1);
}

TEST_P(ApplicationPagesTest, UploadsAreCheckedByContentAgainstTheFieldsLimits) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  // Disability "yes" shows the certificate upload; a text file named .pdf is refused by its content.
  auto refused = post_multipart(base + "/passo/2", s, children_step("yes"),
                                {{"children[0].disability_certificate", "certificato.pdf", "application/pdf",
                                  "Questo non e' un PDF, e' testo semplice.\n"}});
  ASSERT_EQ(refused.status, 422) << refused.body.substr(0, 500);
  EXPECT_TRUE(
      contains(refused.body,
               "Questo tipo di file non è ammesso. Tipi ammessi: application/pdf, image/jpeg, image/png."));
  EXPECT_TRUE(contains(refused.body, "value=\"Giulia\""));  // the rest of the page is kept
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d);
  const auto& item = d->answers.at("children").as_array().at(0).as_object();
  EXPECT_TRUE(!item.contains("disability_certificate") || item.at("disability_certificate").is_null() ||
              item.at("disability_certificate").as_array().empty());

  // In English, the field's English message.
  auto refused_en = post_multipart(
      base + "/passo/2", s, children_step("yes"),
      {{"children[0].disability_certificate", "note.pdf", "application/pdf", "plain text\n"}}, "en");
  EXPECT_EQ(refused_en.status, 422);
  EXPECT_TRUE(contains(refused_en.body, "application/pdf, image/jpeg, image/png"))
      << refused_en.body.substr(0, 300);
  EXPECT_FALSE(contains(refused_en.body, "Questo tipo di file"));

  // A real PDF is stored (SHA-256 kept by the file store) and the draft keeps its reference.
  auto ok = post_multipart(
      base + "/passo/2", s, children_step("yes"),
      {{"children[0].disability_certificate", "certificato.pdf", "application/pdf", sample_pdf()}});
  ASSERT_EQ(ok.status, 303) << ok.body.substr(0, 2000);
  d = stored_draft(asti_, draft_id(base));
  const auto& files =
      d->answers.at("children").as_array().at(0).as_object().at("disability_certificate").as_array();
  ASSERT_EQ(files.size(), 1u);
  const std::string file_id(files.at(0).as_object().at("id").as_string());
  EXPECT_EQ(file_id.size(), 43u);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1 AND id = $2 AND length(sha256) = 64",
            {asti_, file_id}),
      1);
  auto page = get(base + "/passo/2", s);
  EXPECT_TRUE(contains(page.body, "certificato.pdf"));
  EXPECT_TRUE(contains(page.body, "rimuovi-file:children[0].disability_certificate:" + file_id));
  // Never served here: the pages do not link the file itself.
  EXPECT_FALSE(contains(page.body, "href=\"/files/"));
  // Two files at most (the field's max_count): a second is kept, a third refused with the count message.
  ASSERT_EQ(post_multipart(
                base + "/passo/2", s, children_step("yes"),
                {{"children[0].disability_certificate", "altro.pdf", "application/pdf", sample_pdf("2")}})
                .status,
            303);
  auto too_many = post_multipart(
      base + "/passo/2", s, children_step("yes"),
      {{"children[0].disability_certificate", "terzo.pdf", "application/pdf", sample_pdf("3")}});
  EXPECT_EQ(too_many.status, 422);
  EXPECT_TRUE(contains(too_many.body, "Puoi allegare al massimo 2 file."));
  d = stored_draft(asti_, draft_id(base));
  EXPECT_EQ(
      d->answers.at("children").as_array().at(0).as_object().at("disability_certificate").as_array().size(),
      2u);
  // Removing the first one.
  Fields remove = children_step("yes");
  remove.back() = {"azione", "rimuovi-file:children[0].disability_certificate:" + file_id};
  ASSERT_EQ(post_multipart(base + "/passo/2", s, remove, {}).status, 303);
  d = stored_draft(asti_, draft_id(base));
  const auto& left =
      d->answers.at("children").as_array().at(0).as_object().at("disability_certificate").as_array();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(std::string(left.at(0).as_object().at("name").as_string()), "altro.pdf");
}

TEST_P(ApplicationPagesTest, AStepPostedAfterTheSessionExpiredIsRecoveredAfterSigningIn) {
  const auto s = anna();
  const std::string base = start_draft(s);
  Fields f = applicant_step();
  f[6].second = "Via Recuperata";  // applicant_residence.street
  // The session is gone (expired, signed out): the post cannot be saved into the draft...
  auto r = post_form(base + "/passo/1", "", f, "it", false);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(location(r), "/accedi?livello=2&next=" + base + "/passo/1");
  const std::string cookie = header(r, "set-cookie");
  ASSERT_EQ(cookie.rfind("sp_recupero=", 0), 0u) << cookie;
  EXPECT_TRUE(contains(cookie, "HttpOnly"));
  const std::string token = cookie.substr(12, 43);
  auto d = stored_draft(asti_, draft_id(base));
  EXPECT_FALSE(contains(boost::json::serialize(d->answers), "Recuperata"));
  // ...but after signing in again, this browser sees what it typed, to review and save.
  const auto again = anna();
  auto page = get(base + "/passo/1", again, "it", "sp_recupero=" + token);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "value=\"Via Recuperata\""));
  EXPECT_TRUE(contains(page.body, "id=\"info\""));
  // Another browser (no cookie) or another person does not.
  EXPECT_FALSE(contains(get(base + "/passo/1", again).body, "Via Recuperata"));
  EXPECT_EQ(get(base + "/passo/1", fabio(), "it", "sp_recupero=" + token).status, 404);
  // Saving it clears the kept copy.
  auto saved = post_form(base + "/passo/1", again, f, "it", true, "sp_recupero=" + token);
  ASSERT_EQ(saved.status, 303);
  EXPECT_TRUE(contains(header(saved, "set-cookie"), "Max-Age=0"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM application_parked_posts WHERE draft_id = $1", {draft_id(base)}), 0);
  d = stored_draft(asti_, draft_id(base));
  EXPECT_TRUE(contains(boost::json::serialize(d->answers.at("applicant_residence")), "Via Recuperata"));

  // A stale form token with a live session (signed in again elsewhere) is kept the same way.
  Fields g = applicant_step();
  g[6].second = "Via Vecchia Pagina";
  auto stale = post_form(base + "/passo/1", again, g, "it", false, "sp_recupero=" + token);
  ASSERT_EQ(stale.status, 303);
  EXPECT_EQ(location(stale), base + "/passo/1");
  EXPECT_TRUE(
      contains(get(base + "/passo/1", again, "it", "sp_recupero=" + token).body, "Via Vecchia Pagina"));
  d = stored_draft(asti_, draft_id(base));
  EXPECT_FALSE(contains(boost::json::serialize(d->answers), "Vecchia"));
}

TEST_P(ApplicationPagesTest, GroupItemsAreAddedAndRemovedWithoutJavaScript) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  // The first child's inputs are there from the start (a required group).
  auto page = get(base + "/passo/2", s);
  EXPECT_TRUE(contains(page.body, "name=\"children[0]._item\""));
  Fields add = children_step();
  add.back() = {"azione", "aggiungi:children"};
  ASSERT_EQ(post_form(base + "/passo/2", s, add).status, 303);
  page = get(base + "/passo/2", s);
  EXPECT_TRUE(contains(page.body, "name=\"children[1]._item\""));
  EXPECT_TRUE(contains(page.body, "value=\"rimuovi-elemento:children[1]\""));
  Fields remove = children_step();
  remove.back() = {"azione", "rimuovi-elemento:children[1]"};
  remove.push_back({"children[1]._item", "1"});
  ASSERT_EQ(post_form(base + "/passo/2", s, remove).status, 303);
  auto d = stored_draft(asti_, draft_id(base));
  EXPECT_EQ(d->answers.at("children").as_array().size(), 1u);
  EXPECT_EQ(std::string(d->answers.at("children").as_array().at(0).as_object().at("given_name").as_string()),
            "Giulia");
}

TEST_P(ApplicationPagesTest, QuestionsRevealedByAnAnswerAreShownBeforeMovingOn) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  ASSERT_EQ(post_form(base + "/passo/2", s, children_step()).status, 303);
  // Canteen "yes" shows the diet questions on the same page: without JavaScript, the page comes back.
  Fields f = school_step();
  for (auto& [k, v] : f)
    if (k == "canteen") v = "yes";
  auto r = post_form(base + "/passo/3", s, f);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(contains(r.body, "id=\"info\""));
  EXPECT_TRUE(contains(r.body, "name=\"diet_needs\""));
  EXPECT_FALSE(contains(r.body, "id=\"error-summary\""));
  // Posted again as it is: on to the next step.
  auto again = post_form(base + "/passo/3", s, f);
  EXPECT_EQ(again.status, 303);
  EXPECT_EQ(location(again), base + "/passo/4");
}

TEST_P(ApplicationPagesTest, TheNextApplicationIsPrefilledFromThePreviousOne) {
  const auto s = anna();
  const std::string meals = "iscrizione-mensa-scolastica";
  std::string base = start_draft(s, "asti", meals);
  Fields applicant = applicant_step();
  applicant.erase(std::remove_if(applicant.begin(), applicant.end(),
                                 [](const auto& p) { return p.first == "applicant_role"; }),
                  applicant.end());
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant).status, 303);
  const auto birth = year{2019} / March / 2;
  auto r2 = post_form(base + "/passo/2", s,
                      {{"school_year", "2026-2027"},
                       {"children[0]._item", "1"},
                       {"children[0].fiscal_code", child_cf("Marta", birth)},
                       {"children[0].given_name", "Marta"},
                       {"children[0].family_name", "Ferraro"},
                       {"children[0].birth_date", "02/03/2019"},
                       {"children[0].school", "rodari"},
                       {"children[0].class", "2A"},
                       {"children[0].days", "lun"},
                       {"children[0].days", "mer"},
                       {"children[0].diet", "no"},
                       {"azione", "avanti"}});
  ASSERT_EQ(r2.status, 303) << r2.body.substr(0, 3000);
  const std::string tomorrow =
      time::format_it_date(time::add_calendar_days(time::rome_date(time::system_clock().now()), 1));
  auto r3 = post_form(base + "/passo/3", s,
                      {{"start_date", tomorrow},
                       {"declaration_fees", "yes"},
                       {"declaration_truth", "yes"},
                       {"declaration_privacy", "yes"},
                       {"azione", "avanti"}});
  ASSERT_EQ(r3.status, 303) << r3.body.substr(0, 3000);
  ASSERT_EQ(location(post_form(base + "/invia", s, {})), base + "/ricevuta");

  // Next year's application: the children come from the one sent, marked, and editable.
  const std::string next = start_draft(s, "asti", meals);
  ASSERT_NE(next, base);
  auto d = stored_draft(asti_, draft_id(next));
  ASSERT_TRUE(d);
  EXPECT_NE(std::find(d->prefilled.begin(), d->prefilled.end(), "children"), d->prefilled.end());
  auto page = get(next + "/passo/2", s);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "value=\"Marta\""));
  EXPECT_TRUE(contains(page.body, "id=\"f-children-origin\""));
  // Another person's new draft has nothing of hers.
  auto other = get(start_draft(fabio(), "asti", meals) + "/passo/2", fabio());
  EXPECT_FALSE(contains(other.body, "Marta"));
}

TEST_P(ApplicationPagesTest, TwoSimultaneousSendsMakeOneCase) {
  const auto s = anna();
  const std::string base = fill_all(s);
  std::vector<http::Response> replies(3);
  std::vector<std::thread> clicks;
  for (auto& reply : replies)
    clicks.emplace_back([&, &out = reply] { out = post_form(base + "/invia", s, {}); });
  for (auto& t : clicks) t.join();
  for (const auto& r : replies) {
    EXPECT_EQ(r.status, 303) << r.body.substr(0, 2000);
    EXPECT_EQ(location(r), base + "/ricevuta");
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE applicant_cf = $1", {std::string(kAnna)}), 1);
  // One protocol number taken, not one per click.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM protocol_entries WHERE tenant_id = $1 AND subject LIKE 'Domanda online%'",
            {asti_}),
      1);
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->submitted());
}

// Issue 11, point 6: "Ritira la domanda" withdrew in one click; now it asks first, keeping the reason.
TEST_P(ApplicationPagesTest, WithdrawingAsksFirstAndOnlyTheConfirmationWithdraws) {
  const auto s = anna();
  const std::string base = fill_all(s);
  ASSERT_EQ(post_form(base + "/invia", s, {}).status, 303);
  const auto case_id = db::read_one(app_->database(), "SELECT id FROM cases WHERE applicant_cf = $1",
                                    {std::string(kAnna)}, [](const db::Row& r) { return r.text(0); });
  ASSERT_TRUE(case_id);
  const std::string page = "/area-personale/pratiche/asti/" + *case_id;
  auto state = [&] {
    return db::read_one(app_->database(), "SELECT state FROM cases WHERE id = $1", {*case_id},
                        [](const db::Row& r) { return r.text(0); })
        .value_or("");
  };
  const auto before = state();

  auto ask = post_form(page, s, {{"action", "withdraw"}, {"text", "Ho trovato posto altrove"}});
  ASSERT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("id=\"confirm-withdraw\""), std::string::npos);
  EXPECT_NE(ask.body.find("value=\"Ho trovato posto altrove\""), std::string::npos) << "the reason is kept";
  EXPECT_NE(ask.body.find("id=\"act-withdraw-cancel\""), std::string::npos);
  EXPECT_EQ(state(), before) << "asking changes nothing";

  // Someone else's confirmation is refused like any other attempt on the case.
  EXPECT_EQ(post_form(page, fabio(), {{"action", "withdraw"}, {"confirm", "1"}, {"text", "x"}}).status, 404);
  EXPECT_EQ(state(), before);

  auto done =
      post_form(page, s, {{"action", "withdraw"}, {"confirm", "1"}, {"text", "Ho trovato posto altrove"}});
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(state(), "withdrawn");
}

// Issue 11, point 8: where a form asks to declare the privacy notice was read, it links the body's notice.
TEST_P(ApplicationPagesTest, ThePrivacyDeclarationLinksTheBodysNotice) {
  const auto s = anna();
  const std::string base = fill_all(s);
  auto step = get(base + "/passo/4", s);
  ASSERT_EQ(step.status, 200);
  EXPECT_TRUE(contains(
      step.body, "href=\"/asti/privacy\" target=\"_blank\" rel=\"noopener\" class=\"privacy-notice-link\""));
  EXPECT_EQ(get("/asti/privacy", s).status, 200);
}

// Issue 11, point 6: any text was accepted as the assignee (the case then showed under nobody); the
// case page now offers the office's staff, by name, and refuses anyone else.
TEST_P(ApplicationPagesTest, ACaseIsAssignedOnlyToTheBodysStaffPickedByName) {
  const auto s = anna();
  const std::string base = fill_all(s);
  ASSERT_EQ(post_form(base + "/invia", s, {}).status, 303);
  const auto case_id = db::read_one(app_->database(), "SELECT id FROM cases WHERE applicant_cf = $1",
                                    {std::string(kAnna)}, [](const db::Row& r) { return r.text(0); });
  ASSERT_TRUE(case_id);
  auto signed_in = app_->staff().sign_in("operatore@asti.example", "Asti-operatore-2026!", "");
  ASSERT_TRUE(signed_in.ok());
  const auto op = sessions_->start(*signed_in).token;
  const std::string page = "/backoffice/asti/pratiche/" + *case_id;
  auto view = get(page, op);
  ASSERT_EQ(view.status, 200);
  EXPECT_TRUE(contains(view.body, "<select class=\"form-select\" id=\"c-assignee\""));
  EXPECT_TRUE(contains(view.body, ">Elena Gatti</option>"));
  EXPECT_TRUE(contains(view.body, "Marco Bosio (tu)"));
  EXPECT_FALSE(contains(view.body, "Sara Bianchi")) << "Novara's operator is not Asti's staff";
  const auto novara_op = app_->staff().account_by_email("operatore@novara.example");
  ASSERT_TRUE(novara_op);
  for (const std::string& who : {std::string("qualcuno"), novara_op->id}) {
    auto refused = post_form(page, op, {{"action", "assign"}, {"assignee", who}, {"text", ""}});
    EXPECT_EQ(refused.status, 400) << who;
  }
  const auto elena = app_->staff().account_by_email("responsabile@asti.example");
  ASSERT_TRUE(elena);
  auto assigned = post_form(page, op, {{"action", "assign"}, {"assignee", elena->id}, {"text", ""}});
  EXPECT_EQ(assigned.status, 303) << assigned.body.substr(0, 1500);
  auto after = get(page, op);
  EXPECT_TRUE(contains(after.body, "Assegnatario: Elena Gatti") || contains(after.body, ": Elena Gatti"));
  EXPECT_FALSE(contains(after.body, elena->id + "</p>")) << "a name, not the staff id";
  auto queue = get("/backoffice/asti/pratiche", op);
  EXPECT_TRUE(contains(queue.body, "<td>Elena Gatti</td>"));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ApplicationPagesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::applications::webtest
