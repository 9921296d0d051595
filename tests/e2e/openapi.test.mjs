// docs/openapi.yaml against the program: the documented paths are exactly the /api/ routes of
// `sportello routes`, and the live server's JSON responses (demo data) match the documented schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startServer, runCommand, sourceDir } from './support/server.mjs';

const doc = parse(readFileSync(path.join(sourceDir, 'docs/openapi.yaml'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

// ------------------------------------------------------------------ a validator for the subset used

function resolve(node) {
  let seen = 0;
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const ref = node.$ref;
    assert.ok(ref.startsWith('#/'), `only local $ref are supported: ${ref}`);
    node = ref
      .slice(2)
      .split('/')
      .reduce((n, k) => n?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    assert.ok(node !== undefined, `unresolvable $ref ${ref}`);
    assert.ok(++seen < 32, `$ref loop at ${ref}`);
  }
  return node;
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** Returns a list of "where: what" errors; empty when `value` matches `schema`. */
export function validate(schema, value, where = '$') {
  schema = resolve(schema);
  const errors = [];
  if (value === null) {
    if (schema.nullable === true) return errors;
    // A schema with neither type nor nullable (e.g. a bare allOf) does not accept null either.
    return [`${where}: null is not allowed`];
  }
  if (schema.allOf) for (const sub of schema.allOf) errors.push(...validate(sub, value, where));
  if (schema.type) {
    const t = typeOf(value);
    const ok = schema.type === t || (schema.type === 'number' && t === 'integer');
    if (!ok) return [...errors, `${where}: expected ${schema.type}, got ${t} (${JSON.stringify(value)?.slice(0, 60)})`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: ${value} < minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: ${value} > maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${where}: "${value}" does not match ${schema.pattern}`);
    if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors.push(`${where}: "${value}" is not a date`);
  }
  if (typeOf(value) === 'object') {
    for (const k of schema.required ?? []) if (!(k in value)) errors.push(`${where}: missing required "${k}"`);
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (k in value) errors.push(...validate(sub, value[k], `${where}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${where}[${i}]`)));
  return errors;
}

test('the validator rejects what it should', () => {
  const body = { $ref: '#/components/schemas/Body' };
  const good = { slug: 'x', name: 'X', kind: 'comune', fiscal_code: '1', services_count: 1, url: '/x/', pec: null };
  assert.deepEqual(validate(body, good), []);
  assert.equal(validate(body, { ...good, kind: 'regione' }).length, 1, 'enum');
  assert.equal(validate(body, { ...good, services_count: '1' }).length, 1, 'type');
  assert.equal(validate(body, { ...good, services_count: 1.5 }).length, 1, 'integer');
  assert.equal(validate(body, { ...good, name: null }).length, 1, 'null where not nullable');
  const { url, ...noUrl } = good;
  assert.equal(validate(body, noUrl).length, 1, 'required');
  const svc = { $ref: '#/components/schemas/Service' };
  const lt = { it: 'a', en: 'b' };
  const s = { code: 'c', title: lt, summary: lt, description: lt, life_event: 'l', area: 'a', audience: 'citizens', level: 2, office: lt, spid_level: 2, notes: null, fee_note: lt };
  assert.deepEqual(validate(svc, s), []);
  assert.equal(validate(svc, { ...s, fee_note: { it: 'a' } }).length, 1, 'allOf');
  assert.equal(validate(svc, { ...s, level: 5 }).length, 1, 'maximum');
  assert.equal(validate({ type: 'array', items: { type: 'string' } }, ['a', 1]).length, 1, 'items');
});

// ------------------------------------------------------------------ routes vs documented paths

const norm = (p) => p.replace(/\{[^}]+\}/g, '{}');

test('every /api/ route is documented, with its method, and every documented path is a route', async () => {
  const out = await runCommand(['routes']);
  const routes = new Set(
    out
      .split('\n')
      .map((l) => l.trim().match(/^([A-Z]+) (\/\S*)$/))
      .filter(Boolean)
      .filter((m) => m[2].startsWith('/api/'))
      .map((m) => `${m[1]} ${norm(m[2])}`),
  );
  assert.ok(routes.size >= 5, `routes printed: ${out}`);
  const documented = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) documented.add(`${m.toUpperCase()} ${norm(p)}`);
  }
  const undocumented = [...routes].filter((r) => !documented.has(r));
  const phantom = [...documented].filter((r) => !routes.has(r));
  assert.deepEqual(undocumented, [], 'routes missing from docs/openapi.yaml');
  assert.deepEqual(phantom, [], 'documented operations the server does not route');
});

// ------------------------------------------------------------------ live responses vs schemas

let server;
const exercised = new Map(); // documented path → set of statuses seen

before(async () => {
  server = await startServer();
});
after(async () => server?.stop());

/** GETs `url` (a concrete path) documented as `template`, expects `status`, validates; returns JSON. */
async function check(template, url, status, headers = {}) {
  const op = doc.paths[template]?.get;
  assert.ok(op, `GET ${template} is documented`);
  const res = await fetch(server.baseUrl + url, { headers: { 'accept-language': 'it', ...headers } });
  const text = await res.text();
  assert.equal(res.status, status, `GET ${url}: status (body: ${text.slice(0, 200)})`);
  const documented = op.responses[String(status)];
  assert.ok(documented, `GET ${template}: status ${status} is documented`);
  const response = resolve(documented);
  const media = response.content?.['application/json'];
  assert.ok(media?.schema, `GET ${template} ${status}: a JSON schema is documented`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `GET ${url}: content type`);
  const json = JSON.parse(text);
  const errors = validate(media.schema, json);
  assert.deepEqual(errors, [], `GET ${url} (${status}) does not match the documented schema`);
  if (!exercised.has(template)) exercised.set(template, new Set());
  exercised.get(template).add(status);
  return json;
}

test('live responses match the documented schemas', async () => {
  const { bodies } = await check('/api/v1/bodies', '/api/v1/bodies', 200);
  assert.ok(bodies.length >= 5);
  const found = await check('/api/v1/bodies', '/api/v1/bodies?q=cassola', 200);
  assert.ok(found.bodies.length >= 1 && found.bodies.length < bodies.length, 'q filters');
  await check('/api/v1/bodies/{slug}', '/api/v1/bodies/ente-che-non-esiste', 404);
  await check('/api/v1/bodies/{slug}/services', '/api/v1/bodies/ente-che-non-esiste/services', 404);
  await check('/api/v1/bodies/{slug}/services/{code}', '/api/v1/bodies/ente-che-non-esiste/services/cambio-residenza', 404);

  let services = 0;
  for (const b of bodies) {
    const one = await check('/api/v1/bodies/{slug}', `/api/v1/bodies/${b.slug}`, 200);
    assert.equal(one.slug, b.slug);
    const list = await check('/api/v1/bodies/{slug}/services', `/api/v1/bodies/${b.slug}/services`, 200);
    assert.equal(list.services.length, b.services_count, `${b.slug}: services_count agrees with the list`);
    const biz = await check('/api/v1/bodies/{slug}/services', `/api/v1/bodies/${b.slug}/services?audience=businesses`, 200);
    for (const s of biz.services) assert.equal(s.audience, 'businesses');
    for (const s of list.services) {
      const svc = await check('/api/v1/bodies/{slug}/services/{code}', `/api/v1/bodies/${b.slug}/services/${s.code}`, 200);
      assert.equal(svc.code, s.code);
      services++;
    }
    await check('/api/v1/bodies/{slug}/services/{code}', `/api/v1/bodies/${b.slug}/services/servizio-che-non-esiste`, 404);
  }
  assert.ok(services > 0);
  await check('/api/v1/bodies/{slug}/services', `/api/v1/bodies/${bodies[0].slug}/services?audience=marziani`, 400);

  const all = await check('/api/v1/services', '/api/v1/services', 200);
  assert.ok(all.services.length > 0);
  const q = await check('/api/v1/services', '/api/v1/services?q=residenza', 200);
  assert.ok(q.services.length >= 1 && q.services.length < all.services.length);
  const cit = await check('/api/v1/services', '/api/v1/services?audience=citizens', 200);
  for (const s of cit.services) assert.equal(s.audience, 'citizens');
  await check('/api/v1/services', '/api/v1/services?audience=marziani', 400);

  const le = await check('/api/v1/life-events', '/api/v1/life-events', 200);
  assert.ok(le.life_events.length > 0);

  const cf = await check('/api/v1/codice-fiscale/{code}', '/api/v1/codice-fiscale/CCCFBA85D03L219P', 200);
  assert.equal(cf.valid, true);
  assert.equal(cf.kind, 'person');
  const bad = await check('/api/v1/codice-fiscale/{code}', '/api/v1/codice-fiscale/CCCFBA85D03L219X', 200);
  assert.equal(bad.valid, false);
  assert.ok(bad.error && bad.message, 'an invalid code says why');
  const numeric = await check('/api/v1/codice-fiscale/{code}', '/api/v1/codice-fiscale/00743110157', 200);
  assert.equal(numeric.valid, true);
  assert.equal(numeric.kind, 'numeric');

  const piva = await check('/api/v1/partita-iva/{code}', '/api/v1/partita-iva/00743110157', 200);
  assert.equal(piva.valid, true);
  const badPiva = await check('/api/v1/partita-iva/{code}', '/api/v1/partita-iva/00743110158', 200);
  assert.equal(badPiva.valid, false);
  assert.ok(badPiva.error && badPiva.message);

  // Operations behind an API key: the refusals are checked here; the authenticated answers (200, 403
  // for another body's key, 404) in tests/integration/delegations, which creates keys and records.
  await check('/api/v1/backoffice/{slug}/deleghe/{id}', '/api/v1/backoffice/asti/deleghe/qualunque', 401);
  await check('/api/v1/backoffice/{slug}/deleghe/{id}', '/api/v1/backoffice/asti/deleghe/qualunque', 401, {
    authorization: 'Bearer sp_chiave-inventata-che-non-esiste',
  });

  // The protocol register's API (authenticated answers in tests/integration/protocollo_web).
  const proto = '/api/v1/backoffice/{slug}/protocollo';
  for (const [pattern, path] of [
    [`${proto}/registrazioni`, '/api/v1/backoffice/asti/protocollo/registrazioni'],
    [`${proto}/registrazioni/{id}`, '/api/v1/backoffice/asti/protocollo/registrazioni/qualunque'],
    [`${proto}/registrazioni/{id}/segnatura`, '/api/v1/backoffice/asti/protocollo/registrazioni/qualunque/segnatura'],
    [`${proto}/registri-giornalieri`, '/api/v1/backoffice/asti/protocollo/registri-giornalieri'],
    [`${proto}/registri-giornalieri/{rid}/{format}`, '/api/v1/backoffice/asti/protocollo/registri-giornalieri/1/pdf'],
    [`${proto}/aoo`, '/api/v1/backoffice/asti/protocollo/aoo'],
  ]) {
    await check(pattern, path, 401);
    await check(pattern, path, 401, { authorization: 'Bearer sp_chiave-inventata-che-non-esiste' });
  }

  // The albo's API (authenticated answers in tests/integration/albo_web).
  const albo = '/api/v1/backoffice/{slug}/albo/pubblicazioni';
  for (const [pattern, path] of [
    [albo, '/api/v1/backoffice/asti/albo/pubblicazioni'],
    [`${albo}/{id}`, '/api/v1/backoffice/asti/albo/pubblicazioni/qualunque'],
  ]) {
    await check(pattern, path, 401);
    await check(pattern, path, 401, { authorization: 'Bearer sp_chiave-inventata-che-non-esiste' });
  }

  // The help desk's ticket for a body's programs (authenticated answers in tests/integration/helpdesk).
  const ticket = '/api/v1/backoffice/{slug}/assistenza/{id}';
  await check(ticket, '/api/v1/backoffice/asti/assistenza/qualunque', 401);
  await check(ticket, '/api/v1/backoffice/asti/assistenza/qualunque', 401, {
    authorization: 'Bearer sp_chiave-inventata-che-non-esiste',
  });

  // The body's preservation packages (authenticated answers in tests/integration/conservazione).
  const packages = '/api/v1/backoffice/{slug}/conservazione/pacchetti';
  await check(packages, '/api/v1/backoffice/asti/conservazione/pacchetti', 401);
  await check(packages, '/api/v1/backoffice/asti/conservazione/pacchetti', 401, {
    authorization: 'Bearer sp_chiave-inventata-che-non-esiste',
  });

  // pagoPA notice numbers (public) and debt positions (authenticated answers in
  // tests/integration/payments_api).
  const nav = '/api/v1/pagopa/notice-numbers/{nav}';
  const ok = await check(nav, '/api/v1/pagopa/notice-numbers/302032002700000251', 200);
  assert.equal(ok.segregation_code, '02');
  const printed = await check(nav, '/api/v1/pagopa/notice-numbers/3020%203200%202700%200002%2051', 200);
  assert.equal(printed.nav, '302032002700000251');
  const aux0 = await check(nav, '/api/v1/pagopa/notice-numbers/001000000000000141', 200);
  assert.equal(aux0.application_code, '01');
  const wrong = await check(nav, '/api/v1/pagopa/notice-numbers/302032002700000252', 422);
  assert.equal(wrong.error.code, 'nav.check');
  const dp = '/api/v1/backoffice/{slug}/pagopa/debt-positions';
  for (const [pattern, path] of [
    [dp, '/api/v1/backoffice/asti/pagopa/debt-positions'],
    [`${dp}/{iupd}`, '/api/v1/backoffice/asti/pagopa/debt-positions/qualunque'],
  ]) {
    await check(pattern, path, 401);
    await check(pattern, path, 401, { authorization: 'Bearer sp_chiave-inventata-che-non-esiste' });
  }

  // Applications through the API (authenticated answers in tests/integration/helpdesk).
  const apps = '/api/v1/backoffice/{slug}/applications/{id}';
  await check(apps, '/api/v1/backoffice/asti/applications/qualunque', 401);
  await check(apps, '/api/v1/backoffice/asti/applications/qualunque', 401, {
    authorization: 'Bearer sp_chiave-inventata-che-non-esiste',
  });

  // Every documented GET operation was called, and every documented status of it was seen (for
  // operations behind an API key: the statuses a caller without a valid key gets).
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!item.get) continue;
    if (item.get.security) {
      assert.ok(exercised.get(p)?.has(401), `GET ${p}: 401 without a key was exercised`);
      continue;
    }
    const seen = exercised.get(p);
    assert.ok(seen, `GET ${p} was exercised`);
    for (const status of Object.keys(item.get.responses)) {
      assert.ok(seen.has(Number(status)), `GET ${p}: documented status ${status} was exercised`);
    }
  }
});
