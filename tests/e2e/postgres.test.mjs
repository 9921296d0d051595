// The demo served from PostgreSQL: a fresh database on the CTest fixture's server, seeded by
// `serve --demo`, browsed in chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage } from './support/server.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'postgres' }), launchBrowser()]);
  assert.match(server.databaseUrl, /^postgresql:\/\/.+\/sportello_e2e_/);
});

after(async () => {
  await browser?.close();
  await server?.stop(); // clean exit on SIGTERM, then the database is dropped
});

test('the API reports the seeded bodies', async () => {
  const res = await fetch(`${server.baseUrl}/api/v1/bodies`);
  assert.equal(res.status, 200);
  const { bodies } = await res.json();
  assert.ok(bodies.length >= 5, `at least five bodies, got ${bodies.length}`);
  assert.ok(bodies.some((b) => b.slug === 'asti'));
});

test('hub home lists at least five bodies', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    const res = await page.goto(`${server.baseUrl}/`);
    assert.equal(res.status(), 200);
    const names = await page.locator('#bodies .card-title a').allInnerTexts();
    assert.ok(names.length >= 5, `bodies listed: ${names.join(', ')}`);
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});

test('/asti/ shows services and a service page opens', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    const res = await page.goto(`${server.baseUrl}/asti/`);
    assert.equal(res.status(), 200);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Comune di Asti');
    const links = page.locator('.service-card .card-title a');
    const api = await (await fetch(`${server.baseUrl}/api/v1/bodies/asti/services`)).json();
    assert.ok(api.services.length > 0);
    assert.equal(await links.count(), api.services.length, 'every service of Asti is on its page');

    const first = links.first();
    const title = (await first.innerText()).trim();
    const href = await first.getAttribute('href');
    await Promise.all([page.waitForURL(server.baseUrl + href), first.click()]);
    assert.equal((await page.locator('h1').innerText()).trim(), title);
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});
