// Every kind of page, in Italian and in English, in a real browser against the real binary (demo
// data on SQLite): language, heading, no console errors, static assets load, no serious or critical
// axe-core violations. Then the journeys: language switch, hub search, hub → body → service, and
// the same without JavaScript.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations, sourceDir } from './support/server.mjs';

const locales = Object.fromEntries(
  ['it', 'en'].map((l) => [l, {
    ...JSON.parse(readFileSync(path.join(sourceDir, 'web/locales', l, 'ui.json'), 'utf8')),
    ...JSON.parse(readFileSync(path.join(sourceDir, 'web/locales', l, 'stamp.json'), 'utf8')),
  }]),
);
const t = (lang, key) => {
  const s = locales[lang][`ui.${key}`];
  assert.ok(s, `missing ui.${key} in ${lang}`);
  return s;
};

let server;
let browser;
let bodies; // from the API
let astiServices;
let serviceCode;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  bodies = (await (await fetch(`${server.baseUrl}/api/v1/bodies`)).json()).bodies;
  astiServices = (await (await fetch(`${server.baseUrl}/api/v1/bodies/asti/services`)).json()).services;
  assert.ok(bodies.length >= 5, 'the demo seeds at least five bodies');
  assert.ok(astiServices.length > 0, 'the demo gives Asti some services');
  serviceCode = astiServices[0].code;
});

after(async () => {
  await browser?.close();
  await server?.stop(); // asserts a clean exit (code 0) on SIGTERM
});

async function newContext(lang, options = {}) {
  // An Italian browser: the English pages come from the language cookie alone.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT', ...options });
  await ctx.addCookies([{ name: 'lang', value: lang, url: server.baseUrl }]);
  return ctx;
}

/** Loads a page and checks what every page must satisfy; returns { page, response, problems }. */
async function loadAndCheck(ctx, lang, urlPath, expectedStatus) {
  const page = await ctx.newPage();
  const problems = watchPage(page);
  const assets = [];
  page.on('response', (r) => {
    const type = r.request().resourceType();
    if (type === 'stylesheet' || type === 'font') assets.push({ type, url: r.url(), status: r.status() });
  });
  const response = await page.goto(server.baseUrl + urlPath, { waitUntil: 'load' });
  assert.equal(response.status(), expectedStatus, `status of ${urlPath}`);
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
  assert.equal(await page.getAttribute('html', 'lang'), lang, `<html lang> of ${urlPath}`);

  const h1s = await page.locator('h1').allInnerTexts();
  assert.equal(h1s.length, 1, `${urlPath} has exactly one <h1> (found ${JSON.stringify(h1s)})`);
  assert.ok(h1s[0].trim().length > 0, `${urlPath}: the <h1> has text`);

  // The page speaks the requested language: the skip link and the header search button are texts of
  // the UI catalog.
  assert.equal((await page.locator('.skiplinks a').textContent()).trim(), t(lang, 'skip_to_content'));
  assert.equal((await page.locator('form.header-search button').textContent()).trim(), t(lang, 'search'));

  // Styles and fonts really loaded (the fonts are used by the page, so they are fetched once laid out).
  await page.evaluate(() => document.fonts.ready);
  const sheets = assets.filter((a) => a.type === 'stylesheet');
  assert.ok(sheets.length >= 2, `${urlPath}: stylesheets requested: ${JSON.stringify(sheets)}`);
  for (const a of assets) assert.ok(a.status === 200 || a.status === 304, `${a.type} ${a.url} answered ${a.status}`);
  const loadedFonts = await page.evaluate(() =>
    [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/"/g, '')),
  );
  assert.ok(loadedFonts.includes('Titillium Web'), `${urlPath}: Titillium Web loaded (loaded: ${loadedFonts})`);
  const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  assert.match(bodyFont, /Titillium Web/, 'bootstrap-italia styles apply');

  const violations = await axeViolations(page);
  if (expectedStatus >= 400) {
    // Chromium reports the document's own error status on the console; that status is expected.
    const own = `status of ${expectedStatus}`;
    const url = server.baseUrl + urlPath;
    for (let i = problems.length - 1; i >= 0; i--) {
      if (problems[i].includes(own) && problems[i].endsWith(`(${url})`)) problems.splice(i, 1);
    }
  }
  assert.deepEqual(problems, [], `${urlPath}: console errors or failed requests`);
  assert.equal(violations.length, 0, `${urlPath} (${lang}): axe-core violations:\n${formatViolations(violations)}`);
  return { page, response };
}

/** Clicks and waits until the navigation (through any redirects) has loaded the page at `pathname`. */
async function clickAndLand(page, selector, pathname) {
  const landed = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === pathname && r.status() === 200,
  );
  await page.click(selector);
  await landed;
  await page.waitForLoadState('load');
}

const pageTypes = [
  {
    name: 'hub home',
    path: () => '/',
    async check(page) {
      const cards = await page.locator('#bodies .body-card').count();
      assert.equal(cards, bodies.length, 'the hub lists every body');
    },
  },
  {
    name: 'hub search results',
    path: () => '/?q=cassola',
    async check(page) {
      const names = await page.locator('#bodies .card-title').allInnerTexts();
      assert.ok(names.length >= 1, 'at least one body found');
      for (const n of names) assert.match(n, /cassola/i);
      assert.ok(names.length < bodies.length, 'the search filters');
      assert.equal(await page.inputValue('#q'), 'cassola', 'the query stays in the field');
    },
  },
  {
    name: 'body home',
    path: () => '/asti/',
    async check(page) {
      assert.equal((await page.locator('h1').innerText()).trim(), bodies.find((b) => b.slug === 'asti').name);
      const links = await page.locator('.service-card .card-title a').count();
      assert.equal(links, astiServices.length, 'every service of the body is listed');
      assert.ok((await page.locator('section.life-event h2').count()) >= 2, 'services are grouped by life event');
    },
  },
  {
    name: 'body home for businesses',
    path: () => '/asti/?pubblico=imprese',
    async check(page, lang) {
      const badges = await page.locator('.service-card .badge.bg-secondary').allInnerTexts();
      const expected = astiServices.filter((s) => s.audience === 'businesses').length;
      assert.ok(expected > 0, 'Asti offers some services to businesses');
      assert.equal(badges.length, expected, 'only the services for businesses are listed');
      for (const b of badges) assert.equal(b.trim(), t(lang, 'audience_businesses'));
      const active = await page.locator('.audience-filter .nav-link.active').innerText();
      assert.equal(active.trim(), t(lang, 'audience_businesses'), 'the filter tab shows as selected');
    },
  },
  {
    name: 'service page',
    path: () => `/asti/servizi/${serviceCode}`,
    async check(page, lang) {
      const svc = astiServices[0];
      assert.equal((await page.locator('h1').innerText()).trim(), svc.title[lang]);
      assert.ok((await page.locator('.breadcrumb a[href="/asti/"]').count()) === 1, 'breadcrumb back to the body');
    },
  },
  {
    name: 'catalog search with results',
    path: () => '/servizi?q=residenza',
    async check(page) {
      const hits = await page.locator('#results .search-hit').count();
      assert.ok(hits >= 1, 'at least one service found');
      assert.ok((await page.locator('#results .offered-by a').count()) >= 1, 'links to the bodies that offer it');
    },
  },
  {
    name: 'catalog search without results',
    path: () => '/servizi?q=zzqxjwkv',
    async check(page) {
      assert.equal(await page.locator('#results .search-hit').count(), 0);
      const status = (await page.locator('#results-count').innerText()).trim();
      assert.match(status, /^0\b/, `the count says nothing was found: ${status}`);
      assert.match(status, /zzqxjwkv/);
    },
  },
  {
    // The digital stamp's public verification page (docs/stamp.md): no sign-in, not indexed.
    name: 'stamp verification page',
    path: () => '/verifica',
    async check(page, lang) {
      assert.equal((await page.locator('h1').innerText()).trim(), t(lang, 'stamp_title'));
      assert.equal(await page.locator('#stamp-by-id input[name=id]').count(), 1);
      assert.equal(await page.locator('#stamp-by-file input[type=file]').count(), 1);
      assert.equal(await page.locator('#stamp-result').count(), 0);
    },
  },
  {
    name: 'stamp verification of an unknown identifier',
    path: () => '/verifica?id=AAAAAAAAAAAAAAAAAAAAAA',
    async check(page) {
      assert.equal(await page.getAttribute('#stamp-result', 'data-verdict'), 'unknown');
      assert.equal(await page.locator('#stamp-record').count(), 0, 'nothing shown for an unknown document');
      assert.match((await page.locator('meta[name=robots]').getAttribute('content')) ?? '', /noindex/);
    },
  },
  {
    name: '404 page',
    path: () => '/ente-che-non-esiste/servizi/nulla',
    status: 404,
    async check(page, lang) {
      assert.equal((await page.locator('h1').innerText()).trim(), t(lang, 'error.404'));
      assert.equal(await page.locator('header.it-header-wrapper').count(), 1, 'same layout as the other pages');
    },
  },
];

for (const lang of ['it', 'en']) {
  describe(`pages in ${lang}`, () => {
    let ctx;
    before(async () => (ctx = await newContext(lang)));
    after(async () => ctx?.close());
    for (const pt of pageTypes) {
      test(pt.name, async () => {
        const { page } = await loadAndCheck(ctx, lang, pt.path(), pt.status ?? 200);
        try {
          await pt.check(page, lang);
        } finally {
          await page.close();
        }
      });
    }
  });
}

describe('journeys', () => {
  test('the language switch on a body home page turns the page into English', async () => {
    const ctx = await browser.newContext({ locale: 'it-IT' }); // no cookie yet
    try {
      const page = await ctx.newPage();
      const problems = watchPage(page);
      await page.goto(`${server.baseUrl}/asti/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'it');
      // The switch goes through /lang/en, which sets the cookie and redirects back here.
      await clickAndLand(page, '#lang-switch', '/asti/');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal((await page.locator('.skiplinks a').textContent()).trim(), t('en', 'skip_to_content'));
      assert.equal(
        (await page.locator('.audience-filter .nav-link').nth(1).innerText()).trim(),
        t('en', 'audience_citizens'),
      );
      assert.equal(new URL(page.url()).pathname, '/asti/');
      // The choice sticks (cookie) and the switch now offers Italian.
      await page.goto(`${server.baseUrl}/servizi`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.getAttribute('#lang-switch', 'lang'), 'it');
      await clickAndLand(page, '#lang-switch', '/servizi');
      assert.equal(await page.getAttribute('html', 'lang'), 'it');
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
    }
  });

  test('the language switch keeps the query string: a search and the sign-in\'s return page survive it', async () => {
    const ctx = await browser.newContext({ locale: 'it-IT' });
    try {
      const page = await ctx.newPage();
      const problems = watchPage(page);
      await page.goto(`${server.baseUrl}/servizi?q=mensa`);
      await clickAndLand(page, '#lang-switch', '/servizi');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(new URL(page.url()).search, '?q=mensa');
      // The sign-in page with the page to return to and the SPID level asked.
      await page.goto(`${server.baseUrl}/accedi?next=%2Farea-personale%2Fprofilo&livello=2`);
      await clickAndLand(page, '#lang-switch', '/accedi');
      const url = new URL(page.url());
      assert.equal(await page.getAttribute('html', 'lang'), 'it');
      assert.equal(url.searchParams.get('next'), '/area-personale/profilo');
      assert.equal(url.searchParams.get('livello'), '2');
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
    }
  });

  test('after a refused form the focus is on the error summary, so a screen reader reads it first', async () => {
    const ctx = await newContext('it');
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.baseUrl}/backoffice/accedi`);
      await page.fill('#staff-email', 'operatore@asti.example');
      await page.fill('#staff-password', 'non-e-la-password');
      await Promise.all([page.waitForNavigation(), page.click('#staff-signin-submit')]);
      await page.waitForSelector('#error-summary');
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
      assert.equal(await page.inputValue('#staff-email'), 'operatore@asti.example', 'what was typed is kept');
    } finally {
      await ctx.close();
    }
  });

  test('the hub search form finds only the matching bodies', async () => {
    const ctx = await newContext('it');
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.baseUrl}/`);
      assert.equal(await page.locator('#bodies .body-card').count(), bodies.length);
      await page.fill('#q', 'cassola');
      await Promise.all([page.waitForURL(/\?q=cassola$/), page.locator('#q').press('Enter')]);
      const names = await page.locator('#bodies .card-title').allInnerTexts();
      const expected = bodies.filter((b) => /cassola/i.test(b.name)).map((b) => b.name);
      assert.ok(expected.length >= 1);
      assert.deepEqual(names.map((n) => n.trim()), expected);
    } finally {
      await ctx.close();
    }
  });

  test('hub → body → service by clicking links', async () => {
    const ctx = await newContext('it');
    try {
      const page = await ctx.newPage();
      const problems = watchPage(page);
      await page.goto(`${server.baseUrl}/`);
      const asti = bodies.find((b) => b.slug === 'asti');
      await Promise.all([page.waitForURL(`${server.baseUrl}/asti/`), page.getByRole('link', { name: asti.name, exact: true }).click()]);
      assert.equal((await page.locator('h1').innerText()).trim(), asti.name);
      const first = page.locator('.service-card .card-title a').first();
      const title = (await first.innerText()).trim();
      const href = await first.getAttribute('href');
      assert.match(href, /^\/asti\/servizi\/[a-z0-9-]+$/);
      await Promise.all([page.waitForURL(server.baseUrl + href), first.click()]);
      assert.equal((await page.locator('h1').innerText()).trim(), title);
      // and back up through the breadcrumb
      await Promise.all([page.waitForURL(`${server.baseUrl}/asti/`), page.locator('.breadcrumb a[href="/asti/"]').click()]);
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
    }
  });

  test('works without JavaScript: body home and the hub search form', async () => {
    const ctx = await newContext('it', { javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      const response = await page.goto(`${server.baseUrl}/asti/`);
      assert.equal(response.status(), 200);
      assert.equal(await page.locator('.service-card .card-title a').count(), astiServices.length);
      await page.goto(`${server.baseUrl}/`);
      await page.fill('#q', 'cassola');
      await Promise.all([page.waitForURL(/\?q=cassola$/), page.locator('#q').press('Enter')]);
      const names = await page.locator('#bodies .card-title').allInnerTexts();
      assert.ok(names.length >= 1 && names.length < bodies.length);
      for (const n of names) assert.match(n, /cassola/i);
      // The catalog search with its audience filter is a plain GET form too.
      await page.goto(`${server.baseUrl}/servizi`);
      await page.fill('#q', 'residenza');
      await page.selectOption('#pubblico', 'cittadini');
      await Promise.all([page.waitForURL(/\/servizi\?/), page.locator('#q').press('Enter')]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('q'), 'residenza');
      assert.equal(url.searchParams.get('pubblico'), 'cittadini');
      assert.ok((await page.locator('#results .search-hit').count()) >= 1);
    } finally {
      await ctx.close();
    }
  });

  test('on a phone the pages do not scroll sideways and the header controls are on screen', async () => {
    const ctx = await newContext('it', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    try {
      const page = await ctx.newPage();
      for (const p of ['/', '/asti/', `/asti/servizi/${serviceCode}`, '/servizi?q=residenza']) {
        await page.goto(server.baseUrl + p);
        const m = await page.evaluate(() => {
          const box = (sel) => {
            const r = document.querySelector(sel).getBoundingClientRect();
            return { left: Math.round(r.left), right: Math.round(r.right) };
          };
          return {
            scrollWidth: document.documentElement.scrollWidth,
            width: document.documentElement.clientWidth,
            lang: box('#lang-switch'),
            search: box('form.header-search button'),
          };
        });
        assert.ok(m.scrollWidth <= m.width, `${p}: page is ${m.scrollWidth}px wide on a ${m.width}px screen`);
        for (const k of ['lang', 'search']) {
          assert.ok(m[k].left >= 0 && m[k].right <= m.width, `${p}: ${k} control off screen: ${JSON.stringify(m[k])}`);
        }
      }
    } finally {
      await ctx.close();
    }
  });

  test('screenshot of the body home page', async () => {
    const ctx = await newContext('it');
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.baseUrl}/asti/`);
      await page.evaluate(() => document.fonts.ready);
      const png = await page.screenshot({ path: '/tmp/e2e-body-home.png', fullPage: true });
      assert.ok(png.length > 10_000, 'a real screenshot');
    } finally {
      await ctx.close();
    }
  });
});
