// The ANPR simulator's rules, called without HTTP: what it answers for the demo's people, what it refuses
// (with which code), replays of the same operation id, and the verification of what it issued. Every
// answer is checked against ANPR's published schema.
#include "adapters/anpr/simulator.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/digest.hpp"
#include "support/anpr_schema.hpp"

namespace sp::anpr::sim {
namespace {

using sp::testing::anpr_schema_errors;

constexpr const char* kCasale = "006039";
constexpr const char* kSecret = "casale-secret";
constexpr const char* kBearer = "Bearer casale-secret";

class AnprSimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Someone who emigrated, someone untraceable, a partially certifiable person: added to the demo's file.
    const auto extra = dir_.path() / "extra.jsonl";
    std::ofstream(extra)
        << R"({"codice_fiscale":"MGRMRC70A01B885X","cognome":"MIGRANTI","nome":"MARCO","sesso":"M","data_nascita":"1970-01-01","comune_istat":"006039","id_famiglia":"CM-0099","relazione_parentela":"1","certificabilita":"2","data_cancellazione":"2024-05-01","motivo_cancellazione":"emigrazione","data_variazione":"2024-05-01"})"
        << "\n"
        << R"({"codice_fiscale":"RRPRSS70A41B885Y","cognome":"IRREPERIBILE","nome":"ROSSA","sesso":"F","data_nascita":"1970-01-01","comune_istat":"006039","id_famiglia":"CM-0098","relazione_parentela":"1","certificabilita":"2","data_cancellazione":"2023-01-01","motivo_cancellazione":"irreperibilita","data_variazione":"2023-01-01"})"
        << "\n"
        << R"({"codice_fiscale":"PRZPLA70A01B885Z","cognome":"PARZIALE","nome":"PAOLA","sesso":"F","data_nascita":"1970-01-01","comune_istat":"006039","id_famiglia":"CM-0097","relazione_parentela":"1","certificabilita":"1","data_variazione":"2000-01-01"})"
        << "\n";
    SimulatorOptions o;
    o.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl", extra.string()};
    o.comuni_file = sp::testing::source_dir() + "/data/demo/bodies.json";
    o.credentials = {{kSecret, kCasale}, {"asti-secret", "005005"}};
    o.base_url = "http://localhost:9";
    o.share_dir = sp::testing::source_dir();
    clock_.set(*time::parse_iso_utc("2026-12-05T09:00:00Z"));
    o.clock = &clock_;
    sim_ = std::make_unique<Simulator>(o);
  }

  std::string next_id() { return std::to_string(++id_); }

  CertificateRequest request(const std::string& cf, std::vector<int> types) {
    CertificateRequest r;
    r.header = {next_id(), kCasale, "6001", "2026-12-05T10:00:00", "PROD"};
    r.types = std::move(types);
    r.subject.codice_fiscale = cf;
    r.subject.surname = "X";
    r.subject.name = "Y";
    r.office_surname = "SPORTELLO";
    r.office_name = "TELEMATICO";
    r.requester_type = RequesterType::self;
    r.channel = Channel::online;
    r.stamp_duty = 1600;
    r.stamp_mode = 1;
    return r;
  }

  CertificateResponse certify(const CertificateRequest& r, const char* bearer = kBearer) {
    auto a = sim_->certify(bearer, render_certificate_request(r));
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(anpr_schema_errors(a.envelope, "6001certificazione.xsd"), "");
    auto parsed = parse_certificate_response(a.envelope);
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().detail);
    return parsed ? *parsed : CertificateResponse{};
  }

  std::string refusal(const CertificateRequest& r) {
    auto res = certify(r);
    EXPECT_FALSE(res.ok);
    EXPECT_EQ(res.header.outcome, "3");
    return res.errors.empty() ? std::string("none") : res.errors.front().code;
  }

  // The cases below, run by two test cases (each a process under the sanitizers).
  void ConsultsAPersonAndTheLivingMembersOfTheHousehold();
  void IssuesAFamilyCertificateThatVerifiesAndAChangedPdfDoesNot();
  void APreviewChecksAsOnlineAndIssuesNothing();
  void TheSameOperationIdGetsTheSameCertificateNotASecondOne();
  void RefusesWhatAnprRefuses();
  void OnlineOnlyForThemselvesAndTheirHouseholdAtTheCounterAnyone();
  void AComuneSpeaksOnlyForItselfAndOnlyWithItsCredential();

  sp::testing::TempDir dir_;
  time::TestClock clock_;
  std::unique_ptr<Simulator> sim_;
  long long id_ = 1000;
};

void AnprSimulatorTest::ConsultsAPersonAndTheLivingMembersOfTheHousehold() {
  ConsultRequest r{
      {next_id(), kCasale, "3002", "2026-12-05T10:00:00", "PROD"}, "GTTDVD79H14B885C", "2026-12-05", true};
  auto a = sim_->consult(kBearer, render_consult_request(r));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(anpr_schema_errors(a.envelope, "3000consultazione.xsd"), "");
  auto res = parse_consult_response(a.envelope);
  ASSERT_TRUE(res && res->ok);
  std::vector<std::string> cfs;
  for (const auto& p : res->people) cfs.push_back(p.codice_fiscale);
  // Davide first; his wife, his son and his mother; not his late father, not the neighbour.
  EXPECT_EQ(cfs, (std::vector<std::string>{"GTTDVD79H14B885C", "RNLLSE81R43A182A", "GTTTMS16A22B885C",
                                           "GTTRSO38D57B885U"}));
  EXPECT_EQ(res->people[0].residence.comune_name, "CASALE MONFERRATO");
  EXPECT_EQ(res->people[0].residence.province, "AL");
  EXPECT_EQ(res->household_id, "CM0001");

  ConsultRequest nobody{
      {next_id(), kCasale, "3002", "2026-12-05T10:00:00", "PROD"}, "XXXXXX00A00X000X", "2026-12-05", false};
  auto ko = parse_consult_response(sim_->consult(kBearer, render_consult_request(nobody)).envelope);
  ASSERT_TRUE(ko);
  EXPECT_FALSE(ko->ok);
  EXPECT_EQ(ko->errors.at(0).code, "EN122");
}

void AnprSimulatorTest::IssuesAFamilyCertificateThatVerifiesAndAChangedPdfDoesNot() {
  auto res = certify(request("GTTDVD79H14B885C", {12}));
  ASSERT_TRUE(res.ok);
  ASSERT_EQ(res.pdf.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(res.members.size(), 3u);  // wife, son, mother
  auto issued = sim_->issued();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].protocol, res.protocol);
  Issued found;
  EXPECT_EQ(sim_->verify(issued[0].code, digest::sha256_hex(res.pdf), &found), Verdict::valid);
  EXPECT_EQ(found.subject_cf, "GTTDVD79H14B885C");
  // The code typed in lower case and without dashes is the same code.
  std::string typed;
  for (char c : issued[0].code)
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(sim_->verify(typed, digest::sha256_hex(res.pdf)), Verdict::valid);
  std::string changed = res.pdf;
  changed[changed.size() / 2] ^= 0x01;
  EXPECT_EQ(sim_->verify(issued[0].code, digest::sha256_hex(changed)), Verdict::unknown);
  EXPECT_EQ(sim_->verify("AAAA-BBBB-CCCC-DDDD", digest::sha256_hex(res.pdf)), Verdict::unknown);
}

void AnprSimulatorTest::APreviewChecksAsOnlineAndIssuesNothing() {
  auto preview = request("GTTDVD79H14B885C", {12});
  preview.channel = Channel::preview;
  auto res = certify(preview);
  EXPECT_TRUE(res.ok);
  EXPECT_TRUE(res.pdf.empty());
  EXPECT_EQ(res.members.size(), 3u);
  EXPECT_TRUE(sim_->issued().empty());
  auto rosa = request("GTTRSO38D57B885U", {12});
  rosa.channel = Channel::preview;
  EXPECT_EQ(refusal(rosa), "EC001");
}

void AnprSimulatorTest::TheSameOperationIdGetsTheSameCertificateNotASecondOne() {
  auto r = request("GTTDVD79H14B885C", {8, 5, 12});
  const auto body = render_certificate_request(r);
  auto first = sim_->certify(kBearer, body);
  auto second = sim_->certify(kBearer, body);
  EXPECT_EQ(first.envelope, second.envelope);
  EXPECT_EQ(sim_->issued().size(), 1u);
  // An unknown id lower than the last one is refused.
  auto old = request("GTTDVD79H14B885C", {8});
  old.header.operation_id = "5";
  EXPECT_EQ(refusal(old), "EA003");
}

void AnprSimulatorTest::RefusesWhatAnprRefuses() {
  EXPECT_EQ(refusal(request("GTTRSO38D57B885U", {12})), "EC001");  // Rosa: not certifiable (table 42: 0)
  EXPECT_EQ(refusal(request("GTTCRL35B11B885T", {8})), "EC003");   // Carlo: deceased
  EXPECT_EQ(refusal(request("MGRMRC70A01B885X", {8})), "EC004");   // emigrated
  EXPECT_EQ(refusal(request("RRPRSS70A41B885Y", {8})), "EC005");   // untraceable
  EXPECT_EQ(refusal(request("PRZPLA70A01B885Z", {5})), "EC002");   // partial: no citizenship
  EXPECT_TRUE(certify(request("PRZPLA70A01B885Z", {8})).ok);       // ... but residence
  EXPECT_EQ(refusal(request("XXXXXX00A00X000X", {8})), "EN122");
  EXPECT_EQ(refusal(request("GTTDVD79H14B885C", {21})), "EC010");
  EXPECT_EQ(refusal(request("GTTDVD79H14B885C", {2})), "EC011");  // morte, alive

  // Stamp duty: none and no exemption is refused; an exemption, or an exempt type, is not.
  auto no_duty = request("GTTDVD79H14B885C", {8});
  no_duty.stamp_duty = 0;
  no_duty.stamp_mode = 0;
  EXPECT_EQ(refusal(no_duty), "EC007");
  auto exempt = no_duty;
  exempt.header.operation_id = next_id();
  exempt.exemption = 3;
  EXPECT_TRUE(certify(exempt).ok);
  auto other = no_duty;
  other.header.operation_id = next_id();
  other.exemption = 99;
  EXPECT_EQ(refusal(other), "EC009");
  auto bad_code = no_duty;
  bad_code.header.operation_id = next_id();
  bad_code.exemption = 42;
  EXPECT_EQ(refusal(bad_code), "EC008");
  auto civil = no_duty;
  civil.header.operation_id = next_id();
  civil.types = {11};
  EXPECT_TRUE(certify(civil).ok);
}

void AnprSimulatorTest::OnlineOnlyForThemselvesAndTheirHouseholdAtTheCounterAnyone() {
  Person davide;
  davide.codice_fiscale = "GTTDVD79H14B885C";
  davide.surname = "GATTI";
  davide.name = "DAVIDE";
  auto son = request("GTTTMS16A22B885C", {12});
  son.requester = davide;
  son.requester_type = RequesterType::other;
  EXPECT_TRUE(certify(son).ok);

  auto neighbour = request("BOXPLA65L08A182K", {8});  // Paolo Bo, next door
  neighbour.requester = davide;
  neighbour.requester_type = RequesterType::other;
  EXPECT_EQ(refusal(neighbour), "EC006");
  auto self_claim = request("BOXPLA65L08A182K", {8});
  self_claim.requester = davide;  // "self", but someone else
  EXPECT_EQ(refusal(self_claim), "EC006");

  neighbour.header.operation_id = next_id();
  neighbour.channel = Channel::counter;
  EXPECT_TRUE(certify(neighbour).ok);
  // Anyone registered in ANPR, wherever they live (Anna Ferraro lives in Asti).
  auto elsewhere = request("FRRNNA78S70A479X", {8});
  elsewhere.channel = Channel::counter;
  elsewhere.requester = davide;
  elsewhere.requester_type = RequesterType::other;
  EXPECT_TRUE(certify(elsewhere).ok);
}

void AnprSimulatorTest::AComuneSpeaksOnlyForItselfAndOnlyWithItsCredential() {
  auto r = request("GTTDVD79H14B885C", {8});
  EXPECT_EQ(sim_->certify("", render_certificate_request(r)).status, 401);
  EXPECT_EQ(sim_->certify("Bearer wrong", render_certificate_request(r)).status, 401);
  // Asti's credential, Casale's codMittente.
  auto a = sim_->certify("Bearer asti-secret", render_certificate_request(r));
  auto res = parse_certificate_response(a.envelope);
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->ok);
  EXPECT_EQ(res->errors.at(0).code, "EA002");
  EXPECT_TRUE(sim_->issued().empty());
  EXPECT_EQ(sim_->certify(kBearer, "<not-soap/>").status, 500);
}

TEST_F(AnprSimulatorTest, AnswersIssuesAndVerifies) {
  ConsultsAPersonAndTheLivingMembersOfTheHousehold();
  SetUp();  // a fresh simulator
  IssuesAFamilyCertificateThatVerifiesAndAChangedPdfDoesNot();
  SetUp();  // a fresh simulator
  APreviewChecksAsOnlineAndIssuesNothing();
}

TEST_F(AnprSimulatorTest, RefusesAndAuthenticates) {
  TheSameOperationIdGetsTheSameCertificateNotASecondOne();
  SetUp();  // a fresh simulator
  RefusesWhatAnprRefuses();
  SetUp();  // a fresh simulator
  OnlineOnlyForThemselvesAndTheirHouseholdAtTheCounterAnyone();
  SetUp();  // a fresh simulator
  AComuneSpeaksOnlyForItselfAndOnlyWithItsCredential();
}

}  // namespace
}  // namespace sp::anpr::sim
