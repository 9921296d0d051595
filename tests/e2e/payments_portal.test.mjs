// Issue 13, "Paying → On the portal", in chromium: Anna (a demo citizen of Asti) opens "I miei pagamenti"
// from her personal area, sees her TARI plan, downloads the notice, tops up the school canteen (a wrong
// amount first), is refused a sixth notice, and pays two with pagoPA: the hub sends the cart to Checkout
// and the browser follows. Checkout here is a small fake in this file, which answers the cart API and
// shows a page; coming back on the ok URL, the page waits for the station's receipt (never trusting the
// URL). An Asti administrator finds the position among the body's positions. Every page passes axe.
//
// The fake keeps this file about the hub's side (what it sends, what it does when nothing has been paid yet,
// a cancelled cart); paying for real on the simulator's Checkout is tests/e2e/payments_acceptance.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser, checkout;
const carts = [];

function startFakeCheckout() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/checkout/ec/v1/carts') {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          const cart = JSON.parse(body);
          carts.push(cart);
          res.writeHead(302, { Location: `http://127.0.0.1:${s.address().port}/pay/${cart.idCart}` });
          res.end();
        });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="it"><title>Checkout</title><h1 id="fake-checkout">Checkout</h1></html>');
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

before(async () => {
  checkout = await startFakeCheckout();
  [server, browser] = await Promise.all([
    startServer({
      database: 'sqlite',
      env: {
        SPORTELLO_SIM_PAGOPA: 'false',
        SPORTELLO_PAGOPA_CHECKOUT_URL: `http://127.0.0.1:${checkout.address().port}/checkout/ec/v1`,
      },
    }),
    launchBrowser(),
  ]);
});
after(async () => { await browser?.close(); await server?.stop(); checkout?.close(); });

// Bootstrap Italia draws the checkbox on its label, which is what a person clicks.
async function tick(page, input, on = true) {
  if ((await input.isChecked()) !== on) await page.click(`label[for="${await input.getAttribute('id')}"]`);
}

test('a citizen pays two notices with pagoPA Checkout; staff find the position', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  watchPage(page);
  await page.goto(`${server.baseUrl}/area-personale`);
  await page.click('.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click('button[name="identity"][value="FRRNNA78S70A479X"]')]);
  await page.goto(`${server.baseUrl}/area-personale`);
  await submitWith(page, '#payments-link');
  assert.match(page.url(), /\/area-personale\/pagamenti$/);
  await axe(page, 'area');
  assert.match(await page.locator('#body-asti').innerText(), /TARI 2026/);
  assert.match(await page.locator('#body-asti').innerText(), /Rata 2/);

  // The notice PDF of the TARI.
  const pdf = await page.request.get(server.baseUrl + await page.locator('.notice-pdf').first().getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');

  // Canteen top-up: a wrong amount keeps the typing, a right one comes back ticked.
  const canteenHref = await page.locator('#spontaneous-services a', { hasText: 'Ricarica mensa' }).getAttribute('href');
  for (const amount of ['5', '20', '21', '22', '23', '24']) {
    await page.goto(`${server.baseUrl}${canteenHref}`);
    await page.fill('#f-amount', amount);
    await page.fill('#f-pupil', 'Luca Ferrero');
    await submitWith(page, '#spontaneous-submit');
    if (amount === '5') {
      await axe(page, 'spontaneous with error');
      assert.equal(await page.inputValue('#f-amount'), '5');
      assert.equal(await page.inputValue('#f-pupil'), 'Luca Ferrero');
      assert.equal(await page.locator('#error-summary').count(), 1);
    } else {
      assert.match(page.url(), /\/area-personale\/pagamenti\?scelti=/);
    }
  }
  // Six notices ticked: refused, the ticks kept.
  await page.goto(`${server.baseUrl}/area-personale/pagamenti`);
  const boxes = await page.locator('.position-card', { hasText: 'Ricarica mensa' }).locator('input[name="avviso"]').all();
  assert.equal(boxes.length, 5);
  for (const b of boxes) await tick(page, b);
  await tick(page, page.locator('.position-card', { hasText: 'TARI' }).locator('input[name="avviso"]').nth(1));
  await submitWith(page, '#pay-button');
  assert.match(await page.locator('#error-summary').innerText(), /al massimo 5 avvisi/);
  assert.equal(await page.locator('input[name="avviso"]:checked').count(), 6);
  await axe(page, 'area with the cart refused');

  // Two: off to Checkout.
  for (const b of boxes.slice(1)) await tick(page, b, false);
  await submitWith(page, '#pay-button');
  await page.waitForSelector('#fake-checkout');
  assert.equal(carts.length, 1);
  assert.equal(carts[0].paymentNotices.length, 2);
  const okUrl = carts[0].returnUrls.returnOkUrl;
  assert.match(okUrl, /\/area-personale\/pagamenti\/carrello\/[0-9a-f]{32}\?esito=ok$/);

  // Back from Checkout with "ok": without the station's receipt, it waits (no JavaScript needed).
  await page.goto(okUrl);
  assert.equal(await page.locator('#cart-waiting').count(), 1);
  assert.equal(await page.locator('#cart-paid').count(), 0);
  await axe(page, 'cart waiting');
  // Cancelled: the debt is intact and the cart can be retried.
  await page.goto(carts[0].returnUrls.returnCancelUrl);
  assert.equal(await page.locator('#cart-cancelled').count(), 1);
  await axe(page, 'cart cancelled');
  await submitWith(page, '#cart-retry');
  await page.waitForSelector('#fake-checkout');
  assert.equal(carts.length, 2);
  await ctx.close();

  // An Asti administrator finds Anna's positions.
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  const sp = await staffCtx.newPage();
  watchPage(sp);
  await sp.goto(`${server.baseUrl}/backoffice/accedi`);
  await sp.fill('input[name="email"]', 'admin@asti.example');
  await sp.fill('input[name="password"]', 'Asti-admin-2026!');
  await submitWith(sp, '#staff-signin-submit');
  await submitWith(sp, '#link-payments');
  await axe(sp, 'staff list');
  await sp.fill('#q-cf', 'FRRNNA78S70A479X');
  await sp.fill('#q-testo', 'TARI');
  await submitWith(sp, '#filter-submit');
  await submitWith(sp, '#positions a >> nth=0');
  assert.match(await sp.locator('h1').innerText(), /ASTI-TARI-2026/);
  await axe(sp, 'staff position');
  await staffCtx.close();
});
