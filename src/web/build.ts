import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The web app's sources (`web/`) and its build (`web/dist/`), beside `src/`. */
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

/** What the build depends on: a change to any of these makes `web/dist` stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'public'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** `missing` (never built), `stale` (sources changed since) or `fresh`. */
export function webBuildState(root = WEB_ROOT): 'missing' | 'stale' | 'fresh' {
  const index = path.join(root, 'dist', 'index.html');
  if (!existsSync(index)) return 'missing';
  const built = statSync(index).mtimeMs;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  return sources > built ? 'stale' : 'fresh';
}

/** Whether the build tool is installed (a production install without dev dependencies has none). */
export async function canBuildWeb(): Promise<boolean> {
  try {
    await import('vite');
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the web app into `web/dist` with Vite, then writes a gzipped copy of each script and
 * style sheet beside it (served to browsers that accept gzip; the budget test measures them).
 * Concurrent callers (two test workers, a start during an install) wait on one lock directory.
 */
export async function buildWeb(root = WEB_ROOT): Promise<void> {
  const lock = path.join(root, '.build-lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed build is older than any real build takes.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 300_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the web build lock ${lock} is held too long`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    // Another process may have built it while this one waited.
    if (webBuildState(root) === 'fresh') return;
    const { build } = await import('vite');
    // Vite follows NODE_ENV over its mode, and the test runner sets it to "test": React's
    // development build is twice the size. Always build for production.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        root,
        configFile: path.join(root, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    compressAssets(path.join(root, 'dist'));
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function compressAssets(dir: string): void {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const file = path.join(dir, name);
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
  }
}

/** Builds when missing or stale; returns what it found. */
export async function ensureWebBuilt(root = WEB_ROOT): Promise<'missing' | 'stale' | 'fresh'> {
  const state = webBuildState(root);
  if (state !== 'fresh') await buildWeb(root);
  return state;
}
