#include "http/message.hpp"

#include <gtest/gtest.h>

namespace sp::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false).value(), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true).value(), "a b");
  EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
  EXPECT_EQ(percent_decode("%C3%A8", false).value(), "\xC3\xA8");
  EXPECT_EQ(percent_decode("%c3%a8", false).value(), "\xC3\xA8");
  EXPECT_EQ(percent_decode("", false).value(), "");
}

TEST(PercentDecode, RejectsBadEscapes) {
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("abc%2", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_FALSE(percent_decode("%2g", false));
  EXPECT_FALSE(percent_decode("%%41", false));
}

TEST(ValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("ascii"));
  EXPECT_TRUE(valid_utf8("citt\xC3\xA0"));               // à
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));               // €
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x87\xAE"));           // regional indicator I
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));               // U+D7FF, just below surrogates
  EXPECT_TRUE(valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8 (paths reject it separately)
}

TEST(ValidUtf8, RejectsOverlongs) {
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong '/' in 3 bytes
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));      // overlong U+07FF
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong U+FFFF
}

TEST(ValidUtf8, RejectsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(ValidUtf8, RejectsTruncatedAndStrayBytes) {
  EXPECT_FALSE(valid_utf8("\xC3"));
  EXPECT_FALSE(valid_utf8("ab\xE2\x82"));
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x87"));
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("\xC3\x28"));  // lead byte followed by non-continuation
  EXPECT_FALSE(valid_utf8("\xE2\x28\xA1"));
}

TEST(Form, ParsesUrlEncodedBody) {
  Request req;
  req.body = "nome=Mario+Rossi&citta=Citt%C3%A0&vuoto=&flag&a=1&a=2";
  auto form = req.form();
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->find("nome")->second, "Mario Rossi");
  EXPECT_EQ(form->find("citta")->second, "Citt\xC3\xA0");
  EXPECT_EQ(form->find("vuoto")->second, "");
  EXPECT_EQ(form->find("flag")->second, "");
  EXPECT_EQ(form->count("a"), 2u);
}

TEST(Form, BadEncodingIsA400Error) {
  for (std::string body : {"a=%ZZ", "a=%C3", "a=%C0%AF", "a=%ED%A0%80", "%FF=1", "a=\xC3", "a=%"}) {
    Request req;
    req.body = body;
    auto form = req.form();
    ASSERT_FALSE(form.ok()) << body;
    EXPECT_EQ(form.error().code, "http.bad_form");
    EXPECT_EQ(form.error().http_status, 400);
  }
}

TEST(ParseTarget, SplitsPathAndQuery) {
  Request req;
  ASSERT_TRUE(parse_target(req, "/asti/cerca%20qui?q=carta+identit%C3%A0&p=2").ok());
  EXPECT_EQ(req.path, "/asti/cerca qui");
  EXPECT_EQ(req.raw_query, "q=carta+identit%C3%A0&p=2");
  EXPECT_EQ(req.query_param("q"), "carta identit\xC3\xA0");
  EXPECT_EQ(req.query_param("missing", "dflt"), "dflt");
}

TEST(ParseTarget, RejectsHostileTargets) {
  for (std::string t : {"/a/%2e%2e/b", "/../etc/passwd", "/a/..%2f..%2fetc", "/%C0%AF", "/a%00b", "/bad%zz",
                        "relative", "/ok?q=%FF"}) {
    Request req;
    auto st = parse_target(req, t);
    ASSERT_FALSE(st.ok()) << t;
    EXPECT_EQ(st.error().http_status, 400);
  }
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">O'Brien & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;");
  EXPECT_EQ(html_escape("citt\xC3\xA0"), "citt\xC3\xA0");
}

TEST(Request, HeaderAndParamLookup) {
  Request req;
  req.headers = {{"accept", "text/html"}, {"x-forwarded-for", "1.2.3.4"}};
  req.path_params = {{"slug", "asti"}};
  ASSERT_NE(req.header("accept"), nullptr);
  EXPECT_EQ(*req.header("accept"), "text/html");
  EXPECT_EQ(req.header("cookie"), nullptr);
  EXPECT_EQ(req.param("slug"), "asti");
  EXPECT_EQ(req.param("nope"), "");
}

TEST(Response, Factories) {
  auto r = Response::redirect("/asti/");
  EXPECT_EQ(r.status, 303);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "location");
  EXPECT_EQ(Response::json("{}").content_type, "application/json");
  EXPECT_EQ(Response::text("x", 418).status, 418);
  r.header("Set-Cookie", "a=b");
  EXPECT_EQ(r.headers.back().first, "set-cookie");
}

}  // namespace
}  // namespace sp::http
