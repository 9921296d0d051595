#pragma once
// The whole application on a demo database (both drivers), driven without sockets: staff sessions of
// Asti and Novara, API keys, and helpers to send form, multipart and JSON requests.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace sp::protocollo::webtest {

struct Upload {
  std::string field;
  std::string file_name;
  std::string content_type;
  std::string bytes;
};

class AppTest : public ::testing::TestWithParam<db::Dialect> {
 public:  // the helpers are also used by free functions of the tests
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    Config config = load_config("").value();
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<identity::SessionService>(app_->database(), time::system_clock());
    tenants_ = std::make_unique<tenants::TenantService>(app_->database());
    tenants_->reload();
    asti_ = tenants_->by_slug("asti")->id;
    novara_ = tenants_->by_slug("novara")->id;
  }

  // A session token for a demo staff account (data/demo/staff.json).
  std::string staff_session(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }
  std::string operator_session() { return staff_session("operatore@asti.example", "Asti-operatore-2026!"); }
  std::string manager_session() {
    return staff_session("responsabile@asti.example", "Asti-responsabile-2026!");
  }
  std::string novara_session() { return staff_session("admin@novara.example", "Novara-admin-2026!"); }

  std::string csrf_of(const std::string& token) {
    auto p = sessions_->resume(token);
    return p ? p->csrf_token : std::string();
  }

  // An API key of `tenant` with `scopes`, created by a body administrator.
  std::string api_key(tenants::TenantId tenant, const std::vector<std::string>& scopes) {
    identity::Principal admin;
    admin.kind = identity::PrincipalKind::staff;
    admin.subject = "test-admin";
    admin.tenant_id = tenant;
    admin.roles = {identity::Role::body_admin};
    identity::ApiKeyService keys(app_->database(), time::system_clock());
    auto k = keys.create(&admin, tenant, "test", scopes);
    EXPECT_TRUE(k.ok());
    return k.ok() ? k->secret : std::string();
  }

  http::Response send(http::Request& req) { return http::dispatch(app_->router(), hooks_, options_, req); }

  http::Request request(const std::string& method, const std::string& target, const std::string& session,
                        const std::string& lang = "it") {
    http::Request req;
    req.method = method;
    req.target = target;
    EXPECT_TRUE(http::parse_target(req, target).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("accept-language", lang);
    if (!session.empty()) req.headers.emplace_back("cookie", "sp_session=" + session);
    return req;
  }

  http::Response get(const std::string& target, const std::string& session, const std::string& lang = "it") {
    auto req = request("GET", target, session, lang);
    return send(req);
  }

  // A urlencoded form POST with the session's CSRF token.
  http::Response post_form(const std::string& target, const std::string& session, const std::string& body,
                           const std::string& lang = "it") {
    auto req = request("POST", target, session, lang);
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    req.body = "_csrf=" + csrf_of(session) + (body.empty() ? "" : "&" + body);
    return send(req);
  }

  // A multipart/form-data POST (what a browser sends for a form with file inputs), CSRF included.
  http::Response post_multipart(const std::string& target, const std::string& session,
                                const std::map<std::string, std::string>& fields,
                                const std::vector<Upload>& uploads, const std::string& lang = "it") {
    const std::string boundary = "----sportelloTestBoundary7MA4YWxkTrZu0gW";
    std::string body;
    auto add_field = [&](const std::string& name, const std::string& value) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
              "\r\n";
    };
    add_field("_csrf", csrf_of(session));
    for (const auto& [k, v] : fields) add_field(k, v);
    for (const auto& u : uploads) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + u.field + "\"; filename=\"" +
              u.file_name + "\"\r\nContent-Type: " + u.content_type + "\r\n\r\n" + u.bytes + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    auto req = request("POST", target, session, lang);
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.body = body;
    return send(req);
  }

  http::Response api(const std::string& method, const std::string& target, const std::string& key,
                     const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    auto req = request(method, target, "");
    if (!key.empty()) req.headers.emplace_back("authorization", "Bearer " + key);
    if (!body.empty()) {
      req.headers.emplace_back("content-type", "application/json");
      req.body = body;
    }
    for (const auto& h : extra) req.headers.push_back(h);
    return send(req);
  }

  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      std::string lk = k;
      for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lk == name) return v;
    }
    return {};
  }

  static boost::json::object json_of(const http::Response& r) {
    return boost::json::parse(r.body).as_object();
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<app::App> app_;
  http::Hooks hooks_;
  http::ServerOptions options_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<tenants::TenantService> tenants_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

// A tiny but real PDF (libmagic recognises it by its header).
inline std::string sample_pdf(const std::string& text = "istanza") {
  return "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::protocollo::webtest
