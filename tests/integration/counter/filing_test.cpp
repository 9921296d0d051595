// The assisted counter files applications for citizens without SPID (issue 11, point 4), on both
// databases, through the whole application (demo data, real routes): the identity typed at the counter
// must agree with the codice fiscale (surname, name, sex, birth date; omocodia accepted; an expired
// document refused), the operator fills and sends an application of any member body as the citizen,
// the citizen finds the draft, the application and its case when they sign in later, the operator never
// reaches another citizen's draft nor another body's URL for it, a correction is audited and refused
// once something was filed, and both receipts (application and counter) say what was done in words.
#include "../applications/app_fixture.hpp"
#include "audit/service.hpp"
#include "identity/counter_service.hpp"
#include "support/pdf_inspect.hpp"

namespace sp::applications::webtest {
namespace {

using std::chrono::year;
using namespace std::chrono_literals;

// Maria Rossi, born in Asti on 10 February 1990: she has never signed in with SPID.
const std::string kMaria =
    cf::compute("Rossi", "Maria", cf::Sex::female, year{1990} / std::chrono::February / 10, "A479").value();

// What the operator reads off Maria's identity card.
Fields maria_identity(const std::string& code = kMaria) {
  return {{"family_name", "Rossi"},
          {"given_name", "Maria"},
          {"sex", "F"},
          {"birth_date", "10/02/1990"},
          {"fiscal_code", code},
          {"document_type", "cie"},
          {"document_number", "CA 00000 AA"},
          {"document_expiry", "2031-01-31"}};
}

Fields with(Fields f, const std::string& key, const std::string& value) {
  for (auto& [k, v] : f)
    if (k == key) v = value;
  return f;
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class CounterFilingTest : public AppTest {
 protected:
  // A signed-in counter operator of Asti (Paolo Rinaldi, data/demo/staff.json).
  std::string counter_operator(const std::string& email = "sportello@asti.example") {
    std::string id;
    tenants::TenantId tenant = 0;
    app_->database().read([&](db::Conn& c) {
      auto r = c.query_one("SELECT id, tenant_id FROM staff_accounts WHERE email = $1", {email});
      if (r) {
        id = r->text(0);
        tenant = r->i64(1);
      }
    });
    EXPECT_FALSE(id.empty()) << email;
    return sessions_
        ->start(identity::NewSession{identity::PrincipalKind::staff,
                                     id,
                                     tenant,
                                     {identity::Role::counter_operator},
                                     0,
                                     "Paolo Rinaldi"})
        .token;
  }
  std::string desk_operator() {
    std::string id;
    app_->database().read([&](db::Conn& c) {
      id = c.query_one("SELECT id FROM staff_accounts WHERE email = 'operatore@asti.example'", {})->text(0);
    });
    return sessions_
        ->start(identity::NewSession{
            identity::PrincipalKind::staff, id, asti_, {identity::Role::operator_}, 0, "Marco Bosio"})
        .token;
  }

  http::Response open_session(const std::string& op, const Fields& identity) {
    return post_form("/sportello-assistito/avvia", op, identity);
  }

  std::vector<audit::StoredEntry> audit_of(tenants::TenantId tenant, const std::string& action) {
    audit::AuditService audit(app_->database());
    audit::Query q;
    q.action = action;
    q.limit = 100;
    return audit.entries(tenant, q).entries;
  }

  // Maria's primary school enrolment at `slug`, filled and sent by whoever `session` is; returns the
  // draft's base URL.
  std::string file_enrolment(const std::string& session, const std::string& slug = "asti") {
    const std::string base = start_draft(session, slug);
    if (base.empty()) return base;
    Fields applicant = {{"applicant_fiscal_code", kMaria},
                        {"applicant_given_name", "Maria"},
                        {"applicant_family_name", "Rossi"},
                        {"applicant_birth_date", "1990-02-10"},
                        {"applicant_email", "maria.rossi@example.org"},
                        {"applicant_phone", "333 765 4321"},
                        {"applicant_residence.street", "Corso Alfieri"},
                        {"applicant_residence.number", "5"},
                        {"applicant_residence.postcode", "14100"},
                        {"applicant_residence.municipality", "Asti"},
                        {"applicant_role", "genitore"},
                        {"azione", "avanti"}};
    const std::vector<Fields> steps = {applicant, children_step(), school_step(), declarations_step()};
    for (std::size_t i = 0; i < steps.size(); ++i) {
      auto r = post_multipart(base + "/passo/" + std::to_string(i + 1), session, steps[i], {});
      EXPECT_EQ(r.status, 303) << "step " << i + 1 << ": " << r.body.substr(0, 2000);
    }
    auto sent = post_form(base + "/invia", session, {});
    EXPECT_EQ(sent.status, 303) << sent.body.substr(0, 3000);
    EXPECT_EQ(location(sent), base + "/ricevuta");
    return base;
  }
};

TEST_P(CounterFilingTest, TheCodeMustAgreeWithTheDocumentAndTheDocumentMustBeValid) {
  const auto op = counter_operator();
  struct Case {
    Fields identity;
    std::string says;   // the Italian message
    std::string field;  // the input marked invalid
  };
  const std::vector<Case> refused = {
      {with(maria_identity(), "family_name", "Bianchi"), "non corrisponde al cognome", "c-family_name"},
      {with(maria_identity(), "given_name", "Marta"), "non corrisponde al nome", "c-given_name"},
      {with(maria_identity(), "sex", "M"), "non corrisponde al sesso", "c-sex"},
      {with(maria_identity(), "birth_date", "11/02/1990"), "secondo il codice è nato il 10/02/90",
       "c-birth_date"},
      {with(maria_identity(), "birth_date", "1991-02-10"), "non corrisponde alla data di nascita",
       "c-birth_date"},
      {with(maria_identity(), "document_expiry", "2026-01-31"), "Il documento è scaduto il 31/01/2026",
       "c-document_expiry"},
      {with(maria_identity(), "fiscal_code", kMaria.substr(0, 15) + "X"),
       "codice fiscale del cittadino non è valido", "c-fiscal_code"},
  };
  for (const auto& c : refused) {
    auto r = open_session(op, c.identity);
    EXPECT_EQ(r.status, 400) << c.says;
    EXPECT_TRUE(has(r.body, c.says)) << c.says << "\n" << r.body.substr(0, 4000);
    // The field is marked and everything typed is kept.
    EXPECT_TRUE(has(r.body, "id=\"" + c.field + "\"")) << c.field;
    auto marked = r.body.find("id=\"" + c.field + "\"");
    EXPECT_NE(r.body.find("aria-invalid=\"true\"", marked), std::string::npos) << c.field;
    EXPECT_TRUE(has(r.body, "value=\"CA 00000 AA\"")) << c.says;
    for (const auto& [k, v] : c.identity) {
      if (k == "sex" || k == "document_type") continue;
      EXPECT_TRUE(has(r.body, "value=\"" + v + "\"")) << k;
    }
    EXPECT_FALSE(sessions_->resume(op)->assisting.has_value());
  }
  // English too.
  auto en =
      post_form("/sportello-assistito/avvia", op, with(maria_identity(), "family_name", "Bianchi"), "en");
  EXPECT_TRUE(has(en.body, "does not match the surname")) << en.body.substr(0, 3000);

  // An omocodic code (digits replaced by letters, as the Agenzia assigns to homonyms) is the same person.
  const std::string omocodic = cf::omocode(kMaria, 3).value();
  ASSERT_NE(omocodic, kMaria);
  auto ok = open_session(op, maria_identity(omocodic));
  ASSERT_EQ(ok.status, 303) << ok.body.substr(0, 3000);
  auto p = sessions_->resume(op);
  ASSERT_TRUE(p->assisting.has_value());
  EXPECT_EQ(p->assisting->fiscal_code, omocodic);
  EXPECT_EQ(p->assisting->name, "Maria Rossi");
  EXPECT_EQ(p->assisting->document_number, "CA00000AA");
  auto home = get("/sportello-assistito/", op);
  EXPECT_TRUE(has(home.body, "SA-2026-000001") || has(home.body, "SA-2027-000001"))
      << home.body.substr(0, 3000);
}

TEST_P(CounterFilingTest, TheOperatorFilesForTheCitizenWhoFindsItWhenSigningInLater) {
  const auto op = counter_operator();
  // Not yet assisting: the service sends the operator to the sign-in, as it does any staff member.
  auto before = get("/asti/servizi/" + std::string(kService) + "/domanda", op);
  EXPECT_EQ(before.status, 303);
  EXPECT_EQ(location(before).rfind("/accedi", 0), 0u) << location(before);
  auto desk = get("/asti/servizi/" + std::string(kService) + "/domanda", desk_operator());
  EXPECT_EQ(location(desk).rfind("/accedi", 0), 0u);

  ASSERT_EQ(open_session(op, maria_identity()).status, 303);
  const std::string base = start_draft(op);
  ASSERT_FALSE(base.empty());
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->owner_cf, kMaria);  // the citizen's, not the operator's
  auto step = get(base + "/passo/1", op);
  ASSERT_EQ(step.status, 200) << step.body.substr(0, 2000);
  EXPECT_TRUE(has(step.body, "Stai compilando per conto di Maria Rossi (" + kMaria + ")"));
  EXPECT_TRUE(has(step.body, "value=\"Maria\""));  // prefilled from the document checked
  EXPECT_TRUE(has(step.body, "value=\"Rossi\""));

  ASSERT_EQ(file_enrolment(op), base);
  d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d->submitted());
  // The case is the citizen's, filed at the counter by the operator.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM cases WHERE tenant_id = $1 AND applicant_cf = $2 AND channel = 'counter'",
            {asti_, kMaria}),
      1);
  auto submitted = audit_of(asti_, "case.submit");
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].entry.channel, audit::Channel::counter);
  EXPECT_EQ(submitted[0].entry.actor_kind, audit::ActorKind::staff);
  EXPECT_EQ(submitted[0].entry.on_behalf_of, kMaria);
  auto receipt = get(base + "/ricevuta", op);
  ASSERT_EQ(receipt.status, 200);
  EXPECT_TRUE(has(receipt.body, d->protocol_label));
  EXPECT_TRUE(has(receipt.body, "Stai compilando per conto di Maria Rossi"));
  auto pdf = get(base + "/ricevuta.pdf", op);
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);

  // Closing: the counter receipt lists it in words, with the session's readable number.
  auto closed = post_form("/sportello-assistito/chiudi", op, {});
  ASSERT_EQ(closed.status, 303);
  const std::string counter_receipt = location(closed);
  auto page = get(counter_receipt, op);
  ASSERT_EQ(page.status, 200);
  auto rome_day = [&](const std::string& iso) {
    return time::format_it_date(time::rome_date(*time::parse_iso_utc(iso)));
  };
  const std::string line =
      "Domanda inviata — Iscrizione alla scuola primaria — Comune di Asti — protocollo n. " +
      d->protocol_label + " del " + rome_day(d->submitted_at);
  EXPECT_TRUE(has(page.body, line)) << page.body.substr(0, 6000);
  EXPECT_TRUE(has(page.body, "Paolo Rinaldi"));
  EXPECT_TRUE(has(page.body, "Sportello assistito — Comune di Asti"));
  EXPECT_TRUE(has(page.body, "SA-"));
  EXPECT_FALSE(has(page.body, "case.submit"));
  EXPECT_FALSE(has(page.body, d->case_id));
  const std::string pdf_href = counter_receipt + "/pdf";
  EXPECT_TRUE(has(page.body, "href=\"" + pdf_href + "\""));
  auto counter_pdf = get(pdf_href + "?compresso=no", op);
  ASSERT_EQ(counter_pdf.status, 200);
  EXPECT_EQ(counter_pdf.content_type, "application/pdf");
  const std::string counter_text = sp::testing::pdf_text(counter_pdf.body);  // as a reader extracts it
  EXPECT_TRUE(has(counter_text, "protocollo n. " + d->protocol_label)) << counter_text;
  EXPECT_TRUE(has(counter_text, "Domanda inviata"));
  EXPECT_FALSE(has(counter_text, "case.submit"));
  EXPECT_FALSE(has(counter_text, d->case_id));
  const auto counter_facts = sp::testing::pdf_facts(counter_pdf.body);
  EXPECT_TRUE(counter_facts.struct_tree);
  EXPECT_TRUE(counter_facts.marked);
  EXPECT_EQ(counter_facts.lang, "it-IT");
  EXPECT_EQ(counter_facts.tags.count("H1"), 1U);
  EXPECT_GE(counter_facts.tags.count("TD"), 1U);

  // Closed: the operator no longer reaches the citizen's draft.
  auto after = get(base + "/ricevuta", op);
  EXPECT_EQ(after.status, 303);
  EXPECT_EQ(location(after).rfind("/accedi", 0), 0u);

  // Maria signs in with SPID one day: her application, its case and the counter receipt are hers.
  const auto maria = citizen(kMaria, "Maria Rossi");
  auto mine = get("/area-personale/domande", maria);
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(has(mine.body, d->protocol_label));
  EXPECT_EQ(get(base + "/ricevuta", maria).status, 200);
  auto cases = get("/area-personale/pratiche", maria);
  ASSERT_EQ(cases.status, 200);
  EXPECT_TRUE(has(cases.body, d->protocol_label)) << cases.body.substr(0, 3000);
  EXPECT_EQ(get(counter_receipt, maria).status, 200);
  EXPECT_EQ(get(pdf_href, maria).status, 200);
  // Anyone else: nothing.
  EXPECT_EQ(get(base + "/ricevuta", anna()).status, 404);
  EXPECT_EQ(get(counter_receipt, anna()).status, 404);
  EXPECT_EQ(get(pdf_href, anna()).status, 404);
}

TEST_P(CounterFilingTest, TheOperatorReachesOnlyTheAssistedCitizensDraftsAndOnlyAtTheirBody) {
  // Anna, signed in with SPID, has a draft of her own.
  const std::string annas = start_draft(anna());
  ASSERT_FALSE(annas.empty());
  const auto op = counter_operator();
  ASSERT_EQ(open_session(op, maria_identity()).status, 303);
  EXPECT_EQ(get(annas + "/passo/1", op).status, 404);
  EXPECT_EQ(get(annas + "/riepilogo", op).status, 404);
  EXPECT_EQ(
      post_multipart(annas + "/passo/1", op, {{"applicant_phone", "000"}, {"azione", "salva"}}, {}).status,
      404);
  EXPECT_EQ(post_form(annas + "/invia", op, {}).status, 404);
  auto refused = audit_of(asti_, "application.access_refused");
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.back().entry.channel, audit::Channel::counter);
  EXPECT_EQ(refused.back().entry.on_behalf_of, kMaria);
  auto annas_draft = stored_draft(asti_, draft_id(annas));
  EXPECT_TRUE(annas_draft->answers.if_contains("applicant_phone") == nullptr ||
              annas_draft->answers.at("applicant_phone") != "000");

  // Maria's draft at Asti: not through another body's URL (tenants are walls).
  const std::string marias = start_draft(op);
  ASSERT_FALSE(marias.empty());
  const std::string id = draft_id(marias);
  EXPECT_EQ(get("/novara/domande/" + id + "/passo/1", op).status, 404);
  EXPECT_EQ(get("/novara/domande/" + id + "/ricevuta", op).status, 404);
  // Any member body's service: Novara's enrolment is filed for Maria too, as Novara's draft.
  const std::string at_novara = start_draft(op, "novara");
  ASSERT_FALSE(at_novara.empty());
  EXPECT_EQ(at_novara.rfind("/novara/domande/", 0), 0u);
  EXPECT_EQ(stored_draft(novara_, draft_id(at_novara))->owner_cf, kMaria);
  EXPECT_EQ(get("/asti/domande/" + draft_id(at_novara) + "/passo/1", op).status, 404);

  // Another citizen at the counter later: Maria's draft is out of reach.
  ASSERT_EQ(post_form("/sportello-assistito/chiudi", op, {}).status, 303);
  Fields fabio = {
      {"family_name", "Caccamo"},       {"given_name", "Fabio"},          {"sex", "M"},
      {"birth_date", "03/04/1985"},     {"fiscal_code", kFabio},          {"document_type", "passaporto"},
      {"document_number", "YA1234567"}, {"document_expiry", "2030-06-30"}};
  ASSERT_EQ(open_session(op, fabio).status, 303);
  EXPECT_EQ(get(marias + "/passo/1", op).status, 404);
  // A colleague at the desk (no counter role) never files for anyone.
  EXPECT_EQ(location(get(marias + "/passo/1", desk_operator())).rfind("/accedi", 0), 0u);
}

TEST_P(CounterFilingTest, ACorrectionIsAuditedAndRefusedOnceSomethingWasFiled) {
  const auto op = counter_operator();
  // The operator mistyped the document number; the rest agrees.
  ASSERT_EQ(open_session(op, with(maria_identity(), "document_number", "CA00000AB")).status, 303);
  // A correction goes through the same checks: refused, typed values kept, nothing changed.
  auto wrong = post_form("/sportello-assistito/correggi", op, with(maria_identity(), "sex", "M"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_TRUE(has(wrong.body, "non corrisponde al sesso"));
  EXPECT_TRUE(has(wrong.body, "value=\"CA 00000 AA\""));
  EXPECT_EQ(sessions_->resume(op)->assisting->document_number, "CA00000AB");
  auto fixed = post_form("/sportello-assistito/correggi", op, maria_identity());
  ASSERT_EQ(fixed.status, 303) << fixed.body.substr(0, 3000);
  EXPECT_EQ(sessions_->resume(op)->assisting->document_number, "CA00000AA");
  auto corrected = audit_of(asti_, "counter.identity_corrected");
  ASSERT_EQ(corrected.size(), 1u);
  EXPECT_EQ(corrected[0].entry.channel, audit::Channel::counter);
  EXPECT_EQ(corrected[0].entry.on_behalf_of, kMaria);
  auto details = boost::json::parse(corrected[0].entry.details).as_object();
  EXPECT_EQ(details.at("before").at("document_number"), "CA00000AB");
  EXPECT_EQ(details.at("after").at("document_number"), "CA00000AA");
  auto home = get("/sportello-assistito/", op);
  EXPECT_TRUE(has(home.body, "id=\"correct-identity\""));

  // Once an application was filed, the identity stays.
  ASSERT_FALSE(file_enrolment(op).empty());
  home = get("/sportello-assistito/", op);
  EXPECT_FALSE(has(home.body, "id=\"correct-identity\""));
  EXPECT_TRUE(has(home.body, "id=\"identity-locked\""));
  auto locked =
      post_form("/sportello-assistito/correggi", op, with(maria_identity(), "document_number", "ZZ99999"));
  EXPECT_EQ(locked.status, 409);
  EXPECT_TRUE(has(locked.body, "ritira la domanda") || has(locked.body, "Ritira la domanda"))
      << locked.body.substr(0, 3000);
  EXPECT_EQ(sessions_->resume(op)->assisting->document_number, "CA00000AA");
  EXPECT_EQ(audit_of(asti_, "counter.identity_corrected").size(), 1u);
  // The receipt names the correction and the application in words.
  auto closed = post_form("/sportello-assistito/chiudi", op, {});
  auto page = get(location(closed), op);
  EXPECT_TRUE(has(page.body, "Dati anagrafici del cittadino corretti"));
  EXPECT_TRUE(has(page.body, "Domanda inviata — Iscrizione alla scuola primaria"));
  audit::AuditService audit(app_->database());
  EXPECT_TRUE(audit.verify(asti_).intact);
}

INSTANTIATE_TEST_SUITE_P(Db, CounterFilingTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::applications::webtest
