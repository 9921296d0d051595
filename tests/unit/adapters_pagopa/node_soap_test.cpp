// The station's SOAP codec against the pagoPA node's own schema (../shared/pagopa/paForNode.xsd): what we
// render must validate there, and what a node sends must parse to the same values.
#include "adapters/pagopa/node_soap.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>

#include "support/pagopa_schema.hpp"
#include "support/testing.hpp"

namespace sp::pagopa {
namespace {

class NodeSoap : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sp::testing::pa_for_node_schema_available()) {
      GTEST_SKIP() << "pagoPA schemas not found at " << sp::testing::shared_pagopa()
                   << " (set SPORTELLO_SHARED_DIR)";
    }
  }
};

StationIds ids() {
  return {"00112233445", "00112233445", "00112233445_01"};
}

Subject anna() {
  Subject s;
  s.type = 'F';
  s.id = "FRRNNA78S70A479X";
  s.full_name = "Anna Ferraro";
  s.city = "Asti";
  s.email = "anna@example.org";
  return s;
}

Transfer tari(int index, money::Cents amount) {
  Transfer t;
  t.index = index;
  t.amount = amount;
  t.fiscal_code_pa = "00072360050";
  t.iban = "IT60X0542811101000000123456";
  t.remittance = "TARI 2026 rata 1";
  t.category = "9/0101108TS/";
  return t;
}

TEST(PagopaAmount, ParsesExactlyTwoDecimalsToCents) {
  EXPECT_EQ(parse_amount("0.01"), 1);
  EXPECT_EQ(parse_amount("12.30"), 1230);
  EXPECT_EQ(parse_amount("999999999.99"), 99999999999);
  EXPECT_EQ(parse_amount("1234567.89"), 123456789);
  for (const char* bad :
       {"12.3", "12", ".50", "12.300", "-1.00", "1,00", "1e2.00", "1000000000.00", " 1.00", ""}) {
    EXPECT_FALSE(parse_amount(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_amount(1), "0.01");
  EXPECT_EQ(format_amount(1230), "12.30");
  EXPECT_EQ(format_amount(100000), "1000.00");
}

TEST_F(NodeSoap, AVerifyResponseValidatesAgainstTheNodesSchema) {
  VerifyResponse r;
  r.amount = 15050;
  r.due_date = "2026-12-31";
  r.detail_description = "TARI 2026";
  r.payment_description = "TARI 2026 prima rata";
  r.fiscal_code_pa = "00072360050";
  r.company_name = "Comune di Asti";
  const auto xml = render_response(r);
  auto [status, out] = sp::testing::validate_pa_for_node(xml);
  EXPECT_EQ(status, 0) << out << xml;
  // The check is not vacuous: the same response without its required allCCP fails the schema.
  auto broken = xml;
  broken.erase(broken.find("<allCCP>"), std::string("<allCCP>false</allCCP>").size());
  EXPECT_NE(sp::testing::validate_pa_for_node(broken).first, 0);
  auto back = parse_verify_response(xml);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_FALSE(back->fault);
  EXPECT_EQ(back->amount, 15050);
  EXPECT_EQ(back->company_name, "Comune di Asti");
}

TEST_F(NodeSoap, AKoResponseCarriesTheFaultBeanAndValidates) {
  VerifyResponse r;
  r.fault = make_fault("PAA_PAGAMENTO_SCONOSCIUTO", "00072360050", "302032002700000251");
  const auto xml = render_response(r);
  auto [status, out] = sp::testing::validate_pa_for_node(xml);
  EXPECT_EQ(status, 0) << out << xml;
  EXPECT_NE(xml.find("<faultString>Pagamento in attesa risulta sconosciuto"), std::string::npos);
  EXPECT_EQ(xml.find("paymentList"), std::string::npos);
  auto back = parse_verify_response(xml);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->fault);
  EXPECT_EQ(back->fault->code, "PAA_PAGAMENTO_SCONOSCIUTO");
  EXPECT_EQ(back->fault->id, "00072360050");

  SendReceiptResponse s{make_fault("PAA_RECEIPT_DUPLICATA", "00072360050")};
  auto [s2, out2] = sp::testing::validate_pa_for_node(render_response(s));
  EXPECT_EQ(s2, 0) << out2;
}

TEST_F(NodeSoap, AGetPaymentResponseWithAnIbanAndAStampValidates) {
  GetPaymentResponse r;
  r.creditor_reference_id = "02032002700000251";
  r.amount = 10000 + 1600;
  r.due_date = "2026-12-31";
  r.description = "Certificato di residenza";
  r.company_name = "Comune di Asti";
  r.debtor = anna();
  r.transfers.push_back(tari(1, 10000));
  Transfer stamp;
  stamp.index = 2;
  stamp.amount = 1600;
  stamp.fiscal_code_pa = "00072360050";
  stamp.stamp = Stamp{"dGhpcyBpcyBhIDMyIGJ5dGUgZG9jdW1lbnQgaGFzaA==", "01", "AT"};
  stamp.remittance = "Imposta di bollo";
  stamp.category = "9/0301109AP";
  r.transfers.push_back(stamp);
  const auto xml = render_response(r);
  auto [status, out] = sp::testing::validate_pa_for_node(xml);
  EXPECT_EQ(status, 0) << out << xml;
  auto back = parse_get_payment_response(xml);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  ASSERT_EQ(back->transfers.size(), 2U);
  EXPECT_EQ(back->transfers[0].iban, "IT60X0542811101000000123456");
  ASSERT_TRUE(back->transfers[1].stamp);
  EXPECT_EQ(back->transfers[1].stamp->province, "AT");
  EXPECT_EQ(back->amount, 11600);
  EXPECT_EQ(back->debtor.id, "FRRNNA78S70A479X");
}

TEST_F(NodeSoap, RequestsTheSimulatorSendsValidateAndParseBack) {
  VerifyRequest v{ids(), "00072360050", "302032002700000251"};
  auto [s1, o1] = sp::testing::validate_pa_for_node(render_request(v));
  EXPECT_EQ(s1, 0) << o1;

  GetPaymentRequest g{ids(), "00072360050", "302032002700000251", 15050, "", "", ""};
  auto [s2, o2] = sp::testing::validate_pa_for_node(render_request(g));
  EXPECT_EQ(s2, 0) << o2;

  SendReceiptRequest rt;
  rt.ids = ids();
  auto& x = rt.receipt;
  x.receipt_id = "c110729d258c4ab1b765fe902aae41d6";
  x.notice_number = "302032002700000251";
  x.fiscal_code = "00072360050";
  x.creditor_reference_id = "02032002700000251";
  x.amount = 15050;
  x.description = "TARI 2026 prima rata";
  x.company_name = "Comune di Asti";
  x.debtor = anna();
  x.transfers = {tari(1, 15050)};
  x.id_psp = "SIMPSP01";
  x.psp_company_name = "Tabaccheria Simulata";
  x.id_channel = "SIMPSP01_01";
  x.channel_description = "tabaccheria";
  x.payer = anna();
  x.payment_method = "cash";
  x.fee = 200;
  x.payment_date_time = "2026-12-05T10:15:00";
  x.application_date = "2026-12-05";
  x.transfer_date = "2026-12-06";
  const auto xml = render_request(rt);
  auto [s3, o3] = sp::testing::validate_pa_for_node(xml);
  EXPECT_EQ(s3, 0) << o3 << xml;

  auto parsed = parse_request(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
  ASSERT_TRUE(std::holds_alternative<SendReceiptRequest>(*parsed));
  const auto& got = std::get<SendReceiptRequest>(*parsed);
  EXPECT_EQ(operation_name(*parsed), "paSendRTV2");
  EXPECT_EQ(got.ids.id_station, "00112233445_01");
  EXPECT_EQ(got.receipt.receipt_id, x.receipt_id);
  EXPECT_EQ(got.receipt.amount, 15050);
  EXPECT_EQ(got.receipt.fee, 200);
  ASSERT_EQ(got.receipt.transfers.size(), 1U);
  EXPECT_EQ(got.receipt.transfers[0].amount, 15050);
  ASSERT_TRUE(got.receipt.payer);
  EXPECT_EQ(got.receipt.payer->full_name, "Anna Ferraro");
}

TEST(NodeSoapParse, ReadsANodesRequestWhateverItsPrefixes) {
  // As the node writes it: its own prefixes, unqualified children, whitespace between elements.
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
  <S:Body>
    <ns3:paVerifyPaymentNoticeReq xmlns:ns3="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
      <idPA>00072360050</idPA>
      <idBrokerPA>00112233445</idBrokerPA>
      <idStation>00112233445_01</idStation>
      <qrCode>
        <fiscalCode>00072360050</fiscalCode>
        <noticeNumber>302032002700000251</noticeNumber>
      </qrCode>
    </ns3:paVerifyPaymentNoticeReq>
  </S:Body>
</S:Envelope>)";
  auto r = parse_request(xml);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const auto& v = std::get<VerifyRequest>(*r);
  EXPECT_EQ(v.ids.id_pa, "00072360050");
  EXPECT_EQ(v.ids.id_broker_pa, "00112233445");
  EXPECT_EQ(v.notice_number, "302032002700000251");
}

TEST(NodeSoapParse, NamesWhatIsMissingOrMalformed) {
  auto not_xml = parse_request("<not xml");
  ASSERT_FALSE(not_xml.ok());
  EXPECT_EQ(not_xml.error().code, "pagopa.soap_syntax");

  auto no_envelope = parse_request("<a/>");
  ASSERT_FALSE(no_envelope.ok());
  EXPECT_EQ(no_envelope.error().detail, "Envelope");

  GetPaymentRequest g{ids(), "00072360050", "302032002700000251", std::nullopt, "", "", ""};
  auto xml = render_request(g);
  const auto at = xml.find("<idStation>");
  auto missing = xml;
  missing.erase(at, xml.find("</idStation>") + 12 - at);
  auto r = parse_request(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "idStation");

  auto bad_amount = xml;
  bad_amount.insert(xml.find("</qrCode>") + 9, "<amount>12.5</amount>");
  auto r2 = parse_request(bad_amount);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().detail, "amount");

  auto other = parse_request(
      R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><p:paDemandPaymentNoticeRequest xmlns:p="x"/></s:Body></s:Envelope>)");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "pagopa.soap_operation");
}

TEST(NodeSoapParse, APeekReadsWhatARefusedRequestStillSays) {
  GetPaymentRequest g{ids(), "00072360050", "302032002700000251", std::nullopt, "", "", ""};
  auto xml = render_request(g);
  xml.erase(xml.find("<idBrokerPA>"), xml.find("</idBrokerPA>") + 13 - xml.find("<idBrokerPA>"));
  ASSERT_FALSE(parse_request(xml).ok());
  auto p = peek_request(xml);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->operation, "paGetPaymentV2");
  EXPECT_EQ(p->ids.id_pa, "00112233445");
  EXPECT_EQ(p->ids.id_broker_pa, "");
  EXPECT_EQ(p->notice_number, "302032002700000251");
  EXPECT_FALSE(peek_request("not xml at all"));

  const auto ko =
      render_fault_response(p->operation, make_fault("PAA_SINTASSI_EXTRAXSD", "00112233445", "x"));
  auto back = parse_get_payment_response(ko);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->fault);
  EXPECT_EQ(back->fault->code, "PAA_SINTASSI_EXTRAXSD");
  EXPECT_TRUE(render_fault_response("paDemandPaymentNotice", *back->fault).empty());

  // Whatever the detail says, the SOAP Fault stays well-formed XML.
  const auto fault = render_soap_fault("PAA_SINTASSI_EXTRAXSD", "bad <idPA> & \"quotes\"");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(fault.c_str()));
  EXPECT_STREQ(doc.document_element().first_child().first_child().child("detail").child_value(),
               "bad <idPA> & \"quotes\"");
}

}  // namespace
}  // namespace sp::pagopa
