// Issue 17, the channels in chromium: a citizen of Asti verifies a mobile number by the code the demo's SMS
// gateway received and chooses SMS for reminders and for news of their cases. The gateway then refuses the
// hub's key once (the simulator's /sim/sms/guasto): the notice of receipt of their application is dead at
// once, with nothing to fall back to; an operator finds it among the body's failed messages and retries it,
// and it goes out. Once the person has a verified e-mail too, the gateway fails again on the operator's
// message: it falls back to e-mail, and the person sees both messages, their states and attempts in their
// area; staff see the failed one with its fallback and no retry (the person is never reached twice). axe
// once per page kind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith, next, signInToApply, fillAccessToRecords } from './support/steps.mjs';
import { waitForMail, sixDigitCode } from './support/mailbox.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const CITIZEN = 'FRRNNA78S70A479X';
const EMAIL = 'anna.canali@example.org';
const MOBILE = '+393479876543';

// Reloads `page` until `sel` has attribute `attr` = `value` (the outbox is delivered in the background).
async function waitForAttr(page, sel, attr, value) {
  for (let i = 0; i < 60; i++) {
    if ((await page.locator(sel).count()) && (await page.getAttribute(sel, attr)) === value) return;
    await page.waitForTimeout(250);
    await page.reload();
  }
  assert.fail(`${page.url()}: ${sel} never had ${attr}=${value}`);
}
const waitFor = (page, what, pick) => waitForMail(page, server.baseUrl, what, pick, { every: 250 });
const code = sixDigitCode;
async function gatewayRefusesTheKeyOnce() {
  const r = await fetch(`${server.baseUrl}/sim/sms/guasto`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'status=401&times=1',
  });
  assert.equal(r.status, 200);
}

test('SMS chosen, a dead SMS retried by staff, a failing SMS falling back to e-mail, all seen by the person', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  const mail = await ctx.newPage();

  // Signs in (from the application form, kept for later) and verifies a mobile number by its code.
  await signInToApply(page, server.baseUrl, CITIZEN);
  const draftUrl = page.url();
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#profile-mobile', '347 9876543');
  await submitWith(page, '#contacts-submit');
  const smsCode = await waitFor(mail, 'the SMS code', ({ texts }) => texts.find((t) => t.meta.includes(MOBILE)));
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#code-sms', code(smsCode.text));
  await submitWith(page, '#verify-sms button[value="verify"]');

  // Chooses SMS for reminders and for news of their cases.
  await page.goto(`${server.baseUrl}/area-personale/messaggi`);
  for (const type of ['payment.due', 'case.submitted', 'case.message'])
    await page.selectOption(`select[name="pref_${type}"]`, 'sms');
  await submitWith(page, '#prefs-submit');
  assert.equal(await page.locator('#prefs-saved').count(), 1);
  assert.equal(await page.inputValue('select[name="pref_payment.due"]'), 'sms');
  await axe(page, 'my messages and channels');

  // The gateway refuses the hub's key once: the notice of receipt is dead at once (no e-mail yet to stand in).
  await gatewayRefusesTheKeyOnce();
  await page.goto(draftUrl);
  await fillAccessToRecords(page, { description: 'Permesso di costruire del fabbricato confinante, anno 2020.', reason: 'Verificare le distanze dal confine della mia proprietà.' });
  await submitWith(page, '#send');
  const protocol = (await page.locator('#protocol-label').innerText()).trim();

  // An operator finds it among the body's failed messages and retries it: it goes out.
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  const op = await staffCtx.newPage();
  const staffProblems = watchPage(op);
  await op.goto(`${server.baseUrl}/backoffice/accedi`);
  await op.fill('input[name="email"]', 'operatore@asti.example');
  await op.fill('input[name="password"]', 'Asti-operatore-2026!');
  await submitWith(op, '#staff-signin-submit');
  await op.goto(`${server.baseUrl}/backoffice/asti/messaggi?stato=falliti`);
  await waitForAttr(op, '#messages-table tbody tr[data-state="dead"]', 'data-state', 'dead');
  await axe(op, 'the body\'s failed messages');
  const dead = op.locator('#messages-table tbody tr[data-state="dead"]').first();
  const deadId = await dead.getAttribute('data-message-id');
  await submitWith(op, `#messages-table tr[data-message-id="${deadId}"] a`);
  assert.equal(await op.getAttribute('#message-data', 'data-state'), 'dead');
  await axe(op, 'a dead message');
  await submitWith(op, '#msg-retry');
  await waitForAttr(op, '#message-data', 'data-state', 'delivered');
  assert.equal(await op.locator('#attempts-table tbody tr').count(), 2, 'the refused attempt and the one that went');
  await waitFor(mail, 'the notice of receipt by SMS', ({ texts }) =>
    texts.find((t) => t.meta.includes(MOBILE) && t.text.includes(protocol)));

  // The person adds an e-mail address and verifies it: now there is something to fall back to.
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#profile-email', EMAIL);
  await submitWith(page, '#contacts-submit');
  const emailCode = await waitFor(mail, 'the e-mail code', ({ mails }) => mails.find((m) => m.meta.includes(EMAIL)));
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#code-email', code(emailCode.body));
  await submitWith(page, '#verify-email button[value="verify"]');

  // The operator writes to the applicant while the gateway refuses again: the SMS fails, the e-mail goes.
  await gatewayRefusesTheKeyOnce();
  await op.goto(`${server.baseUrl}/backoffice/asti/pratiche`);
  await submitWith(op, `#case-queue a:has-text("${protocol}")`);
  await op.fill('#c-text', 'Può passare in ufficio martedì per la visione degli atti.');
  await submitWith(op, '#act-message');
  await waitFor(mail, 'the fallback e-mail', ({ mails }) =>
    mails.find((m) => m.meta.includes(EMAIL) && m.body.includes(protocol)));

  // The person sees both messages, with their states, and the failed one's attempts.
  await page.goto(`${server.baseUrl}/area-personale/messaggi`);
  await waitForAttr(page, '#messages-table tbody tr[data-state="dead"]', 'data-state', 'dead');
  const rows = page.locator('#messages-table tbody tr');
  const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-state')));
  assert.ok(states.filter((s) => s === 'delivered').length >= 3, `the SMS retried, the code, the e-mail: ${states}`);
  const failed = page.locator('#messages-table tbody tr[data-state="dead"]');
  assert.equal(await failed.count(), 1, 'only the operator\'s SMS is left failed');
  assert.match(await failed.innerText(), /SMS/);
  const fallback = await rows.evaluateAll((trs) => trs.filter((tr) => tr.innerText.includes('E-mail') &&
    tr.getAttribute('data-state') === 'delivered').length);
  assert.ok(fallback >= 1, 'the e-mail that stood in');
  await submitWith(page, '#messages-table tbody tr[data-state="dead"] a');
  await axe(page, 'one of my messages');
  assert.equal(await page.getAttribute('#message-data', 'data-state'), 'dead');
  assert.equal(await page.locator('#attempts-table tbody tr').count(), 1);
  assert.equal(await page.locator('#msg-retry').count(), 0, 'the person cannot retry');
  assert.equal(await page.locator('#attempts-table code').count(), 0, 'the gateway\'s own words are for staff');

  // Staff see it failed with its fallback, and no retry: the person is never reached twice.
  await op.goto(`${server.baseUrl}/backoffice/asti/messaggi?stato=falliti`);
  const failedId = await page.evaluate(() => location.pathname.split('/').pop());
  await op.goto(`${server.baseUrl}/backoffice/asti/messaggi/${failedId}`);
  assert.equal(await op.getAttribute('#message-data', 'data-state'), 'dead');
  assert.equal(await op.locator('#msg-fallback').count(), 1);
  assert.equal(await op.locator('#msg-retry').count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(staffProblems, []);
  await staffCtx.close();
  await ctx.close();
});
