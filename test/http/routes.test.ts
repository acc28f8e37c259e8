import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/fixtures.js';
import { snapshotDatabase } from '../support/snapshot.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const fill = (url: string) =>
  url.replace(/:([A-Za-z_]+)/g, '01900000-0000-7000-8000-0000000000ff').replace('*', 'x');

describe('the router', () => {
  it('has a policy on every route', () => {
    const missing = t.app.routeCatalog.filter((r) => !r.policy).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(t.app.routeCatalog.length).toBeGreaterThan(5);
  });

  it('refuses anonymous callers on every non-public route and changes nothing', async () => {
    const before = await snapshotDatabase(t.db);
    for (const route of t.app.routeCatalog) {
      if (!route.policy || 'public' in route.policy) continue;
      const response = await t.call(route.method, fill(route.url), {
        body: route.method === 'GET' ? undefined : {},
      });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('unauthenticated');
    }
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('describes the public API in an OpenAPI 3.1 document and a reference page', async () => {
    const doc = await t.call('GET', '/api/v1/openapi.json');
    expect(doc.statusCode).toBe(200);
    const body = doc.json();
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/api/v1/people/{id}');
    const page = await t.call('GET', '/api/v1/docs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/api/v1/openapi.json');
    const script = await t.call('GET', '/api/v1/docs/swagger-ui-bundle.js');
    expect(script.statusCode).toBe(200);
    expect((await t.call('GET', '/api/v1/docs/package.json')).statusCode).toBe(404);
  });

  it('answers an unknown route with a problem document', async () => {
    const response = await t.call('GET', '/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, code: 'not_found' });
  });
});
