// Issue 11 point 1: every service that a demo body offers as an online application really works. For each
// service with a form (data/forms/*.json) offered online by some demo body (data/demo/bodies.json, levels
// from data/demo/catalog.json), a demo citizen signs in from the service page, clicks "Compila la domanda
// online", fills every step with valid data taken from the form definition (required fields, types,
// bounds, options, groups, uploads of a small PDF or PNG; a codice fiscale that agrees with the birth
// date and sex typed), sends it and gets a receipt with a protocol number NNNNNNN/YYYY. Businesses'
// forms are filled by a citizen acting for a business (declared in the personal area, confirmed by the
// body's administrator). Each service is sent once, at the first body offering it; every other body
// offering it is checked over HTTP to lead to the form's first step, and a body that lists the service
// without offering it online must not show the button. Every step of every form passes axe (the service
// page, summary and receipt templates once per audience: see axeOnce).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axe as checkAxe, sourceDir } from './support/server.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const CITIZEN = 'FRRNNA78S70A479X';  // Anna Ferraro, SPID level 2, lives in Asti
const BUSINESS_PERSON = 'CCCFBA85D03L219P';  // Fabio Caccamo, SPID level 2
const BUSINESS = { vat: '01234567897', name: 'Caccamo Costruzioni S.r.l.' };
const ONLINE = 3;  // catalog level: online application (4, online with payment, is one too until pagoPA lands)

// ---------------------------------------------------------------- what the demo offers online

async function readJson(rel) { return JSON.parse(await readFile(path.join(sourceDir, rel), 'utf8')); }

/** [{ code, audience, spidLevel, definition, bodies: [slug...], notOnline: [slug...] }] */
async function onlineServices() {
  const catalog = await readJson('data/demo/catalog.json');
  const { bodies } = await readJson('data/demo/bodies.json');
  const forms = new Map();
  for (const f of await readdir(path.join(sourceDir, 'data/forms'))) {
    if (f.endsWith('.json')) forms.set(f.slice(0, -5), await readJson(`data/forms/${f}`));
  }
  const out = [];
  for (const s of catalog.services) {
    if (!forms.has(s.code)) continue;
    const offering = bodies.flatMap((b) => b.services.filter((a) => a.code === s.code).map((a) => ({ slug: b.slug, level: a.level || s.level })));
    out.push({
      code: s.code, audience: s.audience, spidLevel: s.spid_level, definition: forms.get(s.code),
      bodies: offering.filter((o) => o.level >= ONLINE).map((o) => o.slug),
      notOnline: offering.filter((o) => o.level < ONLINE).map((o) => o.slug),
    });
  }
  return out;
}

// ---------------------------------------------------------------- valid data

const MONTHS = 'ABCDEHLMPRST';
const ODD = { 0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21, A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23 };
const letters = (s, vowels) => [...s.toUpperCase()].filter((c) => /[A-Z]/.test(c) && /[AEIOU]/.test(c) === vowels);
/** The codice fiscale of a person born in Asti (A479): the check letter computed, no omocodia. */
export function codiceFiscale(family, given, isoBirth, sex) {
  const fam = [...letters(family, false), ...letters(family, true), 'X', 'X', 'X'].slice(0, 3).join('');
  let cons = letters(given, false);
  if (cons.length >= 4) cons = [cons[0], cons[2], cons[3]];
  const giv = [...cons, ...letters(given, true), 'X', 'X', 'X'].slice(0, 3).join('');
  const [y, m, d] = isoBirth.split('-').map(Number);
  const day = String(d + (sex === 'F' ? 40 : 0)).padStart(2, '0');
  const body = `${fam}${giv}${String(y % 100).padStart(2, '0')}${MONTHS[m - 1]}${day}A479`;
  let sum = 0;
  [...body].forEach((c, i) => { sum += i % 2 === 0 ? ODD[c] : (/\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65); });
  return body + String.fromCharCode(65 + (sum % 26));
}

const iso = (d) => d.toISOString().slice(0, 10);
const italian = (isoDate) => isoDate.split('-').reverse().join('/');
const addDays = (isoDate, n) => { const d = new Date(`${isoDate}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return iso(d); };
// Today in Europe/Rome, as the server counts it.
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());

function dateBound(bound, readField) {
  if (bound === undefined) return undefined;
  if (typeof bound === 'object' && bound.var) {
    const v = readField(bound.var);  // dd/mm/yyyy as typed on the page
    return v && /^\d{2}\/\d{2}\/\d{4}$/.test(v) ? v.split('/').reverse().join('-') : undefined;
  }
  if (typeof bound !== 'string') return undefined;  // an expression the test does not evaluate
  const m = /^today(?:([+-])(\d+)([dmy]))?$/.exec(bound);
  if (!m) return bound;
  const d = new Date(`${today()}T12:00:00Z`);
  if (m[1]) {
    const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
    if (m[3] === 'd') d.setUTCDate(d.getUTCDate() + n);
    if (m[3] === 'm') d.setUTCMonth(d.getUTCMonth() + n);
    if (m[3] === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
  }
  return iso(d);
}

// Values a person would type where a pattern or a sensible size matters (by field name).
const TEXT = {
  cadastral_sheet: '12', cadastral_parcel: '345', cadastral_sub: '2', sheet: '12', parcel: '345', sub: '2',
  category: 'A/2', isee_protocol: 'INPS-ISEE-2026-123456789-00', class: '3A', plate: 'AB123CD',
  cude_number: 'ABC12345', rea_number: 'AT-123456', given_name: 'Giulia', family_name: 'Ferraro',
  child_given_name: 'Giulia', child_family_name: 'Ferraro', full_name: 'Giulia Ferraro', name: 'Carla Ferraro',
  birth_place: 'Asti', citizenship: 'italiana', primary_school: 'Scuola primaria G. Rodari',
  technician_register_number: '1234', business_name: BUSINESS.name, contractor_name: 'Edil Asti S.r.l.',
  stamp_duty_serial: '01234567890123', technician_name: 'Paolo Verdi', manufacturer: 'Caldaie Italia', representative_name: 'Fabio Caccamo',
};
const NUMBER = {
  tax_year: '2025', year: '2025', household_size: '3', latitude: '44,9', longitude: '8,2', share_percent: '100',
  sales_area_m2: '80', storage_area_m2: '20', surface_m2: '85', outbuildings_m2: '10', power_kw: '24',
  length: '6', width: '2', depth_m: '40', max_flow: '2', estimated_volume: '1500',
};
const MONEY = { isee_value: '8.500,00', works_amount: '25.000,00', value_base: '450,00', other_maternity_amount: '300,00' };
// Birth dates that make sense for the service (the bounds alone allow a 2-year-old at secondary school).
const BIRTH = {
  'iscrizione-scuola-primaria': -(6 * 365 + 100), 'iscrizione-scuola-secondaria': -(11 * 365 + 100),
  'iscrizione-mensa-scolastica': -(8 * 365), 'iscrizione-trasporto-scolastico': -(8 * 365),
  'assegno-maternita': -60,
};

const PDF = { name: 'documento.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') };
// A 1x1 transparent PNG.
const PNG = { name: 'foto.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64') };

/** The definition of every field, by path without item numbers ("children.birth_date"). */
function fieldIndex(definition) {
  const index = new Map();
  const walk = (fields, prefix) => {
    for (const f of fields) {
      index.set(prefix + f.name, f);
      if (f.type === 'group') walk(f.fields, `${prefix}${f.name}.`);
    }
  };
  for (const step of definition.steps) for (const section of step.sections) walk(section.fields, '');
  return index;
}

// ---------------------------------------------------------------- filling a step

/** What the step shows: one entry per field wrapper (data-field is the input name, items numbered). */
async function visibleFields(page) {
  return page.$$eval('#step-form [data-field]', (wraps) => wraps.map((w) => {
    const id = w.id.replace(/^wrap-/, '');
    const radios = [...w.querySelectorAll('input[type=radio]')];
    const boxes = [...w.querySelectorAll(':scope fieldset input[type=checkbox]')];
    const declaration = w.querySelector(':scope > .form-check input[type=checkbox]');
    const file = w.querySelector('input[type=file]');
    const select = w.querySelector('select');
    const parts = [...w.querySelectorAll(':scope fieldset input[type=text]')];
    const input = w.querySelector(':scope > input.form-control, :scope > textarea');
    let kind = 'other';
    if (radios.length) kind = 'radios';
    else if (boxes.length) kind = 'checkboxes';
    else if (declaration) kind = 'declaration';
    else if (file || w.querySelector(`#${CSS.escape(id)}-files`)) kind = 'file';
    else if (select) kind = 'select';
    else if (parts.length) kind = 'address';
    else if (input) kind = 'input';
    return {
      field: w.dataset.field, id, kind,
      filled: kind === 'radios' ? radios.some((r) => r.checked)
        : kind === 'checkboxes' ? boxes.some((b) => b.checked)
        : kind === 'declaration' ? declaration.checked
        : kind === 'file' ? !!w.querySelector(`#${CSS.escape(id)}-files li`)
        : kind === 'select' ? select.value !== ''
        : kind === 'address' ? parts.every((p) => p.value.trim() !== '')
        : kind === 'input' ? input.value.trim() !== '' && input.getAttribute('aria-invalid') !== 'true' : true,
      readonly: !!(input?.readOnly || select?.disabled || radios.some((r) => r.disabled)),
      options: radios.length ? radios.map((r) => r.id) : boxes.map((b) => b.id),
      selectValues: select ? [...select.options].map((o) => o.value).filter((v) => v) : [],
      parts: parts.filter((p) => p.value.trim() === '').map((p) => p.id),
      accept: file?.accept ?? '',
    };
  }));
}

async function fillStep(page, service) {
  const index = fieldIndex(service.definition);
  const fields = await visibleFields(page);
  const valueOf = async (itemPrefix, name) => {
    for (const id of [`f-${itemPrefix}${name}`, `f-${name}`]) {
      const loc = page.locator(`#${id}`);
      if (await loc.count()) {
        if (await loc.evaluate((e) => e.tagName === 'FIELDSET')) {
          const checked = loc.locator('input:checked');
          return (await checked.count()) ? checked.first().getAttribute('value') : undefined;
        }
        return loc.inputValue();
      }
    }
    return undefined;
  };
  // Codici fiscali computed from a birth date and sex typed on the same page go last.
  const late = (f) => { const d = index.get(f.field.replace(/\[\d+\]/g, '')); return !!d?.holder || d?.name === 'child_fiscal_code'; };
  const ordered = [...fields].sort((a, b) => late(a) - late(b));
  for (const f of ordered) {
    if (f.filled || f.readonly) continue;
    const path = f.field.replace(/\[\d+\]/g, '');
    const def = index.get(path);
    if (!def || def.computed !== undefined) continue;
    const name = def.name;
    const itemPrefix = f.id.slice(2, f.id.length - name.length);  // "children-0-" inside a group item
    const optional = !def.required && !def.require_if;
    switch (f.kind) {
      case 'radios': {
        if (optional) break;
        // yes/no: "no" (the second option) keeps the application plain; a choice: its first option,
        // a girl for a sex choice (the codice fiscale is computed from it).
        const pick = def.type === 'yes_no' ? 1 : 0;
        await page.click(`label[for="${f.options[Math.min(pick, f.options.length - 1)]}"]`);
        break;
      }
      case 'select':
        if (!optional) await page.selectOption(`#${f.id}`, f.selectValues[0]);
        break;
      case 'checkboxes':
        for (const opt of f.options.slice(0, Math.max(1, def.min_items ?? 1))) await page.click(`label[for="${opt}"]`);
        break;
      case 'declaration':
        await page.click(`label[for="${f.id}"]`);
        break;
      case 'file': {
        const wantsPdf = !f.accept || f.accept.includes('application/pdf');
        await page.setInputFiles(`#${f.id}`, wantsPdf ? PDF : PNG);
        break;
      }
      case 'address':
        for (const id of f.parts) {
          const part = id.slice(id.lastIndexOf('-') + 1);
          await page.fill(`#${id}`, { street: 'Via Roma', number: '1', postcode: '14100', municipality: 'Asti' }[part] ?? 'Asti');
        }
        break;
      case 'input': {
        // A choice from a list the body has not filled is typed; an optional one is left empty.
        if (def.type === 'choice' && optional) break;
        let v;
        switch (def.type) {
          case 'text': v = TEXT[name] ?? 'Dato di prova'; break;
          case 'long_text': v = 'Testo di prova per la domanda.'; break;
          case 'email': v = name === 'business_pec' ? 'caccamo.costruzioni@pec.example' : 'prova@example.org'; break;
          case 'phone': v = '3331234567'; break;
          case 'iban': v = 'IT60X0542811101000000123456'; break;
          case 'partita_iva': v = name === 'business_vat_number' ? BUSINESS.vat : '12345678903'; break;
          case 'number': {
            v = NUMBER[name];
            if (v === undefined) {
              const lo = typeof def.min === 'number' ? def.min : 0;
              const hi = typeof def.max === 'number' ? def.max : lo + 100;
              v = String(Math.min(hi, Math.max(lo, 10)));
            }
            break;
          }
          case 'money': v = MONEY[name] ?? '100,00'; break;
          case 'codice_fiscale': {
            if (def.holder) {
              const birth = await valueOf(itemPrefix, def.holder.birth_date);
              const sex = def.holder.sex ? await valueOf(itemPrefix, def.holder.sex) : 'F';
              const given = (await valueOf(itemPrefix, 'given_name')) || 'Giulia';
              const family = (await valueOf(itemPrefix, 'family_name')) || 'Ferraro';
              v = codiceFiscale(family, given, birth.split('/').reverse().join('-'), sex);
            } else if (name === 'child_fiscal_code') {
              v = codiceFiscale('Ferraro', 'Giulia', (await valueOf('', 'child_birth_date')).split('/').reverse().join('-'), 'F');
            } else {
              v = 'RSSMRA80A01H501U';
            }
            break;
          }
          case 'date': {
            // Bounds: a date, "today±N", another field ({"var"}), or {"if": [{"==": [{"var"}, value]}, a, b]}.
            const resolve = async (bound) => {
              if (bound && typeof bound === 'object' && Array.isArray(bound.if)) {
                const [cond, then, otherwise] = bound.if;
                const [left, right] = cond['=='];
                return resolve((await valueOf(itemPrefix, left.var)) === right ? then : otherwise);
              }
              if (bound && typeof bound === 'object' && Array.isArray(bound.today)) return dateBound('today', () => undefined);
              if (bound && typeof bound === 'object' && bound.var) {
                const typed = await valueOf(itemPrefix, bound.var);
                return dateBound(bound, () => typed);
              }
              return dateBound(bound, () => undefined);
            };
            const lo = await resolve(def.min);
            const hi = await resolve(def.max);
            let d;
            if (/birth_date$/.test(name) && BIRTH[service.code] !== undefined) d = addDays(today(), BIRTH[service.code]);
            else if (lo && hi) d = addDays(lo, Math.floor((Date.parse(hi) - Date.parse(lo)) / 86400000 / 2));
            else if (lo) d = addDays(lo, 30);
            else if (hi) d = addDays(hi, -60);
            else d = addDays(today(), -30);
            v = italian(d);
            break;
          }
          default: v = 'Dato di prova';
        }
        if (process.env.ONLINE_DEBUG) console.log(`fill ${f.id} = ${v}`);
        await page.fill(`#${f.id}`, v);
        break;
      }
      default:
        break;
    }
  }
}

let shot = 0;
// The service page (axed for every service and body by service_pages.test.mjs), the summary and the
// receipt are one template each whatever the form: axe checks them on the first service of each audience
// (`once`); every step of every form, whose fields come from its definition, is axed each time.
const axedKinds = new Set();
async function axeOnce(page, label, kind) {
  if (axedKinds.has(kind)) {
    assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
    return;
  }
  axedKinds.add(kind);
  await axe(page, label);
}
async function axe(page, label) {
  // ONLINE_SHOTS=DIR keeps a full-page screenshot of every page walked, to look at.
  if (process.env.ONLINE_SHOTS) {
    const name = `${String(++shot).padStart(3, '0')}-${label.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await page.screenshot({ path: path.join(process.env.ONLINE_SHOTS, name), fullPage: true });
  }
  await checkAxe(page, label);
}
async function go(page, sel) { await Promise.all([page.waitForNavigation(), page.click(sel)]); }

async function signIn(page, fiscalCode) {
  await page.waitForURL(/\/accedi/);
  await go(page, '.provider-link');
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await go(page, `button[name="identity"][value="${fiscalCode}"]`);
}

/** From the service page to the receipt; returns the protocol number. */
async function apply(page, service, slug, signInAs) {
  const label = `${service.code} at ${slug}`;
  await page.goto(`${server.baseUrl}/${slug}/servizi/${service.code}`);
  await axeOnce(page, `${label}: service page`, `service page ${service.audience}`);
  if (await page.locator('#service-sign-in').count()) {
    await go(page, '#service-sign-in');
    await signIn(page, signInAs);
    await page.waitForURL(new RegExp(`/${slug}/servizi/${service.code}$`));
  }
  assert.equal(await page.locator('#service-apply').count(), 1, `${label}: the service page offers the online application`);
  await go(page, '#service-apply');
  assert.match(page.url(), /\/passo\/1$/, `${label}: the button opens the first step`);
  let step = 1, attempts = 0;
  for (;;) {
    await axe(page, `${label}: step ${step}${attempts ? ` (again ${attempts})` : ''}`);
    await fillStep(page, service);
    await go(page, '#step-next');
    const url = page.url();
    if (/\/riepilogo$/.test(url)) break;
    const m = /\/passo\/(\d+)$/.exec(url);
    assert.ok(m, `${label}: after step ${step} the browser is at ${url}`);
    if (Number(m[1]) === step) {
      // The same step again: questions revealed by an answer, or errors to correct.
      attempts++;
      const errors = (await page.locator('#error-summary').count()) ? await page.locator('#error-summary').innerText() : '';
      assert.ok(attempts <= 3, `${label}: step ${step} is not accepted after ${attempts} attempts:\n${errors}`);
    } else {
      step = Number(m[1]);
      attempts = 0;
    }
  }
  await axeOnce(page, `${label}: summary`, `summary ${service.audience}`);
  await go(page, '#send');
  assert.match(page.url(), /\/ricevuta$/, `${label}: sending leads to the receipt`);
  const protocol = (await page.locator('#protocol-label').innerText()).trim();
  assert.match(protocol, /^\d{7}\/\d{4}$/, `${label}: the receipt shows a protocol number`);
  await axeOnce(page, `${label}: receipt`, `receipt ${service.audience}`);
  return protocol;
}

/** Over HTTP, with the browser's session: the body's service page and form for a signed-in person. */
async function reachesFirstStep(ctx, slug, code) {
  const page = await ctx.request.get(`${server.baseUrl}/${slug}/servizi/${code}`);
  assert.equal(page.status(), 200, `${code} at ${slug}: service page`);
  assert.match(await page.text(), /id="service-apply"/, `${code} at ${slug}: the button to apply online`);
  const res = await ctx.request.get(`${server.baseUrl}/${slug}/servizi/${code}/domanda`);
  assert.equal(res.status(), 200, `${code} at ${slug}: the application`);
  assert.match(res.url(), new RegExp(`/${slug}/domande/[A-Za-z0-9_-]+/passo/1$`), `${code} at ${slug}: first step`);
  assert.match(await res.text(), /id="step-form"/, `${code} at ${slug}: the first step's form`);
}

async function staffSignIn(page, email, password) {
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await go(page, '#staff-signin-submit');
}

/** Fabio Caccamo declares he represents a business, Asti's administrator confirms, he acts for it. */
async function actForBusiness(page, staffPage) {
  // Signed in at level 2 from the start: a later step-up sign-in would start a new session, acting for
  // himself again (and a business's form then sends him back to his delegations).
  await page.goto(`${server.baseUrl}/accedi?livello=2&next=/area-personale/deleghe`);
  if (/\/accedi/.test(page.url())) {
    await signIn(page, BUSINESS_PERSON);
    await page.waitForURL(/\/area-personale\/deleghe$/);
  }
  await page.fill('#biz-piva', BUSINESS.vat);
  await page.fill('#biz-name', BUSINESS.name);
  await page.selectOption('#biz-role', 'legale_rappresentante');
  await page.selectOption('#biz-body', { label: 'Comune di Asti' });
  await go(page, 'form:has(input[value="declare_business"]) button[type="submit"]');
  assert.equal(await page.locator('#error-summary').count(), 0, 'the declaration is accepted');
  const row = page.locator('#delegations-table tbody tr', { hasText: BUSINESS.vat });
  assert.equal(await row.getAttribute('data-state'), 'pending');
  const id = await row.getAttribute('data-delegation-id');

  await staffSignIn(staffPage, 'admin@asti.example', 'Asti-admin-2026!');
  await staffPage.goto(`${server.baseUrl}/backoffice/asti/deleghe/${id}`);
  await go(staffPage, 'button[name="action"][value="confirm"]');

  await page.reload();
  await go(page, `#delegations-table tr[data-delegation-id="${id}"] form:has(input[name="action"][value="switch"]) button`);
  assert.ok((await page.locator('#acting-for').innerText()).includes(BUSINESS.name), 'acting for the business');
}

test('every service offered online by a demo body is sent once and gets a protocol number', { timeout: 560_000 }, async () => {
  const services = await onlineServices();
  assert.ok(services.length >= 15, `the demo offers ${services.length} services with a form`);
  const citizens = await browser.newContext({ locale: 'it-IT' });
  const businesses = await browser.newContext({ locale: 'it-IT' });
  const staff = await browser.newContext({ locale: 'it-IT' });
  const citizenPage = await citizens.newPage();
  const businessPage = await businesses.newPage();
  const staffPage = await staff.newPage();
  const problems = [watchPage(citizenPage), watchPage(businessPage)];

  await actForBusiness(businessPage, staffPage);

  const sent = [];
  for (const service of services) {
    assert.ok(service.bodies.length > 0, `${service.code}: a form without any body offering it online`);
    const [first, ...others] = service.bodies;
    const isBusiness = service.definition.audience === 'businesses';
    const page = isBusiness ? businessPage : citizenPage;
    const started = Date.now();
    const protocol = await apply(page, service, first, isBusiness ? BUSINESS_PERSON : CITIZEN);
    sent.push(`${service.code}@${first} ${protocol} ${Date.now() - started} ms`);
    const ctx = isBusiness ? businesses : citizens;
    for (const slug of others) await reachesFirstStep(ctx, slug, service.code);
    // A body listing the service below the online level shows no button to apply online.
    for (const slug of service.notOnline) {
      const res = await ctx.request.get(`${server.baseUrl}/${slug}/servizi/${service.code}`);
      assert.equal(res.status(), 200);
      assert.doesNotMatch(await res.text(), /id="service-apply"/, `${service.code} at ${slug} is not online there`);
    }
  }
  console.log(sent.join('\n'));
  assert.equal(sent.length, services.length);
  assert.deepEqual(problems.flat(), []);
  await Promise.all([citizens.close(), businesses.close(), staff.close()]);
});
