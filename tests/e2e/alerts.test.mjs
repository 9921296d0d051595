// Issue 17, alerts to the population, in chromium: an operator of Asti writes a school-closure alert to
// the parents of one school, sees how many people each channel reaches and the SMS cost against the cap
// before confirming, and follows the progress (a page that refreshes itself) to the end; a parent signs in
// and finds the alert among those received. A person subscribes on the public page with an e-mail address
// and the code the demo mailbox received; a stop link that is not whole is explained. axe on each new page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const PARENT = 'LDRMNA90E61Z330P';  // Amina El Idrissi, a demo parent at the Rodari school
const TITLE = 'Scuola Rodari chiusa giovedì';


test('an operator sends a school closure to the parents of one school, and a parent sees it', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', 'operatore@asti.example');
  await page.fill('input[name="password"]', 'Asti-operatore-2026!');
  await submitWith(page, '#staff-signin-submit');

  await page.goto(`${server.baseUrl}/backoffice/asti/avvisi`);
  await axe(page, 'the alerts list');
  // The demo gives each body a monthly SMS cap, and the page says what was spent of it.
  assert.match(await page.locator('#al-cap-text').innerText(), /mensile.*50,00 €.*spesi questo mese: \d+,\d\d €/);
  await submitWith(page, '#al-new');
  await axe(page, 'a new alert');
  await page.selectOption('#al-category', 'school_closure');
  await page.fill('#al-title', TITLE);
  await page.fill('#al-body', 'Per un guasto al riscaldamento la scuola resta chiusa giovedì. La mensa è sospesa.');
  await page.click('label[for="al-seg-school"]');
  await page.selectOption('#al-school', 'rodari');
  // Schools by the name the body lists, not by their code.
  assert.equal((await page.locator('#al-school option:checked').textContent()).trim(), 'Scuola primaria G. Rodari');
  await submitWith(page, '#al-preview');

  // Before confirming: the recipients per channel and the SMS cost against the body's cap.
  await axe(page, 'the preview');
  assert.match(await page.locator('#al-segment').innerText(), /«Scuola primaria G\. Rodari»/);
  const count = Number(await page.locator('#al-recipients').getAttribute('data-count'));
  assert.equal(count, 2, 'the two demo parents of the Rodari school');
  assert.equal(await page.locator('#al-counts tbody tr').count(), 4, 'one row per channel');
  assert.match(await page.locator('#al-cost').innerText(), /€/);
  await submitWith(page, '#al-confirm');

  // The progress, refreshing itself until every message is delivered.
  assert.match(await page.locator('#al-notice').innerText(), /confermato/i);
  await axe(page, 'the progress');
  assert.equal(await page.locator('#al-summary').getAttribute('data-state'), 'sending');
  for (let i = 0; i < 60 && !(await page.locator('#al-finished').count()); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  assert.equal(await page.locator('#al-finished').count(), 1, 'the sending ends');
  assert.equal(await page.locator('#al-stats-total td[data-col="delivered"]').innerText(), '2');
  assert.deepEqual(problems, []);

  // A parent of the school signs in and finds it among the alerts received.
  const parentCtx = await browser.newContext({ locale: 'it-IT' });
  const parent = await parentCtx.newPage();
  await parent.goto(`${server.baseUrl}/area-personale/avvisi`);
  await parent.click('.provider-link');
  await parent.waitForURL(/\/authorize\?/);
  await parent.selectOption('#behaviour', 'normal');
  await submitWith(parent, `button[name="identity"][value="${PARENT}"]`);
  await parent.waitForURL(/\/area-personale\/avvisi$/);
  await axe(parent, 'the alerts received');
  assert.match(await parent.locator('#al-area-list').innerText(), new RegExp(TITLE));
  await parentCtx.close();
  await ctx.close();
});

test('a person subscribes with a verified e-mail address, and a broken stop link is explained', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  await page.goto(`${server.baseUrl}/asti/avvisi`);
  await axe(page, 'the public alerts page');
  await page.fill('#al-address', 'vicina@example.org');
  await page.click('label[for="al-topic-water_cut"]');
  await submitWith(page, '#al-subscribe');
  assert.equal(await page.locator('#error-summary').getAttribute('data-code'), 'alerts.consent_required');
  assert.equal(await page.inputValue('#al-address'), 'vicina@example.org', 'what was typed is kept');
  await page.click('label[for="al-consent"]');
  await submitWith(page, '#al-subscribe');
  await axe(page, 'the code page');
  let code;
  for (let i = 0; i < 40 && !code; i++) {
    const r = await (await fetch(`${server.baseUrl}/sim/posta`)).text();
    const m = r.match(/vicina@example\.org[\s\S]*?\b(\d{6})\b/);
    code = m?.[1];
    if (!code) await page.waitForTimeout(250);
  }
  assert.ok(code, 'the code reached the demo mailbox');
  await page.fill('#al-code', code);
  await submitWith(page, '#al-verify');
  assert.equal(await page.locator('#al-active').count(), 1);
  await page.goto(`${server.baseUrl}/asti/avvisi/stop?t=incompleto`);
  await axe(page, 'the stop page');
  assert.equal(await page.locator('#al-stop-unknown').count(), 1);
  await ctx.close();
});
