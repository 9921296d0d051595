// Issue 19, the hub's help desk, in chromium: an operator of Asti opens a ticket (the form warns about
// personal data and shows a published answer first), the help-desk agent finds it in the queue and
// answers waiting for the body (the SLA pauses), the operator replies (the SLA runs again). axe once on
// each kind of page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function signIn(browser, email, password) {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await submitWith(page, '#staff-signin-submit');
  return { ctx, page };
}

test('a body opens a ticket, the agent answers, the SLA pauses while waiting for the body and resumes', async () => {
  const staff = await signIn(browser, 'operatore@asti.example', 'Asti-operatore-2026!');
  const op = staff.page;
  const problems = watchPage(op);
  await op.goto(`${server.baseUrl}/backoffice/`);
  await submitWith(op, '#link-helpdesk');
  await axe(op, 'the body\'s tickets');
  await submitWith(op, '#hd-new');
  await axe(op, 'a new ticket');
  assert.match(await op.locator('#hd-personal-data').innerText(), /dati personali/);
  await op.selectOption('#hd-category', 'services');
  await op.fill('#hd-subject', 'Il modulo della mensa resta bianco');
  await op.fill('#hd-text', 'Da stamattina il modulo di iscrizione alla mensa non si apre.');
  await submitWith(op, '#hd-submit');
  // A demo answer matches the subject: shown before sending, what was typed is still there.
  assert.equal(await op.locator('#hd-suggested').count(), 1);
  assert.equal(await op.locator('#hd-text').inputValue(), 'Da stamattina il modulo di iscrizione alla mensa non si apre.');
  await submitWith(op, '#hd-submit');
  assert.match(await op.locator('#hd-notice').innerText(), /inviata/);
  await axe(op, 'a ticket of the body');
  const ticketUrl = op.url().replace(/\?.*$/, '');
  const id = ticketUrl.split('/').pop();

  const desk = await signIn(browser, 'helpdesk@pes.example', 'Polo-helpdesk-2026!');
  const agent = desk.page;
  await agent.goto(`${server.baseUrl}/backoffice/`);
  await submitWith(agent, '#link-helpdesk-queue');
  await axe(agent, 'the queue');
  await submitWith(agent, `tr[data-ticket-id="${id}"] a`);
  await axe(agent, 'a ticket for the agent');
  assert.equal(await agent.locator('#hd-sla').getAttribute('data-sla'), 'running');
  await agent.fill('#hd-text', 'Quale browser usate? Provate a ricaricare con Ctrl+F5.');
  await agent.click('label[for="hd-wait"]');
  await submitWith(agent, '#hd-reply');
  assert.equal(await agent.locator('#hd-state').getAttribute('data-state'), 'waiting');
  assert.equal(await agent.locator('#hd-sla').getAttribute('data-sla'), 'paused');

  await op.goto(ticketUrl);
  assert.equal(await op.locator('#hd-waiting').count(), 1);
  assert.match(await op.locator('#hd-history').innerText(), /Quale browser usate/);
  await op.fill('#hd-text', 'Firefox 128; con Ctrl+F5 funziona di nuovo.');
  await submitWith(op, '#hd-reply');
  assert.equal(await op.locator('#hd-state').getAttribute('data-state'), 'open');

  await agent.reload();
  assert.equal(await agent.locator('#hd-sla').getAttribute('data-sla'), 'running');
  assert.match(await agent.locator('#hd-history').innerText(), /Firefox 128/);
  await agent.goto(`${server.baseUrl}/hub/assistenza/risposte`);
  await axe(agent, 'the answers');
  assert.deepEqual(problems, []);
  await staff.ctx.close();
  await desk.ctx.close();
});
