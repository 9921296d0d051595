// No header line with a control character ever leaves dispatch(), whatever a handler put in it: the
// Content-Type, a Location, a cookie or any other header, with CR, LF, NUL, HTAB, DEL or any other C0
// character. Issue 10: a protocol document's declared type "text/html\r\nContent-Length: ...\r\n\r\n<script>"
// went out as the download's Content-Type.
#include <gtest/gtest.h>

#include <string>

#include "http/internal.hpp"
#include "http/server.hpp"

namespace sp::http {
namespace {

// Every control character a handler might let through, alone and inside an otherwise plausible value.
std::vector<std::string> hostile_values() {
  std::vector<std::string> out;
  for (int c = 0; c < 0x20; ++c) out.push_back("text/html" + std::string(1, static_cast<char>(c)) + "x: y");
  out.push_back(std::string("text/html\x7f"));
  out.push_back("text/html\r\nContent-Length: 25\r\n\r\n<script>alert(1)</script>");
  out.push_back(std::string("a\0b", 3));
  return out;
}

bool clean(const Response& r) {
  if (!detail::header_value_ok(r.content_type)) return false;
  for (const auto& [name, value] : r.headers)
    if (!detail::header_name_ok(name) || !detail::header_value_ok(value)) return false;
  return true;
}

class HeaderSafetyTest : public ::testing::Test {
 protected:
  Response call(const std::string& target) {
    Request req;
    req.method = "GET";
    req.target = target;
    return dispatch(router, hooks, options, req);
  }
  Router router;
  Hooks hooks;
  ServerOptions options;
};

TEST_F(HeaderSafetyTest, ControlCharactersInTheContentTypeNeverLeave) {
  const auto values = hostile_values();
  router.get("/doc/{i}", [&](Request& req) {
    auto r = Response::text("<p>document</p>");
    r.content_type = values.at(std::stoul(req.param("i")));
    return r;
  });
  for (std::size_t i = 0; i < values.size(); ++i) {
    Response r = call("/doc/" + std::to_string(i));
    EXPECT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.content_type, "application/octet-stream") << "value " << i;
    EXPECT_TRUE(clean(r)) << i;
    EXPECT_EQ(*r.find_header("x-content-type-options"), "nosniff");
  }
}

TEST_F(HeaderSafetyTest, ControlCharactersInAnyOtherHeaderDropTheHeader) {
  const auto values = hostile_values();
  for (const char* name : {"set-cookie", "content-disposition", "cache-control", "x-custom", "link", "etag",
                           "content-security-policy", "www-authenticate"}) {
    router.get(std::string("/h/") + name + "/{i}", [&, name](Request& req) {
      auto r = Response::text("ok");
      r.header(name, values.at(std::stoul(req.param("i"))));
      r.header("x-kept", "fine value");
      return r;
    });
    for (std::size_t i = 0; i < values.size(); ++i) {
      Response r = call(std::string("/h/") + name + "/" + std::to_string(i));
      ASSERT_TRUE(clean(r)) << name << " value " << i;
      EXPECT_EQ(r.status, 200);
      ASSERT_NE(r.find_header("x-kept"), nullptr) << "a clean header of the same response is kept";
      if (std::string_view(name) == "content-security-policy") {
        // The handler's unsafe policy is dropped, and the default one still goes out.
        ASSERT_NE(r.find_header("content-security-policy"), nullptr);
        EXPECT_NE(r.find_header("content-security-policy")->find("default-src 'self'"), std::string::npos);
      } else {
        EXPECT_EQ(r.find_header(name), nullptr) << name << " value " << i;
      }
    }
  }
}

TEST_F(HeaderSafetyTest, BadHeaderNamesAreDropped) {
  router.get("/n", [](Request&) {
    Response r = Response::text("ok");
    r.headers.emplace_back("x-evil\r\nset-cookie", "a=b");
    r.headers.emplace_back("x evil", "a");
    r.headers.emplace_back("", "a");
    r.headers.emplace_back("x:y", "a");
    return r;
  });
  Response r = call("/n");
  EXPECT_TRUE(clean(r));
  for (const auto& [name, value] : r.headers) EXPECT_NE(value, "a=b");
}

TEST_F(HeaderSafetyTest, ARedirectWhoseLocationIsUnsafeBecomesAnError) {
  // "/\t/evil.example": browsers strip the tab and go to another host.
  router.get("/go", [](Request&) { return Response::redirect("/\t/evil.example"); });
  router.get("/go2", [](Request&) { return Response::redirect("/x\r\nSet-Cookie: s=1"); });
  for (const char* path : {"/go", "/go2"}) {
    Response r = call(path);
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(r.find_header("location"), nullptr);
    EXPECT_EQ(r.find_header("set-cookie"), nullptr);
    EXPECT_TRUE(clean(r));
  }
}

TEST_F(HeaderSafetyTest, OrdinaryHeadersPassUnchanged) {
  router.get("/ok", [](Request&) {
    Response r = Response::redirect("/asti/?q=a%20b");
    r.header("Set-Cookie", "sid=abc; Path=/; HttpOnly; SameSite=Lax");
    r.header("Content-Disposition", "attachment; filename=\"a b.pdf\"; filename*=UTF-8''a%20b.pdf");
    return r;
  });
  Response r = call("/ok");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*r.find_header("location"), "/asti/?q=a%20b");
  EXPECT_EQ(*r.find_header("set-cookie"), "sid=abc; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
}

TEST_F(HeaderSafetyTest, HstsOnlyWhenThePublicUrlIsHttps) {
  router.get("/p", [](Request&) { return Response::text("ok"); });
  EXPECT_EQ(call("/p").find_header("strict-transport-security"), nullptr);
  options.hsts = true;
  Response r = call("/p");
  ASSERT_NE(r.find_header("strict-transport-security"), nullptr);
  EXPECT_EQ(*r.find_header("strict-transport-security"), "max-age=31536000");
  EXPECT_NE(call("/missing").find_header("strict-transport-security"), nullptr) << "errors too";
}

}  // namespace
}  // namespace sp::http
