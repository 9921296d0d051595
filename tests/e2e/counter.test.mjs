// Issue 11 point 4's acceptance, in chromium: a counter operator of Asti identifies a citizen without
// SPID on her identity card (a mistyped sex is caught against the codice fiscale, with everything typed
// kept), opens an assisted session, files the primary school enrolment on her behalf from the service
// page (a banner says for whom on every step), prints the application receipt (PDF), closes the session
// and prints the counter receipt (HTML and PDF) that says what was done in words, with the protocol
// number and no raw codes, ids or UTC times. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axe } from './support/server.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

// Maria Rossi, born in Asti on 10/02/1990: never signed in with SPID.
const MARIA = 'RSSMRA90B50A479S';

async function go(page, sel) { await Promise.all([page.waitForNavigation(), page.click(sel)]); }

// The text of a PDF through pdftotext (poppler-utils, installed by scripts/install-deps). With
// COUNTER_PDF_DIR set, the PDFs are also kept there to be looked at (pdftoppm).
function pdfText(bytes) {
  if (process.env.COUNTER_PDF_DIR) {
    fs.mkdirSync(process.env.COUNTER_PDF_DIR, { recursive: true });
    fs.writeFileSync(path.join(process.env.COUNTER_PDF_DIR, `receipt-${Date.now()}.pdf`), bytes);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'counter-pdf-'));
  const file = path.join(dir, 'r.pdf');
  fs.writeFileSync(file, bytes);
  const out = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}
// What a person must never read: action codes, record ids (UUIDs, long tokens), ISO dates and UTC times.
function assertReadable(text, label) {
  assert.doesNotMatch(text, /\b(case|counter|application|delegation)\.[a-z_]+\b/, `${label}: an action code`);
  assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/, `${label}: a record id`);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${label}: an ISO time`);
  assert.doesNotMatch(text, /\bUTC\b|\d{2}:\d{2}:\d{2}(\.\d+)?Z/, `${label}: a UTC time`);
}

async function fetchPdf(ctx, url) {
  const res = await ctx.request.get(url);
  assert.equal(res.status(), 200, url);
  assert.equal(res.headers()['content-type'], 'application/pdf', url);
  const body = await res.body();
  assert.equal(body.subarray(0, 5).toString(), '%PDF-', url);
  return body;
}

test('a counter operator files an enrolment for a citizen without SPID and prints both receipts', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', 'sportello@asti.example');
  await page.fill('input[name="password"]', 'Asti-sportello-2026!');
  await go(page, '#staff-signin-submit');
  await page.goto(`${server.baseUrl}/sportello-assistito/`);
  await axe(page, 'counter home');

  // Identification: the sex typed does not agree with the code (a woman's: day + 40).
  await page.fill('#c-family_name', 'Rossi');
  await page.fill('#c-given_name', 'Maria');
  await page.click('label[for="c-sex-m"]');
  await page.fill('#c-birth_date', '1990-02-10');
  await page.fill('#c-fiscal_code', MARIA);
  await page.selectOption('#c-document_type', 'cie');
  await page.fill('#c-document_number', 'CA00000AA');
  await page.fill('#c-document_expiry', '2031-01-31');
  await go(page, 'form[action="/sportello-assistito/avvia"] button[type="submit"]');
  assert.equal(await page.locator('#error-summary').count(), 1);
  assert.match(await page.locator('#error-summary').innerText(), /non corrisponde al sesso/);
  assert.equal(await page.getAttribute('#c-sex', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#c-family_name'), 'Rossi');
  assert.equal(await page.inputValue('#c-fiscal_code'), MARIA);
  assert.equal(await page.inputValue('#c-document_expiry'), '2031-01-31');
  await axe(page, 'counter identification refused');
  await page.click('label[for="c-sex"]');  // Femmina
  await go(page, 'form[action="/sportello-assistito/avvia"] button[type="submit"]');
  assert.equal(await page.locator('#assisted-open').count(), 1);
  const number = (await page.locator('#session-number').innerText()).trim();
  assert.match(number, /^SA-\d{4}-\d{6}$/);
  await axe(page, 'counter session open');

  // Any service of any member body: Asti's primary school enrolment, from its service page.
  await page.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria`);
  await go(page, '#service-apply');
  await page.waitForURL(/\/asti\/domande\/[A-Za-z0-9_-]{43}\/passo\/1$/);
  assert.match(await page.locator('#assisting-banner').innerText(), new RegExp(`per conto di Maria Rossi \\(${MARIA}\\)`));
  assert.equal(await page.inputValue('#f-applicant_fiscal_code'), MARIA);
  assert.equal(await page.inputValue('#f-applicant_given_name'), 'Maria');
  await axe(page, 'step 1 at the counter');
  await page.fill('#f-applicant_email', 'maria.rossi@example.org');
  await page.fill('#f-applicant_residence-street', 'Corso Alfieri');
  await page.fill('#f-applicant_residence-number', '5');
  await page.fill('#f-applicant_residence-postcode', '14100');
  await page.fill('#f-applicant_residence-municipality', 'Asti');
  await page.click('label[for="f-applicant_role-0"]');
  await go(page, '#step-next');
  assert.match(page.url(), /\/passo\/2$/);
  assert.equal(await page.locator('#assisting-banner').count(), 1);
  await page.click('label[for="f-school_year-1"]');
  await page.fill('#f-children-0-fiscal_code', 'RSSGLI21H55A479E');
  await page.fill('#f-children-0-given_name', 'Giulia');
  await page.fill('#f-children-0-family_name', 'Rossi');
  await page.click('label[for="f-children-0-sex-0"]');
  await page.fill('#f-children-0-birth_date', '15/06/2021');
  await page.fill('#f-children-0-birth_place', 'Asti');
  await page.fill('#f-children-0-citizenship', 'italiana');
  await page.click('label[for="f-children-0-disability-1"]');
  await go(page, '#step-next');
  assert.match(page.url(), /\/passo\/3$/, await page.locator('#error-summary').count() ? await page.locator('#error-summary').innerText() : '');
  await axe(page, 'step 3 at the counter');
  await page.click('label[for="f-school-0"]');
  await page.click('label[for="f-time_schedule-1"]');
  await page.click('label[for="f-religion_teaching-1"]');
  await page.click('label[for="f-canteen-1"]');
  await page.click('label[for="f-transport-1"]');
  await go(page, '#step-next');
  assert.match(page.url(), /\/passo\/4$/);
  for (const id of ['declaration_shared_responsibility', 'declaration_vaccinations', 'declaration_truth', 'declaration_privacy']) await page.click(`label[for="f-${id}"]`);
  await go(page, '#step-next');
  assert.match(page.url(), /\/riepilogo$/);
  assert.equal(await page.locator('#assisting-banner').count(), 1);
  await axe(page, 'summary at the counter');
  await go(page, '#send');
  assert.match(page.url(), /\/ricevuta$/);
  const protocol = (await page.locator('#protocol-label').innerText()).trim();
  assert.match(protocol, /^\d{7}\/\d{4}$/);
  await axe(page, 'application receipt at the counter');
  const appPdfUrl = new URL(await page.getAttribute('#receipt-pdf', 'href'), page.url()).toString();
  const appPdf = await fetchPdf(ctx, appPdfUrl);
  const appText = pdfText(appPdf);
  assert.ok(appText.includes(protocol), 'the application receipt has the protocol number');
  assertReadable(appText, 'application receipt PDF');

  // Back to the counter: the identity is now locked; closing gives the counter receipt.
  await go(page, '#assisting-banner a');
  assert.equal(await page.locator('#identity-locked').count(), 1);
  await axe(page, 'counter after filing');
  await go(page, 'form[action="/sportello-assistito/chiudi"] button');
  assert.match(page.url(), /\/sportello-assistito\/ricevuta\/[A-Za-z0-9_-]+$/);
  const actions = await page.locator('#receipt-actions').innerText();
  assert.ok(actions.includes(`Domanda inviata — Iscrizione alla scuola primaria — Comune di Asti — protocollo n. ${protocol} del `), actions);
  const receiptText = await page.locator('#receipt').innerText();
  assert.ok(receiptText.includes(number));
  assert.ok(receiptText.includes('Paolo Rinaldi'));
  assertReadable(receiptText, 'counter receipt page');
  await axe(page, 'counter receipt');
  const counterPdfUrl = new URL(await page.getAttribute('#receipt-pdf', 'href'), page.url()).toString();
  const counterPdf = await fetchPdf(ctx, counterPdfUrl);
  const counterText = pdfText(counterPdf);
  assert.ok(counterText.includes(protocol), 'the counter receipt PDF has the protocol number');
  assert.ok(counterText.includes(number), 'the counter receipt PDF has the session number');
  assert.ok(counterText.includes('Domanda inviata'), counterText);
  assertReadable(counterText, 'counter receipt PDF');
  // The refused identification answers 400 on purpose (the form shown again with its error).
  assert.deepEqual(problems.filter((p) => !/status of 400 .*\/sportello-assistito\/avvia/.test(p)), []);
  await ctx.close();
});
