// Issue 11, point 9: labels were drawn over the fieldset legends and over each other on every form
// (bootstrap-italia floats a form group's label above its box). In chromium, on the four steps of an
// application form, the back office queue and the protocol's registration form: no label's box
// overlaps the box of another label, legend, heading, hint or input; and the back office has its own
// header (no public service search).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations } from './support/server.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

// Pairs (label, other element) whose boxes intersect by more than a pixel each way; an input is allowed
// to touch its own label (bootstrap-italia draws the label right above it).
async function labelOverlaps(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const labels = [...document.querySelectorAll('main label')].filter(visible);
    const others = [...document.querySelectorAll(
      'main label, main legend, main h1, main h2, main h3, main small, main p, main input:not([type=radio]):not([type=checkbox]):not([type=hidden]), main select, main textarea')]
      .filter(visible);
    const found = [];
    for (const l of labels) {
      const a = l.getBoundingClientRect();
      for (const o of others) {
        if (o === l || l.contains(o) || o.contains(l)) continue;
        const b = o.getBoundingClientRect();
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) found.push(`"${l.textContent.trim().slice(0, 40)}" over <${o.tagName.toLowerCase()}> "${(o.textContent || o.id || '').trim().slice(0, 40)}"`);
      }
    }
    return found;
  });
}

async function signInAtSimulator(page, fiscalCode) {
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', 'normal');
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
}

test('no label overlaps another element on the application form steps', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    watchPage(page);
    await page.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria/domanda`);
    await page.click('.provider-link');
    await signInAtSimulator(page, 'FRRNNA78S70A479X');
    await page.waitForURL(/\/passo\/1$/);
    const base = page.url().replace(/\/passo\/1$/, '');
    for (const step of [1, 2, 3, 4]) {
      await page.goto(`${base}/passo/${step}`);
      assert.deepEqual(await labelOverlaps(page), [], `step ${step}`);
    }
  } finally {
    await ctx.close();
  }
});

test('no label overlaps another element on the back office queue and registration form, which have the back office header', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    watchPage(page);
    await page.goto(`${server.baseUrl}/backoffice/accedi`);
    await page.fill('#staff-email', 'operatore@asti.example');
    await page.fill('#staff-password', 'Asti-operatore-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#staff-signin-submit')]);
    for (const path of ['/backoffice/asti/pratiche', '/backoffice/asti/protocollo/nuovo', '/backoffice/asti/protocollo']) {
      const res = await page.goto(server.baseUrl + path);
      assert.equal(res.status(), 200, path);
      assert.deepEqual(await labelOverlaps(page), [], path);
      assert.equal(await page.locator('form.header-search').count(), 0, `${path}: no public search in the back office`);
      assert.equal(await page.locator('#staff-home-link').getAttribute('href'), '/backoffice/');
    }
  } finally {
    await ctx.close();
  }
});

// Issue 11, point 8: the pages every footer links, for a body and for the hub, pass axe and their
// links lead somewhere.
test('the contacts, privacy, accessibility and legal pages pass axe and link only to pages that exist', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    for (const path of ['/asti/contatti', '/asti/privacy', '/asti/accessibilita', '/asti/note-legali', '/privacy', '/accessibilita']) {
      const res = await page.goto(server.baseUrl + path);
      assert.equal(res.status(), 200, path);
      assert.equal(formatViolations(await axeViolations(page)), '', path);
      const links = await page.$$eval('main a[href^="/"], footer a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')));
      for (const href of new Set(links)) {
        const r = await page.request.get(server.baseUrl + href);
        assert.ok(r.status() < 400, `${path} links to ${href}: ${r.status()}`);
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});
