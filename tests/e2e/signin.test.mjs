// Signing in as a citizen through the SPID/CIE simulator (the real OpenID Connect flow over HTTP, in
// chromium), the personal area, signing out; refused callbacks; a staff member kept inside their body.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, watchPage, axeViolations, formatViolations, binary, sourceDir } from './support/server.mjs';

let server;
let browser;
const configDir = mkdtempSync(path.join(tmpdir(), 'sportello-signin-'));

// Asti's federation data as its operator configures them (docs/oidc.md, "Each body's federation data"),
// with a trust mark received from another federation's registry (its kid is no simulator's).
const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const otherMark = `${part({ alg: 'RS256', kid: 'registry-example' })}.${part({ iss: 'https://registry.example/', id: 'https://registry.example/openid_relying_party/public/' })}.c2ln`;
const asti = {
  organization_name: 'Comune di Asti (configurato)',
  contacts: ['protocollo.comuneasti@pec.it'],
  homepage_uri: 'https://www.comune.asti.it/',
  policy_uri: 'https://www.comune.asti.it/privacy-accesso',
  logo_uri: 'https://www.comune.asti.it/logo.svg',
};
writeFileSync(path.join(configDir, 'sportello.toml'), `[oidc_body.c_a479]
organization_name = "${asti.organization_name}"
contacts = ["${asti.contacts[0]}"]
homepage_uri = "${asti.homepage_uri}"
policy_uri = "${asti.policy_uri}"
logo_uri = "${asti.logo_uri}"
trust_marks = [{ id = "https://registry.example/openid_relying_party/public/", trust_mark = "${otherMark}" }]
`);

before(async () => {
  [server, browser] = await Promise.all([
    startServer({ database: 'sqlite', env: { SPORTELLO_CONFIG: path.join(configDir, 'sportello.toml') } }),
    launchBrowser(),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

// Runs a query on the server's SQLite database (read-only) and returns the rows as text.
function sql(query) {
  const file = server.databaseUrl.replace(/^sqlite:/, '');
  return execFileSync('sqlite3', ['-readonly', file, query], { encoding: 'utf8' }).trim();
}

// From the simulator's page: pick a behaviour and sign in as the identity with this fiscal code.
async function signInAtSimulator(page, fiscalCode, behaviour = 'normal') {
  await page.waitForURL(/\/authorize\?/);
  await page.selectOption('#behaviour', behaviour);
  await Promise.all([page.waitForNavigation(), page.click(`button[name="identity"][value="${fiscalCode}"]`)]);
}

test('a citizen signs in at SPID level 2 from a service page, sees the personal area and signs out', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    await page.goto(`${server.baseUrl}/asti/servizi/iscrizione-scuola-primaria`);
    await page.click('#service-sign-in');
    await page.waitForURL(/\/accedi\?livello=2/);
    assert.equal(formatViolations(await axeViolations(page)), "");
    // The official button (issue 14): "Entra con SPID" opens the federation's providers.
    assert.equal((await page.locator('summary.spid-button').innerText()).trim(), 'Entra con SPID');
    let callback = null;
    page.on('request', (r) => {
      if (r.url().includes('/callback?')) callback = new URL(r.url()).pathname;
    });
    await page.click('.spid-provider');
    await signInAtSimulator(page, 'FRRNNA78S70A479X');
    assert.equal(callback, '/c_a479/callback', "Asti's own callback");

    // Back on the service page, signed in at level 2.
    assert.equal(new URL(page.url()).pathname, '/asti/servizi/iscrizione-scuola-primaria');
    assert.match(await page.locator('#service-signed-in').innerText(), /Anna Ferraro.*2/);

    await page.goto(`${server.baseUrl}/area-personale`);
    assert.equal((await page.locator('#fiscal-code').innerText()).trim(), 'FRRNNA78S70A479X');
    assert.equal(formatViolations(await axeViolations(page)), "");
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === 'sp_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax', 'HttpOnly, SameSite=Lax session cookie');

    // The sign-in is in the audit log, chained.
    assert.match(sql("SELECT action FROM audit_log WHERE actor_id = 'FRRNNA78S70A479X'"), /auth\.sign_in/);
    // Issue 14: Asti signed the citizen in as itself (its own client_id), the simulator in strict mode
    // encrypted the userinfo, and every message is in the sealed message log.
    assert.equal(sql("SELECT client_id FROM oidc_provider_tokens WHERE revoked_at IS NULL"), `${server.baseUrl}/c_a479/`);
    assert.equal(sql("SELECT count(*) FROM oidc_message_log WHERE kind = 'userinfo_response'"), '1');
    assert.doesNotMatch(sql('SELECT sealed FROM oidc_message_log'), /access_token|Ferraro/);

    await Promise.all([page.waitForNavigation(), page.click('#sign-out')]);
    assert.equal(new URL(page.url()).pathname, '/');
    // Signing out revoked the access token at the provider.
    assert.equal(sql('SELECT count(*) FROM oidc_provider_tokens WHERE revoked_at IS NULL'), '0');
    assert.equal(sql("SELECT count(*) FROM oidc_message_log WHERE kind = 'revocation_response'"), '1');
    await page.goto(`${server.baseUrl}/area-personale`);
    assert.equal(new URL(page.url()).pathname, '/accedi', 'signed out: the personal area asks to sign in');
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});

test('another body signs its citizens in with CIE, its own client_id and its own callback, then signs out', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const problems = watchPage(page);
    let callback = null;
    page.on('request', (r) => {
      if (r.url().includes('/callback?')) callback = new URL(r.url());
    });
    await page.goto(`${server.baseUrl}/accedi?livello=2&next=/novara/`);
    // "Entra con CIE" leads straight to the CIE provider, found through the CIE trust anchor.
    assert.equal((await page.locator('a.cie-button').innerText()).trim(), 'Entra con CIE');
    await page.click('a.cie-button');
    await page.waitForURL(/\/cie\/authorize\?/);
    const authorize = new URL(page.url());
    assert.equal(authorize.searchParams.get('client_id'), `${server.baseUrl}/c_f952/`);
    assert.equal(authorize.searchParams.get('scope'), 'openid profile email'); // CIE's profile allows them
    assert.equal(authorize.searchParams.get('redirect_uri'), `${server.baseUrl}/c_f952/callback`);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Simulatore CIE (identity provider simulator)');
    const binding = (await ctx.cookies()).find((c) => c.name === 'sp_signin');
    assert.equal(binding?.path, '/c_f952/callback', "the sign-in cookie goes to the body's callback only");
    await signInAtSimulator(page, 'FRRNNA78S70A479X');
    assert.equal(new URL(page.url()).pathname, '/novara/');
    assert.equal(callback?.pathname, '/c_f952/callback');
    assert.ok(callback.searchParams.get('iss').endsWith('/cie'), 'CIE names itself in the response (RFC 9207)');
    assert.equal(sql("SELECT count(*) FROM oidc_provider_tokens WHERE client_id LIKE '%/c_f952/' AND revoked_at IS NULL"), '1');
    // The CIE provider encrypted the userinfo to Novara's key, and it was read (the name shown comes from it).
    assert.equal(sql("SELECT count(*) FROM oidc_message_log WHERE kind = 'userinfo_response' AND client_id LIKE '%/c_f952/'"), '1');
    await page.goto(`${server.baseUrl}/area-personale`);
    assert.match(await page.locator('main').innerText(), /Anna/);
    await Promise.all([page.waitForNavigation(), page.click('#sign-out')]);
    assert.equal(sql("SELECT count(*) FROM oidc_provider_tokens WHERE client_id LIKE '%/c_f952/' AND revoked_at IS NULL"), '0');
    assert.deepEqual(problems, []);
  } finally {
    await ctx.close();
  }
});

test("each body's federation data come from the configuration, and its entity configuration passes oidc check", async () => {
  const ec = await (await fetch(`${server.baseUrl}/c_a479/.well-known/openid-federation`)).text();
  const claims = JSON.parse(Buffer.from(ec.split('.')[1], 'base64url').toString());
  const fe = claims.metadata.federation_entity;
  for (const key of Object.keys(asti)) assert.deepEqual(fe[key], asti[key], key);
  assert.equal(claims.metadata.openid_relying_party.organization_name, asti.organization_name);
  assert.deepEqual(claims.metadata.openid_relying_party.redirect_uris,
    [`${server.baseUrl}/c_a479/callback`, `${server.baseUrl}/auth/callback`]);
  // The configured trust mark, and the marks of both simulated federations (SPID, CIE).
  const ports = JSON.parse(readFileSync(path.join(server.dir, 'ports.json'), 'utf8'));
  const spid = `http://localhost:${ports.sim_idp}/ta`;
  const cie = `http://localhost:${ports.sim_idp}/cie/ta`;
  assert.deepEqual(claims.trust_marks.map((m) => m.id).sort(),
    ['https://registry.example/openid_relying_party/public/', `${spid}/openid_relying_party/public/`,
      `${cie}/openid_relying_party/public/`].sort());
  assert.deepEqual(claims.authority_hints, [spid, cie]);
  // The onboarding checks, as the real command runs them: Asti against the SPID anchor, Novara (demo
  // defaults) against the CIE one.
  for (const [ipa, anchor] of [['c_a479', spid], ['c_f952', cie]]) {
    const out = execFileSync(binary, ['oidc', 'check', ipa, '--anchor', anchor], {
      encoding: 'utf8',
      env: { ...process.env, SPORTELLO_PUBLIC_URL: server.baseUrl, SPORTELLO_SHARE_DIR: sourceDir,
        SPORTELLO_CONFIG: path.join(configDir, 'sportello.toml') },
    });
    assert.doesNotMatch(out, /FAIL/, out);
    assert.match(out, /ok {3}ec\.trust_marks/, out);
    assert.match(out, /ok {3}fe\.contacts/, out);
    // Asti's configured data are checked against what it publishes.
    if (ipa === 'c_a479') assert.match(out, /ok {3}config\.contacts.*\n(.*\n)*ok {3}config\.trust_marks/, out);
  }
});

test('a level 1 sign-in is sent back to sign in again for a level 2 service', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/accedi?livello=1&next=/asti/servizi/iscrizione-scuola-primaria`);
    await page.click('.provider-link');
    await signInAtSimulator(page, 'SPSGPP55P12F839I'); // this identity only reaches level 1
    assert.equal(new URL(page.url()).pathname, '/asti/servizi/iscrizione-scuola-primaria');
    assert.equal(await page.locator('#service-signed-in').count(), 0);
    await page.click('#service-sign-in');
    await page.waitForURL(/\/accedi\?livello=2/);
    assert.match(await page.locator('.alert-warning').innerText(), /livello 1.*livello 2/);
  } finally {
    await ctx.close();
  }
});

test('a sign-in cancelled at the provider is explained, not a generic failure', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await page.waitForURL(/\/authorize\?/);
    await Promise.all([page.waitForNavigation(), page.click('#cancel')]); // the provider answers access_denied
    assert.equal((await page.locator('h1').innerText()).trim(), 'Accesso non riuscito');
    assert.match(await page.locator('.alert-danger').innerText(), /Accesso non concesso.*livello di sicurezza richiesto/s);
    assert.match(await page.locator('body').innerText(), /identity\.provider\.access_denied/);
  } finally {
    await ctx.close();
  }
});

test('forged and replayed callbacks are refused with a clear page', async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    const forged = await page.goto(`${server.baseUrl}/auth/callback?state=${'x'.repeat(43)}&code=abc`);
    assert.equal(forged.status(), 400);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Accesso non riuscito');
    assert.match(await page.locator('.alert-danger').innerText(), /non corrisponde a nessun accesso in corso/);
    assert.match(await page.locator('body').innerText(), /identity\.callback_unknown/);

    // A real sign-in; remember the callback URL and present it again afterwards.
    let callbackUrl = null;
    page.on('request', (r) => {
      if (r.url().includes('/auth/callback?')) callbackUrl = r.url();
    });
    await page.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await signInAtSimulator(page, 'CCCFBA85D03L219P');
    assert.equal(new URL(page.url()).pathname, '/area-personale');
    assert.ok(callbackUrl, 'the callback was seen');
    const replay = await page.goto(callbackUrl);
    assert.equal(replay.status(), 400);
    assert.match(await page.locator('.alert-danger').innerText(), /già stata usata|non corrisponde/);
  } finally {
    await ctx.close();
  }
});

test('a callback with a forged code is a 400 page, and a callback from another browser changes nothing', async () => {
  const attacker = await browser.newContext({ locale: 'it-IT' });
  const victim = await browser.newContext({ locale: 'it-IT' });
  try {
    // The attacker starts a sign-in and stops at the provider: the URL there carries the state.
    const a = await attacker.newPage();
    await a.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await a.waitForURL(/\/authorize\?/);
    const authorize = new URL(a.url());
    const state = authorize.searchParams.get('state');
    const iss = authorize.origin;
    const signin = (await attacker.cookies()).find((c) => c.name === 'sp_signin');
    assert.ok(signin && signin.httpOnly && signin.sameSite === 'Lax' && signin.path === '/auth/callback',
      'an HttpOnly, SameSite=Lax sign-in cookie for the callback only');

    // A forged code with the right state, in the browser that started the sign-in: refused, 4xx.
    const forged = await a.goto(`${server.baseUrl}/auth/callback?state=${state}&code=${'f'.repeat(43)}&iss=${encodeURIComponent(iss)}`);
    assert.equal(forged.status(), 400);
    assert.equal((await a.locator('h1').innerText()).trim(), 'Accesso non riuscito');
    assert.match(await a.locator('body').innerText(), /oidc\.token/);

    // The victim, signed in as themself, opens a callback link of the attacker's (a real code this time).
    const v = await victim.newPage();
    await v.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await signInAtSimulator(v, 'FRRNNA78S70A479X');
    await a.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await a.waitForURL(/\/authorize\?/);
    // The attacker keeps the provider's redirect for themself instead of following it: the code stays unused.
    let link = null;
    await a.route('**/authorize/confirm', async (route) => {
      const res = await route.fetch({ maxRedirects: 0 });
      link = res.headers()['location'];
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'stopped before the callback' });
    });
    await Promise.all([a.waitForNavigation(), a.click('button[name="identity"][value="CCCFBA85D03L219P"]')]);
    assert.match(link ?? '', /\/auth\/callback\?code=/, 'the attacker got a callback URL');
    const opened = await v.goto(link);
    assert.equal(opened.status(), 400);
    assert.match(await v.locator('.alert-danger').innerText(), /in questo browser/);
    await v.goto(`${server.baseUrl}/area-personale`);
    assert.equal((await v.locator('#fiscal-code').innerText()).trim(), 'FRRNNA78S70A479X', 'still the victim');
  } finally {
    await attacker.close();
    await victim.close();
  }
});

test('return paths never lead to another host', async () => {
  // The query is decoded once by the server: "/%09/evil.example" arrives as "/<TAB>/evil.example", which a
  // browser reads as "//evil.example".
  for (const next of ['/%09/evil.example', '/%0A/evil.example', '//evil.example', '/%5Cevil.example',
    '/%255C/evil.example', '/%252F/evil.example', 'https://evil.example/']) {
    const res = await fetch(`${server.baseUrl}/lang/it?next=${next}`, { redirect: 'manual' });
    assert.ok(res.status === 303 || (res.status >= 400 && res.status < 500), `${next}: ${res.status}`);
    if (res.status === 303) assert.equal(res.headers.get('location'), '/', next);
  }
  const ok = await fetch(`${server.baseUrl}/lang/en?next=/asti/`, { redirect: 'manual' });
  assert.equal(ok.headers.get('location'), '/asti/');
});

for (const [behaviour, code] of [
  ['bad_signature', 'oidc.id_token_signature'],
  ['expired', 'oidc.id_token_expired'],
  ['wrong_audience', 'oidc.id_token_audience'],
  ['replayed_nonce', 'oidc.nonce'],
  ['lower_acr', 'oidc.acr'],
  ['wrong_iss', 'oidc.response_issuer'],
  ['missing_iss', 'oidc.response_issuer'], // the simulator announces iss (RFC 9207), as CIE does
]) {
  test(`a provider that misbehaves (${behaviour}) does not sign anyone in`, async () => {
    const ctx = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
      await signInAtSimulator(page, 'RSSMRA80A01H501U', behaviour);
      assert.equal(new URL(page.url()).pathname, '/auth/callback');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Sign-in failed');
      assert.match(await page.locator('body').innerText(), new RegExp(code.replace('.', '\\.')));
      assert.equal((await ctx.cookies()).filter((c) => c.name === 'sp_session').length, 0);
    } finally {
      await ctx.close();
    }
  });
}

test("an Asti staff member cannot open Novara's back office: 403, logged on Novara's audit log", async () => {
  const ctx = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/backoffice/accedi`);
    await page.fill('input[name="email"]', 'admin@asti.example');
    await page.fill('input[name="password"]', 'Asti-admin-2026!');
    await Promise.all([page.waitForNavigation(), page.click('#staff-signin-submit')]);
    assert.equal(new URL(page.url()).pathname, '/backoffice/');

    const own = await page.goto(`${server.baseUrl}/backoffice/asti/personale`);
    assert.equal(own.status(), 200);
    const other = await page.goto(`${server.baseUrl}/backoffice/novara/personale`);
    assert.equal(other.status(), 403);
    const denied = sql(
      "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND record_id = '/backoffice/novara/personale' " +
        "AND tenant_id = (SELECT id FROM bodies WHERE slug = 'novara')",
    );
    assert.equal(denied, '1');
  } finally {
    await ctx.close();
  }
});

test('the audit chain verifies, and an edit behind the server\'s back is found', () => {
  const file = server.databaseUrl.replace(/^sqlite:/, '');
  // Run in the server's directory, so that the command finds the same audit key and anchor file
  // (var/audit-hmac.key, var/audit-anchors.jsonl) as the server: without the key it cannot vouch.
  const run = (command) => {
    try {
      return { code: 0, out: execFileSync(process.env.SPORTELLO_BINARY ?? 'build/sportello', ['audit', command], {
        cwd: server.dir, env: { ...process.env, SPORTELLO_DATABASE: server.databaseUrl }, encoding: 'utf8' }) };
    } catch (e) {
      return { code: e.status, out: String(e.stdout) };
    }
  };
  const verify = () => run('verify');
  assert.equal(run('anchor').code, 0);
  const ok = verify();
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /verified up to/);
  // Tamper: the append-only trigger must be dropped first, as an intruder with file access would.
  execFileSync('sqlite3', [file, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 1 AND tenant_id = 0;"]);
  const broken = verify();
  assert.equal(broken.code, 1, broken.out);
  assert.match(broken.out, /BROKEN at seq 1/);
});

// Accessibility of the signed-in pages: the personal area's subpages and the staff back office.
test('signed-in pages have no serious accessibility violations', async () => {
  const citizen = await browser.newContext({ locale: 'it-IT' });
  const staff = await browser.newContext({ locale: 'it-IT' });
  try {
    const page = await citizen.newPage();
    const problems = watchPage(page);
    await page.goto(`${server.baseUrl}/accedi/simulatore?livello=2&next=/area-personale`);
    await signInAtSimulator(page, 'BNCGLI92L55F205A');
    for (const path of ['/area-personale', '/area-personale/profilo', '/area-personale/deleghe', '/area-personale/accessi']) {
      const res = await page.goto(server.baseUrl + path);
      assert.equal(res.status(), 200, path);
      assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
      assert.equal(formatViolations(await axeViolations(page)), '', path);
    }
    assert.deepEqual(problems, []);

    const admin = await staff.newPage();
    await admin.goto(`${server.baseUrl}/backoffice/accedi`);
    assert.equal(formatViolations(await axeViolations(admin)), '', '/backoffice/accedi');
    await admin.fill('input[name="email"]', 'admin@asti.example');
    await admin.fill('input[name="password"]', 'Asti-admin-2026!');
    await Promise.all([admin.waitForNavigation(), admin.click('#staff-signin-submit')]);
    for (const path of ['/backoffice/', '/backoffice/asti/personale', '/backoffice/asti/chiavi-api', '/backoffice/asti/deleghe']) {
      const res = await admin.goto(server.baseUrl + path);
      assert.equal(res.status(), 200, path);
      assert.equal(formatViolations(await axeViolations(admin)), '', path);
    }
  } finally {
    await citizen.close();
    await staff.close();
  }
});
