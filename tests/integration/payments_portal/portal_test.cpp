// The citizen's payments area, the cart through (a fake) pagoPA Checkout, the outcome from the station's
// receipts, PDFs and spontaneous payments; the staff pages of positions; the walls between people and
// between bodies.
#include <regex>

#include "payments/notice_number.hpp"
#include "portal_fixture.hpp"

namespace sp::payments::portaltest {
namespace {

namespace json = boost::json;

std::string ref(const std::string& slug, const Option& o) {
  return "avviso=" + slug + "%3A" + o.nav;
}

std::string cart_id_of(const std::string& location) {
  return location.substr(location.rfind('/') + 1);
}

TEST_P(PortalTest, TheAreaListsTheOpenPositionsOfEveryBodyGroupedByBody) {
  novara_position_for_anna();
  auto page = get(kArea, anna());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(contains(page.body, "id=\"body-asti\""));
  EXPECT_TRUE(contains(page.body, "id=\"body-novara\""));
  EXPECT_TRUE(contains(page.body, "TARI 2026 - prima rata"));
  EXPECT_TRUE(contains(page.body, "COSAP 2026 passo carraio"));
  // The plan as such: the single payment and both instalments, amounts in euros, numbers in groups of four.
  EXPECT_TRUE(contains(page.body, "Pagamento unico"));
  EXPECT_TRUE(contains(page.body, "Rata 2"));
  EXPECT_TRUE(contains(page.body, "246,00"));
  const auto nav = anna_tari().options.front().nav;
  EXPECT_TRUE(contains(page.body, grouped(nav)));
  EXPECT_TRUE(contains(page.body, "<h3 class=\"h5 card-title\">TARI 2026</h3>"));
  // Its form's POST redirects to Checkout: the page's CSP lets the form go there.
  EXPECT_TRUE(
      contains(header(page, "content-security-policy"),
               "form-action 'self' " + checkout_->url().substr(0, checkout_->url().find("/checkout"))));
  // Nobody else's debts.
  EXPECT_FALSE(contains(page.body, "Verbale n. 123/2026"));
  // Signed out: to the sign-in.
  EXPECT_EQ(get(kArea, "").status, 303);
}

TEST_P(PortalTest, AFineShowsTheReducedAmountWithinFiveDaysOfNotification) {
  auto page = get(kArea, fabio());
  ASSERT_EQ(page.status, 200);
  // Notified 3 days ago: 42,00 - 30 % = 29,40 + 12,35 expenses.
  EXPECT_TRUE(contains(page.body, "41,75")) << page.body;
  EXPECT_TRUE(contains(page.body, "Importo ridotto"));
  EXPECT_FALSE(contains(page.body, "54,35"));
}

TEST_P(PortalTest, ASixthNoticeIsRefusedAndTheSelectionIsKept) {
  const auto s = anna();
  std::string body;
  for (int i = 0; i < 6; ++i)
    body += (body.empty() ? "" : "&") + ref("asti", canteen(10 + i).options.front());
  auto r = post_form(kArea, s, body);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(contains(r.body, "al massimo 5 avvisi")) << r.body;
  std::regex checked(R"(name="avviso" value="[^"]+" id="[^"]+" checked)");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(r.body.begin(), r.body.end(), checked), std::sregex_iterator()), 6);
  EXPECT_TRUE(checkout_->bodies().empty());
}

TEST_P(PortalTest, PayingRecordsTheCartTakesTheLeasesAndRedirectsToCheckout) {
  const auto s = anna();
  const auto tari = anna_tari();
  const auto& first = tari.options[1];  // the first instalment
  const auto top_up = canteen(25).options.front();
  auto r = post_form(kArea, s, ref("asti", first) + "&" + ref("asti", top_up));
  ASSERT_EQ(r.status, 303) << r.body;
  const auto location = header(r, "location");
  ASSERT_EQ(location.rfind("https://checkout.test/c/", 0), 0u) << location;
  const auto cart = cart_id_of(location);

  ASSERT_EQ(checkout_->bodies().size(), 1u);
  EXPECT_EQ(checkout_->keys().front(), "sub-key-1");
  auto sent = json::parse(checkout_->bodies().front()).as_object();
  EXPECT_EQ(sent["idCart"].as_string(), cart);
  auto notices = sent["paymentNotices"].as_array();
  ASSERT_EQ(notices.size(), 2u);
  auto n0 = notices[0].as_object();
  EXPECT_EQ(n0["noticeNumber"].as_string(), first.nav);
  EXPECT_EQ(n0["amount"].as_int64(), 12300);
  EXPECT_EQ(n0["fiscalCode"].as_string(), app_->payments().creditor(asti_)->fiscal_code);
  EXPECT_EQ(n0["companyName"].as_string(), "Comune di Asti");
  EXPECT_EQ(notices[1].as_object()["amount"].as_int64(), 2500);
  auto urls = sent["returnUrls"].as_object();
  EXPECT_EQ(urls["returnOkUrl"].as_string(),
            "https://sportello.test/area-personale/pagamenti/carrello/" + cart + "?esito=ok");
  EXPECT_TRUE(contains(std::string(urls["returnCancelUrl"].as_string()), cart + "?esito=annullato"));

  // The leases: a PSP at the node is told the notice is being paid.
  EXPECT_EQ(lease(asti_, first.iuv), "portal:" + cart);
  auto node = app_->station().activate(asti_, first.iuv, "node");
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().code, "payments.in_progress");
}

TEST_P(PortalTest, ANoticeBeingPaidElsewhereIsNamedAndNothingIsHeld) {
  const auto s = anna();
  const auto a = canteen(11).options.front();
  const auto b = canteen(12).options.front();
  ASSERT_TRUE(app_->station().activate(asti_, b.iuv, "node").ok());
  auto r = post_form(kArea, s, ref("asti", a) + "&" + ref("asti", b));
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(contains(r.body, grouped(b.nav))) << r.body;
  EXPECT_TRUE(contains(r.body, "già in pagamento"));
  EXPECT_FALSE(lease(asti_, a.iuv).has_value());  // the other notice's lease was given back
  EXPECT_EQ(lease(asti_, b.iuv), "node");
  EXPECT_TRUE(checkout_->bodies().empty());
  // The selection is kept.
  EXPECT_TRUE(contains(r.body, "value=\"asti:" + a.nav + "\" id=\"n-" + a.nav + "\" checked"));
}

TEST_P(PortalTest, CheckoutDownIsALocalisedErrorTheDebtIntactTheLeasesReleased) {
  const auto s = anna();
  const auto a = canteen(13).options.front();
  checkout_->fail(true);
  auto r = post_form(kArea, s, ref("asti", a));
  EXPECT_EQ(r.status, 502);
  EXPECT_TRUE(contains(r.body, "id=\"checkout-error\""));
  EXPECT_TRUE(contains(r.body, "non ha accettato il carrello"));
  EXPECT_TRUE(contains(r.body, "scelti=asti%3A" + a.nav));
  EXPECT_FALSE(lease(asti_, a.iuv).has_value());
  // Back on the area, the notice is ticked again.
  auto back = get(kArea + "?scelti=asti%3A" + a.nav, s);
  EXPECT_TRUE(contains(back.body, "id=\"n-" + a.nav + "\" checked"));
}

TEST_P(PortalTest, TheOutcomeComesFromTheStationsReceiptsNeverFromTheReturnUrl) {
  const auto s = anna();
  const auto a = canteen(14).options.front();
  auto r = post_form(kArea, s, ref("asti", a));
  ASSERT_EQ(r.status, 303);
  const auto cart = cart_id_of(header(r, "location"));
  // A forged "ok" before any receipt: waiting for confirmation.
  auto forged = get(kArea + "/carrello/" + cart + "?esito=ok", s);
  ASSERT_EQ(forged.status, 200);
  EXPECT_TRUE(contains(forged.body, "id=\"cart-waiting\""));
  EXPECT_FALSE(contains(forged.body, "id=\"cart-paid\""));
  EXPECT_TRUE(contains(forged.body, "id=\"cart-refresh\""));
  // The node's receipt through the station: paid, with the receipt to download.
  auto req = receipt(a, "rcpt-portal-1");
  auto [resp, outcome] = app_->station().send_receipt(asti_, req, pagopa::render_request(req));
  ASSERT_EQ(outcome, ReceiptOutcome::recorded);
  auto paid = get(kArea + "/carrello/" + cart, s);
  EXPECT_TRUE(contains(paid.body, "id=\"cart-paid\"")) << paid.body;
  auto pdf = get(kArea + "/asti/" + a.iuv + "/ricevuta.pdf", s);
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF", 0), 0u);
  // And the history lists it.
  EXPECT_TRUE(contains(get(kArea, s).body, "id=\"payment-history\""));
  // Another person's cart does not exist for Fabio.
  EXPECT_EQ(get(kArea + "/carrello/" + cart, fabio()).status, 404);
  EXPECT_EQ(get(kArea + "/asti/" + a.iuv + "/ricevuta.pdf", fabio()).status, 404);
}

TEST_P(PortalTest, ACancelledCartGivesTheLeasesBackAndCanBeRetried) {
  const auto s = anna();
  const auto a = canteen(15).options.front();
  auto r = post_form(kArea, s, ref("asti", a));
  ASSERT_EQ(r.status, 303);
  const auto cart = cart_id_of(header(r, "location"));
  ASSERT_TRUE(lease(asti_, a.iuv).has_value());
  auto cancelled = get(kArea + "/carrello/" + cart + "?esito=annullato", s);
  EXPECT_TRUE(contains(cancelled.body, "id=\"cart-cancelled\""));
  EXPECT_FALSE(lease(asti_, a.iuv).has_value());
  auto again = post_form(kArea + "/carrello/" + cart, s, "");
  ASSERT_EQ(again.status, 303) << again.body;
  EXPECT_NE(cart_id_of(header(again, "location")), cart);
  EXPECT_EQ(checkout_->bodies().size(), 2u);
}

TEST_P(PortalTest, NoticePdfsOnlyForTheOwnerOrTheBodysStaff) {
  const auto tari = anna_tari();
  const auto iuv = tari.options.front().iuv;
  auto own = get(kArea + "/asti/" + iuv + "/avviso.pdf", anna());
  ASSERT_EQ(own.status, 200);
  EXPECT_EQ(own.content_type, "application/pdf");
  EXPECT_EQ(own.body.rfind("%PDF", 0), 0u);
  EXPECT_EQ(get(kArea + "/asti/" + iuv + "/avviso.pdf", fabio()).status, 404);
  // The same IUV under another body is another body's (unknown) notice.
  EXPECT_EQ(get(kArea + "/novara/" + iuv + "/avviso.pdf", anna()).status, 404);
  const auto staff_pdf = "/backoffice/asti/pagamenti/" + tari.iupd + "/avviso.pdf";
  auto staff = get(staff_pdf, asti_admin());
  EXPECT_EQ(staff.status, 200);
  EXPECT_EQ(staff.content_type, "application/pdf");
  EXPECT_EQ(get(staff_pdf, novara_admin()).status, 404);
  EXPECT_EQ(get(staff_pdf, anna()).status, 403);  // a citizen on a staff page: the guard's 403, as elsewhere
}

TEST_P(PortalTest, NoticesOfOtherPeopleOrBodiesCannotBePutInACart) {
  auto fine = app_->payments().positions_of(kFabio).front();
  auto r = post_form(kArea, anna(), ref("asti", fine.options.front()));
  EXPECT_EQ(r.status, 404);
  // Anna's own notice named under another body.
  auto mixed = post_form(kArea, anna(), ref("novara", anna_tari().options.front()));
  EXPECT_EQ(mixed.status, 404);
  // Two notices of one debt (the single payment and an instalment) are one too many.
  const auto tari = anna_tari();
  auto both = post_form(kArea, anna(), ref("asti", tari.options[0]) + "&" + ref("asti", tari.options[1]));
  EXPECT_EQ(both.status, 409);
  EXPECT_TRUE(checkout_->bodies().empty());
}

TEST_P(PortalTest, ASpontaneousPaymentCreatesThePositionAndTicksIt) {
  const auto s = anna();
  const auto form = kArea + "/spontanei/asti/ricarica-mensa";
  auto page = get(form, s);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Ricarica mensa scolastica"));
  auto bad = post_form(form, s, "amount=5&pupil=Luca+Ferrero");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(contains(bad.body, "Importo non valido"));
  EXPECT_TRUE(contains(bad.body, "value=\"Luca Ferrero\""));
  EXPECT_TRUE(contains(bad.body, "value=\"5\""));
  auto ok = post_form(form, s, "amount=35%2C50&pupil=Luca+Ferrero");
  ASSERT_EQ(ok.status, 303) << ok.body;
  auto mine = app_->payments().positions_of(kAnna);
  ASSERT_GE(mine.size(), 2u);
  const auto& created = mine.front();
  EXPECT_EQ(created.options.front().amount, 3550);
  EXPECT_EQ(created.status, PositionStatus::valid);
  EXPECT_EQ(created.options.front().transfers.front().remittance, "Ricarica mensa Luca Ferrero");
  EXPECT_TRUE(contains(header(ok, "location"), "scelti=asti%3A" + created.options.front().nav));
  EXPECT_EQ(get(kArea + "/spontanei/asti/non-esiste", s).status, 404);
}

TEST_P(PortalTest, StaffListFilterOpenAndInvalidatePositionsOfTheirBodyOnly) {
  const auto admin = asti_admin();
  auto list = get("/backoffice/asti/pagamenti", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(contains(list.body, "ASTI-TARI-2026-FRRNNA78S70A479X"));
  EXPECT_TRUE(contains(list.body, "ASTI-VERBALE-2026-000123"));
  auto by_cf = get("/backoffice/asti/pagamenti?cf=cccfba85d03l219p", admin);
  EXPECT_FALSE(contains(by_cf.body, "ASTI-TARI-2026"));
  EXPECT_TRUE(contains(by_cf.body, "ASTI-VERBALE-2026-000123"));
  const auto tari = anna_tari();
  auto by_nav =
      get("/backoffice/asti/pagamenti?avviso=" + text::percent_encode(grouped(tari.options[2].nav)), admin);
  EXPECT_TRUE(contains(by_nav.body, "ASTI-TARI-2026")) << by_nav.body;
  EXPECT_FALSE(contains(by_nav.body, "ASTI-VERBALE"));
  auto by_text = get("/backoffice/asti/pagamenti?testo=sosta", admin);
  EXPECT_TRUE(contains(by_text.body, "ASTI-VERBALE"));
  EXPECT_FALSE(contains(by_text.body, "ASTI-TARI"));
  auto paid_only = get("/backoffice/asti/pagamenti?stato=PAID", admin);
  EXPECT_TRUE(contains(paid_only.body, "id=\"no-positions\""));

  const auto detail = "/backoffice/asti/pagamenti/" + tari.iupd;
  auto d = get(detail, admin);
  ASSERT_EQ(d.status, 200);
  EXPECT_TRUE(contains(d.body, "TARI 2026 rata 2/2"));  // a transfer's remittance
  // Its history, from the audit chain, with who did it by name (the demo seed: "Dati dimostrativi").
  EXPECT_TRUE(contains(d.body, "Creata (Dati dimostrativi)")) << d.body;
  EXPECT_FALSE(contains(d.body, "system:demo"));
  auto ask = post_form(detail, admin, "action=invalidate");
  EXPECT_TRUE(contains(ask.body, "id=\"invalidate-confirm\""));
  EXPECT_EQ(anna_tari().status, PositionStatus::valid);
  auto done = post_form(detail, admin, "action=invalidate&confirm=1");
  ASSERT_EQ(done.status, 303);
  EXPECT_EQ(anna_tari().status, PositionStatus::invalid);
  EXPECT_TRUE(contains(get(detail, admin).body, "— Annullata ("));
  // No longer in the citizen's payable list.
  EXPECT_FALSE(contains(get(kArea, anna()).body, "TARI 2026 - prima rata"));

  // Novara's staff: Asti's positions do not exist for them.
  const auto novara = novara_admin();
  EXPECT_EQ(get("/backoffice/asti/pagamenti", novara).status, 404);
  EXPECT_EQ(get(detail, novara).status, 404);
  EXPECT_EQ(post_form(detail, novara, "action=invalidate&confirm=1").status, 404);
  EXPECT_EQ(get("/backoffice/novara/pagamenti", novara).status, 200);
  EXPECT_FALSE(contains(get("/backoffice/novara/pagamenti", novara).body, "ASTI-"));

  // The body's spontaneous-payment services: the desk reads them, the administrator adds one, citizens
  // see it; another body's staff cannot touch them.
  const std::string services = "/backoffice/asti/pagamenti/servizi-spontanei";
  EXPECT_TRUE(contains(list.body, "href=\"" + services + "\""));
  const auto desk = staff("operatore@asti.example", "Asti-operatore-2026!");
  auto read = get(services, desk);
  ASSERT_EQ(read.status, 200);
  EXPECT_TRUE(contains(read.body, "ricarica-mensa"));
  EXPECT_FALSE(contains(read.body, "name=\"label_it\""));
  const std::string body =
      "code=retta-nido&label_it=Retta+asilo+nido&label_en=Nursery+fee&min_amount=50&max_amount=400"
      "&iban=IT60X0542811101000000123456&category=9%2F0101108TS%2F&remittance_prefix=Retta+nido&active=1";
  EXPECT_EQ(post_form(services, desk, body).status, 403);
  EXPECT_EQ(post_form(services, novara, body).status, 404);
  auto bad = post_form(services, admin,
                       "code=retta-nido&label_it=Retta+asilo+nido&min_amount=500&max_amount=40"
                       "&iban=IT60X0542811101000000123456&category=9%2F0101108TS%2F&active=1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(contains(bad.body, "id=\"error-summary\""));
  EXPECT_TRUE(contains(bad.body, "value=\"Retta asilo nido\""));
  auto saved = post_form(services, admin, body);
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 400);
  auto edit = get(services + "?codice=retta-nido", admin);
  EXPECT_TRUE(contains(edit.body, "value=\"Nursery fee\""));
  EXPECT_TRUE(contains(get(kArea, anna()).body, "Retta asilo nido"));
  auto s = app_->portal().spontaneous_service(asti_, "retta-nido");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->min_amount, 5000);
  EXPECT_EQ(s->max_amount, 40000);
}

INSTANTIATE_TEST_SUITE_P(Db, PortalTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::payments::portaltest
