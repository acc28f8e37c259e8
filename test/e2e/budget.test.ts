import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { ensureWebBuilt, WEB_DIST } from '../../src/web/index.js';
import { createTestApp, makeOrg, makeUser, type TestApp } from '../support/fixtures.js';

/**
 * The weight budget, measured on the production build: the gzipped JavaScript a page loads before
 * it can run (its module scripts and the chunks they preload). Public pages (events, forms,
 * petitions, unsubscribe) must stay light on a slow phone; the signed-in app shell too.
 */
const KB = 1024;
const BUDGETS = {
  /** index.html: sign-in, navigation, people search, the person page. */
  appShell: 120 * KB,
  /** Any other page of the build (the public pages, as they land). */
  publicPage: 200 * KB,
};

/** The JavaScript files an HTML page of the build loads at start, with their gzipped sizes. */
function pageScripts(html: string): { file: string; gzipped: number }[] {
  const refs = [
    ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g),
  ];
  const files = [...new Set(refs.map((m) => m[1] as string))];
  return files.map((file) => ({
    file,
    gzipped: gzipSync(readFileSync(path.join(WEB_DIST, file.replace(/^\//, ''))), { level: 9 }).length,
  }));
}

beforeAll(async () => {
  await ensureWebBuilt();
}, 300_000);

describe('the web app’s weight', () => {
  const pages = () => readdirSync(WEB_DIST).filter((f) => f.endsWith('.html'));

  it('builds an app shell that loads at least one script', () => {
    expect(pages()).toContain('index.html');
    const scripts = pageScripts(readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8'));
    expect(scripts.length).toBeGreaterThan(0);
  });

  it('keeps every page’s JavaScript under its gzipped budget', () => {
    const report: string[] = [];
    for (const page of pages()) {
      const scripts = pageScripts(readFileSync(path.join(WEB_DIST, page), 'utf8'));
      const total = scripts.reduce((sum, s) => sum + s.gzipped, 0);
      const budget = page === 'index.html' ? BUDGETS.appShell : BUDGETS.publicPage;
      report.push(`${page}: ${(total / KB).toFixed(1)} KB gzipped JS (budget ${budget / KB} KB)`);
      expect(total, `${page} loads ${scripts.map((s) => s.file).join(', ')}`).toBeLessThanOrEqual(budget);
    }
    console.log(report.join('\n'));
  });

  it('ships the precompressed copies the server sends', () => {
    const assets = readdirSync(path.join(WEB_DIST, 'assets'));
    for (const file of assets.filter((f) => f.endsWith('.js') || f.endsWith('.css')))
      expect(assets, file).toContain(`${file}.gz`);
  });
});

/**
 * The server-rendered public pages (events, forms and petitions, campaigns with and without search
 * results, consent, not found), as the server sends them: every script they load, same-origin
 * files and inline alike, gzipped and added up. Most load none (0 KB); the campaign page's map
 * script is the only one today.
 */
describe('the public pages’ weight', () => {
  let t: TestApp;
  const pages: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const orgId = (await makeOrg(t.db)).id;
    const unit = newId();
    await t.db
      .insertInto('unit')
      .values({ org_id: orgId, id: unit, path: 'bay', name: 'Bay', kind: 'chapter' })
      .execute();
    const admin = await makeUser(t.db, orgId, 'org_admin');
    const ok = async (method: string, url: string, body: unknown, as: typeof admin | null = admin) => {
      const response = await t.call(method, url, { as, body });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json();
    };
    const campaign = await ok('POST', '/api/v1/campaigns', {
      unit_id: unit,
      title: 'Day of action',
      starts_on: '2030-04-22',
      ends_on: '2030-04-22',
      trusted_host_emails: ['host@example.org'],
    });
    const event = await ok(
      'POST',
      `/api/v1/public/campaigns/${campaign.id}/events`,
      {
        host: { given_name: 'Host', email: 'host@example.org' },
        title: 'Cleanup',
        starts_at: '2030-04-22T17:00:00Z',
        ends_at: '2030-04-22T19:00:00Z',
        timezone: 'America/Los_Angeles',
        postal_code: '94612',
        consent: { email_updates: false },
      },
      null,
    );
    const form = await ok('POST', '/api/v1/forms', { unit_id: unit, title: 'Tell us' });
    const petition = await ok('POST', '/api/v1/forms', { unit_id: unit, kind: 'petition', title: 'Sign' });
    const person = await ok('POST', '/api/v1/people', {
      given_name: 'Ana',
      emails: [{ address: 'ana@example.org' }],
    });
    const link = await ok('POST', `/api/v1/people/${person.person.id}/consent-links`, { purpose: 'budget' });
    Object.assign(pages, {
      event: `/e/${event.id}`,
      form: `/f/${form.id}`,
      petition: `/f/${petition.id}`,
      campaign: `/c/${campaign.id}`,
      'campaign search': `/c/${campaign.id}?zip=94607&radius_km=25`,
      'campaign in Spanish': `/c/${campaign.id}?zip=94607&lang=es`,
      consent: `/consent/${link.token}`,
      'not found': `/e/${newId()}`,
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('keeps every public page’s JavaScript under the public budget, counting pages with none', async () => {
    const report: string[] = [];
    for (const [name, url] of Object.entries(pages)) {
      const page = await t.call('GET', url);
      expect(page.headers['content-type'], url).toContain('text/html');
      const external = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] as string);
      const inline = [...page.body.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
        (m) => m[1] as string,
      );
      let total = 0;
      for (const src of external) {
        expect(src, `${name} loads a script from another origin`).toMatch(/^\/[^/]/);
        const script = await t.call('GET', src);
        expect(script.statusCode, src).toBe(200);
        total += gzipSync(script.rawPayload, { level: 9 }).length;
      }
      for (const code of inline) total += gzipSync(code, { level: 9 }).length;
      report.push(
        `${name} (${url.split('?')[0]?.split('/')[1]}): ${(total / KB).toFixed(1)} KB gzipped JS in ${external.length + inline.length} scripts (budget ${BUDGETS.publicPage / KB} KB)`,
      );
      expect(total, `${name} loads ${external.join(', ') || 'inline scripts'}`).toBeLessThanOrEqual(
        BUDGETS.publicPage,
      );
    }
    expect(report).toHaveLength(Object.keys(pages).length);
    console.log(report.join('\n'));
  });
});
