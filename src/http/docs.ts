import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

// The reference page is Swagger UI, served from the installed package: nothing is fetched from
// another host, so it works on a machine with no internet access.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Rhizome API reference</title>
  <link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
  <link rel="icon" href="/api/v1/docs/favicon-32x32.png">
</head>
<body>
  <noscript>This page needs JavaScript. The API description itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
  <div id="reference"></div>
  <script src="/api/v1/docs/swagger-ui-bundle.js"></script>
  <script src="/api/v1/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#reference', deepLinking: true });`;

export function registerDocs(app: FastifyInstance): void {
  const dir = getAbsoluteFSPath();
  const cache = new Map<string, Buffer>();
  const config = { policy: { public: true as const, reason: 'the API reference page' } };
  app.get('/api/v1/docs', { config }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/api/v1/docs/init.js', { config }, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(INIT),
  );
  app.get<{ Params: { file: string } }>('/api/v1/docs/:file', { config }, async (request, reply) => {
    const type = ASSETS[request.params.file];
    if (!type) return reply.callNotFound();
    let body = cache.get(request.params.file);
    if (!body) {
      body = readFileSync(path.join(dir, request.params.file));
      cache.set(request.params.file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
