// Issue 19's acceptance in chromium, one server: a body's tourist event, written by Asti's operator and
// published by the hub's editor, appears in Asti's feeds and widget (framed only by Asti's own site, once
// its administrator names it); and an operator confirms a company's legal representative from the business
// register (the demo's simulator) on a case, the check recorded there. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function staffSignIn(ctx, email, password) {
  const page = await ctx.newPage();
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await submitWith(page, '#staff-signin-submit');
  return page;
}

test("a body's tourist event appears in its feed and widget after the hub's review", async () => {
  const opCtx = await browser.newContext({ locale: 'it-IT' });
  const hubCtx = await browser.newContext({ locale: 'it-IT' });
  const adminCtx = await browser.newContext({ locale: 'it-IT' });
  try {
    const op = await staffSignIn(opCtx, 'operatore@asti.example', 'Asti-operatore-2026!');
    const problems = watchPage(op);
    await op.goto(`${server.baseUrl}/backoffice/asti/turismo`);
    await axe(op, 'tourism list');
    await submitWith(op, '#new-event');
    await op.fill('#f-name', 'Douja d’Or');
    await op.fill('#f-desc-it', 'Il festival dei vini piemontesi.');
    await op.fill('#f-desc-en', 'The festival of Piedmont wines.');
    await op.selectOption('#f-category', 'food_wine');
    await op.fill('#f-starts', '2099-09-10');
    await op.fill('#f-ends', '2099-09-19');
    await op.fill('#f-lat', '44,8990');
    await op.fill('#f-lon', '8.2070');
    await submitWith(op, '#save-item');
    await axe(op, 'tourism item');
    await submitWith(op, '#submit-item');
    assert.match(await op.textContent('#item-state'), /In revisione/);
    assert.deepEqual(problems, []);

    // Not published yet: in no feed.
    let feed = await (await op.request.get(`${server.baseUrl}/asti/turismo/feed.json`)).json();
    assert.ok(!feed.items.some((i) => i.title === 'Douja d’Or'));

    const editor = await staffSignIn(hubCtx, 'redazione@pes.example', 'Polo-redazione-2026!');
    await editor.goto(`${server.baseUrl}/backoffice/revisione-turismo`);
    await axe(editor, 'review queue');
    const card = editor.locator('article:has-text("Douja d’Or")');
    await Promise.all([editor.waitForNavigation(), card.locator('button[value="publish"]').click()]);
    assert.match(await editor.textContent('#notice'), /Pubblicato/);

    feed = await (await op.request.get(`${server.baseUrl}/asti/turismo/feed.json`)).json();
    const item = feed.items.find((i) => i.title === 'Douja d’Or');
    assert.ok(item, 'in the JSON feed');
    assert.equal(item._sportello_tourism.starts_on, '2099-09-10');
    const atom = await (await op.request.get(`${server.baseUrl}/asti/turismo/feed.atom`)).text();
    assert.match(atom, /<title>Douja d’Or<\/title>/);

    // The widget: Asti's administrator names Asti's site; the widget says only that site may frame it.
    const admin = await staffSignIn(adminCtx, 'admin@asti.example', 'Asti-admin-2026!');
    await admin.goto(`${server.baseUrl}/backoffice/asti/turismo`);
    await admin.fill('#widget-origins', 'https://www.comune.asti.it');
    await submitWith(admin, '#save-origins');
    assert.equal(await admin.locator('#saved-notice').count(), 1);
    const public_ = await opCtx.newPage();
    const widget = await public_.goto(`${server.baseUrl}/asti/turismo/widget`);
    assert.match(widget.headers()['content-security-policy'], /frame-ancestors https:\/\/www\.comune\.asti\.it$/);
    assert.equal(widget.headers()['x-frame-options'], undefined);
    assert.match(await public_.textContent('#widget-items'), /Douja d’Or/);
    await public_.goto(`${server.baseUrl}/asti/turismo`);
    assert.match(await public_.textContent('#tourism-items'), /Douja d’Or/);
    await axe(public_, 'public tourism page');
  } finally {
    await Promise.all([opCtx.close(), hubCtx.close(), adminCtx.close()]);
  }
});

test("an operator confirms a company's legal representative from the register", async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const op = await staffSignIn(ctx, 'operatore@asti.example', 'Asti-operatore-2026!');
    await op.goto(`${server.baseUrl}/backoffice/asti/pratiche`);
    await submitWith(op, '#case-queue tbody tr a');
    await submitWith(op, '#link-business-register');
    await axe(op, 'register check form');
    await op.fill('#b-tax-code', '01234560017');
    await op.fill('#b-representative', 'FRRNNA78S70A479X');
    await submitWith(op, '#bizreg-submit');
    assert.match(await op.textContent('#result-name'), /Cantina Ferraro S\.r\.l\./);
    assert.match(await op.textContent('#result-representative'), /FRRNNA78S70A479X è legale rappresentante/);
    assert.equal(await op.locator('#checks li[data-outcome="found"]').count(), 1);
    await axe(op, 'register check result');
    // An unknown company: a clear error, the code kept.
    await op.fill('#b-tax-code', '09999999999');
    await submitWith(op, '#bizreg-submit');
    assert.match(await op.textContent('#error-summary'), /non conosce nessuna impresa/);
    assert.equal(await op.inputValue('#b-tax-code'), '09999999999');
  } finally {
    await ctx.close();
  }
});
