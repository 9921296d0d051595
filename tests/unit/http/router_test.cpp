#include "http/router.hpp"

#include <gtest/gtest.h>

namespace sp::http {
namespace {

Handler tag(std::string name) {
  return [name](Request&) { return Response::text(name); };
}

std::string run(const Router& r, std::string_view method, std::string_view path) {
  auto found = r.find(method, path);
  if (!found.match) return "404";
  if (!found.match->handler) return "405";
  Request req;
  return (*found.match->handler)(req).body;
}

TEST(Router, MatchesStaticAndParamSegments) {
  Router r;
  r.get("/", tag("root"));
  r.get("/{slug}/servizi/{id}", tag("service"));
  auto found = r.find("GET", "/asti/servizi/42");
  ASSERT_TRUE(found.match);
  ASSERT_NE(found.match->handler, nullptr);
  EXPECT_EQ(found.match->pattern, "/{slug}/servizi/{id}");
  EXPECT_EQ(found.match->params.at("slug"), "asti");
  EXPECT_EQ(found.match->params.at("id"), "42");
  EXPECT_EQ(run(r, "GET", "/"), "root");
  EXPECT_EQ(run(r, "GET", "/asti/servizi"), "404");
  EXPECT_EQ(run(r, "GET", "/asti/servizi/42/x"), "404");
}

TEST(Router, StaticSegmentsBeatParametersRegardlessOfOrder) {
  Router r;
  r.get("/{slug}/{page}", tag("param"));
  r.get("/{slug}/login", tag("login"));
  r.get("/admin/{page}", tag("admin"));
  EXPECT_EQ(run(r, "GET", "/asti/login"), "login");
  EXPECT_EQ(run(r, "GET", "/asti/other"), "param");
  EXPECT_EQ(run(r, "GET", "/admin/login"), "admin");  // leftmost static segment decides
}

TEST(Router, ParamNeedsNonEmptySegment) {
  Router r;
  r.get("/a/{x}", tag("x"));
  EXPECT_EQ(run(r, "GET", "/a/"), "404");
}

TEST(Router, TrailingSlashIsSignificant) {
  Router r;
  r.get("/{slug}/", tag("home"));
  r.get("/{slug}", tag("bare"));
  EXPECT_EQ(run(r, "GET", "/asti/"), "home");
  EXPECT_EQ(run(r, "GET", "/asti"), "bare");
}

TEST(Router, RestParameterTakesTheRemainder) {
  Router r;
  r.get("/files/{path...}", tag("files"));
  r.get("/files/special", tag("special"));
  auto found = r.find("GET", "/files/a/b/c.txt");
  ASSERT_TRUE(found.match && found.match->handler);
  EXPECT_EQ(found.match->params.at("path"), "a/b/c.txt");
  EXPECT_EQ(run(r, "GET", "/files/special"), "special");
  EXPECT_EQ(run(r, "GET", "/other/a"), "404");
}

TEST(Router, RestMustBeLast) {
  Router r;
  EXPECT_THROW(r.get("/a/{rest...}/b", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.get("no-slash", tag("x")), std::invalid_argument);
}

TEST(Router, WrongMethodGives405WithAllowedMethods) {
  Router r;
  r.get("/form", tag("get"));
  r.post("/form", tag("post"));
  r.add("DELETE", "/item/{id}", tag("del"));
  auto found = r.find("PUT", "/form");
  ASSERT_TRUE(found.match);
  EXPECT_EQ(found.match->handler, nullptr);
  EXPECT_EQ(found.allowed, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(run(r, "POST", "/form"), "post");
  EXPECT_EQ(run(r, "GET", "/item/3"), "405");
  EXPECT_FALSE(r.find("GET", "/nothing").match);
}

TEST(Router, MethodMatchPreferredOverMoreSpecificWrongMethod) {
  Router r;
  r.get("/pratiche/{id}", tag("show"));
  r.post("/pratiche/nuova", tag("create"));
  EXPECT_EQ(run(r, "GET", "/pratiche/nuova"), "show");
  EXPECT_EQ(run(r, "POST", "/pratiche/nuova"), "create");
}

}  // namespace
}  // namespace sp::http
