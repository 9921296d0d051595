// Protocol messages between registry offices of the hub, in chromium (docs/protocollo-interop.md): Asti's
// registry sends a document to Casale Monferrato's; Casale's operator registers it with the fields
// prefilled from the signed segnatura; Asti sees the receipt confirmation on its entry; Asti's manager
// annuls, Casale sees the annulment. Each new page kind passes axe once.
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

test('Asti sends to Casale, Casale registers it prefilled, Asti sees the confirmation, annuls, Casale sees it', async () => {
  const asti = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  const casale = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  const manager = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  const problems = [watchPage(asti), watchPage(casale), watchPage(manager)];
  try {
    // Asti's operator registers an outgoing letter addressed to Casale's registry office.
    await signInStaff(asti, 'operatore@asti.example', 'Asti-operatore-2026!');
    await asti.goto(`${server.baseUrl}/backoffice/asti/protocollo/nuovo`);
    await asti.selectOption('#f-direction', 'outgoing');
    await asti.fill('#f-subject', 'Trasmissione della determina sul trasporto scolastico intercomunale');
    await asti.fill('#f-cname', 'Comune di Casale Monferrato');
    await asti.selectOption('#f-kind', 'body');
    await asti.selectOption('#f-caoo', 'c_b885/c_b885');
    await asti.fill('#f-class', '7.4');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await asti.setInputFiles('#f-document', { name: 'determina.pdf', mimeType: 'application/pdf', buffer: pdf });
    await Promise.all([asti.waitForNavigation(), asti.click('#register-submit')]);
    assert.equal(await asti.locator('#registered-notice').count(), 1);
    const astiEntry = asti.url().split('?')[0];
    const astiNumber = (await asti.textContent('#segnatura')).split(' - ')[2];
    assert.match(await asti.textContent('#send-targets'), /Casale Monferrato/);
    await Promise.all([asti.waitForNavigation(), asti.click('#send-submit')]);
    assert.equal(await asti.locator('#sent-notice').count(), 1);
    assert.equal(await asti.getAttribute('.interop-message', 'data-state'), 'sent');
    await assertAccessible(asti, 'entry with its exchange');

    // Casale's registry operator finds it in the queue, checked, and registers it prefilled.
    await signInStaff(casale, 'protocollo@casale.example', 'Casale-operatore-2026!');
    await casale.goto(`${server.baseUrl}/backoffice/casale-monferrato/protocollo`);
    await Promise.all([casale.waitForNavigation(), casale.click('#link-inbox')]);
    await assertAccessible(casale, 'incoming queue');
    assert.equal(await casale.locator('#inbox-table tbody tr[data-state="pending"]').count(), 1);
    await Promise.all([casale.waitForNavigation(), casale.click('#inbox-table tbody tr a')]);
    await assertAccessible(casale, 'received message');
    assert.equal(await casale.inputValue('#r-subject'), 'Trasmissione della determina sul trasporto scolastico intercomunale');
    assert.equal(await casale.inputValue('#r-class'), '7.4');
    assert.equal(await casale.textContent('#prefill-sender'), 'Comune di Asti');
    assert.match(await casale.textContent('#message-sender-registration'), new RegExp(astiNumber));
    await casale.fill('#r-office', 'Servizi scolastici');
    await Promise.all([casale.waitForNavigation(), casale.click('#register-submit')]);
    assert.equal(await casale.locator('#registered-notice').count(), 1);
    const casaleEntry = casale.url().split('?')[0];
    const casaleNumber = (await casale.textContent('#segnatura')).split(' - ')[2];
    assert.match(await casale.textContent('#segnatura'), /^c_b885 - /);
    assert.match(await casale.textContent('#entry-fields'), new RegExp(astiNumber));

    // Asti sees the receipt confirmation with Casale's number.
    await asti.goto(astiEntry);
    assert.equal(await asti.getAttribute('.interop-message', 'data-state'), 'confirmed');
    assert.match(await asti.textContent('.interop-events'), new RegExp(`n\\. ${casaleNumber}`));

    // Asti's manager annuls; Casale sees the annulment on its entry and in its queue.
    await signInStaff(manager, 'responsabile@asti.example', 'Asti-responsabile-2026!');
    await manager.goto(astiEntry);
    await manager.fill('#a-reason', 'Determina sostituita');
    await manager.fill('#a-auth', 'Determina 88/2026');
    await Promise.all([manager.waitForNavigation(), manager.click('#annul-submit')]);
    assert.equal(await manager.locator('#annulled-badge').count(), 1);
    assert.equal(await manager.getAttribute('.interop-message', 'data-state'), 'annulled');
    await casale.goto(casaleEntry);
    assert.equal(await casale.getAttribute('.interop-message', 'data-state'), 'annulled_by_sender');
    assert.match(await casale.textContent('.interop-events'), /Determina sostituita/);
    assert.match(await casale.textContent('.interop-events'), /Determina 88\/2026/);
    await casale.goto(`${server.baseUrl}/backoffice/casale-monferrato/protocollo/in-arrivo`);
    assert.equal(await casale.locator('#inbox-table tbody tr[data-state="annulled_by_sender"]').count(), 1);

    assert.deepEqual(problems.flat(), []);
  } finally {
    for (const p of [asti, casale, manager]) await p.context().close();
  }
});
