// The protocol register in the back office, in chromium: an operator registers an uploaded document,
// finds it by subject, the registry's manager annuls it; the daily register page; every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations } from './support/server.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInStaff(page, email, password) {
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('#staff-signin-submit')]);
}

async function assertAccessible(page, label) {
  assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  assert.equal(formatViolations(await axeViolations(page)), '', label);
}

test('an operator registers an upload, finds it; the manager annuls it; the daily register page', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT', acceptDownloads: true });
  const managerCtx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    await signInStaff(page, 'operatore@asti.example', 'Asti-operatore-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#link-protocollo')]);
    await assertAccessible(page, 'protocollo search');
    await Promise.all([page.waitForNavigation(), page.click('#link-new-entry')]);
    await assertAccessible(page, 'new registration');

    // A refused registration keeps what was typed.
    await page.fill('#f-cname', 'Lucia Ferraro');
    await page.fill('#f-class', '6.3');
    await Promise.all([page.waitForNavigation(), page.click('#register-submit')]);
    assert.equal(await page.locator('#error-summary').count(), 1);
    assert.equal(await page.inputValue('#f-cname'), 'Lucia Ferraro');
    assert.equal(await page.inputValue('#f-class'), '6.3');
    await assertAccessible(page, 'new registration with an error');

    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await page.fill('#f-subject', 'Richiesta di passo carrabile in via Aliberti');
    await page.selectOption('#f-channel', 'pec');
    await page.setInputFiles('#f-document', { name: 'richiesta.pdf', mimeType: 'application/pdf', buffer: pdf });
    await Promise.all([page.waitForNavigation(), page.click('#register-submit')]);
    assert.equal(await page.locator('#registered-notice').count(), 1);
    const segnatura = await page.textContent('#segnatura');
    assert.match(segnatura, /^c_a479 - \d{4} - 0000001 - \d{2}\/\d{2}\/\d{4}$/);
    assert.ok((await page.textContent('#documents-table')).includes(createHash('sha256').update(pdf).digest('hex')));
    await assertAccessible(page, 'entry');
    const entryUrl = page.url().split('?')[0];

    // The stored document downloads byte for byte.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#documents-table a')]);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    assert.deepEqual(Buffer.concat(chunks), pdf);

    // Search by subject.
    await page.goto(`${server.baseUrl}/backoffice/asti/protocollo`);
    await page.fill('#q-oggetto', 'passo carrabile');
    await Promise.all([page.waitForNavigation(), page.click('#search-submit')]);
    assert.equal(await page.locator('#entries-table tbody tr').count(), 1);
    await assertAccessible(page, 'search results');

    // The operator sees no annulment right; the manager annuls with reason and authorisation.
    const manager = await managerCtx.newPage();
    await signInStaff(manager, 'responsabile@asti.example', 'Asti-responsabile-2026!');
    await manager.goto(entryUrl);
    await manager.fill('#a-reason', 'Oggetto errato');
    await manager.fill('#a-auth', 'Determina 45/2026');
    await Promise.all([manager.waitForNavigation(), manager.click('#annul-submit')]);
    assert.equal(await manager.locator('#annulled-badge').count(), 1);
    assert.equal(await manager.textContent('#annulment-authorisation'), 'Determina 45/2026');
    await assertAccessible(manager, 'annulled entry');

    await page.goto(`${server.baseUrl}/backoffice/asti/protocollo/registro-giornaliero`);
    await assertAccessible(page, 'daily registers');
    // Expected: the 400 of the deliberately incomplete form, and the download ending its navigation.
    const unexpected = problems.filter((p) => !(p.includes('status of 400') && p.includes('/protocollo/nuovo'))
      && !(p.includes('/documenti/0') && p.includes('ERR_ABORTED')));
    assert.deepEqual(unexpected, []);
  } finally {
    await ctx.close();
    await managerCtx.close();
  }
});
