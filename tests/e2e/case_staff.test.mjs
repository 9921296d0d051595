// Issue 11 point 6, in chromium: staff actions that used to lose work. An office manager assigns a case by
// picking a colleague by name (never free text), and the queue and the case header show that name; the
// citizen's answer to a request for additions marks the case in the queue until the office acts; the
// citizen's "withdraw" asks first, keeps the reason typed, can be cancelled, and only its own button
// withdraws. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith, next, signInToApply, fillAccessToRecords } from './support/steps.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const CITIZEN = 'FRRNNA78S70A479X';

async function staffSignIn(ctx, email, password) {
  const page = await ctx.newPage();
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await submitWith(page, '#staff-signin-submit');
  return page;
}
// The queue row of a case, as its cells read.
async function queueRow(page, protocol) {
  await page.goto(`${server.baseUrl}/backoffice/asti/pratiche`);
  const row = page.locator(`#case-queue tbody tr:has(a:has-text("${protocol}"))`);
  assert.equal(await row.count(), 1, `${protocol} in the queue`);
  return row;
}

test('assign by name, the answered marker in the queue, and the withdraw confirmation', async () => {
  // A citizen applies for access to records.
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  await signInToApply(page, server.baseUrl, CITIZEN);
  await fillAccessToRecords(page, { description: 'Verbale della commissione edilizia del 3 marzo 2025.', reason: 'Sono il proprietario del fondo confinante.' });
  await submitWith(page, '#send');
  const protocol = (await page.locator('#protocol-label').innerText()).trim();
  await page.goto(`${server.baseUrl}/area-personale/pratiche`);
  await submitWith(page, '#my-cases tbody a');
  const caseUrl = page.url();

  // The office manager assigns it to Marco Bosio, chosen by name from the office's staff.
  const managerCtx = await browser.newContext({ locale: 'it-IT' });
  const manager = await staffSignIn(managerCtx, 'responsabile@asti.example', 'Asti-responsabile-2026!');
  const managerProblems = watchPage(manager);
  let row = await queueRow(manager, protocol);
  await submitWith(manager, `#case-queue a:has-text("${protocol}")`);
  assert.equal(await manager.locator('select#c-assignee').count(), 1, 'the assignee is a list, not free text');
  const options = await manager.locator('#c-assignee option').allInnerTexts();
  assert.ok(options.some((o) => o.includes('Marco Bosio')), options.join(' | '));
  const marco = await manager.locator('#c-assignee option', { hasText: 'Marco Bosio' }).getAttribute('value');
  await manager.selectOption('#c-assignee', marco);
  await submitWith(manager, '#act-assign');
  assert.match(await manager.locator('p.lead').innerText(), /Marco Bosio/);
  assert.ok(!(await manager.locator('p.lead').innerText()).includes(marco), 'the header shows the name, not the id');
  await axe(manager, 'case page after assigning');
  row = await queueRow(manager, protocol);
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[6].trim(), 'Marco Bosio');
  assert.equal(await row.locator('.answered').count(), 0);
  await axe(manager, 'queue');

  // Marco asks for an addition; the citizen answers; the queue marks the case until the office acts.
  const operatorCtx = await browser.newContext({ locale: 'it-IT' });
  const op = await staffSignIn(operatorCtx, 'operatore@asti.example', 'Asti-operatore-2026!');
  const opProblems = watchPage(op);
  await queueRow(op, protocol);
  await submitWith(op, `#case-queue a:has-text("${protocol}")`);
  await submitWith(op, '#act-start');
  await op.fill('#c-text', 'Indicare la data della seduta, se diversa.');
  await submitWith(op, '#act-request-additions');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'waiting_for_applicant');
  await page.goto(caseUrl);
  await page.fill('#p-text', 'La data è corretta: 3 marzo 2025.');
  await submitWith(page, '#act-answer-additions');
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'in_progress');
  row = await queueRow(op, protocol);
  assert.equal(await row.locator('.answered').count(), 1, 'the answer is marked in the queue');
  await axe(op, 'queue with an answered case');

  // The citizen asks to withdraw: nothing happens until confirmed; the reason typed is kept.
  await page.goto(caseUrl);
  await page.fill('#p-text', 'Ho trovato il verbale altrove.');
  await submitWith(page, '#act-withdraw');
  assert.equal(await page.locator('#confirm-withdraw').count(), 1);
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'in_progress');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'h-confirm-withdraw');
  assert.equal(await page.inputValue('#confirm-withdraw input[name="text"]'), 'Ho trovato il verbale altrove.');
  await axe(page, 'withdraw confirmation');
  // "Go back" leaves the case as it was.
  await submitWith(page, '#act-withdraw-cancel');
  assert.equal(await page.locator('#confirm-withdraw').count(), 0);
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'in_progress');
  // Sending a message never withdraws.
  await page.fill('#p-text', 'Una domanda: posso ritirarla più tardi?');
  await submitWith(page, '#act-message');
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'in_progress');
  // Asked again and confirmed: withdrawn, with the reason in the history.
  await page.fill('#p-text', 'Ho trovato il verbale altrove.');
  await submitWith(page, '#act-withdraw');
  await submitWith(page, '#act-withdraw-confirm');
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'withdrawn');
  assert.ok((await page.locator('main').innerText()).includes('Ho trovato il verbale altrove.'));
  await axe(page, 'withdrawn case');

  // The office sees it withdrawn, and the marker is gone (the case is no longer waiting for the office).
  await op.goto(`${server.baseUrl}/backoffice/asti/pratiche`);
  const stillOpen = await op.locator(`#case-queue tbody tr:has(a:has-text("${protocol}"))`).count();
  assert.equal(stillOpen, 0, 'a withdrawn case leaves the queue of open cases');

  assert.deepEqual(problems, []);
  assert.deepEqual(managerProblems, []);
  assert.deepEqual(opProblems, []);
});
