// The register mirror on both databases: the import (versions kept, idempotent, per-row report with
// lines, batches, a run stopped halfway), the current view and households, the rule that a body
// imports only its own comune, and who may do what across bodies.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "anagrafe/family.hpp"
#include "anagrafe/import_reader.hpp"
#include "anagrafe/prefill.hpp"
#include "anagrafe/service.hpp"
#include "anagrafe/synthetic.hpp"
#include "audit/service.hpp"
#include "core/codice_fiscale.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace sp::anagrafe;
using sp::identity::Principal;
using sp::identity::PrincipalKind;
using sp::identity::Role;

// One JSONL line of the format; `over` replaces some values.
std::string line(const std::map<std::string, std::string>& over) {
  std::map<std::string, std::string> v = {{"codice_fiscale", "CCCFBA85D03L219P"},
                                          {"cognome", "CACCAMO"},
                                          {"nome", "FABIO"},
                                          {"sesso", "M"},
                                          {"data_nascita", "1985-04-03"},
                                          {"comune_nascita_istat", "001272"},
                                          {"luogo_nascita", "TORINO"},
                                          {"stato_nascita", "100"},
                                          {"cittadinanza", "100"},
                                          {"comune_istat", "005005"},
                                          {"id_famiglia", "AT-0002"},
                                          {"relazione_parentela", "1"},
                                          {"specie_via", "VIA"},
                                          {"denominazione_via", "CAVOUR"},
                                          {"civico", "12"},
                                          {"esponente", ""},
                                          {"interno", "3"},
                                          {"cap", "14100"},
                                          {"stato_civile", "1"},
                                          {"data_iscrizione", "2012-06-01"},
                                          {"data_cancellazione", ""},
                                          {"motivo_cancellazione", ""},
                                          {"data_decesso", ""},
                                          {"certificabilita", "2"},
                                          {"data_variazione", "2012-06-01"}};
  for (const auto& [k, x] : over) v[k] = x;
  std::string out = "{";
  for (const auto& [k, x] : v) out += (out.size() > 1 ? ", \"" : "\"") + k + "\": \"" + x + "\"";
  return out + "}\n";
}

std::string cf_of(const char* surname, const char* name, int y, unsigned m, unsigned d, sp::cf::Sex sex) {
  auto cf = sp::cf::compute(
      surname, name, sex,
      std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}, "A479");
  return cf.ok() ? *cf : std::string("INVALID");
}

class AnagrafeTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    tenants_ = std::make_unique<sp::tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = body(*hub, "asti", "Comune di Asti", "005005");
    novara_ = body(*hub, "novara", "Comune di Novara", "003106");
    ASSERT_GT(asti_, 0);
    ASSERT_GT(novara_, 0);
    audit_ = std::make_unique<sp::audit::AuditService>(db(), *clock_);
    svc_ = std::make_unique<AnagrafeService>(db(), *audit_, *tenants_, *clock_);
  }

  sp::tenants::TenantId body(std::int64_t hub, const std::string& slug, const std::string& name,
                             const std::string& istat) {
    sp::tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    return id.ok() ? *id : -1;
  }

  static Principal staff(sp::tenants::TenantId tenant, Role role) {
    Principal p;
    p.kind = PrincipalKind::staff;
    p.subject = "staff-" + std::to_string(tenant);
    p.tenant_id = tenant;
    p.roles = {role};
    return p;
  }

  sp::Result<ImportReport> load(sp::tenants::TenantId tenant, const std::string& text,
                                Format f = Format::jsonl, std::size_t batch = 2000) {
    std::istringstream in(text);
    ImportOptions o;
    o.batch_size = batch;
    return svc_->import(ImportActor{nullptr, "test"}, tenant, f, "test", in, o);
  }

  std::int64_t count_versions() {
    std::int64_t n = 0;
    db().read([&](sp::db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM anagrafe_versions")->i64(0); });
    return n;
  }

  sp::db::Database& db() { return database_->db(); }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<AnagrafeService> svc_;
  sp::tenants::TenantId asti_ = 0;
  sp::tenants::TenantId novara_ = 0;
};

TEST_P(AnagrafeTest, TheDemoFileLoadsEachComuneIntoItsBodyAndTwiceChangesNothing) {
  std::ifstream f(sp::testing::source_dir() + "/data/demo/population.jsonl");
  std::stringstream all;
  all << f.rdbuf();
  auto first = load(asti_, all.str());
  ASSERT_TRUE(first.ok()) << first.error().code;
  EXPECT_EQ(first->inserted, 3u);  // Anna and Luca Ferraro, Fabio Caccamo
  // Casale Monferrato's rows are another comune's: refused one by one, with their lines.
  EXPECT_EQ(first->error_count, first->rows - 3);
  ASSERT_FALSE(first->errors.empty());
  EXPECT_EQ(first->errors.front().code, "anagrafe.row.other_comune");
  EXPECT_EQ(first->errors.front().line, 4u);
  EXPECT_EQ(first->streets_added, 1u);
  const auto versions = count_versions();
  auto again = load(asti_, all.str());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->unchanged, 3u);
  EXPECT_EQ(count_versions(), versions);
  EXPECT_EQ(svc_->counts(asti_).people, 3);
  EXPECT_EQ(svc_->counts(novara_).people, 0);
  // Each run is audited on the body's chain.
  sp::audit::Query q;
  q.action = "anagrafe.import";
  EXPECT_EQ(audit_->entries(asti_, q).entries.size(), 2u);
  EXPECT_TRUE(audit_->verify(asti_).intact);
}

TEST_P(AnagrafeTest, TheCurrentVersionIsTheLatestNotAfterTodayAndEveryVersionIsKept) {
  const std::string cf = "CCCFBA85D03L219P";
  std::string text = line({}) +
                     line({{"data_variazione", "2020-02-01"},
                           {"denominazione_via", "ALFIERI"},
                           {"civico", "5"},
                           {"stato_civile", "2"}}) +
                     line({{"data_variazione", "2027-01-10"}, {"denominazione_via", "ROMA"}});
  auto r = load(asti_, text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 3u);
  auto now = svc_->current(asti_, cf);
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ((*now)[F::denominazione_via], "ALFIERI");
  EXPECT_EQ(now->street_line(), "VIA ALFIERI 5, int. 3");
  EXPECT_EQ(svc_->history(asti_, cf).size(), 3u);
  EXPECT_EQ(svc_->streets(asti_).size(), 3u);
  // The next year's version is in force once its day comes (Europe/Rome).
  clock_->set(sp::time::parse_iso_utc("2027-01-09T23:30:00Z").value());
  EXPECT_EQ((*svc_->current(asti_, cf))[F::denominazione_via], "ROMA");
  // Kept versions are never changed, not even by hand.
  EXPECT_THROW(db().write([](sp::db::Conn& tx) { tx.exec("UPDATE anagrafe_versions SET nome = 'X'"); }),
               sp::db::DbError);
  EXPECT_THROW(db().write([](sp::db::Conn& tx) { tx.exec("DELETE FROM anagrafe_versions"); }),
               sp::db::DbError);
  EXPECT_EQ(count_versions(), 3);
}

TEST_P(AnagrafeTest, HouseholdsLeaveOutWhoDiedOrMovedAndOwnRecordsFollowTheSignedInPerson) {
  const std::string head = "GTTDVD79H14B885C";
  const std::string child = cf_of("Gatti", "Tommaso", 2014, 9, 21, sp::cf::Sex::male);
  const std::string father = cf_of("Gatti", "Carlo", 1948, 2, 2, sp::cf::Sex::male);
  const std::string lodger = cf_of("Bo", "Paolo", 1990, 5, 5, sp::cf::Sex::male);
  std::string text = line({{"codice_fiscale", head},
                           {"cognome", "GATTI"},
                           {"nome", "DAVIDE"},
                           {"data_nascita", "1979-06-14"},
                           {"id_famiglia", "F1"},
                           {"data_variazione", "2000-01-01"}}) +
                     line({{"codice_fiscale", child},
                           {"cognome", "GATTI"},
                           {"nome", "TOMMASO"},
                           {"data_nascita", "2014-09-21"},
                           {"id_famiglia", "F1"},
                           {"relazione_parentela", "3"},
                           {"data_variazione", "2014-09-21"}}) +
                     line({{"codice_fiscale", father},
                           {"cognome", "GATTI"},
                           {"nome", "CARLO"},
                           {"data_nascita", "1948-02-02"},
                           {"id_famiglia", "F1"},
                           {"relazione_parentela", "6"},
                           {"data_variazione", "2010-01-01"}}) +
                     line({{"codice_fiscale", father},
                           {"cognome", "GATTI"},
                           {"nome", "CARLO"},
                           {"data_nascita", "1948-02-02"},
                           {"id_famiglia", "F1"},
                           {"relazione_parentela", "6"},
                           {"data_variazione", "2021-03-01"},
                           {"data_cancellazione", "2021-03-01"},
                           {"motivo_cancellazione", "decesso"},
                           {"data_decesso", "2021-03-01"}}) +
                     line({{"codice_fiscale", lodger},
                           {"cognome", "BO"},
                           {"nome", "PAOLO"},
                           {"data_nascita", "1990-05-05"},
                           {"id_famiglia", "F1"},
                           {"relazione_parentela", "9"},
                           {"data_variazione", "2015-01-01"}}) +
                     line({{"codice_fiscale", lodger},
                           {"cognome", "BO"},
                           {"nome", "PAOLO"},
                           {"data_nascita", "1990-05-05"},
                           {"id_famiglia", "F2"},
                           {"data_variazione", "2019-01-01"}});
  auto r = load(asti_, text);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->error_count, 0u) << r->errors.front().code << " " << r->errors.front().detail;
  auto members = svc_->household(asti_, "F1");
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0][F::codice_fiscale], head);
  EXPECT_EQ(members[1][F::codice_fiscale], child);
  Principal davide;
  davide.kind = PrincipalKind::person;
  davide.subject = head;
  davide.roles = {Role::citizen};
  auto own = svc_->own_records(&davide);
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ(own->front().tenant_id, asti_);
  EXPECT_EQ(own->front().household.size(), 2u);
  // A person nobody registered has no record (the page explains); staff have no personal area.
  davide.subject = "RNLLSE81R43A182A";
  EXPECT_TRUE(svc_->own_records(&davide)->empty());
  auto clerk = staff(asti_, Role::body_admin);
  EXPECT_EQ(svc_->own_records(&clerk).error().code, "forbidden");
  EXPECT_EQ(svc_->own_records(nullptr).error().code, "auth.required");
}

TEST_P(AnagrafeTest, BadRowsAreReportedWithTheirLinesAndTheRestIsImported) {
  const std::string csv_header =
      "codice_fiscale,cognome,nome,sesso,data_nascita,comune_nascita_istat,luogo_nascita,stato_nascita,"
      "cittadinanza,comune_istat,id_famiglia,relazione_parentela,specie_via,denominazione_via,civico,"
      "esponente,"
      "interno,cap,stato_civile,data_iscrizione,data_cancellazione,motivo_cancellazione,data_decesso,"
      "certificabilita,data_variazione\n";
  const std::string good = cf_of("Rossi", "Maria", 1990, 1, 2, sp::cf::Sex::female);
  std::string bad_check = good;
  bad_check.back() = bad_check.back() == 'A' ? 'B' : 'A';
  std::string csv =
      csv_header +
      // line 2: a quoted street name holding a comma
      good +
      ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,005005,AT-9,1,VIA,\"DEI MILLE, ALTO\",1,,,14100,1,"
      "1990-01-02,,,,2,1990-01-02\n" +
      // lines 3-4: one record whose quoted name holds a line break (read whole, refused: no control
      // characters)
      good +
      ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,005005,AT-9,1,VIA,\"DEI MILLE\nALTO\",1,,,14100,1,"
      "1990-01-02,,,,2,1999-01-02\n" +
      // line 5: a wrong check letter
      bad_check + ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,005005,AT-9,1,,,,,,,1,,,,,2,1990-01-02\n" +
      // line 6: 31 February
      good + ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,005005,AT-9,1,,,,,,,1,,,,,2,2020-02-31\n" +
      // line 7: too few columns
      good + ",ROSSI\n" +
      // line 8: another comune
      good + ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,003106,AT-9,1,,,,,,,1,,,,,2,2021-01-01\n" +
      // line 9: a civil status that is not a code
      good + ",ROSSI,MARIA,F,1990-01-02,005005,ASTI,100,100,005005,AT-9,1,,,,,,,9,,,,,2,2022-01-01\n";
  auto r = load(asti_, csv, Format::csv, 2);
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->rows, 7u);
  EXPECT_EQ(r->inserted, 1u);
  ASSERT_EQ(r->error_count, 6u);
  const std::vector<std::pair<std::size_t, std::string>> expected = {
      {3, "anagrafe.row.control"}, {5, "anagrafe.row.codice_fiscale"}, {6, "anagrafe.row.date"},
      {7, "anagrafe.row.columns"}, {8, "anagrafe.row.other_comune"},   {9, "anagrafe.row.code"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r->errors[i].line, expected[i].first) << i;
    EXPECT_EQ(r->errors[i].code, expected[i].second) << i;
    // Each reason reads in Italian and English.
    for (const char* lang : {"it", "en"}) {
      const auto text = sp::testing::locales().message(lang, sp::Error::make(r->errors[i].code, 400, "x"));
      EXPECT_EQ(text.find("error."), std::string::npos) << lang << " " << r->errors[i].code;
    }
  }
  EXPECT_EQ((*svc_->current(asti_, good))[F::denominazione_via], "DEI MILLE, ALTO");
  // The registry office sees the same report later.
  auto manager = staff(asti_, Role::office_manager);
  auto detail = svc_->import_detail(&manager, asti_, r->import_id);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->first.errors, 6);
  EXPECT_EQ(detail->second.size(), 6u);
  EXPECT_EQ(detail->second[3].line, 7u);
  // A file without one of the format's columns is refused whole.
  auto missing = load(asti_, "codice_fiscale,cognome\n" + good + ",ROSSI\n", Format::csv);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "anagrafe.file.missing_column");
  // JSON Lines: broken JSON and a number where text belongs.
  auto js = load(asti_, "{nope\n" + line({{"data_variazione", "2023-01-01"}}) + "{\"cognome\": 3}\n");
  ASSERT_TRUE(js.ok());
  ASSERT_EQ(js->error_count, 2u);
  EXPECT_EQ(js->errors[0].code, "anagrafe.row.json");
  EXPECT_EQ(js->errors[0].line, 1u);
  EXPECT_EQ(js->errors[1].code, "anagrafe.row.not_text");
  EXPECT_EQ(js->errors[1].line, 3u);
}

TEST_P(AnagrafeTest, AKeptVersionIsNeverOverwrittenByADifferentOneOfTheSameDay) {
  ASSERT_TRUE(load(asti_, line({})).ok());
  auto r =
      load(asti_, line({{"interno", "9"}}) + line({{"interno", "9"}, {"data_variazione", "2024-05-05"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 1u);
  ASSERT_EQ(r->error_count, 1u);
  EXPECT_EQ(r->errors[0].code, "anagrafe.row.conflict");
  EXPECT_EQ(r->errors[0].line, 1u);
  EXPECT_EQ(svc_->history(asti_, "CCCFBA85D03L219P").front()[F::interno], "3");
  // The same day twice in one file: the first stands, an identical copy is unchanged.
  auto dup =
      load(asti_, line({{"data_variazione", "2025-01-01"}}) + line({{"data_variazione", "2025-01-01"}}));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->inserted, 1u);
  EXPECT_EQ(dup->unchanged, 1u);
}

// A stream that fails when it reaches the line after `limit` lines, as a process killed halfway stops
// reading its file. One character at a time, so that the reader cannot run ahead of the failure.
class Interrupted : public std::streambuf {
 public:
  Interrupted(std::string s, int limit) : s_(std::move(s)), lines_left_(limit) {}

 protected:
  int_type underflow() override {
    if (pos_ >= s_.size()) return traits_type::eof();
    if (pos_ > 0 && s_[pos_ - 1] == '\n' && --lines_left_ == 0) throw std::runtime_error("killed");
    ch_ = s_[pos_++];
    setg(&ch_, &ch_, &ch_ + 1);
    return traits_type::to_int_type(ch_);
  }

 private:
  std::string s_;
  std::size_t pos_ = 0;
  int lines_left_;
  char ch_ = 0;
};

TEST_P(AnagrafeTest, ARunStoppedHalfwayKeepsWholeVersionsAndTheNextRunCompletesIt) {
  std::string text;
  std::vector<std::string> people;
  for (int i = 1; i <= 9; ++i) {
    const auto cf = cf_of("Verdi", "Gianni", 1950 + i, 3, 1, sp::cf::Sex::male);
    people.push_back(cf);
    text += line({{"codice_fiscale", cf},
                  {"data_nascita", std::to_string(1950 + i) + "-03-01"},
                  {"id_famiglia", "V" + std::to_string(i)},
                  {"data_variazione", "2001-01-01"}});
  }
  {
    Interrupted buf(text, 7);
    std::istream in(&buf);
    in.exceptions(std::ios::badbit);
    ImportOptions o;
    o.batch_size = 3;
    EXPECT_ANY_THROW((void)svc_->import(ImportActor{nullptr, "test"}, asti_, Format::jsonl, "cut", in, o));
  }
  // Two batches of three were committed; the third was never written: each person whole or absent.
  EXPECT_EQ(count_versions(), 6);
  for (std::size_t i = 0; i < people.size(); ++i)
    EXPECT_EQ(svc_->current(asti_, people[i]).has_value(), i < 6) << i;
  auto runs = svc_->imports(asti_);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].finished_at.empty());
  auto again = load(asti_, text, Format::jsonl, 3);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 3u);
  EXPECT_EQ(again->unchanged, 6u);
  EXPECT_EQ(count_versions(), 9);
}

TEST_P(AnagrafeTest, BodiesNeverSeeOrLoadEachOthersResidents) {
  ASSERT_TRUE(load(asti_, line({})).ok());
  // Novara's administrator cannot import into Asti, nor read Asti's runs; Asti's manager can.
  auto novara_admin = staff(novara_, Role::body_admin);
  auto asti_operator = staff(asti_, Role::operator_);
  auto asti_manager = staff(asti_, Role::office_manager);
  std::istringstream in(line({{"data_variazione", "2024-01-01"}}));
  auto refused = svc_->import(ImportActor{&novara_admin, {}}, asti_, Format::jsonl, "x", in);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "forbidden");
  std::istringstream in2(line({{"data_variazione", "2024-01-01"}}));
  EXPECT_EQ(svc_->import(ImportActor{&asti_operator, {}}, asti_, Format::jsonl, "x", in2).error().code,
            "forbidden");
  std::istringstream in3(line({{"data_variazione", "2024-01-01"}}));
  auto ok = svc_->import(ImportActor{&asti_manager, {}}, asti_, Format::jsonl, "x", in3);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->inserted, 1u);
  EXPECT_EQ(svc_->import_detail(&novara_admin, asti_, ok->import_id).error().code, "forbidden");
  EXPECT_EQ(svc_->import_detail(&novara_admin, novara_, ok->import_id).error().code, "not_found");
  // Asti's resident is not Novara's: Novara's register knows nobody, and an Asti row is no Novara row.
  EXPECT_FALSE(svc_->current(novara_, "CCCFBA85D03L219P").has_value());
  EXPECT_TRUE(svc_->household(novara_, "AT-0002").empty());
  auto wrong = load(novara_, line({}));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->inserted, 0u);
  EXPECT_EQ(wrong->errors.at(0).code, "anagrafe.row.other_comune");
  EXPECT_EQ(svc_->counts(novara_).people, 0);
}

TEST_P(AnagrafeTest, TheRegisterPrefillsAddressAndChildrenAndConfirmsParents) {
  const std::string head = "CCCFBA85D03L219P";
  const std::string kid = cf_of("Caccamo", "Luca", 2015, 5, 10, sp::cf::Sex::male);
  const std::string grown = cf_of("Caccamo", "Marta", 2000, 1, 15, sp::cf::Sex::female);
  ASSERT_EQ(load(asti_, line({}) +
                            line({{"codice_fiscale", kid},
                                  {"nome", "LUCA"},
                                  {"data_nascita", "2015-05-10"},
                                  {"relazione_parentela", "3"},
                                  {"data_variazione", "2015-05-10"}}) +
                            line({{"codice_fiscale", grown},
                                  {"nome", "MARTA"},
                                  {"sesso", "F"},
                                  {"data_nascita", "2000-01-15"},
                                  {"relazione_parentela", "3"},
                                  {"data_variazione", "2012-06-01"}}))
                ->error_count,
            0u);
  RegisterPrefill prefill(*svc_, *tenants_);
  sp::forms::Facts facts;
  prefill.add_person_facts(asti_, head, facts);
  ASSERT_TRUE(facts.contains("person.address"));
  EXPECT_EQ(facts.at("person.address").at("street").as_string(), "VIA CAVOUR");
  EXPECT_EQ(facts.at("person.address").at("number").as_string(), "12");
  EXPECT_EQ(facts.at("person.address").at("municipality").as_string(), "Asti");
  EXPECT_EQ(facts.at("person.family").as_array().size(), 2u);
  ASSERT_EQ(facts.at("person.children").as_array().size(), 1u);  // the adult daughter is not enrolled
  EXPECT_EQ(facts.at("person.children").as_array()[0].at("fiscal_code").as_string(), kid);
  // The child's own facts have no children; someone unknown gets none at all.
  sp::forms::Facts child_facts;
  prefill.add_person_facts(novara_, kid, child_facts);  // not Novara's: Asti's record is used
  EXPECT_FALSE(child_facts.contains("person.children"));
  EXPECT_EQ(child_facts.at("person.birth_date").as_string(), "2015-05-10");
  sp::forms::Facts nobody;
  prefill.add_person_facts(asti_, "RSSMRA80A01H501U", nobody);
  EXPECT_TRUE(nobody.empty());
  // Parents: the head for the minor child, in Asti only; never for the adult, never the child for the head.
  RegisterFamily family(*svc_);
  EXPECT_TRUE(family.confirms_minor_child(asti_, head, kid));
  EXPECT_FALSE(family.confirms_minor_child(novara_, head, kid));
  EXPECT_FALSE(family.confirms_minor_child(asti_, head, grown));
  EXPECT_FALSE(family.confirms_minor_child(asti_, kid, head));
  EXPECT_EQ(family.birth_date(kid), "2015-05-10");
  EXPECT_TRUE(minor_on("2015-05-10", "2033-05-09"));
  EXPECT_FALSE(minor_on("2015-05-10", "2033-05-10"));  // of age on the 18th birthday
}

TEST_P(AnagrafeTest, TheSyntheticPopulationIsDeterministicAndImportsWithoutErrors) {
  const std::vector<SyntheticComune> comuni = {{"005005", "A479", "ASTI", "14100", 3}};
  auto lines = [&] {
    SyntheticPopulation g(comuni, 200, 7);
    std::string all, l;
    while (g.next(l)) all += l + "\n";
    EXPECT_EQ(g.people_written(), 200);
    EXPECT_GT(g.lines_written(), 200);  // moves and deaths are later versions
    return all;
  };
  const std::string text = lines();
  EXPECT_EQ(text, lines());
  auto r = load(asti_, text, Format::jsonl, 500);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error_count, 0u) << (r->errors.empty() ? "" : r->errors[0].code + " " + r->errors[0].detail);
  EXPECT_EQ(svc_->counts(asti_).people, 200);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AnagrafeTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
