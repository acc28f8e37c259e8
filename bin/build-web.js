#!/usr/bin/env node
// Builds the web app into web/dist (run by `npm install` through the `prepare` script, and by
// `npm run build:web`). `--if-needed` builds only when the build is missing or older than its sources.
import { register } from 'tsx/esm/api';

register();
const { buildWeb, canBuildWeb, webBuildState } = await import('../src/web/index.ts');
const ifNeeded = process.argv.includes('--if-needed');
if (!(await canBuildWeb())) {
  // An install without dev dependencies: the server still runs; `/` says how to build.
  console.warn('rhizome: Vite is not installed, so the web app was not built (npm install builds it).');
  process.exit(0);
}
if (ifNeeded && webBuildState() === 'fresh') process.exit(0);
const started = Date.now();
await buildWeb();
console.log(`rhizome: web app built in web/dist (${((Date.now() - started) / 1000).toFixed(1)} s)`);
