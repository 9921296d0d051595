// Static files through dispatch(): types, ETag/304, gzip round trip, cache invalidation, traversal.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "http/server.hpp"

namespace sp::http {
namespace {
namespace fs = std::filesystem;

std::string gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(in.size() * 20 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

class StaticTest : public ::testing::Test {
 protected:
  StaticTest() {
    root = fs::temp_directory_path() /
           ("sp-static-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    static_dir = root / "static";
    fs::create_directories(static_dir);
    for (int i = 0; i < 200; ++i)
      css += ".it-header-" + std::to_string(i) + " { color: #0066cc; margin: 0; }\n";
    write_file(static_dir / "css" / "site.css", css);
    write_file(static_dir / "img" / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300, 'x'));
    write_file(root / "secret.txt", "TOP SECRET");
    options.static_dir = static_dir.string();
  }
  ~StaticTest() override { fs::remove_all(root); }

  Response get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = "GET";
    req.target = std::move(target);
    req.headers = std::move(headers);
    return dispatch(router, hooks, options, req);
  }

  fs::path root, static_dir;
  std::string css;
  Router router;
  Hooks hooks;
  ServerOptions options;
};

TEST_F(StaticTest, ServesWithTypeEtagAndCacheControl) {
  Response r = get("/static/css/site.css");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, css);
  EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
  ASSERT_NE(r.find_header("etag"), nullptr);
  EXPECT_EQ(r.find_header("etag")->front(), '"');  // strong
  EXPECT_EQ(*r.find_header("cache-control"), "public, max-age=3600");
  EXPECT_NE(r.find_header("content-security-policy"), nullptr);
  EXPECT_EQ(r.find_header("content-encoding"), nullptr);

  Response png = get("/static/img/logo.png", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.find_header("content-encoding"), nullptr);  // not compressible
}

TEST_F(StaticTest, IfNoneMatchGives304) {
  Response r = get("/static/css/site.css");
  std::string etag = *r.find_header("etag");
  Response again = get("/static/css/site.css", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(*again.find_header("etag"), etag);
  EXPECT_NE(again.find_header("x-content-type-options"), nullptr);
  EXPECT_EQ(get("/static/css/site.css", {{"if-none-match", "\"other\""}}).status, 200);
}

TEST_F(StaticTest, GzipRoundTrip) {
  Response r = get("/static/css/site.css", {{"accept-encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_NE(r.find_header("content-encoding"), nullptr);
  EXPECT_EQ(*r.find_header("content-encoding"), "gzip");
  EXPECT_EQ(*r.find_header("vary"), "Accept-Encoding");
  EXPECT_LT(r.body.size(), css.size());
  EXPECT_EQ(gunzip(r.body), css);
  // The gzip variant has its own strong ETag, and revalidates to 304 too.
  std::string gz_etag = *r.find_header("etag");
  EXPECT_NE(gz_etag, *get("/static/css/site.css").find_header("etag"));
  EXPECT_EQ(get("/static/css/site.css", {{"accept-encoding", "gzip"}, {"if-none-match", gz_etag}}).status,
            304);
  // q=0 refuses gzip.
  Response plain = get("/static/css/site.css", {{"accept-encoding", "gzip;q=0"}});
  EXPECT_EQ(plain.find_header("content-encoding"), nullptr);
  EXPECT_EQ(plain.body, css);
}

TEST_F(StaticTest, CacheInvalidatedWhenFileChanges) {
  Response before = get("/static/css/site.css", {{"accept-encoding", "gzip"}});
  std::string changed = css + "/* v2 */ body { margin: 1px; }\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_file(static_dir / "css" / "site.css", changed);
  Response after = get("/static/css/site.css", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(gunzip(after.body), changed);
  EXPECT_NE(*before.find_header("etag"), *after.find_header("etag"));
}

TEST_F(StaticTest, TraversalAttemptsNeverEscapeTheRoot) {
  for (std::string t :
       {"/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc/passwd",
        "/static/%2E%2E/secret.txt", "/static/..\\secret.txt", "/static/css%5c..%5c..%5csecret.txt",
        "/static/css/site.css%00.png", "/static/../secret.txt", "/static//etc/passwd", "/static/.hidden",
        "/static/", "/static/css"}) {
    Response r = get(t);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << t << " -> " << r.status;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << t;
    EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos) << t;
    EXPECT_NE(r.find_header("content-security-policy"), nullptr) << t;
  }
}

TEST_F(StaticTest, SymlinkOutOfTheRootIsRefused) {
  std::error_code ec;
  fs::create_symlink(root / "secret.txt", static_dir / "link.txt", ec);
  if (ec) GTEST_SKIP() << "cannot create symlinks here";
  Response r = get("/static/link.txt");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos);
}

TEST_F(StaticTest, ContentTypesByExtension) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"a.js", "application/javascript; charset=utf-8"},
      {"a.svg", "image/svg+xml"},
      {"a.woff2", "font/woff2"},
      {"a.woff", "font/woff"},
      {"a.jpg", "image/jpeg"},
      {"a.ico", "image/x-icon"},
      {"a.json", "application/json"},
      {"a.html", "text/html; charset=utf-8"},
      {"a.map", "application/json"},
      {"a.ttf", "font/ttf"},
      {"a.txt", "text/plain; charset=utf-8"},
      {"a.bin", "application/octet-stream"}};
  for (const auto& [name, type] : cases) {
    write_file(static_dir / name, "x");
    Response r = get("/static/" + name);
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(r.content_type, type) << name;
  }
}

TEST_F(StaticTest, PostToStaticIs405) {
  Request req;
  req.method = "POST";
  req.target = "/static/css/site.css";
  EXPECT_EQ(dispatch(router, hooks, options, req).status, 405);
}

}  // namespace
}  // namespace sp::http
