// multipart/form-data parsing (GMime): what browsers send, byte-exact files (binary, .eml), the limits,
// and every malformed shape refused with http.multipart / 400 rather than misread.
#include "http/multipart.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "http/message.hpp"

namespace sp::http {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----WebKitFormBoundaryq1w2e3r4t5y6u7i8";
const std::string kDelim = "------WebKitFormBoundaryq1w2e3r4t5y6u7i8";

std::string field(const std::string& name, const std::string& value) {
  return kDelim + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}

std::string file(const std::string& name, const std::string& filename, const std::string& type,
                 const std::string& content) {
  return kDelim + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename +
         "\"\r\nContent-Type: " + type + "\r\n\r\n" + content + "\r\n";
}

std::string close() {
  return kDelim + "--\r\n";
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xFF);
  return s;
}

void expect_refused(std::string_view type, const std::string& body, const std::string& why) {
  auto r = parse_multipart(type, body);
  ASSERT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.error().code, "http.multipart") << why;
  EXPECT_EQ(r.error().http_status, 400) << why;
}

TEST(Multipart, ReadsFieldsAndFilesAsABrowserSendsThem) {
  // Binary content with NUL bytes, line breaks at the end and a line that starts like the delimiter.
  const std::string pdf = std::string("%PDF-1.7\r\n\0\x01\xFF", 14) + "\r\n" + kDelim + "x\r\n" + "\r\n";
  const std::string body =
      field("nome", "Mario") + field("interessi", "sport") + field("interessi", "cultura") +
      file("allegato", "domanda.pdf", "application/pdf", pdf) + field("note", "riga 1\r\nriga 2") + close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->parts.size(), 5u);

  auto fields = form->fields();
  EXPECT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields.find("nome")->second, "Mario");
  EXPECT_EQ(fields.count("interessi"), 2u);
  EXPECT_EQ(fields.find("note")->second, "riga 1\r\nriga 2");
  EXPECT_EQ(fields.count("allegato"), 0u);

  auto files = form->files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]->name, "allegato");
  EXPECT_EQ(*files[0]->filename, "domanda.pdf");
  EXPECT_EQ(files[0]->content_type, "application/pdf");
  EXPECT_EQ(files[0]->data, pdf);
  EXPECT_EQ(form->files("allegato").size(), 1u);
  EXPECT_TRUE(form->files("nome").empty());
}

TEST(Multipart, TextFieldsMatchTheUrlencodedForm) {
  Request urlencoded;
  urlencoded.body = "a=1&b=citt%C3%A0&a=2";
  Request multipart;
  multipart.headers = {{"content-type", std::string(kType)}};
  multipart.body = field("a", "1") + field("b", "citt\xC3\xA0") + field("a", "2") + close();
  auto f1 = urlencoded.form();
  auto f2 = multipart.multipart();
  ASSERT_TRUE(f1.ok());
  ASSERT_TRUE(f2.ok()) << f2.error().detail;
  EXPECT_EQ(*f1, f2->fields());
}

TEST(Multipart, AnEmptyFileInputIsNotAFile) {
  // What browsers send for a file input left empty.
  const std::string body =
      field("nome", "x") + file("allegato", "", "application/octet-stream", "") + close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->parts.size(), 2u);
  EXPECT_TRUE(form->parts[1].is_file());
  EXPECT_EQ(form->parts[1].data, "");
  EXPECT_TRUE(form->files().empty());
  EXPECT_EQ(form->fields().count("allegato"), 0u);
}

TEST(Multipart, FileNamesKeepUtf8AndBrowserEscapes) {
  // Browsers send UTF-8 names as they are and write '"' as %22; RFC 2231 names are decoded too.
  const std::string body =
      file("a", "relazione \xC3\xA8 %22finale%22.pdf", "application/pdf", "x") + kDelim +
      "\r\nContent-Disposition: form-data; name=\"b\"; filename*=UTF-8''citt%C3%A0.txt\r\n"
      "Content-Type: text/plain\r\n\r\ny\r\n" +
      close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->files().size(), 2u);
  EXPECT_EQ(*form->files()[0]->filename, "relazione \xC3\xA8 \"finale\".pdf");
  EXPECT_EQ(*form->files()[1]->filename, "citt\xC3\xA0.txt");
}

TEST(Multipart, BinaryFilesComeBackByteForByte) {
  const std::string big = random_bytes(1 << 20, 42);
  const std::string small = random_bytes(3000, 7) + "\r\n\r\n";
  const std::string body =
      file("a", "a.bin", "application/octet-stream", big) + file("b", "b.bin", "image/png", small) + close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->files().size(), 2u);
  EXPECT_TRUE(form->files()[0]->data == big);
  EXPECT_TRUE(form->files()[1]->data == small);
}

TEST(Multipart, AnEmailFileComesBackAsSentNotReserialised) {
  // Browsers label .eml files message/rfc822: GMime parses those as messages; the bytes must still be
  // the user's file (CRLF kept, nested multipart untouched, trailing blank line kept).
  const std::string eml =
      "From: ufficio@pec.comune.example.it\r\nSubject: Ricevuta\r\n"
      "Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\npreamble\r\n"
      "--inner\r\nContent-Type: text/plain\r\n\r\ncorpo\r\n--inner--\r\nepilogue\r\n\r\n";
  const std::string mixed = "--zz\r\nContent-Type: text/plain\r\n\r\nuno\r\n--zz--\n";
  const std::string body = file("pec", "ricevuta.eml", "message/rfc822", eml) +
                           file("m", "m.bin", "multipart/mixed; boundary=zz", mixed) +
                           file("empty", "vuoto.eml", "message/rfc822", "") + field("after", "ok") + close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->parts.size(), 4u);
  EXPECT_EQ(form->parts[0].data, eml);
  EXPECT_EQ(form->parts[0].content_type, "message/rfc822");
  EXPECT_EQ(form->parts[1].data, mixed);
  EXPECT_EQ(form->parts[2].data, "");
  EXPECT_EQ(form->fields().find("after")->second, "ok");
}

TEST(Multipart, TransferEncodingsAreDecoded) {
  const std::string body = kDelim +
                           "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\nY2lhbyBtb25kbw==\r\n" +
                           kDelim +
                           "\r\nContent-Disposition: form-data; name=\"t\"\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n\r\ncitt=C3=A0\r\n" +
                           close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  EXPECT_EQ(form->files()[0]->data, "ciao mondo");
  EXPECT_EQ(form->fields().find("t")->second, "citt\xC3\xA0");
}

TEST(Multipart, BareLineFeedsPreambleAndEpilogueAreAccepted) {
  const std::string body =
      "ignored preamble\n" + kDelim + "\nContent-Disposition: form-data; name=\"a\"\n\nuno\n" + kDelim +
      "  \nContent-Disposition: form-data; name=\"b\"\n\ndue\n" + kDelim + "--\nignored epilogue\n";
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  auto fields = form->fields();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields.find("a")->second, "uno");
  EXPECT_EQ(fields.find("b")->second, "due");
}

TEST(Multipart, AnEmptyFormHasNoParts) {
  auto form = parse_multipart(kType, close());
  ASSERT_TRUE(form.ok()) << form.error().detail;
  EXPECT_TRUE(form->parts.empty());
}

TEST(Multipart, ContentTypeMustBeFormDataWithABoundary) {
  const std::string body = field("a", "1") + close();
  expect_refused("application/x-www-form-urlencoded", body, "urlencoded");
  expect_refused("multipart/mixed; boundary=----WebKitFormBoundaryq1w2e3r4t5y6u7i8", body, "mixed");
  expect_refused("multipart/form-data", body, "no boundary");
  expect_refused("multipart/form-data; boundary=", body, "empty boundary");
  expect_refused("multipart/form-data; boundary=" + std::string(71, 'b'), body, "boundary too long");
  expect_refused(std::string(kType) + "\r\nContent-Type: text/plain", body, "header injection");
  expect_refused("", body, "empty");
  EXPECT_TRUE(
      parse_multipart("Multipart/Form-Data; boundary=\"----WebKitFormBoundaryq1w2e3r4t5y6u7i8\"", body).ok());

  Request req;
  req.body = body;
  auto r = req.multipart();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "http.multipart");
}

TEST(Multipart, MalformedBodiesAreRefused) {
  expect_refused(kType, "", "empty body");
  expect_refused(kType, "hello world", "no delimiter");
  expect_refused(kType, field("a", "1"), "no closing delimiter");
  expect_refused(kType, field("a", "1") + file("f", "a.pdf", "application/pdf", "%PDF-1.4 trunc"),
                 "truncated upload");
  expect_refused(kType, kDelim + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + close(), "no disposition");
  expect_refused(kType, kDelim + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n" + close(),
                 "not form-data");
  expect_refused(kType, kDelim + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n" + close(), "no name");
  expect_refused(kType, kDelim + "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n" + close(),
                 "empty name");
  expect_refused(kType, field("a", "\xC3\x28") + close(), "text value not UTF-8");
  expect_refused(kType, field("a", "\xED\xA0\x80") + close(), "surrogate in text value");
}

TEST(Multipart, NamesInAnotherCharsetAreConvertedNeverPassedOnInvalid) {
  // GMime decodes parameter values that are not UTF-8 with its fallback charset (ISO-8859-1): the names
  // handlers see are always valid UTF-8.
  auto form = parse_multipart(
      kType, field("\xE0", "x") + file("f", "citt\xE0.pdf", "application/pdf", "x") + close());
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->parts.size(), 2u);
  EXPECT_TRUE(valid_utf8(form->parts[0].name));
  EXPECT_TRUE(valid_utf8(*form->parts[1].filename));
  EXPECT_EQ(*form->parts[1].filename, "citt\xC3\xA0.pdf");
}

TEST(Multipart, AtMostTwoHundredParts) {
  std::string ok;
  for (int i = 0; i < 200; ++i) ok += field("f" + std::to_string(i), "v");
  auto form = parse_multipart(kType, ok + close());
  ASSERT_TRUE(form.ok()) << form.error().detail;
  EXPECT_EQ(form->parts.size(), 200u);

  expect_refused(kType, ok + field("one_more", "v") + close(), "201 parts");
  MultipartLimits three{3};
  auto r = parse_multipart(
      kType, field("a", "1") + field("b", "2") + field("c", "3") + field("d", "4") + close(), three);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("more than 3"), std::string::npos);
}

TEST(Multipart, DeeplyNestedBodiesDoNotCrash) {
  // 3000 nested multiparts in one field: GMime caps its recursion; we only ask that nothing crashes and
  // that the one outer part comes back whole.
  std::string inner;
  constexpr int kDepth = 3000;
  for (int i = 0; i < kDepth; ++i) {
    inner += "--n" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=n" +
             std::to_string(i + 1) + "\r\n\r\n";
  }
  inner += "--n" + std::to_string(kDepth) + "--\r\n";
  for (int i = kDepth - 1; i >= 0; --i) inner += "\r\n--n" + std::to_string(i) + "--\r\n";
  const std::string body = file("f", "deep.bin", "multipart/mixed; boundary=n0", inner) + close();
  auto form = parse_multipart(kType, body);
  ASSERT_TRUE(form.ok()) << form.error().detail;
  ASSERT_EQ(form->files().size(), 1u);
  EXPECT_EQ(form->files()[0]->data, inner);
}

TEST(Multipart, ParsesFromManyThreadsAtOnce) {
  const std::string content = random_bytes(50'000, 3);
  const std::string body =
      field("a", "uno") + file("f", "x.bin", "application/octet-stream", content) + close();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto form = parse_multipart(kType, body);
        if (form.ok() && form->files().size() == 1 && form->files()[0]->data == content &&
            form->fields().find("a")->second == "uno") {
          ++good;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 8 * 50);
}

TEST(Multipart, RecognisesTheContentType) {
  EXPECT_TRUE(is_multipart_form("multipart/form-data; boundary=x"));
  EXPECT_TRUE(is_multipart_form(" MULTIPART/FORM-DATA ;boundary=x"));
  EXPECT_TRUE(is_multipart_form("multipart/form-data"));
  EXPECT_FALSE(is_multipart_form("multipart/form-datax; boundary=x"));
  EXPECT_FALSE(is_multipart_form("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_multipart_form(""));
}

}  // namespace
}  // namespace sp::http
