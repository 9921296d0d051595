// Issue 11 points 2 and 3, in chromium: a demo citizen of Asti verifies an e-mail address and a mobile
// number on their profile (codes read from the demo mailbox /sim/posta: the SMTP sink and the SMS
// gateway simulator), applies for access to records, and is told by e-mail and by SMS, with a link to the
// case, of the operator's request for additions and of the decision; the case's page records each notice
// with masked addresses. A notice of grounds that still holds the template's "[indicare i motivi]" is
// refused, with the officer's text kept and nothing sent. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith, next, signInToApply, fillAccessToRecords } from './support/steps.mjs';
import { mailbox as readMailbox, waitForMail, sixDigitCode } from './support/mailbox.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const CITIZEN = 'FRRNNA78S70A479X';
const EMAIL = 'anna.avvisi@example.org';
const MOBILE = '+393471234567';


const mailbox = (page) => readMailbox(page, server.baseUrl);
const waitFor = (page, what, pick) => waitForMail(page, server.baseUrl, what, pick);
const code = sixDigitCode;

test('a citizen is told of the request for additions and of the decision by e-mail and by SMS', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  const mail = await ctx.newPage();

  // Sign in and verify both contacts on the profile, SMS preferred.
  await signInToApply(page, server.baseUrl, CITIZEN);
  const draftUrl = page.url();
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#profile-email', EMAIL);
  await page.fill('#profile-mobile', '347 1234567');
  await submitWith(page, '#contacts-submit');
  const emailCode = await waitFor(mail, 'the e-mail code', ({ mails }) => mails.find((m) => m.meta.includes(EMAIL)));
  const smsCode = await waitFor(mail, 'the SMS code', ({ texts }) => texts.find((t) => t.meta.includes(MOBILE)));
  await page.goto(`${server.baseUrl}/area-personale/profilo`);
  await page.fill('#code-email', code(emailCode.body));
  await submitWith(page, '#verify-email button[value="verify"]');
  await page.fill('#code-sms', code(smsCode.text));
  await submitWith(page, '#verify-sms button[value="verify"]');
  await page.click('label[for="channel-sms"]');
  await submitWith(page, '#contacts-submit');
  assert.match(await page.locator('#held-channel').innerText(), /SMS/i);
  await axe(page, 'profile with verified contacts');

  // Applies for access to records.
  await page.goto(draftUrl);
  await fillAccessToRecords(page, { description: 'Permesso di costruire del fabbricato confinante, anno 2020.', reason: 'Verificare le distanze dal confine della mia proprietà.' });
  assert.match(page.url(), /\/riepilogo$/);
  await submitWith(page, '#send');
  assert.match(page.url(), /\/ricevuta$/);
  const protocol = (await page.locator('#protocol-label').innerText()).trim();
  await page.goto(`${server.baseUrl}/area-personale/pratiche`);
  await submitWith(page, '#my-cases tbody a');
  const caseUrl = page.url();
  const casePath = new URL(caseUrl).pathname;
  assert.match(casePath, /^\/area-personale\/pratiche\/asti\/[0-9a-f-]{36}$/);

  // An operator takes the case and asks for an addition.
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  const op = await staffCtx.newPage();
  const staffProblems = watchPage(op);
  await op.goto(`${server.baseUrl}/backoffice/accedi`);
  await op.fill('input[name="email"]', 'operatore@asti.example');
  await op.fill('input[name="password"]', 'Asti-operatore-2026!');
  await submitWith(op, '#staff-signin-submit');
  await submitWith(op, '#link-cases');
  await submitWith(op, `#case-queue a:has-text("${protocol}")`);
  await submitWith(op, '#act-start');
  await op.fill('#c-text', 'Indicare il numero della pratica edilizia, se lo conosce.');
  await submitWith(op, '#act-request-additions');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'waiting_for_applicant');

  // By e-mail and by SMS, with the link to the case, never the request's text.
  const request = await waitFor(mail, 'the request by e-mail', ({ mails }) =>
    mails.find((m) => m.meta.includes(EMAIL) && m.subject.startsWith('Richiesta di integrazioni')));
  assert.ok(request.body.includes(`${server.baseUrl}${casePath}`), request.body);
  assert.ok(request.body.includes(protocol), request.body);
  assert.ok(!request.body.includes('pratica edilizia'));
  const requestSms = await waitFor(mail, 'the request by SMS', ({ texts }) =>
    texts.find((t) => t.meta.includes(MOBILE) && t.text.includes('chiede integrazioni')));
  assert.ok(requestSms.text.includes(`${server.baseUrl}${casePath}`), requestSms.text);
  await axe(mail, 'demo mailbox');

  // The link leads to the case, which records the notice with masked addresses.
  await page.goto(request.body.match(/https?:\/\/\S+/)[0]);
  assert.equal(page.url(), caseUrl);
  const messages = await page.locator('#case-messages').innerText();
  // The request for additions is a legal act: routed to every verified channel (docs/messaging.md), in the
  // routing's order; both masked addresses are named.
  const requestLine = messages.split('\n').find((l) => l.startsWith('Richiesta di integrazioni: avviso inviato'));
  assert.ok(requestLine, messages);
  assert.ok(requestLine.includes('per SMS al numero +39******4567'), requestLine);
  assert.ok(requestLine.includes('per e-mail a a***@example.org'), requestLine);
  assert.ok(!messages.includes(EMAIL) && !messages.includes('3471234567'));
  await axe(page, 'my case with its notices');
  await page.fill('#p-text', 'Il numero è 12/2020.');
  await submitWith(page, '#act-answer-additions');
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'in_progress');

  // A notice of grounds still holding the template's placeholder is refused; the text is kept.
  await op.reload();
  const sentBefore = (await mailbox(mail)).mails.length;
  const grounds = await op.inputValue('#d-text-grounds');
  assert.ok(grounds.includes('[indicare i motivi]'), grounds);
  await op.fill('#d-text-grounds', grounds + '\n\nNota dell\'ufficio.');
  await submitWith(op, '#act-notice');
  assert.ok((await op.locator('#error-summary').innerText()).includes('[indicare i motivi]'));
  assert.equal(await op.inputValue('#d-text-grounds'), grounds + '\n\nNota dell\'ufficio.');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'in_progress');
  await axe(op, 'notice of grounds refused');

  // The decision, once its placeholder is filled in.
  const accept = await op.inputValue('#d-text-accept');
  assert.ok(accept.includes('[indicare giorni e orari]'), accept);
  await op.fill('#d-text-accept', accept.replace('[indicare giorni e orari]', 'dal lunedì al venerdì, dalle 9 alle 12'));
  await submitWith(op, '#act-accept');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'accepted');
  const decision = await waitFor(mail, 'the decision by e-mail', ({ mails }) =>
    mails.find((m) => m.meta.includes(EMAIL) && m.subject.startsWith('Domanda accolta')));
  assert.ok(decision.body.includes(`${server.baseUrl}${casePath}`), decision.body);
  assert.match(decision.body, /protocollato con il n\. \d{7}\/\d{4}/);
  await waitFor(mail, 'the decision by SMS', ({ texts }) =>
    texts.find((t) => t.meta.includes(MOBILE) && t.text.includes('è stata accolta')));
  // Nothing went out for the refused notice.
  const all = (await mailbox(mail)).mails;
  assert.ok(!all.some((m) => m.subject.startsWith('Preavviso di rigetto')));
  assert.equal(all.length, sentBefore + 1);

  await page.goto(caseUrl);
  assert.equal(await page.getAttribute('#case-state', 'data-state'), 'accepted');
  assert.ok((await page.locator('#case-messages').innerText()).includes('Domanda accolta: avviso inviato'));
  await axe(page, 'my accepted case');
  assert.deepEqual(problems, []);
  // The refused notice is answered 400 (the form again, with its error): nothing else went wrong.
  assert.deepEqual(staffProblems.filter((p) => !/status of 400 .*\/backoffice\/asti\/pratiche\//.test(p)), []);
  await staffCtx.close();
  await ctx.close();
});
