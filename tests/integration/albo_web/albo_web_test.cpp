// The albo through the whole application (demo data, both databases, no sockets): the public board,
// search, a publication, its document, the feeds, the X-Robots-Tag on every answer, the 410 "period
// ended" page of an expired publication and its document, the staff publishing form with the
// personal-data warning, annulment shown publicly, the API with an idempotency key, another body's staff
// and keys refused.
#include "../protocollo_web/app_fixture.hpp"
#include "albo/service.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/pdf/document.hpp"

namespace sp::albo::webtest {
namespace {

using protocollo::webtest::AppTest;
using protocollo::webtest::Upload;
constexpr auto npos = std::string::npos;
constexpr const char* kRobots = "noindex, nofollow, noarchive";

std::string pdf_saying(const std::string& text) {
  pdf::Document doc({.lang = "it-IT", .title = "Atto"});
  doc.paragraph(text);
  return doc.finish();
}

class AlboWebTest : public AppTest {
 public:
  std::vector<Publication> asti_board() {
    auto all = app_->albo().archive(SystemActor{"test"}, asti_, BoardQuery{});
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<Publication>{};
  }
  static std::string href(const Publication& p) {
    return "/asti/albo/" + std::to_string(p.year) + "/" + format_number(p.number);
  }

  void board_search_publication_feeds() {
    auto board = get("/asti/albo", "");
    ASSERT_EQ(board.status, 200);
    EXPECT_EQ(header(board, "x-robots-tag"), kRobots);
    EXPECT_NE(board.body.find("<meta name=\"robots\" content=\"noindex, nofollow, noarchive\">"), npos);
    EXPECT_NE(board.body.find("Approvazione del piano esecutivo di gestione 2026"), npos);
    EXPECT_NE(board.body.find("Avviso di gara per il servizio di refezione scolastica"), npos);
    auto search = get("/asti/albo?testo=Refezione", "");
    EXPECT_NE(search.body.find("refezione scolastica"), npos);
    EXPECT_EQ(search.body.find("piano esecutivo"), npos);
    auto by_type = get("/asti/albo?tipo=ordinanza", "");
    EXPECT_NE(by_type.body.find("corso Alfieri"), npos);
    EXPECT_EQ(by_type.body.find("refezione"), npos);
    auto hub = get("/albo", "", "en");
    EXPECT_EQ(hub.status, 200);
    EXPECT_EQ(header(hub, "x-robots-tag"), kRobots);
    EXPECT_NE(hub.body.find("Online notice board"), npos);
    EXPECT_NE(hub.body.find("Comune di Asti"), npos);
    EXPECT_EQ(get("/novara/albo", "").body.find("refezione"), npos) << "another body's board";

    const auto pubs = asti_board();
    ASSERT_FALSE(pubs.empty());
    // One whose subject has no apostrophe (the page escapes it).
    const auto& p = *std::find_if(pubs.begin(), pubs.end(), [](const Publication& x) {
      return x.subject.find('\'') == std::string::npos;
    });
    auto page = get(href(p), "");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(header(page, "x-robots-tag"), kRobots);
    EXPECT_NE(page.body.find(p.subject), npos);
    EXPECT_NE(page.body.find(p.documents.at(0).sha256), npos);
    EXPECT_EQ(get("/novara/albo/" + std::to_string(p.year) + "/" + format_number(p.number), "").status, 404);
    auto doc = get(href(p) + "/documenti/0", "");
    ASSERT_EQ(doc.status, 200);
    EXPECT_EQ(doc.content_type, "application/pdf");
    EXPECT_EQ(header(doc, "x-robots-tag"), kRobots);
    EXPECT_EQ(digest::sha256_hex(doc.body), p.documents[0].sha256);

    auto rss = get("/asti/albo/feed.rss", "");
    ASSERT_EQ(rss.status, 200);
    EXPECT_EQ(rss.content_type, "application/rss+xml; charset=utf-8");
    EXPECT_EQ(header(rss, "x-robots-tag"), kRobots);
    EXPECT_NE(rss.body.find("<xhtml:meta name=\"robots\" content=\"noindex\""), npos);
    const auto uid = std::to_string(p.year) + "/" + format_number(p.number);
    EXPECT_NE(rss.body.find("specs#item-category-uid\">" + uid + "</category>"), npos) << rss.body;
    EXPECT_NE(rss.body.find("specs#item-category-pubStart\">"), npos);
    EXPECT_NE(rss.body.find("specs#item-category-pubEnd\">"), npos);
    EXPECT_NE(rss.body.find("<enclosure url=\""), npos);
    EXPECT_NE(rss.body.find(href(p) + "</link>"), npos);
    auto typed = get("/asti/albo/feed.rss?tipo=ordinanza", "");
    EXPECT_EQ(typed.body.find("refezione"), npos);
    auto atom = get("/asti/albo/feed.atom", "");
    EXPECT_EQ(atom.content_type, "application/atom+xml; charset=utf-8");
    EXPECT_EQ(header(atom, "x-robots-tag"), kRobots);
    EXPECT_NE(atom.body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\""), npos);
    EXPECT_NE(atom.body.find("rel=\"enclosure\""), npos);
    EXPECT_EQ(header(get("/albo/feed.rss", ""), "x-robots-tag"), kRobots);
  }

  void expired_publication() {
    // Published 20 days ago for 15 days, through the albo on a clock of that day (same database and files).
    time::TestClock then(time::system_clock().now() - std::chrono::hours(24 * 20));
    auto config = load_config("").value();
    files::FileService files(app_->database(), then, files::Options{config.files_dir});
    protocollo::ProtocolService protocol(app_->database(), then, files);
    AlboService past(app_->database(), then, files, protocol, sp::testing::locales());
    Publishing p;
    p.publication.act_type = "ordinanza";
    p.publication.office = "Polizia locale";
    p.publication.responsible = "Comm. Paolo Ferrero";
    p.publication.subject = "Ordinanza scaduta di chiusura del mercato";
    p.documents.push_back({DocumentRole::act, "ordinanza.pdf", pdf_saying("Ordinanza"), "document"});
    auto r = past.publish(SystemActor{"test"}, asti_, p);
    ASSERT_TRUE(r.ok() && r->published);
    const auto base =
        "/asti/albo/" + std::to_string(r->published->year) + "/" + format_number(r->published->number);
    auto page = get(base, "");
    EXPECT_EQ(page.status, 410);
    EXPECT_EQ(header(page, "x-robots-tag"), kRobots);
    EXPECT_NE(page.body.find("Periodo di pubblicazione concluso"), npos);
    EXPECT_NE(page.body.find("accesso agli atti"), npos);
    EXPECT_EQ(page.body.find("Ordinanza scaduta"), npos) << "the subject is no longer published";
    auto doc = get(base + "/documenti/0", "");
    EXPECT_EQ(doc.status, 410);
    EXPECT_EQ(doc.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(doc, "x-robots-tag"), kRobots);
    EXPECT_NE(doc.body.find("Periodo di pubblicazione concluso"), npos);
    EXPECT_EQ(get("/asti/albo", "").body.find("Ordinanza scaduta"), npos);
    EXPECT_EQ(get("/asti/albo/feed.rss", "").body.find("Ordinanza scaduta"), npos);
  }

  void staff_form_and_annulment() {
    const auto op = operator_session();
    auto form = get("/backoffice/asti/albo/nuova", op);
    ASSERT_EQ(form.status, 200);
    EXPECT_NE(form.body.find("name=\"act_type\""), npos);
    std::map<std::string, std::string> fields = {
        {"act_type", "determinazione"},
        {"subject", "Contributo a Mario Rossi, codice fiscale RSSMRA80A01H501U"},
        {"office", "Servizi sociali"},
        {"responsible", "Dott.ssa Anna Neri"}};
    const std::vector<Upload> files = {
        {"document", "det.pdf", "application/pdf", pdf_saying("Determinazione")}};
    auto warned = post_multipart("/backoffice/asti/albo/nuova", op, fields, files);
    EXPECT_EQ(warned.status, 422);
    EXPECT_NE(warned.body.find("id=\"personal-data-warning\""), npos);
    EXPECT_NE(warned.body.find("RSSMRA80A01H501U"), npos);
    EXPECT_NE(warned.body.find("name=\"confirm_personal_data\""), npos);
    EXPECT_NE(warned.body.find("Contributo a Mario Rossi"), npos) << "the form keeps its values";
    fields["confirm_personal_data"] = "1";
    auto done = post_multipart("/backoffice/asti/albo/nuova", op, fields, files);
    ASSERT_EQ(done.status, 303) << done.body.substr(0, 400);
    const auto location = header(done, "location");
    ASSERT_EQ(location.rfind("/backoffice/asti/albo/", 0), 0u);
    const auto id = location.substr(std::string("/backoffice/asti/albo/").size(), 36);
    auto staff_page = get("/backoffice/asti/albo/" + id, op);
    EXPECT_EQ(staff_page.status, 200);
    EXPECT_NE(staff_page.body.find("id=\"pd-confirmed\""), npos);
    // The operator may not annul; the manager does; the public page shows it.
    EXPECT_EQ(post_form("/backoffice/asti/albo/" + id + "/annulla", op, "reason=errore").status, 403);
    const auto manager = manager_session();
    EXPECT_EQ(post_form("/backoffice/asti/albo/" + id + "/annulla", manager, "reason=").status, 400);
    EXPECT_EQ(
        post_form("/backoffice/asti/albo/" + id + "/annulla", manager, "reason=Beneficiario+errato").status,
        303);
    auto v = app_->albo().view(SystemActor{"test"}, asti_, id);
    ASSERT_TRUE(v.ok());
    auto pub = get(
        "/asti/albo/" + std::to_string(v->publication.year) + "/" + format_number(v->publication.number), "");
    EXPECT_EQ(pub.status, 200);
    EXPECT_NE(pub.body.find("id=\"annulled-notice\""), npos);
    EXPECT_NE(pub.body.find("Beneficiario errato"), npos);
    // Another body's staff: refused.
    const auto novara = novara_session();
    EXPECT_EQ(get("/backoffice/asti/albo", novara).status, 403);
    EXPECT_EQ(get("/backoffice/asti/albo/" + id, novara).status, 403);
    EXPECT_EQ(get("/backoffice/novara/albo/" + id, novara).status, 404);
  }

  void api_idempotency() {
    const auto key = api_key(asti_, {"albo:write", "albo:read"});
    const std::string body = boost::json::serialize(boost::json::object{
        {"act_type", "delibera_giunta"},
        {"office", "Segreteria generale"},
        {"responsible", "Dott.ssa Laura Bianchi"},
        {"subject", "Approvazione dello schema di convenzione per la biblioteca"},
        {"act_number", "215"},
        {"documents", boost::json::array{boost::json::object{
                          {"file_name", "delibera-215.pdf"},
                          {"content_base64", crypto::base64_encode(pdf_saying("Delibera 215"))}}}}});
    const std::vector<std::pair<std::string, std::string>> idem = {{"idempotency-key", "giunta-215"}};
    auto first = api("POST", "/api/v1/backoffice/asti/albo/pubblicazioni", key, body, idem);
    ASSERT_EQ(first.status, 201) << first.body;
    auto again = api("POST", "/api/v1/backoffice/asti/albo/pubblicazioni", key, body, idem);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(first).at("number"), json_of(again).at("number"));
    EXPECT_EQ(json_of(first).at("state").as_string(), "on_board");
    EXPECT_EQ(json_of(first).at("number_text").as_string().size(), 7u);
    auto conflict = api("POST", "/api/v1/backoffice/asti/albo/pubblicazioni", key,
                        body.substr(0, body.size() - 1) + ",\"requester\":\"x\"}", idem);
    EXPECT_EQ(conflict.status, 422);
    const std::string id(json_of(first).at("id").as_string());
    EXPECT_EQ(api("GET", "/api/v1/backoffice/asti/albo/pubblicazioni/" + id, key).status, 200);
    const auto novara_key = api_key(novara_, {"albo:write", "albo:read"});
    EXPECT_EQ(api("GET", "/api/v1/backoffice/asti/albo/pubblicazioni/" + id, novara_key).status, 403);
    EXPECT_EQ(api("GET", "/api/v1/backoffice/novara/albo/pubblicazioni/" + id, novara_key).status, 404);
    EXPECT_EQ(api("POST", "/api/v1/backoffice/asti/albo/pubblicazioni", novara_key, body).status, 403);
    const auto read_only = api_key(asti_, {"albo:read"});
    EXPECT_EQ(api("POST", "/api/v1/backoffice/asti/albo/pubblicazioni", read_only, body).status, 403);
  }

  // The staff home and the body's public home lead to the albo; the first number is offered only while
  // the year has no publication; the body's administrators edit its act types (not its other staff, not
  // another body's administrator).
  void links_first_number_and_act_types() {
    const auto op = operator_session();
    EXPECT_NE(get("/backoffice/", op).body.find("href=\"/backoffice/asti/albo\""), npos);
    EXPECT_NE(get("/asti/", "").body.find("href=\"/asti/albo\""), npos);
    const auto manager = manager_session();
    auto archive = get("/backoffice/asti/albo", manager);
    ASSERT_EQ(archive.status, 200);
    EXPECT_EQ(archive.body.find("/albo/numerazione"), npos) << "Asti has published this year";
    EXPECT_EQ(archive.body.find("id=\"link-types\""), npos) << "office managers do not edit the types";
    const auto novara = novara_session();
    auto novara_archive = get("/backoffice/novara/albo", novara);
    ASSERT_EQ(novara_archive.status, 200);
    EXPECT_NE(novara_archive.body.find("action=\"/backoffice/novara/albo/numerazione\""), npos)
        << "Novara has not published yet this year";
    EXPECT_NE(novara_archive.body.find("id=\"link-types\""), npos);

    EXPECT_EQ(get("/backoffice/asti/albo/tipi", op).status, 403);
    EXPECT_EQ(get("/backoffice/asti/albo/tipi", manager).status, 403);
    EXPECT_EQ(post_form("/backoffice/asti/albo/tipi", novara, "on_avviso=1&days_avviso=15").status, 403);
    const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
    auto types = get("/backoffice/asti/albo/tipi", admin);
    ASSERT_EQ(types.status, 200);
    EXPECT_NE(types.body.find("name=\"days_matrimonio\" value=\"8\""), npos);
    auto bad = post_form("/backoffice/asti/albo/tipi", admin, "on_avviso=1&days_avviso=0");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("id=\"error-summary\""), npos);
    auto saved = post_form("/backoffice/asti/albo/tipi", admin,
                           "on_avviso=1&days_avviso=20&on_ordinanza=1&days_ordinanza=15");
    ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 300);
    const auto list = app_->albo().act_types(asti_);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].code, "avviso");
    EXPECT_EQ(list[0].days, 20);
    auto form = get("/backoffice/asti/albo/nuova", op);
    EXPECT_NE(form.body.find("value=\"avviso\""), npos);
    EXPECT_EQ(form.body.find("value=\"delibera_giunta\""), npos) << "no longer on Asti's list";
    EXPECT_EQ(app_->albo().act_types(novara_).size(), national_act_types().size()) << "Novara's untouched";

    // A type of Asti's own: added in use, named in both languages, usable for publishing; a second one with
    // the same name, a blank or control-character name are refused with what was typed kept.
    auto added =
        post_form("/backoffice/asti/albo/tipi/nuovo", admin,
                  "name_it=Avviso+di+deposito+atti+espropriativi&name_en=Notice+of+expropriation+filing&"
                  "new_days=30&new_pd=1");
    ASSERT_EQ(added.status, 303) << added.body.substr(0, 300);
    const std::string code = "x_avviso_di_deposito_atti_espropriativi";
    auto types_after = get(header(added, "location"), admin);
    EXPECT_NE(types_after.body.find("id=\"type-added\""), npos);
    EXPECT_NE(types_after.body.find("name=\"days_" + code + "\" value=\"30\""), npos);
    const auto list_after = app_->albo().act_types(asti_);
    ASSERT_EQ(list_after.size(), 3u) << "the two chosen before and the new one";
    auto again = post_form("/backoffice/asti/albo/tipi/nuovo", admin,
                           "name_it=AVVISO+di+deposito+atti+espropriativi!&new_days=30");
    EXPECT_EQ(again.status, 400);
    EXPECT_NE(again.body.find("ha già un tipo di atto con questo nome"), npos);
    EXPECT_NE(again.body.find("value=\"AVVISO di deposito atti espropriativi!\""), npos) << "kept";
    EXPECT_EQ(post_form("/backoffice/asti/albo/tipi/nuovo", admin, "name_it=++&new_days=15").status, 400);
    EXPECT_EQ(post_form("/backoffice/asti/albo/tipi/nuovo", admin, "name_it=A%0Db&new_days=15").status, 400);
    EXPECT_EQ(post_form("/backoffice/asti/albo/tipi/nuovo", novara, "name_it=Altro+tipo&new_days=15").status,
              403);
    EXPECT_EQ(post_form("/backoffice/asti/albo/tipi/nuovo", op, "name_it=Altro+tipo&new_days=15").status,
              403);

    Publishing p;
    p.publication.act_type = code;
    p.publication.office = "Ufficio espropri";
    p.publication.responsible = "Arch. Laura Bosco";
    p.publication.subject = "Deposito degli atti per l'esproprio di via Brofferio";
    p.publication.personal_data_confirmed = true;
    p.documents.push_back({DocumentRole::act, "deposito.pdf", pdf_saying("Deposito"), "document"});
    auto r = app_->albo().publish(SystemActor{"test"}, asti_, p);
    ASSERT_TRUE(r.ok() && r->published) << (r.ok() ? "" : r.error().code);
    auto board = get("/asti/albo", "");
    EXPECT_NE(board.body.find("Avviso di deposito atti espropriativi"), npos);
    EXPECT_NE(get("/asti/albo?tipo=" + code, "").body.find("via Brofferio"), npos);
    EXPECT_NE(get("/asti/albo?lang=en", "").body.find("Notice of expropriation filing"), npos);
    EXPECT_NE(get("/asti/albo/feed.rss", "").body.find("Avviso di deposito atti espropriativi"), npos);
    // Another body cannot publish under Asti's type, nor read its name through one of its own acts.
    p.publication.subject = "Atto di Novara";
    auto other = app_->albo().publish(SystemActor{"test"}, novara_, p);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, "albo.act_type");
    EXPECT_EQ(app_->albo().type_name(novara_, "it", code), code);
  }
};

// Two tests, each on one application (its start, with the demo data, is most of the cost).
TEST_P(AlboWebTest, ThePublicBoardSearchPublicationFeedsAndThePeriodEndedPage) {
  board_search_publication_feeds();
  expired_publication();
}

TEST_P(AlboWebTest, TheStaffFormWithThePersonalDataWarningAnnulmentAndTheApi) {
  staff_form_and_annulment();
  api_idempotency();
  links_first_number_and_act_types();  // last: it changes Asti's act types
}

INSTANTIATE_TEST_SUITE_P(Databases, AlboWebTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         protocollo::webtest::dialect_name);

}  // namespace
}  // namespace sp::albo::webtest
