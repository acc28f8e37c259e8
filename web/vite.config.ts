import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by `npm install` (prepare) or the first `rhizome start` into web/dist, which the Fastify
// server serves at `/` (src/web/serve.ts). No dev server is needed.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The server sends the precompressed copies; the budget test measures them.
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // The map's worker script (maplibre-gl-worker.mjs, imported with ?url) is served as .js:
        // the server's types, gzip copies and the budget test know .js, and a module worker needs
        // a JavaScript MIME type under nosniff.
        assetFileNames: (asset) =>
          asset.names.some((name) => name.endsWith('.mjs'))
            ? 'assets/[name]-[hash].js'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
});
