// The digital stamp (src/stamp, docs/stamp.md) on both databases: issue and verify a stamped PDF, an
// altered byte anywhere, a revoked document, an unknown identifier, key rotation, retired and revoked
// keys, another body's key, the code a phone scans, and the registry's append-only tables.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "audit/service.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "core/pdf/document.hpp"
#include "stamp/service.hpp"
#include "support/pdf_inspect.hpp"
#include "support/qr_scan.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::stamp {
namespace {

using namespace std::chrono_literals;

class StampTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    hub_id_ = *hub;
    asti_ = make_body("asti", "Comune di Asti");
    novara_ = make_body("novara", "Comune di Novara");
    keys_dir_ = (dir_.path() / "keys").string();
    ASSERT_TRUE(keys::rotate(keys_dir_, "asti", keys::Purpose::stamp_signing, clock_.now()).ok());
    ASSERT_TRUE(keys::rotate(keys_dir_, "novara", keys::Purpose::stamp_signing, clock_.now()).ok());
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    service_ = std::make_unique<StampService>(db(), *audit_, clock_, sp::testing::locales(), *tenants_,
                                              StampOptions{keys_dir_, "https://sportello.example/"});
  }

  tenants::TenantId make_body(const std::string& slug, const std::string& name) {
    tenants::Body b;
    b.hub_id = hub_id_;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    b.province = "AT";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }

  db::Database& db() { return database_->db(); }

  static std::string render(const Block& block, const std::string& title = "Ricevuta di pagamento") {
    pdf::Document doc({.lang = "it-IT",
                       .title = title,
                       .author = "Comune di Asti",
                       .footer = "Comune di Asti",
                       .page_label = "Pagina {page} di {pages}"});
    doc.letterhead("Comune di Asti");
    doc.heading(1, title);
    doc.key_values({{"Importo", "€ 16,00"}, {"Causale", "Diritti di segreteria"}});
    add_block(doc, block);
    return doc.finish();
  }

  Issued issue(tenants::TenantId tenant = 0, const std::string& protocol = "0000042/2026") {
    IssueRequest r;
    r.tenant = tenant == 0 ? asti_ : tenant;
    r.kind = "payment-receipt";
    r.title = "Ricevuta di pagamento";
    r.protocol = protocol;
    auto issued = service_->issue(r, [](const Block& b) { return render(b); });
    EXPECT_TRUE(issued.ok()) << (issued.ok() ? "" : issued.error().code + " " + issued.error().detail);
    return issued.ok() ? *issued : Issued{};
  }

  identity::Principal staff(tenants::TenantId tenant, std::set<identity::Role> roles) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = "staff-" + std::to_string(tenant);
    p.tenant_id = tenant;
    p.roles = std::move(roles);
    return p;
  }

  std::int64_t audit_count(const std::string& action) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) {
      n = c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action})->i64(0);
    });
    return n;
  }

  sp::testing::TempDir dir_;
  std::string keys_dir_;
  time::TestClock clock_{time::parse_iso_utc("2026-03-02T10:00:00Z").value()};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<StampService> service_;
  std::int64_t hub_id_ = 0;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

TEST_P(StampTest, IssuedDocumentVerifiesAsValidAndShowsWhatItPrints) {
  auto d = issue();
  ASSERT_TRUE(valid_token(d.token));
  auto f = service_->check_file(d.pdf);
  EXPECT_EQ(f.verdict, Verdict::valid) << f.reason;
  ASSERT_TRUE(f.record);
  EXPECT_EQ(f.record->protocol, "0000042/2026");
  EXPECT_EQ(f.body_name, "Comune di Asti");
  EXPECT_EQ(f.record->issued_at, "2026-03-02T10:00:00Z");

  // The document prints the identifier, the body, the date, the protocol and where to verify it.
  auto text = sp::testing::pdf_text(d.pdf);
  const auto typing = typing_code(d.token);
  ASSERT_EQ(typing.size(), 30u) << typing;  // 26 digits in groups 5-5-5-5-6
  EXPECT_NE(text.find(typing), std::string::npos) << text;
  EXPECT_NE(text.find("Contrassegno elettronico"), std::string::npos);
  EXPECT_NE(text.find("https://sportello.example/verifica"), std::string::npos);
  EXPECT_NE(text.find("0000042/2026"), std::string::npos);
  EXPECT_NE(text.find("02/03/2026"), std::string::npos);

  // The code's text is the verification URL with the signed data; the registry keeps the digest.
  auto parts = split(d.pdf);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->payload.rfind("https://sportello.example/verifica?v=1&id=" + d.token + "&e=asti&", 0), 0u);
  EXPECT_EQ(f.record->digest, digest::sha256_hex(parts->original));

  EXPECT_EQ(service_->check_token(d.token).verdict, Verdict::valid);
  EXPECT_EQ(service_->check_code(parts->payload).verdict, Verdict::valid);

  // Unknown identifiers, and text that is no identifier at all.
  EXPECT_EQ(service_->check_token("AAAAAAAAAAAAAAAAAAAAAA").verdict, Verdict::unknown);
  EXPECT_EQ(service_->check_token("1").verdict, Verdict::unknown);
  EXPECT_EQ(service_->check_token("'; DROP TABLE x; --").verdict, Verdict::unknown);
}

// Issue 15, the stamp's cost: the final code has a fixed QR mask, the placeholder is drawn from its pixels
// and B is read without qpdf. What a phone reads is still the code's text; the direct reader finds what
// qpdf finds; and a copy stamped before (the mask libqrencode chose) still verifies.
TEST_P(StampTest, TheFastStampScansReadsAsQpdfAndOlderCopiesStillVerify) {
  if (GetParam() != db::Dialect::sqlite) GTEST_SKIP() << "no database in this check";
  auto d = issue();
  auto parts = split(d.pdf);
  ASSERT_TRUE(parts);
  const auto pages = sp::testing::scan_qr_codes(d.pdf, 200);
  std::vector<std::string> codes;
  for (const auto& page : pages) codes.insert(codes.end(), page.begin(), page.end());
  EXPECT_EQ(codes, std::vector<std::string>{parts->payload});

  const auto url = verification_url("https://sportello.example", d.token);
  auto fast = locate(parts->original, url);
  auto slow = locate(parts->original, url, true);
  ASSERT_TRUE(fast.ok()) << fast.error().detail;
  ASSERT_TRUE(slow.ok()) << slow.error().detail;
  EXPECT_EQ(fast->obj, slow->obj);
  EXPECT_EQ(fast->gen, slow->gen);
  EXPECT_EQ(fast->root, slow->root);
  EXPECT_EQ(fast->info, slow->info);
  EXPECT_EQ(fast->id, slow->id);
  EXPECT_EQ(fast->size, slow->size);
  EXPECT_EQ(fast->prev, slow->prev);
  EXPECT_EQ(update(*fast, parts->original.size(), parts->payload, kCodeMask),
            d.pdf.substr(parts->original.size()));
  // A document without the placeholder: the same error both ways.
  Block other;
  other.heading = "Contrassegno elettronico";
  other.placeholder_url = verification_url("https://sportello.example", ids::random_token(16));
  EXPECT_EQ(locate(parts->original, other.placeholder_url).error().code, "stamp.no_placeholder");
  EXPECT_EQ(locate(parts->original, other.placeholder_url, true).error().code, "stamp.no_placeholder");

  // The same document as the stamper made it before the mask was fixed: valid, and only that way.
  auto before = append_update(parts->original, parts->payload, url, kBestMask);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(service_->check_file(*before).verdict, Verdict::valid);
  EXPECT_EQ(service_->check_file(d.pdf).verdict, Verdict::valid);
  auto other_mask = append_update(parts->original, parts->payload, url, 5);
  ASSERT_TRUE(other_mask.ok());
  if (*other_mask != *before && *other_mask != d.pdf)
    EXPECT_EQ(service_->check_file(*other_mask).verdict, Verdict::altered);
}

TEST_P(StampTest, OneChangedByteAnywhereSaysAltered) {
  auto d = issue();
  std::mt19937 rng(15);
  const auto parts = split(d.pdf);
  ASSERT_TRUE(parts);
  // 50 random offsets of the content (before the stamp) and 10 inside the stamp's own update.
  std::uniform_int_distribution<std::size_t> content(0, parts->original.size() - 1);
  std::uniform_int_distribution<std::size_t> update(parts->original.size(), d.pdf.size() - 1);
  for (int i = 0; i < 60; ++i) {
    auto copy = d.pdf;
    const std::size_t at = i < 50 ? content(rng) : update(rng);
    copy[at] = static_cast<char>(copy[at] ^ 0x01);
    auto f = service_->check_file(copy);
    EXPECT_NE(f.verdict, Verdict::valid) << "offset " << at;
    if (f.verdict != Verdict::unknown) {  // a changed marker leaves no stamp to read
      EXPECT_EQ(f.verdict, Verdict::altered) << "offset " << at << " " << f.reason;
    }
  }
  // Bytes appended after the stamp (a later incremental save) are a change too.
  EXPECT_EQ(service_->check_file(d.pdf + "% note\n").verdict, Verdict::altered);
  // A forged code: another protocol number with the old signature.
  auto forged = parts->payload;
  forged.replace(forged.find("&p=") + 3, 7, "0000043");
  EXPECT_EQ(service_->check_code(forged).verdict, Verdict::altered);
  // Not a stamp at all.
  EXPECT_EQ(service_->check_file("%PDF-1.7\n%%EOF\n").verdict, Verdict::unknown);
}

TEST_P(StampTest, RevokedByTheBodysManagerAudited) {
  auto d = issue();
  auto manager = staff(asti_, {identity::Role::office_manager});
  auto operator_ = staff(asti_, {identity::Role::operator_});
  auto other = staff(novara_, {identity::Role::office_manager});
  EXPECT_EQ(service_->revoke(&operator_, asti_, d.token, "errore").error().code, "forbidden");
  EXPECT_EQ(service_->revoke(nullptr, asti_, d.token, "errore").error().code, "auth.required");
  // Another body's manager, through their own body or through Asti's: never.
  EXPECT_EQ(service_->revoke(&other, novara_, d.token, "errore").error().code, "not_found");
  EXPECT_EQ(service_->revoke(&other, asti_, d.token, "errore").error().code, "forbidden");
  EXPECT_EQ(service_->revoke(&manager, asti_, d.token, "").error().code, "stamp.reason");
  EXPECT_EQ(service_->check_file(d.pdf).verdict, Verdict::valid);

  ASSERT_TRUE(service_->revoke(&manager, asti_, d.token, "Ricevuta emessa per errore").ok());
  EXPECT_EQ(service_->revoke(&manager, asti_, d.token, "di nuovo").error().code, "stamp.revoked");
  EXPECT_EQ(audit_count("stamp.revoke"), 1);
  auto f = service_->check_file(d.pdf);
  EXPECT_EQ(f.verdict, Verdict::revoked);
  ASSERT_TRUE(f.record && f.record->revoked_at);
  EXPECT_EQ(service_->check_token(d.token).verdict, Verdict::revoked);

  // Both tables are append-only; the registry keeps no document.
  for (const char* sql : {"UPDATE stamped_documents SET protocol = 'x'", "DELETE FROM stamped_documents",
                          "UPDATE stamp_revocations SET reason = 'x'", "DELETE FROM stamp_revocations"}) {
    EXPECT_THROW(db().write([&](db::Conn& c) { c.exec(sql); }), db::DbError) << sql;
  }
  // The one row is still there.
  std::int64_t n = 0;
  db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM stamped_documents")->i64(0); });
  EXPECT_EQ(n, 1);
}

// The identifier is typed from the printed copy: case, spaces, dashes and the look-alikes 0/O and 1/I/L
// do not matter, and the 128 bits are all in it (the typing code decodes to the very token).
TEST_P(StampTest, TheIdentifierIsTypedInAnyCaseWithOrWithoutSeparators) {
  auto d = issue();
  const auto typing = typing_code(d.token);
  EXPECT_EQ(token_from_typed(typing), d.token);
  std::string loose;
  for (char c : typing) {
    if (c == '-') continue;
    char x = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '0') x = 'o';
    if (c == '1') x = 'l';
    loose += x;
    if (loose.size() % 4 == 3) loose += ' ';
  }
  EXPECT_EQ(token_from_typed("  " + loose + " "), d.token) << loose;
  for (const auto& typed : {typing, loose, d.token}) {
    auto f = service_->check_token(typed);
    EXPECT_EQ(f.verdict, Verdict::valid) << typed << " " << f.reason;
  }
  // One digit off is another identifier: unknown, never this document.
  std::string off = typing;
  off[7] = off[7] == '7' ? '8' : '7';
  EXPECT_EQ(service_->check_token(off).verdict, Verdict::unknown);
  EXPECT_EQ(service_->check_token(typing.substr(0, 29)).reason, "malformed");
  EXPECT_EQ(service_->check_token(typing + "7").reason, "malformed");
  EXPECT_FALSE(token_from_typed("U" + typing.substr(1)));  // U is not a digit
  EXPECT_FALSE(token_from_typed("Z" + typing.substr(1))) << "more than 128 bits";
  // Every token round-trips.
  for (int i = 0; i < 200; ++i) {
    const auto t = ids::random_token(16);
    EXPECT_EQ(token_from_typed(typing_code(t)), t);
  }
}

TEST_P(StampTest, RotatedAndRetiredKeysStillVerifyTheirDocuments) {
  auto before = issue();
  clock_.advance(24h);
  ASSERT_TRUE(keys::rotate(keys_dir_, "asti", keys::Purpose::stamp_signing, clock_.now()).ok());
  auto after = issue();
  auto a = split(before.pdf);
  auto b = split(after.pdf);
  ASSERT_TRUE(a && b);
  EXPECT_NE(parse(a->payload)->key_id, parse(b->payload)->key_id);      // the new key signs
  EXPECT_EQ(service_->check_file(before.pdf).verdict, Verdict::valid);  // the retired one still verifies
  EXPECT_EQ(service_->check_file(after.pdf).verdict, Verdict::valid);

  // A revoked (compromised) key verifies nothing: its documents say revoked, the others stay valid.
  ASSERT_TRUE(keys::set_status(keys_dir_, "asti", keys::Purpose::stamp_signing, parse(a->payload)->key_id,
                               keys::KeyStatus::revoked)
                  .ok());
  EXPECT_EQ(service_->check_file(before.pdf).verdict, Verdict::revoked);
  EXPECT_EQ(service_->check_token(before.token).verdict, Verdict::revoked);
  EXPECT_EQ(service_->check_file(after.pdf).verdict, Verdict::valid);
}

TEST_P(StampTest, NoKeyNoDocument) {
  ASSERT_TRUE(
      keys::set_status(keys_dir_, "novara", keys::Purpose::stamp_signing,
                       keys::load_ring(keys_dir_, "novara", keys::Purpose::stamp_signing)->keys()[0].id,
                       keys::KeyStatus::retired)
          .ok());
  IssueRequest r{novara_, "payment-receipt", "Ricevuta", "", "it", "system"};
  bool rendered = false;
  auto issued = service_->issue(r, [&](const Block& b) {
    rendered = true;
    return render(b);
  });
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().code, "stamp.no_key");
  EXPECT_FALSE(rendered);
  r.tenant = asti_;
  r.kind = "Not A Kind";
  EXPECT_EQ(service_->issue(r, [](const Block& b) { return render(b); }).error().code, "stamp.kind");
  // A producer that forgot the stamp's block gets an error, not an unstamped document.
  r.kind = "payment-receipt";
  auto bare = service_->issue(r, [](const Block&) {
    pdf::Document doc({.title = "x", .page_label = "{page}/{pages}"});
    doc.paragraph("x");
    return doc.finish();
  });
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().code, "stamp.no_placeholder");
}

TEST_P(StampTest, AnotherBodysKeyNeverValidatesABodysDocument) {
  auto doc = issue(asti_);
  auto parts = split(doc.pdf);
  ASSERT_TRUE(parts);
  auto novara_ring = keys::load_ring(keys_dir_, "novara", keys::Purpose::stamp_signing);
  ASSERT_TRUE(novara_ring.ok());
  // Offline, with Novara's published keys for Asti's document: not valid.
  auto f = check_file(doc.pdf, [&](const std::string&) { return &*novara_ring; });
  EXPECT_EQ(f.verdict, Verdict::altered);
  EXPECT_EQ(f.reason, "no_key");

  // Novara re-signs Asti's document with its own key, naming Asti: the signature fails.
  auto seal = parse(parts->payload).value();
  auto novara_key = novara_ring->signing(clock_.now());
  ASSERT_NE(novara_key, nullptr);
  seal.key_id = novara_key->id;
  seal.signature = keys::sign(*novara_key, signed_message(seal));
  auto forged = append_update(parts->original, payload(seal), verification_url(seal.base_url, seal.token));
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(service_->check_file(*forged).verdict, Verdict::altered);
  // ... and naming Novara: the registry knows the token as Asti's.
  seal.body = "novara";
  seal.signature = keys::sign(*novara_key, signed_message(seal));
  forged = append_update(parts->original, payload(seal), verification_url(seal.base_url, seal.token));
  ASSERT_TRUE(forged.ok());
  auto g = service_->check_file(*forged);
  EXPECT_EQ(g.verdict, Verdict::altered) << g.reason;
  // Offline, from Asti's published keys (no secret in them): valid.
  auto ring = keys::load_ring(keys_dir_, "asti", keys::Purpose::stamp_signing);
  auto published = ring_from_jwks(keys::public_jwks_json(*ring));
  ASSERT_TRUE(published.ok()) << published.error().detail;
  EXPECT_TRUE(published->keys()[0].secret.empty());
  auto offline =
      check_file(doc.pdf, [&](const std::string& body) { return body == "asti" ? &*published : nullptr; });
  EXPECT_EQ(offline.verdict, Verdict::valid) << offline.reason;
  // A JWKS whose kid does not match its key is refused.
  auto json = keys::public_jwks_json(*ring);
  json.replace(json.find("\"kid\":\"") + 7, 1, json[json.find("\"kid\":\"") + 7] == 'a' ? "b" : "a");
  EXPECT_FALSE(ring_from_jwks(json).ok());
}

// `sportello verify FILE --keys JWKS`, offline: exit 0 only for a valid document.
class StampCliTest : public StampTest {};

TEST_P(StampCliTest, VerifyCommandExitCodes) {
  auto d = issue();
  auto write = [&](const std::string& name, const std::string& bytes) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  };
  auto jwks = [&](const std::string& owner) {
    return keys::public_jwks_json(*keys::load_ring(keys_dir_, owner, keys::Purpose::stamp_signing));
  };
  const auto good = write("ricevuta.pdf", d.pdf);
  auto altered = d.pdf;
  altered[altered.size() / 3] = static_cast<char>(altered[altered.size() / 3] ^ 0x20);
  const auto bad = write("alterata.pdf", altered);
  const auto plain = write("senza.pdf", split(d.pdf)->original.substr(0, split(d.pdf)->original.size()));
  const auto asti = write("asti.json", jwks("asti"));
  const auto novara = write("novara.json", jwks("novara"));
  auto run = [&](const std::string& args) {
    return sp::testing::run_command("'" + sp::testing::binary() + "' verify " + args + " 2>&1");
  };
  auto ok = run(good + " --keys " + asti);
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_NE(ok.out.find("valid"), std::string::npos);
  EXPECT_NE(ok.out.find("identifier: " + d.token), std::string::npos);
  auto json = run(good + " --keys " + asti + " --json");
  EXPECT_EQ(json.rc, 0) << json.out;
  EXPECT_NE(json.out.find("\"verdict\":\"valid\""), std::string::npos) << json.out;
  EXPECT_EQ(run(bad + " --keys " + asti).rc, 1);
  EXPECT_EQ(run(good + " --keys " + novara).rc, 1);  // another body's keys never validate it
  EXPECT_EQ(run(plain + " --keys " + asti).rc, 2);   // the update cut off: no stamp
  EXPECT_EQ(run(good + " --keys " + (dir_.path() / "missing.json").string()).rc, 3);
  EXPECT_EQ(run((dir_.path() / "missing.pdf").string() + " --keys " + asti).rc, 3);
  // The key revoked: still published, marked revoked, so offline the document reads "revoked".
  ASSERT_TRUE(keys::set_status(keys_dir_, "asti", keys::Purpose::stamp_signing,
                               parse(split(d.pdf)->payload)->key_id, keys::KeyStatus::revoked)
                  .ok());
  auto revoked = run(good + " --keys " + write("asti-revoked.json", jwks("asti")));
  EXPECT_EQ(revoked.rc, 1) << revoked.out;
  EXPECT_EQ(revoked.out.rfind("revoked (key_revoked)", 0), 0u) << revoked.out;
}

INSTANTIATE_TEST_SUITE_P(Databases, StampTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

// Offline: the database only issues the document, so one dialect is enough.
INSTANTIATE_TEST_SUITE_P(Sqlite, StampCliTest, ::testing::Values(db::Dialect::sqlite),
                         [](const auto&) { return "sqlite"; });

}  // namespace
}  // namespace sp::stamp
