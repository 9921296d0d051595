// ANPR's SOAP messages: what the adapter renders is valid against ANPR's published schemas
// (../shared/anpr/wsdl/comuni) and reads back as written.
#include "adapters/anpr/wire.hpp"

#include <gtest/gtest.h>

#include "support/anpr_schema.hpp"

namespace sp::anpr {
namespace {

using sp::testing::anpr_schema_errors;

RequestHeader request_header(const char* op) {
  return {"1733400000000001", "006039", op, "2026-12-05T10:00:00", "PROD"};
}

ResponseHeader response_header(const char* op, const char* outcome) {
  return {"1733400000000001", "006039", op, "2026-12-05T10:00:01", "700000001", outcome};
}

Person davide() {
  Person p;
  p.codice_fiscale = "GTTDVD79H14B885C";
  p.surname = "GATTI";
  p.name = "DAVIDE";
  p.sex = "M";
  p.birth_date = "1979-06-14";
  p.birth_comune_istat = "006039";
  p.birth_place = "CASALE MONFERRATO";
  p.birth_province = "AL";
  p.civil_status = "2";
  p.citizenships = {"100"};
  p.relation = "1";
  p.residence = {"15033", "006039", "CASALE MONFERRATO", "AL", "VIA", "ROMA", "8", "", "", "2000-01-01"};
  return p;
}

void ConsultRequestIsValidAndReadsBack() {
  ASSERT_TRUE(sp::testing::anpr_schemas_available());
  ConsultRequest r{request_header("3002"), "GTTDVD79H14B885C", "2026-12-05", true};
  const auto xml = render_consult_request(r);
  EXPECT_EQ(anpr_schema_errors(xml, "3000consultazione.xsd"), "");
  EXPECT_EQ(request_operation(xml), "3002");
  auto back = parse_consult_request(xml);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->codice_fiscale, "GTTDVD79H14B885C");
  EXPECT_EQ(back->reference_date, "2026-12-05");
  EXPECT_TRUE(back->household);
  EXPECT_EQ(back->header.operation_id, "1733400000000001");
  EXPECT_EQ(back->header.sender, "006039");
}

void ConsultResponsesAreValidAndReadBack() {
  ConsultResponse ok;
  ok.header = response_header("3002", "2");
  ok.ok = true;
  Person son;
  son.codice_fiscale = "GTTTMS16A22B885C";
  son.surname = "GATTI";
  son.name = "TOMMASO";
  son.birth_date = "2016-01-22";
  son.relation = "3";
  son.residence = davide().residence;
  Person late = son;
  late.codice_fiscale = "GTTCRL35B11B885T";
  late.death_date = "2021-08-30";
  late.cancellation_date = "2021-08-30";
  late.cancellation_reason = "1";
  ok.people = {davide(), son, late};
  ok.household_id = "CM-0001";
  ok.household_istat = "006039";
  const auto xml = render_consult_response(ok);
  EXPECT_EQ(anpr_schema_errors(xml, "3000consultazione.xsd"), "");
  auto back = parse_consult_response(xml);
  ASSERT_TRUE(back) << back.error().detail;
  ASSERT_TRUE(back->ok);
  ASSERT_EQ(back->people.size(), 3u);
  EXPECT_EQ(back->people[0].residence.street_name, "ROMA");
  EXPECT_EQ(back->people[0].birth_province, "AL");
  EXPECT_EQ(back->people[1].relation, "3");
  EXPECT_EQ(back->people[2].death_date, "2021-08-30");
  EXPECT_EQ(back->household_id, "CM0001");  // the schema allows letters and digits only

  ConsultResponse ko;
  ko.header = response_header("3002", "3");
  ko.errors = {{"EN122", "E", "La richiesta effettuata non produce alcun risultato", "codiceFiscale", "X"}};
  const auto ko_xml = render_consult_response(ko);
  EXPECT_EQ(anpr_schema_errors(ko_xml, "3000consultazione.xsd"), "");
  auto ko_back = parse_consult_response(ko_xml);
  ASSERT_TRUE(ko_back);
  EXPECT_FALSE(ko_back->ok);
  ASSERT_EQ(ko_back->errors.size(), 1u);
  EXPECT_EQ(ko_back->errors[0].code, "EN122");
}

void CertificateRequestIsValidAndReadsBack() {
  CertificateRequest r;
  r.header = request_header("6001");
  r.types = {8, 5, 12};  // the combined residence + citizenship + family certificate
  r.requester = davide();
  r.subject = davide();
  r.subject.codice_fiscale = "GTTTMS16A22B885C";
  r.subject.name = "TOMMASO";
  r.office_surname = "SPORTELLO";
  r.office_name = "TELEMATICO";
  r.requester_type = RequesterType::other;
  r.channel = Channel::online;
  r.exemption = 99;
  r.exemption_text = "Motivo non stampato";
  r.fees = 50;
  r.notes = {"Uso: pratica di iscrizione scolastica"};  // ':' is not allowed there
  const auto xml = render_certificate_request(r);
  EXPECT_EQ(anpr_schema_errors(xml, "6001certificazione.xsd"), "");
  auto back = parse_certificate_request(xml);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->types, (std::vector<int>{8, 5, 12}));
  ASSERT_TRUE(back->requester);
  EXPECT_EQ(back->requester->codice_fiscale, "GTTDVD79H14B885C");
  EXPECT_EQ(back->subject.codice_fiscale, "GTTTMS16A22B885C");
  EXPECT_EQ(back->requester_type, RequesterType::other);
  EXPECT_EQ(back->channel, Channel::online);
  EXPECT_EQ(back->exemption, 99);
  EXPECT_EQ(back->exemption_text, "Motivo non stampato");
  EXPECT_EQ(back->stamp_duty, 0);
  EXPECT_EQ(back->fees, 50);
  EXPECT_EQ(back->notes, std::vector<std::string>{"Uso  pratica di iscrizione scolastica"});

  // Paid: €16 as a virtual stamp, no exemption.
  r.exemption = 0;
  r.exemption_text.clear();
  r.stamp_duty = 1600;
  r.stamp_mode = 1;
  r.requester.reset();
  r.requester_type = RequesterType::self;
  const auto paid = render_certificate_request(r);
  EXPECT_EQ(anpr_schema_errors(paid, "6001certificazione.xsd"), "");
  auto paid_back = parse_certificate_request(paid);
  ASSERT_TRUE(paid_back);
  EXPECT_EQ(paid_back->stamp_duty, 1600);
  EXPECT_EQ(paid_back->stamp_mode, 1);
  EXPECT_FALSE(paid_back->requester);
}

void CertificateResponsesAreValidAndKeepThePdfBytes() {
  CertificateResponse ok;
  ok.header = response_header("6001", "2");
  ok.ok = true;
  ok.types = {12};
  ok.protocol = "700000001";
  ok.subject = davide();
  Person wife;
  wife.codice_fiscale = "RNLLSE81R43A182A";
  wife.surname = "RINALDI";
  wife.name = "ELISA";
  wife.relation = "2";
  wife.birth_date = "1981-10-03";  // the relation's date (dataDecorrenza) falls back to it
  ok.members = {wife};
  ok.requester_type = 2;
  ok.channel = 2;
  ok.stamp_duty = 1600;
  ok.stamp_mode = 1;
  std::string pdf = "%PDF-1.7\n";
  for (int i = 0; i < 256; ++i) pdf += static_cast<char>(i);  // every byte value, NULs included
  ok.pdf = pdf;
  const auto xml = render_certificate_response(ok);
  EXPECT_EQ(anpr_schema_errors(xml, "6001certificazione.xsd"), "");
  auto back = parse_certificate_response(xml);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_TRUE(back->ok);
  EXPECT_EQ(back->pdf, pdf);
  EXPECT_EQ(back->protocol, "700000001");
  ASSERT_EQ(back->members.size(), 1u);
  EXPECT_EQ(back->members[0].relation, "2");
  EXPECT_EQ(back->stamp_duty, 1600);

  CertificateResponse ko;
  ko.header = response_header("6001", "3");
  ko.errors = {{"EC001", "E", "Soggetto non certificabile", "", ""}};
  const auto ko_xml = render_certificate_response(ko);
  EXPECT_EQ(anpr_schema_errors(ko_xml, "6001certificazione.xsd"), "");
  auto ko_back = parse_certificate_response(ko_xml);
  ASSERT_TRUE(ko_back);
  EXPECT_FALSE(ko_back->ok);
  EXPECT_EQ(ko_back->errors.at(0).code, "EC001");
}

void WhatIsNotAnAnprMessageIsRefused() {
  EXPECT_EQ(parse_certificate_response("not xml").error().code, "anpr.soap_syntax");
  EXPECT_EQ(parse_certificate_response("<a/>").error().code, "anpr.soap_syntax");
  // The other service's answer.
  ConsultResponse ko;
  ko.header = response_header("3002", "3");
  ko.errors = {{"EN122", "E", "x", "", ""}};
  EXPECT_EQ(parse_certificate_response(render_consult_response(ko)).error().code, "anpr.soap_syntax");
  auto fault = parse_consult_response(render_soap_fault("Server", "boom"));
  ASSERT_FALSE(fault);
  EXPECT_EQ(fault.error().code, "anpr.soap_fault");
  EXPECT_EQ(request_operation(render_soap_fault("Client", "x")), "");
}

void NotificationMessagesAreValidAndReadBack() {
  NotificationsRequest ask;
  ask.header = request_header("4005");
  ask.period_from = "2026-12-05T09:00:00";
  ask.period_to = "2026-12-05T10:00:00";
  auto xml = render_notifications_request(ask);
  EXPECT_EQ(anpr_schema_errors(xml, "4000estrazione.xsd"), "");
  EXPECT_EQ(request_operation(xml), "4005");
  auto back = parse_notifications_request(xml);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->check);
  EXPECT_EQ(back->period_to, "2026-12-05T10:00:00");
  NotificationsRequest check;
  check.header = request_header("4005");
  check.check = true;
  check.anpr_request_id = "700000009";
  check.page = 2;
  xml = render_notifications_request(check);
  EXPECT_EQ(anpr_schema_errors(xml, "4000estrazione.xsd"), "");
  auto check_back = parse_notifications_request(xml);
  ASSERT_TRUE(check_back);
  EXPECT_TRUE(check_back->check);
  EXPECT_EQ(check_back->page, 2);

  NotificationsResponse res;
  res.header = response_header("4005", "2");
  res.ok = true;
  res.state = "2";
  res.anpr_request_id = "700000009";
  res.available_at = "2026-12-05T10:00:01";
  res.page = 1;
  res.pages = 1;
  res.notifications = {{"700000010", "5005", "2", "JSON", "{\"codice_fiscale\": \"GTTDVD79H14B885C\"}"}};
  xml = render_notifications_response(res);
  EXPECT_EQ(anpr_schema_errors(xml, "4000estrazione.xsd"), "");
  auto res_back = parse_notifications_response(xml);
  ASSERT_TRUE(res_back);
  ASSERT_EQ(res_back->notifications.size(), 1u);
  EXPECT_EQ(res_back->notifications[0].content, res.notifications[0].content);
  EXPECT_EQ(res_back->notifications[0].operation, "5005");
  NotificationsResponse ko;
  ko.header = response_header("4005", "3");
  ko.errors = {{"EA002", "E", "x", "", ""}};
  xml = render_notifications_response(ko);
  EXPECT_EQ(anpr_schema_errors(xml, "4000estrazione.xsd"), "");
  auto ko_back = parse_notifications_response(xml);
  ASSERT_TRUE(ko_back);
  EXPECT_FALSE(ko_back->ok);
}

// One test case (one process under the sanitizers): the parts above in turn.
TEST(AnprWire, MessagesAreValidAgainstAnprsSchemasAndReadBack) {
  ConsultRequestIsValidAndReadsBack();
  ConsultResponsesAreValidAndReadBack();
  CertificateRequestIsValidAndReadsBack();
  CertificateResponsesAreValidAndKeepThePdfBytes();
  WhatIsNotAnAnprMessageIsRefused();
  NotificationMessagesAreValidAndReadBack();
}

}  // namespace
}  // namespace sp::anpr
