// Issue 11 point 1, in chromium: every service page of every demo body, as a visitor sees it, passes axe
// (each service and each body at least once, rendered in chromium: see `axed`; the other pages are read
// from the server's HTML), has one h1, and none of its internal links or form actions leads to a 404 or a 5xx (each distinct target
// fetched once; a POST-only action may answer 405 to a GET). External links are checked for form only:
// the tests have no internet. tests/integration/applications/catalog_walk_test.cpp walks the same pages
// signed in, without a browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations } from './support/server.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const NAMED = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const unescape = (v) => v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
  if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? m;
  return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
});
const attr = (tag, name) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? unescape(m[1]) : null;
};
/** The links and form actions of a page's HTML, as the browser's DOM would list them. */
function htmlTargets(html) {
  const out = [];
  for (const [tag] of html.matchAll(/<a\s[^>]*>/gi)) {
    const href = attr(tag, 'href');
    if (href !== null) out.push({ url: href, method: 'GET' });
  }
  for (const [tag] of html.matchAll(/<form\s[^>]*>/gi)) {
    const action = attr(tag, 'action');
    if (action !== null) out.push({ url: action, method: (attr(tag, 'method') || 'GET').toUpperCase() });
  }
  return out;
}

async function json(ctx, path) {
  const res = await ctx.request.get(`${server.baseUrl}${path}`);
  assert.equal(res.status(), 200, path);
  return res.json();
}

test('every service page of every demo body passes axe and links only to pages that exist', { timeout: 560_000 }, async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const page = await ctx.newPage();
  const problems = watchPage(page);
  const bodies = await json(ctx, '/api/v1/bodies');
  const list = Array.isArray(bodies) ? bodies : bodies.bodies ?? bodies.items;
  assert.ok(list.length >= 5, 'the demo has its bodies');
  const checked = new Map();  // target → status
  // axe once per service (its page is one template, whatever the body) and once per body (its own header,
  // contacts and variants): the same findings, in a third of the time. Links and h1: on every page.
  const axed = new Set();
  const failures = [];
  let pages = 0;
  for (const body of list) {
    const services = await json(ctx, `/api/v1/bodies/${body.slug}/services`);
    const items = Array.isArray(services) ? services : services.services ?? services.items;
    for (const service of items) {
      const path = `/${body.slug}/servizi/${service.code}`;
      pages++;
      let targets;
      if (!axed.has(service.code) || !axed.has(body.slug)) {
        const res = await page.goto(`${server.baseUrl}${path}`);
        assert.equal(res.status(), 200, path);
        assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
        assert.equal(formatViolations(await axeViolations(page)), '', path);
        axed.add(service.code);
        axed.add(body.slug);
        targets = await page.evaluate(() => [
          ...[...document.querySelectorAll('a[href]')].map((a) => ({ url: a.getAttribute('href'), method: 'GET' })),
          ...[...document.querySelectorAll('form[action]')].map((f) => ({
            url: f.getAttribute('action'), method: (f.getAttribute('method') || 'GET').toUpperCase(),
          })),
        ]);
      } else {
        // Already axed as a service and as a body: its links and h1 from the HTML the server sends (the
        // pages build no link in script), without rendering it again.
        const res = await ctx.request.get(`${server.baseUrl}${path}`);
        assert.equal(res.status(), 200, path);
        const html = await res.text();
        assert.equal((html.match(/<h1[\s>]/g) ?? []).length, 1, `${path}: one h1`);
        targets = htmlTargets(html);
      }
      for (const { url, method } of targets) {
        if (/^(mailto|tel):/.test(url)) continue;
        if (/^https?:\/\//.test(url)) {
          // External: no internet here, so only its form.
          if (!url.startsWith(server.baseUrl)) {
            try { new URL(url); } catch { failures.push(`${path}: malformed external link ${url}`); }
            continue;
          }
        }
        if (url.startsWith('#')) continue;
        const target = new URL(url, `${server.baseUrl}${path}`);
        const key = `${method} ${target.pathname}${target.search}`;
        if (!checked.has(key)) {
          const r = await ctx.request.get(target.href, { maxRedirects: 0 });
          checked.set(key, r.status());
        }
        const status = checked.get(key);
        const ok = status < 400 || (method === 'POST' && status === 405);
        if (!ok) failures.push(`${path} → ${key}: ${status}`);
      }
    }
  }
  console.log(`${pages} service pages, ${checked.size} distinct targets`);
  assert.ok(pages > 100, `walked ${pages} service pages`);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
  await ctx.close();
});
