// Issue 5's acceptance, in chromium: a demo citizen of Asti enrols a child in primary school (prefilled
// from their profile), leaves halfway, comes back from another browser, sends it and gets a receipt with
// a protocol number; an Asti operator asks for an addition, the citizen answers, the operator accepts;
// the citizen sees each step. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';
import { submitWith } from './support/steps.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

async function signInAtSimulator(page, fiscalCode) {
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
}
async function next(page, sel = '#step-next') { await Promise.all([page.waitForNavigation(), page.click(sel)]); }

test('a citizen of Asti enrols a child online and an operator handles the case to acceptance', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  console.log('start'); await page.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria/domanda`); console.log('at', page.url());
  console.log('clicking');
  await page.click('.provider-link');
  console.log('clicked', page.url());
  await signInAtSimulator(page, 'FRRNNA78S70A479X');
  console.log('signed', page.url());
  await page.waitForURL(/\/asti\/domande\/[A-Za-z0-9_-]{43}\/passo\/1$/);
  assert.equal(await page.inputValue('#f-applicant_fiscal_code'), 'FRRNNA78S70A479X');
  assert.equal(await page.inputValue('#f-applicant_email'), 'anna.ferraro@example.org');
  await axe(page, 'step 1');
  // An error keeps the typing.
  await page.fill('#f-applicant_email', 'anna@');
  await next(page);
  assert.equal(await page.locator('#error-summary').count(), 1);
  assert.equal(await page.inputValue('#f-applicant_email'), 'anna@');
  await axe(page, 'step 1 with errors');
  await page.fill('#f-applicant_email', 'anna.ferraro@example.org');
  await page.fill('#f-applicant_residence-street', 'Corso Alfieri');
  await page.fill('#f-applicant_residence-number', '12');
  await page.fill('#f-applicant_residence-postcode', '14100');
  await page.fill('#f-applicant_residence-municipality', 'Asti');
  await page.click('label[for="f-applicant_role-0"]');
  await next(page);
  assert.match(page.url(), /\/passo\/2$/);
  await axe(page, 'step 2');
  await page.click('label[for="f-school_year-1"]');
  await page.fill('#f-children-0-fiscal_code', 'FRRGLI21H55A479E');
  await page.fill('#f-children-0-given_name', 'Giulia');
  await page.fill('#f-children-0-family_name', 'Ferraro');
  await page.click('label[for="f-children-0-sex-0"]');  // Femmina: the code is a girl's
  await page.fill('#f-children-0-birth_date', '15/06/2021');
  await page.fill('#f-children-0-birth_place', 'Asti');
  await page.fill('#f-children-0-citizenship', 'italiana');
  await page.click('label[for="f-children-0-disability-1"]');
  // Leaves halfway.
  await next(page, '#step-save');
  assert.equal(await page.locator('#notice').count(), 1);
  const stepUrl = page.url().split('?')[0];
  await ctx.close();

  // Comes back from another browser.
  const ctx2 = await browser.newContext({ locale: 'it-IT' });
  const p2 = await ctx2.newPage();
  watchPage(p2);
  await p2.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria/domanda`);
  await p2.click('.provider-link');
  await signInAtSimulator(p2, 'FRRNNA78S70A479X');
  assert.equal(p2.url(), stepUrl);
  assert.equal(await p2.inputValue('#f-children-0-given_name'), 'Giulia');
  await next(p2);
  assert.match(p2.url(), /\/passo\/3$/);
  await axe(p2, 'step 3');
  await p2.click('label[for="f-school-0"]'); // Scuola primaria G. Rodari, first of Asti's demo schools
  await p2.click('label[for="f-time_schedule-1"]');
  await p2.click('label[for="f-religion_teaching-1"]');
  await p2.click('label[for="f-canteen-0"]');
  await p2.click('label[for="f-transport-1"]');
  await next(p2);
  // revealed diet questions
  assert.equal(await p2.locator('#info').count(), 1);
  await axe(p2, 'step 3 revealed');
  await next(p2);
  assert.match(p2.url(), /\/passo\/4$/);
  for (const id of ['declaration_shared_responsibility', 'declaration_vaccinations', 'declaration_truth', 'declaration_privacy']) await p2.click(`label[for="f-${id}"]`);
  await axe(p2, 'step 4');
  await next(p2);
  assert.match(p2.url(), /\/riepilogo$/);
  await axe(p2, 'summary');
  await Promise.all([p2.waitForNavigation(), p2.click('#send')]);
  assert.match(p2.url(), /\/ricevuta$/);
  assert.match(await p2.locator('#protocol-label').innerText(), /^\d{7}\/\d{4}$/);
  await axe(p2, 'receipt');
  const [download] = await Promise.all([p2.waitForEvent('download'), p2.click('#receipt-pdf')]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
  const protocol = (await p2.locator('#protocol-label').innerText()).trim();

  // The citizen's area lists it, registered, with its protocol number.
  await p2.goto(`${server.baseUrl}/area-personale/pratiche`);
  await axe(p2, 'my applications');
  assert.equal(await p2.locator('#my-cases tbody tr').count(), 1);
  assert.ok((await p2.locator('#my-cases').innerText()).includes(protocol));
  await submitWith(p2, '#my-cases tbody a');
  const citizenCaseUrl = p2.url();
  assert.equal(await p2.getAttribute('#case-state', 'data-state'), 'registered');
  await axe(p2, 'my case');

  // An Asti operator takes it and asks for an addition.
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  const op = await staffCtx.newPage();
  const staffProblems = watchPage(op);
  await op.goto(`${server.baseUrl}/backoffice/accedi`);
  await op.fill('input[name="email"]', 'operatore@asti.example');
  await op.fill('input[name="password"]', 'Asti-operatore-2026!');
  await submitWith(op, '#staff-signin-submit');
  await submitWith(op, '#link-cases');
  await axe(op, 'queue');
  assert.ok((await op.locator('#case-queue').innerText()).includes(protocol));
  await submitWith(op, `#case-queue a:has-text("${protocol}")`);
  await axe(op, 'case (staff)');
  await submitWith(op, '#act-start');
  await op.fill('#c-text', 'Allegare il certificato delle vaccinazioni obbligatorie.');
  await submitWith(op, '#act-request-additions');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'waiting_for_applicant');

  // The citizen sees the request and answers with a document.
  await p2.goto(citizenCaseUrl);
  assert.equal(await p2.locator('#additions-requested').count(), 1);
  assert.ok((await p2.locator('#case-messages').innerText()).includes('certificato delle vaccinazioni'));
  await axe(p2, 'my case waiting for additions');
  await p2.fill('#p-text', 'Ecco il certificato.');
  await p2.setInputFiles('#p-files', {
    name: 'vaccinazioni.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  });
  await submitWith(p2, '#act-answer-additions');
  assert.equal(await p2.getAttribute('#case-state', 'data-state'), 'in_progress');
  assert.ok((await p2.locator('#case-documents').innerText()).includes('vaccinazioni.pdf'));

  // The operator accepts; the decision is registered as outgoing protocol.
  await op.reload();
  assert.ok((await op.locator('#case-messages').innerText()).includes('Ecco il certificato.'));
  await op.fill('#c-text', "Si accoglie l'iscrizione alla scuola primaria per l'anno 2027/2028.");
  await submitWith(op, '#act-accept');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'accepted');

  // The citizen sees every step and can download the decision.
  await p2.goto(citizenCaseUrl);
  assert.equal(await p2.getAttribute('#case-state', 'data-state'), 'accepted');
  const history = await p2.locator('#case-history').innerText();
  for (const step of ['Protocollata', 'In istruttoria', 'In attesa di integrazioni', 'Accolta']) {
    assert.ok(history.includes(step), `history shows ${step}`);
  }
  const decision = p2.locator('#case-documents li', { hasText: 'provvedimento' }).locator('a');
  assert.equal(await decision.count(), 1);
  const [pdf] = await Promise.all([p2.waitForEvent('download'), decision.click()]);
  const bytes = [];
  for await (const c of await pdf.createReadStream()) bytes.push(c);
  assert.equal(Buffer.concat(bytes).subarray(0, 5).toString(), '%PDF-');
  await axe(p2, 'my accepted case');
  assert.deepEqual(staffProblems, []);
  await staffCtx.close();
  await ctx2.close();
});
