// The pagoPA simulator's Checkout cart page (docs/pagopa-simulator.md), as the demo starts it: in
// chromium, in Italian and in English, no serious or critical axe violation, no failed request; cancel
// goes back to the cart's returnCancelUrl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations } from './support/server.mjs';

let server, browser, sim;
before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
  const ports = JSON.parse(await readFile(path.join(server.dir, 'ports.json'), 'utf8'));
  assert.ok(ports.sim_pagopa, `the demo reports the pagoPA simulator's port: ${JSON.stringify(ports)}`);
  sim = `http://localhost:${ports.sim_pagopa}`;
});
after(async () => { await browser?.close(); await server?.stop(); });

async function newCart() {
  const r = await fetch(`${sim}/checkout/ec/v1/carts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    redirect: 'manual',
    body: JSON.stringify({
      paymentNotices: [
        { noticeNumber: '301000000000000173', fiscalCode: '00072360050', amount: 12050, companyName: 'Comune di Asti', description: 'TARI 2026 prima rata' },
        { noticeNumber: '301000000000000270', fiscalCode: '00072360050', amount: 3000, companyName: 'Comune di Asti', description: 'Mensa scolastica' },
      ],
      returnUrls: { returnOkUrl: `${server.baseUrl}/?ok`, returnCancelUrl: `${server.baseUrl}/?annullato`, returnErrorUrl: `${server.baseUrl}/?errore` },
      idCart: 'e2e-cart',
    }),
  });
  assert.equal(r.status, 302);
  return r.headers.get('location');
}

for (const [locale, lang, pay] of [['it-IT', 'it', 'Paga'], ['en-GB', 'en', 'Pay']]) {
  test(`the cart page is accessible (${lang})`, async () => {
    const ctx = await browser.newContext({ locale });
    try {
      const page = await ctx.newPage();
      const problems = watchPage(page);
      const res = await page.goto(await newCart());
      assert.equal(res.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal((await page.textContent('#sim-pagopa-pay')).trim(), pay);
      assert.match(await page.textContent('#sim-pagopa-total'), /150,50|150\.50/);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], formatViolations(violations));
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
    }
  });
}

test('the language switch and cancel', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    await page.goto(await newCart());
    await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await Promise.all([page.waitForNavigation(), page.click('#sim-pagopa-cancel')]);
    assert.equal(page.url(), `${server.baseUrl}/?annullato`);
  } finally {
    await ctx.close();
  }
});
