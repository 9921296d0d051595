// Form definitions in the database and the body administrator's form editor (issue 5), through the whole
// program on SQLite and PostgreSQL: loading data/forms is idempotent and versions a changed file; Asti's
// administrator relabels a field and adds one, Asti's citizens see them and Novara's do not; removals and
// rule changes are refused with nothing stored; an operator cannot save and another body's staff cannot
// reach the pages; a draft started before a change still submits and its receipt keeps its version.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/applications/app_fixture.hpp"
#include "support/staff_sign_in.hpp"

namespace sp::applications::webtest {
namespace {

constexpr const char* kForm = "iscrizione-scuola-primaria";

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

class FormsAdminTest : public AppTest {
 protected:
  std::string staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }
  std::string asti_admin() { return staff("admin@asti.example", "Asti-admin-2026!"); }
  std::shared_ptr<const identity::Principal> principal(const std::string& token) {
    return sessions_->resume(token);
  }

  std::int64_t overlays(tenants::TenantId tenant) {
    return count("SELECT COUNT(*) FROM form_overlays WHERE tenant_id = $1 AND form_code = $2",
                 {tenant, std::string(kForm)});
  }
  std::string edit_url() const { return std::string("/backoffice/asti/moduli/") + kForm; }

  // Asti's administrator relabels "canteen" and adds a text field after it, as the edit page posts.
  http::Response relabel_and_add(const std::string& admin, const std::string& based_on) {
    return post_form(edit_url(), admin,
                     {{"form_page", "1"},
                      {"based_on", based_on},
                      {"label.it:canteen", "Mensa comunale (a domanda)"},
                      {"label.en:canteen", "Municipal school meals (on request)"},
                      {"new.after", "canteen"},
                      {"new.type", "text"},
                      {"new.label.it", "Classe preferita"},
                      {"new.label.en", "Preferred class"},
                      {"azione", "salva"}});
  }
};

TEST_P(FormsAdminTest, LoadingIsIdempotentAndAChangedFileIsANewVersion) {
  auto& defs = app_->definitions();
  // One definition per file of data/forms, however many the catalog has today.
  const auto files = static_cast<std::int64_t>(
      std::count_if(std::filesystem::directory_iterator(sp::testing::source_dir() + "/data/forms"), {},
                    [](const auto& e) { return e.path().extension() == ".json"; }));
  ASSERT_GT(files, 16);
  EXPECT_EQ(static_cast<std::int64_t>(defs.codes().size()), files);
  EXPECT_EQ(count("SELECT COUNT(*) FROM form_definitions", {}), files);
  // What every restart does: the same files store nothing.
  auto again = defs.load_dir(sp::testing::source_dir() + "/data/forms");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files, files);
  EXPECT_TRUE(again->new_versions.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM form_definitions", {}), files);

  // A changed file is a new version; the old one stays readable for what was filled with it.
  sp::testing::TempDir dir;
  const std::string original = read_text(sp::testing::source_dir() + "/data/forms/permesso-ztl.json");
  std::string changed = original;
  changed.replace(changed.find("Permesso di accesso alla ZTL"), 28, "Permesso ZTL (nuovo testo)");
  write_text(dir.path() / "permesso-ztl.json", changed);
  auto loaded = defs.load_dir(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
  EXPECT_EQ(loaded->new_versions, std::vector<std::string>{"permesso-ztl v2"});
  EXPECT_EQ(defs.hub("permesso-ztl")->version, 2);
  EXPECT_EQ(defs.hub("permesso-ztl")->title.it, "Permesso ZTL (nuovo testo)");
  EXPECT_EQ(defs.at(asti_, "permesso-ztl", 1, 0)->title.it, "Permesso di accesso alla ZTL");
  EXPECT_TRUE(defs.load_dir(dir.path())->new_versions.empty());
  // A file that says a higher version keeps its number; going back to old bytes is a change too.
  std::string v5 = changed;
  v5.replace(v5.find("\"version\": 1"), 12, "\"version\": 5");
  write_text(dir.path() / "permesso-ztl.json", v5);
  EXPECT_EQ(defs.load_dir(dir.path())->new_versions, std::vector<std::string>{"permesso-ztl v5"});
  write_text(dir.path() / "permesso-ztl.json", original);
  EXPECT_EQ(defs.load_dir(dir.path())->new_versions, std::vector<std::string>{"permesso-ztl v6"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM form_definitions WHERE code = $1", {std::string("permesso-ztl")}), 4);
  // A broken file stops the load before anything is stored.
  write_text(dir.path() / "permesso-ztl.json", "{\"code\": \"permesso-ztl\"}");
  auto broken = defs.load_dir(dir.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "forms.schema");
  EXPECT_EQ(count("SELECT COUNT(*) FROM form_definitions WHERE code = $1", {std::string("permesso-ztl")}), 4);
}

TEST_P(FormsAdminTest, AnAdministratorsChangesShowOnlyInTheirBodysFormAndEveryVersionIsKept) {
  const auto admin = asti_admin();
  auto list = get("/backoffice/asti/moduli", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(has(list.body, std::string("data-code=\"") + kForm + "\""));
  EXPECT_TRUE(has(get("/backoffice/", admin).body, "href=\"/backoffice/moduli\""));  // staff home link
  auto page = get(edit_url(), admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, "name=\"label.it:canteen\""));
  EXPECT_TRUE(has(page.body, "Scuola primaria G. Rodari"));  // the demo list, in its textarea and the preview
  EXPECT_TRUE(has(page.body, "id=\"preview\""));
  EXPECT_EQ(overlays(asti_), 1);  // the demo's list of schools

  auto saved = relabel_and_add(admin, "1");
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 3000);
  EXPECT_EQ(location(saved), edit_url() + "?salvato=2#h-versions");
  EXPECT_EQ(overlays(asti_), 2);

  // Asti's citizens see the new label and field, in both languages; Novara's form is the hub's.
  const auto s = anna();
  const std::string asti_base = start_draft(s);
  auto step = get(asti_base + "/passo/3", s);
  ASSERT_EQ(step.status, 200);
  EXPECT_TRUE(has(step.body, "Mensa comunale (a domanda)"));
  EXPECT_TRUE(has(step.body, "name=\"classe_preferita\""));
  EXPECT_TRUE(has(get(asti_base + "/passo/3", s, "en").body, "Preferred class"));
  const std::string novara_base = start_draft(s, "novara");
  auto novara = get(novara_base + "/passo/3", s);
  ASSERT_EQ(novara.status, 200);
  EXPECT_FALSE(has(novara.body, "classe_preferita"));
  EXPECT_FALSE(has(novara.body, "Mensa comunale (a domanda)"));

  // The street list: imported by the administrator, suggested in the address fields of Asti's forms.
  auto streets =
      post_form("/backoffice/asti/stradario", admin, {{"streets", "codice;nome\nX1;Via dei Test Nuova"}});
  ASSERT_EQ(streets.status, 303) << streets.body.substr(0, 2000);
  auto step1 = get(asti_base + "/passo/1", s);
  EXPECT_TRUE(has(step1.body, "<option value=\"Via dei Test Nuova\">"));
  EXPECT_TRUE(has(step1.body, "list=\"f-applicant_residence-streets\""));
  EXPECT_FALSE(has(get(novara_base + "/passo/1", s).body, "Via dei Test Nuova"));

  // Going back to the demo's version saves it again: three versions, the first change gone.
  auto restored =
      post_form(edit_url(), admin, {{"azione", "ripristina"}, {"versione", "1"}, {"based_on", "2"}});
  ASSERT_EQ(restored.status, 303) << restored.body.substr(0, 3000);
  EXPECT_EQ(overlays(asti_), 3);
  EXPECT_EQ(
      count("SELECT restored_from FROM form_overlays WHERE tenant_id = $1 AND form_code = $2 AND version = 3",
            {asti_, std::string(kForm)}),
      1);
  EXPECT_FALSE(has(get(asti_base + "/passo/3", s).body, "classe_preferita"));
  auto history = get(edit_url(), admin);
  for (const char* v : {"1", "2", "3"})
    EXPECT_TRUE(has(history.body, std::string("data-version=\"") + v + "\""));
}

TEST_P(FormsAdminTest, ForbiddenChangesOperatorsAndOtherBodiesAreRefusedWithNothingStored) {
  const auto admin = asti_admin();
  auto who = principal(admin);
  ASSERT_TRUE(who);
  auto& defs = app_->definitions();
  const auto hub = defs.hub(kForm);
  ASSERT_TRUE(hub);
  // A hub field removed, a hub field's type changed, a hub field redefined: forms.overlay.
  auto without_canteen = hub->source;
  for (auto& st : without_canteen["steps"].as_array())
    for (auto& sec : st.as_object()["sections"].as_array()) {
      auto& fields = sec.as_object()["fields"].as_array();
      for (auto it = fields.begin(); it != fields.end(); ++it)
        if (it->as_object()["name"].as_string() == "canteen") {
          fields.erase(it);
          break;
        }
    }
  auto removed = defs.save_edited(who.get(), asti_, kForm, without_canteen, 1);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, "forms.overlay");
  EXPECT_TRUE(has(removed.error().detail, "canteen")) << removed.error().detail;
  auto retyped = hub->source;
  for (auto& st : retyped["steps"].as_array())
    for (auto& sec : st.as_object()["sections"].as_array())
      for (auto& f : sec.as_object()["fields"].as_array())
        if (f.as_object()["name"].as_string() == "canteen") f.as_object()["type"] = "text";
  auto type_changed = defs.save_edited(who.get(), asti_, kForm, retyped, 1);
  ASSERT_FALSE(type_changed.ok());
  EXPECT_EQ(type_changed.error().code, "forms.overlay");
  auto redefined = defs.save_overlay(
      who.get(), asti_, kForm,
      boost::json::parse(R"({"fields": [{"after": "canteen", "field": {"name": "canteen", "type": "text",
                            "label": {"it": "Mensa", "en": "Meals"}}}]})")
          .as_object(),
      1);
  ASSERT_FALSE(redefined.ok());
  EXPECT_EQ(redefined.error().code, "forms.overlay");
  EXPECT_EQ(overlays(asti_), 1);

  // On the page: a refused save keeps everything typed and says why, in the reader's language.
  auto refused = post_form(edit_url(), admin,
                           {{"form_page", "1"},
                            {"based_on", "1"},
                            {"label.it:canteen", "Mensa del Comune"},
                            {"new.after", "canteen"},
                            {"new.type", "choice"},
                            {"new.label.it", "Turno preferito"},
                            {"new.options", ""},
                            {"azione", "salva"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_TRUE(has(refused.body, "data-code=\"forms.overlay\""));
  EXPECT_TRUE(has(refused.body, "almeno una voce"));
  EXPECT_TRUE(has(refused.body, "href=\"#fa-new-options\""));  // the message links to the input at fault
  EXPECT_TRUE(has(refused.body, "value=\"Mensa del Comune\""));
  EXPECT_TRUE(has(refused.body, "value=\"Turno preferito\""));
  // A page shown before someone else saved: refused, not silently overwritten.
  auto stale = relabel_and_add(admin, "0");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(overlays(asti_), 1);

  // An office operator reads but cannot save (page or service); nor import streets.
  const auto op = staff("operatore@asti.example", "Asti-operatore-2026!");
  auto view = get(edit_url(), op);
  EXPECT_EQ(view.status, 200);
  EXPECT_FALSE(has(view.body, "id=\"overlay-save\""));
  EXPECT_EQ(relabel_and_add(op, "1").status, 403);
  EXPECT_EQ(post_form("/backoffice/asti/stradario", op, {{"streets", "Via Roma"}}).status, 403);
  auto op_save = defs.save_overlay(principal(op).get(), asti_, kForm, boost::json::object{}, 1);
  ASSERT_FALSE(op_save.ok());
  EXPECT_EQ(op_save.error().code, "forbidden");

  // Novara's administrator: refused on every one of Asti's routes, and by the service.
  const auto novara_admin = staff("admin@novara.example", "Novara-admin-2026!");
  for (const std::string& path :
       {std::string("/backoffice/asti/moduli"), edit_url(), std::string("/backoffice/asti/stradario")}) {
    const int st = get(path, novara_admin).status;
    EXPECT_TRUE(st == 403 || st == 404) << path << " " << st;
  }
  EXPECT_EQ(relabel_and_add(novara_admin, "1").status, 403);
  EXPECT_EQ(post_form("/backoffice/asti/stradario", novara_admin, {{"streets", "Via Roma"}}).status, 403);
  auto cross = defs.save_overlay(principal(novara_admin).get(), asti_, kForm, boost::json::object{}, 1);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, "forbidden");
  auto cross_history = defs.history(principal(novara_admin).get(), asti_, kForm);
  EXPECT_FALSE(cross_history.ok());
  EXPECT_EQ(overlays(asti_), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_streets WHERE tenant_id = $1", {asti_}), 18);  // the demo's
}

TEST_P(FormsAdminTest, ADraftStartedBeforeAChangeStillSubmitsAndItsReceiptKeepsItsVersion) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  ASSERT_EQ(post_form(base + "/passo/2", s, children_step()).status, 303);
  auto before = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(before);
  EXPECT_EQ(before->form_version, 1);
  EXPECT_EQ(before->overlay_version, 1);

  const auto admin = asti_admin();
  ASSERT_EQ(relabel_and_add(admin, "1").status, 303);  // version 2, while Anna is halfway
  ASSERT_EQ(post_form(base + "/passo/3", s, school_step()).status, 303);
  ASSERT_EQ(location(post_form(base + "/passo/4", s, declarations_step())), base + "/riepilogo");
  ASSERT_EQ(location(post_form(base + "/invia", s, {})), base + "/ricevuta");
  auto sent = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(sent && sent->submitted());
  EXPECT_EQ(sent->form_version, 1);
  EXPECT_EQ(sent->overlay_version, 2);
  EXPECT_TRUE(has(get(base + "/ricevuta", s).body, "Mensa comunale (a domanda)"));

  // A later change does not rewrite what was sent.
  auto later = post_form(edit_url(), admin,
                         {{"form_page", "1"},
                          {"based_on", "2"},
                          {"label.it:canteen", "Refezione scolastica"},
                          {"azione", "salva"}});
  ASSERT_EQ(later.status, 303) << later.body.substr(0, 2000);
  auto receipt = get(base + "/ricevuta", s);
  ASSERT_EQ(receipt.status, 200);
  EXPECT_TRUE(has(receipt.body, "Mensa comunale (a domanda)"));
  EXPECT_FALSE(has(receipt.body, "Refezione scolastica"));
  EXPECT_TRUE(has(get(start_draft(s) + "/passo/3", s).body, "Refezione scolastica"));  // a new draft: v3
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, FormsAdminTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::applications::webtest
