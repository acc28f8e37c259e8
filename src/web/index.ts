export { buildWeb, canBuildWeb, ensureWebBuilt, WEB_DIST, WEB_ROOT, webBuildState } from './build.js';
export { registerWebApp } from './serve.js';
