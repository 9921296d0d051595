// Issue 11 point 5, in chromium: no raw internal data reaches people. A citizen of Asti sends an
// enrolment, an operator assigns it, asks for an addition, the citizen answers, the operator accepts;
// every page both see on the way (personal area, my applications, the case, "who accessed my data",
// the profile; the queue, the case with its history, the protocol search and entry, the daily
// registers, the staff list and API keys) and the text of every PDF (receipt, letters, decision, daily
// register, through pdftotext) is scanned for what must never be shown: ISO dates, UTC times, actor ids
// ("person:", "system:", "staff:"), dotted audit codes ("case.read"), field keys and option codes of the
// form definitions (data/forms), long random ids. Every page passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations, sourceDir } from './support/server.mjs';

const execFileP = promisify(execFile);

let server, browser, scratch;
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'sportello-readable-'));
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------ what must not show

// Field names and option codes of every form definition that cannot be a word people read: those with
// an underscore ("applicant_residence", "senza_maiale"). Plain words ("school", "altro") are left out:
// they are legitimately equal to text.
async function formVocabulary() {
  const fieldKeys = new Set();
  const optionCodes = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (!node || typeof node !== 'object') return;
    if (typeof node.name === 'string' && typeof node.type === 'string' && node.name.includes('_')) fieldKeys.add(node.name);
    if (Array.isArray(node.options)) {
      for (const o of node.options) if (typeof o?.value === 'string' && /^[a-z0-9]+(_[a-z0-9]+)+$/.test(o.value)) optionCodes.add(o.value);
    }
    for (const v of Object.values(node)) walk(v);
  };
  const dir = path.join(sourceDir, 'data', 'forms');
  for (const f of await readdir(dir)) if (f.endsWith('.json')) walk(JSON.parse(await readFile(path.join(dir, f), 'utf8')));
  return { fieldKeys, optionCodes };
}

const PATTERNS = [
  [/\b\d{4}-\d{2}-\d{2}\b/g, 'an ISO date'],
  [/T\d{2}:\d{2}/g, 'an ISO time'],
  [/\b\d{2}:\d{2}(:\d{2})?(\.\d+)?Z\b/g, 'a UTC time'],
  [/\b(person|system|staff):/g, 'an actor id'],
  [/\b(case|person|personal_data|staff|protocollo|protocol|application|applications|counter|profile|auth|access|api_key|api|delegation|forms|audit|session|draft|files?|body_pages)\.[a-z_]+(\.[a-z_]+)*\b/g, 'a dotted code'],
  [/(?<![\w.-])[A-Za-z0-9_-]{20,}(?![\w.-])/g, 'a long id'],
];

// What the patterns may legitimately catch, each narrowly.
function allowed(kind, match, label, before = '') {
  // The digital stamp's identifier (docs/stamp.md), printed under its label for typing at /verifica.
  // Printed for typing (Crockford base32 in groups, 5-5-5-5-6); older copies print the URL's 22 characters.
  if (kind === 'a long id' && /^([A-Za-z0-9_-]{22}|[0-9A-Z]{5}(-[0-9A-Z]{5}){3}-[0-9A-Z]{6})$/.test(match) && /(Identificativo|Identifier)\s*$/.test(before)) return true;
  // SHA-256 digests of registered documents and registers: shown on purpose, for checking a copy.
  if (kind === 'a long id' && /^[0-9a-f]{64}$/.test(match)) return true;
  // The same digests in a PDF register's narrow column, wrapped over two lines.
  if (kind === 'a long id' && /register \(PDF\)$/.test(label) && /^[0-9a-f]{20,63}$/.test(match)) return true;
  return false;
}

let vocabulary;
const findings = [];

function scan(label, text) {
  for (const [re, kind] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      if (allowed(kind, m[0], label, text.slice(Math.max(0, m.index - 80), m.index))) continue;
      const at = Math.max(0, m.index - 40);
      findings.push(`${label}: ${kind} «${m[0]}» in «…${text.slice(at, m.index + m[0].length + 40).replace(/\s+/g, ' ')}…»`);
    }
  }
  for (const key of vocabulary.fieldKeys) {
    if (new RegExp(`\\b${key}\\b`).test(text)) findings.push(`${label}: the field key «${key}»`);
  }
  for (const code of vocabulary.optionCodes) {
    if (new RegExp(`\\b${code}\\b`).test(text)) findings.push(`${label}: the option code «${code}»`);
  }
}

// `shown` lists texts the page shows on purpose (a new API key's secret, shown once to copy).
async function look(page, label, shown = []) {
  assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  assert.equal(formatViolations(await axeViolations(page)), '', label);
  let text = await page.evaluate(() => document.body.innerText);
  for (const s of shown) text = text.split(s).join('');
  scan(label, text);
}

let pdfCount = 0;
async function lookPdf(page, href, label) {
  const res = await page.context().request.get(new URL(href, page.url()).toString());
  assert.equal(res.status(), 200, `${label}: ${href}`);
  const bytes = await res.body();
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-', label);
  const file = path.join(scratch, `doc-${++pdfCount}.pdf`);
  await writeFile(file, bytes);
  const { stdout } = await execFileP('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-']);
  assert.ok(stdout.trim().length > 0, `${label}: the PDF has text`);
  scan(`${label} (PDF)`, stdout);
  return stdout;
}

// ------------------------------------------------------------------------------ the journeys

async function go(page, sel) { await Promise.all([page.waitForNavigation(), page.click(sel)]); }

async function signInCitizen(page, fiscalCode) {
  await page.click('.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
}

async function signInStaff(page, email, password) {
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await go(page, '#staff-signin-submit');
}

test('citizens and staff see labels, names, Italian dates and Rome times, never internal data', async () => {
  vocabulary = await formVocabulary();
  assert.ok(vocabulary.fieldKeys.has('applicant_residence') && vocabulary.optionCodes.has('senza_maiale'));
  // The scanner itself: each pattern catches what it is meant to.
  scan('self-test', 'applicant_residence (street: x) senza_maiale 2026-12-04 10:00:00Z T10:00 system:cases case.read tBQON7zabcdefghijklmnopq');
  assert.equal(findings.length, 8, findings.join('\n'));
  findings.length = 0;

  const ctx = await browser.newContext({ locale: 'it-IT' });
  const cit = await ctx.newPage();
  watchPage(cit);
  await cit.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria/domanda`);
  await signInCitizen(cit, 'FRRNNA78S70A479X');
  await cit.waitForURL(/\/passo\/1$/);
  await cit.fill('#f-applicant_residence-street', 'Corso Alfieri');
  await cit.fill('#f-applicant_residence-number', '12');
  await cit.fill('#f-applicant_residence-postcode', '14100');
  await cit.fill('#f-applicant_residence-municipality', 'Asti');
  await cit.click('label[for="f-applicant_role-0"]');
  await go(cit, '#step-next');
  await cit.click('label[for="f-school_year-1"]');
  await cit.fill('#f-children-0-fiscal_code', 'FRRGLI21H55A479E');
  await cit.fill('#f-children-0-given_name', 'Giulia');
  await cit.fill('#f-children-0-family_name', 'Ferraro');
  await cit.click('label[for="f-children-0-sex-0"]');
  await cit.fill('#f-children-0-birth_date', '15/06/2021');
  await cit.fill('#f-children-0-birth_place', 'Asti');
  await cit.fill('#f-children-0-citizenship', 'italiana');
  await cit.click('label[for="f-children-0-disability-1"]');
  await go(cit, '#step-next');
  await cit.click('label[for="f-school-0"]');
  await cit.click('label[for="f-time_schedule-1"]');
  await cit.click('label[for="f-religion_teaching-1"]');
  await cit.click('label[for="f-canteen-0"]');
  await cit.click('label[for="f-transport-1"]');
  await go(cit, '#step-next');
  // The diet questions: "Senza carne di maiale" (code senza_maiale) must come back as its label.
  await cit.locator('label', { hasText: 'Senza carne di maiale' }).click();
  await go(cit, '#step-next');
  assert.match(cit.url(), /\/passo\/4$/);
  for (const id of ['declaration_shared_responsibility', 'declaration_vaccinations', 'declaration_truth', 'declaration_privacy']) await cit.click(`label[for="f-${id}"]`);
  await go(cit, '#step-next');
  await look(cit, 'summary');
  await go(cit, '#send');
  assert.match(cit.url(), /\/ricevuta$/);
  await look(cit, 'receipt');
  const receipt = await lookPdf(cit, await cit.getAttribute('#receipt-pdf', 'href'), 'receipt');
  assert.ok(receipt.includes('Senza carne di maiale'), 'the receipt prints the diet by its label');
  const protocol = (await cit.locator('#protocol-label').innerText()).trim();

  await cit.goto(`${server.baseUrl}/area-personale`);
  await look(cit, 'personal area');
  await cit.goto(`${server.baseUrl}/area-personale/pratiche`);
  await look(cit, 'my applications');
  await go(cit, '#my-cases tbody a');
  const citizenCaseUrl = cit.url();
  await look(cit, 'my case (registered)');

  // Staff: an Asti operator works the case.
  const staffCtx = await browser.newContext({ locale: 'it-IT' });
  const op = await staffCtx.newPage();
  watchPage(op);
  await signInStaff(op, 'operatore@asti.example', 'Asti-operatore-2026!');
  await go(op, '#link-cases');
  await look(op, 'queue');
  await go(op, `#case-queue a:has-text("${protocol}")`);
  await look(op, 'case (staff, new)');
  const caseAnswers = await op.locator('#case-answers').innerText();
  assert.ok(caseAnswers.includes('Senza carne di maiale'), 'the case shows the diet by its label');
  await go(op, '#act-assign');
  await go(op, '#act-start');
  await op.fill('#c-text', 'Allegare il certificato delle vaccinazioni obbligatorie.');
  await go(op, '#act-request-additions');
  await op.fill('#c-text', 'Verificare la residenza.');
  await go(op, '#act-note');
  await look(op, 'case (staff, waiting for additions)');

  await cit.goto(citizenCaseUrl);
  await look(cit, 'my case (additions requested)');
  await cit.fill('#p-text', 'Ecco il certificato.');
  await cit.setInputFiles('#p-files', {
    name: 'vaccinazioni.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  });
  await go(cit, '#act-answer-additions');

  await op.reload();
  await look(op, 'case (staff, answered)');
  await op.fill('#c-text', "Si accoglie l'iscrizione alla scuola primaria.");
  await go(op, '#act-accept');
  assert.equal(await op.getAttribute('#case-state', 'data-state'), 'accepted');
  await look(op, 'case (staff, accepted)');
  const history = await op.locator('#case-history').innerText();
  assert.ok(history.includes('Protocollata (Sistema (protocollazione automatica delle domande))'), history);
  assert.doesNotMatch(history, /\):\s*$/m, 'a step without reason ends without a colon');
  // Every letter of the case (the request for additions, the decision) as text.
  for (const href of await op.locator('#case-documents a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    const name = await op.locator(`#case-documents a[href="${href}"]`).innerText();
    if (name.endsWith('.pdf') && name !== 'vaccinazioni.pdf') await lookPdf(op, href, `case document ${name}`);
  }

  // The citizen's side after the decision, and who read their data.
  await cit.goto(citizenCaseUrl);
  await look(cit, 'my case (accepted)');
  await cit.goto(`${server.baseUrl}/area-personale/accessi`);
  await look(cit, 'who accessed my data');
  const accesses = await cit.locator('#accesses').innerText();
  assert.ok(accesses.includes('Comune di Asti'), `the access log names the body: ${accesses}`);
  await cit.goto(`${server.baseUrl}/area-personale/profilo`);
  await look(cit, 'profile');
  await cit.goto(`${server.baseUrl}/area-personale/accessi?lang=en`);
  await look(cit, 'who accessed my data (English)');
  assert.ok((await cit.locator('#accesses').innerText()).includes('To handle the application you sent'));

  // The protocol register: search, the case's entry, the daily registers and their PDF.
  await op.goto(`${server.baseUrl}/backoffice/asti/protocollo`);
  await look(op, 'protocol search');
  await op.fill('#q-oggetto', 'scuola primaria');
  await go(op, '#search-submit');
  await look(op, 'protocol search results');
  await go(op, '#entries-table tbody tr:last-child a');
  await look(op, 'protocol entry');
  // A correspondent without PEC or e-mail shows none, not an empty "PEC".
  assert.doesNotMatch(await op.locator('#correspondents').innerText(), /PEC\s*·?\s*\)/);
  // A change, so that the entry's history and today's register name who made it.
  await op.fill('#c-class', '6.3');
  await go(op, '#classify-submit');
  await look(op, 'protocol entry (classified)');
  const entryHistory = await op.locator('#h-history').locator('xpath=..').innerText();
  assert.ok(entryHistory.includes('Marco Bosio'), `the entry's history names the operator: ${entryHistory}`);
  await op.goto(`${server.baseUrl}/backoffice/asti/protocollo/registro-giornaliero`);
  await look(op, 'daily registers');
  const registerPdf = op.locator('#registers-table a.register-pdf').first();
  if (await registerPdf.count()) await lookPdf(op, await registerPdf.getAttribute('href'), 'daily register');

  // The body's administrator: staff and API keys.
  const adminCtx = await browser.newContext({ locale: 'it-IT' });
  const adm = await adminCtx.newPage();
  watchPage(adm);
  await signInStaff(adm, 'admin@asti.example', 'Asti-admin-2026!');
  await adm.goto(`${server.baseUrl}/backoffice/asti/personale`);
  await look(adm, 'staff list');
  await adm.goto(`${server.baseUrl}/backoffice/asti/chiavi-api`);
  await look(adm, 'API keys');
  await adm.fill('#key-name', 'Gestionale tributi');
  await adm.fill('#key-scopes', 'protocollo:read');
  await go(adm, '#create-key');
  const secret = (await adm.locator('#new-key').innerText()).trim();
  assert.match(secret, /^sp_/);
  await look(adm, 'API keys (one created)', [secret]);

  // The hub's administrator: the background jobs (the daily register the demo's first start made), by
  // name and Italian dates, and the failed ones.
  const hubCtx = await browser.newContext({ locale: 'it-IT' });
  const hub = await hubCtx.newPage();
  watchPage(hub);
  await signInStaff(hub, 'admin@pes.example', 'Polo-demo-2026!');
  await go(hub, '#link-jobs');
  await look(hub, 'background jobs');
  assert.ok(await hub.locator('#jobs-table td[data-kind="protocollo.daily_register"]').count() >= 1, 'the daily register job is listed');
  await hub.goto(`${server.baseUrl}/backoffice/lavori?stato=falliti`);
  await look(hub, 'background jobs (failed)');
  assert.equal(await hub.locator('#jobs-filters a[aria-current="page"]').innerText(), 'Falliti');
  // A body's administrator is not the hub's: no link, and the page refuses.
  await adm.goto(`${server.baseUrl}/backoffice/`);
  assert.equal(await adm.locator("#link-jobs").count(), 0);
  const refused = await adminCtx.request.get(`${server.baseUrl}/backoffice/lavori`, { maxRedirects: 0 });
  assert.equal(refused.status(), 403);

  // The office manager's provisional register of today.
  const mgrCtx = await browser.newContext({ locale: 'it-IT' });
  const mgr = await mgrCtx.newPage();
  await signInStaff(mgr, 'responsabile@asti.example', 'Asti-responsabile-2026!');
  await mgr.goto(`${server.baseUrl}/backoffice/asti/protocollo/registro-giornaliero`);
  const today = mgr.locator('a.today-pdf').first();
  assert.equal(await today.count(), 1, "the manager can take today's register");
  const todayText = await lookPdf(mgr, await today.getAttribute('href'), "today's register");
  assert.ok(todayText.includes('Marco Bosio'), "today's register names who changed the classification");

  assert.deepEqual(findings, []);
  await Promise.all([ctx.close(), staffCtx.close(), adminCtx.close(), mgrCtx.close(), hubCtx.close()]);
});
