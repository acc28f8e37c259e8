import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, WEB_DIST } from '../../src/web/index.js';

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
