// Registering an entry with its documents' bytes (the registration page and the API share this one
// service operation): fields are checked before any byte is stored, a refused document registers nothing
// and takes no number, and a retried request with its idempotency key gets the first answer — on both
// databases, with another body's entries out of reach.
#include <unistd.h>

#include <filesystem>

#include "files/service.hpp"
#include "protocollo_fixture.hpp"

namespace sp::protocollo::testing {
namespace {

class IntakeTest : public ProtocolloTest {
 protected:
  void SetUp() override {
    ProtocolloTest::SetUp();
    files_ = std::make_unique<files::FileService>(db(), clock_);
    intake_ = std::make_unique<ProtocolService>(db(), clock_, *files_);
  }

  static Registration with_bytes(AooId aoo, std::string subject, std::string primary_bytes) {
    NewEntry e = incoming(aoo, std::move(subject));
    e.documents.clear();
    Registration r{std::move(e), {}, {}, {}};
    r.documents.push_back(
        {DocumentRole::primary, "istanza.txt", std::move(primary_bytes), "", "", 0, "document"});
    r.documents.push_back({DocumentRole::attachment, "esterno.pdf", std::nullopt, "application/pdf",
                           digest::sha256_hex("kept elsewhere"), 14, "document"});
    return r;
  }

  std::int64_t count_files() {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM stored_files")->i64(0); });
    return n;
  }

  std::unique_ptr<files::FileService> files_;
  std::unique_ptr<ProtocolService> intake_;
};

TEST_P(IntakeTest, StoresTheBytesTypesThemAndRegistersByReferenceTheOthers) {
  auto r =
      intake_->register_with_documents(&staff_, kBody, with_bytes(aoo_, "Istanza", "Testo dell'istanza"));
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(r->registered.number, 1);
  auto e = intake_->get(&staff_, kBody, r->registered.id);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->documents.size(), 2u);
  EXPECT_EQ(e->documents[0].mime_type, "text/plain");  // read from the bytes
  EXPECT_EQ(e->documents[0].sha256, digest::sha256_hex("Testo dell'istanza"));
  EXPECT_FALSE(e->documents[0].file_id.empty());
  EXPECT_EQ(e->documents[1].sha256, digest::sha256_hex("kept elsewhere"));
  EXPECT_TRUE(e->documents[1].file_id.empty());
  EXPECT_EQ(count_files(), 1);
}

TEST_P(IntakeTest, AMissingSubjectIsNamedBeforeAnyByteIsStored) {
  // Contents in a folder: a rolled-back transaction would leave a content file behind, so an empty folder
  // shows that nothing was written at all.
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("sp-intake-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam() == db::Dialect::sqlite));
  std::filesystem::remove_all(dir);
  files::FileService on_disk(db(), clock_, files::Options{dir.string()});
  ProtocolService desk(db(), clock_, on_disk);
  auto r = desk.register_with_documents(&staff_, kBody, with_bytes(aoo_, " ", "Testo"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "protocollo.subject");
  EXPECT_EQ(count_files(), 0);
  EXPECT_EQ(count_entries(), 0);
  const bool empty = !std::filesystem::exists(dir) || std::filesystem::recursive_directory_iterator(dir) ==
                                                          std::filesystem::recursive_directory_iterator();
  EXPECT_TRUE(empty) << "content written before the fields were checked";
  // The same request with a subject does write there (the check above can fail).
  ASSERT_TRUE(desk.register_with_documents(&staff_, kBody, with_bytes(aoo_, "Istanza", "Testo")).ok());
  EXPECT_NE(std::filesystem::recursive_directory_iterator(dir),
            std::filesystem::recursive_directory_iterator());
  std::filesystem::remove_all(dir);
}

TEST_P(IntakeTest, ARefusedDocumentRegistersNothingAndTakesNoNumber) {
  // One byte over the registry's limit for a document.
  const std::string program(static_cast<std::size_t>(kMaxDocumentBytes) + 1, 'a');
  auto r = intake_->register_with_documents(&staff_, kBody, with_bytes(aoo_, "Istanza", program));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "document");
  EXPECT_EQ(count_files(), 0);
  EXPECT_EQ(count_entries(), 0);
  auto next = intake_->register_with_documents(&staff_, kBody, with_bytes(aoo_, "Istanza", "Testo"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->registered.number, 1);  // no gap
}

TEST_P(IntakeTest, ARetriedRequestGetsTheFirstAnswerAndAnotherRequestUnderTheKeyIsRefused) {
  auto first = with_bytes(aoo_, "Istanza", "Testo");
  first.idempotency_key = "retry-1";
  first.request_sha256 = digest::sha256_hex("request one");
  auto a = intake_->register_with_documents(&staff_, kBody, first);
  auto b = intake_->register_with_documents(&staff_, kBody, first);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->replayed);
  EXPECT_TRUE(b->replayed);
  EXPECT_EQ(a->registered.id, b->registered.id);
  EXPECT_EQ(count_entries(), 1);
  EXPECT_EQ(count_files(), 1);

  auto other = first;
  other.request_sha256 = digest::sha256_hex("request two");
  auto c = intake_->register_with_documents(&staff_, kBody, other);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "protocollo.idempotency_conflict");
  // The same key at another body is that body's own key.
  auto theirs = with_bytes(other_aoo_, "Istanza", "Testo");
  theirs.idempotency_key = "retry-1";
  theirs.request_sha256 = first.request_sha256;
  auto d = intake_->register_with_documents(&other_staff_, kOtherBody, theirs);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->replayed);
  EXPECT_NE(d->registered.id, a->registered.id);
}

TEST_P(IntakeTest, StaffOfAnotherBodyCannotRegisterHere) {
  auto r = intake_->register_with_documents(&other_staff_, kBody, with_bytes(aoo_, "Istanza", "Testo"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "forbidden");
  EXPECT_EQ(count_files(), 0);
  EXPECT_EQ(count_entries(), 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, IntakeTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::testing
