// Issue 13's browser acceptance, end to end with the demo's pagoPA simulator (node, PSP, Checkout, FdR):
//  1. Anna, a citizen of Asti, puts a TARI instalment and a school-canteen top-up in one cart, pays them on
//     the simulator's Checkout, comes back to a page that says paid because the station recorded the
//     node's receipts (not because of the return URL), and downloads the receipt;
//  2. two traffic fines created by the police software through the API, notified 4 and 6 days ago, are paid
//     at a tobacconist (the simulator's PSP): the one on day 4 costs the reduced amount, the one on day 6
//     the full amount (unless day 5 fell on a holiday and was moved, which the API says);
//  3. an operator of Asti imports the day's reporting flows from the simulated node (`sportello reconcile
//     pull`, what the hourly job does) and sees every one of those payments reconciled on the page.
// Every page the people see passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, binary, sourceDir, axe as checkAxe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

const execFileP = promisify(execFile);
let server, browser, sim;

before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
  const ports = JSON.parse(await readFile(path.join(server.dir, 'ports.json'), 'utf8'));
  assert.ok(ports.sim_pagopa, `the demo reports the pagoPA simulator's port: ${JSON.stringify(ports)}`);
  sim = `http://localhost:${ports.sim_pagopa}`;
});
after(async () => { await browser?.close(); await server?.stop(); });

const axe = (page, label) => checkAxe(page, label, { oneH1: false });
async function tick(page, input) {
  if (!(await input.isChecked())) await page.click(`label[for="${await input.getAttribute('id')}"]`);
}
async function signInCitizen(ctx, fiscalCode) {
  const page = await ctx.newPage();
  watchPage(page);
  await page.goto(`${server.baseUrl}/area-personale`);
  await page.click('.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
  return page;
}
async function signInStaff(ctx, email, password) {
  const page = await ctx.newPage();
  watchPage(page);
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await submitWith(page, '#staff-signin-submit');
  return page;
}
// Rome's calendar date `days` before today, as YYYY-MM-DD.
function romeDate(daysAgo) {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(d);
}

const paid = [];  // IUVs paid in this file, for the reconciliation

test('a citizen pays a TARI instalment and a canteen top-up in one cart and downloads the receipt', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await signInCitizen(ctx, 'FRRNNA78S70A479X');
  await page.goto(`${server.baseUrl}/area-personale/pagamenti`);
  // The canteen top-up: a spontaneous payment, which comes back ticked.
  const canteen = await page.locator('#spontaneous-services a', { hasText: 'Ricarica mensa' }).getAttribute('href');
  await page.goto(`${server.baseUrl}${canteen}`);
  await page.fill('#f-amount', '25,50');
  await page.fill('#f-pupil', 'Luca Ferrero');
  await submitWith(page, '#spontaneous-submit');
  assert.match(page.url(), /\/area-personale\/pagamenti\?scelti=/);
  assert.equal(await page.locator('input[name="avviso"]:checked').count(), 1, 'the top-up comes back ticked');
  // The TARI's first instalment (the plan offers the single payment first, then the instalments).
  const tari = page.locator('.position-card', { hasText: 'TARI' }).locator('input[name="avviso"]');
  await tick(page, tari.nth(1));
  assert.equal(await page.locator('input[name="avviso"]:checked').count(), 2);
  await axe(page, 'area with two notices ticked');

  // Off to pagoPA Checkout (the simulator's), which shows both notices and their total.
  await submitWith(page, '#pay-button');
  const refused = page.locator('#error-summary');
  assert.ok(page.url().startsWith(`${sim}/checkout/carts/`),
    `${page.url()}: ${(await refused.count()) ? await refused.innerText() : await page.locator('main').innerText()}`);
  assert.match(await page.locator('#sim-pagopa-total').innerText(), /148,50/);  // 123,00 + 25,50
  await submitWith(page, '#sim-pagopa-pay');

  // Back at the hub: paid, because the station recorded both receipts.
  assert.match(page.url(), /\/area-personale\/pagamenti\/carrello\/[0-9a-f]{32}/);
  await page.waitForSelector('#cart-paid');
  await axe(page, 'cart paid');
  const receipts = page.locator('#cart-items a.receipt-pdf');
  assert.equal(await receipts.count(), 2);
  const pdf = await page.request.get(server.baseUrl + await receipts.first().getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF document');
  for (const href of await receipts.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    paid.push(href.split('/').at(-2));  // …/{slug}/{iuv}/ricevuta.pdf
  }
  // The area no longer offers them, and has them in the history.
  await page.goto(`${server.baseUrl}/area-personale/pagamenti`);
  for (const iuv of paid) assert.equal(await page.locator(`input[name="avviso"][value$="${iuv}"]`).count(), 0, iuv);
  await ctx.close();
});

test('a fine paid on day 4 costs the reduced amount, on day 6 the full one', async () => {
  // The police software's API key, made by Asti's administrator.
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const adm = await signInStaff(ctx, 'admin@asti.example', 'Asti-admin-2026!');
  await adm.goto(`${server.baseUrl}/backoffice/asti/chiavi-api`);
  await adm.fill('#key-name', 'Verbali polizia locale');
  await adm.fill('#key-scopes', 'payments:write, payments:read');
  await submitWith(adm, '#create-key');
  assert.equal(await adm.locator('#new-key').count(), 1, await adm.locator('main').innerText());
  const key = (await adm.locator('#new-key').innerText()).trim();
  await ctx.close();

  const fines = {};
  for (const days of [4, 6]) {
    const notified = romeDate(days);
    const r = await fetch(`${server.baseUrl}/api/v1/backoffice/asti/pagopa/debt-positions?toPublish=true`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        iupd: `ASTI-VERBALE-E2E-${days}`, type: 'F', fiscalCode: 'CCCFBA85D03L219P', fullName: 'Fabio Caccamo',
        fine: { notificationDate: notified, sanctionAmount: 4200, expensesAmount: 1235,
          description: `Verbale di prova notificato ${days} giorni fa`, category: '9/0201133IM/' },
      }),
    });
    assert.equal(r.status, 201, await r.clone().text());
    fines[days] = await r.json();
  }
  // The terms the API gives: reduced (42,00 − 30 % + 12,35 expenses) and full.
  for (const f of Object.values(fines)) {
    assert.equal(f.fine.reducedAmount, 2940 + 1235);
    assert.equal(f.fine.fullAmount, 4200 + 1235);
  }

  // Fabio sees both, each at today's amount.
  const cctx = await browser.newContext({ locale: 'it-IT' });
  const page = await signInCitizen(cctx, 'CCCFBA85D03L219P');
  await page.goto(`${server.baseUrl}/area-personale/pagamenti`);
  await axe(page, 'area with fines');
  await cctx.close();

  // Paid at a tobacconist through the node: the station tells the node today's amount.
  const today = romeDate(0);
  for (const days of [4, 6]) {
    const f = fines[days];
    const reducedToday = today <= f.fine.reducedUntil;
    const option = f.paymentOption.find((o) => o.fineRole === (reducedToday ? 'reduced' : 'full'));
    const r = await fetch(`${sim}/sim/psp/payments`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ notice_number: option.nav, fiscal_code: '00563094549' }),  // Asti, of several creditors
    });
    const out = await r.json();
    assert.equal(out.outcome, 'paid', JSON.stringify(out));
    const expected = reducedToday ? f.fine.reducedAmount : f.fine.fullAmount;
    assert.equal(out.station_amount_cents, expected, `day ${days}: ${JSON.stringify(out)}`);
    assert.equal(out.payment.amount_cents, expected, `day ${days}`);
    paid.push(option.iuv);
  }
  // Day 4 is always within the reduced term; day 6 is past it unless day 5 was a holiday moved forward.
  assert.ok(today <= fines[4].fine.reducedUntil, 'day 4 is reduced');
  const day5 = romeDate(1);
  if (fines[6].fine.reducedUntil === day5) assert.ok(today > fines[6].fine.reducedUntil, 'day 6 is full');
});

test("an operator sees the day's payments reconciled once the simulator's flows are imported", async () => {
  assert.ok(paid.length >= 4, `payments made before: ${paid}`);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPORTELLO_')) delete env[k];
  Object.assign(env, {
    SPORTELLO_SHARE_DIR: sourceDir,
    SPORTELLO_DATABASE: server.databaseUrl,
    SPORTELLO_PAGOPA_FDR_URL: `${sim}/fdr-org/service/v1`,
    SPORTELLO_LOG_LEVEL: 'warn',
  });
  const { stdout } = await execFileP(binary, ['reconcile', 'pull', '--body', 'asti'], { cwd: server.dir, env, timeout: 60_000 });
  assert.match(stdout, /\S/, 'the pull says what it imported');

  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await signInStaff(ctx, 'admin@asti.example', 'Asti-admin-2026!');
  await submitWith(page, '#link-reconciliation');
  await axe(page, 'reconciliation');
  assert.ok(await page.locator('#flows-table tbody tr').count() >= 1, 'at least one flow of today');
  const rows = page.locator('#rows-table tbody tr');
  for (const iuv of paid) {
    const row = rows.filter({ has: page.locator('th', { hasText: iuv }) });
    assert.ok(await row.count() >= 1, `a reported row for ${iuv}`);
    assert.match(await row.first().innerText(), /riconciliato/, iuv);
  }
  assert.equal(await page.locator('#unreported-table').count(), 0, 'nothing paid is left unreported');
  const csv = await page.request.get(server.baseUrl + await page.locator('#csv-export').getAttribute('href'));
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  for (const iuv of paid) assert.ok(text.includes(iuv), `the CSV has ${iuv}`);
  await ctx.close();
});
