import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: the only browser the tests use. Nothing downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  // WebGL in software (SwiftShader through ANGLE) for the map of events: there is no GPU here, and
  // Chromium no longer falls back to SwiftShader for WebGL unless told it may.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of key pages, kept after the run (gitignored), one folder per engine. */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');

/** Installs Debian's chromium package when it is missing (a fresh machine): apt-get, as root. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const install = () =>
    spawnSync('apt-get', ['install', '-y', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  // A fresh machine's package lists may be empty or old: update once, then try again.
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (!install()) throw new Error('could not install chromium with apt-get (run as root?)');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}

export interface Browser {
  context: BrowserContext;
  /** A page in the one profile: pages share cookies and storage, as tabs do. */
  newPage(): Promise<Page>;
  /** Forgets every session (clears the profile's cookies). */
  signOutAll(): Promise<void>;
  /**
   * What went wrong in the pages so far: uncaught exceptions and Content-Security-Policy
   * violations (a refused API call's "Failed to load resource" is expected and not listed).
   */
  errors: string[];
  close(): Promise<void>;
}

/** Chromium with a fresh profile directory, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'rhizome-chromium-'));
  // Playwright takes the profile directory itself (--user-data-dir) for a persistent context.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 390, height: 844 }, // a phone
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Uncaught/i.test(message.text()))
          errors.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
    async signOutAll() {
      await context.clearCookies();
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, engine: string, name: string): Promise<void> {
  const dir = path.join(ARTIFACTS, engine);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/**
 * Text on the page whose contrast with its background is below WCAG 2.1 AA: 4.5:1, or 3:1 for
 * large text (24px, or 18.66px bold). Backgrounds are the nearest opaque one up the tree.
 * Runs in the page, as a string (the tests are type-checked without the DOM library).
 */
export async function lowContrast(page: Page): Promise<string[]> {
  return await page.evaluate(`(() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent.trim()) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || box.width <= 1 || box.height <= 1) continue;
      const a = lum(rgb(style.color).slice(0, 3));
      const b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(node.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
    }
    return out;
  })()`);
}

/**
 * Signs in through the sign-in page as a user would, from a signed-out browser: the organization,
 * email and password, then the button. The caller waits for wherever it expects to land.
 */
export async function submitSignIn(
  browser: Browser,
  page: Page,
  base: string,
  sign: { org: string; email: string; password: string },
): Promise<void> {
  await browser.signOutAll();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('Organization').fill(sign.org);
  await page.getByLabel('Email').fill(sign.email);
  await page.getByLabel('Password').fill(sign.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
