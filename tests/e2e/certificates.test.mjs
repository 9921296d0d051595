// Issue 15's browser acceptance for certificates, with the demo's ANPR and pagoPA simulators: Davide Gatti
// of Casale Monferrato gets a family-status certificate after paying the stamp duty on pagoPA's (simulated)
// Checkout; the PDF he downloads is ANPR's, and the ANPR simulator's verification page accepts it (and not
// a changed copy); online he cannot get one about his neighbour Paolo Bo (third party) nor about his
// mother Rosa (not certifiable): each refusal says why. Then the self-declaration, the everyday tool: prefilled,
// stamped, verified at /verifica.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axe as checkAxe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser, anpr, pagopa;
before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
  const ports = JSON.parse(await readFile(path.join(server.dir, 'ports.json'), 'utf8'));
  assert.ok(ports.sim_anpr && ports.sim_pagopa, `the demo reports its simulators: ${JSON.stringify(ports)}`);
  anpr = `http://localhost:${ports.sim_anpr}`;
  pagopa = `http://localhost:${ports.sim_pagopa}`;
});
after(async () => { await browser?.close(); await server?.stop(); });

const axe = (page, label) => checkAxe(page, label, { oneH1: false });
async function signIn(ctx, fiscalCode) {
  const page = await ctx.newPage();
  watchPage(page);
  await page.goto(`${server.baseUrl}/area-personale`);
  await page.click('.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
  return page;
}

test('Davide pays the stamp duty and downloads a family-status certificate that ANPR verifies', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await signIn(ctx, 'GTTDVD79H14B885C');
    // The catalog's service leads to the flow.
    await page.goto(`${server.baseUrl}/casale-monferrato/servizi/certificato-anagrafico/domanda`);
    assert.match(page.url(), /\/casale-monferrato\/certificati$/);
    await axe(page, 'certificate form');
    await page.check('#kind-stato-famiglia');
    await page.selectOption('#cert-subject', 'GTTDVD79H14B885C');
    await submitWith(page, '#cert-preview');
    assert.match(await page.locator('#cert-members').innerText(), /TOMMASO/);
    await axe(page, 'preview');
    await submitWith(page, '#cert-submit');
    const requestUrl = page.url();
    assert.match(requestUrl, /\/casale-monferrato\/certificati\/[A-Za-z0-9_-]+$/);
    assert.match(await page.locator('#cert-awaiting').innerText(), /16,00/);

    // pagoPA: the simulator's Checkout, then back at the hub once the station has the receipt.
    await submitWith(page, '#cert-pay-button');
    assert.ok(page.url().startsWith(`${pagopa}/checkout/carts/`), page.url());
    assert.match(await page.locator('#sim-pagopa-total').innerText(), /16,00/);
    await submitWith(page, '#sim-pagopa-pay');
    await page.waitForSelector('#cart-paid');

    await page.goto(requestUrl);
    await page.waitForSelector('#cert-issued');
    await axe(page, 'issued');
    const href = await page.getAttribute('#cert-download', 'href');
    const res = await page.request.get(server.baseUrl + href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const pdf = await res.body();
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    assert.equal((await page.locator('#cert-sha256').innerText()).trim(), sha256);

    // ANPR's verification page: the code printed on the certificate and the very PDF.
    const issued = await (await fetch(`${anpr}/sim/anpr/issued`)).json();
    const mine = issued.find((i) => i.sha256 === sha256);
    assert.ok(mine, 'the hub hands over the PDF ANPR produced, byte for byte');
    const verify = await ctx.newPage();
    await verify.goto(`${anpr}/verifica`);
    await verify.fill('#codice', mine.code);
    await verify.setInputFiles('#pdf', { name: 'certificato.pdf', mimeType: 'application/pdf', buffer: pdf });
    await submitWith(verify, 'button[type="submit"]');
    assert.equal(await verify.getAttribute('#anpr-verdict', 'data-verdict'), 'valid');
    const changed = Buffer.from(pdf);
    changed[changed.length >> 1] ^= 1;
    await verify.fill('#codice', mine.code);
    await verify.setInputFiles('#pdf', { name: 'certificato.pdf', mimeType: 'application/pdf', buffer: changed });
    await submitWith(verify, 'button[type="submit"]');
    assert.equal(await verify.getAttribute('#anpr-verdict', 'data-verdict'), 'unknown');

    // Online, not about the neighbour (the form does not offer him; a forged choice is refused) ...
    await page.goto(`${server.baseUrl}/casale-monferrato/certificati`);
    await page.evaluate(() => {
      const o = document.createElement('option');
      o.value = 'BOXPLA65L08A182K';
      o.textContent = 'PAOLO BO';
      document.querySelector('#cert-subject').append(o);
    });
    await page.selectOption('#cert-subject', 'BOXPLA65L08A182K');
    await submitWith(page, '#cert-preview');
    assert.match(await page.locator('#cert-error').innerText(), /solo su di te e sui componenti della tua famiglia/);
    // ... nor about his mother, whom ANPR cannot certify.
    await page.selectOption('#cert-subject', 'GTTRSO38D57B885U');
    await submitWith(page, '#cert-preview');
    assert.match(await page.locator('#cert-error').innerText(), /non è certificabile/);
    await axe(page, 'refusal');
  } finally {
    await ctx.close();
  }
});

// The everyday alternative (docs/selfdecl.md): a self-declaration prefilled from the register, corrected
// by Davide, downloaded with the hub's digital stamp, which /verifica accepts without signing in.
test('Davide downloads a prefilled self-declaration whose digital stamp verifies', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await signIn(ctx, 'GTTDVD79H14B885C');
    await page.goto(`${server.baseUrl}/casale-monferrato/servizi/autocertificazione-precompilata/domanda`);
    assert.match(page.url(), /\/casale-monferrato\/autocertificazioni$/);
    await page.check('#sd-kind-residenza');
    await submitWith(page, '#sd-start');
    assert.equal(await page.inputValue('#sd-cognome'), 'GATTI');
    assert.match(await page.inputValue('#sd-indirizzo'), /VIA ROMA 8/);
    await axe(page, 'self-declaration form');
    await page.fill('#sd-recipient', 'Istituto comprensivo');
    await submitWith(page, '#sd-submit');
    assert.match(page.url(), /\/casale-monferrato\/autocertificazioni\/[A-Za-z0-9_-]+$/);
    await axe(page, 'self-declaration issued');
    const res = await page.request.get(server.baseUrl + await page.getAttribute('#sd-download', 'href'));
    assert.equal(res.status(), 200);
    const pdf = await res.body();
    const anonymous = await browser.newContext({ locale: 'it-IT' });
    try {
      const verify = await anonymous.newPage();
      await verify.goto(`${server.baseUrl}/verifica`);
      await verify.setInputFiles('#stamp-file', { name: 'autocertificazione.pdf', mimeType: 'application/pdf', buffer: pdf });
      await submitWith(verify, '#stamp-by-file button[type="submit"]');
      assert.equal(await verify.getAttribute('#stamp-result', 'data-verdict'), 'valid');
    } finally {
      await anonymous.close();
    }
  } finally {
    await ctx.close();
  }
});
