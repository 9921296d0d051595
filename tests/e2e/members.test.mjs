// The hub's members (docs/hub.md), in chromium against one demo server: the hub's administrator onboards a
// new comune through the guided flow (a refused step keeps what was typed) and a citizen opens its portal
// right after; a body's administrator spends credits to add a service, which is in its catalog at once;
// a body at its maximum of high-interactivity services is told why it cannot add another. axe on each new
// kind of page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations } from './support/server.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ database: 'sqlite' }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInStaff(page, email, password) {
  await page.goto(`${server.baseUrl}/backoffice/accedi`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('#staff-signin-submit')]);
}

async function assertAccessible(page, label) {
  assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  assert.equal(formatViolations(await axeViolations(page)), '', label);
}

async function next(page, selector = '#onboarding-next') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('the hub onboards a comune end to end and a citizen opens its portal at once', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    await signInStaff(page, 'admin@pes.example', 'Polo-demo-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#link-hub-bodies')]);
    await assertAccessible(page, 'members overview');
    assert.ok((await page.textContent('#bodies-table')).includes('Comune di Asti'));
    // A standard package's page (its services and levels).
    await Promise.all([page.waitForNavigation(), page.click('#packages-table a[href$="/comune-piccolo"]')]);
    assert.equal(await page.inputValue('#level_dichiarazione-tari'), '3');
    await assertAccessible(page, 'package');
    await page.goBack();

    await next(page, '#onboard-new');
    await page.selectOption('#ob-kind', 'comune');
    await page.fill('#ob-name', 'Comune di Montechiaro');
    await page.fill('#ob-slug', 'montechiaro');
    await page.fill('#ob-istat_code', '005072');
    await page.fill('#ob-belfiore_code', 'F528');
    await page.fill('#ob-ipa_code', 'c_f528');
    await page.fill('#ob-fiscal_code', '00743110158'); // wrong check digit
    await page.fill('#ob-population', '1400');
    await next(page);
    assert.equal(await page.locator('#error-summary').count(), 1);
    assert.equal(await page.getAttribute('#ob-fiscal_code', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#ob-name'), 'Comune di Montechiaro');
    await assertAccessible(page, 'onboarding step with an error');
    await page.fill('#ob-fiscal_code', '00743110157');
    await next(page);

    await page.fill('#ob-aoo_name', 'Protocollo generale');
    await page.fill('#ob-protocol_next_number', '812');
    await next(page);
    await page.fill('#ob-iban', 'IT60X0542811101000000123456');
    await page.fill('#ob-segregation_code', '01');
    await next(page);
    await page.fill('#ob-admin_email', 'sindaco@montechiaro.example');
    await page.fill('#ob-admin_name', 'Anna Bosco');
    await next(page);
    // The package suited to a comune of 1,400 people is chosen already; the summary shows what was typed.
    assert.equal(await page.isChecked('#ob-package-comune-piccolo'), true);
    assert.ok((await page.textContent('#onboarding-summary')).includes('c_f528'));
    await next(page, '#onboarding-finish');
    assert.equal(await page.locator('#onboarded-notice').count(), 1);
    await assertAccessible(page, 'onboarded');
    const portal = await page.getAttribute('#onboarded-portal', 'href');
    assert.equal(portal, '/montechiaro/');
    // The refused step answers 400 on purpose (chromium logs it); nothing else may go wrong.
    assert.deepEqual(problems.filter((p) => !p.includes('status of 400')), []);

    // A citizen, not signed in, opens the new portal and one of its package's services.
    const citizen = await browser.newContext({ locale: 'it-IT' });
    const cp = await citizen.newPage();
    const res = await cp.goto(`${server.baseUrl}/montechiaro/`);
    assert.equal(res.status(), 200);
    assert.ok((await cp.textContent('h1')).includes('Montechiaro'));
    const link = cp.locator('a[href="/montechiaro/servizi/dichiarazione-tari"]');
    assert.equal(await link.count(), 1);
    await Promise.all([cp.waitForNavigation(), link.click()]);
    assert.equal(await cp.locator('h1').count(), 1);
    await citizen.close();
  } finally {
    await ctx.close();
  }
});

test("a body spends credits to add a service, and one at its maximum is told why it cannot add another", async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  const asti = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    await signInStaff(page, 'admin@novara.example', 'Novara-admin-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#link-package')]);
    const before = Number(await page.getAttribute('#package-balance', 'data-credits'));
    assert.ok(before > 0);
    // The first service Novara does not offer, added at the information level (1 credit).
    const row = page.locator('#package-services tr[data-offered="0"]').filter({ has: page.locator('button[id$="-1"]') }).first();
    const code = await row.getAttribute('data-code');
    await Promise.all([page.waitForNavigation(), row.locator(`#btn-${code}-1`).click()]);
    assert.equal(await page.locator('#done-notice').count(), 1);
    assert.equal(Number(await page.getAttribute('#package-balance', 'data-credits')), before - 1);
    // In Novara's catalog at once.
    const res = await page.goto(`${server.baseUrl}/novara/servizi/${code}`);
    assert.equal(res.status(), 200);
    await page.goto(`${server.baseUrl}/novara/`);
    assert.equal(await page.locator(`a[href="/novara/servizi/${code}"]`).count(), 1);

    // Asti offers its package's maximum of online services (18, a large comune's): adding another is
    // refused, and why.
    const ap = await asti.newPage();
    await signInStaff(ap, 'admin@asti.example', 'Asti-admin-2026!');
    await ap.goto(`${server.baseUrl}/backoffice/asti/pacchetto`);
    const online = ap.locator('#package-services tr[data-offered="0"] button[id$="-3"]').first();
    const id = await online.getAttribute('id');
    const balance = await ap.getAttribute('#package-balance', 'data-credits');
    await Promise.all([ap.waitForNavigation(), online.click()]);
    assert.match(await ap.textContent('#error-summary'), /massimo consentito \(18\)/);
    assert.equal(await ap.getAttribute('#package-balance', 'data-credits'), balance);
    assert.equal(await ap.locator(`#${id}`).count(), 1);
    await assertAccessible(ap, 'body package with a refusal');
  } finally {
    await ctx.close();
    await asti.close();
  }
});

// Statistics (docs/statistics.md): the hub's dashboard and a body's render their SVG charts, each with its
// data table in a <figure>, with axe clean (issue 19's acceptance); a body's staff are refused the hub's.
test('the statistics dashboards render their charts with axe clean', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    await signInStaff(page, 'admin@pes.example', 'Polo-demo-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#link-statistics')]);
    assert.equal(new URL(page.url()).pathname, '/backoffice/statistiche');
    assert.ok((await page.locator('figure svg[role="img"]').count()) >= 6, 'the hub has its charts');
    assert.equal(await page.locator('figure table').count(), await page.locator('figure svg').count(),
      'a data table beside each chart');
    assert.ok((await page.textContent('#st-bodies')).includes('Comune di Asti'));
    for (const id of ['#st-days', '#st-helpdesk', '#st-helpdesk-sla'])
      assert.ok(await page.isVisible(`${id} svg[role="img"]`), `${id}: the decision times and the help desk`);
    assert.match(await page.textContent('#st-freshness'), /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await assertAccessible(page, 'hub statistics');
    assert.deepEqual(problems, []);

    const body = await browser.newContext({ locale: 'it-IT' });
    try {
      const p = await body.newPage();
      await signInStaff(p, 'admin@asti.example', 'Asti-admin-2026!');
      await Promise.all([p.waitForNavigation(), p.click('#link-statistics')]);
      assert.equal(new URL(p.url()).pathname, '/backoffice/asti/statistiche');
      assert.ok((await p.locator('figure svg[role="img"]').count()) >= 6);
      await assertAccessible(p, 'body statistics');
      // A window that does not parse: said on the page, what was typed kept.
      await p.fill('#st-from', '2026-13');
      await Promise.all([p.waitForNavigation(), p.click('form[action$="/statistiche"] button[type="submit"]')]);
      assert.ok(await p.isVisible('#error-summary'));
      assert.equal(await p.inputValue('#st-from'), '2026-13');
      await assertAccessible(p, 'body statistics with an error');
      const refused = await p.goto(`${server.baseUrl}/backoffice/statistiche`);
      assert.equal(refused.status(), 403);
    } finally {
      await body.close();
    }
  } finally {
    await ctx.close();
  }
});
