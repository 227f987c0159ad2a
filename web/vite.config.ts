import { readFileSync } from 'node:fs';

import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Puts the core package's one-script build into the site as `sdk/synerise-auth.js` and
 * `sdk/synerise-auth-<version>.js`, which the service serves (in every mode) at `/sdk/`.
 * The package is built first (`npm run build` does).
 */
function oneScriptSdk(): Plugin {
  const dir = new URL('./packages/browser/', import.meta.url);
  return {
    name: 'synerise-auth-one-script-sdk',
    apply: 'build',
    generateBundle() {
      const source = readFileSync(new URL('dist/synerise-auth.js', dir));
      const { version } = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version: string };
      for (const fileName of ['sdk/synerise-auth.js', `sdk/synerise-auth-${version}.js`]) {
        this.emitFile({ type: 'asset', fileName, source });
      }
    },
  };
}

// `npm run dev` serves the demo with hot reload and forwards the server's routes to a
// `synerise-auth serve` running on its default port, so the page and the API share one origin
// (the session cookie is SameSite=Lax and the token request is same-origin).
const backend = process.env.SYNERISE_AUTH_URL ?? 'http://127.0.0.1:8080';
const proxied = ['/api', '/generate-jwt', '/gate/v1', '/public-key', '/sdk'];

export default defineConfig({
  plugins: [react(), oneScriptSdk()],
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The binary embeds these files; source maps would only make it larger.
    sourcemap: false,
  },
});
