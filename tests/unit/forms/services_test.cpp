// The rules of each shipped definition: one or two per service, on the real JSON of data/forms/.
#include <gtest/gtest.h>

#include "forms/answers.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

Definition load(const std::string& code) {
  auto d = load_definition_file(sp::testing::source_dir() + "/data/forms/" + code + ".json");
  EXPECT_TRUE(d) << d.error().detail;
  return d ? std::move(d).value() : Definition{};
}

TEST(Services, PublicLandOccupationFeeFromAreaDaysAndPurpose) {
  auto d = load("occupazione-suolo-pubblico");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"purpose": "dehors", "length": "5", "width": "2,5", "date_from": "2026-06-01", "date_to": "2026-06-30",
                       "roadway": "no"})");
  auto typed = typed_answers(d, a, ctx);
  EXPECT_EQ(typed.at("area"), json::value(12.5));
  EXPECT_EQ(typed.at("days"), json::value(30));
  EXPECT_EQ(typed.at("fee_estimate"), json::value(45000));  // 12.5 m² × 30 days × €1.20
  a["purpose"] = "trasloco";
  a["date_to"] = "2026-06-01";
  a["length"] = "1";
  a["width"] = "1";
  EXPECT_EQ(typed_answers(d, a, ctx).at("fee_estimate"), json::value(2500));  // the minimum fee
  // at least 10 days ahead; traffic measures only when the roadway is occupied
  a["date_from"] = "2026-05-20";
  a["roadway"] = "yes";
  auto issues = validate_step(d, "occupation", a, ctx);
  EXPECT_EQ(codes_at(issues, "date_from"), std::vector<std::string>{"date_min"});
  EXPECT_EQ(codes_at(issues, "traffic_measures"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "site_plan"), std::vector<std::string>{"required"});
}

TEST(Services, ZtlPermitPlatesAndPeriod) {
  auto d = load("permesso-ztl");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"reason": "disabile", "cude_number": "", "valid_from": "2026-06-01", "valid_to": "2028-06-30",
                       "ztl_address": {"street": "Via Roma", "number": "1", "postcode": "15033", "municipality": "Casale Monferrato"},
                       "vehicles": [{"plate": "AB-123", "kind": "auto", "ownership": "proprio"},
                                    {"plate": "ab123cd", "kind": "auto", "ownership": "aziendale"},
                                    {"plate": "CD456EF", "kind": "moto", "ownership": "proprio"}]})");
  auto issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "cude_number"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "valid_to"), std::vector<std::string>{"check"});  // more than two years
  EXPECT_EQ(codes_at(issues, "vehicles"), std::vector<std::string>{"group_too_many"});
  a["vehicles"].as_array().pop_back();
  issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "vehicles[0].plate"), std::vector<std::string>{"pattern"});
  EXPECT_NE(message(locales(), "en", *find_issue(issues, "vehicles[0].plate")).find("AB123CD"),
            std::string::npos);
  EXPECT_TRUE(codes_at(issues, "vehicles[1].plate").empty());
  EXPECT_EQ(codes_at(issues, "vehicles[1].use_document"), std::vector<std::string>{"required"});
  EXPECT_TRUE(codes_at(issues, "title_document").empty());  // not needed for a CUDE holder
}

TEST(Services, MaternityAllowanceThresholdDeadlineAndDifference) {
  auto d = load("assegno-maternita");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"event": "nascita", "child_birth_date": "2025-10-01", "deadline_ok": "on", "isee_value": "20.382,91",
                       "other_maternity_pay": "yes", "other_maternity_amount": "500,00", "iban": "IT60X0542811101000000123456"})");
  auto issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "isee_value"), std::vector<std::string>{"check"});
  EXPECT_EQ(codes_at(issues, "deadline_ok"),
            std::vector<std::string>{"check"});  // born more than 6 months ago
  EXPECT_EQ(typed_answers(d, a, ctx).at("allowance_estimate"), json::value(153700));  // €2,037.00 - €500.00
  a["isee_value"] = "20.382,90";
  a["child_birth_date"] = "2026-01-10";
  issues = validate(d, a, ctx);
  EXPECT_TRUE(codes_at(issues, "isee_value").empty());
  EXPECT_TRUE(codes_at(issues, "deadline_ok").empty());
  // an adoption counts from the child's entry into the family
  a["event"] = "adozione";
  a["child_birth_date"] = "2020-01-10";
  a["entry_date"] = "2026-03-01";
  EXPECT_TRUE(codes_at(validate(d, a, ctx), "deadline_ok").empty());
  a["iban"] = "IT60X0542811101000000123457";
  EXPECT_EQ(codes_at(validate(d, a, ctx), "iban"), std::vector<std::string>{"iban_invalid"});
}

TEST(Services, TariCessationHidesTheOccupationFields) {
  auto d = load("dichiarazione-tari");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"declaration_kind": "cessazione", "event_date": "2026-04-30",
                       "property_address": {"street": "Via Roma", "number": "1", "postcode": "15033", "municipality": "Casale"},
                       "cadastral_sheet": "12", "cadastral_parcel": "345", "surface_m2": "abc",
                       "cessation_reason": "trasloco", "utilities_closed": "on"})");
  auto issues = validate_step(d, "property", a, ctx);
  EXPECT_TRUE(codes_at(issues, "surface_m2").empty());  // hidden for a cessation
  EXPECT_EQ(codes_at(issues, "new_address.street"), std::vector<std::string>{"street_required"});
  a["declaration_kind"] = "iscrizione";
  a["surface_m2"] = "85,5";
  a["household_size"] = "3";
  a["title"] = "locazione";
  a["use"] = "principale";
  a["outbuildings_m2"] = "15";
  issues = validate_step(d, "property", a, ctx);
  EXPECT_EQ(codes_at(issues, "surface_m2"), std::vector<std::string>{"number_integer"});
  EXPECT_EQ(codes_at(issues, "owner_code"),
            std::vector<std::string>{"required"});              // a tenant names the owner
  EXPECT_TRUE(codes_at(issues, "new_address.street").empty());  // cessation section hidden
  a["surface_m2"] = "85";
  EXPECT_EQ(typed_answers(d, a, ctx).at("total_m2"), json::value(100));
}

TEST(Services, ImuCadastralCategoryAndLoanContract) {
  auto d = load("dichiarazione-imu");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"tax_year": "2025", "properties": [
      {"kind": "fabbricato", "address": "Via Roma 1", "category": "A/12", "sheet": "1", "parcel": "2", "value_base": "500,00",
       "share_percent": "50", "start_date": "2025-03-01", "event": "comodato"},
      {"kind": "terreno", "address": "Loc. Vallone", "sheet": "7", "parcel": "88", "value_base": "120", "share_percent": "100",
       "start_date": "2010-01-01", "event": "altro", "notes": "Terreno incolto"}]})");
  auto issues = validate_step(d, "properties", a, ctx);
  EXPECT_EQ(codes_at(issues, "properties[0].category"), std::vector<std::string>{"pattern"});
  EXPECT_EQ(codes_at(issues, "properties[0].loan_contract"), std::vector<std::string>{"required"});
  EXPECT_EQ(issues.size(), 2u);
  a["properties"].as_array()[0].as_object()["category"] = "A/2";
  a["properties"].as_array()[0].as_object()["loan_contract"] =
      json::parse(R"([{"id": "c1", "name": "comodato.pdf", "size": 1000, "mime": "application/pdf"}])");
  EXPECT_TRUE(validate_step(d, "properties", a, ctx).empty());
}

TEST(Services, AccessToRecordsNeedsAReasonAndTheDelegation) {
  auto d = load("accesso-atti");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"acting_as": "delegato", "represented_name": "Mario Rossi", "represented_code": "00743110157",
                       "records_description": "Permesso di costruire n. 12/2024 e tavole allegate", "reason": "corto",
                       "mode": "copia_conforme", "counterparties_known": "no"})");
  auto issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "reason"), std::vector<std::string>{"text_too_short"});
  EXPECT_EQ(codes_at(issues, "delivery"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "delegation"), std::vector<std::string>{"required"});
  EXPECT_TRUE(codes_at(issues, "represented_code").empty());  // a body's numeric code is accepted here
  EXPECT_TRUE(codes_at(issues, "counterparties").empty());
}

TEST(Services, NeighbourhoodShopFoodRequirementsAndArea) {
  auto d = load("scia-commercio-vicinato");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"sector": "non_alimentare", "sales_area_m2": "260", "operation": "apertura"})");
  auto issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "sales_area_m2"), std::vector<std::string>{"number_range"});
  EXPECT_TRUE(codes_at(issues, "professional_requirement").empty());
  EXPECT_TRUE(codes_at(issues, "previous_address.street").empty());
  a["sector"] = "misto";
  a["professional_requirement"] = "preposto";
  issues = validate(d, a, ctx);
  EXPECT_EQ(codes_at(issues, "manager_fiscal_code"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "haccp_notified"), std::vector<std::string>{"declaration_required"});
}

TEST(Services, CilaLateNoticeFeeAndDates) {
  auto d = load("pratiche-edilizie");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"timing": "da_iniziare", "start_date": "2026-05-01"})");
  EXPECT_EQ(codes_at(validate_step(d, "works", a, ctx), "start_date"),
            std::vector<std::string>{"date_range"});
  EXPECT_TRUE(typed_answers(d, a, ctx).at("late_fee").is_null());
  a["timing"] = "sanatoria";
  EXPECT_TRUE(codes_at(validate_step(d, "works", a, ctx), "start_date").empty());
  EXPECT_EQ(typed_answers(d, a, ctx).at("late_fee"), json::value(100000));
}

TEST(Services, WaterWithdrawalVolumeFromTheMeter) {
  auto d = load("denuncia-prelievo-acque");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"meter": "yes", "meter_start": "1.200", "meter_end": "4.750,5", "estimated_volume": "99"})");
  EXPECT_EQ(typed_answers(d, a, ctx).at("volume"), json::value(3550.5));
  a["meter_end"] = "1000";
  EXPECT_EQ(codes_at(validate_step(d, "well", a, ctx), "meter_end"), std::vector<std::string>{"number_min"});
  a["meter"] = "no";
  EXPECT_EQ(typed_answers(d, a, ctx).at("volume"), json::value(99));
  EXPECT_EQ(codes_at(validate_step(d, "well", a, ctx), "notes"), std::vector<std::string>{"required"});
}

TEST(Services, HeatingSystemReportFromTenKilowatts) {
  auto d = load("denuncia-impianti-termici");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"declaration_kind": "controllo", "power_kw": "24"})");
  auto issues = validate_step(d, "system", a, ctx);
  EXPECT_EQ(codes_at(issues, "check_report"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "system_code"), std::vector<std::string>{"required"});
  EXPECT_TRUE(codes_at(issues, "conformity").empty());
  a["power_kw"] = "8";
  a["declaration_kind"] = "nuovo";
  issues = validate_step(d, "system", a, ctx);
  EXPECT_TRUE(codes_at(issues, "check_report").empty());
  EXPECT_TRUE(codes_at(issues, "system_code").empty());
  EXPECT_EQ(codes_at(issues, "conformity"), std::vector<std::string>{"required"});
}

TEST(Services, SchoolTransportAutonomousExitFromTenYears) {
  auto d = load("iscrizione-trasporto-scolastico");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"children": [{"birth_date": "2015-01-01"}, {"birth_date": "2019-01-01"}], "delegates": [{"name": "Nonna"}]})");
  auto issues = validate_step(d, "children", a, ctx);
  EXPECT_EQ(codes_at(issues, "children[0].autonomous_exit"), std::vector<std::string>{"required"});
  EXPECT_TRUE(codes_at(issues, "children[1].autonomous_exit").empty());  // 7 years old: never alone
  EXPECT_EQ(codes_at(issues, "delegates[0].fiscal_code"), std::vector<std::string>{"required"});
}

TEST(Services, SchoolMealsMedicalDietsNeedACertificate) {
  auto d = load("iscrizione-mensa-scolastica");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(R"({"children": [{"diet": "yes", "diet_kind": ["vegetariana"], "class": "3 B"},
                                     {"diet": "yes", "diet_kind": ["celiachia"], "class": "quinta"}]})");
  auto issues = validate_step(d, "children", a, ctx);
  EXPECT_TRUE(codes_at(issues, "children[0].diet_certificate").empty());
  EXPECT_TRUE(codes_at(issues, "children[0].class").empty());
  EXPECT_EQ(codes_at(issues, "children[1].diet_certificate"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "children[1].class"), std::vector<std::string>{"pattern"});
}

TEST(Services, FeeReductionBandFromIsee) {
  auto d = load("riduzione-tariffe-scolastiche");
  auto ctx = context_today(2026, 5, 15);
  auto band = [&](const char* isee) {
    auto a = answers("{}");
    a["isee_value"] = isee;
    return typed_answers(d, a, ctx).at("reduction_percent");
  };
  EXPECT_EQ(band("5.999,99"), json::value(100));
  EXPECT_EQ(band("6.000,01"), json::value(50));
  EXPECT_EQ(band("15.000"), json::value(30));
  EXPECT_EQ(band("15.000,01"), json::value(0));
  auto a = answers(R"({"isee_protocol": "INPS-ISEE-2026-12345678-00", "isee_date": "2024-01-01"})");
  auto issues = validate_step(d, "services", a, ctx);
  EXPECT_TRUE(codes_at(issues, "isee_protocol").empty());
  EXPECT_EQ(codes_at(issues, "isee_date"), std::vector<std::string>{"date_range"});
}

TEST(Services, SecondarySchoolInstrumentsOnlyForTheMusicCourse) {
  auto d = load("iscrizione-scuola-secondaria");
  auto ctx = context_today(2026, 5, 15);
  auto a = answers(
      R"({"music_course": "yes", "instruments": ["pianoforte", "chitarra", "violino", "flauto"], "time_schedule": "30"})");
  auto issues = validate_step(d, "school", a, ctx);
  EXPECT_EQ(codes_at(issues, "instruments"), std::vector<std::string>{"choices_too_many"});
  EXPECT_TRUE(codes_at(issues, "canteen").empty());  // no afternoon days with 30 hours
  a["time_schedule"] = "36";
  EXPECT_EQ(codes_at(validate_step(d, "school", a, ctx), "canteen"), std::vector<std::string>{"required"});
}

}  // namespace
