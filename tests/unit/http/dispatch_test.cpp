// dispatch() without sockets: built-in endpoints, routing errors, hooks and the headers on every response.
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/server.hpp"

namespace sp::http {
namespace {

void expect_security_headers(const Response& r) {
  const std::string* csp = r.find_header("content-security-policy");
  ASSERT_NE(csp, nullptr) << "status " << r.status;
  EXPECT_NE(csp->find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp->find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp->find("unsafe-inline"), std::string::npos);
  ASSERT_NE(r.find_header("x-content-type-options"), nullptr);
  EXPECT_EQ(*r.find_header("x-content-type-options"), "nosniff");
  EXPECT_EQ(*r.find_header("referrer-policy"), "strict-origin-when-cross-origin");
  EXPECT_EQ(*r.find_header("x-frame-options"), "DENY");
  EXPECT_NE(r.find_header("permissions-policy"), nullptr);
  ASSERT_NE(r.find_header("x-request-id"), nullptr);
  EXPECT_EQ(r.find_header("x-request-id")->size(), 16u);
}

class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() {
    router.get("/{slug}/", [](Request& req) { return Response::html("<h1>" + req.param("slug") + "</h1>"); });
    router.get("/boom", [](Request&) -> Response { throw std::runtime_error("kaput"); });
    router.post("/form", [](Request&) { return Response::text("posted"); });
  }
  Response call(std::string method, std::string target) {
    Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    last_route.clear();
    Response r = dispatch(router, hooks, options, req);
    last_route = req.ctx.route;
    last_id = req.ctx.request_id;
    return r;
  }
  Router router;
  Hooks hooks;
  ServerOptions options;
  std::string last_route, last_id;
};

TEST_F(DispatchTest, RoutesAndSetsRouteAndRequestId) {
  Response r = call("GET", "/asti/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<h1>asti</h1>");
  EXPECT_EQ(last_route, "/{slug}/");
  EXPECT_EQ(*r.find_header("x-request-id"), last_id);
  expect_security_headers(r);
}

TEST_F(DispatchTest, NotFoundAndMethodNotAllowedCarrySecurityHeaders) {
  Response r404 = call("GET", "/nope");
  EXPECT_EQ(r404.status, 404);
  EXPECT_EQ(last_route, "unmatched");
  expect_security_headers(r404);

  Response r405 = call("GET", "/form");
  EXPECT_EQ(r405.status, 405);
  ASSERT_NE(r405.find_header("allow"), nullptr);
  EXPECT_EQ(*r405.find_header("allow"), "POST");
  expect_security_headers(r405);
}

TEST_F(DispatchTest, HandlerExceptionBecomes500ViaErrorPage) {
  hooks.error_page = [](Request& req, int status) {
    return Response::html("<p>errore " + std::to_string(status) + " " + req.ctx.request_id + "</p>");
  };
  Response r = call("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("errore 500"), std::string::npos);
  EXPECT_NE(r.body.find(last_id), std::string::npos);
  EXPECT_EQ(last_route, "/boom");
  expect_security_headers(r);
}

TEST_F(DispatchTest, ThrowingErrorPageFallsBackToPlainText) {
  hooks.error_page = [](Request&, int) -> Response { throw std::logic_error("template missing"); };
  Response r = call("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  expect_security_headers(r);
}

TEST_F(DispatchTest, BuiltinHealthAndReadiness) {
  Response h = call("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  expect_security_headers(h);

  EXPECT_EQ(call("GET", "/readyz").status, 200);  // no hook: ready
  hooks.ready = [] { return false; };
  Response nr = call("GET", "/readyz");
  EXPECT_EQ(nr.status, 503);
  expect_security_headers(nr);
  hooks.ready = [] { return true; };
  EXPECT_EQ(call("GET", "/readyz").status, 200);
}

TEST_F(DispatchTest, MetricsCountRequestsByRoute) {
  call("GET", "/asti/");
  call("GET", "/asti/");
  call("GET", "/nope");
  hooks.extra_metrics = [] { return std::string("db_pool_in_use 3\n"); };
  Response m = call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.content_type.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(m.body.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(m.body.find(R"(http_requests_total{route="/{slug}/",method="GET",status="200"})"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find(R"(http_requests_total{route="unmatched",method="GET",status="404"})"),
            std::string::npos);
  EXPECT_NE(m.body.find(R"(http_request_duration_seconds_bucket{route="/{slug}/",le="+Inf"})"),
            std::string::npos);
  EXPECT_NE(m.body.find("db_pool_in_use 3\n"), std::string::npos);
  // Raw paths never become labels: cardinality stays bounded.
  EXPECT_EQ(m.body.find("route=\"/nope\""), std::string::npos);
}

TEST_F(DispatchTest, BeforeHookCanShortCircuitAndFillContext) {
  hooks.before = [](Request& req) -> std::optional<Response> {
    if (req.path == "/asti/") {
      req.ctx.tenant_slug = "asti";
      return std::nullopt;
    }
    return Response::text("blocked", 403);
  };
  Request req;
  req.method = "GET";
  req.target = "/asti/";
  Response ok = dispatch(router, hooks, options, req);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(req.ctx.tenant_slug, "asti");
  Response blocked = call("GET", "/other/");
  EXPECT_EQ(blocked.status, 403);
  expect_security_headers(blocked);
}

TEST_F(DispatchTest, HandlerMayOverrideASecurityHeader) {
  router.get("/embed", [](Request&) {
    return Response::html("x").header("Content-Security-Policy", "default-src 'none'");
  });
  Response r = call("GET", "/embed");
  int count = 0;
  for (const auto& [k, v] : r.headers) count += k == "content-security-policy";
  EXPECT_EQ(count, 1);
  EXPECT_EQ(*r.find_header("content-security-policy"), "default-src 'none'");
  EXPECT_NE(r.find_header("x-content-type-options"), nullptr);
  EXPECT_NE(r.find_header("x-frame-options"), nullptr);
}

TEST_F(DispatchTest, HeadUsesGetHandler) {
  Response r = call("HEAD", "/asti/");
  EXPECT_EQ(r.status, 200);  // the socket layer drops the body and keeps Content-Length
}

TEST_F(DispatchTest, BadTargetIs400) {
  for (std::string t : {"/%ZZ", "/%C0%AF", "/a/%2e%2e/b", "/a%00"}) {
    Response r = call("GET", t);
    EXPECT_EQ(r.status, 400) << t;
    expect_security_headers(r);
  }
}

}  // namespace
}  // namespace sp::http
