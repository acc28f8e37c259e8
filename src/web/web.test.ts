import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testAuditLog } from '../../test/support/db.js';
import type { Database } from '../db/connect.js';
import { buildApp } from '../http/app.js';
import { silentLog } from '../log.js';
import { webBuildState } from './build.js';

/** The server side of the web app, on a build written by the test (no Vite needed). */

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

let dir: string;
let database: Database;
let app: FastifyInstance;
let unbuilt: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'app-abc123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  database = await createTestDatabase();
  const audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit, webDir: dir });
  unbuilt = await buildApp({ db: database.db, log: silentLog, audit, webDir: path.join(dir, 'nothing') });
});

afterAll(async () => {
  await app.close();
  await unbuilt.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the web app', () => {
  it('answers / and every client-side route with index.html, not cached, under a strict CSP', async () => {
    for (const url of ['/', '/people', '/people/0193c2a4-5b6c-7d8e-9f01-23456789abcd?page=2', '/sign-in']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toBe(INDEX);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves hashed assets for a year, gzipped to browsers that accept it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const zipped = await app.inject({
      method: 'GET',
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.rawPayload.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(SCRIPT);

    const other = await app.inject({ method: 'GET', url: '/robots.txt' });
    expect(other.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(other.headers['cache-control']).toBe('no-cache');
  });

  it('answers a missing file with 404, never with index.html', async () => {
    for (const url of [
      '/assets/missing-123.js',
      '/favicon.ico',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('<!doctype html>');
      expect(response.body).not.toContain('"name": "rhizome"');
    }
  });

  it('never shadows the APIs: their unknown paths stay problem details', async () => {
    for (const url of ['/api', '/api/v1/nothing-here', '/osdi/v1/nothing', '/fed', '/fed/inbox']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('not_found');
    }
    // Real API routes still answer as before.
    expect((await app.inject({ method: 'GET', url: '/api/v1/people' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode).toBe(200);
    // Paths that only begin like an API are the app's.
    expect((await app.inject({ method: 'GET', url: '/apiary' })).body).toBe(INDEX);
  });

  it('only answers GET and HEAD', async () => {
    expect((await app.inject({ method: 'HEAD', url: '/people' })).statusCode).toBe(200);
    const post = await app.inject({ method: 'POST', url: '/people', payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toContain('application/problem+json');
  });

  it('serves a rebuilt index.html without a restart', async () => {
    const rebuilt = INDEX.replace('app-abc123', 'app-def456');
    writeFileSync(path.join(dir, 'index.html'), rebuilt);
    try {
      expect((await app.inject({ method: 'GET', url: '/people' })).body).toBe(rebuilt);
    } finally {
      writeFileSync(path.join(dir, 'index.html'), INDEX);
    }
  });

  it('says how to build the app when it has not been built', async () => {
    const response = await unbuilt.inject({ method: 'GET', url: '/people' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('npm run build:web');
  });
});

describe('the build state', () => {
  it('is missing without index.html, stale when a source is newer, fresh otherwise', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rhizome-web-src-'));
    try {
      mkdirSync(path.join(root, 'src'));
      writeFileSync(path.join(root, 'src', 'main.tsx'), 'x');
      writeFileSync(path.join(root, 'index.html'), 'x');
      expect(webBuildState(root)).toBe('missing');
      mkdirSync(path.join(root, 'dist'));
      writeFileSync(path.join(root, 'dist', 'index.html'), 'built');
      const past = new Date(Date.now() - 60_000);
      utimesSync(path.join(root, 'src', 'main.tsx'), past, past);
      utimesSync(path.join(root, 'src'), past, past);
      utimesSync(path.join(root, 'index.html'), past, past);
      expect(webBuildState(root)).toBe('fresh');
      writeFileSync(path.join(root, 'src', 'main.tsx'), 'changed');
      const future = new Date(Date.now() + 60_000);
      utimesSync(path.join(root, 'src', 'main.tsx'), future, future);
      expect(webBuildState(root)).toBe('stale');
    } finally {
      rmSync(path.join(root), { recursive: true, force: true });
    }
  });
});
