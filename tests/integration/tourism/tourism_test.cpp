// Tourist information (src/tourism, docs/tourism.md) through the whole application on SQLite and
// PostgreSQL, without sockets, one application per database: a body's event written by its operator,
// submitted, sent back by the hub's editor with a reason, resubmitted and published; until then it is in
// no feed, page or widget; once published it is in the JSON Feed, in a structurally valid Atom feed, on
// the portal and in the widget, whose frame-ancestors lists only the body's own origins (set by its
// administrator, validated); another body's staff can neither read nor change it; an edit takes it off
// again; the history is append-only and the audit chain intact.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pugixml.hpp>
#include <regex>

#include "../../unit/files/samples.hpp"
#include "app/app.hpp"
#include "audit/service.hpp"
#include "identity/session_service.hpp"
#include "support/demo_database.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"
#include "tourism/service.hpp"

namespace {

namespace json = boost::json;
using sp::identity::NewSession;

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += k + '=' + sp::text::percent_encode(v);
  }
  return out;
}

class TourismTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;
    config.sim_anpr = false;
    config.share_dir = sp::testing::source_dir();
    config.keys_dir = (files_->path() / "keys").string();
    config.oidc_rp_key_file = (files_->path() / "rp.pem").string();
    config.access_log = false;
    config.public_url = "https://sportello.example";
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
  }

  struct Who {
    std::string token;
    std::string csrf;
  };
  Who staff(const std::string& email, const std::string& password) {
    auto ns = app_->staff().sign_in(email, password, "");
    EXPECT_TRUE(ns.ok()) << email;
    auto s = sessions_->start(*ns);
    return {s.token, s.csrf_token};
  }

  sp::http::Response call(const std::string& method, const std::string& path, const Who& who = {},
                          std::vector<std::pair<std::string, std::string>> fields = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    if (!who.token.empty()) req.headers.emplace_back("cookie", "sp_session=" + who.token);
    if (method == "POST") {
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      fields.insert(fields.begin(), {"_csrf", who.csrf});
      req.body = form_encode(fields);
    }
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  // The editing form with a picture (multipart), as the browser sends it.
  sp::http::Response call_multipart(const std::string& path, const Who& who,
                                    std::vector<std::pair<std::string, std::string>> fields,
                                    const std::string& file_name, const std::string& bytes) {
    const std::string boundary = "----sportelloTourismBoundary";
    std::string body;
    fields.insert(fields.begin(), {"_csrf", who.csrf});
    for (const auto& [k, v] : fields)
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + file_name +
            "\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    sp::http::Request req;
    req.method = "POST";
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + who.token);
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.body = body;
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  std::string image_of(const std::string& id) {
    std::string v;
    app_->database().read([&](sp::db::Conn& c) {
      auto r = c.query_one("SELECT image_file_id FROM tourism_items WHERE id = $1", {id});
      if (r && !r->is_null(0)) v = r->text(0);
    });
    return v;
  }

  static std::string header(const sp::http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
  static bool has_header(const sp::http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return true;
    return false;
  }
  std::int64_t version(const std::string& id) {
    std::int64_t v = 0;
    app_->database().read([&](sp::db::Conn& c) {
      v = c.query_one("SELECT version FROM tourism_items WHERE id = $1", {id})->i64(0);
    });
    return v;
  }

  // Where the item shows to anyone: the JSON feed, the Atom feed, its page, the widget and the snippet.
  struct Seen {
    bool json = false, atom = false, page = false, widget = false, snippet = false, hub = false;
  };
  Seen seen(const std::string& id) {
    Seen s;
    auto j = call("GET", "/asti/turismo/feed.json");
    EXPECT_EQ(j.status, 200);
    auto feed = json::parse(j.body).as_object();
    for (const auto& it : feed.at("items").as_array())
      if (it.as_object().at("id").as_string() == "urn:uuid:" + id) s.json = true;
    auto a = call("GET", "/asti/turismo/feed.atom");
    EXPECT_EQ(a.status, 200);
    s.atom = a.body.find("urn:uuid:" + id) != std::string::npos;
    s.page = call("GET", "/asti/turismo/" + id).status == 200;
    s.widget = call("GET", "/asti/turismo/widget").body.find(id) != std::string::npos;
    s.snippet = call("GET", "/asti/turismo/widget.html").body.find(id) != std::string::npos;
    s.hub = call("GET", "/turismo?tipo=event").body.find(id) != std::string::npos;
    return s;
  }

  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
};

// Atom (RFC 4287) without a schema: the elements every feed and entry must have, RFC 3339 dates, one
// self link, and an author for the feed (so that entries may omit theirs).
void expect_valid_atom(const std::string& xml) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml.substr(0, 200);
  auto feed = doc.child("feed");
  ASSERT_TRUE(feed);
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
  for (const char* required : {"id", "title", "updated"})
    EXPECT_FALSE(std::string(feed.child(required).text().get()).empty()) << required;
  EXPECT_TRUE(std::regex_match(std::string(feed.child("updated").text().get()), rfc3339));
  EXPECT_TRUE(feed.child("author").child("name"));
  int self = 0;
  for (auto l : feed.children("link"))
    if (std::string(l.attribute("rel").value()) == "self") ++self;
  EXPECT_EQ(self, 1);
  for (auto e : feed.children("entry")) {
    for (const char* required : {"id", "title", "updated"})
      EXPECT_FALSE(std::string(e.child(required).text().get()).empty()) << required;
    EXPECT_TRUE(std::regex_match(std::string(e.child("updated").text().get()), rfc3339));
    EXPECT_TRUE(std::regex_match(std::string(e.child("published").text().get()), rfc3339));
    EXPECT_EQ(std::string(e.child("id").text().get()).rfind("urn:uuid:", 0), 0u);
    EXPECT_TRUE(e.child("link").attribute("href"));
  }
}

TEST_P(TourismTest, ReviewedEventsReachTheFeedsAndTheWidgetOnlyWhenPublished) {
  const auto operator_ = staff("operatore@asti.example", "Asti-operatore-2026!");
  const auto asti_admin = staff("admin@asti.example", "Asti-admin-2026!");
  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  const auto editor = staff("redazione@pes.example", "Polo-redazione-2026!");
  const auto hub_admin = staff("admin@pes.example", "Polo-demo-2026!");

  // A refused form keeps what was typed and says what is wrong, in the user's language.
  auto bad = call("POST", "/backoffice/asti/turismo/nuovo", operator_,
                  {{"kind", "event"},
                   {"name", "Palio di Asti"},
                   {"description_it", "La corsa."},
                   {"category", "festival"},
                   {"starts_on", "2026-09-06"},
                   {"ends_on", "2026-09-01"},
                   {"latitude", "44,9"},
                   {"longitude", "8,2"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("l&apos;ultimo non può precederlo"), std::string::npos) << bad.body.substr(0, 300);
  EXPECT_NE(bad.body.find("Palio di Asti"), std::string::npos);

  auto made = call("POST", "/backoffice/asti/turismo/nuovo", operator_,
                   {{"kind", "event"},
                    {"name", "Palio di Asti"},
                    {"description_it", "La corsa dei cavalli in piazza Alfieri."},
                    {"description_en", "The horse race in Piazza Alfieri."},
                    {"category", "festival"},
                    {"address", "Piazza Alfieri, Asti"},
                    {"latitude", "44,9007"},
                    {"longitude", "8.2064"},
                    {"starts_on", "2099-09-04"},
                    {"ends_on", "2099-09-06"}});
  ASSERT_EQ(made.status, 303) << made.body.substr(0, 400);
  const auto loc = header(made, "location");
  const std::string id = loc.substr(loc.rfind('/') + 1, loc.find('?') - loc.rfind('/') - 1);
  ASSERT_EQ(id.size(), 36u) << loc;

  auto none = seen(id);
  EXPECT_FALSE(none.json || none.atom || none.page || none.widget || none.snippet || none.hub);

  // A picture: only JPEG, PNG or WebP (an SVG with a script is refused), and never without its
  // alternative text; the browser's file name is kept nowhere.
  const std::string png = sp::files::testing::png();
  const std::vector<std::pair<std::string, std::string>> event_fields = {
      {"kind", "event"},
      {"name", "Palio di Asti"},
      {"description_it", "La corsa dei cavalli in piazza Alfieri."},
      {"description_en", "The horse race in Piazza Alfieri."},
      {"category", "festival"},
      {"address", "Piazza Alfieri, Asti"},
      {"latitude", "44,9007"},
      {"longitude", "8.2064"},
      {"starts_on", "2099-09-04"},
      {"ends_on", "2099-09-06"},
      {"version", "1"}};
  auto no_alt = call_multipart("/backoffice/asti/turismo/" + id, operator_, event_fields, "palio.png", png);
  EXPECT_EQ(no_alt.status, 400);
  EXPECT_NE(no_alt.body.find("testo alternativo"), std::string::npos);
  EXPECT_NE(no_alt.body.find("La corsa dei cavalli"), std::string::npos) << "what was typed is kept";
  auto with_alt = event_fields;
  with_alt.emplace_back("image_alt", "I cavalli in piazza Alfieri");
  auto svg = call_multipart("/backoffice/asti/turismo/" + id, operator_, with_alt, "palio.png",
                            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
  EXPECT_EQ(svg.status, 415);
  ASSERT_EQ(
      call_multipart("/backoffice/asti/turismo/" + id, operator_, with_alt, "<b>palio</b>.png", png).status,
      303);
  const std::string file = image_of(id);
  ASSERT_FALSE(file.empty());
  const std::string picture = "/immagine/" + file;
  auto staff_view = call("GET", "/backoffice/asti/turismo/" + id, operator_);
  EXPECT_NE(staff_view.body.find("/backoffice/asti/turismo/" + id + picture), std::string::npos);
  EXPECT_EQ(staff_view.body.find("<b>palio</b>"), std::string::npos);
  EXPECT_EQ(staff_view.body.find("&lt;b&gt;palio"), std::string::npos);
  auto staff_image = call("GET", "/backoffice/asti/turismo/" + id + picture, operator_);
  EXPECT_EQ(staff_image.status, 200);
  EXPECT_EQ(staff_image.content_type, "image/png");
  EXPECT_EQ(staff_image.body, png);
  EXPECT_EQ(call("GET", "/backoffice/asti/turismo/" + id + picture, novara).status, 403);
  EXPECT_EQ(call("GET", "/backoffice/novara/turismo/" + id + picture, novara).status, 404);
  EXPECT_EQ(call("GET", "/asti/turismo/" + id + picture).status, 404) << "not published yet";

  // Another body's staff: not through Asti's URLs (refused), not under their own (not found).
  EXPECT_EQ(call("GET", "/backoffice/asti/turismo/" + id, novara).status, 403);
  EXPECT_EQ(call("POST", "/backoffice/asti/turismo/" + id, novara,
                 {{"kind", "event"},
                  {"name", "Preso"},
                  {"description_it", "x"},
                  {"category", "other"},
                  {"starts_on", "2099-01-01"},
                  {"version", "1"}})
                .status,
            403);
  EXPECT_EQ(call("GET", "/backoffice/novara/turismo/" + id, novara).status, 404);
  EXPECT_EQ(call("POST", "/backoffice/novara/turismo/" + id + "/invia", novara, {{"version", "1"}}).status,
            404);
  // ... nor does an operator review, nor the hub's administrator: the hub's editors do (a role of their own).
  EXPECT_EQ(call("GET", "/backoffice/revisione-turismo", operator_).status, 403);
  EXPECT_EQ(call("GET", "/backoffice/revisione-turismo", hub_admin).status, 403);

  ASSERT_EQ(call("POST", "/backoffice/asti/turismo/" + id + "/invia", operator_,
                 {{"version", std::to_string(version(id))}})
                .status,
            303);
  auto submitted = seen(id);
  EXPECT_FALSE(submitted.json || submitted.atom || submitted.page || submitted.widget);
  // Under review it cannot be changed.
  EXPECT_EQ(call("POST", "/backoffice/asti/turismo/" + id, operator_,
                 {{"kind", "event"},
                  {"name", "Palio"},
                  {"description_it", "x"},
                  {"category", "festival"},
                  {"starts_on", "2099-09-04"},
                  {"version", std::to_string(version(id))}})
                .status,
            409);

  // The editor: sending back needs a reason; with one, the body sees it in the history.
  auto queue = call("GET", "/backoffice/revisione-turismo", editor);
  EXPECT_EQ(queue.status, 200);
  EXPECT_NE(queue.body.find("Palio di Asti"), std::string::npos);
  // The editor sees the picture and its text before publishing it.
  EXPECT_NE(queue.body.find("I cavalli in piazza Alfieri"), std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/revisione-turismo/asti/" + id + picture, editor).status, 200);
  EXPECT_EQ(call("GET", "/backoffice/revisione-turismo/asti/" + id + picture, operator_).status, 403);
  const std::string review = "/backoffice/revisione-turismo/asti/" + id;
  auto no_reason =
      call("POST", review, editor, {{"decision", "return"}, {"version", std::to_string(version(id))}});
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(no_reason.body.find("Scrivi le osservazioni"), std::string::npos);
  ASSERT_EQ(
      call("POST", review, editor,
           {{"decision", "return"}, {"reason", "Manca l'orario"}, {"version", std::to_string(version(id))}})
          .status,
      303);
  EXPECT_EQ(call("POST", "/backoffice/revisione-turismo/novara/" + id, editor,
                 {{"decision", "publish"}, {"version", std::to_string(version(id))}})
                .status,
            404);  // Asti's item is not Novara's
  auto returned = call("GET", "/backoffice/asti/turismo/" + id, operator_);
  EXPECT_NE(returned.body.find("Manca l&apos;orario"), std::string::npos);
  EXPECT_FALSE(seen(id).json);

  ASSERT_EQ(call("POST", "/backoffice/asti/turismo/" + id + "/invia", operator_,
                 {{"version", std::to_string(version(id))}})
                .status,
            303);
  // The second review shows the editor the first one (the history, with the reason given).
  EXPECT_NE(call("GET", "/backoffice/revisione-turismo", editor).body.find("Manca l&apos;orario"),
            std::string::npos);
  // A body's own staff cannot publish their item, on their URL or the editors'.
  EXPECT_EQ(
      call("POST", review, asti_admin, {{"decision", "publish"}, {"version", std::to_string(version(id))}})
          .status,
      403);
  EXPECT_EQ(
      call("POST", review, hub_admin, {{"decision", "publish"}, {"version", std::to_string(version(id))}})
          .status,
      403);
  ASSERT_EQ(call("POST", review, editor, {{"decision", "publish"}, {"version", std::to_string(version(id))}})
                .status,
            303);

  auto published = seen(id);
  EXPECT_TRUE(published.json);
  EXPECT_TRUE(published.atom);
  EXPECT_TRUE(published.page);
  EXPECT_TRUE(published.widget);
  EXPECT_TRUE(published.snippet);
  EXPECT_TRUE(published.hub);
  // The JSON Feed carries what a tourism site needs.
  auto feed = json::parse(call("GET", "/asti/turismo/feed.json").body).as_object();
  EXPECT_EQ(feed.at("version").as_string(), "https://jsonfeed.org/version/1.1");
  const auto& item = feed.at("items").as_array().at(0).as_object();
  EXPECT_EQ(item.at("url").as_string(), "https://sportello.example/asti/turismo/" + id);
  const auto& ext = item.at("_sportello_tourism").as_object();
  EXPECT_EQ(ext.at("starts_on").as_string(), "2099-09-04");
  EXPECT_EQ(ext.at("ends_on").as_string(), "2099-09-06");
  EXPECT_DOUBLE_EQ(ext.at("latitude").as_double(), 44.9007);
  EXPECT_EQ(ext.at("description_en").as_string(), "The horse race in Piazza Alfieri.");
  // The picture: in the feeds (absolute), on the portal's page and in the widget, with its text.
  EXPECT_EQ(item.at("image").as_string(), "https://sportello.example/asti/turismo/" + id + picture);
  EXPECT_EQ(ext.at("image_alt").as_string(), "I cavalli in piazza Alfieri");
  EXPECT_NE(call("GET", "/asti/turismo/feed.atom").body.find("rel=\"enclosure\""), std::string::npos);
  EXPECT_NE(call("GET", "/asti/turismo/" + id).body.find("alt=\"I cavalli in piazza Alfieri\""),
            std::string::npos);
  EXPECT_NE(
      call("GET", "/asti/turismo/widget").body.find("https://sportello.example/asti/turismo/" + id + picture),
      std::string::npos);
  auto public_image = call("GET", "/asti/turismo/" + id + picture);
  EXPECT_EQ(public_image.status, 200);
  EXPECT_EQ(public_image.body, png);
  EXPECT_EQ(header(public_image, "x-content-type-options"), "nosniff");
  EXPECT_EQ(call("GET", "/asti/turismo/" + id + "/immagine/" + std::string(36, '0')).status, 404);
  EXPECT_EQ(call("GET", "/novara/turismo/" + id + picture).status, 404);
  auto atom = call("GET", "/asti/turismo/feed.atom");
  EXPECT_EQ(atom.content_type, "application/atom+xml; charset=utf-8");
  expect_valid_atom(atom.body);
  EXPECT_NE(atom.body.find("<georss:point>44.9007 8.2064</georss:point>"), std::string::npos);
  expect_valid_atom(call("GET", "/turismo/feed.atom").body);
  // The English page shows the English text.
  EXPECT_NE(call("GET", "/asti/turismo/" + id + "?lang=en").body.find("The horse race"), std::string::npos);
  // Filters: another body, another category, dates before the event.
  EXPECT_EQ(call("GET", "/turismo/feed.json?ente=novara").body.find(id), std::string::npos);
  EXPECT_EQ(call("GET", "/turismo/feed.json?categoria=sport").body.find(id), std::string::npos);
  EXPECT_EQ(call("GET", "/turismo/feed.json?al=2099-09-03").body.find(id), std::string::npos);
  EXPECT_NE(call("GET", "/turismo/feed.json?dal=2099-09-06&categoria=festival").body.find(id),
            std::string::npos);

  // The widget: framed by nobody until the administrator names the body's sites; then by those only.
  auto w = call("GET", "/asti/turismo/widget");
  EXPECT_NE(header(w, "content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(header(w, "content-security-policy").find("script-src"), std::string::npos);
  auto refused = call("POST", "/backoffice/asti/turismo-widget", asti_admin,
                      {{"widget_origins", "https://www.comune.asti.it\nhttps://evil.example/asti"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("https://evil.example/asti"), std::string::npos);  // named, and kept
  EXPECT_EQ(call("POST", "/backoffice/asti/turismo-widget", operator_,
                 {{"widget_origins", "https://www.comune.asti.it"}})
                .status,
            403);
  EXPECT_EQ(
      call("POST", "/backoffice/asti/turismo-widget", novara, {{"widget_origins", "https://novara.example"}})
          .status,
      403);
  ASSERT_EQ(call("POST", "/backoffice/asti/turismo-widget", asti_admin,
                 {{"widget_origins", "https://www.comune.asti.it/, HTTPS://Turismo.Asti.it"}})
                .status,
            303);
  w = call("GET", "/asti/turismo/widget");
  const auto csp = header(w, "content-security-policy");
  EXPECT_NE(csp.find("frame-ancestors https://www.comune.asti.it https://turismo.asti.it"), std::string::npos)
      << csp;
  EXPECT_FALSE(has_header(w, "x-frame-options"));
  // Novara's widget keeps its own (none), and the portal's pages still refuse every frame.
  EXPECT_NE(
      header(call("GET", "/novara/turismo/widget"), "content-security-policy").find("frame-ancestors 'none'"),
      std::string::npos);
  EXPECT_EQ(header(call("GET", "/asti/turismo"), "x-frame-options"), "DENY");

  // An edit of the published event takes it off until it is published again.
  ASSERT_EQ(call("POST", "/backoffice/asti/turismo/" + id, operator_,
                 {{"kind", "event"},
                  {"name", "Palio di Asti 2099"},
                  {"description_it", "La corsa."},
                  {"category", "festival"},
                  {"starts_on", "2099-09-04"},
                  {"image_alt", "I cavalli in piazza Alfieri"},
                  {"version", std::to_string(version(id))}})
                .status,
            303);
  auto edited = seen(id);
  EXPECT_FALSE(edited.json || edited.atom || edited.page || edited.widget);

  // The history: append-only, every step; the audit chain intact.
  std::int64_t steps = 0;
  app_->database().read([&](sp::db::Conn& c) {
    steps = c.query_one("SELECT COUNT(*) FROM tourism_item_history WHERE item_id = $1", {id})->i64(0);
  });
  EXPECT_EQ(steps, 7);  // save, save (the picture), submit, return, submit, publish, save
  EXPECT_ANY_THROW(app_->database().write(
      [&](sp::db::Conn& tx) { tx.exec("DELETE FROM tourism_item_history WHERE item_id = $1", {id}); }));
  sp::audit::AuditService audit(app_->database());
  sp::tenants::TenantService tenants(app_->database());
  tenants.reload();
  EXPECT_TRUE(audit.verify(tenants.by_slug("asti")->id).intact);
}

// The rules without a database: the widget's origins and the item's fields.
TEST(TourismRules, WidgetOriginsAreSchemeHostAndPortOnly) {
  using sp::tourism::TourismService;
  auto ok = TourismService::parse_origins(
      " https://www.comune.asti.it/,HTTPS://Turismo.Asti.IT:8443\n"
      "https://www.comune.asti.it http://localhost:3000");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<std::string>{"https://www.comune.asti.it", "https://turismo.asti.it:8443",
                                           "http://localhost:3000"}));
  EXPECT_TRUE(TourismService::parse_origins("").ok());
  for (const char* bad :
       {"http://www.comune.asti.it", "https://*.asti.it", "https://asti.it/turismo", "https://asti.it?x=1",
        "https://user@asti.it", "www.comune.asti.it", "'self'", "*", "https://asti.it:0",
        "https://asti.it:99999", "https://asti..it", "data:", "https://asti.it;script-src"}) {
    auto r = TourismService::parse_origins(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "tourism.origin") << bad;
  }
}

TEST(TourismRules, ItemFieldsAreChecked) {
  using sp::tourism::ItemForm;
  using sp::tourism::TourismService;
  ItemForm f{"event", " Palio ", "La corsa.", "", "festival", "", "44,9", "8.2", "", "2099-09-04", "", ""};
  auto ok = TourismService::clean(f);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->name, "Palio");
  EXPECT_EQ(ok->ends_on, "2099-09-04");  // a one-day event
  EXPECT_DOUBLE_EQ(*ok->latitude, 44.9);
  auto field_of = [](ItemForm g) { return TourismService::clean(g).error().field; };
  ItemForm g = f;
  g.kind = "hotel";
  EXPECT_EQ(field_of(g), "kind");
  g = f;
  g.category = "nightlife";
  EXPECT_EQ(field_of(g), "category");
  g = f;
  g.latitude = "91";
  EXPECT_EQ(field_of(g), "latitude");
  g = f;
  g.longitude = "";
  EXPECT_EQ(field_of(g), "longitude");  // both or neither
  g = f;
  g.starts_on = "04/09/2099";
  EXPECT_EQ(field_of(g), "starts_on");
  g = f;
  g.name = "Palio\x07";
  EXPECT_EQ(field_of(g), "name");
  g = f;
  g.description_it = " ";
  EXPECT_EQ(field_of(g), "description_it");
  // A place has no dates, whatever the form sent.
  g = f;
  g.kind = "poi";
  EXPECT_EQ(TourismService::clean(g)->starts_on, "");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, TourismTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
