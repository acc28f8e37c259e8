import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEB_DIST } from './build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the web app never answers: the APIs keep their own 404s (problem details). */
const NOT_THE_APP = /^\/(api|osdi|fed)(\/|$)/;

/**
 * The app loads its scripts and styles from this origin only and talks to this origin only; no
 * inline script (Vite's production build has none).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rhizome</title></head>
<body><h1>Rhizome</h1><p>The web app has not been built. Run <code>npm run build:web</code>
(or <code>npm install</code>, which builds it) and reload. The API is at
<a href="/api/v1/docs">/api/v1/docs</a>.</p></body></html>`;

interface Cached {
  body: Buffer;
  gzip: Buffer | null;
}

/**
 * Serves the built web app (`web/dist`) at `/`: its files, and `index.html` for every other path
 * so that client-side routes (`/people/…`) load the app. `/api`, `/osdi` and `/fed` are never
 * shadowed: their unknown paths stay API 404s. Files are read once and kept in memory (the build
 * is small); a precompressed `.gz` beside a file is sent to browsers that accept gzip.
 */
export function registerWebApp(app: FastifyInstance, dir: string = WEB_DIST): void {
  const cache = new Map<string, Cached>();
  const load = (file: string): Cached | null => {
    const cached = cache.get(file);
    if (cached) return cached;
    const full = path.join(dir, file);
    if (!existsSync(full) || !statSync(full).isFile()) return null;
    const entry = {
      body: readFileSync(full),
      gzip: existsSync(`${full}.gz`) ? readFileSync(`${full}.gz`) : null,
    };
    // index.html is read on every request: a rebuild while the server runs (`npm run build:web`)
    // replaces the hashed files it names. Those never change content, so they are kept.
    if (file !== 'index.html') cache.set(file, entry);
    return entry;
  };

  const send = (request: FastifyRequest, reply: FastifyReply, file: string, entry: Cached) => {
    const ext = path.extname(file);
    reply.type(TYPES[ext] ?? 'application/octet-stream');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('vary', 'accept-encoding');
    // Hashed file names never change content; everything else is checked on each load.
    reply.header(
      'cache-control',
      file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (ext === '.html') {
      reply.header('content-security-policy', CSP);
      reply.header('referrer-policy', 'same-origin');
    }
    const accepts = String(request.headers['accept-encoding'] ?? '');
    if (entry.gzip && /\bgzip\b/.test(accepts)) {
      reply.header('content-encoding', 'gzip');
      return reply.send(entry.gzip);
    }
    return reply.send(entry.body);
  };

  app.get(
    '/*',
    { config: { policy: { public: true, reason: 'the web app: its static files, which hold no data' } } },
    async (request, reply) => {
      let pathname: string;
      try {
        pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
      } catch {
        return reply.callNotFound();
      }
      if (NOT_THE_APP.test(pathname)) return reply.callNotFound();
      // A path that names a file: that file or 404 (never index.html for a missing script).
      const file = path.posix.normalize(pathname).replace(/^\/+/, '');
      if (file !== '' && !file.startsWith('..') && path.posix.extname(file) !== '') {
        const entry = file === 'index.html' ? null : load(file);
        if (entry) return send(request, reply, file, entry);
        if (file !== 'index.html') return reply.callNotFound();
      }
      const index = load('index.html');
      if (!index) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
      return send(request, reply, 'index.html', index);
    },
  );
}
