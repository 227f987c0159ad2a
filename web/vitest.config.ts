import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Unit tests, in jsdom with a fake `window.SR` and a mocked fetch: the packages against their
// sources, the demo and the SDK stand-in; and, in Node, the checks of the packages' built files
// (packages/*/test: size budget, server-side rendering), which need `npm run build` first. The
// browser tests have their own configuration (vitest.e2e.config.ts).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@synerise-auth/browser': source('./packages/browser/src/index.ts'),
      '@synerise-auth/react': source('./packages/react/src/index.ts'),
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'packages/*/src/**/*.test.{ts,tsx}', 'packages/*/test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
