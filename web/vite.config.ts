import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the demo with hot reload and forwards the server's routes to a
// `synerise-auth serve` running on its default port, so the page and the API share one origin
// (the session cookie is SameSite=Lax and the token request is same-origin).
const backend = process.env.SYNERISE_AUTH_URL ?? 'http://127.0.0.1:8080';
const proxied = ['/api', '/generate-jwt', '/gate/v1', '/public-key'];

export default defineConfig({
  plugins: [react()],
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
