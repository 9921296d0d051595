// The albo pretorio online in chromium: the public board, its search and a publication (never indexed:
// header and meta tag), then the staff publishing form with the personal-data warning and its
// confirmation. Every page passes axe and works without JavaScript (plain forms and links).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

async function assertAccessible(page, label) {
  assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  assert.equal(formatViolations(await axeViolations(page)), '', label);
}

test('the board, a search, a publication; the staff form warns of personal data', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const noJs = await browser.newContext({ locale: 'it-IT', javaScriptEnabled: false });
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    const board = await page.goto(`${server.baseUrl}/asti/albo`);
    assert.equal(board.status(), 200);
    assert.equal(board.headers()['x-robots-tag'], 'noindex, nofollow, noarchive');
    assert.equal(await page.getAttribute('meta[name="robots"]', 'content'), 'noindex, nofollow, noarchive');
    assert.ok((await page.locator('#albo-table tbody tr').count()) >= 3);
    await assertAccessible(page, 'board');

    await page.fill('#q-testo', 'refezione');
    await Promise.all([page.waitForNavigation(), page.click('#albo-search-submit')]);
    assert.equal(await page.locator('#albo-table tbody tr').count(), 1);
    await assertAccessible(page, 'search');

    const [resp] = await Promise.all([page.waitForNavigation(), page.click('#albo-table tbody tr a')]);
    assert.equal(resp.headers()['x-robots-tag'], 'noindex, nofollow, noarchive');
    assert.match(await page.textContent('#pub-subject'), /refezione scolastica/);
    assert.equal(await page.locator('#pub-documents a').count(), 1);
    await assertAccessible(page, 'publication');
    assert.deepEqual(problems, []);

    // The search is a plain GET form: it works without JavaScript.
    const plain = await noJs.newPage();
    await plain.goto(`${server.baseUrl}/asti/albo`);
    await plain.selectOption('#q-tipo', 'ordinanza');
    await Promise.all([plain.waitForURL(/tipo=ordinanza/), plain.click('#albo-search-submit')]);
    assert.equal(await plain.locator('#albo-table tbody tr').count(), 1);

    // The staff form: a codice fiscale in the subject of a determination is warned about.
    const staff = await staffCtx.newPage();
    await staff.goto(`${server.baseUrl}/backoffice/accedi`);
    await staff.fill('input[name="email"]', 'operatore@asti.example');
    await staff.fill('input[name="password"]', 'Asti-operatore-2026!');
    await Promise.all([staff.waitForNavigation(), staff.click('#staff-signin-submit')]);
    await staff.goto(`${server.baseUrl}/backoffice/asti/albo/nuova`);
    await assertAccessible(staff, 'publishing form');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await staff.selectOption('#f-type', 'determinazione');
    await staff.fill('#f-subject', 'Contributo economico a Mario Rossi, C.F. RSSMRA80A01H501U');
    await staff.fill('#f-office', 'Servizi sociali');
    await staff.fill('#f-responsible', 'Dott.ssa Anna Neri');
    await staff.setInputFiles('#f-document', { name: 'determina.pdf', mimeType: 'application/pdf', buffer: pdf });
    await Promise.all([staff.waitForNavigation(), staff.click('#publish-submit')]);
    assert.equal(await staff.locator('#personal-data-warning').count(), 1);
    assert.match(await staff.textContent('#findings-table'), /RSSMRA80A01H501U/);
    assert.equal(await staff.inputValue('#f-office'), 'Servizi sociali');
    await assertAccessible(staff, 'publishing form with the personal-data warning');

    await staff.click('label[for="f-confirm-pd"]');
    assert.ok(await staff.isChecked('#f-confirm-pd'));
    await staff.setInputFiles('#f-document', { name: 'determina.pdf', mimeType: 'application/pdf', buffer: pdf });
    await Promise.all([staff.waitForNavigation(), staff.click('#publish-submit')]);
    assert.equal(await staff.locator('#published').count(), 1);
    assert.equal(await staff.locator('#pd-confirmed').count(), 1);
    await assertAccessible(staff, 'published');
  } finally {
    await ctx.close();
    await noJs.close();
    await staffCtx.close();
  }
});
